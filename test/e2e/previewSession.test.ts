/**
 * `netboot-farm preview` as the panel drives it, with real VMs (TCG here):
 * JSON lines out, commands in, and nothing left behind once it ends.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PreviewNode } from '../../server/src/farm/previewProtocol';
import { bootSandbox } from './bootCli';
import { PreviewClient, processesInNetns, processesMentioning } from './previewCli';

const sandbox = bootSandbox();
/** One boot under TCG on a loaded machine. */
const BOOT_MS = 300_000;

const node = (nodes: readonly PreviewNode[], name: string) => nodes.find((n) => n.name === name);

test('a preview session: status, console, screenshot, reset, power-off, power-on, add-node, stop; nothing left behind', { timeout: 1_200_000 }, async (t) => {
  const preview = PreviewClient.start(['examples/farm', '--network', 'isolated'], sandbox.tmp);
  t.after(() => preview.dispose());

  // The first status lists node01 (BIOS, from its [MAC] section of lts.conf) with its VNC socket.
  const first = await preview.status('a status with node01 starting', (s) => node(s.nodes, 'node01')?.state === 'starting', BOOT_MS);
  assert.equal(first.status.network?.mode, 'isolated');
  const node01 = node(first.nodes, 'node01')!;
  assert.equal(node01.mac, '52:54:00:00:00:01');
  assert.equal(node01.firmware, 'bios');
  assert.match(node01.origin?.file ?? '', /examples\/farm\/lts\.conf$/);
  assert.ok(node01.vnc && statSync(node01.vnc).isSocket(), `node01 has a VNC socket: ${node01.vnc}`);
  const farm = await preview.farmProcess();
  const started = await preview.event('node01 powered on', (e) => e.layer === 'vm' && e.kind === 'start' && e.node === 'node01', 10_000);
  const vmDir = String(started.data?.dir);
  assert.ok(vmDir.startsWith(sandbox.tmp) && existsSync(vmDir), vmDir);

  // Bad input gets an answer, never a crash.
  preview.writeLine('this is not JSON');
  preview.writeLine('{"id": 901, "command": "explode"}');
  preview.writeLine('{"id": 902, "command": "reset"}');
  preview.writeLine('{"id": 903, "command": "power-off", "node": "node99"}');
  preview.writeLine('{"id": 904, "command": "add-node", "firmware": "coreboot"}');
  assert.match((await preview.reply(901)).error ?? '', /unknown command "explode": the commands are reset, power-off/);
  assert.match((await preview.reply(902)).error ?? '', /reset needs "node"/);
  assert.match((await preview.reply(903)).error ?? '', /no node named "node99" \(nodes: node01\)/);
  assert.match((await preview.reply(904)).error ?? '', /"firmware" must be "bios" or "uefi"/);
  for (const id of [901, 902, 903, 904]) assert.equal((await preview.reply(id)).ok, false);
  assert.match(preview.stderr, /ignored input line "this is not JSON": not JSON/);

  // A screenshot while it boots (SeaBIOS has started; the marker is far off): a PNG of QEMU's VGA screen.
  await preview.milestone('node01', 'firmware', BOOT_MS);
  const shotMark = preview.mark();
  const shot = await preview.send({ command: 'screenshot', node: 'node01' });
  assert.equal(shot.ok, true, shot.error);
  const screen = await preview.waitFor('the screenshot', (o) => o.type === 'screenshot' && o.node === 'node01', 1000, shotMark);
  const png = Buffer.from((screen as { png: string }).png, 'base64');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.ok(png.readUInt32BE(16) >= 320 && png.readUInt32BE(20) >= 200, `a screen-sized image (${png.readUInt32BE(16)}x${png.readUInt32BE(20)})`);

  // The marker line, with the hostname from node01's [MAC] section; the node is then running.
  await preview.consoleLine('node01', /netboot-farm: ready hostname=node01 role=worker ip=192\.168\.67\.21/, BOOT_MS);

  // Reset (the guest may be powering itself off after its marker: then it is powered on again): the firmware announces itself again.
  const resetMark = preview.mark();
  const reset = await preview.send({ command: 'reset', node: 'node01' });
  assert.equal(reset.ok, true, reset.error);
  await preview.milestone('node01', 'firmware', BOOT_MS, resetMark);

  // Power-off while it boots: the VM, its folder and its tap are gone, and the status says stopped.
  // The VM and tap node01 has now: the same as before if QEMU reset it, new ones if the guest had powered itself off first.
  const offVm = preview.lastEvent((e) => e.layer === 'vm' && e.kind === 'start' && e.node === 'node01')!;
  const offTap = String(preview.lastEvent((e) => e.layer === 'net' && e.kind === 'tap-added' && e.node === 'node01')!.data?.tap);
  const off = await preview.send({ command: 'power-off', node: 'node01' });
  assert.equal(off.ok, true, off.error);
  // The reply comes once the VM is gone (had the guest powered itself off first, it was gone already).
  assert.equal(existsSync(String(offVm.data?.dir)), false, 'the VM folder is removed');
  assert.ok(preview.lastEvent((e) => e.layer === 'net' && e.kind === 'tap-removed' && e.data?.tap === offTap), `tap ${offTap} removed`);
  const stopped = await preview.latestStatus('node01 stopped', (s) => node(s.nodes, 'node01')?.state === 'stopped', 60_000);
  assert.equal(node(stopped.nodes, 'node01')?.vnc, undefined);
  assert.ok(node(stopped.nodes, 'node01')?.reached.includes('firmware'), 'a stopped node keeps the steps of its last run');
  assert.ok(!stopped.status.taps.includes(offTap), `the farm lists no tap ${offTap}: ${stopped.status.taps.join(', ')}`);
  assert.deepEqual(processesMentioning(String(offVm.data?.dir)), [], 'no QEMU for node01 any more');
  // A second power-off of a stopped node changes nothing.
  assert.equal((await preview.send({ command: 'power-off', node: 'node01' })).ok, true);

  // Power-on boots it again; power-on of a running node is refused.
  const onMark = preview.mark();
  assert.equal((await preview.send({ command: 'power-on', node: 'node01' })).ok, true);
  await preview.milestone('node01', 'firmware', BOOT_MS, onMark);
  const again = await preview.send({ command: 'power-on', node: 'node01' });
  assert.equal(again.ok, false);
  assert.match(again.error ?? '', /node01 is (starting|running): power it off first, or reset it/);

  // add-node: node02, the next [MAC] section of lts.conf, with the firmware asked for.
  const addMark = preview.mark();
  const added = await preview.send({ command: 'add-node', firmware: 'uefi' });
  assert.equal(added.ok, true, added.error);
  const withTwo = await preview.status('node02 in the status', (s) => node(s.nodes, 'node02') !== undefined, 60_000, addMark);
  assert.equal(node(withTwo.nodes, 'node02')?.mac, '52:54:00:00:00:02');
  assert.equal(node(withTwo.nodes, 'node02')?.firmware, 'uefi');
  await preview.milestone('node02', 'firmware', BOOT_MS, addMark);

  // stop: the reply, then `ended`, exit 0; no VM, folder, process, namespace or tap is left.
  const stopMark = preview.mark();
  const stop = await preview.send({ command: 'stop' });
  assert.equal(stop.ok, true);
  const ended = await preview.waitFor('ended', (o) => o.type === 'ended', 120_000, stopMark);
  assert.deepEqual(ended, { type: 'ended', ok: true, reason: `stopped by the stop command (id ${stop.id})` });
  assert.equal(await preview.exited, 0);
  assert.equal(preview.outputs.at(-1)?.type, 'ended', 'ended is the last line');
  assert.deepEqual(preview.garbage, [], 'every stdout line is JSON');
  assert.deepEqual(sandbox.leftovers(), [], 'every VM folder is removed');
  assert.deepEqual(processesMentioning(sandbox.tmp), [], 'no QEMU of ours runs');
  for (const pid of [farm.unshare, farm.farm]) assert.equal(existsSync(`/proc/${pid}`), false, `farm process ${pid} ended`);
  assert.deepEqual(processesInNetns(farm.netns), [], "nothing is left in the farm's network namespace, so it is gone with its bridge and taps");
});

