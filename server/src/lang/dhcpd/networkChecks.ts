import type { Reporter } from '../core/diagnostics';
import type { Declaration, RangeStatement, Token } from './ast';
import type { Container, Visitor } from './dhcpdModel';
import type { DhcpdCode } from './dhcpdRules';
import { formatIpv4, hexBytes, ipv4Value, looksLikeIpv4 } from './lexer';

/**
 * The address plan: subnets against their netmasks, ranges against their
 * subnets and each other, hosts against each other. These are the errors
 * `dhcpd -t` finds only one at a time ("bad range", "declared twice") and
 * the mistakes it does not find at all (two hosts with one MAC).
 */
export interface SubnetFacts {
  readonly declaration: Declaration;
  readonly network: number;
  readonly mask: number;
  readonly broadcast: number;
}

/** A valid netmask: ones then zeros. Undefined otherwise. */
export function prefixLength(mask: number): number | undefined {
  for (let bits = 0; bits <= 32; bits++) {
    const candidate = bits === 0 ? 0 : (0xffffffff - (2 ** (32 - bits) - 1));
    if (candidate === mask) return bits;
  }
  return undefined;
}

function maskAnd(a: number, b: number): number {
  return ((a & b) >>> 0);
}

/** The subnet a `subnet` declaration describes, when its header is readable and consistent. */
export function subnetFacts(declaration: Declaration): SubnetFacts | undefined {
  const network = declaration.name ? ipv4Value(declaration.name.value) : undefined;
  const mask = declaration.netmask ? ipv4Value(declaration.netmask.value) : undefined;
  if (network === undefined || mask === undefined || prefixLength(mask) === undefined) return undefined;
  return { declaration, network, mask, broadcast: (maskAnd(network, mask) + (0xffffffff - mask)) >>> 0 };
}

function describeSubnet(s: SubnetFacts): string {
  return `subnet ${formatIpv4(s.network)} netmask ${formatIpv4(s.mask)}`;
}

function badAddress(t: Token, what: string, reporter: Reporter<DhcpdCode>): void {
  reporter.report('DHCP011', t.range, { value: t.text, expected: 'an IPv4 address', name: what, type: 'a dotted-quad IPv4 address', fix: 'Each of the four numbers goes from 0 to 255.' });
}

export interface RangeFacts {
  readonly statement: RangeStatement;
  readonly low: number;
  readonly high: number;
}

/** What one top-level statement adds to the address plan: its subnets, ranges and hosts, in file order. */
export interface AddressPlan {
  readonly subnets: SubnetFacts[];
  readonly ranges: RangeFacts[];
  readonly hosts: HostFacts[];
}

/**
 * The address-plan checks of one top-level statement, as a visitor for the
 * walk validation makes of it: subnet headers and ranges are checked as they
 * are seen, and the facts the file-wide comparisons need are collected in
 * `plan` (kept with the statement between keystrokes; see `compareAddressPlans`).
 */
export function networkChecks(reporter: Reporter<DhcpdCode>): { visit: Visitor; plan: AddressPlan } {
  const plan: AddressPlan = { subnets: [], ranges: [], hosts: [] };
  const subnetOf = new Map<Declaration, SubnetFacts>();
  return {
    plan,
    visit(s, ancestors) {
      if (s.kind === 'declaration' && s.type === 'subnet') {
        const facts = checkSubnetHeader(s, reporter);
        if (facts) {
          plan.subnets.push(facts);
          subnetOf.set(s, facts);
        }
      } else if (s.kind === 'declaration' && s.type === 'host') plan.hosts.push(hostFacts(s));
      else if (s.kind === 'range') {
        const facts = checkRange(s, ancestors, subnetOf, reporter);
        if (facts) plan.ranges.push(facts);
      }
    },
  };
}

/** The checks across the whole file: overlapping subnets and ranges, hosts sharing a MAC or an address. */
export function compareAddressPlans(plans: readonly AddressPlan[], reporter: Reporter<DhcpdCode>): void {
  checkOverlappingSubnets(plans.flatMap((p) => p.subnets), reporter);
  checkOverlappingRanges(plans.flatMap((p) => p.ranges), reporter);
  checkHosts(plans, reporter);
}

