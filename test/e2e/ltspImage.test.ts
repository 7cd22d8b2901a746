/**
 * A real LTSP 20+ image, made by Debian 12's own `ltsp image/kernel/initrd/
 * ipxe` (test/support/ltspImage.ts, cached), booted through the farm to a
 * login prompt: `netboot-farm boot FOLDER --image TREE`. The tree is served
 * as LTSP left it but for its NFS root, which the farm serves as NBD and says
 * so. Under TCG a boot takes 60-120 s; building the image cold, minutes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cannotBuild, ltspConfMarker, ltspImage, LTSP_IMAGE_NAME } from '../support/ltspImage';
import { bootSandbox, parseBootJson, type BootJson } from './bootCli';

const why = cannotBuild();
const sandbox = bootSandbox();

/**
 * The farm folder: a dhcpd.conf like LTSP's own dnsmasq setup, the iPXE
 * script for iPXE clients (QEMU's NIC ROMs are iPXE) and the iPXE binaries
 * `ltsp ipxe` installed for the firmware's own PXE, to chainload it.
 */
const dhcpdConf = `# An LTSP 20+ farm: iPXE runs ltsp.ipxe; BIOS and UEFI PXE chainload iPXE first.
option arch code 93 = unsigned integer 16;
default-lease-time 3600;
max-lease-time 7200;
authoritative;

subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.100 192.168.67.199;
  next-server 192.168.67.1;
  if exists user-class and option user-class = "iPXE" {
    filename "ltsp/ltsp.ipxe";
  } elsif option arch = 00:07 or option arch = 00:09 {
    filename "ltsp/snponly.efi";
  } else {
    filename "ltsp/undionly.kpxe";
  }
}
`;

const folder = mkdtempSync(join(tmpdir(), 'nbf-ltsp-farm-'));
after(() => rmSync(folder, { recursive: true, force: true }));
writeFileSync(join(folder, 'dhcpd.conf'), dhcpdConf);

/** The image, built (or found in the cache) once for the tests that boot. */
let prepared: Promise<{ tree: string; folder: string }> | undefined;
function prepare() {
  prepared ??= (async () => {
    const image = await ltspImage({ log: (line) => process.stderr.write(`ltsp image: ${line}\n`) });
    process.stderr.write(`ltsp image: ${image.builtSeconds ? `built in ${image.builtSeconds.toFixed(0)} s` : 'from the cache'}: ${image.dir}\n`);
    return { tree: image.dir, folder };
  })();
  return prepared;
}

function transfers(result: BootJson): string[] {
  return result.events.filter((e) => e.layer === 'tftp' && e.kind === 'transfer-done').map((e) => e.message);
}

async function bootToLogin(firmware: 'bios' | 'uefi') {
  const { tree, folder } = await prepare();
  const before = readFileSync(join(tree, 'ltsp', 'ltsp.ipxe'), 'utf8');
  const run = await sandbox.run(['boot', folder, '--image', tree, '--firmware', firmware, '--headless', '--network', 'isolated', '--expect', 'login:', '--timeout', '600', '--json'], 660_000);
  const result = parseBootJson(run);
  const node = result.nodes[0];
  assert.ok(node, 'one node');
  assert.equal(node.firmware, firmware);
  assert.ok(node.matched !== null, `no login prompt (exit ${run.code}); stuck before ${node.stuckAt}; last lines:\n${node.lastLines.join('\n')}\n${run.stderr.slice(-2000)}`);
  assert.match(node.matched, /login:/);
  assert.equal(run.code, 0, run.stderr.slice(-2000));

  // The one change the farm made, said as a warning, on a copy: the tree itself is as LTSP left it.
  const rewrite = result.events.find((e) => e.kind === 'served-rewrite' && e.data?.change === 'nfs-to-nbd');
  assert.ok(rewrite, 'no NFS-to-NBD rewrite warning on the timeline');
  assert.match(rewrite.message, /^LTSP 23\.02 wrote an NFS root into ltsp\/ltsp\.ipxe; served with root=\/dev\/nbd0 nbdroot=\$\{srv\}:10809\/x86_64 instead, because/);
  assert.equal(readFileSync(join(tree, 'ltsp', 'ltsp.ipxe'), 'utf8'), before);

  // LTSP's boot files came from the farm's TFTP server, and the root from its NBD server, by the image's name.
  const read = transfers(result).join('\n');
  for (const path of ['ltsp/ltsp.ipxe', `ltsp/${LTSP_IMAGE_NAME}/vmlinuz`, `ltsp/${LTSP_IMAGE_NAME}/initrd.img`, 'ltsp/ltsp.img']) {
    assert.match(read, new RegExp(` read /?${path.replace(/\./g, '\\.')}: \\d+ bytes`), `${path} not transferred:\n${read}`);
  }
  const exportEvent = result.events.find((e) => e.layer === 'nbd' && e.kind === 'export');
  assert.ok(exportEvent, 'no NBD export chosen');
  assert.equal(exportEvent.data?.export, LTSP_IMAGE_NAME);
  assert.equal(exportEvent.data?.file, join(tree, 'images', `${LTSP_IMAGE_NAME}.img`));
  // LTSP's own init ran in the client with the ltsp.conf that `ltsp initrd` packed into ltsp.img.
  const consoleText = result.events.filter((e) => e.layer === 'console').map((e) => e.message).join('\n');
  assert.match(consoleText, new RegExp(ltspConfMarker));
  assert.deepEqual(sandbox.leftovers(), [], 'every VM folder is removed');
  return { node, result, read };
}

test('an LTSP 20+ image from Debian 12 `ltsp` boots to login: by BIOS (iPXE runs ltsp.ipxe) over the farm\'s NBD', { skip: why ?? false, timeout: 1_800_000 }, async () => {
  await bootToLogin('bios');
});

test('the same image boots to login: by UEFI (OVMF PXE chainloads `ltsp ipxe`\'s snponly.efi)', { skip: why ?? false, timeout: 900_000 }, async () => {
  const { read } = await bootToLogin('uefi');
  assert.match(read, / read \/?ltsp\/snponly\.efi: \d+ bytes/);
});

test('--image of a folder that is no image says what one holds; --image with --example-image is a usage error', { timeout: 120_000 }, async () => {
  const empty = join(sandbox.tmp, 'not-an-image');
  mkdirSync(join(empty, 'ltsp'), { recursive: true });
  const run = await sandbox.run(['boot', 'examples/farm', '--image', empty, '--headless'], 100_000);
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, new RegExp(`netboot-farm boot: ${empty}: no image here: --image takes an LTSP 20\\+ tree \\(ltsp/ltsp\\.ipxe, ltsp/ltsp\\.img`));
  const both = await sandbox.run(['boot', 'examples/farm', '--image', empty, '--example-image'], 30_000);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /either --image DIR or --example-image/);
});
