import type { Position, Range } from 'vscode-languageserver-types';
import type { DhcpdConfig, OptionName, OptionStatement, PermissionStatement, Statement, Token } from '../ast';
import type { KnownOption } from '../dhcpdCatalog';
import type { ConfigOrigin, LeaseDecision, LeaseOption, LeaseRequest, LeaseState, LeaseValue } from '../leaseTypes';
import { encodeOptionValue, hexBytes, ipv4Bytes, parseInteger } from './encodeValue';
import { evaluateBoolean, evaluateData, type EvalContext, type Value } from './expressions';
import { OptionTable } from './optionTable';
import { buildTopology, ipv4Number, ipv4Text, subnetFor, type ClassInfo, type HostInfo, type PoolInfo, type Scope, type SubnetInfo, type Topology } from './topology';

/**
 * What ISC dhcpd would answer one client, from the parsed dhcpd.conf, in
 * dhcpd's own order (server/dhcp.c ack_lease): the subnet's scope chain from
 * the top down, then the pool's, then the classes the client matched (the
 * first match last, so it wins), then its host declaration; within a scope,
 * statements in file order, a later setting replacing an earlier one.
 */

/** dhcpd's defaults when the config sets no lease times (server/dhcpd.h). */
export const DEFAULT_DEFAULT_LEASE_TIME = 43200;
export const DEFAULT_MAX_LEASE_TIME = 86400;
const INFINITE = 0xffffffff;
const NO_LINE: ConfigOrigin = { line: -1 };

interface Prepared {
  readonly topology: Topology;
  readonly table: OptionTable;
}

const prepared = new WeakMap<DhcpdConfig, Prepared>();

function prepare(config: DhcpdConfig): Prepared {
  let p = prepared.get(config);
  if (!p) {
    p = { topology: buildTopology(config), table: new OptionTable(config) };
    prepared.set(config, p);
  }
  return p;
}

interface Assigned {
  readonly known: KnownOption;
  readonly data: Uint8Array;
  readonly text: string;
  readonly origin: ConfigOrigin;
}

interface ParameterSetting {
  readonly tokens: readonly Token[];
  readonly origin: ConfigOrigin;
}

const originOf = (node: { range: { start: { line: number } } }): ConfigOrigin => ({ line: node.range.start.line });

/** Tokens back to text as written: `a, b` rather than `a , b`. */
function tokensText(tokens: readonly Token[]): string {
  return tokens.map((t, i) => (i > 0 && !(t.kind === 'punct' && t.text === ',') ? ' ' : '') + t.text).join('');
}

function hexText(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function macBytes(mac: string): Uint8Array | undefined {
  const bytes = hexBytes(mac.trim().replace(/-/g, ':'));
  return bytes && bytes.length > 0 && bytes.length <= 16 ? bytes : undefined;
}

/** The options the request carries, by code, whether given as fields or raw. */
function requestOptions(request: LeaseRequest): Map<number, Uint8Array> {
  const ascii = (s: string) => new TextEncoder().encode(s);
  const out = new Map<number, Uint8Array>();
  if (request.arch !== undefined) out.set(93, Uint8Array.of((request.arch >> 8) & 0xff, request.arch & 0xff));
  if (request.userClass !== undefined) out.set(77, ascii(request.userClass));
  if (request.vendorClass !== undefined) out.set(60, ascii(request.vendorClass));
  if (request.hostname !== undefined) out.set(12, ascii(request.hostname));
  const requested = request.requestedAddress === undefined ? undefined : ipv4Bytes(request.requestedAddress);
  if (requested) out.set(50, requested);
  if (request.parameterRequestList) out.set(55, Uint8Array.from(request.parameterRequestList));
  for (const [code, data] of request.rawOptions ?? []) out.set(code, data);
  return out;
}

/** Sub-options of an encapsulated space (code, length, data...); malformed tails are dropped. */
function subOptions(payload: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let i = 0; i + 1 < payload.length; ) {
    const code = payload[i] as number;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255) break;
    const length = payload[i + 1] as number;
    if (i + 2 + length > payload.length) break;
    out.set(code, payload.subarray(i + 2, i + 2 + length));
    i += 2 + length;
  }
  return out;
}

/** One evaluation: what the scopes executed so far have set. */
class Execution {
  readonly options = new Map<string, Assigned>();
  readonly parameters = new Map<string, ParameterSetting>();
  readonly branches: { condition: string; origin: ConfigOrigin }[] = [];
  readonly notes: string[] = [];
  readonly variables = new Map<string, Value | undefined>();
  readonly ctx: EvalContext;

