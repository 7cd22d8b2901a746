import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildEvent } from '../../server/src/farm/build/buildEvents';

const cli = join(__dirname, '..', '..', 'bin', 'netboot-farm.js');

/**
 * Runs `netboot-farm build ARGS --json` and collects its events; `onEvent`
 * may return 'cancel' to send SIGTERM, as the VS Code task does.
 */
export function runBuildCli(args: readonly string[], onEvent?: (e: BuildEvent) => 'cancel' | void): Promise<{ code: number | null; events: BuildEvent[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'build', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: BuildEvent[] = [];
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as BuildEvent;
        events.push(event);
        if (onEvent?.(event) === 'cancel') child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, events, stderr }));
  });
}

export /** Processes whose command line contains `needle`, other than ourselves. */
function processesWith(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd}`);
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}
