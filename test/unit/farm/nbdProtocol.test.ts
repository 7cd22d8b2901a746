import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteQueue } from '../../../server/src/farm/nbd/byteQueue';
import * as P from '../../../server/src/farm/nbd/protocol';
import { random } from '../../support/random';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('the greeting is NBDMAGIC, IHAVEOPT and the handshake flags, big-endian', () => {
  const greeting = P.encodeGreeting(P.NBD_FLAG_FIXED_NEWSTYLE | P.NBD_FLAG_NO_ZEROES);
  assert.deepEqual(greeting, hex('4e42444d41474943 49484156454f5054 0003'));
  assert.deepEqual(P.decodeGreeting(greeting), { ok: true, handshakeFlags: 3 });
  assert.equal(P.decodeGreeting(greeting.subarray(0, 17)).ok, false);
  assert.match((P.decodeGreeting(Buffer.from('NBDMAGIC\0\0\x42\x02\x81\x86\x12\x53\0\0')) as { reason: string }).reason, /not a newstyle/);
});

test('client flags: fixed newstyle and no-zeroes are read; a flag the server did not offer is refused', () => {
  assert.deepEqual(P.decodeClientFlags(hex('00000003'), 3), { ok: true, fixedNewstyle: true, noZeroes: true });
  assert.deepEqual(P.decodeClientFlags(hex('00000001'), 3), { ok: true, fixedNewstyle: true, noZeroes: false });
  assert.equal(P.decodeClientFlags(hex('00000002'), 1).ok, false);
  assert.match((P.decodeClientFlags(hex('80000001'), 3) as { reason: string }).reason, /0x80000000/);
  assert.equal(P.decodeClientFlags(hex('0000'), 3).ok, false);
});

test('option requests and replies round-trip with the protocol magic numbers', () => {
  const request = P.encodeOptionRequest(P.NBD_OPT_GO, Buffer.from('abc'));
  assert.deepEqual(request.subarray(0, 16), hex('49484156454f5054 00000007 00000003'));
  assert.deepEqual(P.decodeOptionHeader(request), { ok: true, option: 7, length: 3 });
  assert.equal(P.decodeOptionHeader(Buffer.from('IHAVEOPX\0\0\0\x07\0\0\0\0')).ok, false);

  const reply = P.encodeOptionReply(P.NBD_OPT_LIST, P.NBD_REP_ERR_UNSUP, Buffer.from('no'));
  assert.deepEqual(reply, hex('0003e889045565a9 00000003 80000001 00000002 6e6f'));
  assert.deepEqual(P.decodeOptionReplyHeader(reply), { ok: true, option: 3, type: 0x80000001, length: 2 });
  assert.equal(P.isReplyError(P.NBD_REP_ERR_UNSUP), true);
  assert.equal(P.isReplyError(P.NBD_REP_ACK), false);
  assert.equal(P.replyName(P.NBD_REP_ERR_UNKNOWN), 'NBD_REP_ERR_UNKNOWN');
  assert.equal(P.optionName(99), 'option 99');
});

test('NBD_OPT_INFO / GO data: name and information requests, with every length checked', () => {
  const data = P.encodeInfoRequest('x86_64', [P.NBD_INFO_BLOCK_SIZE, P.NBD_INFO_NAME]);
  assert.deepEqual(data, hex('00000006 7838365f3634 0002 0003 0001'));
  assert.deepEqual(P.decodeInfoRequest(data), { ok: true, name: 'x86_64', infos: [3, 1] });
  assert.deepEqual(P.decodeInfoRequest(P.encodeInfoRequest('', [])), { ok: true, name: '', infos: [] });
  // Name length past the end, a count that does not match, trailing bytes, too short.
  assert.match((P.decodeInfoRequest(hex('000000ff 61 0000')) as { reason: string }).reason, /runs past/);
  assert.match((P.decodeInfoRequest(hex('00000001 61 0002 0003')) as { reason: string }).reason, /2 information requests need 11 bytes/);
  assert.equal(P.decodeInfoRequest(hex('00000001 61 0000 00')).ok, false);
  assert.equal(P.decodeInfoRequest(hex('0000')).ok, false);
  // Names: no NUL, valid UTF-8, at most 4096 bytes.
  assert.match((P.decodeInfoRequest(hex('00000003 610062 0000')) as { reason: string }).reason, /NUL/);
  assert.match((P.decodeInfoRequest(hex('00000002 c328 0000')) as { reason: string }).reason, /UTF-8/);
  assert.equal(P.decodeInfoRequest(P.encodeInfoRequest('é\ufffd', [])).ok, true);
  assert.equal(P.decodeInfoRequest(P.encodeInfoRequest('a'.repeat(4097), [])).ok, false);
  assert.deepEqual(P.decodeExportName(Buffer.from('ltsp_amd64')), { ok: true, name: 'ltsp_amd64' });
  assert.equal(P.decodeExportName(Buffer.from('a\0b')).ok, false);
});

