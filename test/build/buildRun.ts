import { spawn } from 'node:child_process';
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
