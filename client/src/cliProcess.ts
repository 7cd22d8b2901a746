import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Ctx } from './context';

/**
 * Starts the bundled `netboot-farm` command line. The client keeps no build,
 * boot or export logic of its own: it runs the same CLI a terminal user runs
 * and shows what it prints. The extension host is Electron; ELECTRON_RUN_AS_NODE
 * makes its binary behave as plain Node for the child.
 */
export function spawnCli(ctx: Ctx, args: readonly string[], cwd: string, options: { readonly stdin?: 'ignore' | 'pipe' } = {}): ChildProcess {
  const cli = ctx.extension.asAbsolutePath(path.join('dist', 'cli.js'));
  // A piped stdin is for long-lived sessions the client talks to (`preview`).
  return spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...ctx.cliSettingsEnv(), ELECTRON_RUN_AS_NODE: '1' }, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI to the end and collects its output. */
export function runCli(ctx: Ctx, args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(ctx, args, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
