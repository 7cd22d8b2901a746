// NBD throughput, side by side: the farm's NBD server (server/src/farm/nbd)
// vs Debian's nbd-server vs qemu-nbd, each exporting the same image read-only
// on loopback, each read whole by the same client: `nbdcopy nbd://... null:`
// (libnbd's copier, pipelined, multi-conn where the server advertises it).
// Wall time of nbdcopy from spawn to exit; runs interleaved (ours, theirs,
// theirs, ours...) so a slow moment of the machine hits all alike.
//
//   node bench/nbd.mjs [--size-mib 256] [--runs 1] [--warmup 5] [--json FILE]
//
// Warm-up copies are made against every server alike and not counted. Five,
// because ours runs on V8: its per-request code is only optimised after a
// few thousand requests (measured: 400 ms of CPU for the first copy, about
// 260 ms for copies 2-6, 150-220 ms from the seventh on), and the farm's
// server runs for hours, so the steady state is what a boot storm meets.
//
// Measurements, not tests. `--serve FILE PORT` is the internal mode that runs
// our server in its own process, as the peers run in theirs (started with
// `node --import tsx`, so it runs the TypeScript sources).
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { takeOption } from './option.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL = 0.9; // our speed over the fastest peer's
const EXPORT = 'bench';

const argv = process.argv.slice(2);

/** Child mode: our server on 127.0.0.1:PORT until SIGTERM. */
async function serve(file, port) {
  const { NbdServer } = await import(pathToFileURL(join(root, 'server/src/farm/nbd/server.ts')).href);
  const server = new NbdServer({ address: '127.0.0.1', port, exports: [{ name: EXPORT, file }] });
  await server.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

const option = (name, fallback) => takeOption(argv, name, fallback);

function which(name) {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'which', name], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function dpkgVersion(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout : null;
}

/** A free TCP port on loopback (bound, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ createServer }) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
  });
}

/**
 * Waits until the port is in LISTEN state, read from /proc/net/tcp rather
 * than by connecting: nbd-server takes a probe that hangs up mid-handshake
 * for a failed client and says so.
 */
async function waitForListen(port, child, label, timeoutMs = 20_000) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n').some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === local && f[3] === '0A';
    });
    if (listening) return;
    if (child && child.exitCode !== null && child.exitCode !== 0) throw new Error(`${label} exited with ${child.exitCode} before listening: ${child.stderrText?.trim() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${label} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function start(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderrText = '';
  child.stderr.on('data', (d) => (child.stderrText = (child.stderrText + d).slice(-4000)));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function makeImage(path, bytes) {
  if (existsSync(path) && statSync(path).size === bytes) return;
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let done = 0; done < bytes; done += block.length) {
    randomFillSync(block);
    writeSync(fd, block, 0, Math.min(block.length, bytes - done));
  }
  closeSync(fd);
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU time (ms) a server process and its reaped children have used: on a
 * shared machine wall time mostly measures the neighbours, CPU time is what
 * the server itself costs. nbd-server's per-client children count once reaped.
 */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of the whole line, 12-15 after the name.
    return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function timeCopy(port) {
  const started = process.hrtime.bigint();
  const r = spawnSync('nbdcopy', [`nbd://127.0.0.1:${port}/${EXPORT}`, 'null:'], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, status: r.status, stderr: (r.stderr ?? '').trim() };
}