  constructor(
    private readonly table: OptionTable,
    private readonly tokens: readonly Token[],
    client: Map<number, Uint8Array>,
    facts: { hardware: Uint8Array; packet?: Uint8Array; known: boolean; isStatic: boolean; hostDeclName?: string; leasedAddress?: Uint8Array },
  ) {
    const lookup = (name: OptionName, from: (space: string, code: number) => Uint8Array | undefined) => {
      const known = this.table.lookup(name);
      return known ? from(known.space, known.code) : undefined;
    };
    const clientOption = (space: string, code: number): Uint8Array | undefined => {
      if (space === 'dhcp') return client.get(code);
      const carrier = this.table.carrierOf(space);
      const payload = carrier ? client.get(carrier.code) : undefined;
      return payload ? subOptions(payload).get(code) : undefined;
    };
    this.ctx = {
      ...facts,
      variables: this.variables,
      clientOption: (name) => lookup(name, clientOption),
      configOption: (name) => lookup(name, (space, code) => this.options.get(`${space}/${code}`)?.data),
    };
  }

  /** The tokens of a node as text, for the branch list (`if option arch = 00:07`). */
  private source(range: Range): string {
    const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
    const inside = this.tokens.filter((t) => !before(t.range.start, range.start) && !before(range.end, t.range.end));
    return inside.map((t, i) => (i > 0 && !/^[),]$/.test(t.text) && !/^\($/.test(inside[i - 1]!.text) ? ' ' : '') + t.text).join('');
  }

  /** Runs a scope's statements after its ancestors', stopping at `limit` and its ancestors (dhcpd's execute_statements_in_scope). */
  runScope(scope: Scope | undefined, limit: Scope | undefined): void {
    if (!scope) return;
    for (let l = limit; l; l = l.parent) if (l === scope) return;
    this.runScope(scope.parent, limit);
    this.run(scope.body);
  }

  /** Returns false when a `break` stopped the statements. */
  run(body: readonly Statement[]): boolean {
    for (const s of body) {
      switch (s.kind) {
        case 'option':
          this.setOption(s);
          break;
        case 'parameter':
          this.parameters.set(s.name, { tokens: s.values, origin: originOf(s) });
          break;
        case 'permission':
          this.permissionFlag(s);
          break;
        case 'if': {
          for (const branch of s.branches) {
            const taken = branch.condition === undefined || evaluateBoolean(branch.condition, this.ctx) === true;
            if (!taken) continue;
            const keyword = branch.keyword.text;
            this.branches.push({ condition: branch.condition ? `${keyword} ${this.source(branch.condition.range)}` : 'else', origin: originOf(branch) });
            if (!this.run(branch.body)) return false;
            break;
          }
          break;
        }
        case 'switch': {
          if (!s.expression) break;
          const value = evaluateData(s.expression, this.ctx);
          let start = s.body.findIndex((c) => c.kind === 'case' && c.value !== undefined && sameData(evaluateData(c.value, this.ctx), value));
          if (start < 0) start = s.body.findIndex((c) => c.kind === 'case' && c.value === undefined);
          if (start >= 0) {
            this.branches.push({ condition: `switch ${this.source(s.expression.range)}: ${this.source(s.body[start]!.range)}`, origin: originOf(s.body[start]!) });
            this.run(s.body.slice(start + 1));
          }
          break;
        }
        case 'executable':
          if (s.verb === 'break') return false;
          if (s.verb === 'set' && s.variable) this.variables.set(s.variable.value, s.expression ? evaluateValue(s.expression, this.ctx) : undefined);
          if (s.verb === 'unset' && s.variable) this.variables.delete(s.variable.value);
          break;
        case 'include':
          this.notes.push(`line ${s.range.start.line + 1}: include "${s.path?.value ?? ''}" is not followed by the evaluator; settings in it are missing`);
          break;
        default:
          break;
      }
    }
    return true;
  }

  private permissionFlag(s: PermissionStatement): void {
    const what = s.words.map((w) => w.value.toLowerCase()).join(' ');
    const flag = what === 'unknown-clients' || what === 'unknown clients' ? 'boot-unknown-clients' : what === 'booting' ? 'allow-booting' : undefined;
    if (!flag) return;
    const value: Token = { kind: 'word', text: s.verb === 'allow' ? 'true' : 'false', value: s.verb === 'allow' ? 'true' : 'false', range: s.range, start: 0, end: 0 };
    this.parameters.set(flag, { tokens: [value], origin: originOf(s) });
  }

