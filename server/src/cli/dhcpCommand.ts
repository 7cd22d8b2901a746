import { readFile, stat } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { evaluateLease } from '../lang/dhcpd/lease/evaluateLease';
import { buildTopology, ipv4Text } from '../lang/dhcpd/lease/topology';
import type { LeaseRequest } from '../lang/dhcpd/leaseTypes';
import { parseDhcpdConf } from '../lang/dhcpd/parser';
import type { FarmEvent } from '../farm/events';
import { LeaseStore } from '../farm/dhcp/leaseStore';
import { parseIpv4, parseMac } from '../farm/dhcp/packet';
import { describeReply, PXE_PARAMETER_REQUEST_LIST, probeDhcp } from '../farm/dhcp/probe';
import { DhcpServer } from '../farm/dhcp/server';
import type { CliCommand, CliIo } from './command';
import { flag, hasFlag, parseArgs, UsageError, type ParsedArgs } from './usage';

/**
 * `netboot-farm dhcp explain`: what the farm's DHCP server (and ISC dhcpd)
 * answers one client, each value with its dhcpd.conf line.
 * `dhcp serve` runs the server (inside the farm's network namespace only);
 * `dhcp probe` asks a DHCP server on the local network, as a PXE client would.
 */

async function readConfig(file: string | undefined): Promise<string> {
  if (!file) throw new UsageError('--config FILE is required (the dhcpd.conf to evaluate)');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${file}: no such file`);
  return readFile(file, 'utf8');
}

function macFlag(args: ParsedArgs): string {
  const mac = flag(args, 'mac');
  if (!mac) throw new UsageError('--mac is required, e.g. --mac 52:54:00:12:34:56');
  const bytes = parseMac(mac);
  if (!bytes || bytes.length !== 6) throw new UsageError(`--mac "${mac}" is not an Ethernet address: write six hex bytes, e.g. 52:54:00:12:34:56`);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function archFlag(args: ParsedArgs): number | undefined {
  const arch = flag(args, 'arch');
  if (arch === undefined) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(arch) || Number(arch) > 0xffff) {
    throw new UsageError(`--arch "${arch}" is not a client architecture (option 93): 0 BIOS, 6 EFI IA32, 7 or 9 EFI x64, 11 ARM64 EFI`);
  }
  return Number(arch);
}

function addressFlag(args: ParsedArgs, name: string): string | undefined {
  const value = flag(args, name);
  if (value !== undefined && !parseIpv4(value)) throw new UsageError(`--${name} "${value}" is not an IPv4 address`);
  return value;
}

/** Adds `at: "FILE:LINE"` (1-based) beside every origin, for people reading the JSON. */
function withLocations(value: unknown, file: string): unknown {
  if (value instanceof Uint8Array) return [...value].map((b) => b.toString(16).padStart(2, '0')).join(':');
  if (Array.isArray(value)) return value.map((v) => withLocations(v, file));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withLocations(v, file);
  const origin = (value as { origin?: { line?: number } }).origin;
  if (origin && typeof origin.line === 'number') out.at = origin.line >= 0 ? `${file}:${origin.line + 1}` : 'dhcpd default';
  return out;
}

async function explain(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = flag(args, 'config');
  const text = await readConfig(file);
  const mac = macFlag(args);
  const arch = archFlag(args);
  const parsed = parseDhcpdConf(text);
  let interfaceAddress = addressFlag(args, 'interface-address');
  let assumed = false;
  if (!interfaceAddress) {
    const subnets = buildTopology(parsed.tree).subnets;
    if (subnets.length !== 1) {
      const list = subnets.map((s) => `${ipv4Text(s.address)}/${ipv4Text(s.mask)}`).join(', ');
      throw new UsageError(`${file} declares ${subnets.length} subnets${list ? ` (${list})` : ''}: pass --interface-address IP to say which network the client is on`);
    }
    interfaceAddress = ipv4Text((subnets[0]!.address + 1) >>> 0);
    assumed = true;
  }
  const userClass = flag(args, 'user-class');
  const vendorClass = flag(args, 'vendor-class');
  const requested = addressFlag(args, 'requested-address');
  const request: LeaseRequest = {
    mac,
    interfaceAddress,
    ...(arch !== undefined ? { arch } : {}),
    ...(userClass !== undefined ? { userClass } : {}),
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    ...(requested ? { requestedAddress: requested } : {}),
  };
  const decision = evaluateLease(parsed.tree, request, new LeaseStore(undefined));
  const errors = parsed.problems.length;
  const output = {
    config: file,
    request: { ...request, ...(assumed ? { interfaceAddressAssumed: `the only subnet's first address (pass --interface-address to choose)` } : {}) },
    ...(errors ? { warning: `${file} has ${errors} syntax error(s): dhcpd would not start; run \`netboot-farm check ${file}\`` } : {}),
    decision: withLocations(decision, file as string),
  };
  io.stdout(JSON.stringify(output, null, 2) + '\n');
  return decision.kind === 'offer' ? 0 : 1;
}

