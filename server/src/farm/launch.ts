/**
 * Starts the farm process and talks to it: used by the CLI (`netboot-farm
 * serve`, `boot`) and the VS Code client.
 *
 * The farm runs as PID 1 of fresh PID, mount and network namespaces
 * (`unshare --net --pid --fork --kill-child --mount-proc`, with `--user
 * --map-root-user` for a normal user). When it dies, even by SIGKILL, the
 * kernel kills every process left in its PID namespace (QEMU, radvd) and the
 * network namespace with its bridge and taps goes with the last of them; and
 * `--kill-child` makes unshare's own death kill the farm. Where namespaces
 * are refused, the farm runs as a plain child and says so: its network is
 * QEMU's user mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { FarmEventSink } from './events';
import { FarmAddTapRequest, FarmEventNotification, FarmRemoveTapRequest, FarmStartRequest, FarmStatusRequest, FarmStopRequest, type FarmConfig, type FarmStatus } from './protocol';

export type Isolation = 'auto' | 'namespaces' | 'none';

export interface LaunchOptions {
  /** The farm bundle; by default `farm.js` beside the running bundle (dist/). */
  readonly farmScript?: string;
  /** `auto` uses namespaces where allowed; `namespaces` fails where they are not; `none` never tries. */
  readonly isolation?: Isolation;
  readonly onEvent?: FarmEventSink;
  /** The farm's stderr, line by line. */
  readonly onLog?: (line: string) => void;
}

/** The farm process, seen from its parent. */
export interface FarmProcess {
  readonly connection: MessageConnection;
  /** True when the farm runs in namespaces of its own. */
  readonly namespaced: boolean;
  /** Why it does not, when it does not. */
  readonly refusal?: string;
  /** The host pid of what was spawned: unshare, or the farm itself without namespaces. */
  readonly pid: number;
  /** Resolves when the spawned process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The host pid of the farm's node process (unshare's child), once it exists. */
  farmPid(): Promise<number | undefined>;
  start(config: FarmConfig): Promise<FarmStatus>;
  status(): Promise<FarmStatus>;
  addTap(node?: string): Promise<string>;
  removeTap(tap: string): Promise<void>;
  /** Stops the farm (farm/stop), closes the connection and waits for the process to end; kills it if it takes longer than `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** The namespaces the farm asks for; a normal user also needs a user namespace to own them. */
export function unshareArgs(uid: number | undefined): string[] {
  return [...(uid === 0 ? [] : ['--user', '--map-root-user']), '--net', '--pid', '--fork', '--kill-child', '--mount-proc'];
}

/**
 * nsenter's arguments that put a command (QEMU) inside the farm's namespaces:
 * its network (the taps, the servers) and its PID namespace, so that the
 * kernel kills the command when the farm dies, however it dies. A normal
 * user's farm lives in a user namespace, which must be joined first.
 *   spawn('nsenter', [...joinFarmArgs(farmPid), '--', 'qemu-system-x86_64', ...])
 */
export function joinFarmArgs(farmPid: number, uid: number | undefined = process.getuid?.()): string[] {
  return ['--target', String(farmPid), ...(uid === 0 ? [] : ['--user', '--preserve-credentials']), '--net', '--pid'];
}

/** Undefined when unshare can make the farm's namespaces here; otherwise what it said. */
export async function namespaceRefusal(): Promise<string | undefined> {
  const child = spawn('unshare', [...unshareArgs(process.getuid?.()), '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (said += text));
  const result = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  if (result.error) return `unshare could not run (${result.error.message}): install util-linux`;
  return result.code === 0 ? undefined : `unshare refused the namespaces: ${said.trim() || `exit ${result.code}`}`;
}

export async function launchFarm(options: LaunchOptions = {}): Promise<FarmProcess> {
  const script = options.farmScript ?? join(__dirname, 'farm.js');
  const isolation = options.isolation ?? 'auto';
  const refusal = isolation === 'none' ? 'namespaces were not asked for' : await namespaceRefusal();
  if (refusal && isolation === 'namespaces') throw new Error(`the farm cannot get namespaces of its own: ${refusal}`);
  const namespaced = refusal === undefined;

  const farmArgs = [script, ...(namespaced ? ['--namespaced'] : ['--no-namespace', refusal ?? ''])];
  const [command, args] = namespaced ? ['unshare', [...unshareArgs(process.getuid?.()), '--', process.execPath, ...farmArgs]] : [process.execPath, farmArgs];
  // Its own process group: a terminal's Ctrl-C reaches the parent, which stops the farm in order.
  // ELECTRON_RUN_AS_NODE: inside VS Code, process.execPath is Electron.
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  forwardLines(child, options.onLog ?? ((line) => process.stderr.write(`${line}\n`)));

  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  if (options.onEvent) connection.onNotification(FarmEventNotification.type, options.onEvent);
  connection.listen();
  // A request sent to a farm that died never gets its answer: fail it instead.
  void exited.then(() => connection.dispose());

  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} could not be started`);
  /** A request whose answer cannot come because the farm died fails with that, not with a bare "Connection is disposed". */
  const died = exited.then((end) => {
    throw new Error(`the farm process ended (${end.signal ?? `exit ${end.code}`}) before it answered; its log (stderr) says why`);
  });
  died.catch(() => undefined);
  const ask = async <R>(send: () => Promise<R>): Promise<R> => {
    try {
      return await Promise.race([Promise.resolve().then(send), died]);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      // Writing to a farm that just died fails (EPIPE, disposed) a moment before its exit is seen.
      const ended = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000).unref())]);
      if (ended) return died;
      throw error;
    }
  };
  return {
    connection,
    namespaced,
    ...(refusal ? { refusal } : {}),
    pid,
    exited,
    farmPid: async () => (namespaced ? (await childPids(pid))[0] : pid),
    start: (config) => ask(() => connection.sendRequest(FarmStartRequest.type, config)),
    status: () => ask(() => connection.sendRequest(FarmStatusRequest.type)),
    addTap: async (node) => (await ask(() => connection.sendRequest(FarmAddTapRequest.type, node === undefined ? {} : { node }))).tap,
    removeTap: (tap) => ask(() => connection.sendRequest(FarmRemoveTapRequest.type, { tap })),
    async close(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        // sendRequest throws at once on a connection already disposed (a farm that died): then there is nothing to stop.
        const stopped = Promise.resolve()
          .then(() => connection.sendRequest(FarmStopRequest.type))
          .catch(() => undefined);
        await Promise.race([stopped, exited]);
        // Its end of stdin closing is the farm's cue to exit.
        child.stdin?.end();
        await exited;
      } finally {
        clearTimeout(timer);
        connection.dispose();
      }
    },
  };
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void): void {
  let rest = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr?.on('end', () => rest && onLine(rest));
}

/** Host pids whose parent is `parent`, from /proc (unshare has exactly one: the farm). */
export async function childPids(parent: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces and parentheses): state, ppid...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) children.push(Number(entry));
  }
  return children;
}
