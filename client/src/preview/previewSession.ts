import type { ChildProcess } from 'node:child_process';
import type { Firmware } from '../../../server/src/farm/qemu/qemuArgs';
import type { PreviewCommand, PreviewOutput } from '../../../server/src/farm/previewProtocol';
import { spawnCli } from '../cliProcess';
import type { Ctx } from '../context';
import { LineSplitter, parsePreviewLine } from './jsonLines';

/** What the panel's "Boot" asks for; each maps to a `netboot-farm preview` flag. */
export interface BootOptions {
  readonly firmware?: Firmware | 'both';
  readonly network?: 'auto' | 'isolated' | 'user';
  readonly nodes?: number;
  /** Boot the small example image instead of the folder's `.netboot/` build. */
  readonly exampleImage?: boolean;
}

export function previewArgs(folder: string, options: BootOptions): string[] {
  const args = ['preview', folder, '--headless'];
  if (options.nodes !== undefined) args.push('--nodes', String(options.nodes));
  if (options.firmware) args.push('--firmware', options.firmware);
  if (options.network) args.push('--network', options.network);
  if (options.exampleImage) args.push('--example-image');
  return args;
}

/** A command without its id: the session numbers them. */
export type PreviewRequest = PreviewCommand extends infer C ? (C extends PreviewCommand ? Omit<C, 'id'> : never) : never;

export interface SessionEnd {
  readonly ok: boolean;
  readonly reason: string;
}

/** How long a session may take to power its VMs off and clean up after `stop` or SIGTERM. */
const STOP_GRACE_MS = 30_000;

/**
 * One `netboot-farm preview` process, spoken to in JSON lines
 * (server/src/farm/previewProtocol.ts): outputs go to the listeners, commands
 * get ids and their replies resolve them. The process owns VMs, taps and a
 * network namespace, and cleans them up on `stop`, on a closed stdin and on
 * SIGTERM; so this never starts with SIGKILL, and only falls back to it when
 * the process ignored the polite ways for STOP_GRACE_MS.
 */
export class PreviewSession {
  /** Resolves once the process has exited, with its `ended` line or what its exit says. */
  readonly ended: Promise<SessionEnd>;
  private readonly listeners = new Set<(output: PreviewOutput) => void>();
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private endLine: SessionEnd | undefined;
  private exited = false;
  private readonly stderrTail: string[] = [];

  static start(ctx: Ctx, folder: string, options: BootOptions, log: (line: string) => void): PreviewSession {
    return new PreviewSession(spawnCli(ctx, previewArgs(folder, options), folder, { stdin: 'pipe' }), log);
  }

  constructor(
    private readonly child: ChildProcess,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    const lines = new LineSplitter(undefined, (n) => log(`preview: dropped an unterminated output line of ${n} characters`));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk).forEach((l) => this.receive(l)));
    const errLines = new LineSplitter(64 * 1024);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => errLines.push(chunk).forEach((l) => this.stderr(l)));
    // Writing to a process that just died gives EPIPE on stdin; its exit says why.
    child.stdin?.on('error', (error) => log(`preview: stdin: ${error.message}`));
    this.ended = new Promise((resolve) => {
      const finish = (end: SessionEnd) => {
        this.exited = true;
        lines.end().forEach((l) => this.receive(l));
        errLines.end().forEach((l) => this.stderr(l));
        for (const { reject } of this.pending.values()) reject(new Error(`the preview ended before answering: ${end.reason}`));
        this.pending.clear();
        resolve(end);
      };
      child.once('error', (error) => finish({ ok: false, reason: `netboot-farm preview could not start: ${error.message}` }));
      child.once('close', (code, signal) => finish(this.endLine ?? { ok: code === 0, reason: this.exitReason(code, signal) }));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Calls `listener` with every output from now on; returns the unsubscribe. */
  onOutput(listener: (output: PreviewOutput) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a command and resolves when its reply says ok; rejects with the session's error otherwise. */
  send(request: PreviewRequest): Promise<void> {
    if (this.exited || !this.child.stdin?.writable) return Promise.reject(new Error('the preview is not running'));
    const id = this.nextId++;
    const reply = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    return reply;
  }

  /**
   * Powers everything off and waits for the process to exit: `stop`, then a
   * closed stdin, then SIGTERM, then (only if all were ignored) SIGKILL.
   */
  async stop(): Promise<SessionEnd> {
    if (this.exited) return this.ended;
    this.send({ command: 'stop' }).catch((error: Error) => this.log(`preview: stop: ${error.message}`));
    if (await this.exitWithin(STOP_GRACE_MS)) return this.ended;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    if (await this.exitWithin(STOP_GRACE_MS)) return this.ended;
    this.log(`preview: pid ${this.child.pid} ignored stop and SIGTERM; killing it`);
    this.child.kill('SIGKILL');
    return this.ended;
  }

  /** Ends the process without waiting: its stdin closes (the contract's way out) and SIGTERM follows. */
  dispose(): void {
    if (this.exited) return;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
  }

  private exitWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.ended.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private receive(line: string): void {
    const parsed = parsePreviewLine(line);
    if (!parsed.ok) {
      this.log(`preview: ${parsed.problem}`);
      return;
    }
    const output = parsed.output;
    if (output.type === 'reply') {
      const waiting = this.pending.get(output.id);
      this.pending.delete(output.id);
      if (output.ok) waiting?.resolve();
      else waiting?.reject(new Error(output.error ?? 'the preview refused the command'));
    } else if (output.type === 'ended') {
      this.endLine = { ok: output.ok, reason: output.reason };
    }
    for (const listener of this.listeners) {
      try {
        listener(output);
      } catch (error) {
        this.log(`preview: a listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private stderr(line: string): void {
    this.log(line);
    this.stderrTail.push(line);
    if (this.stderrTail.length > 5) this.stderrTail.shift();
  }

  private exitReason(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `was ended by ${signal}` : `exited with code ${code}`;
    const last = this.stderrTail.at(-1);
    return `netboot-farm preview ${how}${last ? `: ${last}` : ''}`;
  }
}
