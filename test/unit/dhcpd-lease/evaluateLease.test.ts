import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateLease } from '../../../server/src/lang/dhcpd/lease/evaluateLease';
import type { LeaseDecision, LeaseOffer, LeaseRequest, LeaseState } from '../../../server/src/lang/dhcpd/leaseTypes';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';
import { random } from '../../support/random';

const free: LeaseState = { isTaken: () => false, previousAddress: () => undefined };

function decide(conf: string, request: Partial<LeaseRequest> = {}, state: LeaseState = free): LeaseDecision {
  const { tree, problems } = parseDhcpdConf(conf);
  assert.deepEqual(problems, [], 'the fixture itself must parse');
  return evaluateLease(tree, { mac: '52:54:00:00:00:99', interfaceAddress: '192.168.67.1', ...request }, state);
}

function offer(conf: string, request: Partial<LeaseRequest> = {}, state: LeaseState = free): LeaseOffer {
  const d = decide(conf, request, state);
  assert.equal(d.kind, 'offer', d.kind === 'none' ? d.reason : '');
  return d as LeaseOffer;
}

/** 1-based line of the first line containing `needle`, to keep expectations readable. */
const lineOf = (conf: string, needle: string) => conf.split('\n').findIndex((l) => l.includes(needle));
const option = (o: LeaseOffer, name: string) => o.options.find((x) => x.name === name);
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : undefined);

const PXE = `option arch code 93 = unsigned integer 16;
default-lease-time 600;
option domain-name-servers 192.168.67.1;
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.100 192.168.67.199;
  next-server 192.168.67.1;
  option routers 192.168.67.1;
  if exists user-class and option user-class = "iPXE" {
    filename "boot.ipxe";
  } elsif option arch = 00:07 or option arch = 00:09 {
    filename "core.efi";
  } else {
    filename "pxelinux.0";
  }
}
`;

for (const eol of ['\n', '\r\n']) {
  test(`PXE branches by architecture and user class, each value with its line (${JSON.stringify(eol)})`, () => {
    const conf = PXE.replace(/\n/g, eol);
    const bios = offer(conf, { arch: 0 });
    assert.equal(bios.filename?.value, 'pxelinux.0');
    assert.equal(bios.filename?.origin.line, lineOf(PXE, 'pxelinux.0'));
    assert.deepEqual(bios.branches.map((b) => b.condition), ['else']);
    const efi = offer(conf, { arch: 7 });
    assert.equal(efi.filename?.value, 'core.efi');
    assert.deepEqual(efi.branches.map((b) => [b.condition, b.origin.line]), [['elsif option arch = 00:07 or option arch = 00:09', lineOf(PXE, 'elsif')]]);
    assert.equal(offer(conf, { arch: 9 }).filename?.value, 'core.efi');
    assert.equal(offer(conf, { arch: 7, userClass: 'iPXE' }).filename?.value, 'boot.ipxe');
    assert.equal(offer(conf, {}).filename?.value, 'pxelinux.0', 'no option 93: the null comparison is false');
    assert.equal(bios.nextServer?.value, '192.168.67.1');
    assert.equal(bios.address.value, '192.168.67.100');
    assert.equal(bios.address.origin.line, lineOf(PXE, 'range'));
    assert.equal(bios.defaultLeaseTime.value, 600);
    assert.equal(bios.defaultLeaseTime.origin.line, 1);
    assert.deepEqual(bios.maxLeaseTime, { value: 86400, origin: { line: -1 } }, "dhcpd's default, no line");
    assert.equal(hex(option(bios, 'domain-name-servers')?.data), 'c0a84301');
    assert.equal(option(bios, 'domain-name-servers')?.origin.line, 2);
    // dhcpd sends the subnet's netmask when the config sets no subnet-mask.
    assert.equal(hex(option(bios, 'subnet-mask')?.data), 'ffffff00');
    assert.equal(option(bios, 'subnet-mask')?.origin.line, lineOf(PXE, 'subnet '));
  });
}

