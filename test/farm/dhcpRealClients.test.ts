/**
 * The farm's DHCP server against real software, on a LAN of two network
 * namespaces joined by a veth pair (created and deleted by each test):
 * - ISC dhcpd 4.4 and our server get the same config and the same DISCOVERs
 *   and REQUESTs (BIOS PXE, UEFI PXE, iPXE, a client without a request list):
 *   the answers must agree on address, next-server, file name and options;
 * - busybox udhcpc gets its lease from our server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addressedInterfaces } from '../../server/src/farm/dhcp/privateNetwork';
import { createLan, netnsAvailable, run, stop, waitForOutput, type Lan, type Namespace } from '../support/netns';

const root = join(__dirname, '..', '..');
const corpus = join(__dirname, '..', 'corpus', 'dhcpd-conf');
const dhcpd = '/usr/sbin/dhcpd';
const skip = !netnsAvailable() ? 'needs root for ip netns' : !existsSync(dhcpd) ? 'needs isc-dhcp-server (/usr/sbin/dhcpd)' : false;

/** The bundled CLI (`npm test` builds it first): `dhcp serve` and `dhcp probe` start in a fraction of a second. */
const cli = join(root, 'bin', 'netboot-farm.js');

interface ProbeCase {
  readonly label: string;
  readonly mac: string;
  readonly arch?: number;
  readonly userClass?: string;
  readonly vendorClass?: string;
  readonly parameterRequestList?: readonly number[];
  readonly extra?: readonly [number, string][];
  readonly request: boolean;
  readonly timeoutMs: number;
}

interface Reply {
  readonly type: number;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly file: string;
  readonly sname: string;
  readonly options: Record<string, string>;
  readonly optionOrder: number[];
}

/** What a PXE ROM asks for (option 55), trimmed to what matters. */
const PXE_PRL = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135, 175];

function cases(prefix: string, more: ProbeCase[] = []): ProbeCase[] {
  const base = { request: true, timeoutMs: 8000 };
  return [
    { ...base, label: 'BIOS PXE', mac: `${prefix}:01`, arch: 0, vendorClass: 'PXEClient:Arch:00000:UNDI:002001', parameterRequestList: PXE_PRL },
    { ...base, label: 'UEFI PXE', mac: `${prefix}:02`, arch: 7, vendorClass: 'PXEClient:Arch:00007:UNDI:003016', parameterRequestList: PXE_PRL },
    // iPXE: user class "iPXE", and its feature list in option 175 (39 = menu, 19 = HTTP).
    { ...base, label: 'iPXE', mac: `${prefix}:03`, arch: 0, userClass: 'iPXE', vendorClass: 'PXEClient:Arch:00000:UNDI:002001', parameterRequestList: PXE_PRL, extra: [[175, '270101130101']] },
    // No parameter request list: dhcpd's default option list applies.
    { ...base, label: 'no request list', mac: `${prefix}:04` },
    ...more,
  ];
}

/** Runs the cases one after another, as separate clients, from one `dhcp probe --batch` in the client namespace. */
async function probeAll(client: Namespace, list: readonly ProbeCase[]): Promise<{ offer?: Reply; ack?: Reply }[]> {
  const input = list.map((c) => JSON.stringify({ ...c, options: c.extra ?? [] })).join('\n') + '\n';
  const r = await run('ip', ['netns', 'exec', client.name, process.execPath, cli, 'dhcp', 'probe', '--batch'], { input, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`dhcp probe --batch failed (${r.code}): ${r.stderr}`);
  const out = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { offer?: Reply; ack?: Reply });
  assert.equal(out.length, list.length, 'one answer per client');
  return out;
}

async function withIscDhcpd<T>(lan: Lan, dir: string, conf: string, body: () => Promise<T>): Promise<T> {
  const leases = join(dir, 'dhcpd.leases');
  writeFileSync(leases, '');
  const child = lan.server.spawn(dhcpd, ['-f', '-d', '-4', '-cf', conf, '-lf', leases, '-pf', join(dir, 'dhcpd.pid'), lan.serverIf]);
  try {
    await waitForOutput(child, /Server starting service\./);
    return await body();
  } finally {
    await stop(child);
  }
}

