/**
 * Hostile requests at the real server over UDP: traversal in every spelling
 * gets an ERROR packet and an event, and 10,000 random and mutated packets
 * neither crash it nor grow its memory, and the next real client is served.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FarmEvent } from '../../server/src/farm/events';
import { decodePacket, encodePacket, type TftpPacket } from '../../server/src/farm/tftp/packet';
import { TftpServer } from '../../server/src/farm/tftp/server';
import { random } from '../support/random';
import { runClient } from './fixtures/tftpRun';

const dir = mkdtempSync(join(tmpdir(), 'nbf-tftp-security-'));
const root = join(dir, 'root');
const events: FarmEvent[] = [];
const server = new TftpServer({ root, address: '127.0.0.1', port: 0, events: (e) => events.push(e), maxTransfers: 64 });
let port = 0;
let client: Socket;

before(async () => {
  mkdirSync(join(root, 'pxelinux.cfg'), { recursive: true });
  writeFileSync(join(root, 'pxelinux.0'), Buffer.alloc(3000, 7));
  writeFileSync(join(root, 'pxelinux.cfg', 'default'), 'DEFAULT ltsp\n');
  writeFileSync(join(dir, 'secret'), 'outside the root');
  symlinkSync(join(dir, 'secret'), join(root, 'secret-link'));
  symlinkSync('/etc', join(root, 'etc-link'));
  ({ port } = await server.start());
  client = createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
});
after(async () => {
  client.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one raw datagram to the request port and returns the first answer (or null after 1 s). */
function ask(raw: Buffer): Promise<TftpPacket | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      resolve(null);
    }, 1000);
    const onMessage = (msg: Buffer) => {
      clearTimeout(timer);
      client.off('message', onMessage);
      const r = decodePacket(msg);
      resolve(r.ok ? r.packet : null);
    };
    client.on('message', onMessage);
    client.send(raw, port, '127.0.0.1');
  });
}
const rrq = (filename: string) => encodePacket({ type: 'RRQ', filename, mode: 'octet', options: [] });

test('traversal attempts get ERROR packets, never a byte of the file, and are logged', async () => {
  const cases: [string, number, RegExp][] = [
    ['../etc/passwd', 2, /"\.\." segment/],
    ['pxelinux.cfg/../../secret', 2, /"\.\." segment/],
    ['..\\secret', 2, /"\.\." segment/],
    ['%2e%2e/etc/passwd', 2, /URL encoding/],
    ['%2e%2e%2fsecret', 2, /URL encoding/],
    ['pxelinux.0%00', 2, /NUL/],
    ['secret-link', 2, /outside the root/],
    ['etc-link/passwd', 2, /outside the root/],
    ['/etc/passwd', 1, /does not exist under/],
  ];
  for (const [name, code, reason] of cases) {
    const answer = await ask(rrq(name));
    assert.deepEqual(answer && answer.type === 'ERROR' ? answer.code : answer, code, name);
    const event = [...events].reverse().find((e) => e.kind === 'error' && (e.data?.requested === name || e.data?.path === name));
    assert.ok(event, `an event for ${name}`);
    assert.match(String(event.data?.reason), reason, name);
  }
  // A raw NUL inside the name ends it early; what follows is no mode.
  const nul = await ask(Buffer.concat([Buffer.from([0, 1]), Buffer.from('pxelinux.0\0../../etc/passwd\0octet\0', 'latin1')]));
  assert.equal(nul?.type === 'ERROR' && nul.code, 4);
  assert.equal(events.filter((e) => e.kind === 'transfer-start').length, 0, 'no transfer started');
});

test('10,000 random and mutated packets: no crash, bounded memory, the next client is served', async () => {
  const rnd = random(69);
  const seeds = [
    rrq('pxelinux.0'),
    encodePacket({ type: 'RRQ', filename: 'pxelinux.cfg/default', mode: 'octet', options: [['blksize', '1468'], ['tsize', '0'], ['windowsize', '16']] }),
    encodePacket({ type: 'WRQ', filename: 'x', mode: 'octet', options: [] }),
    encodePacket({ type: 'ACK', block: 1 }),
    encodePacket({ type: 'ERROR', code: 0, message: 'x' }),
  ];
  // Several source ports, as a scan would use.
  const fuzzers = await Promise.all(Array.from({ length: 4 }, () => new Promise<Socket>((resolve) => {
    const s = createSocket('udp4');
    s.on('message', () => {});
    s.bind(0, '127.0.0.1', () => resolve(s));
  })));
  after(() => fuzzers.forEach((s) => s.close()));
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 10_000; i++) {
    let buf: Buffer;
    if (i % 3 === 0) buf = Buffer.from(Array.from({ length: Math.floor(rnd() * 600) }, () => Math.floor(rnd() * 256)));
    else {
      buf = Buffer.from(seeds[i % seeds.length]!);
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) buf[Math.floor(rnd() * buf.length)] = rnd() < 0.3 ? 0 : Math.floor(rnd() * 256);
      if (rnd() < 0.3) buf = buf.subarray(0, Math.floor(rnd() * buf.length));
    }
    fuzzers[i % fuzzers.length]!.send(buf, port, '127.0.0.1');
    // Yield now and then so the server's socket buffer is not simply overrun.
    if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 100 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MiB`);
  assert.ok(server.activeTransfers <= 64, `${server.activeTransfers} transfers`);
  // The count of refusals left out comes within a second of the first one dropped.
  const summarized = () => events.some((e) => e.kind === 'error' && /more bad request\(s\) not logged/.test(e.message));
  for (const until = Date.now() + 1500; !summarized() && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(summarized(), 'the flood of refusals is logged at a bounded rate');
  const local = join(dir, 'got');
  const r = await runClient('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'get', 'pxelinux.0', local]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(readFileSync(local), Buffer.alloc(3000, 7));
});

test('junk at a transfer\'s own port from its client is ignored; the transfer completes', async () => {
  const got: Buffer[] = [];
  let tid = 0;
  const rnd = random(7);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the transfer did not complete')), 10_000);
    const onMessage = (msg: Buffer, rinfo: { port: number }) => {
      const r = decodePacket(msg);
      if (!r.ok || r.packet.type !== 'DATA') return;
      if (tid === 0) {
        tid = rinfo.port;
        for (let i = 0; i < 2000; i++) client.send(Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))), tid, '127.0.0.1');
      }
      if (r.packet.block === got.length + 1) got.push(Buffer.from(r.packet.data));
      client.send(encodePacket({ type: 'ACK', block: r.packet.block }), rinfo.port, '127.0.0.1');
      if (r.packet.data.length < 512 && r.packet.block === got.length) {
        clearTimeout(timer);
        client.off('message', onMessage);
        resolve();
      }
    };
    client.on('message', onMessage);
    client.send(rrq('pxelinux.0'), port, '127.0.0.1');
  });
  assert.deepEqual(Buffer.concat(got), Buffer.alloc(3000, 7));
});