test('inner scopes win: global < shared-network < subnet < pool < class < host', () => {
  const conf = `option domain-name "global";
class "pxe" { match if substring(option vendor-class-identifier, 0, 9) = "PXEClient"; option domain-name "class"; filename "class.0"; }
shared-network lan {
  option domain-name "shared";
  option log-servers 10.0.0.9;
  subnet 192.168.67.0 netmask 255.255.255.0 {
    option domain-name "subnet";
    pool {
      option domain-name "pool";
      server-name "pool-server";
      range 192.168.67.10 192.168.67.20;
    }
  }
}
group {
  option domain-name "group";
  host pc01 { hardware ethernet 52:54:00:00:00:01; option domain-name "host"; }
}
`;
  const text = (o: LeaseOffer) => option(o, 'domain-name')?.text;
  assert.equal(text(offer(conf, { mac: '52:54:00:00:00:02' })), '"pool"');
  const member = offer(conf, { mac: '52:54:00:00:00:02', vendorClass: 'PXEClient:Arch:00000' });
  assert.equal(text(member), '"class"');
  assert.deepEqual(member.classes.map((c) => [c.name, c.origin.line]), [['pxe', 1]]);
  assert.equal(member.filename?.value, 'class.0');
  const host = offer(conf, { mac: '52:54:00:00:00:01', vendorClass: 'PXEClient' });
  assert.equal(text(host), '"host"', 'the host is executed last');
  assert.equal(host.host?.name, 'pc01');
  assert.equal(host.sharedNetwork?.name, 'lan');
  assert.equal(host.serverName?.value, 'pool-server');
  assert.equal(option(host, 'log-servers')?.origin.line, 4, 'shared-network settings reach the subnet');
  assert.equal(host.pool?.origin.line, 7);
});

test('of two matching classes the first declared wins, as dhcpd runs them last-matched first', () => {
  const conf = `class "first" { match if exists vendor-class-identifier; option default-ip-ttl 64; }
class "second" { match if exists vendor-class-identifier; option default-ip-ttl 32; option interface-mtu 1400; }
subnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.10 192.168.67.19; option interface-mtu 1500; }
`;
  const o = offer(conf, { vendorClass: 'PXEClient' });
  assert.deepEqual(o.classes.map((c) => c.name), ['first', 'second']);
  assert.equal(hex(option(o, 'default-ip-ttl')?.data), '40');
  assert.equal(option(o, 'default-ip-ttl')?.origin.line, 0);
  assert.equal(hex(option(o, 'interface-mtu')?.data), '0578', 'a class overrides the subnet');
});

test('fixed-address hosts, known/unknown clients and class membership in pools', () => {
  const conf = `class "foo" { match if substring(option vendor-class-identifier, 0, 4) = "SUNW"; }
subnet 192.168.67.0 netmask 255.255.255.0 {
  pool { allow members of "foo"; range 192.168.67.10 192.168.67.19; }
  pool { deny members of "foo"; deny unknown-clients; range 192.168.67.20 192.168.67.29; }
}
host known { hardware ethernet 52:54:00:00:00:01; }
host fixed { hardware ethernet 52:54:00:00:00:02; fixed-address 192.168.67.5; }
`;
  assert.equal(offer(conf, { mac: '52:54:00:00:00:09', vendorClass: 'SUNW.Ultra' }).address.value, '192.168.67.10');
  assert.equal(offer(conf, { mac: '52:54:00:00:00:01' }).address.value, '192.168.67.20');
  const stranger = decide(conf, { mac: '52:54:00:00:00:03' });
  assert.equal(stranger.kind, 'none');
  assert.match((stranger as { reason: string }).reason, /no pool on this network admits 52:54:00:00:00:03 \(an unknown client\)/);
  const fixed = offer(conf, { mac: '52:54:00:00:00:02' });
  assert.equal(fixed.address.value, '192.168.67.5');
  assert.equal(fixed.isStatic, true);
  assert.equal(fixed.address.origin.line, 6);
});

test('the lease state: taken addresses are skipped, a returning client gets its old one, a free requested one is honoured', () => {
  const conf = 'subnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.10 192.168.67.12; }\n';
  const taken = new Set(['192.168.67.10', '192.168.67.11']);
  const state: LeaseState = { isTaken: (a) => taken.has(a), previousAddress: (mac) => (mac === '52:54:00:00:00:07' ? '192.168.67.11' : undefined) };
  assert.equal(offer(conf, {}, state).address.value, '192.168.67.12');
  assert.equal(offer(conf, { requestedAddress: '192.168.67.12' }).address.value, '192.168.67.12');
  const full: LeaseState = { isTaken: () => true, previousAddress: () => undefined };
  const none = decide(conf, {}, full);
  assert.equal(none.kind, 'none');
  assert.match((none as { reason: string }).reason, /every address of the ranges open to 52:54:00:00:00:99 is leased/);
  assert.equal(offer(conf, { mac: '52:54:00:00:00:07' }, { isTaken: () => false, previousAddress: () => '192.168.67.11' }).address.value, '192.168.67.11');
});

