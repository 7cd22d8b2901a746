// The NBD server against real clients (libnbd's nbdinfo and nbdcopy) and a
// hand-written one for what real clients will not send, on loopback.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FarmEvent } from '../../server/src/farm/events';
import { NbdClient, NbdReplyError } from '../../server/src/farm/nbd/client';
import * as P from '../../server/src/farm/nbd/protocol';
import { NbdServer, type NbdServerOptions } from '../../server/src/farm/nbd/server';

const run = promisify(execFile);
const has = (tool: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'has', tool]).status === 0;
const libnbd = has('nbdinfo') && has('nbdcopy');
const noLibnbd = libnbd ? false : 'nbdinfo/nbdcopy are not installed (Debian: libnbd-bin)';

const dir = mkdtempSync(join(tmpdir(), 'nbf-nbd-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// Not a multiple of any block size, so that the last partial block is checked too.
const image = randomBytes(8 * 1024 * 1024 + 12345);
const imagePath = join(dir, 'x86_64.img');
writeFileSync(imagePath, image);
const otherPath = join(dir, 'arm64.img');
writeFileSync(otherPath, randomBytes(65536));

/** Starts a server on a free loopback port that stops after the test (or file). */
async function startServer(register: (fn: () => Promise<void>) => void, options: Partial<NbdServerOptions> = {}) {
  const events: FarmEvent[] = [];
  const server = new NbdServer({
    address: '127.0.0.1',
    port: 0,
    exports: [
      { name: 'x86_64', file: imagePath, aliases: ['amd64', 'ltsp_amd64'], description: 'LTSP image', default: true },
      { name: 'arm64', file: otherPath },
    ],
    events: (e) => events.push(e),
    ...options,
  });
  const { port } = await server.start();
  register(() => server.stop());
  const uri = (name: string) => `nbd://127.0.0.1:${port}/${name}`;
  return { server, port, events, uri };
}

async function eventually(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** This process's descriptors open on `path`. */
function openOn(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('NBD server with real clients', { skip: noLibnbd }, () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    s = await startServer((fn) => (stop = fn));
  });
  after(() => stop?.());

  test('nbdinfo sees the export by its name and its LTSP aliases: size, read-only, multi-conn', async () => {
    for (const name of ['x86_64', 'amd64', 'ltsp_amd64', '']) {
      const { stdout } = await run('nbdinfo', ['--json', s.uri(name)]);
      const info = JSON.parse(stdout) as { protocol: string; exports: { 'export-size': number; is_read_only: boolean; can_multi_conn: boolean; can_flush: boolean; block_size_maximum: number }[] };
      assert.equal(info.protocol, 'newstyle-fixed', name);
      assert.equal(info.exports[0]!['export-size'], image.length, name);
      assert.equal(info.exports[0]!.is_read_only, true);
      assert.equal(info.exports[0]!.can_multi_conn, true);
      assert.equal(info.exports[0]!.block_size_maximum, 32 * 1024 * 1024);
    }
    const chosen = s.events.filter((e) => e.kind === 'export').map((e) => e.data?.asked);
    assert.deepEqual(chosen.slice(-4), ['x86_64', 'amd64', 'ltsp_amd64', '']);
  });

  test('nbdinfo --list lists every export once, with its aliases', async () => {
    const { stdout } = await run('nbdinfo', ['--list', '--json', s.uri('')]);
    const list = JSON.parse(stdout) as { exports: { 'export-name': string; description?: string; 'export-size': number }[] };
    assert.deepEqual(
      list.exports.map((e) => [e['export-name'], e['export-size']]),
      [
        ['x86_64', image.length],
        ['arm64', 65536],
      ],
    );
    assert.match(list.exports[0]!.description ?? '', /amd64, ltsp_amd64/);
  });

  test('an unknown export is refused with the list of names, and logged', async () => {
    const r = await run('nbdinfo', [s.uri('i386')]).then(
      () => assert.fail('nbdinfo succeeded on a missing export'),
      (error: { stderr: string }) => error,
    );
    // libnbd maps NBD_REP_ERR_UNKNOWN to ENOENT; the message the server sent with it is checked below.
    assert.match(r.stderr, /No such file or directory for export: i386/);
    assert.ok(s.events.some((e) => e.kind === 'unknown-export' && e.data?.asked === 'i386' && /exports: x86_64\/amd64\/ltsp_amd64, arm64/.test(e.message)));
    const c = await NbdClient.handshake('127.0.0.1', s.port);
    const [reply] = await c.option(P.NBD_OPT_GO, P.encodeInfoRequest('i386', []));
    assert.equal(reply!.type, P.NBD_REP_ERR_UNKNOWN);
    assert.equal(reply!.data.toString(), 'no export named "i386"; exports: x86_64/amd64/ltsp_amd64, arm64');
    await c.close();
  });

  test('nbdcopy of each name is byte-identical to the image', async () => {
    for (const [name, expected] of [
      ['ltsp_amd64', image],
      ['arm64', readFileSync(otherPath)],
    ] as const) {
      const out = join(dir, `copy-${name}`);
      await run('nbdcopy', [s.uri(name), out]);
      assert.ok(readFileSync(out).equals(expected), `${name}: copy differs`);
      rmSync(out);
    }
    const done = s.events.filter((e) => e.kind === 'disconnect' && e.data?.export === 'x86_64');
    const sent = done.reduce((sum, e) => sum + Number(e.data?.bytesSent ?? 0), 0);
    assert.ok(sent >= image.length, `disconnect events count ${sent} bytes sent, at least ${image.length} expected`);
  });

  test('eight nbdcopy at once, each byte-identical', async () => {
    const outs = Array.from({ length: 8 }, (_, i) => join(dir, `par-${i}`));
    await Promise.all(outs.map((out) => run('nbdcopy', [s.uri('x86_64'), out])));
    for (const out of outs) {
      assert.ok(readFileSync(out).equals(image), `${out} differs`);
      rmSync(out);
    }
  });
});

/**
 * Why the kernel's NBD client cannot be tried here, or false when it can:
 * root, `modprobe nbd`, and a /dev/nbd0 that nothing else is using.
 */
function kernelNbdRefusal(): string | false {
  if (!has('nbd-client')) return 'nbd-client is not installed (Debian: nbd-client)';
  if (process.getuid?.() !== 0) return 'the kernel NBD client needs root';
  const probe = spawnSync('modprobe', ['nbd'], { encoding: 'utf8' });
  if (probe.status !== 0) return `modprobe nbd failed: ${(probe.stderr || probe.error?.message || '').trim()}`;
  if (!existsSync('/dev/nbd0')) return 'modprobe nbd worked but there is no /dev/nbd0';
  if (existsSync('/sys/block/nbd0/pid')) return '/dev/nbd0 is in use by someone else';
  return false;
}

describe('NBD server with nbd-client', { skip: has('nbd-client') ? false : 'nbd-client is not installed (Debian: nbd-client)' }, () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    s = await startServer((fn) => (stop = fn));
  });
  after(() => stop?.());

  test('nbd-client -l lists the exports', async () => {
    const { stdout } = await run('nbd-client', ['-l', '127.0.0.1', String(s.port)]);
    assert.match(stdout, /^x86_64: LTSP image; also: amd64, ltsp_amd64, "" \(default\)$/m);
    assert.match(stdout, /^arm64$/m);
  });

  test('the kernel reads the export through /dev/nbd0, as an LTSP initramfs does', { skip: kernelNbdRefusal() }, async () => {
    await run('nbd-client', ['127.0.0.1', String(s.port), '/dev/nbd0', '-name', 'ltsp_amd64', '-readonly', '-block-size', '4096']);
    try {
      const { stdout } = await run('blockdev', ['--getsize64', '/dev/nbd0']);
      const size = Number(stdout.trim());
      // The kernel rounds the size down to whole blocks.
      assert.equal(size, image.length - (image.length % 4096));
      assert.ok(readFileSync('/dev/nbd0').equals(image.subarray(0, size)));
    } finally {
      await run('nbd-client', ['-d', '/dev/nbd0']);
    }
  });
});

