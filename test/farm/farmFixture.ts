/**
 * For the farm process tests: a workspace folder with a dhcpd.conf, lts.conf
 * and a small built tree in .netboot/, a launched farm that is always stopped
 * (or killed) after the test, and views of the host from /proc and `ip`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FarmEvent } from '../../server/src/farm/events';
import { launchFarm, unshareArgs, type FarmProcess, type LaunchOptions } from '../../server/src/farm/launch';

export const farmScript = join(__dirname, '..', '..', 'dist', 'farm.js');

export const dhcpdConf = [
  '# the farm test LAN',
  'subnet 192.168.67.0 netmask 255.255.255.0 {',
  '  range 192.168.67.20 192.168.67.250;',
  '  next-server 192.168.67.1;',
  '}',
  '',
].join('\n');

export const ltsConf = '[Default]\nSCREEN_07 = shell\n';

/** Why the farm tests cannot run here, or false: they need root (for the /proc views) and an unshare that works. */
export function farmSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to see every process in /proc';
  const probe = spawnSync('unshare', [...unshareArgs(0), '--', 'true'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `unshare refused the namespaces: ${probe.stderr || probe.error?.message}`;
}

export function farmFolder(t: TestContext): string {
  const folder = mkdtempSync(join(tmpdir(), 'nbf-farm-test-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'dhcpd.conf'), dhcpdConf);
  writeFileSync(join(folder, 'lts.conf'), ltsConf);
  mkdirSync(join(folder, '.netboot', 'tftp'), { recursive: true });
  mkdirSync(join(folder, '.netboot', 'images'), { recursive: true });
  writeFileSync(join(folder, '.netboot', 'tftp', 'hello.txt'), 'hello from the farm\n');
  writeFileSync(join(folder, '.netboot', 'images', 'amd64.img'), Buffer.alloc(1 << 20, 7));
  return folder;
}

/** A launched farm whose events are collected; closed (or killed) after the test whatever happens. */
export async function startFarm(t: TestContext, options: Omit<LaunchOptions, 'farmScript' | 'onEvent'> = {}): Promise<{ farm: FarmProcess; events: FarmEvent[] }> {
  const events: FarmEvent[] = [];
  const log: string[] = [];
  const farm = await launchFarm({ farmScript, onEvent: (e) => events.push(e), onLog: (line) => log.push(line), ...options });
  t.after(async () => {
    await farm.close(5000);
    if (process.env.FARM_TEST_LOG) process.stderr.write(log.join('\n') + '\n');
  });
  return { farm, events };
}

/** Host interface names (`ip -o link`). */
export function hostLinks(): string[] {
  const out = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
}

/** `net:[4026532...]`: the namespace a process is in. */
export function namespaceOf(pid: number, kind: 'net' | 'pid'): string {
  return readlinkSync(`/proc/${pid}/ns/${kind}`);
}

/** Host pids of every process in the given namespace. */
export function processesIn(kind: 'net' | 'pid', namespace: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/${kind}`) === namespace) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The command line of a host pid, or undefined once it is gone. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/** Runs a command in the farm's network (and, with `pid`, PID and mount) namespaces. */
export function inFarm(farmPid: number, command: string[], namespaces: ('net' | 'pid' | 'mount')[] = ['net']) {
  const flags = namespaces.map((n) => ({ net: '--net', pid: '--pid', mount: '--mount' })[n]);
  return spawnSync('nsenter', ['--target', String(farmPid), ...flags, '--', ...command], { encoding: 'utf8', timeout: 20_000 });
}

/** Temp folders the farm made for radvd (they should be gone as soon as radvd is up). */
export function radvdTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('netboot-farm-radvd-'));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}
