import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaseStore } from '../../../server/src/farm/dhcp/leaseStore';
import { buildRequest, decodeMessage, encodeMessage, MessageType, messageTypeOf } from '../../../server/src/farm/dhcp/packet';
import { DhcpResponder } from '../../../server/src/farm/dhcp/responder';
import type { FarmEvent } from '../../../server/src/farm/events';
import { random } from '../../support/random';

const CONFIG = `option arch code 93 = unsigned integer 16;
subnet 10.0.0.0 netmask 255.255.0.0 {
  range 10.0.1.0 10.0.255.250;
  next-server 10.0.0.1;
  if option arch = 00:07 { filename "core.efi"; } else { filename "pxelinux.0"; }
}
host good { hardware ethernet 52:54:00:00:00:01; fixed-address 10.0.0.50; }
`;

function discover(mac: string, arch: number): Buffer {
  return encodeMessage(
    buildRequest({
      mac,
      xid: 7,
      flags: 0x8000,
      options: [
        { code: 53, data: Uint8Array.of(MessageType.DISCOVER) },
        { code: 93, data: Uint8Array.of(0, arch) },
        { code: 55, data: Uint8Array.of(1, 3, 6, 66, 67) },
        { code: 60, data: new TextEncoder().encode('PXEClient:Arch:00007') },
      ],
    }),
  );
}

test('10,000 random and mutated datagrams: no exception, bounded state, and the next good clients are served', () => {
  const events: FarmEvent[] = [];
  let counted = 0;
  const leases = new LeaseStore(undefined);
  const responder = new DhcpResponder({
    configText: CONFIG,
    configFile: 'dhcpd.conf',
    interfaceAddress: '10.0.0.1',
    leases,
    events: (e) => {
      counted++;
      if (events.length < 100) events.push(e);
    },
  });
  const rand = random(20261125);
  const byte = () => Math.floor(rand() * 256);
  const seed = discover('52:54:00:12:34:56', 7);
  let replies = 0;
  for (let i = 0; i < 10_000; i++) {
    let datagram: Buffer;
    const kind = i % 4;
    if (kind === 0) {
      datagram = Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, byte));
    } else {
      datagram = Buffer.from(seed);
      // Flip a few bytes anywhere, or only in the options (which keeps the header valid more often).
      const flips = 1 + Math.floor(rand() * 8);
      for (let f = 0; f < flips; f++) {
        const at = kind === 1 ? Math.floor(rand() * datagram.length) : 240 + Math.floor(rand() * (datagram.length - 240));
        datagram[at] = byte();
      }
      if (kind === 3) datagram = datagram.subarray(0, Math.floor(rand() * datagram.length));
    }
    const reply = responder.handle(datagram);
    if (reply) {
      replies++;
      // Whatever goes out must itself be a well-formed reply.
      const back = decodeMessage(encodeMessage(reply.message));
      assert.ok(back.ok, `reply to datagram ${i} does not decode`);
      assert.equal(back.message.op, 2);
    }
  }
  assert.ok(events.some((e) => e.kind === 'bad-packet' && e.level === 'warning'), 'malformed datagrams are reported');
  assert.ok(counted >= replies, 'every reply comes with its event');
  assert.ok(replies > 100, `mutations should still produce some valid DISCOVERs (got ${replies} replies)`);
  assert.ok(leases.all().length <= replies, 'only offers add leases');
  assert.equal(events.filter((e) => e.kind === 'error').length, 0, 'no internal error events');

  // A good client with a host declaration, and a dynamic one, are still answered correctly.
  for (const [mac, arch, address, file] of [
    ['52:54:00:00:00:01', 7, '10.0.0.50', 'core.efi'],
    ['52:54:00:00:0a:0b', 0, undefined, 'pxelinux.0'],
  ] as const) {
    const reply = responder.handle(discover(mac, arch));
    assert.ok(reply, `${mac} got no answer after the fuzzing`);
    assert.equal(messageTypeOf(reply.message), MessageType.OFFER);
    if (address) assert.equal(reply.message.yiaddr, address);
    assert.equal(reply.message.file, file);
    assert.equal(reply.message.siaddr, '10.0.0.1');
  }
});
