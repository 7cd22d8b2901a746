import { loadExeca } from '../build/execaLoader';

/** A failed `ip` command, with its arguments and what it said. */
export class IpCommandError extends Error {}

/**
 * Runs iproute2's `ip` with an argument array (never a shell) and returns its
 * output. Failures carry the command line and ip's own message.
 */
export async function ip(args: readonly string[]): Promise<string> {
  const { execa } = await loadExeca();
  const result = await execa('ip', args, { reject: false, stdin: 'ignore' });
  if (result.failed) {
    const said = String(result.stderr || result.stdout || result.message).trim();
    throw new IpCommandError(`ip ${args.join(' ')} failed: ${said}`);
  }
  return String(result.stdout);
}

/**
 * Runs several `ip` commands in one process (`ip -batch -`), stopping at the
 * first that fails; the error names that command. One process instead of
 * one per command: bringing the LAN up is on every boot's critical path.
 */
export async function ipBatch(commands: readonly (readonly string[])[]): Promise<void> {
  const { execa } = await loadExeca();
  const result = await execa('ip', ['-batch', '-'], { reject: false, input: commands.map((c) => c.join(' ')).join('\n') + '\n' });
  if (!result.failed) return;
  const said = String(result.stderr || result.stdout || result.message).trim();
  const line = Number(/Command failed -:(\d+)/.exec(said)?.[1]);
  const failed = commands[line - 1];
  const reason = said.replace(/\s*Command failed -:\d+\s*/, ' ').trim();
  throw new IpCommandError(`ip ${failed ? failed.join(' ') : `-batch (${commands.length} commands)`} failed: ${reason}`);
}

/** The names of this network namespace's interfaces (`ip -o link`). */
export async function linkNames(): Promise<string[]> {
  const out = await ip(['-o', 'link', 'show']);
  return out
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}
