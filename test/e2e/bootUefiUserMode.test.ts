/**
 * UEFI in QEMU's user-mode network (the fallback where no private LAN can be
 * built): OVMF runs QEMU's iPXE EFI ROM, which fetches the one boot file
 * QEMU's DHCP names (the iPXE script), and the root comes from the farm's NBD
 * server through 10.0.2.2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootSandbox, parseBootJson } from './bootCli';

const sandbox = bootSandbox();

test('user-mode network, UEFI: node01 boots to its marker with its own [MAC] values', { timeout: 480_000 }, async () => {
  const run = await sandbox.run(['boot', 'examples/farm', '--headless', '--network', 'user', '--firmware', 'uefi', '--json', '--timeout', '400'], 460_000);
  const result = parseBootJson(run);
  assert.equal(result.network.mode, 'user');
  const node01 = result.nodes.find((n) => n.name === 'node01');
  assert.equal(node01?.firmware, 'uefi');
  assert.match(node01?.matched ?? node01?.lastLines.join('\n') ?? '', /netboot-farm: ready hostname=node01 role=worker ip=10\.0\.2\.15/);
  // iPXE's EFI build prints to the serial console (its BIOS build only to VGA).
  assert.deepEqual(node01?.reached.filter((s) => s !== 'firmware'), ['bootloader', 'kernel', 'initramfs', 'root', 'marker']);
  const start = result.events.find((e) => e.layer === 'vm' && e.kind === 'start' && e.node === 'node01');
  assert.equal(start?.data?.pxe, 'ipxe', "QEMU's iPXE EFI ROM does the network boot");
  assert.ok(result.events.some((e) => e.layer === 'nbd' && e.kind === 'export'), 'the farm NBD server served the root');
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  assert.deepEqual(sandbox.leftovers(), []);
});
