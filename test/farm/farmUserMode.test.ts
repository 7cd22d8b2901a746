/**
 * The fallback where the farm gets no namespaces (or is asked for user mode):
 * QEMU's user-mode network, so no DHCP server and the others on 127.0.0.1 on
 * free ports, and every event says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { farmFolder, farmSkipReason, hostLinks, inFarm, startFarm } from './farmFixture';

test('without namespaces the farm falls back to user mode: servers on 127.0.0.1, every event labelled', async (t) => {
  const folder = farmFolder(t);
  const linksBefore = hostLinks();
  const { farm, events } = await startFarm(t, { isolation: 'none' });
  assert.equal(farm.namespaced, false);
  const status = await farm.start({ folder });
  assert.equal(status.network?.mode, 'user');
  assert.match(status.network?.reason ?? '', /no network namespace of its own \(namespaces were not asked for\)/);
  assert.deepEqual(status.missing.find((m) => m.name === 'dhcp')?.reason, "user-mode networking: QEMU's own DHCP answers the VMs");
  const tftp = status.servers.find((s) => s.name === 'tftp')!;
  const nbd = status.servers.find((s) => s.name === 'nbd')!;
  const http = status.servers.find((s) => s.name === 'http')!;
  for (const server of [tftp, nbd, http]) {
    assert.equal(server.address, '127.0.0.1');
    assert.ok(server.port > 1024, `${server.name} on a free port, not a well-known one`);
  }
  assert.deepEqual(hostLinks(), linksBefore, 'user mode adds no interface either');

  const out = mkdtempSync(join(tmpdir(), 'nbf-farm-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const got = spawnSync('tftp', ['-m', 'binary', '127.0.0.1', String(tftp.port), '-c', 'get', 'hello.txt', join(out, 'hello.txt')], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(got.status, 0, got.stderr);
  assert.equal(readFileSync(join(out, 'hello.txt'), 'utf8'), 'hello from the farm\n');
  const viaHttp = spawnSync('busybox', ['wget', '-q', '-O', '-', `http://127.0.0.1:${http.port}/hello.txt`], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(viaHttp.stdout, 'hello from the farm\n', viaHttp.stderr);
  const listed = spawnSync('nbdinfo', ['--list', `nbd://127.0.0.1:${nbd.port}`], { encoding: 'utf8', timeout: 20_000 });
  assert.match(listed.stdout, /export="amd64"/, listed.stderr);

  await assert.rejects(farm.addTap(), /no private LAN in user mode: QEMU uses -netdev user/);
  await farm.close();
  const unlabelled = events.filter((e) => e.kind !== 'starting' && e.data?.network !== 'user');
  assert.deepEqual(unlabelled, [], 'every event after the network is known carries network: user');
  assert.ok(events.some((e) => e.layer === 'tftp'), 'server events pass through the farm');
  // Closed: the port no longer answers.
  const after = spawnSync('nbdinfo', ['--list', `nbd://127.0.0.1:${nbd.port}`], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(after.status, 0);
});

test('user mode can be forced inside namespaces; isolated mode cannot be forced without them', { skip: farmSkipReason() }, async (t) => {
  const folder = farmFolder(t);
  const inside = await startFarm(t);
  const status = await inside.farm.start({ folder, network: 'user' });
  assert.equal(status.network?.mode, 'user');
  assert.equal(status.network?.namespaced, true);
  assert.equal(status.network?.reason, 'user-mode networking was asked for');
  // QEMU joins the farm's network namespace and reaches the servers on its loopback.
  const nbd = status.servers.find((s) => s.name === 'nbd')!;
  const listed = inFarm((await inside.farm.farmPid())!, ['nbdinfo', '--list', `nbd://127.0.0.1:${nbd.port}`]);
  assert.match(listed.stdout, /export="amd64"/, listed.stderr);

  const outside = await startFarm(t, { isolation: 'none' });
  await assert.rejects(outside.farm.start({ folder, network: 'isolated' }), /the isolated network cannot be built: the farm has no network namespace of its own/);
});

test('a farm process that dies fails its requests with a clear message', async (t) => {
  const { farm } = await startFarm(t, { isolation: 'none' });
  process.kill(farm.pid, 'SIGKILL');
  await farm.exited;
  await assert.rejects(farm.start({ folder: tmpdir() }), /^Error: the farm process ended \(SIGKILL\) before it answered/);
  await farm.close();
});
