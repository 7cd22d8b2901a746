// Bad input at the NBD server: 10,000 random and mutated handshakes and
// requests over real sockets. The server must not crash (an exception would
// end this process), must not keep what it was sent, must close every
// connection, and must serve the next good client correctly.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NbdClient } from '../../server/src/farm/nbd/client';
import { replyBuffers } from '../../server/src/farm/nbd/connection';
import * as P from '../../server/src/farm/nbd/protocol';
import { NbdServer } from '../../server/src/farm/nbd/server';
import { random } from '../support/random';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HANDSHAKES = 5000;
const REQUEST_CONNECTIONS = 250;
const REQUESTS_PER_CONNECTION = 20;
const PARALLEL = 50;

/** Sends `bytes`, half-closes, and resolves when the server has closed too (or after 5 s: then it counts as stuck). */
function session(port: number, bytes: Buffer): Promise<'closed' | 'stuck'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('stuck');
    }, 5000);
    socket.on('error', () => undefined);
    socket.resume();
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('connect', () => socket.end(bytes));
  });
}

function mutate(next: () => number, bytes: Buffer): Buffer {
  let out = Buffer.from(bytes);
  const edits = 1 + Math.floor(next() * 6);
  for (let i = 0; i < edits; i++) {
    const kind = next();
    const at = Math.floor(next() * (out.length + 1));
    if (kind < 0.4 && out.length) out[Math.min(at, out.length - 1)] = Math.floor(next() * 256);
    else if (kind < 0.55) out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(next() * 16))]);
    else if (kind < 0.7) out = Buffer.concat([out.subarray(0, at), randomOf(next, Math.floor(next() * 32)), out.subarray(at)]);
    else if (kind < 0.85 && out.length >= 4) out.writeUInt32BE([0, 0xffffffff, 0x80000000, 4096, 0x7fffffff][Math.floor(next() * 5)]!, Math.min(at, out.length - 4));
    else out = out.subarray(0, at);
  }
  return out;
}

