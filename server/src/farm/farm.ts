/**
 * The farm: one private network and the servers on it, started and stopped as
 * one. This is what the farm process (main.ts) hosts; the servers themselves
 * live in dhcp/, tftp/, nbd/ and http/, and this file only adapts each one to
 * a common start/stop shape.
 */
import { watchFile, unwatchFile } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BootFileOrigins } from './bootFileOrigins';
import { DhcpServer } from './dhcp/server';
import { parseDhcpdConf } from '../lang/dhcpd/parser';
import type { FarmEvent, FarmEventSink } from './events';
import { readFarmImage } from './image/farmImage';
import { HttpFileServer } from './http/server';
import { ltspExportNames, type NbdExportConfig } from './nbd/exports';
import { NbdServer } from './nbd/server';
import { planAddresses, type AddressPlan } from './net/addressPlan';
import { subnetFacts } from './net/dhcpdSubnet';
import { bridgeName, bringUpLoopback, farmInterfacePrefix, IsolatedLan } from './net/isolatedLan';
import type { FarmConfig, FarmServerName, FarmState, FarmStatus, NetworkMode, NetworkStatus, ServerStatus } from './protocol';
import { TftpServer, type VirtualFileProvider } from './tftp/server';

/** A start request the farm cannot honour: the message names the file, the line or the setting, and the fix. */
export class FarmConfigError extends Error {}

/** FarmConfig with every path absolute and every default filled in from the folder. */
export interface ResolvedFarmConfig {
  readonly folder: string;
  readonly dhcpdConf?: string;
  readonly ltsConf?: string;
  /** TFTP paths where the live lts.conf is served. */
  readonly ltsConfTftpPaths: readonly string[];
  readonly tftpRoot?: string;
  readonly httpRoot?: string;
  readonly nbdExports: readonly NbdExportConfig[];
  readonly leaseFile: string;
  readonly network: NetworkMode | 'auto';
  /** For each thing not found, what was looked for. */
  readonly notFound: Partial<Record<'dhcpdConf' | 'ltsConf' | 'tftpRoot' | 'httpRoot' | 'nbdExports', string>>;
}

const exists = async (path: string, kind: 'file' | 'dir') => {
  const info = await stat(path).catch(() => undefined);
  return kind === 'file' ? info?.isFile() === true : info?.isDirectory() === true;
};

/**
 * Fills in what `farm/start` left out, from the folder's conventions:
 * `dhcpd.conf` and `lts.conf` in the folder, and the built image in
 * `.netboot/` (an image manifest.json, or `tftpboot/` (or `tftp/`) and
 * `images/*.img` as the image build exports them).
 */
export async function resolveFarmConfig(config: FarmConfig): Promise<ResolvedFarmConfig> {
  const folder = resolve(config.folder);
  if (!(await exists(folder, 'dir'))) throw new FarmConfigError(`${folder}: no such folder (the farm's workspace folder holds dhcpd.conf, lts.conf and .netboot/)`);
  const at = (path: string | undefined) => (path === undefined ? undefined : resolve(folder, path));
  const notFound: ResolvedFarmConfig['notFound'] = {};
  /** The given path, which must exist; else the first fallback that exists; else undefined, noted in notFound. */
  const pick = async (key: keyof ResolvedFarmConfig['notFound'], given: string | undefined, fallbacks: readonly string[], kind: 'file' | 'dir') => {
    const givenPath = at(given);
    if (givenPath !== undefined) {
      if (await exists(givenPath, kind)) return givenPath;
      throw new FarmConfigError(`${givenPath}: no such ${kind === 'file' ? 'file' : 'folder'} (given as ${key} to farm/start)`);
    }
    for (const path of fallbacks) if (await exists(path, kind)) return path;
    notFound[key] = fallbacks.join(' or ');
    return undefined;
  };

  const netboot = join(folder, '.netboot');
  const imageDir = at(config.image) ?? netboot;
  const image = await readFarmImage(imageDir);
  if (config.image !== undefined && !image) throw new FarmConfigError(`${imageDir}: no image here (no readable manifest.json): build one, or point at the folder that holds it`);
  // The image build exports its TFTP tree as tftpboot/ (examples/farm/Dockerfile); tftp/ is the short name people use.
  const tftpRoot = await pick('tftpRoot', config.tftpRoot, image ? [image.tftpRoot] : [join(netboot, 'tftpboot'), join(netboot, 'tftp')], 'dir');
  let nbdExports = config.nbdExports?.map((e) => ({ ...e, file: resolve(folder, e.file) }));
  if (!nbdExports) {
    nbdExports = image ? [{ name: image.exportName, file: image.squashfs, aliases: ltspExportNames(image.exportName).filter((n) => n !== image.exportName) }] : await imagesIn(join(netboot, 'images'));
    if (nbdExports.length === 0) notFound.nbdExports = image ? image.squashfs : join(netboot, 'images', '*.img');
  }
  const names = nbdExports.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
  const ltsConfTftpPaths = [...new Set([...(image ? [image.ltsConfPath] : []), ...names.map((n) => `ltsp/${n}/lts.conf`)])];
  return {
    folder,
    dhcpdConf: await pick('dhcpdConf', config.dhcpdConf, [join(folder, 'dhcpd.conf')], 'file'),
    ltsConf: await pick('ltsConf', config.ltsConf, [join(folder, 'lts.conf')], 'file'),
    ltsConfTftpPaths,
    tftpRoot,
    httpRoot: await pick('httpRoot', config.httpRoot, tftpRoot ? [tftpRoot] : [], 'dir'),
    nbdExports,
    leaseFile: at(config.leaseFile) ?? join(netboot, 'dhcpd.leases'),
    network: config.network ?? 'auto',
    notFound,
  };
}

