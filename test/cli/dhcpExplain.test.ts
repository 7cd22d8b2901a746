import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSandbox } from '../support/cli';

const { cli, file } = cliSandbox('nbf-dhcp-cli-');

const CONF = `option arch code 93 = unsigned integer 16;
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.100 192.168.67.199;
  next-server 192.168.67.1;
  if exists user-class and option user-class = "iPXE" {
    filename "boot.ipxe";
  } elsif option arch = 00:07 {
    filename "core.efi";
  } else {
    filename "pxelinux.0";
  }
}
host node01 { hardware ethernet 52:54:00:00:00:01; fixed-address 192.168.67.21; }
`;

interface Explained {
  decision: {
    kind: string;
    reason?: string;
    address?: { value: string; at: string };
    filename?: { value: string; at: string; origin: { line: number } };
    nextServer?: { value: string };
    host?: { name: string };
    branches?: { condition: string; at: string }[];
    options?: { name: string; data: string; at: string }[];
  };
  request: { interfaceAddress: string; interfaceAddressAssumed?: string };
}

test('dhcp explain: the decision with the line of every value', () => {
  const conf = file('dhcpd.conf', CONF);
  const r = cli('dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:00:01', '--arch', '7');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Explained;
  assert.equal(out.decision.kind, 'offer');
  assert.equal(out.decision.address?.value, '192.168.67.21');
  assert.equal(out.decision.address?.at, `${conf}:13`);
  assert.equal(out.decision.host?.name, 'node01');
  assert.equal(out.decision.filename?.value, 'core.efi');
  assert.equal(out.decision.filename?.at, `${conf}:8`);
  assert.equal(out.decision.filename?.origin.line, 7, 'origins stay 0-based, as in LSP');
  assert.deepEqual(out.decision.branches?.map((b) => [b.condition, b.at]), [['elsif option arch = 00:07', `${conf}:7`]]);
  assert.equal(out.decision.nextServer?.value, '192.168.67.1');
  assert.deepEqual(out.decision.options?.find((o) => o.name === 'subnet-mask'), { name: 'subnet-mask', code: 1, type: 'ip-address', text: '255.255.255.0', data: 'ff:ff:ff:00', origin: { line: 1 }, at: `${conf}:2` });
  assert.equal(out.request.interfaceAddress, '192.168.67.1');
  assert.match(out.request.interfaceAddressAssumed ?? '', /only subnet/);
});

test('dhcp explain: iPXE and BIOS clients, and a client that gets nothing (exit 1)', () => {
  const conf = file('dhcpd.conf', CONF);
  const ipxe = JSON.parse(cli('dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:00:09', '--user-class', 'iPXE', '--interface-address', '192.168.67.1').stdout) as Explained;
  assert.equal(ipxe.decision.filename?.value, 'boot.ipxe');
  assert.equal(ipxe.decision.address?.value, '192.168.67.100');
  const bios = JSON.parse(cli('dhcp', 'explain', '--config', conf, '--mac', '52-54-00-00-00-0A', '--arch', '0').stdout) as Explained;
  assert.equal(bios.decision.filename?.value, 'pxelinux.0');
  const elsewhere = cli('dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:00:09', '--interface-address', '10.0.0.1');
  assert.equal(elsewhere.code, 1);
  assert.match((JSON.parse(elsewhere.stdout) as Explained).decision.reason ?? '', /no subnet declaration covers the interface address 10\.0\.0\.1/);
});

test('dhcp explain: clear errors for bad input (exit 2)', () => {
  const conf = file('dhcpd.conf', CONF);
  const two = file('two.conf', 'subnet 10.0.0.0 netmask 255.0.0.0 { }\nsubnet 192.168.67.0 netmask 255.255.255.0 { }\n');
  const cases: [string[], RegExp][] = [
    [['dhcp', 'explain', '--mac', '52:54:00:00:00:01'], /--config FILE is required/],
    [['dhcp', 'explain', '--config', 'missing.conf', '--mac', '52:54:00:00:00:01'], /missing\.conf: no such file/],
    [['dhcp', 'explain', '--config', conf], /--mac is required/],
    [['dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:01'], /--mac "52:54:00:00:01" is not an Ethernet address/],
    [['dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:00:01', '--arch', 'efi'], /--arch "efi" is not a client architecture \(option 93\): 0 BIOS/],
    [['dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:00:01', '--interface-address', '192.168.67'], /--interface-address "192\.168\.67" is not an IPv4 address/],
    [['dhcp', 'explain', '--config', two, '--mac', '52:54:00:00:00:01'], /declares 2 subnets \(10\.0\.0\.0\/255\.0\.0\.0, 192\.168\.67\.0\/255\.255\.255\.0\): pass --interface-address/],
    [['dhcp', 'explain', '--config', conf, '--mac', '52:54:00:00:00:01', '--arhc', '7'], /unknown option --arhc/],
    [['dhcp', 'frobnicate'], /unknown dhcp subcommand "frobnicate"/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