function randomOf(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

function goodHandshake(next: () => number): Buffer {
  const options = [
    P.encodeOptionRequest(P.NBD_OPT_LIST),
    P.encodeOptionRequest(P.NBD_OPT_STRUCTURED_REPLY),
    P.encodeOptionRequest(P.NBD_OPT_INFO, P.encodeInfoRequest('amd64', [P.NBD_INFO_BLOCK_SIZE, P.NBD_INFO_NAME])),
    P.encodeOptionRequest(P.NBD_OPT_GO, P.encodeInfoRequest('x86_64', [])),
    P.encodeOptionRequest(P.NBD_OPT_EXPORT_NAME, Buffer.from('ltsp_amd64')),
    P.encodeOptionRequest(P.NBD_OPT_ABORT),
  ];
  const chosen = Array.from({ length: 1 + Math.floor(next() * 4) }, () => options[Math.floor(next() * options.length)]!);
  return Buffer.concat([P.encodeClientFlags(3), ...chosen]);
}

function oneRequest(next: () => number, size: number): Buffer {
  let type = next() < 0.8 ? Math.floor(next() * 9) : Math.floor(next() * 65536);
  if (type === P.NBD_CMD_DISC && next() < 0.8) type = P.NBD_CMD_READ; // a DISC ends the stream: keep it rare
  const offsets = [0, size - 1, size, Math.floor(next() * size), 2 ** 52, 2 ** 63];
  const lengths = [0, 1, 4096, 65536, 32 * 1024 * 1024, 32 * 1024 * 1024 + 1, 0xffffffff, Math.floor(next() * 300_000)];
  // A write carries its data, mostly; one without it, one over the size limit or a mutated request ends the connection.
  const writeLengths = [0, 1, 512, 4096, Math.floor(next() * 5000), 0xffffffff];
  const length = type === P.NBD_CMD_WRITE ? writeLengths[Math.floor(next() * writeLengths.length)]! : lengths[Math.floor(next() * lengths.length)]!;
  const request = P.encodeRequest(type, Math.floor(next() * 2 ** 40), offsets[Math.floor(next() * offsets.length)]!, length, Math.floor(next() * 4));
  const payload = type === P.NBD_CMD_WRITE && length <= 5000 && next() < 0.9 ? randomOf(next, length) : Buffer.alloc(0);
  return next() < 0.05 ? mutate(next, Buffer.concat([request, payload])) : Buffer.concat([request, payload]);
}

async function inBatches<T>(items: T[], run: (item: T) => Promise<'closed' | 'stuck'>): Promise<number> {
  let stuck = 0;
  for (let i = 0; i < items.length; i += PARALLEL) {
    const results = await Promise.all(items.slice(i, i + PARALLEL).map(run));
    stuck += results.filter((r) => r === 'stuck').length;
  }
  return stuck;
}

test('10,000 random and mutated handshakes and requests: no crash, nothing kept, the next client served', { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-nbd-fuzz-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const image = randomBytes(1024 * 1024 + 3);
  const file = join(dir, 'x86_64.img');
  writeFileSync(file, image);
  const counts = new Map<string, number>();
  const server = new NbdServer({
    address: '127.0.0.1',
    port: 0,
    exports: [{ name: 'x86_64', file, aliases: ['amd64', 'ltsp_amd64'] }],
    handshakeTimeoutMs: 3000,
    events: (e) => {
      counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
      if (e.kind === 'disconnect') {
        counts.set('answered-with-error', (counts.get('answered-with-error') ?? 0) + Number(e.data?.requestErrors ?? 0));
        counts.set('requests', (counts.get('requests') ?? 0) + Number(e.data?.requests ?? 0));
      }
    },
  });
  const { port } = await server.start();
  t.after(() => server.stop());

  // Warm up once, then measure what the process holds.
  await session(port, goodHandshake(random(1)));
  gc();
  const before = process.memoryUsage();
  const poolBefore = replyBuffers.bytes;

  const next = random(20261125);
  const handshakes = Array.from({ length: HANDSHAKES }, (_, i) => {
    const kind = i % 4;
    if (kind === 0) return randomOf(next, Math.floor(next() * 200));
    if (kind === 1) return Buffer.concat([P.encodeClientFlags(3), randomOf(next, Math.floor(next() * 200))]);
    return mutate(next, goodHandshake(next));
  });
  const stuckHandshakes = await inBatches(handshakes, (bytes) => session(port, bytes));

  const go = Buffer.concat([P.encodeClientFlags(3), P.encodeOptionRequest(P.NBD_OPT_GO, P.encodeInfoRequest('x86_64', []))]);
  const streams = Array.from({ length: REQUEST_CONNECTIONS }, () => Buffer.concat([go, ...Array.from({ length: REQUESTS_PER_CONNECTION }, () => oneRequest(next, image.length))]));
  const stuckStreams = await inBatches(streams, (bytes) => session(port, bytes));

  assert.equal(stuckHandshakes + stuckStreams, 0, 'every connection the clients ended was closed by the server');
  assert.ok((counts.get('connect') ?? 0) >= HANDSHAKES + REQUEST_CONNECTIONS);
  assert.ok((counts.get('export') ?? 0) > REQUEST_CONNECTIONS, `the mutated inputs reached transmission too (${JSON.stringify([...counts])})`);
  // Many streams end early (a write whose data never comes, a mutated header): most requests are still parsed, and bad ones answered.
  assert.ok((counts.get('requests') ?? 0) > 2000, `requests parsed: ${counts.get('requests')}`);
  assert.ok((counts.get('answered-with-error') ?? 0) > 1000, `bad requests answered with errors: ${counts.get('answered-with-error')}`);
  const until = Date.now() + 5000;
  while (server.connectionCount > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.connectionCount, 0, 'no connection left behind');

  gc();
  const after = process.memoryUsage();
  // The reply-buffer pool keeps up to its cap on purpose: that is not growth.
  const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers) - (replyBuffers.bytes - poolBefore);
  assert.ok(grown < 24 * 1024 * 1024, `memory grew by ${(grown / 1048576).toFixed(1)} MiB over 10,000 bad inputs`);

  const client = await NbdClient.open('127.0.0.1', port, 'amd64');
  assert.ok((await client.read(0, image.length)).equals(image));
  await client.close();
});