test('information replies and the NBD_OPT_EXPORT_NAME reply', () => {
  const size = 2 ** 40 + 7;
  assert.deepEqual(P.encodeInfoExport(size, 0x0107), hex('0000 0000010000000007 0107'));
  assert.deepEqual(P.decodeInfo(P.encodeInfoExport(size, 3)), { ok: true, info: { type: 0, size, transmissionFlags: 3 } });
  assert.deepEqual(P.decodeInfo(P.encodeInfoBlockSize(1, 4096, 32 << 20)), { ok: true, info: { type: 3, minimum: 1, preferred: 4096, maximum: 32 << 20 } });
  assert.deepEqual(P.decodeInfo(P.encodeInfoString(P.NBD_INFO_NAME, 'x86_64')), { ok: true, info: { type: 1, value: 'x86_64' } });
  assert.equal(P.decodeInfo(hex('0000 00')).ok, false);
  assert.equal(P.decodeInfo(hex('0003 0000')).ok, false);
  assert.deepEqual(P.decodeServerEntry(P.encodeServerEntry('x86_64', 'also: amd64')), { ok: true, name: 'x86_64', description: 'also: amd64' });
  assert.equal(P.decodeServerEntry(hex('00000009 41')).ok, false);

  assert.deepEqual(P.encodeExportNameReply(4096, 3, true), hex('0000000000001000 0003'));
  const withZeroes = P.encodeExportNameReply(4096, 3, false);
  assert.equal(withZeroes.length, 134);
  assert.ok(withZeroes.subarray(10).every((b) => b === 0));
});

test('requests: handle echoed bit for bit, offsets from 64 bits, huge offsets are Infinity', () => {
  const request = P.encodeRequest(P.NBD_CMD_READ, 0x0102030405, 2 ** 33 + 512, 4096, 1);
  assert.deepEqual(request, hex('25609513 0001 0000 0000000102030405 0000000200000200 00001000'));
  const decoded = P.decodeRequest(request);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.request, { flags: 1, type: 0, handleHi: 0x01, handleLo: 0x02030405, offset: 2 ** 33 + 512, length: 4096 });
  const huge = hex('25609513 0000 0000 ffffffffffffffff ffffffffffffffff ffffffff');
  const h = P.decodeRequest(huge);
  assert.ok(h.ok);
  assert.equal(h.request.offset, Infinity);
  assert.equal(h.request.handleHi, 0xffffffff);
  assert.equal(P.readU64(hex('001fffffffffffff'), 0), 2 ** 53 - 1);
  assert.equal(P.readU64(hex('0020000000000000'), 0), Infinity);
  // At an offset inside a larger buffer, and refusals.
  const two = Buffer.concat([Buffer.alloc(3), request]);
  assert.equal(P.decodeRequest(two, 3).ok, true);
  assert.equal(P.decodeRequest(two, 4).ok, false);
  assert.match((P.decodeRequest(hex('25609514 0000 0000 0000000000000000 0000000000000000 00000000')) as { reason: string }).reason, /bad request magic/);

  const reply = Buffer.alloc(20);
  P.writeSimpleReplyHeader(reply, 4, P.NBD_EINVAL, 0xdeadbeef, 0x01020304);
  assert.deepEqual(reply.subarray(4), hex('67446698 00000016 deadbeef01020304'));
  assert.deepEqual(P.decodeSimpleReply(P.encodeSimpleReply(0, 0, 42)), { ok: true, error: 0, handle: 42 });
  assert.match((P.decodeSimpleReply(hex('668e33ef 00000000 0000000000000001')) as { reason: string }).reason, /structured/);
});

test('decoders never throw, whatever the bytes', () => {
  const next = random(8);
  const decoders: ((b: Buffer) => unknown)[] = [
    P.decodeGreeting,
    (b) => P.decodeClientFlags(b, 3),
    P.decodeOptionHeader,
    P.decodeOptionReplyHeader,
    P.decodeExportName,
    P.decodeInfoRequest,
    P.decodeServerEntry,
    P.decodeInfo,
    (b) => P.decodeRequest(b),
    (b) => P.decodeRequest(b, Math.floor(next() * 40) - 5),
    P.decodeSimpleReply,
  ];
  const seeds = [P.encodeInfoRequest('amd64', [0, 1, 3]), P.encodeRequest(0, 1, 4096, 512), P.encodeOptionRequest(7, Buffer.from('xx')), P.encodeInfoExport(1 << 20, 3)];
  for (let i = 0; i < 20_000; i++) {
    let bytes: Buffer;
    if (next() < 0.5) {
      bytes = Buffer.alloc(Math.floor(next() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256);
    } else {
      bytes = Buffer.from(seeds[Math.floor(next() * seeds.length)]!);
      for (let k = 0; k < 3; k++) if (bytes.length) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      bytes = bytes.subarray(0, Math.floor(next() * (bytes.length + 1)));
    }
    for (const decode of decoders) {
      const result = decode(bytes) as { ok: boolean; reason?: string };
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.equal(typeof result.reason, 'string');
    }
  }
});

test('ByteQueue takes whole messages across chunk boundaries, and skips without buffering', () => {
  const q = new ByteQueue();
  q.push(Buffer.from('abc'));
  q.push(Buffer.from(''));
  q.push(Buffer.from('defgh'));
  assert.equal(q.length, 8);
  const first = q.take(2);
  assert.equal(first.toString(), 'ab');
  assert.equal(q.take(3).toString(), 'cde');
  assert.equal(q.skip(10), 3);
  assert.equal(q.length, 0);
  assert.throws(() => q.take(1), RangeError);
  q.push(Buffer.from('xyz'));
  assert.equal(q.skip(1), 1);
  assert.equal(q.take(2).toString(), 'yz');
});