test('lease times: default, requested, capped by max, raised to min; -1 is infinite', () => {
  const conf = 'default-lease-time 600; max-lease-time 7200; min-lease-time 300;\nsubnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.10 192.168.67.12; }\n';
  assert.equal(offer(conf).leaseTime.value, 600);
  assert.equal(offer(conf, { requestedLeaseTime: 3600 }).leaseTime.value, 3600);
  assert.equal(offer(conf, { requestedLeaseTime: 99999 }).leaseTime.value, 7200);
  assert.equal(offer(conf, { requestedLeaseTime: 10 }).leaseTime.value, 300);
  const infinite = offer('default-lease-time -1; max-lease-time -1;\nsubnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.10 192.168.67.12; }\n');
  assert.equal(infinite.leaseTime.value, 0xffffffff);
});

test('no answer, with the reason: no subnet for the interface, unknown clients denied, no range', () => {
  const none = decide('subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.5 10.0.0.9; }\n');
  assert.match((none as { reason: string }).reason, /no subnet declaration covers the interface address 192\.168\.67\.1.*subnet 192\.168\.67\.0 netmask 255\.255\.255\.0/);
  const denied = decide('subnet 192.168.67.0 netmask 255.255.255.0 {\n  deny unknown-clients;\n  range 192.168.67.10 192.168.67.12;\n}\n');
  assert.equal(denied.kind, 'none');
  assert.equal((denied as { origin?: { line: number } }).origin?.line, 1);
  const empty = decide('subnet 192.168.67.0 netmask 255.255.255.0 { }\n');
  assert.match((empty as { reason: string }).reason, /no range or fixed-address/);
});

test('encapsulated spaces: iPXE options go out inside option 175, and `exists ipxe.menu` reads the client\'s 175', () => {
  const conf = `option space ipxe;
option ipxe-encap-opts code 175 = encapsulate ipxe;
option ipxe.menu code 39 = unsigned integer 8;
option ipxe.no-pxedhcp code 176 = unsigned integer 8;
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.20 192.168.67.250;
  option ipxe.no-pxedhcp 1;
  if exists ipxe.menu { filename "ltsp.ipxe"; } else { filename "undionly.kpxe"; }
}
`;
  const plain = offer(conf);
  assert.equal(plain.filename?.value, 'undionly.kpxe');
  assert.equal(hex(option(plain, 'ipxe-encap-opts')?.data), 'b00101');
  const ipxe = offer(conf, { rawOptions: new Map([[175, Uint8Array.of(39, 1, 1, 19, 1, 1)]]) });
  assert.equal(ipxe.filename?.value, 'ltsp.ipxe');
});

test('expressions: binary-to-ascii over hardware, suffix, concat, regex, config-option, use-host-decl-names', () => {
  const conf = `use-host-decl-names on;
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.20 192.168.67.30;
  if binary-to-ascii(16, 8, "-", substring(hardware, 0, 4)) = "1-0-a-95" { option root-path "ppc"; } else { option root-path "i386"; }
  if suffix(option vendor-class-identifier, 3) = "016" { option merit-dump "efi"; }
  if option vendor-class-identifier ~~ "^pxeclient" { option extensions-path "re"; }
  if option vendor-class-identifier ~= "^pxeclient" { option swap-server 10.0.0.1; }
  option domain-name = concat("node-", binary-to-ascii(10, 8, ".", leased-address));
  if option user-class = "iPXE" { filename "ipxe"; } else { filename "other"; }
  option tftp-server-name = config-option domain-name;
}
host apple { hardware ethernet 00:0a:95:00:00:01; }
`;
  const apple = offer(conf, { mac: '00:0a:95:00:00:01', vendorClass: 'PXEClient:Arch:00007:UNDI:003016', userClass: 'iPXE' });
  const text = (o: LeaseOffer, name: string) => Buffer.from(option(o, name)?.data ?? []).toString();
  assert.equal(text(apple, 'root-path'), 'ppc');
  assert.equal(text(apple, 'merit-dump'), 'efi');
  assert.equal(text(apple, 'extensions-path'), 're', '~~ ignores case');
  assert.equal(option(apple, 'swap-server'), undefined, '~= does not');
  assert.equal(text(apple, 'domain-name'), 'node-192.168.67.20');
  assert.equal(text(apple, 'tftp-server-name'), 'node-192.168.67.20');
  assert.equal(apple.filename?.value, 'ipxe');
  assert.equal(text(apple, 'host-name'), 'apple');
  const other = offer(conf, { mac: '52:54:00:00:00:01' });
  assert.equal(text(other, 'root-path'), 'i386');
  assert.equal(other.filename?.value, 'other');
  assert.equal(option(other, 'host-name'), undefined, 'no host declaration, no host name');
});

