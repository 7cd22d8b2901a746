/**
 * A long-lived boot session: the farm process serving one image, and the VMs
 * booting from it, kept running until `stop()`. `netboot-farm boot` opens one,
 * waits for its marker on every node and stops it; `netboot-farm preview`
 * keeps it open and lets the panel reset, power off, power on, add and look
 * at nodes. Every way out (stop, an error at start, a node powered off or
 * powering itself off) removes that VM's folder and frees its tap.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FarmEvent, FarmEventSink } from '../events';
import { runTool } from '../image/hostTools';
import type { FarmImage } from '../image/farmImage';
import { launchFarm, type FarmProcess, type LaunchOptions } from '../launch';
import type { PreviewNode, PreviewNodeState } from '../previewProtocol';
import type { FarmStatus, NetworkMode } from '../protocol';
import type { BootStep } from './consoleMilestones';
import { planNodes, type NodePlan } from './farmNodes';
import type { Firmware, VmNetwork } from './qemuArgs';
import { QemuVm } from './qemuVm';
import { userModeTftpRoot } from './userModeTftp';

export interface FarmSessionOptions {
  readonly folder: string;
  /** What the farm serves (see `imageFor` in farmBoot.ts). */
  readonly image: FarmImage;
  /** How many VMs to start with (default: one, two for `both`). */
  readonly nodes?: number;
  readonly firmware: Firmware | 'both';
  readonly headless: boolean;
  readonly network: NetworkMode | 'auto';
  readonly onEvent: FarmEventSink;
  /** Called after a node is added or changes state (starting, running, stopped). */
  readonly onNodesChanged?: () => void;
  /** For tests: where the farm bundle is. */
  readonly farmScript?: string;
}

/** Raised by a command the session cannot carry out (unknown node, wrong state): the message says why. */
export class SessionCommandError extends Error {}

interface SessionNode {
  readonly plan: NodePlan;
  state: PreviewNodeState;
  /** The running VM, or the last one (for its console lines) once it stopped. */
  vm?: QemuVm;
  tap?: string;
  /** The current VM's retirement (folder removed, tap freed), once it began. */
  retired?: Promise<void>;
  /** Commands on one node run one after the other. */
  queue: Promise<unknown>;
}

/** How long a reset waits for the firmware to announce itself again before it answers anyway. */
const FIRMWARE_AFTER_RESET_MS = 120_000;

export class FarmSession {
  private readonly nodeList: SessionNode[] = [];
  private readonly milestoneWaiters = new Set<(node: string, step: BootStep) => void>();
  private readonly failureWaiters = new Set<(node: string, event: FarmEvent) => void>();
  /** The MAC each address was leased to, to tell which node a TFTP client is. */
  private readonly leasedTo = new Map<string, string>();
  private readonly cleanups: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | undefined;
  private userNetwork: VmNetwork | undefined;
  private mode: NetworkMode = 'user';
  private farmPid: number | undefined;
  private ltsConf: { file: string; text: string } | undefined;
  /** The first farm, closed on purpose when user-mode networking replaces it. */
  private replacedFarm: FarmProcess | undefined;
  private adding: Promise<unknown> = Promise.resolve();

  /** Resolves with the reason if the farm process ends while the session is not being stopped. */
  readonly died: Promise<string>;
  private markDied!: (reason: string) => void;

  private constructor(
    private readonly options: FarmSessionOptions,
    private farm: FarmProcess,
    private lastStatus: FarmStatus,
    private readonly farmEvents: FarmEventSink,
  ) {
    this.died = new Promise((resolve) => (this.markDied = resolve));
    this.watchFarm();
  }

  get image(): FarmImage {
    return this.options.image;
  }

  /** The farm's status as of its start or the last `refreshStatus()`. */
  get status(): FarmStatus {
    return this.lastStatus;
  }

