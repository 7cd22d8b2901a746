import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePacket, encodeDataHeader, encodePacket, optionValue, type TftpPacket } from '../../../server/src/farm/tftp/packet';
import { random } from '../../support/random';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function decoded(buf: Buffer): TftpPacket {
  const r = decodePacket(buf);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.packet;
}

test('RRQ with options as a PXE ROM sends it: mode and option names are case-insensitive', () => {
  const p = decoded(bytes([0, 1], 'pxelinux.0\0OCTET\0TSIZE\x000\0BlkSize\x001456\0'));
  assert.deepEqual(p, { type: 'RRQ', filename: 'pxelinux.0', mode: 'octet', options: [['tsize', '0'], ['blksize', '1456']] });
  assert.ok(p.type === 'RRQ');
  assert.equal(optionValue(p.options, 'blksize'), '1456');
});

test('a repeated option keeps its first value', () => {
  const p = decoded(bytes([0, 1], 'f\0octet\0blksize\x00512\0blksize\x009000\0'));
  assert.deepEqual((p as { options: unknown }).options, [['blksize', '512']]);
});

test('file names keep every byte (latin1 in, latin1 out)', () => {
  const p = decoded(bytes([0, 1], 'caf', [0xe9], '\\boot\0netascii\0'));
  assert.equal((p as { filename: string }).filename, 'caf\u00e9\\boot');
  assert.deepEqual(encodePacket(p), bytes([0, 1], 'caf', [0xe9], '\\boot\0netascii\0'));
});

test('round trip of every packet type', () => {
  const packets: TftpPacket[] = [
    { type: 'RRQ', filename: 'ltsp/i386/lts.conf', mode: 'octet', options: [['windowsize', '16']] },
    { type: 'WRQ', filename: 'up', mode: 'netascii', options: [] },
    { type: 'DATA', block: 65535, data: Buffer.from('hello') },
    { type: 'DATA', block: 0, data: Buffer.alloc(0) },
    { type: 'ACK', block: 4242 },
    { type: 'ERROR', code: 1, message: 'File not found' },
    { type: 'OACK', options: [['blksize', '1468'], ['tsize', '123']] },
  ];
  for (const p of packets) assert.deepEqual(decoded(encodePacket(p)), p);
});

test('exact wire bytes', () => {
  assert.deepEqual(encodePacket({ type: 'ACK', block: 258 }), Buffer.from([0, 4, 1, 2]));
  assert.deepEqual(encodePacket({ type: 'ERROR', code: 2, message: 'no' }), Buffer.from([0, 5, 0, 2, 0x6e, 0x6f, 0]));
  assert.deepEqual(encodePacket({ type: 'OACK', options: [['tsize', '7']] }), bytes([0, 6], 'tsize\x007\0'));
  assert.deepEqual(encodeDataHeader(65536 + 5), Buffer.from([0, 3, 0, 5]), 'block numbers are 16 bits on the wire');
});

test('DATA shares the payload bytes; ACK padding is ignored', () => {
  const buf = bytes([0, 3, 0, 7], 'abc');
  const p = decoded(buf) as { data: Buffer };
  assert.equal(p.data.toString(), 'abc');
  assert.deepEqual(decoded(Buffer.from([0, 4, 0, 9, 0, 0, 0])), { type: 'ACK', block: 9 });
});

test('malformed packets are reasons, not exceptions', () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.alloc(0), /shorter than an opcode/],
    [Buffer.from([0]), /shorter than an opcode/],
    [Buffer.from([0, 9]), /unknown opcode 9/],
    [bytes([0, 1], 'file'), /not NUL-terminated/],
    [bytes([0, 1], 'file\0'), /needs a file name and a mode/],
    [bytes([0, 1], '\0octet\0'), /empty file name/],
    [bytes([0, 1], 'f\0binary\0'), /unknown transfer mode "binary"/],
    [bytes([0, 1], 'f\0octet\0blksize\0'), /option "blksize" has no value/],
    [bytes([0, 2], 'f\0octet\0\x00512\0'), /empty option name/],
    [Buffer.from([0, 3, 0]), /DATA: shorter/],
    [Buffer.from([0, 4, 1]), /ACK: shorter/],
    [Buffer.from([0, 5, 0]), /ERROR: shorter/],
    [bytes([0, 6], 'blksize\x00512'), /OACK: the last field is not NUL-terminated/],
  ];
  for (const [buf, reason] of cases) {
    const r = decodePacket(buf);
    assert.equal(r.ok, false, buf.toString('hex'));
    assert.match((r as { reason: string }).reason, reason);
  }
});

test('a NUL inside a file name ends the name: what follows is the mode', () => {
  const r = decodePacket(bytes([0, 1], 'pxelinux.0\0../../etc/passwd\0octet\0'));
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /unknown transfer mode/);
});

test('10,000 random and mutated packets: decode never throws', () => {
  const rnd = random(1350);
  const seeds = [bytes([0, 1], 'pxelinux.0\0octet\0blksize\x001468\0tsize\x000\0'), Buffer.from([0, 4, 0, 1]), bytes([0, 5, 0, 1], 'x\0')];
  let ok = 0;
  for (let i = 0; i < 10_000; i++) {
    let buf: Buffer;
    if (i % 2) {
      buf = Buffer.from(seeds[i % seeds.length]!);
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      buf = buf.subarray(0, Math.floor(rnd() * (buf.length + 1)));
    } else {
      buf = Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => (rnd() < 0.3 ? 0 : Math.floor(rnd() * 256))));
    }
    const r = decodePacket(buf);
    if (r.ok) {
      ok++;
      // Whatever decodes must encode again.
      assert.ok(encodePacket(r.packet).length >= 2);
    } else assert.ok(r.reason.length > 0);
  }
  assert.ok(ok > 0, 'some mutations should still be valid packets');
});