test('switch: the matching case runs up to break, else default', () => {
  const conf = 'subnet 192.168.67.0 netmask 255.255.255.0 {\n  range 192.168.67.20 192.168.67.30;\n  switch (option user-class) {\n    case "iPXE":\n      filename "ipxe";\n      break;\n    default:\n      filename "other";\n  }\n}\n';
  assert.equal(offer(conf, { userClass: 'iPXE' }).filename?.value, 'ipxe');
  assert.equal(offer(conf, { userClass: 'x' }).filename?.value, 'other');
  assert.deepEqual(offer(conf, { userClass: 'iPXE' }).branches.map((b) => b.origin.line), [3]);
});

test('DNS names where addresses go are reported, not invented', () => {
  const o = offer('subnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.20 192.168.67.30; option routers gw.example.org; next-server tftp.example.org; }\n');
  assert.equal(option(o, 'routers'), undefined);
  assert.equal(o.nextServer, undefined);
  assert.equal(o.notes.length, 2);
  assert.match(o.notes.join('\n'), /gw\.example\.org.*write the address/);
});

test('a broken config or request never throws', () => {
  for (const conf of ['subnet 192.168.67.0 netmask {', 'if option = { filename', 'host { hardware ethernet zz; fixed-address ; }', '}}}', 'option x code 999 = bogus; option x 1;']) {
    const { tree } = parseDhcpdConf(conf);
    assert.doesNotThrow(() => evaluateLease(tree, { mac: '52:54:00:00:00:01', interfaceAddress: '192.168.67.1' }, free), conf);
  }
  const { tree } = parseDhcpdConf(PXE);
  assert.match((evaluateLease(tree, { mac: 'nope', interfaceAddress: '192.168.67.1' }, free) as { reason: string }).reason, /not a hardware address/);
  assert.match((evaluateLease(tree, { mac: '52:54:00:00:00:01', interfaceAddress: 'x' }, free) as { reason: string }).reason, /not an IPv4 interface address/);
});

test('mutated corpus configs: the evaluator never throws', () => {
  const dir = join(__dirname, '..', '..', 'corpus', 'dhcpd-conf');
  const texts = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
  assert.ok(texts.length >= 8, 'the dhcpd.conf corpus is there');
  const rand = random(93);
  const pieces = ['{', '}', ';', '"', '(', ')', 'if', 'option arch', '= 00:07', 'range', '10.0.0.', 'host', 'pool', 'class', 'subclass', 'allow members of', 'deny', 'fixed-address', ',', 'not', 'and', '-1'];
  let evaluated = 0;
  for (let i = 0; i < 400; i++) {
    const base = texts[i % texts.length] as string;
    let text = base;
    for (let m = 0; m < 3; m++) {
      const at = Math.floor(rand() * text.length);
      const cut = Math.floor(rand() * 12);
      text = text.slice(0, at) + (rand() < 0.5 ? (pieces[Math.floor(rand() * pieces.length)] as string) : '') + text.slice(at + cut);
    }
    const { tree } = parseDhcpdConf(text);
    for (const iface of ['192.168.67.1', '172.31.100.254', '10.5.5.1', '10.17.224.1']) {
      for (const request of [{ arch: 7 }, { arch: 0, userClass: 'iPXE', vendorClass: 'PXEClient' }, { vendorClass: 'SUNW' }]) {
        assert.doesNotThrow(() => evaluateLease(tree, { mac: '52:54:00:00:00:01', interfaceAddress: iface, ...request }, free), `mutation ${i}`);
        evaluated++;
      }
    }
  }
  assert.equal(evaluated, 400 * 12);
});

test('subclasses by data and spawned classes', () => {
  const conf = `class "vendor" { match option vendor-class-identifier; }
subclass "vendor" "PXEClient:Arch:00007" { filename "efi"; }
subclass "vendor" "PXEClient:Arch:00000" { filename "bios"; }
class "per-client" { spawn with option dhcp-client-identifier; lease limit 1; }
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.10 192.168.67.19;
  pool { allow members of "per-client"; range 192.168.67.100 192.168.67.109; }
}
`;
  const efi = offer(conf, { vendorClass: 'PXEClient:Arch:00007' });
  assert.equal(efi.filename?.value, 'efi');
  assert.deepEqual(efi.classes.map((c) => [c.name, c.origin.line]), [['vendor', 1]]);
  assert.equal(offer(conf, { vendorClass: 'PXEClient:Arch:00000' }).filename?.value, 'bios');
  assert.equal(offer(conf, { vendorClass: 'other' }).filename, undefined);
  const spawned = offer(conf, { rawOptions: new Map([[61, Uint8Array.of(1, 0x52, 0x54, 0, 0, 0, 1)]]) });
  assert.deepEqual(spawned.classes.map((c) => c.name), ['per-client']);
});