describe('NBD server with a hand-written client', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    s = await startServer((fn) => (stop = fn));
  });
  after(() => stop?.());

  test('an out-of-range read gets EINVAL and the connection stays usable', async () => {
    const c = await NbdClient.open('127.0.0.1', s.port, 'amd64');
    assert.equal(c.size, image.length);
    const errno = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof NbdReplyError ? e.errno : -1));
    assert.equal(await errno(c.read(image.length - 10, 100)), P.NBD_EINVAL);
    assert.equal(await errno(c.read(image.length, 1)), P.NBD_EINVAL);
    assert.equal(await errno(c.read(2 ** 60, 512)), P.NBD_EINVAL);
    assert.equal(await errno(c.read(0, 0)), P.NBD_EINVAL);
    assert.equal(await errno(c.read(0, 33 * 1024 * 1024)), P.NBD_EINVAL);
    assert.equal(await errno(c.request(P.NBD_CMD_TRIM, 0, 4096)), P.NBD_EPERM);
    assert.equal(await errno(c.request(P.NBD_CMD_WRITE_ZEROES, 0, 4096)), P.NBD_EPERM);
    assert.equal(await errno(c.request(P.NBD_CMD_BLOCK_STATUS, 0, 4096)), P.NBD_EINVAL);
    assert.equal(await errno(c.request(99, 0, 0)), P.NBD_EINVAL);
    assert.equal(await errno(c.request(P.NBD_CMD_FLUSH, 0, 0)), 0);
    // A write: its data is consumed, EPERM comes back, and the stream stays in step.
    assert.equal(await errno(c.request(P.NBD_CMD_WRITE, 0, 5, 0, Buffer.from('hello'))), P.NBD_EPERM);
    assert.equal(await errno(c.request(P.NBD_CMD_WRITE, 0, 70_000, 0, Buffer.alloc(70_000, 0x25))), P.NBD_EPERM);
    // ...and the connection still reads the right bytes, at the very end too.
    assert.ok((await c.read(0, 4096)).equals(image.subarray(0, 4096)));
    assert.ok((await c.read(image.length - 1, 1)).equals(image.subarray(image.length - 1)));
    await c.close();
    const errors = s.events.filter((e) => e.kind === 'request-error');
    assert.ok(errors.some((e) => /past the end/.test(e.message)));
    assert.ok(errors.some((e) => /write to a read-only export/.test(e.message)));
  });

  test('pipelined reads, large ones sent in pieces among small ones, all correct', async () => {
    const c = await NbdClient.open('127.0.0.1', s.port, 'x86_64');
    const plan: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const length = i % 25 === 0 ? 3 * 1024 * 1024 + 17 : 1 + ((i * 7919) % 200_000);
      plan.push([(i * 104729) % (image.length - length), length]);
    }
    const replies = await Promise.all(plan.map(([offset, length]) => c.read(offset, length)));
    replies.forEach((data, i) => assert.ok(data.equals(image.subarray(plan[i]![0], plan[i]![0] + plan[i]![1])), `read ${i} differs`));
    await c.close();
  });

  test('consecutive pipelined reads share file reads, each answered with its own bytes; an image that shrank under them gets EIO past its new end', async (t) => {
    const c = await NbdClient.open('127.0.0.1', s.port, 'x86_64');
    // A sequential reader (nbdcopy, the kernel's readahead): 64 reads of odd sizes end to end, up to the last byte.
    const ranges: [number, number][] = [];
    for (let offset = image.length - 64 * 65_537; offset < image.length; offset += 65_537) ranges.push([offset, Math.min(65_537, image.length - offset)]);
    const replies = await Promise.all(ranges.map(([offset, length]) => c.read(offset, length)));
    replies.forEach((data, i) => assert.ok(data.equals(image.subarray(ranges[i]![0], ranges[i]![0] + ranges[i]![1])), `read ${i} differs`));
    await c.close();
    await eventually('the disconnect event', () => s.events.some((e) => e.kind === 'disconnect' && e.data?.reads === ranges.length));
    const stats = s.events.find((e) => e.kind === 'disconnect' && e.data?.reads === ranges.length)!.data!;
    assert.ok(Number(stats.readCalls) < ranges.length / 2, `${String(stats.readCalls)} file reads for ${ranges.length} consecutive requests`);

    const shrinking = join(dir, 'shrinking.img');
    writeFileSync(shrinking, image.subarray(0, 1024 * 1024));
    const own = await startServer((fn) => t.after(fn), { exports: [{ name: 'shrinking', file: shrinking }] });
    const d = await NbdClient.open('127.0.0.1', own.port, 'shrinking');
    assert.equal(d.size, 1024 * 1024);
    writeFileSync(shrinking, image.subarray(0, 300_000)); // rebuilt in place, shorter: the client still believes the old size
    const pieces = Array.from({ length: 16 }, (_, i) => d.read(i * 65_536, 65_536).then((data) => ({ data }), (error: unknown) => ({ error })));
    const results = await Promise.all(pieces);
    results.forEach((r, i) => {
      if (i < 4) assert.ok('data' in r && r.data.equals(image.subarray(i * 65_536, (i + 1) * 65_536)), `piece ${i} is inside the file and must arrive`);
      else assert.ok('error' in r && r.error instanceof NbdReplyError && r.error.errno === P.NBD_EIO, `piece ${i} is past the new end: EIO`);
    });
    await d.close();
    assert.ok(own.events.some((e) => e.kind === 'error' && /shrank/.test(e.message)));
  });

  test('NBD_OPT_EXPORT_NAME (old clients), with and without the 124 zero bytes', async () => {
    for (const noZeroes of [true, false]) {
      const c = await NbdClient.handshake('127.0.0.1', s.port);
      if (!noZeroes) {
        // Re-handshake without NO_ZEROES: a fresh raw connection.
        c.socket.destroy();
        const raw = connect({ host: '127.0.0.1', port: s.port });
        const got: Buffer[] = [];
        raw.on('data', (d: Buffer) => got.push(d));
        await new Promise((r) => raw.once('connect', r));
        raw.write(Buffer.concat([P.encodeClientFlags(P.NBD_FLAG_C_FIXED_NEWSTYLE), P.encodeOptionRequest(P.NBD_OPT_EXPORT_NAME, Buffer.from('ltsp_amd64'))]));
        await eventually('the export-name reply', () => Buffer.concat(got).length >= 18 + 134);
        const all = Buffer.concat(got);
        assert.equal(P.readU64(all, 18), image.length);
        assert.equal(all.readUInt16BE(26) & P.NBD_FLAG_READ_ONLY, P.NBD_FLAG_READ_ONLY);
        assert.equal(all.length, 18 + 134);
        raw.destroy();
        continue;
      }
      c.socket.write(P.encodeOptionRequest(P.NBD_OPT_EXPORT_NAME, Buffer.from('')));
      const reply = await c.receive(10);
      assert.equal(P.readU64(reply, 0), image.length);
      c.socket.destroy();
    }
  });

  test('options: LIST with data, STARTTLS, STRUCTURED_REPLY, unknown and ABORT', async () => {
    const c = await NbdClient.handshake('127.0.0.1', s.port);
    const type = async (option: number, data?: Buffer) => (await c.option(option, data)).at(-1)!.type;
    assert.equal(await type(P.NBD_OPT_LIST, Buffer.from('x')), P.NBD_REP_ERR_INVALID);
    assert.equal(await type(P.NBD_OPT_STARTTLS), P.NBD_REP_ERR_UNSUP);
    assert.equal(await type(P.NBD_OPT_STRUCTURED_REPLY), P.NBD_REP_ERR_UNSUP);
    assert.equal(await type(12345, Buffer.alloc(100)), P.NBD_REP_ERR_UNSUP);
    assert.equal(await type(P.NBD_OPT_GO, Buffer.from('junk')), P.NBD_REP_ERR_INVALID);
    assert.equal(await type(P.NBD_OPT_INFO, Buffer.alloc(100_000)), P.NBD_REP_ERR_TOO_BIG);
    const info = await c.option(P.NBD_OPT_INFO, P.encodeInfoRequest('amd64', [P.NBD_INFO_NAME]));
    assert.deepEqual(
      info.map((r) => r.type),
      [P.NBD_REP_INFO, P.NBD_REP_INFO, P.NBD_REP_INFO, P.NBD_REP_ACK],
    );
    assert.deepEqual(P.decodeInfo(info[2]!.data), { ok: true, info: { type: P.NBD_INFO_NAME, value: 'x86_64' } });
    assert.equal(await type(P.NBD_OPT_ABORT), P.NBD_REP_ACK);
    await new Promise((r) => c.socket.once('close', r));
  });

  test('a client that breaks the framing is disconnected, and the next one is served', async () => {
    const c = await NbdClient.open('127.0.0.1', s.port, 'x86_64');
    const closed = new Promise((r) => c.socket.once('close', r));
    c.socket.write(Buffer.alloc(28, 0xaa));
    await closed;
    assert.ok(s.events.some((e) => e.kind === 'error' && /bad request magic 0xaaaaaaaa/.test(e.message)));
    const d = await NbdClient.open('127.0.0.1', s.port, 'x86_64');
    assert.ok((await d.read(100, 100)).equals(image.subarray(100, 200)));
    await d.close();
  });

  test('a slow reader holds a bounded amount of memory however much it asks for', async (t) => {
    const limited = await startServer((fn) => t.after(fn), { maxBufferedPerConnection: 2 * 1024 * 1024 });
    const c = await NbdClient.open('127.0.0.1', limited.port, 'x86_64');
    c.socket.pause(); // reads nothing: the replies pile up at the server
    const before = process.memoryUsage().arrayBuffers;
    const reads = Array.from({ length: 120 }, (_, i) => c.read((i * 65536) % (image.length - 1048576), 1048576));
    await new Promise((r) => setTimeout(r, 1500));
    const grown = process.memoryUsage().arrayBuffers - before;
    // 120 MiB were asked for; the server holds its limit plus a chunk, the kernel's socket buffers the rest.
    assert.ok(grown < 24 * 1024 * 1024, `the server holds ${(grown / 1048576).toFixed(1)} MiB for a client that reads nothing`);
    c.socket.resume();
    const data = await Promise.all(reads);
    data.forEach((d, i) => assert.ok(d.equals(image.subarray((i * 65536) % (image.length - 1048576), ((i * 65536) % (image.length - 1048576)) + 1048576))));
    await c.close();
  });

  test('a rebuilt image reaches the next client; a connected one keeps reading its own', async (t) => {
    const dir2 = mkdtempSync(join(tmpdir(), 'nbf-nbd-swap-'));
    t.after(() => rmSync(dir2, { recursive: true, force: true }));
    const path = join(dir2, 'img');
    writeFileSync(path, Buffer.alloc(8192, 1));
    const own = await startServer((fn) => t.after(fn), { exports: [{ name: 'x86_64', file: path }] });
    const old = await NbdClient.open('127.0.0.1', own.port, 'x86_64');
    writeFileSync(join(dir2, 'next'), Buffer.alloc(16384, 2));
    renameSync(join(dir2, 'next'), path);
    const fresh = await NbdClient.open('127.0.0.1', own.port, 'x86_64');
    assert.equal(fresh.size, 16384);
    assert.equal((await fresh.read(0, 1))[0], 2);
    assert.equal((await old.read(0, 1))[0], 1);
    await Promise.all([old.close(), fresh.close()]);
  });
});

