import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressedInterfaces, assertPrivateNetwork, HostNetworkError } from '../../../server/src/farm/dhcp/privateNetwork';
import { createNamespace, netnsAvailable } from '../../support/netns';

test('refuses an interface list with a foreign addressed interface, names it', () => {
  assert.throws(
    () => assertPrivateNetwork('nbf', [{ name: 'lo', addresses: ['127.0.0.1/8'] }, { name: 'nbf0', addresses: ['10.0.0.1/24'] }, { name: 'eth0', addresses: ['192.0.2.2/24'] }]),
    (e: Error) => e instanceof HostNetworkError && /eth0 \(192\.0\.2\.2\/24\)/.test(e.message) && !/nbf0 \(/.test(e.message),
  );
  assert.deepEqual(assertPrivateNetwork('nbf', [{ name: 'lo', addresses: ['127.0.0.1/8'] }, { name: 'nbf0', addresses: ['10.0.0.1/24'] }]).map((i) => i.name), ['nbf0']);
  assert.throws(() => assertPrivateNetwork('', []), /prefix must not be empty/);
});

test('refuses in the host network namespace this test runs in', (t) => {
  const foreign = addressedInterfaces().filter((i) => i.name !== 'lo' && !i.name.startsWith('nbf'));
  if (foreign.length === 0) return t.skip('this machine has no addressed interface besides lo: nothing to refuse');
  assert.throws(() => assertPrivateNetwork('nbf'), HostNetworkError);
});

test('accepts a fresh namespace with only lo and a farm interface', { skip: !netnsAvailable() && 'needs root for ip netns' }, async (t) => {
  const ns = await createNamespace('guard');
  t.after(() => ns.remove());
  await ns.exec('ip', ['link', 'add', 'nbfguard0', 'type', 'veth', 'peer', 'name', 'nbfguard1']);
  await ns.exec('ip', ['addr', 'add', '10.9.0.1/24', 'dev', 'nbfguard0']);
  const script = "const m=require('./server/src/farm/dhcp/privateNetwork.ts');try{m.assertPrivateNetwork(process.argv[1]);console.log('ok')}catch(e){console.log('refused: '+e.message)}";
  const ok = await ns.exec(process.execPath, ['--import', 'tsx', '-e', script, 'nbf']);
  assert.equal(ok.stdout.trim(), 'ok');
  // The same namespace with a prefix that does not cover the interface is refused.
  const refused = await ns.exec(process.execPath, ['--import', 'tsx', '-e', script, 'farm']);
  assert.match(refused.stdout, /refused: .*nbfguard0 \(10\.9\.0\.1\/24\)/);
});