/** `.netboot/images/NAME.img` files as exports named NAME (LTSP 20+'s layout), with LTSP's other names for them. */
async function imagesIn(dir: string): Promise<NbdExportConfig[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.img')).sort();
  return files.map((file) => {
    const name = basename(file, '.img');
    return { name, file: join(dir, file), aliases: ltspExportNames(name).filter((n) => n !== name) };
  });
}

/** What each server adapter is given. */
interface ServerContext {
  readonly config: ResolvedFarmConfig;
  readonly mode: NetworkMode;
  /** The address to bind: the bridge's in `isolated` mode, 127.0.0.1 in `user` mode. */
  readonly address: string;
  readonly emit: FarmEventSink;
}

interface RunningServer {
  readonly status: ServerStatus;
  stop(): Promise<void>;
}

/** Starts one server, or says why it does not run. Thrown errors mean a server that should run could not. */
type ServerAdapter = (context: ServerContext) => Promise<RunningServer | { readonly missing: string }>;

/** In `user` mode every port is a free one on 127.0.0.1 (QEMU reaches it as 10.0.2.2); on the private LAN, the well-known ports. */
const portFor = (context: ServerContext, wellKnown: number) => (context.mode === 'user' ? 0 : wellKnown);

/** The workspace's live lts.conf at each path a client may ask for: read at every request, so editing it and rebooting a VM shows the change. */
function liveLtsConf(config: ResolvedFarmConfig): Map<string, VirtualFileProvider> {
  const files = new Map<string, VirtualFileProvider>();
  const ltsConf = config.ltsConf;
  if (ltsConf) for (const path of config.ltsConfTftpPaths) files.set(path, () => readFile(ltsConf));
  return files;
}

const startTftp: ServerAdapter = async (context) => {
  const { config, address, emit } = context;
  if (!config.tftpRoot) return { missing: `no TFTP tree at ${config.notFound.tftpRoot}: build the image first (it is exported into .netboot/)` };
  const server = new TftpServer({ root: config.tftpRoot, address, port: portFor(context, 69), virtualFiles: liveLtsConf(config), events: emit });
  const bound = await server.start();
  return { status: { name: 'tftp', transport: 'udp', address: bound.address, port: bound.port }, stop: () => server.stop() };
};

const startHttp: ServerAdapter = async (context) => {
  const { config, address, emit } = context;
  if (!config.httpRoot) return { missing: `no tree to serve over HTTP (${config.notFound.httpRoot || `no TFTP tree at ${config.notFound.tftpRoot}`}): build the image first` };
  const server = new HttpFileServer({ root: config.httpRoot, address, port: portFor(context, 80), virtualFiles: liveLtsConf(config), events: emit });
  const bound = await server.start();
  return { status: { name: 'http', transport: 'tcp', address: bound.address, port: bound.port }, stop: () => server.stop() };
};

const startNbd: ServerAdapter = async (context) => {
  const { config, address, emit } = context;
  if (config.nbdExports.length === 0) return { missing: `no image to export: nothing at ${config.notFound.nbdExports}; build the image first` };
  const server = new NbdServer({ address, port: portFor(context, 10809), exports: config.nbdExports, events: emit });
  const bound = await server.start();
  return { status: { name: 'nbd', transport: 'tcp', address: bound.address, port: bound.port }, stop: () => server.stop() };
};

