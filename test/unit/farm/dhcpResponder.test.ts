import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaseStore } from '../../../server/src/farm/dhcp/leaseStore';
import { buildRequest, type DhcpOption, encodeMessage, findOption, MessageType, messageTypeOf, Opt } from '../../../server/src/farm/dhcp/packet';
import { DhcpResponder } from '../../../server/src/farm/dhcp/responder';
import type { FarmEvent } from '../../../server/src/farm/events';

const CONF = `option arch code 93 = unsigned integer 16;
authoritative;
default-lease-time 600;
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.100 192.168.67.109;
  next-server 192.168.67.1;
  option routers 192.168.67.1;
  if option arch = 00:07 { filename "core.efi"; } else { filename "pxelinux.0"; }
}
`;

function setup(conf = CONF) {
  const events: FarmEvent[] = [];
  const leases = new LeaseStore(undefined);
  const responder = new DhcpResponder({ configText: conf, configFile: 'farm/dhcpd.conf', interfaceAddress: '192.168.67.1', leases, events: (e) => events.push(e) });
  return { responder, events, leases };
}

const type = (t: number): DhcpOption => ({ code: Opt.MESSAGE_TYPE, data: Uint8Array.of(t) });
const ip = (a: string): Uint8Array => Uint8Array.from(a.split('.').map(Number));
const packet = (mac: string, options: DhcpOption[], extra: { flags?: number; ciaddr?: string } = {}) => encodeMessage(buildRequest({ mac, xid: 99, options, ...extra }));

test('DISCOVER, REQUEST: OFFER then ACK with the evaluated answer, and events naming the line', () => {
  const { responder, events, leases } = setup();
  const offer = responder.handle(packet('52:54:00:00:00:01', [type(MessageType.DISCOVER), { code: Opt.CLIENT_ARCH, data: Uint8Array.of(0, 7) }], { flags: 0x8000 }));
  assert.ok(offer);
  assert.equal(messageTypeOf(offer.message), MessageType.OFFER);
  assert.equal(offer.message.yiaddr, '192.168.67.100');
  assert.equal(offer.message.siaddr, '192.168.67.1');
  assert.equal(offer.message.file, 'core.efi');
  assert.deepEqual(offer.to, { address: '255.255.255.255', port: 68 }, 'broadcast bit set: broadcast');
  assert.deepEqual([...(findOption(offer.message, Opt.LEASE_TIME) ?? [])], [0, 0, 2, 88]);
  assert.deepEqual([...(findOption(offer.message, Opt.SERVER_ID) ?? [])], [192, 168, 67, 1]);
  assert.deepEqual(offer.message.options.map((o) => o.code), [53, 54, 51, 1, 3], 'no request list: mask and routers, dhcpd order');
  const offered = events.find((e) => e.kind === 'offer');
  assert.deepEqual(offered?.origin, { file: 'farm/dhcpd.conf', line: 7 });
  assert.equal(offered?.node, '52:54:00:00:00:01');
  assert.equal(leases.leaseOf('192.168.67.100')?.binding, 'offered');

  const ack = responder.handle(packet('52:54:00:00:00:01', [type(MessageType.REQUEST), { code: Opt.REQUESTED_ADDRESS, data: ip('192.168.67.100') }, { code: Opt.SERVER_ID, data: ip('192.168.67.1') }, { code: Opt.CLIENT_ARCH, data: Uint8Array.of(0, 7) }]));
  assert.ok(ack);
  assert.equal(messageTypeOf(ack.message), MessageType.ACK);
  assert.deepEqual(ack.to, { address: '192.168.67.100', port: 68, hardwareAddress: '52:54:00:00:00:01' }, 'no broadcast bit, no ciaddr: unicast to the new address at the MAC');
  assert.equal(leases.leaseOf('192.168.67.100')?.binding, 'bound');
  assert.match(events.find((e) => e.kind === 'lease')?.message ?? '', /DHCPACK 192\.168\.67\.100 to 52:54:00:00:00:01 for 600 s, boot file core\.efi/);
});

test('REQUEST for the wrong address: NAK (broadcast) when authoritative, silence when not; another server chosen: offer released', () => {
  const { responder, events, leases } = setup();
  const wrong = [type(MessageType.REQUEST), { code: Opt.REQUESTED_ADDRESS, data: ip('10.9.9.9') }];
  const nak = responder.handle(packet('52:54:00:00:00:02', wrong));
  assert.equal(nak && messageTypeOf(nak.message), MessageType.NAK);
  assert.deepEqual(nak?.to, { address: '255.255.255.255', port: 68 });
  assert.equal(nak?.message.file, '');
  const quiet = setup(CONF.replace('authoritative;', ''));
  assert.equal(quiet.responder.handle(packet('52:54:00:00:00:02', wrong)), undefined);
  assert.equal(quiet.events.at(-1)?.kind, 'ignored');

  responder.handle(packet('52:54:00:00:00:03', [type(MessageType.DISCOVER)]));
  assert.equal(leases.leaseOf('192.168.67.100')?.mac, '52:54:00:00:00:03');
  const elsewhere = responder.handle(packet('52:54:00:00:00:03', [type(MessageType.REQUEST), { code: Opt.REQUESTED_ADDRESS, data: ip('192.168.67.200') }, { code: Opt.SERVER_ID, data: ip('192.168.67.254') }]));
  assert.equal(elsewhere, undefined);
  assert.equal(leases.isTaken('192.168.67.100', '52:54:00:00:00:04'), false, 'the offer no longer holds the address');
  assert.ok(events.some((e) => e.kind === 'ignored' && /for server 192\.168\.67\.254/.test(e.message)));
});