const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const sizeMiB = Number(option('size-mib', '256'));
  const runs = Number(option('runs', '1'));
  const warmup = Number(option('warmup', '5'));
  const jsonOut = option('json', null);
  if (argv.length) throw new Error(`unknown arguments: ${argv.join(' ')}`);
  if (!which('nbdcopy')) throw new Error('nbdcopy is not installed (Debian: libnbd-bin)');

  const dir = join(tmpdir(), 'netboot-farm-bench', 'nbd');
  mkdirSync(dir, { recursive: true });
  const image = join(dir, `image-${sizeMiB}MiB.raw`);
  makeImage(image, sizeMiB * 1024 * 1024);
  readFileSync(image); // into the page cache, for every server alike
  const scratch = mkdtempSync(join(tmpdir(), 'nbf-bench-nbd-'));

  const servers = [];
  const children = [];
  try {
    const ours = await freePort();
    servers.push({ id: 'ours', label: 'netboot-farm NbdServer (node --import tsx)', port: ours, child: start(process.execPath, ['--import', 'tsx', 'bench/nbd.mjs', '--serve', image, String(ours)]) });
    if (which('nbd-server')) {
      // Daemon mode (forks a process per client, as in production): with -d
      // it serves one connection at a time, and nbdcopy, which opens four
      // when the server offers multi-conn (nbd-server does), hangs. Stopped
      // through its pid file.
      const port = await freePort();
      const conf = join(scratch, 'nbd-server.conf');
      const pidFile = join(scratch, 'nbd-server.pid');
      writeFileSync(conf, `[generic]\nlistenaddr = 127.0.0.1\nport = ${port}\n\n[${EXPORT}]\nexportname = ${image}\nreadonly = true\n`);
      servers.push({ id: 'nbd-server', label: `nbd-server ${dpkgVersion('nbd-server') ?? '?'} (-C CONF -p PIDFILE, daemon)`, port, child: start('nbd-server', ['-C', conf, '-p', pidFile]), pidFile });
    }
    if (which('qemu-nbd')) {
      const port = await freePort();
      // --persistent and --shared: nbdcopy opens up to 4 connections when the server offers multi-conn.
      servers.push({ id: 'qemu-nbd', label: `qemu-nbd ${dpkgVersion('qemu-utils') ?? '?'} (-r -x NAME -p PORT -b 127.0.0.1 -f raw -t -e 8)`, port, child: start('qemu-nbd', ['-r', '-x', EXPORT, '-p', String(port), '-b', '127.0.0.1', '-f', 'raw', '-t', '-e', '8', image]) });
    }
    children.push(...servers.map((s) => s.child));
    for (const s of servers) await waitForListen(s.port, s.child, s.id);

    process.stdout.write(`NBD: nbdcopy nbd://127.0.0.1:PORT/${EXPORT} null: of a ${sizeMiB} MiB image, ${runs} run(s) after ${warmup} warm-up(s), interleaved\n`);
    const samples = new Map(servers.map((s) => [s.id, []]));
    const cpuSamples = new Map(servers.map((s) => [s.id, []]));
    const failures = new Map();
    for (let i = 0; i < warmup + runs; i++) {
      const order = i % 2 ? [...servers].reverse() : servers;
      for (const s of order) {
        const pid = s.pidFile ? Number(readFileSync(s.pidFile, 'utf8').trim()) : s.child.pid;
        const cpuBefore = cpuMs(pid);
        const r = timeCopy(s.port);
        // Let the daemon reap the children that served this copy before reading its CPU time.
        await new Promise((done) => setTimeout(done, 300));
        const cpu = cpuMs(pid) - cpuBefore;
        if (r.status !== 0) failures.set(s.id, r.stderr || `exit ${r.status}`);
        else if (i >= warmup) {
          samples.get(s.id).push(r.ms);
          cpuSamples.get(s.id).push(cpu);
        }
      }
    }
    const results = servers.map((s) => {
      const times = samples.get(s.id);
      const ms = times.length ? median(times) : null;
      const cpu = cpuSamples.get(s.id).filter(Number.isFinite);
      return { id: s.id, label: s.label, medianMs: ms === null ? null : round(ms), minMs: times.length ? round(Math.min(...times)) : null, runs: times.length, mibPerSecond: ms ? round(sizeMiB / (ms / 1000), 0) : null, serverCpuMs: cpu.length ? round(median(cpu)) : null, failure: failures.get(s.id) ?? null };
    });
    const peers = results.filter((r) => r.id !== 'ours' && r.medianMs);
    const fastest = peers.length ? Math.min(...peers.map((r) => r.medianMs)) : null;
    const ourResult = results.find((r) => r.id === 'ours');
    const speed = fastest && ourResult.medianMs ? round(fastest / ourResult.medianMs, 2) : null;

    const rows = [['server', 'median', 'min', 'MiB/s', 'speed vs fastest peer', 'server CPU'], ...results.map((r) => [r.id, r.medianMs === null ? 'FAILED' : `${r.medianMs} ms`, r.minMs === null ? '-' : `${r.minMs} ms`, r.mibPerSecond ?? '-', r.medianMs && fastest ? `${round(fastest / r.medianMs, 2)}x` : '-', r.serverCpuMs === null ? '-' : `${r.serverCpuMs} ms`])];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
    for (const [i, row] of rows.entries()) {
      process.stdout.write(row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ') + '\n');
      if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
    }
    for (const r of results) if (r.failure) process.stdout.write(`${r.id} failed: ${r.failure}\n`);
    process.stdout.write(`goal: ours at least ${GOAL}x the fastest peer: ${speed === null ? 'not measured' : speed >= GOAL ? `met (${speed}x)` : `MISSED (${speed}x)`}\n`);

    const out = {
      date: new Date().toISOString(),
      note: 'speed = fastest peer median wall time / this median; server CPU = median CPU time (user+sys, children included) the server process used per copy',
      machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, load: loadavg().map((n) => round(n, 2)) },
      client: `nbdcopy ${dpkgVersion('libnbd-bin') ?? '?'}: nbdcopy nbd://127.0.0.1:PORT/${EXPORT} null:`,
      sizeMiB,
      warmup,
      results,
      goal: GOAL,
      oursSpeedVsFastestPeer: speed,
    };
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 2) + '\n');
  } finally {
    await Promise.all(children.map(stop));
    for (const s of servers) {
      if (!s.pidFile || !existsSync(s.pidFile)) continue;
      const pid = Number(readFileSync(s.pidFile, 'utf8').trim());
      if (pid > 1) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (argv[0] === '--serve') await serve(argv[1], Number(argv[2]));
else await main();