async function serve(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = flag(args, 'config') as string;
  const text = await readConfig(file);
  const interfaceAddress = addressFlag(args, 'interface-address');
  if (!interfaceAddress) throw new UsageError('--interface-address IP is required: the farm interface address the server answers on');
  const port = flag(args, 'port');
  if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--port "${port}" is not a port number`);
  const leaseFile = flag(args, 'leases');
  const print = (event: FarmEvent) => io.stdout(JSON.stringify(event) + '\n');
  let server: DhcpServer;
  try {
    server = await DhcpServer.start({
      configText: text,
      configFile: file,
      interfaceAddress,
      farmPrefix: flag(args, 'farm-prefix') ?? 'nbf',
      ...(leaseFile ? { leaseFile } : {}),
      ...(port ? { port: Number(port) } : {}),
      events: print,
    });
  } catch (error) {
    io.stderr(`netboot-farm dhcp serve: ${(error as Error).message}\n`);
    return 1;
  }
  // The config is re-read when it changes on disk, as the farm does with the editor's text.
  watchFile(file, { interval: 500 }, () => {
    readFile(file, 'utf8').then((t) => server.updateConfig(t), () => undefined);
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  unwatchFile(file);
  await server.close();
  return 0;
}

/** Reads stdin to the end (for `dhcp probe --batch`). */
async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

/**
 * `--batch`: one client per line of stdin, as JSON ({"mac", "arch",
 * "userClass", "vendorClass", "parameterRequestList", "options": [[code,
 * "hex"]], "request", "timeoutMs"}); one answer per line of stdout. Many
 * clients, one process: what tests and scripts that compare servers want.
 */
async function probeBatch(io: CliIo): Promise<number> {
  const lines = (await readStdin()).split('\n').filter((l) => l.trim() !== '');
  for (const [i, line] of lines.entries()) {
    let c: { mac?: unknown; arch?: unknown; userClass?: unknown; vendorClass?: unknown; parameterRequestList?: unknown; options?: unknown; request?: unknown; timeoutMs?: unknown };
    try {
      c = JSON.parse(line) as typeof c;
    } catch {
      throw new UsageError(`--batch line ${i + 1} is not JSON`);
    }
    const mac = typeof c.mac === 'string' ? parseMac(c.mac) : undefined;
    if (!mac || mac.length !== 6) throw new UsageError(`--batch line ${i + 1}: "mac" must be an Ethernet address`);
    const list = (v: unknown) => (Array.isArray(v) ? v : []);
    const result = await probeDhcp({
      mac: c.mac as string,
      ...(typeof c.arch === 'number' ? { arch: c.arch } : {}),
      ...(typeof c.userClass === 'string' ? { userClass: c.userClass } : {}),
      ...(typeof c.vendorClass === 'string' ? { vendorClass: c.vendorClass } : {}),
      ...(Array.isArray(c.parameterRequestList) ? { parameterRequestList: c.parameterRequestList.map(Number) } : {}),
      extraOptions: list(c.options).map((o) => ({ code: Number(list(o)[0]), data: Uint8Array.from(Buffer.from(String(list(o)[1] ?? ''), 'hex')) })),
      request: c.request === true,
      timeoutMs: typeof c.timeoutMs === 'number' ? c.timeoutMs : 5000,
    });
    io.stdout(JSON.stringify({ offer: result.offer && describeReply(result.offer), ack: result.ack && describeReply(result.ack) }) + '\n');
  }
  return 0;
}

async function probe(args: ParsedArgs, io: CliIo): Promise<number> {
  if (hasFlag(args, 'batch')) return probeBatch(io);
  const mac = macFlag(args);
  const arch = archFlag(args);
  const prl = flag(args, 'prl');
  if (prl !== undefined && prl !== 'none' && !/^\d+(,\d+)*$/.test(prl)) throw new UsageError(`--prl "${prl}" must be option codes separated by commas, or "none"`);
  const timeout = flag(args, 'timeout');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError(`--timeout "${timeout}" is not a number of milliseconds`);
  const extraOptions = (args.flags.get('option') ?? []).map((o) => {
    const m = /^(\d{1,3})=((?:[0-9a-f]{2})*)$/i.exec(o.replace(/:/g, ''));
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 254) throw new UsageError(`--option "${o}" must be CODE=HEX, e.g. --option 175=270101`);
    return { code: Number(m[1]), data: Uint8Array.from(Buffer.from(m[2] as string, 'hex')) };
  });
  const userClass = flag(args, 'user-class');
  const vendorClass = flag(args, 'vendor-class');
  const result = await probeDhcp({
    extraOptions,
    mac,
    ...(arch !== undefined ? { arch } : {}),
    ...(userClass !== undefined ? { userClass } : {}),
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    ...(prl === 'none' ? {} : { parameterRequestList: prl ? prl.split(',').map(Number) : PXE_PARAMETER_REQUEST_LIST }),
    request: hasFlag(args, 'request'),
    timeoutMs: timeout ? Number(timeout) : 5000,
  });
  io.stdout(JSON.stringify({ offer: result.offer && describeReply(result.offer), ack: result.ack && describeReply(result.ack) }, null, 2) + '\n');
  return result.offer ? 0 : 1;
}

export const dhcpCommand: CliCommand = {
  name: 'dhcp',
  summary: 'explain the DHCP answer a client gets from a dhcpd.conf; serve it in the farm network; probe a server',
  usage:
    'dhcp explain --config FILE --mac MAC [--arch N] [--user-class S] [--vendor-class S] [--interface-address IP] [--requested-address IP] | ' +
    'dhcp serve --config FILE --interface-address IP [--farm-prefix nbf] [--leases FILE] | dhcp probe --mac MAC [--arch N] [--user-class S] [--vendor-class S] [--prl LIST|none] [--option CODE=HEX]... [--request] | dhcp probe --batch < CLIENTS.jsonl',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'explain') {
      return explain(parseArgs(rest, { values: ['config', 'mac', 'arch', 'user-class', 'vendor-class', 'interface-address', 'requested-address'], booleans: [] }), io);
    }
    if (sub === 'serve') return serve(parseArgs(rest, { values: ['config', 'interface-address', 'farm-prefix', 'leases', 'port'], booleans: [] }), io);
    if (sub === 'probe') return probe(parseArgs(rest, { values: ['mac', 'arch', 'user-class', 'vendor-class', 'prl', 'timeout', 'option'], booleans: ['request', 'batch'] }), io);
    throw new UsageError(sub ? `unknown dhcp subcommand "${sub}" (explain, serve, probe)` : 'say what to do: explain, serve or probe');
  },
};