async function withOurServer<T>(lan: Lan, dir: string, conf: string, interfaceAddress: string, body: (events: () => string) => Promise<T>): Promise<T> {
  const child = lan.server.spawn(process.execPath, [cli, 'dhcp', 'serve', '--config', conf, '--interface-address', interfaceAddress, '--leases', join(dir, 'ours.json')]);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += String(d)));
  try {
    await waitForOutput(child, /"kind":"listening"/, 20_000);
    return await body(() => output);
  } finally {
    await stop(child);
  }
}

/** Options dhcpd places first, in this order, when a client sends no request list; the rest come in hash order. */
const FIXED_ORDER = [53, 54, 51, 58, 59, 118, 1, 3, 6, 12, 81];

/**
 * The fields both servers must agree on. Without a request list, dhcpd sends
 * the options past its default list in its hash table's order, so there only
 * the set is compared. Option 51 is compared apart (see leaseSeconds).
 */
function comparable(reply: Reply | undefined, ordered: boolean) {
  if (!reply) return undefined;
  const options = Object.fromEntries(Object.entries(reply.options).filter(([code]) => code !== '51'));
  const fixed = reply.optionOrder.filter((c) => FIXED_ORDER.includes(c));
  const order = ordered ? reply.optionOrder : [...fixed, ...reply.optionOrder.filter((c) => !FIXED_ORDER.includes(c)).sort((a, b) => a - b)];
  return { type: reply.type, yiaddr: reply.yiaddr, siaddr: reply.siaddr, file: reply.file, sname: reply.sname, options, optionOrder: order };
}

/** An infinite lease goes out as the seconds left until 2038, which moves while the test runs: a minute's slack. */
function assertLeaseTime(ours: Reply | undefined, theirs: Reply | undefined, label: string): void {
  const seconds = (r: Reply | undefined) => (r?.options['51'] === undefined ? undefined : parseInt(r.options['51'], 16));
  const a = seconds(ours);
  const b = seconds(theirs);
  if (a === undefined || b === undefined) return assert.equal(a, b, `${label}: lease time present in one answer only`);
  assert.ok(Math.abs(a - b) <= (b > 100_000_000 ? 60 : 0), `${label}: lease time ${a} s, dhcpd says ${b} s`);
}

interface Agreement {
  readonly name: string;
  readonly config: () => string;
  /** The farm interface's address, with its prefix length. */
  readonly serverAddress: string;
  readonly cases: ProbeCase[];
}

const corpusFile = (name: string) => () => readFileSync(join(corpus, name), 'utf8');

/** dhcp-eval(5) corners, checked against dhcpd rather than against what its man page implies. */
const EXPRESSIONS = `option arch code 93 = unsigned integer 16;
option space ipxe;
option ipxe-encap-opts code 175 = encapsulate ipxe;
option ipxe.menu code 39 = unsigned integer 8;
class "first" { match if substring(option vendor-class-identifier, 0, 9) = "PXEClient"; option default-ip-ttl 64; }
class "second" { match if exists vendor-class-identifier; option default-ip-ttl 32; option max-dgram-reassembly 1500; }
subnet 192.168.67.0 netmask 255.255.255.0 {
  range 192.168.67.10 192.168.67.50;
  option max-dgram-reassembly 576;
  if option host-name = option merit-dump { option nis-domain "nulls-equal"; } else { option nis-domain "nulls-differ"; }
  if substring(option vendor-class-identifier, 100, 3) = "" { option ntp-servers 10.0.0.1; }
  if option vendor-class-identifier ~~ "^pxeclient" { option extensions-path "ci"; }
  if option vendor-class-identifier ~= "^pxeclient" { option root-path "cs"; }
  option domain-name = concat("n-", binary-to-ascii(16, 8, "-", substring(hardware, 1, 6)));
  if not (option arch = 00:09 and option arch = 00:07) { option nis-servers 10.0.0.2; }
  if exists ipxe.menu { filename "menu"; } elsif option arch = 00:07 { filename "efi"; } else { filename "bios"; }
  if option user-class = "iPXE" or option arch = 00:00 { option broadcast-address 192.168.67.255; }
}
`;

