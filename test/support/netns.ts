/**
 * Network namespaces for tests that need a real LAN (DHCP, TFTP, NBD against
 * real clients) without touching the host's network. Needs root (`ip netns`).
 *
 *   const lan = await createLan('dhcp');            // two namespaces joined by a veth pair
 *   t.after(() => lan.remove());                    // always: even when the test fails
 *   await lan.server.exec('ip', ['addr', 'add', '192.168.67.1/24', 'dev', lan.serverIf]);
 *   const udhcpc = lan.client.spawn('busybox', ['udhcpc', '-i', lan.clientIf, ...]);
 *   t.after(() => stop(udhcpc));
 *
 * Names carry the test process's pid so that parallel test files never clash,
 * and interface names start with `nbf` (the farm's prefix), which is what the
 * DHCP server's host-network guard accepts.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

let counter = 0;

/** True when this process may create network namespaces (root with `ip`). */
export function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program (argument array, no shell) and collects its output. Its
 * stdin is closed unless `input` is given, so a program that exits at once
 * cannot fail the test with EPIPE.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
      killSignal: 'SIGKILL',
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Like run, but a non-zero exit is an error carrying the command and its stderr. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** Resolves when a child process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills a child started by a test and waits for it, so nothing outlives the test. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await exited(child);
}

/**
 * Resolves with the output so far once `pattern` appears on the child's
 * stdout or stderr; rejects when the child exits first or time runs out.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(seen);
    };
    const onData = (chunk: Buffer | string) => {
      seen += String(chunk);
      if (pattern.test(seen)) done();
    };
    const onExit = (code: number | null) => done(new Error(`exited (${code}) before printing ${pattern}:\n${seen}`));
    const timer = setTimeout(() => done(new Error(`no ${pattern} within ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

export interface Namespace {
  readonly name: string;
  /** Runs a command inside the namespace and waits for it (rejects on a non-zero exit). */
  exec(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a command inside the namespace; the caller must `stop()` it. */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Deletes the namespace (idempotent); processes still inside it keep it alive until they exit. */
  remove(): Promise<void>;
}

/** A fresh namespace with `lo` up. */
export async function createNamespace(tag: string): Promise<Namespace> {
  const name = `nbft-${tag}-${process.pid}-${++counter}`;
  await runOk('ip', ['netns', 'add', name]);
  let removed = false;
  const ns: Namespace = {
    name,
    exec(command, args, options) {
      return runOk('ip', ['netns', 'exec', name, command, ...args], options);
    },
    spawn(command, args, options) {
      return spawn('ip', ['netns', 'exec', name, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    },
    async remove() {
      if (removed) return;
      removed = true;
      await run('ip', ['netns', 'del', name]);
    },
  };
  try {
    await ns.exec('ip', ['link', 'set', 'lo', 'up']);
  } catch (error) {
    await ns.remove();
    throw error;
  }
  return ns;
}

export interface Lan {
  readonly server: Namespace;
  readonly client: Namespace;
  /** The server side's interface name (in `server`). */
  readonly serverIf: string;
  /** The client side's interface name (in `client`). */
  readonly clientIf: string;
  readonly clientMac: string;
  remove(): Promise<void>;
}

/**
 * Two namespaces joined by a veth pair, both ends up. `serverAddress` (CIDR)
 * is put on the server end; the client end gets `clientMac`, no address and
 * a default route through the veth (so that broadcasts leave).
 */
export async function createLan(tag: string, init: { serverAddress?: string; clientMac?: string } = {}): Promise<Lan> {
  const server = await createNamespace(`${tag}s`);
  let client: Namespace | undefined;
  try {
    client = await createNamespace(`${tag}c`);
    const id = `${process.pid % 10000}${counter}`;
    const serverIf = `nbf${id}s`.slice(0, 15);
    const clientIf = `nbf${id}c`.slice(0, 15);
    const clientMac = init.clientMac ?? '52:54:00:12:34:56';
    await runOk('ip', ['link', 'add', serverIf, 'netns', server.name, 'type', 'veth', 'peer', 'name', clientIf, 'netns', client.name]);
    await client.exec('ip', ['link', 'set', clientIf, 'address', clientMac]);
    if (init.serverAddress) await server.exec('ip', ['addr', 'add', init.serverAddress, 'dev', serverIf]);
    await server.exec('ip', ['link', 'set', serverIf, 'up']);
    await client.exec('ip', ['link', 'set', clientIf, 'up']);
    // A client without an address still has to broadcast its DISCOVER.
    await client.exec('ip', ['route', 'add', 'default', 'dev', clientIf]);
    const c = client;
    return {
      server,
      client: c,
      serverIf,
      clientIf,
      clientMac,
      async remove() {
        // Deleting a namespace deletes its end of the veth, which deletes the other end.
        await c.remove();
        await server.remove();
      },
    };
  } catch (error) {
    await client?.remove();
    await server.remove();
    throw error;
  }
}
