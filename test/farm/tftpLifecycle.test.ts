/**
 * start()/stop(): stopping mid-transfer tells the client, ends the transfer,
 * and releases the request port, every transfer socket and the timer.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FarmEvent } from '../../server/src/farm/events';
import { decodePacket, encodePacket, type TftpPacket } from '../../server/src/farm/tftp/packet';
import { TftpServer } from '../../server/src/farm/tftp/server';

test('stop() mid-transfer: ERROR to the client, a failed-transfer event, every socket released', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nbf-tftp-stop-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'initrd.img'), Buffer.alloc(200_000, 1));
  const events: FarmEvent[] = [];
  const server = new TftpServer({ root, address: '127.0.0.1', port: 0, events: (e) => events.push(e) });
  const { port } = await server.start();
  const client = createSocket('udp4');
  t.after(() => client.close());
  const received: TftpPacket[] = [];
  let tid = 0;
  client.on('message', (msg, rinfo) => {
    const r = decodePacket(msg);
    if (r.ok) received.push(r.packet);
    tid = rinfo.port;
  });
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  client.send(encodePacket({ type: 'RRQ', filename: 'initrd.img', mode: 'octet', options: [] }), port, '127.0.0.1');
  // Acknowledge a few blocks, then stop the server in the middle.
  for (let block = 1; block <= 3; block++) {
    while (!received.some((p) => p.type === 'DATA' && p.block === block)) await new Promise((resolve) => setTimeout(resolve, 5));
    client.send(encodePacket({ type: 'ACK', block }), tid, '127.0.0.1');
  }
  assert.equal(server.activeTransfers, 1);
  await server.stop();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(server.activeTransfers, 0);
  assert.deepEqual(received.at(-1), { type: 'ERROR', code: 0, message: 'Server shutting down' });
  assert.ok(events.some((e) => e.kind === 'transfer-failed' && e.data?.path === 'initrd.img'));
  // The request port and the transfer's port are free again.
  for (const p of [port, tid]) {
    const probe = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind({ port: p, address: '127.0.0.1', exclusive: true }, resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
  // Nothing keeps the event loop alive on the server's behalf (sockets, timer);
  // a closed handle leaves the list a turn after its close callback.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const handles = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((h) => h === 'UDPWrap' || h === 'Timeout');
  assert.deepEqual(handles, ['UDPWrap'], 'only the test client\'s own socket is left');
});

test('a request repeated before any answer arrives starts one transfer, not two', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nbf-tftp-dup-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'pxelinux.0'), Buffer.alloc(2000, 3));
  const events: FarmEvent[] = [];
  const server = new TftpServer({ root, address: '127.0.0.1', port: 0, events: (e) => events.push(e) });
  const { port } = await server.start();
  t.after(() => server.stop());
  const client = createSocket('udp4');
  t.after(() => client.close());
  const tids = new Set<number>();
  client.on('message', (_msg, rinfo) => tids.add(rinfo.port));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  const rrq = encodePacket({ type: 'RRQ', filename: 'pxelinux.0', mode: 'octet', options: [['tsize', '0']] });
  client.send(rrq, port, '127.0.0.1');
  client.send(rrq, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, 100));
  client.send(rrq, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(events.filter((e) => e.kind === 'transfer-start').length, 1);
  assert.equal(tids.size, 1, 'every OACK came from one transfer ID');
});

test('a port in use is a clear error, and the server can start once it is free', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nbf-tftp-busy-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const first = new TftpServer({ root, address: '127.0.0.1', port: 0 });
  const { port } = await first.start();
  const second = new TftpServer({ root, address: '127.0.0.1', port });
  await assert.rejects(second.start(), new RegExp(`the TFTP server cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  await first.stop();
  // The failed start left nothing half-open: the same object starts on the freed port.
  assert.equal((await second.start()).port, port);
  await second.stop();
});