const startDhcp: ServerAdapter = async ({ config, address, emit }) => {
  // The network is only isolated when dhcpd.conf was found: it gave the subnet.
  const dhcpdConf = config.dhcpdConf!;
  await mkdir(dirname(config.leaseFile), { recursive: true });
  const server = await DhcpServer.start({ configText: await readFile(dhcpdConf, 'utf8'), configFile: dhcpdConf, interfaceAddress: address, farmPrefix: farmInterfacePrefix, leaseFile: config.leaseFile, events: emit });
  // Edits to dhcpd.conf apply to the next request (the subnet, and so the farm's address, stays as it was at start).
  const onChange = () => {
    void readFile(dhcpdConf, 'utf8').then(
      (text) => {
        server.updateConfig(text);
        emit({ time: Date.now(), layer: 'dhcp', kind: 'config-reloaded', message: `${dhcpdConf} changed: the next DHCP answers follow it`, origin: { file: dhcpdConf, line: 0 } });
      },
      (error: unknown) => emit({ time: Date.now(), layer: 'dhcp', kind: 'error', level: 'warning', message: `${dhcpdConf} could not be re-read: ${String(error)}` }),
    );
  };
  watchFile(dhcpdConf, { interval: 500 }, onChange);
  return {
    status: { name: 'dhcp', transport: 'udp', address, port: 67 },
    async stop() {
      unwatchFile(dhcpdConf, onChange);
      await server.close();
    },
  };
};

/** In start order; stopped in reverse. */
const serverAdapters: readonly (readonly [FarmServerName, ServerAdapter])[] = [
  ['dhcp', startDhcp],
  ['tftp', startTftp],
  ['nbd', startNbd],
  ['http', startHttp],
];

export interface FarmOptions {
  /** True when the launcher put this process in fresh user/net/pid namespaces (see launch.ts). */
  readonly namespaced: boolean;
  /** Why the launcher could not, when it could not. */
  readonly namespaceRefusal?: string;
  readonly events: FarmEventSink;
  /** Diagnostics for people reading stderr, not events. */
  readonly log: (line: string) => void;
}

export class Farm {
  private state: FarmState = 'idle';
  private network: NetworkStatus | undefined;
  private lan: IsolatedLan | undefined;
  private running: RunningServer[] = [];
  private missing: { name: FarmServerName; reason: string }[] = [];
  private starting: Promise<FarmStatus> | undefined;

  constructor(private readonly options: FarmOptions) {}

  private readonly bootFiles = new BootFileOrigins();

  /** Every event leaves through here, labelled with the network mode once it is known, a boot file's TFTP error with its dhcpd.conf line. */
  private emit = (event: FarmEvent): void => {
    const annotated = this.bootFiles.annotate(event);
    const labelled = this.network ? { ...annotated, data: { ...annotated.data, network: this.network.mode } } : annotated;
    try {
      this.options.events(labelled);
    } catch (error) {
      this.options.log(`event listener failed: ${String(error)}`);
    }
  };

  private say(layer: FarmEvent['layer'], kind: string, message: string, extra: Partial<FarmEvent> = {}): void {
    this.emit({ time: Date.now(), layer, kind, message, ...extra });
  }

  status(): FarmStatus {
    return {
      state: this.state,
      ...(this.network ? { network: { ...this.network, ...(this.lan ? { routerAdvertisements: this.lan.routerAdvertisements } : {}) } } : {}),
      servers: this.running.map((s) => s.status),
      missing: [...this.missing],
      taps: this.lan?.tapNames ?? [],
    };
  }

