/** One real QEMU VM, no network boot needed: the firmware, QMP and the clean-up. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FarmEvent } from '../../../server/src/farm/events';
import { findTool, MissingToolError, packageFor } from '../../../server/src/farm/image/hostTools';
import { acceleratorWorks } from '../../../server/src/farm/qemu/accelerator';
import { QemuVm } from '../../../server/src/farm/qemu/qemuVm';

const scratch = mkdtempSync(join(tmpdir(), 'nbf-qemu-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

test('a missing program names the Debian package to install', async () => {
  assert.equal(packageFor('qemu-system-x86_64'), 'qemu-system-x86');
  assert.equal(
    new MissingToolError('qemu-system-x86_64', packageFor('qemu-system-x86_64'), 'the farm boots its nodes in QEMU').message,
    'qemu-system-x86_64 is not installed (the farm boots its nodes in QEMU): install it with `sudo apt-get install qemu-system-x86`',
  );
  await assert.rejects(findTool('nbf-no-such-tool', 'a test asks for it'), MissingToolError);
  assert.match(await findTool('qemu-system-x86_64', 'the farm boots its nodes in QEMU'), /\/qemu-system-x86_64$/);
});

test('the qemuPath setting (NETBOOT_FARM_QEMU) is used, and a wrong one is named with the setting', async () => {
  const saved = process.env.NETBOOT_FARM_QEMU;
  try {
    const real = await findTool('qemu-system-x86_64', 'a test asks for it');
    process.env.NETBOOT_FARM_QEMU = real;
    assert.equal(await findTool('qemu-system-x86_64', 'a test asks for it'), real);
    process.env.NETBOOT_FARM_QEMU = join(scratch, 'no-qemu-here');
    await assert.rejects(findTool('qemu-system-x86_64', 'a test asks for it'), /no-qemu-here is not an executable file; fix the netbootFarm\.preview\.qemuPath setting/);
    process.env.NETBOOT_FARM_QEMU = 'qemu-system-x86_64';
    await assert.rejects(findTool('qemu-system-x86_64', 'a test asks for it'), /must be an absolute path/);
  } finally {
    if (saved === undefined) delete process.env.NETBOOT_FARM_QEMU;
    else process.env.NETBOOT_FARM_QEMU = saved;
  }
});

test('the accelerator probe runs guest code: TCG passes it', async () => {
  assert.equal(await acceleratorWorks('qemu-system-x86_64', 'tcg'), true);
  // /dev/kvm absent: KVM cannot run the probe, so the farm falls back to TCG.
  if (!existsSync('/dev/kvm')) assert.equal(await acceleratorWorks('qemu-system-x86_64', 'kvm'), false);
});

test('a VM reports its firmware, answers QMP (screenshot, reset) and leaves nothing behind when stopped', { timeout: 120_000 }, async () => {
  // A folder left by a VM whose owner was killed with SIGKILL (its pid is gone).
  const orphan = mkdtempSync(join(tmpdir(), 'nbf-vm-'));
  const deadPid = spawnSync('true').pid;
  writeFileSync(join(orphan, '.owner.pid'), String(deadPid));
  const events: FarmEvent[] = [];
  const vm = await QemuVm.start({
    name: 'probe',
    mac: '52:54:00:6e:66:99',
    firmware: 'bios',
    // An empty TFTP folder: iPXE finds no boot file, the VM just sits in its ROM.
    network: { mode: 'user', tftpRoot: scratch, bootFile: 'missing.ipxe' },
    headless: false,
    sink: (event) => events.push(event),
  });
  try {
    assert.ok(existsSync(vm.dir));
    assert.equal(existsSync(orphan), false, "an orphaned VM folder is swept when the next VM starts");
    assert.ok(await until(() => existsSync(vm.sockets.vnc ?? '') && existsSync(vm.sockets.qmp), 20_000), 'QEMU serves VNC and QMP on unix sockets in the VM folder');
    assert.ok(await until(() => vm.reached.includes('firmware'), 60_000), 'SeaBIOS announces itself on the debug port');
    const milestone = events.find((e) => e.kind === 'milestone');
    assert.equal(milestone?.node, 'probe');
    assert.match(milestone?.message ?? '', /SeaBIOS \(version/);

    const png = join(scratch, 'screen.png');
    await vm.screenshot(png);
    assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // SeaBIOS can announce itself again before reset() resolves, so count
    // firmware milestones rather than look for an empty list in between.
    const firmwareStarts = () => events.filter((e) => e.kind === 'milestone' && e.data?.step === 'firmware').length;
    const before = firmwareStarts();
    await vm.reset();
    assert.ok(await until(() => firmwareStarts() > before, 60_000), 'the firmware starts again after a reset, and is reported again');
    assert.ok(vm.reached.includes('firmware'));
    assert.ok(events.some((e) => e.kind === 'reset'));
  } finally {
    await vm.stop();
  }
  assert.equal(existsSync(vm.dir), false, "the VM's folder is removed");
  assert.ok(await until(() => events.some((e) => e.kind === 'exit'), 5000));
  assert.equal((await vm.exited).signal === undefined || (await vm.exited).code !== undefined, true);
});
