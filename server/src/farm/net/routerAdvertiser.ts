import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExeca } from '../build/execaLoader';
import { childPids } from '../launch';

/**
 * IPv6 router advertisements on the private bridge. QEMU's iPXE waits about
 * 13 s for an IPv6 router before it boots when none answers; an RA with a ULA
 * prefix ends that wait. Node has no raw sockets, so Debian's `radvd` sends
 * them, in the foreground, as a child of the farm (it dies with the farm's
 * PID namespace). radvd runs unprivileged-in-a-user-namespace too, where
 * dnsmasq fails (it insists on setgroups).
 */

/** radvd.conf for one interface: short intervals so a VM that just came up hears one quickly. */
export function radvdConfig(iface: string, prefix: string, prefixLength: number): string {
  return [
    `interface ${iface} {`,
    '  AdvSendAdvert on;',
    '  MinRtrAdvInterval 3;',
    '  MaxRtrAdvInterval 4;',
    `  prefix ${prefix}/${prefixLength} {`,
    '  };',
    '};',
    '',
  ].join('\n');
}

export interface RouterAdvertiser {
  readonly running: boolean;
  /** `radvd (pid N)`, or why there is none. */
  readonly detail: string;
  stop(): Promise<void>;
}

/**
 * Starts radvd, or returns a stopped advertiser saying why not. radvd needs its
 * config and pid file only while it starts, so their folder is removed once it
 * is up: a farm killed later, even by SIGKILL, leaves no file behind.
 */
export async function startRouterAdvertiser(iface: string, prefix: string, prefixLength: number, log: (line: string) => void): Promise<RouterAdvertiser> {
  const dir = await mkdtemp(join(tmpdir(), 'netboot-farm-radvd-'));
  try {
    return await launch(dir, iface, prefix, prefixLength, log);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function launch(dir: string, iface: string, prefix: string, prefixLength: number, log: (line: string) => void): Promise<RouterAdvertiser> {
  const { execa } = await loadExeca();
  const config = join(dir, 'radvd.conf');
  const pidFile = join(dir, 'radvd.pid');
  await writeFile(config, radvdConfig(iface, prefix, prefixLength), { mode: 0o644 });
  const child = execa('radvd', ['--nodaemon', `--config=${config}`, `--pidfile=${pidFile}`, '--logmethod=stderr_clean'], {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
    forceKillAfterDelay: 1000,
  });
  let exited = false;
  const done = child.then((result) => {
    exited = true;
    return result;
  });
  let said = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    said = (said + text).slice(-2000);
    for (const line of text.split('\n')) if (line.trim()) log(`radvd: ${line.trim()}`);
  });
  // radvd reads its config, then opens its pid file three times, then forks its privilege-separation
  // helper: once that helper exists, neither file is opened again (seen with strace, radvd 2.19).
  const ready = async () => {
    for (let waited = 0; waited < 5000 && !exited; waited += 20) {
      if (child.pid !== undefined && (await childPids(child.pid)).length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.race([done, ready()]);
  if (exited) {
    const result = await done;
    const reason = /ENOENT/.test(String(result.message)) ? 'radvd is not installed: install the Debian package radvd' : `radvd exited: ${said.trim() || result.message}`;
    return stopped(`${reason} (iPXE will wait ~13 s for an IPv6 router on every boot)`);
  }
  return {
    get running() {
      return !exited;
    },
    detail: `radvd (pid ${child.pid}) advertising ${prefix}/${prefixLength} on ${iface}`,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await done;
    },
  };
}

function stopped(detail: string): RouterAdvertiser {
  return { running: false, detail, stop: async () => undefined };
}
