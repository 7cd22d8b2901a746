import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildRequest,
  decodeMessage,
  encodeMessage,
  findOption,
  hardwareAddress,
  MessageType,
  messageTypeOf,
  Opt,
  parseIpv4,
  parseMac,
} from '../../../server/src/farm/dhcp/packet';

/** A DISCOVER as a PXE ROM sends it, written out byte by byte from RFC 2131's figure 1. */
function pxeDiscoverBytes(): Buffer {
  const b = Buffer.alloc(300);
  b[0] = 1; // op BOOTREQUEST
  b[1] = 1; // htype ethernet
  b[2] = 6; // hlen
  b.writeUInt32BE(0xdeadbeef, 4);
  b.writeUInt16BE(4, 8); // secs
  b.writeUInt16BE(0x8000, 10); // broadcast flag
  Buffer.from([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]).copy(b, 28);
  b.writeUInt32BE(0x63825363, 236);
  const opts = [53, 1, 1, 93, 2, 0, 7, 60, 9, ...Buffer.from('PXEClient'), 55, 3, 1, 3, 67, 255];
  Buffer.from(opts).copy(b, 240);
  return b;
}

test('decodes a hand-written PXE DISCOVER field by field', () => {
  const r = decodeMessage(pxeDiscoverBytes());
  assert.ok(r.ok, !r.ok ? r.error : '');
  const m = r.message;
  assert.equal(m.op, 1);
  assert.equal(m.xid, 0xdeadbeef);
  assert.equal(m.secs, 4);
  assert.equal(m.flags, 0x8000);
  assert.equal(hardwareAddress(m), '52:54:00:12:34:56');
  assert.equal(messageTypeOf(m), MessageType.DISCOVER);
  assert.deepEqual([...(findOption(m, Opt.CLIENT_ARCH) ?? [])], [0, 7]);
  assert.equal(Buffer.from(findOption(m, Opt.VENDOR_CLASS) ?? []).toString(), 'PXEClient');
  assert.deepEqual([...(findOption(m, Opt.PARAMETER_REQUEST_LIST) ?? [])], [1, 3, 67]);
  assert.equal(m.ciaddr, '0.0.0.0');
});

test('encode then decode gives the same message; replies are at least 300 bytes', () => {
  const request = buildRequest({ mac: '52:54:00:aa:bb:cc', xid: 42, flags: 0x8000, options: [{ code: 53, data: Uint8Array.of(3) }, { code: 50, data: Uint8Array.of(10, 0, 0, 5) }] });
  const reply = { ...request, op: 2, yiaddr: '10.0.0.5', siaddr: '10.0.0.1', sname: 'srv', file: 'ltsp/snponly.efi' };
  const bytes = encodeMessage(reply);
  assert.ok(bytes.length >= 300);
  const back = decodeMessage(bytes);
  assert.ok(back.ok);
  assert.deepEqual({ ...back.message, chaddr: [...back.message.chaddr] }, { ...reply, chaddr: [...reply.chaddr], options: reply.options.map((o) => ({ code: o.code, data: Uint8Array.from(o.data) })) });
});

test('options over 255 bytes are split on encode and joined on decode (RFC 3396)', () => {
  const long = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
  const bytes = encodeMessage(buildRequest({ mac: '00:11:22:33:44:55', xid: 1, options: [{ code: 43, data: long }, { code: 53, data: Uint8Array.of(1) }] }));
  // three instances of option 43: 255 + 255 + 90
  assert.equal(bytes[240], 43);
  assert.equal(bytes[241], 255);
  assert.equal(bytes[240 + 257], 43);
  const back = decodeMessage(bytes);
  assert.ok(back.ok);
  assert.deepEqual([...(findOption(back.message, 43) ?? [])], [...long]);
  assert.deepEqual(back.message.options.map((o) => o.code), [43, 53]);
});

test('malformed datagrams come back as errors, never exceptions', () => {
  const good = pxeDiscoverBytes();
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /shorter than a BOOTP header/],
    ['truncated header', good.subarray(0, 239), /shorter/],
    ['bad op', Buffer.concat([Buffer.from([7]), good.subarray(1)]), /op 7/],
    ['no cookie', (() => { const b = Buffer.from(good); b.writeUInt32BE(0, 236); return b; })(), /magic cookie/],
    ['hlen 200', (() => { const b = Buffer.from(good); b[2] = 200; return b; })(), /hardware address length 200/],
    ['option overruns', Buffer.concat([good.subarray(0, 240), Buffer.from([60, 50, 1, 2])]), /option 60 .* claims 50 bytes/],
    ['option without length', Buffer.concat([good.subarray(0, 240), Buffer.from([60])]), /no length byte/],
  ];
  for (const [name, bytes, error] of cases) {
    const r = decodeMessage(bytes);
    assert.equal(r.ok, false, name);
    assert.match((r as { error: string }).error, error, name);
  }
});

test('addresses and MACs: only well-formed text is accepted', () => {
  assert.deepEqual([...(parseIpv4('192.168.67.1') ?? [])], [192, 168, 67, 1]);
  for (const bad of ['192.168.67', '256.1.1.1', '1.2.3.4.5', 'a.b.c.d', '', '1..2.3']) assert.equal(parseIpv4(bad), undefined, bad);
  assert.deepEqual([...(parseMac('52-54-00-AA-bb-0c') ?? [])], [0x52, 0x54, 0, 0xaa, 0xbb, 0x0c]);
  for (const bad of ['', 'zz:00', '52:54:00:aa:bb:ccc']) assert.equal(parseMac(bad), undefined, bad);
});
