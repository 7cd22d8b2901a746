/**
 * A farm killed with SIGKILL cleans nothing up itself: the kernel must. The
 * farm is PID 1 of its PID namespace, so its death kills every process inside
 * (radvd, a sleeping child), and its network namespace, with the bridge, the
 * taps and every socket, goes with the last of them.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { joinFarmArgs } from '../../server/src/farm/launch';
import { commandOf, eventually, farmFolder, farmSkipReason, hostLinks, inFarm, namespaceOf, processesIn, radvdTempDirs, startFarm } from './farmFixture';

for (const victim of ['farm', 'unshare'] as const) {
  test(`SIGKILL of the ${victim === 'farm' ? "farm's node process" : 'unshare process that launched it'} leaves no process, namespace, tap or socket`, { skip: farmSkipReason() }, async (t) => {
    const folder = farmFolder(t);
    const linksBefore = hostLinks();
    const tempBefore = radvdTempDirs();
    const { farm } = await startFarm(t);
    const status = await farm.start({ folder });
    assert.equal(status.network?.mode, 'isolated');
    assert.equal(status.network?.routerAdvertisements?.running, true, status.network?.routerAdvertisements?.detail);
    assert.equal(status.servers.length >= 2, true, JSON.stringify(status.missing));
    await farm.addTap('node01');
    const farmPid = (await farm.farmPid())!;
    const netns = namespaceOf(farmPid, 'net');
    const pidns = namespaceOf(farmPid, 'pid');

    // A child that would outlive a careless parent: a sleep in the farm's PID namespace.
    const sleeper = spawn('nsenter', [...joinFarmArgs(farmPid), '--', 'sleep', '600'], { stdio: 'ignore' });
    t.after(() => sleeper.kill('SIGKILL'));
    let sleeperExited = false;
    sleeper.once('exit', () => (sleeperExited = true));
    let seen: string[] = [];
    const inside = await eventually('the sleep and radvd inside the PID namespace', () => {
      const pids = processesIn('pid', pidns);
      seen = pids.map((pid) => commandOf(pid) ?? '');
      return seen.some((c) => c === 'sleep 600') && seen.some((c) => c.startsWith('radvd')) ? pids : undefined;
    }).catch((error: Error) => assert.fail(`${error.message}; seen: ${seen.join(', ')}`));
    const sockets = inFarm(farmPid, ['ss', '-H', '-lntu']).stdout;
    assert.match(sockets, /192\.168\.67\.1:69\b/);
    assert.match(sockets, /192\.168\.67\.1:10809\b/);
    assert.match(inFarm(farmPid, ['ip', '-o', 'link']).stdout, /nbf-tap0/);

    process.kill(victim === 'farm' ? farmPid : farm.pid, 'SIGKILL');
    await farm.exited;
    await eventually('the sleep inside to be killed', () => (sleeperExited ? true : undefined), 5000);

    await eventually('every process of the farm to be gone', () => (inside.every((pid) => commandOf(pid) === undefined) ? true : undefined), 5000);
    assert.deepEqual(processesIn('pid', pidns), [], 'no process left in the PID namespace');
    assert.deepEqual(processesIn('net', netns), [], 'no process holds the network namespace: it, its taps and sockets are gone');
    assert.deepEqual(hostLinks(), linksBefore, 'the host has the same interfaces as before');
    assert.doesNotMatch(spawnSync('ss', ['-H', '-lntu'], { encoding: 'utf8' }).stdout, /192\.168\.67\.1:/, 'no farm socket on the host');
    assert.deepEqual(radvdTempDirs(), tempBefore, 'no temp folder left');
  });
}
