import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { PreviewOutput } from '../../../server/src/farm/previewProtocol';
import { previewArgs, PreviewSession } from '../../../client/src/preview/previewSession';

/**
 * The other end of the pipe, as small as the protocol allows: it answers
 * commands by id the way `netboot-farm preview` does, and misbehaves on the
 * side (a log line on stdout, a line cut in two) to prove the session copes.
 * The real CLI is driven by the VS Code suite (test/vscode/suite/preview.test.ts).
 */
const PEER = `
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
process.stdout.write('some log line that is not JSON\\n');
process.stdout.write('{"type":"status","status":{"state":"running","servers":[],"missing":[],"taps":[]},');
setTimeout(() => {
  process.stdout.write('"image":"/img","nodes":[{"name":"node01","mac":"52:54:00:00:00:01","firmware":"bios","state":"running","reached":[]}]}\\n');
  // Commands sent meanwhile wait in the pipe: the status line is never interleaved with answers.
  const rl = require('node:readline').createInterface({ input: process.stdin });
  rl.on('line', answer);
  rl.on('close', () => { out({ type: 'ended', ok: true, reason: 'stdin closed' }); process.exit(0); });
}, 20);
function answer(line) {
  const c = JSON.parse(line);
  if (c.command === 'screenshot') { out({ type: 'screenshot', node: c.node, png: 'AAAA' }); out({ type: 'reply', id: c.id, ok: true }); }
  else if (c.command === 'reset' && c.node !== 'node01') out({ type: 'reply', id: c.id, ok: false, error: 'no node ' + c.node });
  else if (c.command === 'stop') { out({ type: 'reply', id: c.id, ok: true }); out({ type: 'ended', ok: true, reason: 'stopped on request' }); process.exit(0); }
  else if (c.command === 'power-off') { console.error('qemu: something broke'); process.exit(3); }
  else out({ type: 'reply', id: c.id, ok: true });
}
process.on('SIGTERM', () => { out({ type: 'ended', ok: true, reason: 'cleaned up after SIGTERM' }); process.exit(0); });
`;

function peer(): { session: PreviewSession; outputs: PreviewOutput[]; logs: string[] } {
  const logs: string[] = [];
  const session = new PreviewSession(spawn(process.execPath, ['-e', PEER], { stdio: ['pipe', 'pipe', 'pipe'] }), (l) => logs.push(l));
  const outputs: PreviewOutput[] = [];
  session.onOutput((o) => outputs.push(o));
  return { session, outputs, logs };
}

test('commands get replies by id, outputs reach listeners, and stop waits for the ended line', { timeout: 20_000 }, async (t) => {
  const { session, outputs, logs } = peer();
  t.after(() => session.dispose());
  await session.send({ command: 'screenshot', node: 'node01' });
  await assert.rejects(session.send({ command: 'reset', node: 'node09' }), /no node node09/);
  await session.send({ command: 'reset', node: 'node01' });
  assert.deepEqual(
    outputs.filter((o) => o.type !== 'reply').map((o) => o.type),
    ['status', 'screenshot'],
  );
  assert.deepEqual(outputs.filter((o) => o.type === 'reply').map((o) => (o.type === 'reply' ? [o.id, o.ok] : [])), [[1, true], [2, false], [3, true]]);
  assert.ok(logs.some((l) => /not JSON: some log line/.test(l)), logs.join('\n'));
  const end = await session.stop();
  assert.deepEqual(end, { ok: true, reason: 'stopped on request' });
  assert.equal(session.running, false);
  await assert.rejects(session.send({ command: 'reset', node: 'node01' }), /not running/);
});

test('a session that dies rejects what waits for an answer and says why, from its stderr', { timeout: 20_000 }, async () => {
  const { session } = peer();
  await assert.rejects(session.send({ command: 'power-off', node: 'node01' }), /ended before answering: netboot-farm preview exited with code 3: qemu: something broke/);
  assert.deepEqual(await session.ended, { ok: false, reason: 'netboot-farm preview exited with code 3: qemu: something broke' });
});

test('dispose closes stdin and sends SIGTERM, both of which let the session clean up', { timeout: 20_000 }, async () => {
  const { session } = peer();
  // As the panel does: once the session has said it is up (before that, it has made nothing to clean up).
  await new Promise<void>((resolve) => session.onOutput((o) => o.type === 'status' && resolve()));
  session.dispose();
  const end = await session.ended;
  assert.equal(end.ok, true);
  assert.match(end.reason, /^(stdin closed|cleaned up after SIGTERM)$/);
});

test('the panel\'s choices become preview flags', () => {
  assert.deepEqual(previewArgs('/farm', {}), ['preview', '/farm', '--headless']);
  assert.deepEqual(previewArgs('/farm', { nodes: 2, firmware: 'both', network: 'user', exampleImage: true }), ['preview', '/farm', '--headless', '--nodes', '2', '--firmware', 'both', '--network', 'user', '--example-image']);
});