describe('NBD server lifetime', () => {
  test('idle connections and unfinished handshakes are timed out; the server keeps serving', async (t) => {
    const s = await startServer((fn) => t.after(fn), { idleTimeoutMs: 300, handshakeTimeoutMs: 300 });
    const idle = await NbdClient.open('127.0.0.1', s.port, 'x86_64');
    const silent = connect({ host: '127.0.0.1', port: s.port }); // connects and says nothing (a VM that died mid-handshake)
    silent.on('error', () => undefined);
    silent.resume(); // without a reader the greeting would sit unread and 'close' never come
    const closed = (sock: { once(e: 'close', f: () => void): void }) => new Promise<void>((r) => sock.once('close', r));
    const started = Date.now();
    await Promise.all([closed(idle.socket), closed(silent)]);
    assert.ok(Date.now() - started < 3000);
    const timeouts = s.events.filter((e) => e.kind === 'timeout');
    assert.equal(timeouts.length, 2);
    assert.ok(timeouts.some((e) => /idle for 300 ms/.test(e.message)));
    assert.ok(timeouts.some((e) => /no complete handshake in 300 ms/.test(e.message)));
    // A busy client is not idle: reading for longer than the timeout works.
    const busy = await NbdClient.open('127.0.0.1', s.port, 'x86_64');
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await busy.read(i * 4096, 4096);
    }
    await busy.close();
  });

  test('stop() closes every connection and every file, and the port', async () => {
    const events: FarmEvent[] = [];
    const server = new NbdServer({ address: '127.0.0.1', port: 0, exports: [{ name: 'x86_64', file: imagePath }], events: (e) => events.push(e) });
    const { port } = await server.start();
    const clients = await Promise.all([1, 2, 3].map(() => NbdClient.open('127.0.0.1', port, 'x86_64')));
    await Promise.all(clients.map((c) => c.read(0, 4096)));
    assert.equal(openOn(imagePath), 1, 'one shared descriptor for three clients');
    const pending = clients[0]!.read(0, 4 * 1024 * 1024).catch(() => 'failed');
    await server.stop();
    assert.equal(server.connectionCount, 0);
    assert.equal(await pending, 'failed');
    assert.equal(openOn(imagePath), 0, 'the image is closed');
    await assert.rejects(NbdClient.handshake('127.0.0.1', port), /ECONNREFUSED/);
    assert.equal(events.filter((e) => e.kind === 'disconnect').length, 3);
    assert.equal(events.at(-1)?.kind, 'stopped');
    await server.stop(); // twice is harmless
  });

  test('a port in use is a clear error', async (t) => {
    const s = await startServer((fn) => t.after(fn));
    const second = new NbdServer({ address: '127.0.0.1', port: s.port, exports: [{ name: 'a', file: imagePath }] });
    await assert.rejects(second.start(), new RegExp(`cannot listen on 127.0.0.1:${s.port}: .*EADDRINUSE`));
  });
});
