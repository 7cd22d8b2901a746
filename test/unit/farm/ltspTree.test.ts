import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { readFarmImage } from '../../../server/src/farm/image/farmImage';
import { findLtspTree, nbdRootArguments, readLtspTree, rewriteLtspScript } from '../../../server/src/farm/image/ltspTree';

const scratch = mkdtempSync(join(tmpdir(), 'nbf-ltsp-tree-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const cacheDir = join(scratch, 'served');

/** The lines of LTSP 23.02's generated ltsp.ipxe that the farm reads (BASE_DIR=/srv/ltsp). */
const ltspScript = [
  '#!ipxe',
  'cpuid --ext 29 && set img x86_64 || set img x86_32',
  'isset ${root-path} && set img ${root-path} ||',
  'isset ${proxydhcp/dhcp-server} && set srv ${proxydhcp/dhcp-server} || set srv ${next-server}',
  'set cmdline_ltsp BOOTIF=01-${mac:hexhyp}',
  ':images',
  'set cmdline_method root=/dev/nfs nfsroot=${srv}:/srv/ltsp ltsp.image=images/${img}.img loop.max_part=9',
  'goto ltsp',
  ':roots',
  'set cmdline_method root=/dev/nfs nfsroot=${srv}:/srv/ltsp/${img}',
  'goto ltsp',
  ':ltsp',
  'set cmdline ${cmdline_method} ${cmdline_ltsp} ${cmdline_client}',
  'kernel /ltsp/${img}/vmlinuz initrd=ltsp.img initrd=initrd.img ${cmdline}',
  'initrd /ltsp/ltsp.img',
  'initrd /ltsp/${img}/initrd.img',
  'boot || goto failed',
  '',
].join('\n');

let trees = 0;
/** A tree laid out as LTSP's TFTP_DIR and BASE_DIR/images; `files` maps paths to contents. */
function tree(files: Record<string, string>): string {
  const dir = join(scratch, `tree${++trees}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const complete = (image = 'x86_64', script = ltspScript) => ({
  'ltsp/ltsp.ipxe': script,
  'ltsp/ltsp.img': 'cpio',
  [`ltsp/${image}/vmlinuz`]: 'kernel',
  [`ltsp/${image}/initrd.img`]: 'initramfs',
  [`images/${image}.img`]: 'squashfs',
});

test('an LTSP 20+ tree is recognised with its image, and the iPXE binaries `ltsp ipxe` installs', async () => {
  const dir = tree({ ...complete(), 'ltsp/undionly.kpxe': 'bios', 'ltsp/snponly.efi': 'efi' });
  assert.deepEqual(await findLtspTree(dir), { dir, imageName: 'x86_64', imageNames: ['x86_64'], bios: 'ltsp/undionly.kpxe', efi: 'ltsp/snponly.efi' });
});

test('x86_64 is preferred among several images (what LTSP picks for a 64-bit CPU), else the only bootable one', async () => {
  const both = tree({ ...complete('debian'), ...complete('x86_64') });
  assert.equal((await findLtspTree(both))?.imageName, 'x86_64');
  assert.deepEqual((await findLtspTree(both))?.imageNames, ['debian', 'x86_64']);
  // An image whose kernel `ltsp kernel` never copied cannot boot, so it is not offered.
  const partial = tree({ ...complete('bullseye'), 'images/x86_64.img': 'squashfs' });
  assert.equal((await findLtspTree(partial))?.imageName, 'bullseye');
});

test('folders that are not LTSP 20+ trees are not taken for one', async () => {
  const noScript = complete();
  delete (noScript as Record<string, string>)['ltsp/ltsp.ipxe'];
  assert.equal(await findLtspTree(tree(noScript)), undefined, 'no ltsp.ipxe');
  assert.equal(await findLtspTree(tree(complete('x86_64', 'DEFAULT menu\n'))), undefined, 'ltsp.ipxe is not an iPXE script');
  const noInitrd = complete();
  delete (noInitrd as Record<string, string>)['ltsp/ltsp.img'];
  assert.equal(await findLtspTree(tree(noInitrd)), undefined, 'no ltsp.img (ltsp initrd never ran)');
  const noImage = complete();
  delete (noImage as Record<string, string>)['images/x86_64.img'];
  assert.equal(await findLtspTree(tree(noImage)), undefined, 'no squashfs');
  assert.equal(await findLtspTree(join(scratch, 'missing')), undefined);
});

test("the NFS root of LTSP's images method becomes an NBD root; the roots method and everything else stay", () => {
  const { text, changes } = rewriteLtspScript(ltspScript, 'x86_64');
  const lines = text.split('\n');
  assert.ok(lines.includes(`set cmdline_method ${nbdRootArguments} loop.max_part=9`), text);
  assert.equal(nbdRootArguments, 'root=/dev/nbd0 nbdroot=${srv}:10809/${img}');
  assert.ok(lines.includes('set cmdline_method root=/dev/nfs nfsroot=${srv}:/srv/ltsp/${img}'), 'a chroot over NFS has no NBD equivalent: left as it is');
  assert.doesNotMatch(text, /ltsp\.image=/);
  const original = ltspScript.split('\n');
  assert.deepEqual(
    lines.filter((line, i) => line !== original[i]),
    ['set cmdline_ltsp BOOTIF=01-${mac:hexhyp} console=tty0 console=ttyS0,115200', `set cmdline_method ${nbdRootArguments} loop.max_part=9`],
  );
  assert.deepEqual(
    changes.map((c) => c.kind),
    ['nfs-to-nbd', 'serial-console'],
  );
  const nfs = changes.find((c) => c.kind === 'nfs-to-nbd');
  assert.ok(nfs);
  assert.match(nfs.message, /^LTSP 23\.02 wrote an NFS root into ltsp\/ltsp\.ipxe; served with root=\/dev\/nbd0 nbdroot=\$\{srv\}:10809\/x86_64 instead, because the farm has no NFS server/);
  assert.match(nfs.message, /Only the served copy is changed/);
});

test('a script that already names a console, or already boots over NBD, is served as it is', () => {
  const nbd = ltspScript.replace(/^set cmdline_method root=\/dev\/nfs .*ltsp\.image.*$/m, 'set cmdline_method root=/dev/nbd0 nbdroot=${srv}:10809/${img}').replace('BOOTIF=01-${mac:hexhyp}', 'BOOTIF=01-${mac:hexhyp} console=ttyS0');
  assert.deepEqual(rewriteLtspScript(nbd, 'x86_64'), { text: nbd, changes: [] });
});

test('the served tree is a copy with the rewritten script; the user tree is never written', async () => {
  const dir = tree({ ...complete(), 'ltsp/undionly.kpxe': 'bios' });
  const before = readFileSync(join(dir, 'ltsp/ltsp.ipxe'), 'utf8');
  const image = await readLtspTree(dir, { cacheDir });
  assert.ok(image);
  assert.equal(readFileSync(join(dir, 'ltsp/ltsp.ipxe'), 'utf8'), before);
  assert.ok(image.tftpRoot.startsWith(cacheDir), image.tftpRoot);
  assert.match(readFileSync(join(image.tftpRoot, 'ltsp/ltsp.ipxe'), 'utf8'), /nbdroot=\$\{srv\}:10809\/\$\{img\}/);
  for (const path of ['ltsp/ltsp.img', 'ltsp/x86_64/vmlinuz', 'ltsp/x86_64/initrd.img', 'ltsp/undionly.kpxe']) {
    assert.equal(readFileSync(join(image.tftpRoot, path), 'utf8'), readFileSync(join(dir, path), 'utf8'), path);
    // A real file, not a symlink: the TFTP server refuses links that lead out of its root.
    assert.ok(statSync(join(image.tftpRoot, path)).isFile());
  }
  assert.equal(image.squashfs, join(dir, 'images', 'x86_64.img'), 'the squashfs is exported where it is');
  assert.equal(image.exportName, 'x86_64');
  assert.deepEqual(image.bootFiles, { ipxe: 'ltsp/ltsp.ipxe', bios: 'ltsp/undionly.kpxe' });
  assert.deepEqual(image.servedChanges?.map((c) => c.kind), ['nfs-to-nbd', 'serial-console']);

  // Reused while the tree is unchanged; a rebuilt kernel gets a fresh copy and the old one goes.
  assert.equal((await readLtspTree(dir, { cacheDir }))?.tftpRoot, image.tftpRoot);
  writeFileSync(join(dir, 'ltsp/x86_64/vmlinuz'), 'a newer kernel');
  const rebuilt = await readLtspTree(dir, { cacheDir });
  assert.ok(rebuilt);
  assert.notEqual(rebuilt.tftpRoot, image.tftpRoot);
  assert.equal(readFileSync(join(rebuilt.tftpRoot, 'ltsp/x86_64/vmlinuz'), 'utf8'), 'a newer kernel');
  assert.ok(!existsSync(image.tftpRoot), 'the stale copy is removed');
  assert.equal(readdirSync(cacheDir).filter((e) => e.includes('.tmp-')).length, 0);

  // A tree that was deleted leaves no copy behind once another tree is served.
  rmSync(dir, { recursive: true, force: true });
  const other = await readLtspTree(tree(complete()), { cacheDir });
  assert.ok(!existsSync(rebuilt.tftpRoot), 'the copy of a deleted tree is removed');
  assert.ok(other && existsSync(other.tftpRoot));
});

test('readFarmImage takes an LTSP 20+ tree in a folder without manifest.json', async () => {
  const dir = tree(complete());
  // Its served copy goes to the cache: this test's own.
  const cache = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = join(scratch, 'xdg');
  after(() => (cache === undefined ? delete process.env.XDG_CACHE_HOME : (process.env.XDG_CACHE_HOME = cache)));
  const image = await readFarmImage(dir);
  assert.ok(image?.tftpRoot.startsWith(join(scratch, 'xdg', 'netboot-farm', 'ltsp-served')));
  assert.equal(image?.exportName, 'x86_64');
  assert.equal(image?.bootFiles.ipxe, 'ltsp/ltsp.ipxe');
  assert.equal(await readFarmImage(tree({ 'ltsp/readme': 'nothing' })), undefined);
});

test("the script Debian's own `ltsp ipxe` generates is recognised and rewritten", { skip: existsSync('/usr/sbin/ltsp') ? false : 'ltsp is not installed (scripts/install-debian-packages.sh)' }, async () => {
  const files = complete();
  delete (files as Record<string, string>)['ltsp/ltsp.ipxe'];
  const dir = tree(files);
  // --binaries=0: only the script; the host's /etc/ltsp is read but not written.
  await promisify(execFile)('/usr/sbin/ltsp', ['ipxe', '--binaries=0'], { env: { ...process.env, BASE_DIR: dir, TFTP_DIR: dir } });
  const generated = readFileSync(join(dir, 'ltsp/ltsp.ipxe'), 'utf8');
  assert.match(generated, /root=\/dev\/nfs/);
  const image = await readLtspTree(dir, { cacheDir });
  assert.ok(image);
  const served = readFileSync(join(image.tftpRoot, 'ltsp/ltsp.ipxe'), 'utf8');
  assert.match(served, /^set cmdline_method root=\/dev\/nbd0 nbdroot=\$\{srv\}:10809\/\$\{img\} loop\.max_part=9$/m);
  assert.doesNotMatch(served, /ltsp\.image=/);
  assert.match(served, /^kernel \/ltsp\/\$\{img\}\/vmlinuz initrd=ltsp\.img initrd=initrd\.img \$\{cmdline\}$/m);
});
