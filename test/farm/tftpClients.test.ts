/**
 * Our TFTP server against the real clients on loopback: tftp-hpa's `tftp` and
 * atftp (blksize, windowsize), byte-identical downloads of 1 KiB, 8 MiB and
 * 100 MiB, the live lts.conf, errors for missing files and writes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FarmEvent } from '../../server/src/farm/events';
import { TftpServer } from '../../server/src/farm/tftp/server';
import { runClient as run } from './fixtures/tftpRun';

const dir = mkdtempSync(join(tmpdir(), 'nbf-tftp-clients-'));
const root = join(dir, 'root');
const out = join(dir, 'out');
const events: FarmEvent[] = [];
let ltsConf = '[Default]\nSCREEN_07 = ldm\n';
const server = new TftpServer({
  root,
  address: '127.0.0.1',
  port: 0,
  events: (e) => events.push(e),
  virtualFiles: new Map([['ltsp/i386/lts.conf', () => ltsConf]]),
});
let port = 0;
const files = new Map<string, Buffer>();

before(async () => {
  for (const d of [root, out]) mkdirSync(d);
  for (const [name, size] of [['1k.bin', 1024], ['8m.bin', 8 * 1024 * 1024], ['100m.bin', 100 * 1024 * 1024]] as const) {
    const bytes = randomBytes(size);
    writeFileSync(join(root, name), bytes);
    files.set(name, bytes);
  }
  writeFileSync(join(root, 'text.txt'), 'line one\nline two\r\nno newline at the end');
  ({ port } = await server.start());
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const tftpHpa = (...command: string[]) => run('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', ...command]);
async function atftpGet(remote: string, options: string[]): Promise<Buffer> {
  const local = join(out, `atftp-${++n}`);
  const r = await run('atftp', [...options.flatMap((o) => ['--option', o]), '-g', '-r', remote, '-l', local, '127.0.0.1', String(port)], 120_000);
  assert.equal(r.exitCode, 0, `atftp ${remote}: ${r.stderr}`);
  return readFileSync(local);
}
const done = (path: string) => events.filter((e) => e.kind === 'transfer-done' && e.data?.path === path);
const sameBytes = (got: Buffer, name: string) => assert.ok(got.equals(files.get(name)!), `${name}: ${got.length} bytes received, not identical to the ${files.get(name)!.length} sent`);

test('tftp-hpa: 1 KiB and 8 MiB, byte-identical (512-byte blocks, no options)', async () => {
  for (const name of ['1k.bin', '8m.bin']) {
    const local = join(out, `hpa-${name}`);
    const r = await tftpHpa('get', name, local);
    assert.equal(r.exitCode, 0, r.stderr);
    sameBytes(readFileSync(local), name);
    assert.equal(done(name).at(-1)?.data?.bytes, files.get(name)!.length);
  }
});

test('atftp with blksize 1468 and windowsize 16: 1 KiB, 8 MiB, and 100 MiB past the block-number rollover', async () => {
  for (const name of ['1k.bin', '8m.bin', '100m.bin']) sameBytes(await atftpGet(name, ['blksize 1468', 'windowsize 16', 'tsize 0']), name);
  const start = events.filter((e) => e.kind === 'transfer-start' && e.data?.path === '100m.bin').at(-1)!;
  assert.deepEqual(start.data?.negotiated, { blksize: '1468', windowsize: '16', tsize: String(100 * 1024 * 1024) });
  assert.equal(start.data?.rollover, true, '71,431 blocks: the numbers wrapped past 65535');
  assert.ok(events.some((e) => e.kind === 'rollover' && e.data?.path === '100m.bin'));
});

test('atftp in lockstep at 512 and 8192-byte blocks', async () => {
  sameBytes(await atftpGet('8m.bin', ['blksize 8192']), '8m.bin');
  sameBytes(await atftpGet('1k.bin', []), '1k.bin');
});

test('curl tftp:// is skipped: curl 7.88 fails against every server here', { skip: 'curl 7.88 TFTP fails with "getpeername() failed with errno 107" against tftpd-hpa and dnsmasq too (shared/recipes/netboot-qemu.md)' }, () => {});

test('netascii (tftp-hpa\'s default mode): text arrives as it is on disk', async () => {
  const local = join(out, 'text.txt');
  const r = await run('tftp', ['127.0.0.1', String(port), '-c', 'get', 'text.txt', local]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(readFileSync(local, 'utf8'), 'line one\nline two\r\nno newline at the end');
});

test('the live lts.conf: every request reads the provider now, at any spelling of its path', async () => {
  const local = join(out, 'lts.conf');
  assert.equal((await tftpHpa('get', 'ltsp/i386/lts.conf', local)).exitCode, 0);
  assert.equal(readFileSync(local, 'utf8'), ltsConf);
  ltsConf = '[Default]\nSCREEN_07 = xfreerdp\n';
  assert.equal((await tftpHpa('get', '/ltsp\\i386\\lts.conf', local)).exitCode, 0);
  assert.equal(readFileSync(local, 'utf8'), '[Default]\nSCREEN_07 = xfreerdp\n', 'the edit is served without a restart');
  assert.equal(events.filter((e) => e.kind === 'transfer-start' && e.data?.path === 'ltsp/i386/lts.conf' && e.data?.virtual === true).length, 2);
});

test('a missing file: ERROR 1 to the client, an event naming the path', async () => {
  const r = await tftpHpa('get', 'pxelinux.cfg/01-52-54-00-12-34-56', join(out, 'missing'));
  assert.match(r.stdout + r.stderr, /Error code 1: File not found/);
  const e = events.find((x) => x.kind === 'error' && x.data?.path === 'pxelinux.cfg/01-52-54-00-12-34-56');
  assert.ok(e, 'a not-found event');
  assert.match(e.message, /file not found: pxelinux\.cfg\/01-52-54-00-12-34-56/);
  assert.equal(e.level, 'warning');
  assert.equal(e.data?.code, 1);
});

test('read-only: a write request gets ERROR 2 and writes nothing', async () => {
  const local = join(out, 'upload.bin');
  writeFileSync(local, 'payload');
  const r = await tftpHpa('put', local, 'upload.bin');
  assert.match(r.stdout + r.stderr, /Error code 2: Access violation/);
  assert.throws(() => readFileSync(join(root, 'upload.bin')));
  assert.ok(events.some((e) => e.kind === 'error' && e.data?.reason === 'read-only'));
});

test('eight clients at once share one cache; every transfer ends and releases its socket', async () => {
  const got = await Promise.all(Array.from({ length: 8 }, (_, i) => atftpGet('8m.bin', i % 2 ? ['blksize 1468', 'windowsize 8'] : ['blksize 1468'])));
  for (const g of got) sameBytes(g, '8m.bin');
  assert.equal(server.activeTransfers, 0);
  assert.ok(server.cachedBytes <= 64 * 1024 * 1024, `cache ${server.cachedBytes} bytes`);
});