function checkSubnetHeader(s: Declaration, reporter: Reporter<DhcpdCode>): SubnetFacts | undefined {
  if (!s.name || !s.netmask) return undefined;
  const network = ipv4Value(s.name.value);
  const mask = ipv4Value(s.netmask.value);
  if (network === undefined) {
    badAddress(s.name, 'subnet', reporter);
    return undefined;
  }
  if (mask === undefined) {
    badAddress(s.netmask, 'netmask', reporter);
    return undefined;
  }
  if (prefixLength(mask) === undefined) {
    reporter.report('DHCP011', s.netmask.range, { value: s.netmask.text, expected: 'a netmask', name: 'netmask', type: 'ones followed by zeros, such as 255.255.255.0', fix: 'Use a netmask such as 255.255.255.0 or 255.255.0.0.' });
    return undefined;
  }
  const networkNumber = maskAnd(network, mask);
  if (networkNumber !== network) {
    reporter.report('DHCP014', s.name.range, { address: s.name.text, netmask: s.netmask.text, network: formatIpv4(networkNumber) }, { network: formatIpv4(networkNumber) });
  }
  return subnetFacts({ ...s, name: { ...s.name, value: formatIpv4(networkNumber) } });
}

function containing(ancestors: readonly Container[], subnetOf: ReadonlyMap<Declaration, SubnetFacts>): { subnets: SubnetFacts[]; where?: string } {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.kind !== 'declaration') continue;
    if (a.node.type === 'subnet') {
      const facts = subnetOf.get(a.node);
      return { subnets: facts ? [facts] : [] };
    }
    if (a.node.type === 'shared-network') {
      // A pool of a shared network may draw from any of its subnets.
      const subnets = a.node.body.flatMap((c) => (c.kind === 'declaration' && c.type === 'subnet' && subnetOf.get(c) ? [subnetOf.get(c)!] : []));
      return { subnets, where: `any subnet of shared-network ${a.node.name?.text ?? ''}`.trim() };
    }
  }
  return { subnets: [] };
}

function checkRange(s: RangeStatement, ancestors: readonly Container[], subnetOf: ReadonlyMap<Declaration, SubnetFacts>, reporter: Reporter<DhcpdCode>): RangeFacts | undefined {
  if (!s.low) return undefined;
  const ends = [s.low, ...(s.high ? [s.high] : [])];
  const values: number[] = [];
  for (const t of ends) {
    const v = ipv4Value(t.value);
    if (v === undefined) {
      if (looksLikeIpv4(t.value) || t.kind === 'string' || !/^[A-Za-z]/.test(t.value)) badAddress(t, 'range', reporter);
      else reporter.report('DHCP011', t.range, { value: t.text, expected: 'an IPv4 address', name: 'range', type: 'two IPv4 addresses (host names are not allowed here)', fix: 'Write the first and last address of the range, e.g. `range 10.0.0.100 10.0.0.200;`.' });
      return undefined;
    }
    values.push(v);
  }
  const low = Math.min(...values);
  const high = Math.max(...values);
  const { subnets, where } = containing(ancestors, subnetOf);
  if (subnets.length > 0) {
    for (const [i, v] of values.entries()) {
      if (subnets.some((n) => n.network <= v && v <= n.broadcast)) continue;
      const first = subnets[0]!;
      reporter.report('DHCP013', ends[i]!.range, {
        address: ends[i]!.text,
        subnet: where ?? describeSubnet(first),
        inside: `from ${formatIpv4(first.network + 1)} to ${formatIpv4(first.broadcast - 1)}`,
      });
      return undefined;
    }
  }
  return { statement: s, low, high };
}

function checkOverlappingSubnets(subnets: SubnetFacts[], reporter: Reporter<DhcpdCode>): void {
  const sorted = [...subnets].sort((a, b) => a.network - b.network || b.broadcast - a.broadcast || line(a.declaration) - line(b.declaration));
  let widest: SubnetFacts | undefined;
  for (const s of sorted) {
    if (widest && s.network <= widest.broadcast) {
      const [earlier, later] = line(widest.declaration) <= line(s.declaration) ? [widest, s] : [s, widest];
      reporter.report('DHCP015', later.declaration.name!.range, { subnet: describeSubnet(later), other: describeSubnet(earlier), line: line(earlier.declaration) + 1 });
    }
    if (!widest || s.broadcast > widest.broadcast) widest = s;
  }
}

