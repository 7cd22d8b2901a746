import { copyFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { ownedTempDir } from '../ownedTempDir';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { loadExeca } from '../build/execaLoader';
import type { FarmEvent, FarmEventSink } from '../events';
import { findTool } from '../image/hostTools';
import { chooseAccelerator } from './accelerator';
import { ConsoleLines } from './consoleLines';
import { milestoneOf, type BootStep } from './consoleMilestones';
import { checkIpxeRom, ovmfFiles } from './firmwareFiles';
import { qemuArgs, type Firmware, type VmNetwork, type VmSockets } from './qemuArgs';
import { QmpClient } from './qmpClient';

export interface QemuVmOptions {
  readonly name: string;
  readonly mac: string;
  readonly firmware: Firmware;
  readonly network: VmNetwork;
  /** Defaults: iPXE ROM for BIOS, the firmware's own PXE for UEFI (what real UEFI machines do). */
  readonly pxe?: 'ipxe' | 'firmware';
  readonly memoryMiB?: number;
  /** No VNC socket: nobody will look at the screen. */
  readonly headless?: boolean;
  /** Run QEMU inside the network and PID namespaces of this process (the farm's), so it can open the farm's tap and ends with the farm. */
  readonly netnsOf?: number;
  readonly sink: FarmEventSink;
}

export interface VmExit {
  readonly code: number | undefined;
  readonly signal: string | undefined;
}

/** Every running VM of this process, so none outlives it. */
const running = new Set<QemuVm>();
process.once('exit', () => {
  for (const vm of running) vm.killNow();
});

/**
 * One QEMU VM: started with an argument array (never a shell), its serial
 * console read unbuffered from a unix socket we listen on, QMP for reset,
 * power-off and screenshots, and its folder (sockets, UEFI variables)
 * removed when it stops.
 */
export class QemuVm {
  readonly reached: BootStep[] = [];
  readonly exited: Promise<VmExit>;
  private readonly console: ConsoleLines;
  private readonly dataListeners = new Set<(data: string) => void>();
  private readonly lineListeners = new Set<(line: string) => void>();
  private serialSocket: Socket | undefined;
  private qmp: QmpClient | undefined;

  private constructor(
    readonly options: QemuVmOptions,
    readonly dir: string,
    readonly sockets: VmSockets,
    private readonly servers: Server[],
    private readonly child: ResultPromise,
  ) {
    this.console = new ConsoleLines((line) => this.line(line));
    this.exited = this.child.then(
      (result) => ({ code: result.exitCode, signal: result.signal }),
      () => ({ code: undefined, signal: undefined }),
    );
    void this.exited.then(async (exit) => {
      running.delete(this);
      const stderr = String((await this.child.catch((e: { stderr?: unknown }) => e)).stderr ?? '').trim();
      this.emit({ layer: 'vm', kind: 'exit', level: exit.code ? 'error' : 'info', message: `${this.name} stopped${exit.code ? ` (QEMU exit ${exit.code}${stderr ? `: ${stderr.split('\n').slice(-1)[0]}` : ''})` : ''}`, data: { ...exit, stderr } });
      await this.cleanUp();
    });
  }

  get name(): string {
    return this.options.name;
  }

  static async start(options: QemuVmOptions): Promise<QemuVm> {
    const qemu = await findTool('qemu-system-x86_64', 'the farm boots its nodes in QEMU');
    await checkIpxeRom();
    const accel = await chooseAccelerator(qemu);
    // Its QEMU ends with the farm's PID namespace; a folder left by a killed owner is swept by the next VM.
    const dir = await ownedTempDir(VM_DIR_PREFIX);
    const sockets: VmSockets = {
      serial: join(dir, 'serial.sock'),
      qmp: join(dir, 'qmp.sock'),
      ...(options.firmware === 'bios' ? { debugcon: join(dir, 'debugcon.sock') } : {}),
      ...(options.headless ? {} : { vnc: join(dir, 'vnc.sock') }),
    };
    const servers: Server[] = [];
    try {
      const firmware: { ovmfCode?: string; ovmfVars?: string } = {};
      if (options.firmware === 'uefi') {
        const ovmf = await ovmfFiles();
        firmware.ovmfCode = ovmf.code;
        firmware.ovmfVars = join(dir, 'OVMF_VARS.fd');
        await copyFile(ovmf.vars, firmware.ovmfVars);
      }
      const spec = {
        name: options.name,
        mac: options.mac,
        firmware: options.firmware,
        accel,
        memoryMiB: options.memoryMiB ?? 512,
        network: options.network,
        pxe: options.pxe ?? (options.firmware === 'uefi' ? 'firmware' : 'ipxe'),
      } as const;
      const args = qemuArgs(spec, sockets, firmware);
      // The sockets listen before QEMU starts (it connects to them); the VM object exists once it has.
      const started: { vm?: QemuVm } = {};
      servers.push(await listen(sockets.serial, (socket) => started.vm?.attachSerial(socket)));
      if (sockets.debugcon) {
        const debug = new ConsoleLines((line) => started.vm?.firmwareLine(line));
        servers.push(await listen(sockets.debugcon, (socket) => socket.on('data', (d: Buffer) => debug.push(d.toString('latin1')))));
      }
      const { execa } = await loadExeca();
      // In the farm's network namespace QEMU can open the farm's tap; in its PID
      // namespace the kernel ends QEMU when the farm ends, however it ends.
      const [file, argv] = options.netnsOf
        ? [await findTool('nsenter', "QEMU joins the farm's namespaces with it"), ['--target', String(options.netnsOf), '--net', '--pid', '--', qemu, ...args]]
        : [qemu, args];
      const child = execa(file, argv, { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', reject: false, buffer: { stderr: true } });
      const vm = new QemuVm(options, dir, sockets, servers, child);
      started.vm = vm;
      running.add(vm);
      vm.emit({
        layer: 'vm',
        kind: 'start',
        message: `${options.name} powered on: ${options.firmware.toUpperCase()}, ${accel.toUpperCase()}, MAC ${options.mac}, ${options.network.mode === 'tap' ? `tap ${options.network.tap}` : 'QEMU user-mode network'}`,
        data: { firmware: options.firmware, accel, mac: options.mac, network: options.network.mode, pxe: spec.pxe, dir, args: [file, ...argv] },
      });
      return vm;
    } catch (error) {
      for (const server of servers) server.close();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Raw console output, as it arrives (for a terminal). */
  onConsoleData(listener: (data: string) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onConsoleLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Types into the serial console. */
  writeConsole(data: string): void {
    this.serialSocket?.write(data);
  }

  lastConsoleLines(count = 20): string[] {
    return this.console.last(count);
  }

  /** The first console line matching `pattern` from now on or already seen in the kept lines; undefined if the VM stops or time runs out. */
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<string | undefined> {
    const seen = this.console.last(200).find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const finish = (value: string | undefined) => {
        clearTimeout(timer);
        clearInterval(prompt);
        unsubscribe();
        resolve(value);
      };
      const unsubscribe = this.onConsoleLine((line) => pattern.test(line) && finish(line));
      // Prompts do not end with a newline: look at the unfinished line too.
      const prompt = setInterval(() => {
        const pending = this.console.pending();
        if (pending && pattern.test(pending)) finish(pending);
      }, 200);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      void this.exited.then(() => setTimeout(() => finish(this.console.last(5).find((l) => pattern.test(l))), 50));
    });
  }

  /**
   * A hard reset. QEMU runs with -no-reboot (a guest that reboots or panics
   * stops instead of looping), which would turn this reset into a power-off
   * too; and SeaBIOS answers a warm reset with a reboot of its own. So the
   * reboot action is "reset" until the firmware has started again.
   */
  async reset(): Promise<void> {
    const qmp = await this.qmpClient();
    this.reached.length = 0;
    await qmp.execute('set-action', { reboot: 'reset' });
    await qmp.execute('system_reset');
    this.emit({ layer: 'vm', kind: 'reset', message: `${this.name} reset` });
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      this.firmwareWaiters.delete(onFirmware);
      void qmp.execute('set-action', { reboot: 'shutdown' }).catch(() => undefined);
    };
    // SeaBIOS's own reboot comes right after its banner: give it a moment.
    const onFirmware = () => void setTimeout(restore, 3000).unref();
    this.firmwareWaiters.add(onFirmware);
    setTimeout(restore, 30_000).unref();
  }

  private readonly firmwareWaiters = new Set<() => void>();



  /** Writes a PNG of the screen (QMP screendump). */
  async screenshot(file: string): Promise<void> {
    await (await this.qmpClient()).execute('screendump', { filename: file, format: 'png' });
  }

  /** Pulls the plug: QMP `quit`, SIGTERM if QMP does not answer, SIGKILL after 3 s. Resolves when the VM's files are gone. */
  async stop(): Promise<void> {
    if (running.has(this)) {
      try {
        const qmp = await Promise.race([this.qmpClient(), delay(2000).then(() => undefined)]);
        if (qmp) await Promise.race([qmp.execute('quit').catch(() => undefined), delay(2000)]);
      } catch {
        // QMP is gone; signals will do
      }
      if (running.has(this)) this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(killer);
    }
    await this.cleanUp();
  }

  /** For process exit: no awaiting possible. */
  killNow(): void {
    this.child.kill('SIGKILL');
  }

  private cleaned: Promise<void> | undefined;
  private cleanUp(): Promise<void> {
    this.cleaned ??= (async () => {
      this.qmp?.close();
      this.serialSocket?.destroy();
      for (const server of this.servers) server.close();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.cleaned;
  }

  private async qmpClient(): Promise<QmpClient> {
    if (this.qmp) return this.qmp;
    for (let attempt = 0; ; attempt++) {
      try {
        this.qmp = await QmpClient.connect(this.sockets.qmp);
        return this.qmp;
      } catch (error) {
        if (attempt >= 50 || !running.has(this)) throw error;
        await delay(100);
      }
    }
  }

  private attachSerial(socket: Socket): void {
    this.serialSocket = socket;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      const text = data.toString('utf8');
      for (const listener of this.dataListeners) listener(text);
      this.console.push(text);
    });
    socket.on('error', () => {});
  }

  private firmwareLine(line: string): void {
    const milestone = milestoneOf(line);
    if (milestone) this.milestone(milestone.step, milestone.label, line);
  }

  private line(line: string): void {
    this.emit({ layer: 'console', kind: 'line', message: line });
    for (const listener of this.lineListeners) listener(line);
    const milestone = milestoneOf(line);
    if (milestone) this.milestone(milestone.step, milestone.label, line);
  }

  private milestone(step: BootStep, label: string, line: string): void {
    if (step === 'firmware') for (const waiter of [...this.firmwareWaiters]) waiter();
    if (this.reached.includes(step)) return;
    this.reached.push(step);
    this.emit({ layer: 'console', kind: 'milestone', message: `${label}: ${line.trim()}`, data: { step } });
  }

  private emit(event: Omit<FarmEvent, 'time' | 'node'>): void {
    this.options.sink({ time: Date.now(), node: this.name, ...event });
  }
}

const VM_DIR_PREFIX = 'nbf-vm-';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function listen(path: string, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}