const agreements: Agreement[] = [
  { name: 'expression semantics', config: () => EXPRESSIONS, serverAddress: '192.168.67.1/24', cases: cases('52:54:00:ee:00') },
  { name: 'example farm', config: () => readFileSync(join(root, 'examples/farm/dhcpd.conf'), 'utf8'), serverAddress: '192.168.67.1/24', cases: cases('52:54:00:00:01').concat([{ label: 'fixed-address host', mac: '52:54:00:00:00:01', arch: 7, parameterRequestList: PXE_PRL, request: true, timeoutMs: 8000 }]) },
  { name: '01-kvaps', config: corpusFile('01-kvaps-dhcpd.conf'), serverAddress: '192.168.67.1/24', cases: cases('52:54:00:01:00') },
  { name: '02-kvaps', config: corpusFile('02-kvaps-dhcpd.conf'), serverAddress: '192.168.67.1/24', cases: cases('52:54:00:02:00') },
  { name: '03-kvaps (shared network, Apple MAC prefixes)', config: corpusFile('03-kvaps-dhcpd.conf'), serverAddress: '172.31.100.254/24', cases: cases('52:54:00:03:00', [{ label: 'Apple MAC', mac: '00:0a:95:00:00:01', vendorClass: 'AAPLBSDPC/i386', parameterRequestList: PXE_PRL, request: true, timeoutMs: 8000 }]) },
  { name: '04-kvaps', config: corpusFile('04-kvaps-dhcpd.conf'), serverAddress: '192.168.67.1/24', cases: cases('52:54:00:04:00', [{ label: 'Etherboot', mac: '52:54:00:04:00:09', vendorClass: 'Etherboot-5.4', parameterRequestList: PXE_PRL, request: true, timeoutMs: 8000 }]) },
  { name: '05-ltsp (iPXE encapsulated options)', config: corpusFile('05-ltsp-dhcpd.conf'), serverAddress: '192.168.67.1/24', cases: cases('52:54:00:05:00', [{ label: 'EFI x64 (9)', mac: '52:54:00:05:00:09', arch: 9, parameterRequestList: PXE_PRL, request: true, timeoutMs: 8000 }]) },
  { name: '11-Beck-Chen (infinite leases)', config: corpusFile('11-Beck-Chen-dhcpd.conf'), serverAddress: '192.168.1.5/24', cases: cases('52:54:00:11:00') },
  { name: '16-isc sample, plain subnet', config: corpusFile('16-isc-projects-dhcpd.conf'), serverAddress: '10.5.5.1/27', cases: cases('52:54:00:16:00') },
  {
    name: '16-isc sample, class pools in a shared network',
    config: corpusFile('16-isc-projects-dhcpd.conf'),
    serverAddress: '10.17.224.1/24',
    cases: cases('52:54:00:17:00', [{ label: 'SUNW member of "foo"', mac: '52:54:00:17:00:09', vendorClass: 'SUNW.Ultra-5_10', parameterRequestList: PXE_PRL, request: true, timeoutMs: 8000 }]),
  },
];

let lan: Lan | undefined;
before(async () => {
  if (!skip) lan = await createLan('agr');
});
after(() => lan?.remove());

