/**
 * The farm process in its own namespaces: it builds the private LAN from
 * dhcpd.conf, serves real clients on it, advertises an IPv6 router, adds
 * nothing to the host, and `farm/stop` leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { farmUlaPrefix } from '../../server/src/farm/net/addressPlan';
import { commandOf, eventually, farmFolder, hostLinks, inFarm, namespaceOf, processesIn, radvdTempDirs, farmSkipReason, startFarm } from './farmFixture';

test('the farm builds its private LAN, serves on it, and stop leaves nothing', { skip: farmSkipReason() }, async (t) => {
  const folder = farmFolder(t);
  const linksBefore = hostLinks();
  const tempBefore = radvdTempDirs();
  const { farm, events } = await startFarm(t);
  assert.equal(farm.namespaced, true);
  const status = await farm.start({ folder });

  // The network comes from dhcpd.conf: next-server 192.168.67.1 on line 4.
  assert.equal(status.state, 'running');
  assert.equal(status.network?.mode, 'isolated');
  assert.equal(status.network?.serverAddress, '192.168.67.1');
  assert.equal(status.network?.subnet, '192.168.67.0/24');
  assert.deepEqual(status.network?.origin, { file: join(folder, 'dhcpd.conf'), line: 3 });
  assert.equal(status.network?.routerAdvertisements?.running, true, status.network?.routerAdvertisements?.detail);
  assert.deepEqual(status.servers.map((s) => s.name), ['dhcp', 'tftp', 'nbd', 'http']);
  const tftp = status.servers.find((s) => s.name === 'tftp');
  const nbd = status.servers.find((s) => s.name === 'nbd');
  assert.deepEqual(tftp && { address: tftp.address, port: tftp.port }, { address: '192.168.67.1', port: 69 });
  assert.deepEqual(nbd && { address: nbd.address, port: nbd.port }, { address: '192.168.67.1', port: 10809 });
  assert.ok(events.some((e) => e.layer === 'net' && e.kind === 'network-up' && e.data?.network === 'isolated'));

  const farmPid = (await farm.farmPid())!;
  assert.ok(farmPid, 'the farm process is found as unshare child');
  const netns = namespaceOf(farmPid, 'net');
  const pidns = namespaceOf(farmPid, 'pid');
  assert.notEqual(netns, namespaceOf(process.pid, 'net'));

  // Real clients inside the farm's network reach the servers; lts.conf is the workspace's live file.
  const out = mkdtempSync(join(tmpdir(), 'nbf-farm-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const got = inFarm(farmPid, ['tftp', '-m', 'binary', '192.168.67.1', '-c', 'get', 'ltsp/amd64/lts.conf', join(out, 'lts.conf')]);
  assert.equal(got.status, 0, got.stderr + got.stdout);
  assert.equal(readFileSync(join(out, 'lts.conf'), 'utf8'), readFileSync(join(folder, 'lts.conf'), 'utf8'));
  writeFileSync(join(folder, 'lts.conf'), '[Default]\nSCREEN_07 = ldm\n');
  const again = inFarm(farmPid, ['tftp', '-m', 'binary', '192.168.67.1', '-c', 'get', 'ltsp/amd64/lts.conf', join(out, 'lts2.conf')]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(readFileSync(join(out, 'lts2.conf'), 'utf8'), /SCREEN_07 = ldm/, 'an edit shows at the next request');
  const viaHttp = inFarm(farmPid, ['busybox', 'wget', '-q', '-O', '-', 'http://192.168.67.1/ltsp/x86_64/lts.conf']);
  assert.equal(viaHttp.stdout, '[Default]\nSCREEN_07 = ldm\n', viaHttp.stderr);
  const listed = inFarm(farmPid, ['nbdinfo', '--list', 'nbd://192.168.67.1']);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /export="amd64"/);

  // Taps on demand, on the bridge; the host gains no interface.
  const tap = await farm.addTap('node01');
  assert.equal(tap, 'nbf-tap0');
  const link = inFarm(farmPid, ['ip', '-o', 'link', 'show', tap]);
  assert.match(link.stdout, /master nbf0/);
  assert.deepEqual((await farm.status()).taps, ['nbf-tap0']);
  assert.deepEqual(hostLinks(), linksBefore);

  // Router advertisements reach the LAN: a veth on the bridge gets an address in the ULA prefix by SLAAC.
  for (const command of [
    ['ip', 'link', 'add', 'nbf-rs0', 'type', 'veth', 'peer', 'name', 'nbf-rs1'],
    ['ip', 'link', 'set', 'nbf-rs0', 'master', 'nbf0', 'up'],
    ['busybox', 'sysctl', '-w', 'net.ipv6.conf.nbf-rs1.accept_ra=2'],
    ['ip', 'link', 'set', 'nbf-rs1', 'up'],
  ]) {
    const r = inFarm(farmPid, command);
    assert.equal(r.status, 0, `${command.join(' ')}: ${r.stderr}`);
  }
  await eventually('a SLAAC address from the router advertisement', () => {
    const addr = inFarm(farmPid, ['ip', '-6', '-o', 'addr', 'show', 'dev', 'nbf-rs1']).stdout;
    return addr.includes(farmUlaPrefix.replace(/::$/, ':')) ? addr : undefined;
  });
  // A real DHCP client on the bridge gets a lease from the farm's DHCP server, from the range in dhcpd.conf.
  const lease = inFarm(farmPid, ['busybox', 'udhcpc', '-i', 'nbf-rs1', '-n', '-q', '-t', '5', '-T', '1', '-s', '/bin/true']);
  assert.equal(lease.status, 0, lease.stderr + lease.stdout);
  assert.match(lease.stderr + lease.stdout, /lease of 192\.168\.67\.(\d+) obtained/);
  assert.ok(events.some((e) => e.layer === 'dhcp' && e.data?.network === 'isolated'), 'DHCP events pass through the farm, labelled');
  // dhcpd.conf edits reach the running DHCP server.
  writeFileSync(join(folder, 'dhcpd.conf'), readFileSync(join(folder, 'dhcpd.conf'), 'utf8').replace('range 192.168.67.20', 'range 192.168.67.30'));
  await eventually('the DHCP server to reload dhcpd.conf', () => events.find((e) => e.layer === 'dhcp' && e.kind === 'config-reloaded'), 5000);
  const radvd = processesIn('pid', pidns).filter((pid) => commandOf(pid)?.startsWith('radvd'));
  assert.ok(radvd.length > 0, 'radvd runs in the farm PID namespace');
  assert.deepEqual(radvdTempDirs(), tempBefore, 'radvd config folder removed once radvd is up');

  // farm/stop, then the process exits: no process, namespace or interface remains.
  await farm.close();
  assert.equal((await farm.exited).code, 0);
  await eventually('the farm namespaces to empty', () => (processesIn('pid', pidns).length === 0 && processesIn('net', netns).length === 0 ? true : undefined), 5000);
  for (const pid of radvd) assert.equal(commandOf(pid), undefined, `radvd ${pid} is gone`);
  assert.deepEqual(hostLinks(), linksBefore);
  assert.ok(events.some((e) => e.kind === 'stopped'));
});

test('isolated mode is refused with the dhcpd.conf line when the subnet has no room', { skip: farmSkipReason() }, async (t) => {
  const folder = farmFolder(t);
  writeFileSync(join(folder, 'dhcpd.conf'), 'subnet 10.9.0.0 netmask 255.255.255.252 {\n  range 10.9.0.1 10.9.0.2;\n}\n');
  const { farm } = await startFarm(t);
  await assert.rejects(farm.start({ folder }), new RegExp(`^Error: ${join(folder, 'dhcpd.conf')}:1: every address of subnet 10\\.9\\.0\\.0/30`));
  // Nothing half-built stays: the farm is idle and can start again with a fixed config.
  assert.equal((await farm.status()).state, 'idle');
  writeFileSync(join(folder, 'dhcpd.conf'), 'subnet 10.9.0.0 netmask 255.255.255.0 {\n  range 10.9.0.10 10.9.0.20;\n}\n');
  const status = await farm.start({ folder });
  assert.equal(status.network?.serverAddress, '10.9.0.1');
});