  private setOption(s: OptionStatement): void {
    if (!s.option) return;
    const known = this.table.lookup(s.option);
    const line = s.range.start.line + 1;
    if (!known) {
      this.notes.push(`line ${line}: option ${s.option.text} is not defined; dhcpd would refuse the config`);
      return;
    }
    let data: Uint8Array | undefined;
    let text: string;
    if (s.expression) {
      data = evaluateData(s.expression, this.ctx);
      text = this.source(s.expression.range) || (data ? hexText(data) : '');
      if (!data) return;
    } else {
      const encoded = encodeOptionValue(known.type, s.values);
      text = tokensText(s.values);
      if (!encoded.ok) {
        this.notes.push(
          encoded.unresolvedName
            ? `line ${line}: option ${s.option.text} names the host "${encoded.unresolvedName}"; dhcpd resolves it by DNS when it answers and leaves the option out when it cannot. The evaluator does not resolve names: write the address`
            : `line ${line}: option ${s.option.text}: ${encoded.error}`,
        );
        return;
      }
      data = encoded.data;
    }
    const key = `${known.space}/${known.code}`;
    const previous = this.options.get(key);
    if (s.modifier === 'default' && previous) return;
    if ((s.modifier === 'prepend' || s.modifier === 'append') && previous) {
      const joined = new Uint8Array(previous.data.length + data.length);
      joined.set(s.modifier === 'prepend' ? data : previous.data);
      joined.set(s.modifier === 'prepend' ? previous.data : data, s.modifier === 'prepend' ? data.length : previous.data.length);
      data = joined;
      text = s.modifier === 'prepend' ? `${text}, ${previous.text}` : `${previous.text}, ${text}`;
    }
    this.options.set(key, { known, data, text, origin: originOf(s) });
  }

  parameter(name: string): ParameterSetting | undefined {
    return this.parameters.get(name);
  }

  flag(name: string): boolean | undefined {
    const p = this.parameters.get(name);
    const v = p?.tokens[0]?.value.toLowerCase();
    if (v === undefined) return p ? true : undefined;
    return v === 'true' || v === 'on';
  }
}