  /**
   * Brings the farm up (falling back to QEMU's user-mode network when the
   * private LAN has no DHCP server and `auto` was asked for) and powers on
   * the planned nodes. On any error everything started so far is removed.
   */
  static async start(options: FarmSessionOptions): Promise<FarmSession> {
    const ltsConfFile = join(options.folder, 'lts.conf');
    const ltsConfText = await readFile(ltsConfFile, 'utf8').catch(() => undefined);
    const ltsConf = ltsConfText === undefined ? undefined : { file: ltsConfFile, text: ltsConfText };
    const plans = planNodes({ ...(ltsConf ? { ltsConf } : {}), ...(options.nodes ? { count: options.nodes } : {}), firmware: options.firmware });

    // The farm's events pass through the session once it exists: leases tell it which address is which node.
    const created: { session?: FarmSession } = {};
    const farmEvents: FarmEventSink = (event) => (created.session ? created.session.fromFarm(event) : options.onEvent(event));
    const first = await startFarm(options, options.network, farmEvents);
    const session = new FarmSession(options, first.farm, first.status, farmEvents);
    created.session = session;
    session.ltsConf = ltsConf;
    try {
      await session.prepareNetwork();
      for (const plan of plans) {
        const node: SessionNode = { plan, state: 'stopped', queue: Promise.resolve() };
        session.nodeList.push(node);
        await session.boot(node);
      }
      return session;
    } catch (error) {
      await session.stop();
      throw error;
    }
  }

  /** What each node is (name, MAC, firmware, its lts.conf section), in the order they were added. */
  plans(): NodePlan[] {
    return this.nodeList.map((n) => n.plan);
  }

  nodes(): PreviewNode[] {
    return this.nodeList.map((node) => this.describe(node));
  }

  /** The node's VM: the running one, or the last one it had (stopped, but its console lines are kept). */
  vm(name: string): QemuVm | undefined {
    return this.nodeList.find((n) => n.plan.name === name)?.vm;
  }

  async refreshStatus(): Promise<FarmStatus> {
    if (!this.stopping) this.lastStatus = await this.farm.status().catch(() => this.lastStatus);
    return this.lastStatus;
  }

  /** A hard reset of a running node; a powered-off node is powered on. Resolves once the firmware has announced itself again. */
  reset(name: string): Promise<void> {
    return this.queued(name, async (node) => {
      const vm = node.vm;
      if (node.state === 'stopped' || !vm) return this.boot(node);
      let exited = false;
      try {
        await vm.reset();
      } catch (error) {
        // The guest may have powered itself off a moment before: then this is a power-on.
        if (!(await exitedWithin(vm, 3000))) throw error;
        exited = true;
      }
      if (!exited) {
        node.state = 'starting';
        this.changed();
        // reset() forgets the steps reached before it, so a firmware step seen now came after it.
        const outcome = vm.reached.includes('firmware') ? 'reached' : await this.waitForStep(node, vm, 'firmware');
        // A guest powering off as the reset arrives makes QEMU exit rather than reset.
        exited = outcome === 'exited';
      }
      if (exited) {
        await this.retire(node, vm);
        await this.boot(node);
      }
    });
  }

  powerOff(name: string): Promise<void> {
    return this.queued(name, async (node) => {
      if (node.vm) await this.retire(node, node.vm);
    });
  }

  powerOn(name: string): Promise<void> {
    return this.queued(name, async (node) => {
      if (node.state !== 'stopped') throw new SessionCommandError(`${name} is ${node.state}: power it off first, or reset it`);
      await this.boot(node);
    });
  }

  /** One more node: the next lts.conf `[MAC]` section without a VM, else a generated MAC. */
  addNode(firmware?: Firmware): Promise<PreviewNode> {
    // One at a time, so that two never pick the same MAC.
    const run = this.adding.then(() => this.addNodeNow(firmware));
    this.adding = run.catch(() => undefined);
    return run;
  }

  private async addNodeNow(firmware: Firmware | undefined): Promise<PreviewNode> {
    this.checkNotStopping();
    // lts.conf as it is now: a [MAC] section added since the start counts.
    const ltsConf = this.ltsConf && { file: this.ltsConf.file, text: await readFile(this.ltsConf.file, 'utf8').catch(() => this.ltsConf!.text) };
    const taken = new Set(this.nodeList.map((n) => n.plan.mac));
    const planned = planNodes({ ...(ltsConf ? { ltsConf } : {}), count: this.nodeList.length + 1, firmware: this.options.firmware });
    const next = planned.find((p) => !taken.has(p.mac));
    if (!next) throw new SessionCommandError('no MAC address is left for another node');
    const names = new Set(this.nodeList.map((n) => n.plan.name));
    let name = next.name;
    for (let i = 2; names.has(name); i++) name = `${next.name}-${i}`;
    const plan: NodePlan = { ...next, name, firmware: firmware ?? next.firmware };
    const node: SessionNode = { plan, state: 'stopped', queue: Promise.resolve() };
    this.nodeList.push(node);
    await this.queued(name, (n) => this.boot(n));
    return this.describe(node);
  }

