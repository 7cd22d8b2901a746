import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';
import { AddressPlanError, planAddresses } from '../../../server/src/farm/net/addressPlan';
import { subnetFacts } from '../../../server/src/farm/net/dhcpdSubnet';
import { formatIpv4, parseIpv4, prefixLength } from '../../../server/src/farm/net/ipv4';
import { radvdConfig } from '../../../server/src/farm/net/routerAdvertiser';

const plan = (text: string) => {
  const facts = subnetFacts(parseDhcpdConf(text).tree, 'dhcpd.conf');
  assert.ok(facts, 'the config has a subnet');
  return planAddresses(facts);
};

test('IPv4 helpers: dotted quads, netmasks', () => {
  assert.equal(parseIpv4('192.168.67.1'), 0xc0a84301);
  assert.equal(formatIpv4(0xc0a84301), '192.168.67.1');
  for (const bad of ['192.168.67', '1.2.3.256', '1.2.3.x', '', '1..2.3']) assert.equal(parseIpv4(bad), undefined, bad);
  assert.equal(prefixLength(parseIpv4('255.255.255.0')!), 24);
  assert.equal(prefixLength(parseIpv4('255.255.0.255')!), undefined);
});

test('next-server in the subnet is the farm address, with the line it came from', () => {
  const p = plan(['subnet 10.1.0.0 netmask 255.255.0.0 {', '  range 10.1.0.10 10.1.0.200;', '  if option architecture-type = 00:07 {', '    next-server 10.1.2.3;', '  }', '}'].join('\n'));
  assert.equal(p.serverAddress, '10.1.2.3');
  assert.equal(p.prefixLength, 16);
  assert.equal(p.subnet, '10.1.0.0/16');
  assert.deepEqual(p.origin, { file: 'dhcpd.conf', line: 3 });
  assert.deepEqual(p.warnings, []);
});

test('without next-server: the first host address outside every range and fixed-address', () => {
  const text = [
    'host a { hardware ethernet 52:54:00:00:00:01; fixed-address 192.168.67.1, 192.168.67.3; }',
    'subnet 192.168.67.0 netmask 255.255.255.0 {',
    '  pool { range 192.168.67.2; }',
    '  range 192.168.67.10 192.168.67.4;',
    '}',
    'subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.11 10.0.0.20; }',
  ].join('\n');
  const p = plan(text);
  assert.equal(p.serverAddress, '192.168.67.11', '.1 and .3 are fixed, .2 and .4-.10 are ranges');
  assert.equal(p.origin.line, 1);
});

test('next-server outside the subnet or not an address: a warning naming the line, and the fallback address', () => {
  const p = plan('next-server 172.16.0.1;\nsubnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.100 192.168.67.200; }\n');
  assert.equal(p.serverAddress, '192.168.67.1');
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0]!.message, /^dhcpd\.conf:1: next-server 172\.16\.0\.1 is outside subnet 192\.168\.67\.0\/24/);
  const named = plan('subnet 192.168.67.0 netmask 255.255.255.0 {\n next-server boot.example;\n}\n');
  assert.match(named.warnings[0]!.message, /dhcpd\.conf:2: next-server boot\.example is not an IPv4 address/);
});

test('next-server inside a range is used, with a warning', () => {
  const p = plan('subnet 192.168.67.0 netmask 255.255.255.0 {\n range 192.168.67.1 192.168.67.50;\n next-server 192.168.67.5;\n}\n');
  assert.equal(p.serverAddress, '192.168.67.5');
  assert.match(p.warnings[0]!.message, /inside the range on line 2/);
});

test('subnets that cannot hold the farm are refused with the file, line and fix', () => {
  assert.throws(() => plan('# farm\nsubnet 192.168.67.0 netmask 255.255.255.252 {\n range 192.168.67.1 192.168.67.2;\n}\n'), (e: Error) => e instanceof AddressPlanError && /^dhcpd\.conf:2: every address of subnet 192\.168\.67\.0\/30/.test(e.message));
  assert.throws(() => plan('subnet 192.168.67.5 netmask 255.255.255.0 { }'), /dhcpd\.conf:1: 192\.168\.67\.5 has host bits set .* the subnet address is 192\.168\.67\.0/);
  assert.throws(() => plan('subnet 192.168.67.0 netmask 255.0.255.0 { }'), /not an IPv4 network and contiguous netmask/);
  assert.throws(() => plan('subnet 192.168.67.0 netmask 255.255.255.255 { }'), /no room for a server/);
});

test('a config without an IPv4 subnet has no facts; broken text never throws', () => {
  assert.equal(subnetFacts(parseDhcpdConf('subnet6 fd00::/64 { }\nhost x { fixed-address 10.0.0.1; }').tree, 'f'), undefined);
  assert.equal(subnetFacts(parseDhcpdConf('subnet 10.0.0.0 netmask { range ; }} {{ next-server').tree, 'f'), undefined);
});

test('radvd config advertises the ULA prefix on the bridge', () => {
  const text = radvdConfig('nbf0', 'fd6e:6266:6172:6d00::', 64);
  assert.match(text, /^interface nbf0 \{\n  AdvSendAdvert on;/);
  assert.match(text, /prefix fd6e:6266:6172:6d00::\/64 \{/);
});
