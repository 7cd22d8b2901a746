/**
 * Real boots of the example farm under QEMU (TCG here; each boot takes
 * 15-70 s depending on the machine's load): the CLI builds (or reuses) the
 * example image, starts the farm process, boots the VMs and reports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootSandbox, parseBootJson, type BootJson } from './bootCli';

const sandbox = bootSandbox();
const example = 'examples/farm';

function node(result: BootJson, name: string) {
  const found = result.nodes.find((n) => n.name === name);
  assert.ok(found, `no node ${name} in ${JSON.stringify(result.nodes.map((n) => n.name))}`);
  return found;
}

test('private LAN: node01 by BIOS (iPXE) and node02 by UEFI (OVMF PXE + GRUB) boot at once, each with its own [MAC] section', { timeout: 480_000 }, async () => {
  const run = await sandbox.run(['boot', example, '--headless', '--firmware', 'both', '--network', 'isolated', '--json', '--timeout', '360'], 460_000);
  const result = parseBootJson(run);
  assert.equal(result.network.mode, 'isolated');
  const node01 = node(result, 'node01');
  const node02 = node(result, 'node02');
  assert.equal(node01.firmware, 'bios');
  assert.equal(node02.firmware, 'uefi');
  // HOSTNAME is set only in each node's [MAC] section of lts.conf, and the role only through LIKE = workers.
  assert.match(node01.matched ?? node01.lastLines.join('\n'), /netboot-farm: ready hostname=node01 role=worker ip=192\.168\.67\.21/);
  assert.match(node02.matched ?? node02.lastLines.join('\n'), /netboot-farm: ready hostname=node02 role=worker ip=192\.168\.67\.22/);
  for (const n of [node01, node02]) assert.deepEqual(n.reached.filter((s) => ['kernel', 'initramfs', 'root', 'marker'].includes(s)), ['kernel', 'initramfs', 'root', 'marker']);
  assert.ok(node02.reached.includes('bootloader'), 'GRUB announces itself on the UEFI node serial console');
  // The farm's own servers did the work: the DHCP branch per firmware, the boot files, the root, the live lts.conf.
  const events = result.events;
  const transfers = (address: string) => events.filter((e) => e.layer === 'tftp' && e.node === address).map((e) => e.message).join('\n');
  assert.match(transfers('192.168.67.21'), /boot\.ipxe/);
  assert.match(transfers('192.168.67.22'), /core\.efi/);
  for (const address of ['192.168.67.21', '192.168.67.22']) {
    assert.match(transfers(address), /lts\.conf/);
    assert.ok(events.some((e) => e.layer === 'nbd' && e.node === address), `no NBD event from ${address}`);
  }
  assert.ok(events.some((e) => e.layer === 'dhcp'), 'no DHCP event');
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  assert.deepEqual(sandbox.leftovers(), [], 'every VM folder is removed');
});

test('user-mode fallback: QEMU serves DHCP and TFTP, the farm serves NBD through 10.0.2.2', { timeout: 300_000 }, async () => {
  const run = await sandbox.run(['boot', example, '--headless', '--network', 'user', '--json', '--timeout', '240'], 280_000);
  const result = parseBootJson(run);
  assert.equal(result.network.mode, 'user');
  const node01 = node(result, 'node01');
  assert.match(node01.matched ?? node01.lastLines.join('\n'), /netboot-farm: ready hostname=node01 role=worker ip=10\.0\.2\.15/);
  assert.ok(result.events.some((e) => e.layer === 'net' && e.kind === 'rewrite' && /nbdroot=10\.0\.2\.2:\d+/.test(e.message)));
  assert.ok(result.events.some((e) => e.layer === 'nbd' && e.kind === 'export'), 'the farm NBD server served the root');
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  assert.deepEqual(sandbox.leftovers(), []);
});

test('a boot that never matches --expect exits 1 and names the step it got stuck at', { timeout: 200_000 }, async () => {
  const run = await sandbox.run(['boot', example, '--headless', '--network', 'user', '--expect', 'this text is never printed', '--timeout', '20'], 180_000);
  assert.equal(run.code, 1, run.stdout.slice(-2000));
  assert.match(run.stdout, /FAIL {2}node01 \(BIOS, 52:54:00:00:00:01\): no match for \/this text is never printed\/ after \d+\.\d s; reached .*; stuck before: \w+/);
  assert.match(run.stdout, /last console lines:/);
  assert.deepEqual(sandbox.leftovers(), []);
});