  /** A PNG of the node's screen (QMP screendump). */
  screenshot(name: string): Promise<Buffer> {
    const node = this.find(name);
    const vm = node.vm;
    if (node.state === 'stopped' || !vm) return Promise.reject(new SessionCommandError(`${name} is powered off: it has no screen`));
    return (async () => {
      // QEMU writes the file itself, into the VM's own folder (removed with it).
      const file = join(vm.dir, `screen-${Date.now()}-${Math.random().toString(16).slice(2)}.png`);
      try {
        await vm.screenshot(file);
        return await readFile(file);
      } finally {
        await rm(file, { force: true });
      }
    })();
  }

  /** Powers every node off, frees their taps, stops the farm and removes every file the session made. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.nodeList.map((node) => (node.vm ? this.retire(node, node.vm) : undefined)));
      // Commands in flight end once their VM is gone; one may have started another VM meanwhile.
      await Promise.all(this.nodeList.map((node) => node.queue));
      await Promise.all(this.nodeList.map((node) => (node.vm ? this.retire(node, node.vm) : undefined)));
      await this.farm.close().catch(() => undefined);
      for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
      this.failureWaiters.clear();
    })();
    return this.stopping;
  }

  private watchFarm(): void {
    const farm = this.farm;
    void farm.exited.then((end) => {
      if (!this.stopping && farm !== this.replacedFarm) this.markDied(`the farm process ended on its own (${end.signal ?? `exit ${end.code}`}); its log events say why`);
    });
  }

  private emit(event: Omit<FarmEvent, 'time'>): void {
    this.options.onEvent({ time: Date.now(), ...event });
  }

  private changed(): void {
    this.options.onNodesChanged?.();
  }

  private checkNotStopping(): void {
    if (this.stopping) throw new SessionCommandError('the session is stopping');
  }

  private find(name: string): SessionNode {
    const node = this.nodeList.find((n) => n.plan.name === name);
    if (!node) throw new SessionCommandError(`no node named "${name}" (nodes: ${this.nodeList.map((n) => n.plan.name).join(', ') || 'none'})`);
    return node;
  }

  private queued(name: string, work: (node: SessionNode) => Promise<void>): Promise<void> {
    let node: SessionNode;
    try {
      this.checkNotStopping();
      node = this.find(name);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = node.queue.then(() => work(node));
    node.queue = run.catch(() => undefined);
    return run;
  }

  private describe(node: SessionNode): PreviewNode {
    const vm = node.vm;
    return {
      name: node.plan.name,
      mac: node.plan.mac,
      firmware: node.plan.firmware,
      state: node.state,
      // A stopped node keeps the steps of its last run: where it got to before it went off.
      reached: vm ? [...vm.reached] : [],
      ...(node.state !== 'stopped' && vm?.sockets.vnc ? { vnc: vm.sockets.vnc } : {}),
      ...(node.plan.origin ? { origin: node.plan.origin } : {}),
    };
  }

  /** Replaces the first farm by a user-mode one where needed, and prepares what user-mode VMs boot from. */
  private async prepareNetwork(): Promise<void> {
    const options = this.options;
    const status = this.lastStatus;
    if (status.network?.mode === 'isolated' && !status.servers.some((s) => s.name === 'dhcp')) {
      const why = status.missing.find((m) => m.name === 'dhcp')?.reason ?? 'not running';
      if (options.network === 'isolated') throw new Error(`the private LAN has no DHCP server (${why}): VMs there cannot boot`);
      this.emit({ layer: 'net', kind: 'fallback', level: 'warning', message: `the farm's DHCP server is not available (${why}): using QEMU user-mode networking instead` });
      this.replacedFarm = this.farm;
      await this.farm.close();
      ({ farm: this.farm, status: this.lastStatus } = await startFarm(options, 'user', this.farmEvents));
      this.watchFarm();
    }
    this.mode = this.lastStatus.network?.mode ?? 'user';
    this.farmPid = this.lastStatus.network?.namespaced ? await this.farm.farmPid() : undefined;
    if (this.mode !== 'user') return;

    if (this.farmPid) {
      // QEMU's user-mode stack reaches the farm's servers on the loopback of the
      // farm's own network namespace, where nothing else brings `lo` up.
      await runTool('nsenter', ['--target', String(this.farmPid), '--net', '--', 'ip', 'link', 'set', 'lo', 'up'], { why: "QEMU joins the farm's network namespace with it" });
    }
    const image = options.image;
    const nbd = this.lastStatus.servers.find((s) => s.name === 'nbd');
    if (!nbd) throw new Error(`the farm's NBD server is not running: ${this.lastStatus.missing.find((m) => m.name === 'nbd')?.reason ?? 'unknown reason'}`);
    const script = image.bootFiles.ipxe;
    if (!script) {
      throw new Error(
        `${image.tftpRoot}: no iPXE script (*.ipxe) in the TFTP tree: QEMU's user-mode DHCP hands every VM one boot file, so user-mode networking needs one; boot with --network isolated, where dhcpd.conf picks the file`,
      );
    }
    const original = await readFile(join(image.tftpRoot, script), 'utf8');
    const tftp = await userModeTftpRoot(image.tftpRoot, [
      { tftpPath: script, text: userModeScript(original, nbd.port) },
      // The live lts.conf, so that an edit shows on the next boot.
      ...(this.ltsConf ? [{ tftpPath: image.ltsConfPath, link: this.ltsConf.file }] : []),
    ]);
    this.cleanups.push(tftp.dispose);
    this.emit({ layer: 'net', kind: 'rewrite', level: 'warning', message: `user-mode networking: ${script} served by QEMU's TFTP with nbdroot=10.0.2.2:${nbd.port} (the farm's NBD server through QEMU's host alias)` });
    this.userNetwork = { mode: 'user', tftpRoot: tftp.dir, bootFile: script };
  }