test('ending: stdin closing ends the session cleanly; a folder that cannot boot ends with ok:false and exit 1', { timeout: 600_000 }, async (t) => {
  const preview = PreviewClient.start(['examples/farm', '--headless', '--network', 'user'], sandbox.tmp);
  t.after(() => preview.dispose());
  await preview.status('the first status', () => true, BOOT_MS);
  preview.child.stdin!.end();
  const ended = await preview.waitFor('ended', (o) => o.type === 'ended', 120_000);
  assert.deepEqual(ended, { type: 'ended', ok: true, reason: 'stdin closed' });
  assert.equal(await preview.exited, 0);
  assert.deepEqual(sandbox.leftovers(), []);

  const broken = PreviewClient.start([`${sandbox.tmp}/no-such-folder`, '--headless', '--network', 'isolated'], sandbox.tmp);
  t.after(() => broken.dispose());
  const failed = await broken.waitFor('ended', (o) => o.type === 'ended', 120_000);
  assert.equal(failed.type === 'ended' && failed.ok, false);
  assert.match(failed.type === 'ended' ? failed.reason : '', /no-such-folder: no such folder/);
  assert.equal(await broken.exited, 1);

  // A dhcpd.conf the private LAN cannot use: its file and line, even with stdin closed at once.
  const badSubnet = join(sandbox.tmp, 'badsubnet');
  mkdirSync(badSubnet);
  writeFileSync(join(badSubnet, 'dhcpd.conf'), '# a typo in the subnet address\nsubnet 192.168.67.5 netmask 255.255.255.0 {\n  range 192.168.67.100 192.168.67.199;\n}\n');
  const bad = PreviewClient.start([badSubnet, '--example-image', '--headless', '--network', 'isolated'], sandbox.tmp);
  t.after(() => bad.dispose());
  bad.child.stdin!.end();
  const badEnd = await bad.waitFor('ended', (o) => o.type === 'ended', 120_000);
  assert.equal(badEnd.type === 'ended' && badEnd.ok, false);
  assert.match(badEnd.type === 'ended' ? badEnd.reason : '', new RegExp(`^${join(badSubnet, 'dhcpd.conf')}:2: 192\\.168\\.67\\.5 has host bits set`));
  assert.equal(await bad.exited, 1);

  const usage = PreviewClient.start(['examples/farm', '--nodes', 'many'], sandbox.tmp);
  t.after(() => usage.dispose());
  assert.equal(await usage.exited, 2);
  assert.deepEqual(usage.outputs, [{ type: 'ended', ok: false, reason: 'usage: --nodes must be a whole number from 1 to 32 (got "many")' }]);
  assert.match(usage.stderr, /usage: netboot-farm preview \[FOLDER\]/);
});
