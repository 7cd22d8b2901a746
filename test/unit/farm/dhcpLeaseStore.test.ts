import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LeaseStore } from '../../../server/src/farm/dhcp/leaseStore';

const dir = mkdtempSync(join(tmpdir(), 'nbf-leases-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a restarted store gives each MAC its address back and keeps it from others', () => {
  const file = join(dir, 'restart.json');
  let now = 1_000_000;
  const first = new LeaseStore(file, () => now);
  first.record('52:54:00:00:00:01', '10.0.0.20', 'bound', 3600);
  first.record('52:54:00:00:00:02', '10.0.0.21', 'bound', 3600);
  const second = new LeaseStore(file, () => now);
  assert.equal(second.previousAddress('52:54:00:00:00:01'), '10.0.0.20');
  assert.equal(second.previousAddress('52-54-00-00-00-02'.toUpperCase()), '10.0.0.21');
  assert.equal(second.isTaken('10.0.0.20', '52:54:00:00:00:02'), true);
  assert.equal(second.isTaken('10.0.0.20', '52:54:00:00:00:01'), false);
  now += 3601_000;
  assert.equal(second.isTaken('10.0.0.20', '52:54:00:00:00:02'), false, 'expired leases free their address');
  assert.equal(second.previousAddress('52:54:00:00:00:01'), '10.0.0.20', 'but the MAC is still remembered');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
});

test('release frees the address; decline takes it from everyone; one lease per MAC', () => {
  const store = new LeaseStore(undefined);
  store.record('aa:aa:aa:aa:aa:aa', '10.0.0.5', 'bound', 60);
  store.record('aa:aa:aa:aa:aa:aa', '10.0.0.6', 'bound', 60);
  assert.equal(store.leaseOf('10.0.0.5'), undefined);
  assert.equal(store.release('bb:bb:bb:bb:bb:bb', '10.0.0.6'), false, 'only the holder releases');
  assert.equal(store.release('aa:aa:aa:aa:aa:aa', '10.0.0.6'), true);
  assert.equal(store.isTaken('10.0.0.6', 'bb:bb:bb:bb:bb:bb'), false);
  store.record('aa:aa:aa:aa:aa:aa', '10.0.0.7', 'declined', 60);
  assert.equal(store.isTaken('10.0.0.7', 'aa:aa:aa:aa:aa:aa'), true);
});

test('a corrupt lease file is an error naming the file, not a silent fresh start', () => {
  const file = join(dir, 'corrupt.json');
  writeFileSync(file, '{"version":1,"leases":[{"mac":1}]}');
  assert.throws(() => new LeaseStore(file), new RegExp(`${file.replace(/[.]/g, '\\.')}: lease 1 is malformed`));
  writeFileSync(file, 'not json');
  assert.throws(() => new LeaseStore(file), /is not JSON/);
  assert.equal(readFileSync(file, 'utf8'), 'not json', 'the file is left as it was');
});