test('RELEASE frees, DECLINE blocks, INFORM answers with options only, relayed requests go back to the relay', () => {
  const { responder, leases } = setup();
  const mac = '52:54:00:00:00:05';
  responder.handle(packet(mac, [type(MessageType.DISCOVER)]));
  responder.handle(packet(mac, [type(MessageType.REQUEST), { code: Opt.REQUESTED_ADDRESS, data: ip('192.168.67.100') }]));
  assert.equal(responder.handle(packet(mac, [type(MessageType.RELEASE)], { ciaddr: '192.168.67.100' })), undefined);
  assert.equal(leases.leaseOf('192.168.67.100')?.binding, 'released');
  responder.handle(packet(mac, [type(MessageType.DECLINE), { code: Opt.REQUESTED_ADDRESS, data: ip('192.168.67.101') }]));
  const next = responder.handle(packet('52:54:00:00:00:06', [type(MessageType.DISCOVER)]));
  assert.equal(next?.message.yiaddr, '192.168.67.100', 'released address is free, declined .101 is skipped');
  const third = responder.handle(packet('52:54:00:00:00:07', [type(MessageType.DISCOVER)]));
  assert.equal(third?.message.yiaddr, '192.168.67.102');

  const inform = responder.handle(packet('52:54:00:00:00:08', [type(MessageType.INFORM)], { ciaddr: '192.168.67.50' }));
  assert.equal(inform && messageTypeOf(inform.message), MessageType.ACK);
  assert.equal(inform?.message.yiaddr, '0.0.0.0');
  assert.equal(inform && findOption(inform.message, Opt.LEASE_TIME), undefined, 'no lease time in an answer to INFORM');
  assert.deepEqual(inform?.to, { address: '192.168.67.50', port: 68 });

  const relayed = encodeMessage({ ...buildRequest({ mac: '52:54:00:00:00:09', xid: 1, options: [type(MessageType.DISCOVER)] }), giaddr: '192.168.67.254', hops: 1 });
  assert.deepEqual(responder.handle(relayed)?.to, { address: '192.168.67.254', port: 67 });
  const otherNetwork = encodeMessage({ ...buildRequest({ mac: '52:54:00:00:00:09', xid: 1, options: [type(MessageType.DISCOVER)] }), giaddr: '10.1.1.1', hops: 1 });
  assert.equal(responder.handle(otherNetwork), undefined, 'a relay on a network without a subnet declaration gets no answer');
});

test('the farm passes new config text: the next answer follows it', () => {
  const { responder, events } = setup();
  const discover = packet('52:54:00:00:00:0a', [type(MessageType.DISCOVER)]);
  assert.equal(responder.handle(discover)?.message.file, 'pxelinux.0');
  responder.updateConfig(CONF.replace('"pxelinux.0"', '"lpxelinux.0"'));
  assert.equal(events.at(-1)?.kind, 'config');
  assert.equal(responder.handle(discover)?.message.file, 'lpxelinux.0');
});

test('BOOTP, replies and unknown message types are ignored with an event; a throwing listener does not stop the server', () => {
  let calls = 0;
  const responder = new DhcpResponder({
    configText: CONF,
    configFile: 'dhcpd.conf',
    interfaceAddress: '192.168.67.1',
    leases: new LeaseStore(undefined),
    events: () => {
      calls++;
      throw new Error('listener failed');
    },
  });
  assert.equal(responder.handle(packet('52:54:00:00:00:0b', [])), undefined);
  assert.equal(responder.handle(packet('52:54:00:00:00:0b', [type(MessageType.OFFER)])), undefined);
  assert.ok(responder.handle(packet('52:54:00:00:00:0b', [type(MessageType.DISCOVER)])));
  assert.equal(calls, 3);
});

test('options that would overflow the client\'s message size are left out, with an event', () => {
  const long = Array.from({ length: 30 }, (_, i) => `"host${i}.example.org"`).join(', ');
  const { responder, events } = setup(CONF.replace('option routers 192.168.67.1;', `option routers 192.168.67.1;\n  option nis-domain ${'"' + 'n'.repeat(200) + '"'};\n  option root-path "${'r'.repeat(200)}";\n  option domain-search ${long};`));
  const small = responder.handle(packet('52:54:00:00:00:0c', [type(MessageType.DISCOVER), { code: Opt.PARAMETER_REQUEST_LIST, data: Uint8Array.of(1, 3, 40, 17, 119) }]));
  assert.ok(small);
  const size = encodeMessage(small.message).length;
  assert.ok(size <= 548, `reply of ${size} bytes fits a 576-byte datagram`);
  assert.deepEqual(small.message.options.map((o) => o.code), [53, 54, 51, 1, 3, 40], 'root-path and the long domain-search do not fit after nis-domain');
  assert.ok(events.some((e) => e.kind === 'option-dropped' && /root-path \(17\) left out/.test(e.message)));
  const big = responder.handle(packet('52:54:00:00:00:0d', [type(MessageType.DISCOVER), { code: Opt.MAX_MESSAGE_SIZE, data: Uint8Array.of(0x05, 0xdc) }, { code: Opt.PARAMETER_REQUEST_LIST, data: Uint8Array.of(1, 3, 40, 17, 119) }]));
  assert.deepEqual(big?.message.options.map((o) => o.code), [53, 54, 51, 1, 3, 40, 17, 119], 'a client that takes 1500 bytes gets everything');
});
