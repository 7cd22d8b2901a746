import type { Declaration, DhcpdConfig, MatchStatement, PermissionStatement, Statement, Token } from '../ast';
import { hexBytes, ipv4Bytes } from './encodeValue';

/**
 * The declarations of a dhcpd.conf as dhcpd links them: every scope knows its
 * parent (for inheritance), subnets know their shared network, pools their
 * ranges and permits, hosts their hardware addresses, classes their match.
 */
export interface Scope {
  readonly decl?: Declaration;
  readonly parent?: Scope;
  readonly body: readonly Statement[];
}

export interface SubnetInfo {
  readonly scope: Scope;
  readonly decl: Declaration;
  readonly address: number;
  readonly mask: number;
  /** The shared-network scope, or undefined when the subnet stands alone. */
  readonly shared?: Scope;
}

export interface AddressRange {
  readonly low: number;
  readonly high: number;
  readonly line: number;
}

export interface PoolInfo {
  /** The pool declaration's scope; for ranges written straight in a subnet, the subnet's scope. */
  readonly scope: Scope;
  readonly explicit: boolean;
  /** What the pool belongs to: a subnet or shared-network scope. */
  readonly network: Scope;
  readonly ranges: readonly AddressRange[];
  readonly allow: readonly PermissionStatement[];
  readonly deny: readonly PermissionStatement[];
}

export interface HostInfo {
  readonly scope: Scope;
  readonly decl: Declaration;
  readonly name: string;
  /** Lower-case `aa:bb:..` from `hardware ethernet`. */
  readonly macs: readonly string[];
  /** `fixed-address` values as written (addresses or DNS names), with the line. */
  readonly fixedAddresses: readonly { readonly text: string; readonly line: number }[];
}

export interface ClassInfo {
  readonly scope: Scope;
  readonly decl: Declaration;
  readonly name: string;
  readonly match?: MatchStatement;
  /** `subclass "NAME" DATA { ... }`: members by data, each with its own scope. */
  readonly subclasses: { readonly data: Uint8Array; readonly scope: Scope; readonly decl: Declaration }[];
}

export interface Topology {
  readonly root: Scope;
  readonly subnets: readonly SubnetInfo[];
  readonly pools: readonly PoolInfo[];
  readonly hosts: readonly HostInfo[];
  readonly classes: readonly ClassInfo[];
}

export function ipv4Number(text: string | undefined): number | undefined {
  const bytes = text === undefined ? undefined : ipv4Bytes(text);
  return bytes ? (((bytes[0] as number) << 24) | ((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)) >>> 0 : undefined;
}

export function ipv4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

function tokenBytes(t: Token | undefined): Uint8Array | undefined {
  if (!t) return undefined;
  if (t.kind === 'string') return new TextEncoder().encode(t.value);
  return hexBytes(t.value);
}

/** `allow`/`deny` in a pool are permits; elsewhere they set flags (`deny unknown-clients;` = boot-unknown-clients false). */
function permitsOf(body: readonly Statement[]): { allow: PermissionStatement[]; deny: PermissionStatement[] } {
  const allow: PermissionStatement[] = [];
  const deny: PermissionStatement[] = [];
  for (const s of body) {
    if (s.kind !== 'permission') continue;
    if (s.verb === 'allow') allow.push(s);
    else deny.push(s);
  }
  return { allow, deny };
}

function rangesOf(body: readonly Statement[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const s of body) {
    if (s.kind !== 'range') continue;
    const low = ipv4Number(s.low?.value);
    const high = s.high ? ipv4Number(s.high.value) : low;
    if (low === undefined || high === undefined) continue;
    out.push({ low: Math.min(low, high), high: Math.max(low, high), line: s.range.start.line });
  }
  return out;
}

export function buildTopology(config: DhcpdConfig): Topology {
  const root: Scope = { body: config.statements };
  const subnets: SubnetInfo[] = [];
  const pools: PoolInfo[] = [];
  const hosts: HostInfo[] = [];
  const classes: ClassInfo[] = [];

  const walk = (parent: Scope, body: readonly Statement[], shared: Scope | undefined, network: Scope | undefined): void => {
    for (const s of body) {
      if (s.kind !== 'declaration') continue;
      const scope: Scope = { decl: s, parent, body: s.body };
      switch (s.type) {
        case 'shared-network':
          walk(scope, s.body, scope, scope);
          break;
        case 'subnet': {
          const address = ipv4Number(s.name?.value);
          const mask = ipv4Number(s.netmask?.value);
          if (address !== undefined && mask !== undefined) subnets.push({ scope, decl: s, address, mask, ...(shared ? { shared } : {}) });
          const ranges = rangesOf(s.body);
          if (ranges.length > 0) pools.push({ scope, explicit: false, network: scope, ranges, allow: [], deny: [] });
          walk(scope, s.body, shared, scope);
          break;
        }
        case 'pool': {
          if (network) pools.push({ scope, explicit: true, network, ranges: rangesOf(s.body), ...permitsOf(s.body) });
          walk(scope, s.body, shared, network);
          break;
        }
        case 'group':
          walk(scope, s.body, shared, network);
          break;
        case 'host': {
          const macs: string[] = [];
          const fixedAddresses: { text: string; line: number }[] = [];
          for (const p of s.body) {
            if (p.kind !== 'parameter') continue;
            if (p.name === 'hardware' && p.values.length >= 2) {
              const bytes = hexBytes(p.values[1]?.value ?? '');
              if (bytes) macs.push([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':'));
            } else if (p.name === 'fixed-address') {
              for (const v of p.values) if (v.kind === 'word') fixedAddresses.push({ text: v.value, line: v.range.start.line });
            }
          }
          hosts.push({ scope, decl: s, name: s.name?.value ?? '', macs, fixedAddresses });
          break;
        }
        case 'class':
          classes.push({
            scope,
            decl: s,
            name: s.name?.value ?? '',
            ...(s.body.find((b): b is MatchStatement => b.kind === 'match') ? { match: s.body.find((b): b is MatchStatement => b.kind === 'match') } : {}),
            subclasses: [],
          });
          break;
        case 'subclass': {
          const owner = classes.find((c) => c.name === s.name?.value);
          const data = tokenBytes(s.data);
          if (owner && data) owner.subclasses.push({ data, scope: { decl: s, parent: owner.scope, body: s.body }, decl: s });
          break;
        }
        default:
          break;
      }
    }
  };
  walk(root, config.statements, undefined, undefined);
  return { root, subnets, pools, hosts, classes };
}

/** The subnet whose network holds `address`, most specific first. */
export function subnetFor(topology: Topology, address: number): SubnetInfo | undefined {
  let best: SubnetInfo | undefined;
  for (const s of topology.subnets) {
    if (((address & s.mask) >>> 0) !== s.address) continue;
    if (!best || s.mask > best.mask) best = s;
  }
  return best;
}