for (const a of agreements) {
  test(`agrees with ISC dhcpd: ${a.name}`, { skip }, async (t) => {
    const l = lan as Lan;
    const dir = mkdtempSync(join(tmpdir(), 'nbf-dhcp-agree-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    await l.server.exec('ip', ['addr', 'flush', 'dev', l.serverIf]);
    await l.server.exec('ip', ['addr', 'add', a.serverAddress, 'dev', l.serverIf]);
    const conf = join(dir, 'dhcpd.conf');
    writeFileSync(conf, a.config());
    const interfaceAddress = a.serverAddress.split('/')[0] as string;
    const theirs = await withIscDhcpd(l, dir, conf, () => probeAll(l.client, a.cases));
    const ours = await withOurServer(l, dir, conf, interfaceAddress, () => probeAll(l.client, a.cases));
    assert.ok(theirs.some((r) => r.offer), `ISC dhcpd answered none of the requests on ${a.name}: the comparison would prove nothing`);
    a.cases.forEach((c, i) => {
      const ordered = c.parameterRequestList !== undefined;
      assert.deepEqual(comparable(ours[i]?.offer, ordered), comparable(theirs[i]?.offer, ordered), `${c.label}: OFFER differs from dhcpd's`);
      assert.deepEqual(comparable(ours[i]?.ack, ordered), comparable(theirs[i]?.ack, ordered), `${c.label}: ACK differs from dhcpd's`);
      assertLeaseTime(ours[i]?.offer, theirs[i]?.offer, `${c.label} OFFER`);
      assertLeaseTime(ours[i]?.ack, theirs[i]?.ack, `${c.label} ACK`);
    });
  });
}

test('busybox udhcpc gets its lease, boot file and next-server from our server; a restart keeps the leases', { skip: skip || (!existsSync('/bin/busybox') && 'needs busybox-static') }, async (t) => {
  const l = lan as Lan;
  const dir = mkdtempSync(join(tmpdir(), 'nbf-udhcpc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await l.server.exec('ip', ['addr', 'flush', 'dev', l.serverIf]);
  await l.server.exec('ip', ['addr', 'add', '192.168.67.1/24', 'dev', l.serverIf]);
  const conf = join(dir, 'dhcpd.conf');
  const confText = readFileSync(join(root, 'examples/farm/dhcpd.conf'), 'utf8');
  writeFileSync(conf, confText);
  // udhcpc runs this script with the lease in its environment.
  const script = join(dir, 'udhcpc.sh');
  writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && env > "$LEASE_DIR/$interface.$(cat /sys/class/net/$interface/address | tr : -).env"\nexit 0\n', { mode: 0o755 });
  const udhcpc = async (mac: string, extra: string[]) => {
    await l.client.exec('ip', ['link', 'set', l.clientIf, 'address', mac]);
    const r = await run('ip', ['netns', 'exec', l.client.name, '/bin/busybox', 'udhcpc', '-i', l.clientIf, '-f', '-q', '-n', '-t', '4', '-T', '1', '-s', script, ...extra], { env: { ...process.env, LEASE_DIR: dir }, timeoutMs: 30_000 });
    assert.equal(r.code, 0, `udhcpc got no lease: ${r.stderr}`);
    const env = readFileSync(join(dir, `${l.clientIf}.${mac.replace(/:/g, '-')}.env`), 'utf8');
    return Object.fromEntries(env.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  };
  const leases = join(dir, 'leases.json');
  const serve = () => {
    const child = l.server.spawn(process.execPath, [cli, 'dhcp', 'serve', '--config', conf, '--interface-address', '192.168.67.1', '--leases', leases]);
    let events = '';
    child.stdout?.on('data', (d: Buffer) => (events += String(d)));
    return { child, events: () => events.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; node?: string; origin?: { line: number } }) };
  };
  const first = serve();
  try {
    await waitForOutput(first.child, /"kind":"listening"/, 20_000);
    // UEFI (option 93 = 7, sent as udhcpc's -x 0x5d:0007).
    const efi = await udhcpc('52:54:00:aa:00:01', ['-x', '0x5d:0007']);
    assert.equal(efi.ip, '192.168.67.100');
    assert.equal(efi.subnet, '255.255.255.0');
    assert.equal(efi.siaddr, '192.168.67.1');
    assert.equal(efi.boot_file, 'boot/grub/x86_64-efi/core.efi');
    // iPXE says so in option 77.
    const ipxe = await udhcpc('52:54:00:aa:00:02', ['-x', `0x4d:${Buffer.from('iPXE').toString('hex')}`]);
    assert.equal(ipxe.ip, '192.168.67.101');
    assert.equal(ipxe.boot_file, 'ltsp/amd64/boot.ipxe');
    const leaseEvent = first.events().find((e) => e.kind === 'lease' && e.node === '52:54:00:aa:00:01');
    assert.ok(leaseEvent, 'an ACK event for the UEFI client');
    assert.equal(leaseEvent.origin?.line, confText.split('\n').findIndex((line) => line.includes('core.efi')), 'the event names the line of the boot file');
  } finally {
    await stop(first.child);
  }
  // A new farm process reads the lease file: the second client keeps .101 and a newcomer gets .102.
  const second = serve();
  try {
    await waitForOutput(second.child, /"kind":"listening"/, 20_000);
    assert.equal((await udhcpc('52:54:00:aa:00:03', [])).ip, '192.168.67.102');
    assert.equal((await udhcpc('52:54:00:aa:00:02', [])).ip, '192.168.67.101');
  } finally {
    await stop(second.child);
  }
});

test('dhcp serve refuses to start in the host network namespace', async (t) => {
  if (!existsSync(cli)) return t.skip('the CLI is not built');
  if (!addressedInterfaces().some((i) => i.name !== 'lo' && !i.name.startsWith('nbf'))) return t.skip('this namespace has no real interface to protect');
  return run(process.execPath, [cli, 'dhcp', 'serve', '--config', join(root, 'examples/farm/dhcpd.conf'), '--interface-address', '192.168.67.1']).then((r) => {
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /refusing to start the DHCP server: this network namespace has interfaces outside the farm: .*\(/);
  });
});
