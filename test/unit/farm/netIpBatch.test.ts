import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// Runs in a throwaway network namespace: these commands must never touch the host's network.
const skip = process.getuid?.() !== 0 && 'needs root for unshare --net';
const script = `
const { ipBatch, linkNames } = require('./server/src/farm/net/ip.ts');
(async () => {
  await ipBatch([['link', 'add', 'nbf9', 'type', 'bridge'], ['link', 'set', 'nbf9', 'up']]);
  console.log(JSON.stringify(await linkNames()));
  try {
    await ipBatch([['link', 'set', 'nbf9', 'down'], ['link', 'set', 'nbf-missing', 'up'], ['link', 'del', 'nbf9']]);
  } catch (e) { console.log(e.message); }
  console.log(JSON.stringify(await linkNames()));
})();`;

test('ipBatch runs commands in one ip process and names the one that failed', { skip }, () => {
  const r = spawnSync('unshare', ['--net', '--', process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: `${__dirname}/../../..` });
  const [created, failure, after] = r.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(created!), ['lo', 'nbf9'], r.stderr);
  assert.match(failure!, /^ip link set nbf-missing up failed: .*(Cannot find device|does not exist)/);
  assert.deepEqual(JSON.parse(after!), ['lo', 'nbf9'], 'the batch stopped at the failure: the delete after it never ran');
});
