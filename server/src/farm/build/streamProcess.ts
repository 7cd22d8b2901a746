import { loadExeca } from './execaLoader';
import { processTree, signalProcesses, type ProcessId } from './processTree';

export interface StreamOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Every line of stdout and stderr, interleaved as the tool wrote them. */
  readonly onLine?: (line: string) => void;
  /** After SIGTERM, how long the tree gets before SIGKILL. */
  readonly graceMs?: number;
}

export interface StreamResult {
  readonly exitCode: number;
  readonly cancelled: boolean;
  /** The last lines, for an error message when nothing better is known. */
  readonly tail: readonly string[];
}

/**
 * Runs a tool in a process group of its own, so that cancelling stops the
 * tool and everything it started (runc, the RUN step's shell, apt...), not
 * just the first process.
 */
export async function streamProcess(file: string, args: readonly string[], options: StreamOptions = {}): Promise<StreamResult> {
  const { execa } = await loadExeca();
  const child = execa(file, args, {
    env: options.env ? { ...process.env, ...options.env } : undefined,
    extendEnv: false,
    cwd: options.cwd,
    detached: true,
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
  });
  const tail: string[] = [];
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  /** The tree as it was when the cancel came: RUN steps live outside the builder's process group. */
  let tree: ProcessId[] = [];
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const killAll = async (signal: NodeJS.Signals) => {
    killGroup(signal);
    tree = [...tree, ...(await processTree(tree.map((p) => p.pid))).filter((p) => !tree.some((q) => q.pid === p.pid))];
    tree = await signalProcesses(tree, signal);
  };
  let aborting: Promise<void> | undefined;
  const onAbort = () => {
    cancelled = true;
    aborting = (async () => {
      tree = await processTree(child.pid ? [child.pid] : []);
      await killAll('SIGTERM');
      killTimer = setTimeout(() => void killAll('SIGKILL'), options.graceMs ?? 10_000);
    })();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const line of child.iterable({ from: 'all' })) {
      const text = String(line);
      tail.push(text);
      if (tail.length > 40) tail.shift();
      options.onLine?.(text);
    }
    const result = await child;
    // A tool that exits while its children still run leaves them behind: end them, and wait until they are gone.
    if (cancelled) {
      await aborting;
      for (let i = 0; i < 50; i++) {
        await killAll('SIGKILL');
        if (tree.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { exitCode: result.exitCode ?? (cancelled ? 130 : 1), cancelled, tail };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
}