function sameData(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function evaluateValue(expr: Parameters<typeof evaluateData>[0], ctx: EvalContext): Value | undefined {
  const d = evaluateData(expr, ctx);
  if (d) return { kind: 'data', bytes: d };
  const b = evaluateBoolean(expr, ctx);
  return b === undefined ? undefined : { kind: 'boolean', value: b };
}

/** `-1`, `infinite` or a number of seconds, as dhcpd reads lease times. */
function leaseSeconds(tokens: readonly Token[]): number | undefined {
  const text = tokens.map((t) => t.value).join('');
  if (/^infinite$/i.test(text)) return INFINITE;
  const n = parseInteger(text);
  if (n === undefined) return undefined;
  return n < 0 ? (n >>> 0) : n;
}

function permits(statements: readonly PermissionStatement[], client: { known: boolean; classes: ReadonlySet<string> }): boolean {
  return statements.some((s) => {
    const words = s.words.map((w) => w.value.toLowerCase());
    const what = words.join(' ');
    if (what === 'known-clients' || what === 'known clients') return client.known;
    if (what === 'unknown-clients' || what === 'unknown clients') return !client.known;
    if (what === 'all clients' || what === 'unauthenticated clients') return true;
    if (words[0] === 'members' && words[1] === 'of') return client.classes.has(s.words[2]?.value ?? '');
    // dynamic bootp clients, authenticated clients, after DATE: not a DHCP client of the preview
    return false;
  });
}

function refuse(reason: string, origin?: ConfigOrigin): LeaseDecision {
  return origin ? { kind: 'none', reason, origin } : { kind: 'none', reason };
}

/** The classes a client belongs to, in declaration order (dhcpd's classify_client). */
function classify(classes: readonly ClassInfo[], ctx: EvalContext): { info: ClassInfo; scope: Scope; name: string; origin: ConfigOrigin }[] {
  const out: { info: ClassInfo; scope: Scope; name: string; origin: ConfigOrigin }[] = [];
  for (const c of classes) {
    const m = c.match;
    if (!m?.expression) continue;
    if (m.form === 'match if') {
      if (evaluateBoolean(m.expression, ctx) === true) out.push({ info: c, scope: c.scope, name: c.name, origin: originOf(c.decl) });
      continue;
    }
    const value = evaluateData(m.expression, ctx);
    const sub = value ? c.subclasses.find((s) => sameData(s.data, value)) : undefined;
    if (sub) out.push({ info: c, scope: sub.scope, name: c.name, origin: originOf(sub.decl) });
    // `spawn with` makes every client with a value a member, in a subclass of its own.
    else if (value && m.form === 'spawn with') out.push({ info: c, scope: c.scope, name: c.name, origin: originOf(c.decl) });
  }
  return out;
}

export function evaluateLease(config: DhcpdConfig, request: LeaseRequest, state: LeaseState): LeaseDecision {
  const { topology, table } = prepare(config);
  const mac = macBytes(request.mac);
  if (!mac) return refuse(`"${request.mac}" is not a hardware address (write it as aa:bb:cc:dd:ee:ff)`);
  const macText = hexText(mac);
  const iface = ipv4Number(request.interfaceAddress);
  if (iface === undefined) return refuse(`"${request.interfaceAddress}" is not an IPv4 interface address`);
  const subnet = subnetFor(topology, iface);
  if (!subnet) {
    return refuse(
      `no subnet declaration covers the interface address ${request.interfaceAddress}: dhcpd ignores requests arriving there. Declare its network, e.g. \`subnet ${ipv4Text((iface & 0xffffff00) >>> 0)} netmask 255.255.255.0 { }\``,
    );
  }
  const network: SubnetInfo[] = subnet.shared ? topology.subnets.filter((s) => s.shared === subnet.shared) : [subnet];
  const networkScopes = new Set<Scope>(network.map((s) => s.scope));
  if (subnet.shared) networkScopes.add(subnet.shared);

  const hosts = topology.hosts.filter((h) => h.macs.includes(macText));
  const known = hosts.length > 0;
  const client = requestOptions(request);
  const hardware = Uint8Array.of(request.hardwareType ?? 1, ...mac);

  // Classes are matched before an address is chosen, as dhcpd does on receipt.
  const classifier = new Execution(table, config.tokens, client, { hardware, ...(request.packet ? { packet: request.packet } : {}), known, isStatic: false });
  const classes = classify(topology.classes, classifier.ctx);
  const classNames = new Set(classes.map((c) => c.name));

  // A host's fixed-address on this network wins; otherwise a range.
  let address: number | undefined;
  let host: HostInfo | undefined;
  let pool: PoolInfo | undefined;
  let fixedOrigin: ConfigOrigin | undefined;
  const unresolved: string[] = [];
  for (const h of hosts) {
    for (const f of h.fixedAddresses) {
      const a = ipv4Number(f.text);
      if (a === undefined) {
        unresolved.push(`line ${f.line + 1}: fixed-address ${f.text} is a DNS name; the evaluator does not resolve names, write the address`);
        continue;
      }
      if (network.some((s) => ((a & s.mask) >>> 0) === s.address)) {
        address = a;
        host = h;
        fixedOrigin = { line: f.line };
        break;
      }
    }
    if (address !== undefined) break;
  }
  if (address === undefined) {
    host = hosts.find((h) => h.fixedAddresses.length === 0);
    const candidates = topology.pools.filter((p) => networkScopes.has(p.network));
    if (candidates.length === 0) {
      return refuse(`no range or fixed-address for ${macText} on the network of subnet ${ipv4Text(subnet.address)} (line ${subnet.decl.range.start.line + 1}): dhcpd logs "no free leases"`, originOf(subnet.decl));
    }
    const clientFacts = { known, classes: classNames };
    const allowed = candidates.filter((p) => (p.allow.length === 0 || permits(p.allow, clientFacts)) && !permits(p.deny, clientFacts));
    if (allowed.length === 0) {
      const first = candidates[0] as PoolInfo;
      return refuse(`no pool on this network admits ${macText} (${known ? 'a known client' : 'an unknown client'}${classNames.size ? `, member of ${[...classNames].map((c) => `"${c}"`).join(', ')}` : ''}): see the allow/deny lines of the pool at line ${first.scope.decl ? first.scope.decl.range.start.line + 1 : first.ranges[0]!.line + 1}`, first.scope.decl ? originOf(first.scope.decl) : { line: first.ranges[0]!.line });
    }
    const poolOf = (a: number) => allowed.find((p) => p.ranges.some((r) => a >= r.low && a <= r.high));
    const free = (a: number) => !state.isTaken(ipv4Text(a), macText);
    for (const wanted of [state.previousAddress(macText), request.requestedAddress]) {
      const a = ipv4Number(wanted);
      if (a !== undefined && poolOf(a) && free(a)) {
        address = a;
        break;
      }
    }
    if (address === undefined) {
      search: for (const p of allowed) {
        for (const r of p.ranges) {
          for (let a = r.low; a <= r.high; a++) {
            if (free(a)) {
              address = a;
              break search;
            }
          }
        }
      }
    }
    if (address === undefined) {
      const first = allowed[0] as PoolInfo;
      const where = first.scope.decl ? originOf(first.scope.decl) : { line: first.ranges[0]?.line ?? -1 };
      const hasRange = allowed.some((p) => p.ranges.length > 0);
      return refuse(hasRange ? `every address of the ranges open to ${macText} is leased: dhcpd logs "no free leases"` : `the pools open to ${macText} have no range: add \`range LOW HIGH;\` to the pool at line ${where.line + 1}`, where);
    }
    pool = poolOf(address);
  }

  const leaseSubnet = network.find((s) => ((address! & s.mask) >>> 0) === s.address) ?? subnet;
  const exec = new Execution(table, config.tokens, client, {
    hardware,
    ...(request.packet ? { packet: request.packet } : {}),
    known,
    isStatic: fixedOrigin !== undefined,
    ...(host ? { hostDeclName: host.name } : {}),
    leasedAddress: ipv4Bytes(ipv4Text(address)) as Uint8Array,
  });
  exec.notes.push(...unresolved);
  exec.runScope(leaseSubnet.scope, undefined);
  const explicitPool = pool?.explicit ? pool : undefined;
  if (explicitPool) exec.runScope(explicitPool.scope, leaseSubnet.shared ?? leaseSubnet.scope.parent);
  const innermost = explicitPool?.scope ?? leaseSubnet.scope;
  for (const c of [...classes].reverse()) exec.runScope(c.scope, innermost);
  if (host) exec.runScope(host.scope, innermost);

  if (!known && exec.flag('boot-unknown-clients') === false) {
    const p = exec.parameter('boot-unknown-clients') as ParameterSetting;
    return refuse(`${macText} has no host declaration and unknown clients are denied (line ${p.origin.line + 1})`, p.origin);
  }
  if (exec.flag('allow-booting') === false) {
    const p = exec.parameter('allow-booting') as ParameterSetting;
    return refuse(`booting is denied for ${macText} (line ${p.origin.line + 1})`, p.origin);
  }

  const value = <T>(v: T, origin: ConfigOrigin): LeaseValue<T> => ({ value: v, origin });
  const timeParameter = (name: string, fallback: number): LeaseValue<number> => {
    const p = exec.parameter(name);
    const seconds = p ? leaseSeconds(p.tokens) : undefined;
    return seconds === undefined || !p ? value(fallback, NO_LINE) : value(seconds, p.origin);
  };
  const defaultLeaseTime = timeParameter('default-lease-time', DEFAULT_DEFAULT_LEASE_TIME);
  const maxLeaseTime = timeParameter('max-lease-time', DEFAULT_MAX_LEASE_TIME);
  const minLeaseTime = timeParameter('min-lease-time', 0);
  let leaseTime: LeaseValue<number> = request.requestedLeaseTime !== undefined ? value(request.requestedLeaseTime, NO_LINE) : defaultLeaseTime;
  if (leaseTime.value > maxLeaseTime.value) leaseTime = maxLeaseTime;
  if (leaseTime.value < minLeaseTime.value) leaseTime = minLeaseTime;

  const stringParameter = (name: string): LeaseValue<string> | undefined => {
    const p = exec.parameter(name);
    const t = p?.tokens[0];
    return p && t ? value(t.value, p.origin) : undefined;
  };
  const addressParameter = (name: string): LeaseValue<string> | undefined => {
    const v = stringParameter(name);
    if (v && !ipv4Bytes(v.value)) {
      exec.notes.push(`line ${v.origin.line + 1}: ${name} ${v.value} is a DNS name; dhcpd resolves it when it loads the config, the evaluator does not: write the address`);
      return undefined;
    }
    return v;
  };

  const options = collectOptions(exec, table, leaseSubnet, host);
  const notAuthoritative = exec.parameter('not authoritative');
  const authoritative = exec.parameter('authoritative');
  const isAuthoritative = authoritative !== undefined && (notAuthoritative === undefined || authoritative.origin.line > notAuthoritative.origin.line);
  const nextServer = addressParameter('next-server');
  const filename = stringParameter('filename');
  const serverName = stringParameter('server-name');
  const serverIdentifier = addressParameter('server-identifier');
  const shared = leaseSubnet.shared?.decl;
  return {
    kind: 'offer',
    address: value(ipv4Text(address), fixedOrigin ?? { line: pool?.ranges.find((r) => address! >= r.low && address! <= r.high)?.line ?? -1 }),
    subnet: { address: ipv4Text(leaseSubnet.address), netmask: ipv4Text(leaseSubnet.mask), origin: originOf(leaseSubnet.decl) },
    ...(shared ? { sharedNetwork: { name: shared.name?.value ?? '', origin: originOf(shared) } } : {}),
    ...(explicitPool?.scope.decl ? { pool: { origin: originOf(explicitPool.scope.decl) } } : {}),
    ...(host ? { host: { name: host.name, origin: originOf(host.decl) } } : {}),
    classes: classes.map((c) => ({ name: c.name, origin: c.origin })),
    branches: exec.branches,
    ...(nextServer ? { nextServer } : {}),
    ...(filename ? { filename } : {}),
    ...(serverName ? { serverName } : {}),
    defaultLeaseTime,
    maxLeaseTime,
    leaseTime,
    isStatic: fixedOrigin !== undefined,
    authoritative: isAuthoritative,
    ...(serverIdentifier ? { serverIdentifier } : {}),
    options,
    notes: exec.notes,
  };
}

/** The dhcp-space options, with other spaces packed into the option that carries them, plus dhcpd's implicit ones. */
function collectOptions(exec: Execution, table: OptionTable, subnet: SubnetInfo, host: HostInfo | undefined): LeaseOption[] {
  const out = new Map<number, LeaseOption>();
  const bySpace = new Map<string, Assigned[]>();
  for (const a of exec.options.values()) {
    if (a.known.space === 'dhcp') {
      out.set(a.known.code, { name: a.known.name, code: a.known.code, type: table.typeName(a.known), text: a.text, data: a.data, origin: a.origin });
    } else bySpace.set(a.known.space, [...(bySpace.get(a.known.space) ?? []), a]);
  }
  const vendorSpace = exec.parameter('vendor-option-space')?.tokens[0]?.value;
  for (const [space, assigned] of bySpace) {
    const carrier = table.carrierOf(space) ?? (space === vendorSpace ? table.byCodeIn('dhcp', 43) : undefined);
    if (!carrier || space === 'server') {
      if (space !== 'server') exec.notes.push(`options of space "${space}" are not sent: no option is defined as \`encapsulate ${space}\``);
      continue;
    }
    if (out.has(carrier.code)) continue;
    const sorted = [...assigned].sort((a, b) => a.known.code - b.known.code);
    const bytes: number[] = [];
    for (const a of sorted) bytes.push(a.known.code, a.data.length, ...a.data);
    out.set(carrier.code, {
      name: carrier.name,
      code: carrier.code,
      type: table.typeName(carrier),
      text: sorted.map((a) => `${space}.${a.known.name} ${a.text}`).join('; '),
      data: Uint8Array.from(bytes),
      origin: (sorted[0] as Assigned).origin,
    });
  }
  if (!out.has(1)) {
    const mask = table.byCodeIn('dhcp', 1);
    out.set(1, { name: mask?.name ?? 'subnet-mask', code: 1, type: 'ip-address', text: ipv4Text(subnet.mask), data: ipv4Bytes(ipv4Text(subnet.mask)) as Uint8Array, origin: originOf(subnet.decl) });
  }
  if (host && !out.has(12) && exec.flag('use-host-decl-names') === true) {
    const p = exec.parameter('use-host-decl-names') as ParameterSetting;
    out.set(12, { name: 'host-name', code: 12, type: 'text', text: `"${host.name}"`, data: new TextEncoder().encode(host.name), origin: p.origin });
  }
  return [...out.values()].sort((a, b) => a.code - b.code);
}
