import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FarmEvent } from '../../server/src/farm/events';
import { childPids } from '../../server/src/farm/launch';
import type { PreviewCommand, PreviewOutput } from '../../server/src/farm/previewProtocol';
import { projectRoot } from './bootCli';

const bin = join(projectRoot, 'bin', 'netboot-farm.js');

type Reply = Extract<PreviewOutput, { type: 'reply' }>;
type Status = Extract<PreviewOutput, { type: 'status' }>;
/** A command as a test sends it: the client numbers them. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * `netboot-farm preview` driven as the panel drives it: JSON lines in and
 * out. Every line it prints is kept, so a test waits for a line "after"
 * a point it marked and never misses one that came early.
 */
export class PreviewClient {
  readonly outputs: PreviewOutput[] = [];
  /** Lines that were not JSON (there must be none). */
  readonly garbage: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.outputs.push(JSON.parse(line) as PreviewOutput);
      } catch {
        this.garbage.push(line);
      }
      for (const listener of [...this.listeners]) listener();
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const listener of [...this.listeners]) listener();
    });
  }

  /** Starts `netboot-farm preview ARGS` with TMPDIR set to `tmp`, so that every VM folder it makes lands there. */
  static start(args: readonly string[], tmp: string): PreviewClient {
    const child = spawn(process.execPath, [bin, 'preview', ...args], { cwd: projectRoot, env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] });
    return new PreviewClient(child);
  }

  /** The index the next output will have: wait for something "after" it. */
  mark(): number {
    return this.outputs.length;
  }

  /** The first output at or after `from` that passes `test`; fails on timeout or when the session ended first. */
  waitFor<T extends PreviewOutput>(what: string, test: (output: PreviewOutput) => output is T, timeoutMs: number, from?: number): Promise<T>;
  waitFor(what: string, test: (output: PreviewOutput) => boolean, timeoutMs: number, from?: number): Promise<PreviewOutput>;
  waitFor(what: string, test: (output: PreviewOutput) => boolean, timeoutMs: number, from = 0): Promise<PreviewOutput> {
    return new Promise((resolve, reject) => {
      let ended = false;
      void this.exited.then(() => (ended = true));
      const check = () => {
        const found = this.outputs.slice(from).find(test);
        if (found) return finish(() => resolve(found));
        if (ended) finish(() => reject(new Error(`the preview ended before ${what}:\n${this.tail()}`)));
      };
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s:\n${this.tail()}`))), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  event(what: string, test: (event: FarmEvent) => boolean, timeoutMs: number, from?: number): Promise<FarmEvent> {
    return this.waitFor(what, (o) => o.type === 'event' && test(o.event), timeoutMs, from).then((o) => (o as Extract<PreviewOutput, { type: 'event' }>).event);
  }

  /** The last event so far that passes `test`. */
  lastEvent(test: (event: FarmEvent) => boolean): FarmEvent | undefined {
    for (let i = this.outputs.length - 1; i >= 0; i--) {
      const output = this.outputs[i] as PreviewOutput;
      if (output.type === 'event' && test(output.event)) return output.event;
    }
    return undefined;
  }

  consoleLine(node: string, pattern: RegExp, timeoutMs: number, from?: number): Promise<FarmEvent> {
    return this.event(`${node} console line ${pattern}`, (e) => e.layer === 'console' && e.kind === 'line' && e.node === node && pattern.test(e.message), timeoutMs, from);
  }

  milestone(node: string, step: string, timeoutMs: number, from?: number): Promise<FarmEvent> {
    return this.event(`${node} milestone ${step}`, (e) => e.layer === 'console' && e.kind === 'milestone' && e.node === node && e.data?.step === step, timeoutMs, from);
  }

  status(what: string, test: (status: Status) => boolean, timeoutMs: number, from?: number): Promise<Status> {
    return this.waitFor(what, (o): o is Status => o.type === 'status' && test(o), timeoutMs, from);
  }

  /** Resolves when the latest status line passes `test` (whenever it came). */
  latestStatus(what: string, test: (status: Status) => boolean, timeoutMs: number): Promise<Status> {
    const latest = () => [...this.outputs].reverse().find((o): o is Status => o.type === 'status');
    return this.waitFor(what, (o) => o === latest() && test(o as Status), timeoutMs).then(() => latest()!);
  }

  /** Sends a command and resolves with its reply. */
  send(command: Unnumbered<PreviewCommand>, timeoutMs = 240_000): Promise<Reply> {
    const id = this.nextId++;
    this.writeLine(JSON.stringify({ ...command, id }));
    return this.reply(id, timeoutMs);
  }

  reply(id: number, timeoutMs = 60_000): Promise<Reply> {
    return this.waitFor(`the reply to command ${id}`, (o): o is Reply => o.type === 'reply' && o.id === id, timeoutMs);
  }

  writeLine(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  /** The process's pids below it: unshare, and the farm inside its namespaces. */
  async farmProcess(): Promise<{ unshare: number; farm: number; netns: string }> {
    for (const pid of await childPids(this.child.pid!)) {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!command.startsWith('unshare')) continue;
      const [farm] = await childPids(pid);
      if (farm) return { unshare: pid, farm, netns: readlinkSync(`/proc/${farm}/ns/net`) };
    }
    throw new Error('no farm process (unshare and its child) under the preview');
  }

  /** Kills the preview if a failed test left it running; its farm and VMs go with it. */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
      await this.exited;
      clearTimeout(killer);
    }
  }

  private tail(): string {
    const lines = this.outputs.slice(-25).map((o) => JSON.stringify(o).slice(0, 300));
    return [...lines, ...this.garbage.slice(-5), this.stderr.slice(-1500)].join('\n');
  }
}

/** Processes (by pid) whose command line mentions `text`: a VM of ours names its folder under our TMPDIR. */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Processes still in the network namespace `netns` (a /proc/PID/ns/net link text); none means it is gone. */
export function processesInNetns(netns: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === netns) found.push(Number(entry));
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return found;
}

/** A copy of examples/farm to change freely (examples/ itself is never edited); its .netboot/ (leases) stays behind. */
export function copyExampleFarm(into: string): string {
  const folder = join(into, 'farm');
  cpSync(join(projectRoot, 'examples', 'farm'), folder, { recursive: true, filter: (source) => !source.split('/').includes('.netboot') });
  return folder;
}
