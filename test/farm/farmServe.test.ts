/** `netboot-farm serve`: the farm from a terminal, its events as lines, Ctrl-C stops it cleanly. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FarmEvent } from '../../server/src/farm/events';
import { childPids } from '../../server/src/farm/launch';
import { commandOf, eventually, farmFolder, farmSkipReason, namespaceOf, processesIn } from './farmFixture';

const bin = join(__dirname, '..', '..', 'bin', 'netboot-farm.js');

test('serve prints events as JSON lines and stops on SIGINT, leaving nothing', { skip: farmSkipReason() }, async (t) => {
  const folder = farmFolder(t);
  const cli = spawn(process.execPath, [bin, 'serve', folder, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => cli.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  cli.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  cli.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exit = new Promise<number | null>((resolve) => cli.once('exit', resolve));
  const events = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as FarmEvent);
  const running = await eventually(`the running event (stderr: ${stderr})`, () => events().find((e) => e.kind === 'running'), 30_000);
  assert.deepEqual((running.data?.servers as { name: string }[]).map((s) => s.name).sort(), ['dhcp', 'http', 'nbd', 'tftp']);

  // The farm is unshare's child, which is the CLI's child.
  const unshare = (await childPids(cli.pid!)).find((pid) => commandOf(pid)?.startsWith('unshare'));
  const farmPid = unshare && (await childPids(unshare))[0];
  assert.ok(farmPid, 'the farm process is found');
  const pidns = namespaceOf(farmPid, 'pid');

  cli.kill('SIGINT');
  assert.equal(await exit, 0, stderr);
  assert.ok(events().some((e) => e.kind === 'stopped'), 'the farm stopped in order before exiting');
  assert.deepEqual(processesIn('pid', pidns), []);
});

test('serve rejects a second folder with a usage error', () => {
  const r = spawnSync(process.execPath, [bin, 'serve', 'a', 'b'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /one folder at most/);
});