  /** Powers a stopped node on: a tap of its own on the private LAN, then its VM. */
  private async boot(node: SessionNode): Promise<void> {
    this.checkNotStopping();
    const name = node.plan.name;
    const tap = this.userNetwork ? undefined : await this.farm.addTap(name);
    let vm: QemuVm;
    try {
      vm = await QemuVm.start({
        name,
        mac: node.plan.mac,
        firmware: node.plan.firmware,
        network: this.userNetwork ?? { mode: 'tap', tap: tap! },
        // QEMU's user-mode DHCP hands every VM the iPXE script: the NIC's iPXE ROM must run it.
        ...(this.mode === 'user' ? { pxe: 'ipxe' as const } : {}),
        headless: this.options.headless,
        ...(this.farmPid ? { netnsOf: this.farmPid } : {}),
        sink: (event) => this.fromVm(event),
      });
    } catch (error) {
      if (tap) await this.farm.removeTap(tap).catch(() => undefined);
      throw error;
    }
    // The status names the VNC socket once a viewer can connect to it.
    if (vm.sockets.vnc) await socketReady(vm.sockets.vnc, vm);
    node.vm = vm;
    node.tap = tap;
    node.retired = undefined;
    node.state = 'starting';
    // A guest that powers itself off (the example image does, after its marker) is a stopped node.
    void vm.exited.then(() => this.retire(node, vm));
    this.changed();
    if (this.stopping) {
      await this.retire(node, vm);
      throw new SessionCommandError('the session is stopping');
    }
  }

  /** Stops a VM (if it still runs), removes its folder and frees its tap; the node is then stopped. */
  private retire(node: SessionNode, vm: QemuVm): Promise<void> {
    if (node.vm !== vm) return Promise.resolve();
    node.retired ??= (async () => {
      const tap = node.tap;
      await vm.stop().catch(() => undefined);
      if (tap) await this.farm.removeTap(tap).catch(() => undefined);
      if (node.vm === vm) {
        node.tap = undefined;
        node.state = 'stopped';
        this.changed();
      }
    })();
    return node.retired;
  }