  async start(request: FarmConfig): Promise<FarmStatus> {
    if (this.state !== 'idle') throw new FarmConfigError(`the farm is already ${this.state}: stop it first`);
    this.state = 'starting';
    this.starting = this.bringUp(request);
    try {
      return await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  private async bringUp(request: FarmConfig): Promise<FarmStatus> {
    try {
      const config = await resolveFarmConfig(request);
      this.say('farm', 'starting', `starting the farm for ${config.folder}`, { data: { folder: config.folder } });
      this.network = await this.bringUpNetwork(config);
      const { mode, serverAddress } = this.network;
      this.say('net', 'network-up', describeNetwork(this.network), {
        ...(this.network.origin ? { origin: this.network.origin } : {}),
        ...(mode === 'user' ? { level: 'warning' as const } : {}),
        data: { ...this.network, ...(this.lan ? { routerAdvertisements: this.lan.routerAdvertisements } : {}) },
      });
      for (const [name, adapter] of serverAdapters) {
        if (name === 'dhcp' && mode === 'user') {
          this.missing.push({ name, reason: "user-mode networking: QEMU's own DHCP answers the VMs" });
          continue;
        }
        const started = await adapter({ config, mode, address: serverAddress, emit: this.emit });
        if ('missing' in started) {
          this.missing.push({ name, reason: started.missing });
          this.say('farm', 'server-missing', `${name.toUpperCase()} not started: ${started.missing}`, { level: 'warning', data: { server: name } });
        } else {
          this.running.push(started);
        }
      }
      this.state = 'running';
      const status = this.status();
      this.say('farm', 'running', `farm running: ${status.servers.map((s) => `${s.name} ${s.address}:${s.port}`).join(', ') || 'no servers'}`, { data: { servers: status.servers, missing: status.missing } });
      return status;
    } catch (error) {
      this.say('farm', 'error', `the farm did not start: ${error instanceof Error ? error.message : String(error)}`, { level: 'error' });
      await this.tearDown();
      throw error;
    }
  }

  private async bringUpNetwork(config: ResolvedFarmConfig): Promise<NetworkStatus> {
    // A fresh network namespace starts with lo down: user mode inside one needs it for 127.0.0.1.
    if (this.options.namespaced) await bringUpLoopback();
    const user = (reason: string): NetworkStatus => ({ mode: 'user', reason, namespaced: this.options.namespaced, serverAddress: '127.0.0.1' });
    if (config.network === 'user') return user('user-mode networking was asked for');
    const insist = config.network === 'isolated';
    const refuse = (reason: string): NetworkStatus => {
      if (insist) throw new FarmConfigError(`the isolated network cannot be built: ${reason}`);
      return user(reason);
    };
    if (!this.options.namespaced) return refuse(`the farm has no network namespace of its own (${this.options.namespaceRefusal ?? 'started without its launcher'})`);
    if (!config.dhcpdConf) return refuse(`no dhcpd.conf at ${config.notFound.dhcpdConf}: the private LAN takes its subnet from it`);

    const plan = await this.planFrom(config.dhcpdConf);
    for (const warning of plan.warnings) this.say('net', 'config-warning', warning.message, { level: 'warning', origin: { file: config.dhcpdConf, line: warning.line } });
    try {
      this.lan = await IsolatedLan.up(plan, this.options.log);
    } catch (error) {
      return refuse(`the private LAN could not be built: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      mode: 'isolated',
      namespaced: true,
      bridge: bridgeName,
      serverAddress: plan.serverAddress,
      subnet: plan.subnet,
      ipv6Address: this.lan.ipv6Address,
      origin: plan.origin,
    };
  }

  private async planFrom(dhcpdConf: string): Promise<AddressPlan> {
    const text = await readFile(dhcpdConf, 'utf8');
    const facts = subnetFacts(parseDhcpdConf(text).tree, dhcpdConf);
    if (!facts) throw new FarmConfigError(`${dhcpdConf}: no "subnet ... netmask ... { }" declaration: the private LAN needs one, e.g. "subnet 192.168.67.0 netmask 255.255.255.0 { range 192.168.67.20 192.168.67.250; }"`);
    return planAddresses(facts);
  }

  /** A tap on the private bridge for one VM. */
  async addTap(node?: string): Promise<string> {
    if (this.state !== 'running' || !this.lan) throw new Error(this.state !== 'running' ? `the farm is ${this.state}, not running` : `no private LAN in ${this.network?.mode} mode: QEMU uses -netdev user`);
    const tap = await this.lan.addTap();
    this.say('net', 'tap-added', `tap ${tap} on bridge ${bridgeName}${node ? ` for ${node}` : ''}`, { ...(node ? { node } : {}), data: { tap } });
    return tap;
  }

  async removeTap(tap: string): Promise<void> {
    if (!this.lan) throw new Error('no private LAN: there are no taps');
    await this.lan.removeTap(tap);
    this.say('net', 'tap-removed', `tap ${tap} removed`, { data: { tap } });
  }

  async stop(): Promise<FarmStatus> {
    // A stop during a start waits for it: what the start brings up is then taken down.
    await this.starting?.catch(() => undefined);
    if (this.state === 'idle') return this.status();
    this.state = 'stopping';
    this.say('farm', 'stopping', 'stopping the farm');
    await this.tearDown();
    this.say('farm', 'stopped', 'farm stopped: servers closed, network removed');
    this.network = undefined;
    this.state = 'idle';
    return this.status();
  }

  /** Stops whatever runs, in reverse order; one failure does not keep the rest running. */
  private async tearDown(): Promise<void> {
    for (const server of this.running.reverse()) {
      await server.stop().catch((error: unknown) => this.say('farm', 'error', `${server.status.name} did not stop cleanly: ${String(error)}`, { level: 'error' }));
    }
    this.running = [];
    this.missing = [];
    await this.lan?.down().catch((error: unknown) => this.say('net', 'error', `the private LAN did not come down cleanly: ${String(error)}`, { level: 'error' }));
    this.lan = undefined;
    if (this.state === 'starting') {
      this.network = undefined;
      this.state = 'idle';
    }
  }
}

function describeNetwork(network: NetworkStatus): string {
  if (network.mode === 'user') return `user-mode networking (QEMU's own DHCP; servers on 127.0.0.1): ${network.reason}`;
  return `private LAN ${network.subnet} on bridge ${network.bridge}, farm at ${network.serverAddress}${network.ipv6Address ? ` and ${network.ipv6Address}` : ''}`;
}
