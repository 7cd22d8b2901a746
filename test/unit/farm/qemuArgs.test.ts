import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemuArgs, type VmSpec } from '../../../server/src/farm/qemu/qemuArgs';

const sockets = { serial: '/run/vm/serial.sock', qmp: '/run/vm/qmp.sock', debugcon: '/run/vm/debugcon.sock', vnc: '/run/vm/vnc.sock' };
const bios: VmSpec = { name: 'node01', mac: '52:54:00:00:00:01', firmware: 'bios', accel: 'tcg', memoryMiB: 512, network: { mode: 'tap', tap: 'nbf-tap0' }, pxe: 'ipxe' };

/** The value following a flag, for each time the flag appears. */
function values(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === name ? [args[i + 1] as string] : []));
}

test('a BIOS node on a tap: SeaBIOS with the iPXE ROM, the tap opened by name without scripts', () => {
  const args = qemuArgs(bios, sockets, {});
  assert.deepEqual(values(args, '-machine'), ['pc']);
  assert.deepEqual(values(args, '-accel'), ['tcg']);
  assert.deepEqual(values(args, '-netdev'), ['tap,id=net0,ifname=nbf-tap0,script=no,downscript=no']);
  assert.deepEqual(values(args, '-device').filter((d) => d.startsWith('virtio-net')), ['virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01,bootindex=1']);
  assert.ok(!values(args, '-drive').some((d) => d.includes('pflash')), 'no UEFI flash on a BIOS node');
  assert.ok(args.includes('-no-reboot'), 'a guest reboot ends the VM instead of looping');
});

test('console, debug port, QMP and VNC are unix sockets', () => {
  const args = qemuArgs(bios, sockets, {});
  assert.ok(values(args, '-chardev').includes('socket,id=serial0,path=/run/vm/serial.sock'));
  assert.deepEqual(values(args, '-serial'), ['chardev:serial0']);
  assert.ok(values(args, '-chardev').includes('socket,id=debugcon0,path=/run/vm/debugcon.sock'));
  assert.deepEqual(values(args, '-qmp'), ['unix:/run/vm/qmp.sock,server=on,wait=off']);
  assert.deepEqual(values(args, '-vnc'), ['unix:/run/vm/vnc.sock']);
  const headless = qemuArgs(bios, { serial: sockets.serial, qmp: sockets.qmp }, {});
  assert.deepEqual(values(headless, '-vnc'), []);
  assert.deepEqual(values(headless, '-display'), ['none']);
});

test('a UEFI node: OVMF code read-only, its own variable store, and the firmware PXE when asked (no iPXE ROM)', () => {
  const uefi: VmSpec = { ...bios, firmware: 'uefi', pxe: 'firmware' };
  const args = qemuArgs(uefi, sockets, { ovmfCode: '/usr/share/OVMF/OVMF_CODE_4M.fd', ovmfVars: '/run/vm/OVMF_VARS.fd' });
  assert.deepEqual(values(args, '-drive'), [
    'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
    'if=pflash,format=raw,unit=1,file=/run/vm/OVMF_VARS.fd',
  ]);
  assert.ok(values(args, '-device').some((d) => d.startsWith('virtio-net-pci') && d.endsWith(',romfile=')));
  assert.ok(!values(args, '-device').some((d) => d.startsWith('isa-debugcon')), 'OVMF prints to the serial port itself');
  assert.throws(() => qemuArgs(uefi, sockets, {}), /OVMF/);
});

test('user-mode networking hands out one boot file from one TFTP folder', () => {
  const args = qemuArgs({ ...bios, network: { mode: 'user', tftpRoot: '/tmp/tftp', bootFile: 'ltsp/amd64/boot.ipxe' } }, sockets, {});
  assert.deepEqual(values(args, '-netdev'), ['user,id=net0,tftp=/tmp/tftp,bootfile=ltsp/amd64/boot.ipxe']);
});

test('KVM gets the host CPU; TCG keeps QEMU default model', () => {
  assert.deepEqual(values(qemuArgs({ ...bios, accel: 'kvm' }, sockets, {}), '-cpu'), ['host']);
  assert.deepEqual(values(qemuArgs(bios, sockets, {}), '-cpu'), []);
});