  /**
   * Resolves with the event that shows the node cannot boot (the boot file its
   * DHCP answer named cannot be read), the first one from now on.
   */
  cannotBoot(name: string): Promise<FarmEvent> {
    return new Promise((resolve) => {
      const waiter = (node: string, event: FarmEvent) => {
        if (node !== name) return;
        this.failureWaiters.delete(waiter);
        resolve(event);
      };
      this.failureWaiters.add(waiter);
    });
  }

  private fromFarm(event: FarmEvent): void {
    this.options.onEvent(event);
    const address = event.data?.address;
    if (event.layer === 'dhcp' && event.kind === 'lease' && event.node && typeof address === 'string') this.leasedTo.set(address, event.node.toLowerCase());
    if (event.layer === 'tftp' && event.kind === 'error' && event.data?.bootFile === true && event.node) {
      const mac = this.leasedTo.get(event.node);
      const node = this.nodeList.find((n) => n.plan.mac === mac);
      if (node) for (const waiter of [...this.failureWaiters]) waiter(node.plan.name, event);
    }
  }

  /** Every VM event passes here: milestones move a node from starting to running. */
  private fromVm(event: FarmEvent): void {
    this.options.onEvent(event);
    if (event.layer !== 'console' || event.kind !== 'milestone' || !event.node) return;
    const step = event.data?.step as BootStep | undefined;
    if (!step) return;
    for (const waiter of [...this.milestoneWaiters]) waiter(event.node, step);
    const node = this.nodeList.find((n) => n.plan.name === event.node);
    if (step === 'marker' && node && node.state === 'starting') {
      node.state = 'running';
      this.changed();
    }
  }

  /** Resolves when `vm` reaches `step` from now on, or when it exits first. */
  private waitForStep(node: SessionNode, vm: QemuVm, step: BootStep): Promise<'reached' | 'exited' | 'timeout'> {
    return new Promise((resolve) => {
      const done = (outcome: 'reached' | 'exited' | 'timeout') => {
        this.milestoneWaiters.delete(waiter);
        clearTimeout(timer);
        resolve(outcome);
      };
      const waiter = (name: string, reached: BootStep) => name === node.plan.name && node.vm === vm && reached === step && done('reached');
      this.milestoneWaiters.add(waiter);
      const timer = setTimeout(() => done('timeout'), FIRMWARE_AFTER_RESET_MS).unref();
      void vm.exited.then(() => done('exited'));
    });
  }
}

async function startFarm(options: FarmSessionOptions, network: NetworkMode | 'auto', onEvent: FarmEventSink): Promise<{ farm: FarmProcess; status: FarmStatus }> {
  const launch: LaunchOptions = {
    onEvent,
    onLog: (line) => onEvent({ time: Date.now(), layer: 'farm', kind: 'log', message: line }),
    ...(options.farmScript ? { farmScript: options.farmScript } : {}),
  };
  const farm = await launchFarm(launch);
  try {
    const image = options.image;
    const status = await farm.start({ folder: options.folder, tftpRoot: image.tftpRoot, nbdExports: [{ name: image.exportName, file: image.squashfs }], network });
    return { farm, status };
  } catch (error) {
    await farm.close();
    throw error;
  }
}

/**
 * In user mode QEMU's own TFTP serves the boot files and the farm's NBD server
 * listens on a free port of 127.0.0.1, which the guest reaches as 10.0.2.2:
 * the iPXE script's nbdroot is rewritten to say so.
 */
function userModeScript(script: string, nbdPort: number): string {
  return script.replace(/\bnbdroot=[^\s/]*\//g, `nbdroot=10.0.2.2:${nbdPort}/`);
}

/** Resolves once QEMU has created the socket (it does so within its first second), or has exited, or after 30 s. */
async function socketReady(path: string, vm: QemuVm): Promise<void> {
  let exited = false;
  void vm.exited.then(() => (exited = true));
  for (const deadline = Date.now() + 30_000; !exited && Date.now() < deadline; ) {
    if (await stat(path).then((info) => info.isSocket(), () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exitedWithin(vm: QemuVm, ms: number): Promise<boolean> {
  return Promise.race([vm.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}