function checkOverlappingRanges(ranges: RangeFacts[], reporter: Reporter<DhcpdCode>): void {
  const sorted = [...ranges].sort((a, b) => a.low - b.low || line(a.statement) - line(b.statement));
  let widest: RangeFacts | undefined;
  for (const r of sorted) {
    if (widest && r.low <= widest.high) {
      const [earlier, later] = line(widest.statement) <= line(r.statement) ? [widest, r] : [r, widest];
      const from = Math.max(earlier.low, later.low);
      const to = Math.min(earlier.high, later.high);
      reporter.report('DHCP016', later.statement.keyword.range, {
        line: line(earlier.statement) + 1,
        overlap: from === to ? formatIpv4(from) : `${formatIpv4(from)}–${formatIpv4(to)}`,
        first: formatIpv4(from),
      });
    }
    if (!widest || r.high > widest.high) widest = r;
  }
}

function line(node: { range: { start: { line: number } } }): number {
  return node.range.start.line;
}

/** A host's own statements that identify it: its hardware addresses (normalised) and fixed addresses. */
export interface HostFacts {
  readonly host: Declaration;
  readonly identified: boolean;
  readonly fixed: boolean;
  readonly hardware: readonly { readonly address: Token; readonly key: string }[];
  /** Fixed addresses, with the spelling they are compared by. */
  readonly addresses: readonly { readonly token: Token; readonly key: string }[];
}

function hostFacts(host: Declaration): HostFacts {
  const hardware: { address: Token; key: string }[] = [];
  const addresses: { token: Token; key: string }[] = [];
  let identifier = false;
  let hasHardware = false;
  let fixed = false;
  for (const s of host.body) {
    if (s.kind === 'parameter') {
      if (s.name === 'hardware') {
        hasHardware = true;
        const address = s.values[1];
        const key = address && hardwareKey(s.values[0]?.value, address.value);
        if (address && key) hardware.push({ address, key });
      } else if (s.name === 'fixed-address') {
        fixed = true;
        for (const t of s.values) if (t.kind === 'word') addresses.push({ token: t, key: t.value.toLowerCase() });
      } else if (s.name === 'host-identifier') identifier = true;
    } else if (s.kind === 'option' && s.option?.name.toLowerCase() === 'dhcp-client-identifier') identifier = true;
  }
  return { host, identified: identifier || hasHardware, fixed, hardware, addresses };
}

// Every keystroke compares every host's MAC again; each spelling is normalised once.
const hardwareKeys = new Map<string, string | null>();

/** `ethernet 52:54:00:0a:0b:0c` whatever the case and leading zeros, or undefined when the address is not hex bytes. */
function hardwareKey(type: string | undefined, address: string): string | undefined {
  const spelling = `${type?.toLowerCase()} ${address}`;
  let key = hardwareKeys.get(spelling);
  if (key === undefined) {
    const bytes = hexBytes(address);
    key = bytes ? `${type?.toLowerCase()} ${bytes.map((b) => b.toString(16).padStart(2, '0')).join(':')}` : null;
    if (hardwareKeys.size > 100000) hardwareKeys.clear();
    hardwareKeys.set(spelling, key);
  }
  return key ?? undefined;
}

function checkHosts(plans: readonly AddressPlan[], reporter: Reporter<DhcpdCode>): void {
  const macs = new Map<string, Declaration>();
  const addresses = new Map<string, Declaration>();
  for (const plan of plans) for (const { host, identified, fixed, hardware, addresses: fixedAddresses } of plan.hosts) {
    if (!identified && host.name) reporter.report('DHCP019', host.name.range, { name: host.name.value, fixed: fixed ? '' : ' or `fixed-address`' });
    for (const { address, key } of hardware) {
      const other = macs.get(key);
      if (other) reporter.report('DHCP017', address.range, { mac: address.text, other: other.name?.value ?? '?', line: line(other) + 1 });
      else macs.set(key, host);
    }
    for (const { token: t, key } of fixedAddresses) {
      const other = addresses.get(key);
      if (other && other !== host) reporter.report('DHCP018', t.range, { address: t.text, other: other.name?.value ?? '?', line: line(other) + 1 });
      else addresses.set(key, host);
    }
  }
}
