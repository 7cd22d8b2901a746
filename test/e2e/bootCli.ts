import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export const projectRoot = join(__dirname, '..', '..');
const bin = join(projectRoot, 'bin', 'netboot-farm.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `netboot-farm` with a private TMPDIR, so a test can check
 * that every VM's folder (sockets, UEFI variables) and user-mode TFTP tree is
 * gone afterwards. The example image cache is the user's, shared between runs.
 */
export function bootSandbox() {
  const tmp = mkdtempSync(join(tmpdir(), 'nbf-e2e-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  return {
    tmp,
    leftovers: () => readdirSync(tmp),
    run(args: readonly string[], timeoutMs: number): Promise<CliRun> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
        child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
        // SIGINT is the CLI's own stop: VMs and farm go down in order.
        const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
  };
}

export interface BootJson {
  ok: boolean;
  network: { mode: string; reason?: string };
  nodes: { name: string; mac: string; firmware: string; matched: string | null; reached: string[]; stuckAt: string | null; lastLines: string[] }[];
  events: { time: number; layer: string; kind: string; message: string; node?: string; data?: Record<string, unknown> }[];
}

export function parseBootJson(run: CliRun): BootJson {
  try {
    return JSON.parse(run.stdout) as BootJson;
  } catch {
    throw new Error(`boot --json printed no JSON (exit ${run.code}):\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  }
}
