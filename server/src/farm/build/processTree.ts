import { readdir, readFile } from 'node:fs/promises';

/** A process, with its start time so that a recycled pid is never mistaken for it. */
export interface ProcessId {
  readonly pid: number;
  readonly start: string;
}

async function readStat(pid: number): Promise<{ ppid: number; start: string } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // A zombie has ended; only its parent's wait() is missing.
  if (fields[0] === 'Z') return undefined;
  return { ppid: Number(fields[1]), start: fields[19] ?? '' };
}

/**
 * Every process below `roots` (Linux /proc). A RUN step's processes are not
 * in the builder's process group (runc gives the container a group of its
 * own), so cancelling by group alone leaves them running; they are found
 * here, while the tree is still whole, and stopped one by one.
 */
export async function processTree(roots: readonly number[]): Promise<ProcessId[]> {
  const children = new Map<number, { pid: number; start: string }[]>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readStat(Number(name));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), { pid: Number(name), start: stat.start }]);
  }
  const found: ProcessId[] = [];
  const queue = [...roots];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (found.some((p) => p.pid === child.pid)) continue;
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Signals the processes that are still the ones recorded; returns those still alive. */
export async function signalProcesses(processes: readonly ProcessId[], signal: NodeJS.Signals): Promise<ProcessId[]> {
  const alive: ProcessId[] = [];
  for (const p of processes) {
    if ((await readStat(p.pid))?.start !== p.start) continue;
    try {
      process.kill(p.pid, signal);
      alive.push(p);
    } catch {
      // Gone in between.
    }
  }
  return alive;
}
