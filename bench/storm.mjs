// Boot storm, side by side: N simulated clients start at once, each fetching
// a kernel and an initramfs by TFTP, then reading the root image by NBD
// (random reads, pipelined), against the farm's own TFTP + NBD servers (one
// Node process, as in the farm) and, in the same run, against tftpd-hpa +
// nbd-server. Everything runs on loopback inside a network namespace this
// script creates and always removes. Measurements, not tests. Needs root.
//
//   node bench/storm.mjs [--clients 100] [--nbd-mib 50] [--read-kib 128]
//                        [--depth 4] [--blksize 1468] [--windowsize 1]
//                        [--image-mib 256] [--only ours|peers] [--json FILE]
//
// Reported per server set: clients that completed, p50/p99 of the per-client
// time (first TFTP request to NBD disconnect) and of its two phases, wall
// time, server CPU time, and peak memory: ours is VmHWM of the one server
// process (/proc/PID/status); the peers fork a process per transfer or
// client, so theirs is the highest sum of RSS (and of PSS, which counts
// shared pages once) over every process of theirs, sampled every 50 ms.
//
// Internal modes (started by the main mode inside the namespace, under tsx):
//   --serve TFTP_ROOT IMAGE   our servers on 127.0.0.1:69 and :10809
//   --drive SPEC_JSON         the clients; prints one JSON line of results
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { takeOption } from './option.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXPORT = 'amd64';
const KERNEL = 'ltsp/amd64/vmlinuz';
const INITRD = 'ltsp/amd64/initrd.img';
const GOAL_MIB = 300;
const MiB = 1024 * 1024;

const argv = process.argv.slice(2);
const say = (line = '') => process.stdout.write(line + '\n');
const round = (n, d = 1) => (n === null || n === undefined ? null : Math.round(n * 10 ** d) / 10 ** d);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- child mode: our servers, as the farm runs them (one process) ---------

async function serve(tftpRoot, image) {
  const { TftpServer } = await import(pathToFileURL(join(repo, 'server/src/farm/tftp/server.ts')).href);
  const { NbdServer } = await import(pathToFileURL(join(repo, 'server/src/farm/nbd/server.ts')).href);
  // Only what goes wrong is printed, so the storm does not time the logging.
  const events = (event) => {
    if (event.level === 'error') process.stdout.write(JSON.stringify({ event }) + '\n');
  };
  const tftp = new TftpServer({ root: tftpRoot, address: '127.0.0.1', port: 69, events });
  const nbd = new NbdServer({ address: '127.0.0.1', port: 10809, exports: [{ name: EXPORT, file: image }], events });
  await tftp.start();
  await nbd.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void Promise.all([tftp.stop(), nbd.stop()]).then(() => process.exit(0)));
}

// ---- child mode: the clients ------------------------------------------------

/** mulberry32: each client's offsets are the same from run to run and server to server. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A TFTP read, as a PXE ROM does it: RRQ with blksize (and windowsize when
 * above 1), ACK 0 after the OACK, every block checked against the file as it
 * arrives, the last good block re-acknowledged on a gap or a silence.
 */
async function tftpGet(P, path, expected, { blksize, windowsize }) {
  const socket = createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const options = [['blksize', String(blksize)], ['tsize', '0'], ...(windowsize > 1 ? [['windowsize', String(windowsize)]] : [])];
  const request = P.encodePacket({ type: 'RRQ', filename: path, mode: 'octet', options });
  return new Promise((resolve, reject) => {
    let port = 0;
    let size = 512;
    let window = 1;
    let got = 0; // blocks received in order
    let bytes = 0;
    let last = request;
    let silent = 0;
    let timer;
    const finish = (error) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(bytes);
    };
    const send = (packet) => {
      last = packet;
      socket.send(packet, port || 69, '127.0.0.1');
    };
    const ack = (block) => send(P.encodePacket({ type: 'ACK', block: block & 0xffff }));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (++silent > 8) return finish(new Error(`TFTP ${path}: no answer after 8 retries at block ${got}`));
        socket.send(last, port || 69, '127.0.0.1');
        arm();
      }, 1000);
    };
    socket.on('message', (msg, rinfo) => {
      if (port && rinfo.port !== port) return socket.send(P.encodePacket({ type: 'ERROR', code: 5, message: 'Unknown transfer ID' }), rinfo.port, rinfo.address);
      const decoded = P.decodePacket(msg);
      if (!decoded.ok) return finish(new Error(`TFTP ${path}: ${decoded.reason}`));
      const packet = decoded.packet;
      if (packet.type === 'ERROR') return finish(new Error(`TFTP ${path}: server error ${packet.code}: ${packet.message}`));
      port ||= rinfo.port;
      silent = 0;
      arm();
      if (packet.type === 'OACK') {
        if (got > 0) return;
        size = Number(P.optionValue(packet.options, 'blksize') ?? 512);
        window = Number(P.optionValue(packet.options, 'windowsize') ?? 1);
        return ack(0);
      }
      if (packet.type !== 'DATA') return;
      if (packet.block !== ((got + 1) & 0xffff)) return ack(got); // a gap or a duplicate
      const at = got * size;
      if (!packet.data.equals(expected.subarray(at, at + packet.data.length))) return finish(new Error(`TFTP ${path}: block ${got + 1} differs from the file`));
      got++;
      bytes += packet.data.length;
      if (packet.data.length < size) {
        ack(got);
        return finish(bytes === expected.length ? undefined : new Error(`TFTP ${path}: ${bytes} bytes instead of ${expected.length}`));
      }
      if (got % window === 0) ack(got);
    });
    send(request);
    arm();
  });
}

/** Random reads of `readBytes` at 4 KiB-aligned offsets, `depth` in flight, until `totalBytes`; every reply checked. */
async function nbdReads(NbdClient, image, seed, { totalBytes, readBytes, depth }) {
  const client = await NbdClient.open('127.0.0.1', 10809, EXPORT);
  try {
    if (client.size !== image.length) throw new Error(`NBD export is ${client.size} bytes, the image ${image.length}`);
    const random = prng(seed);
    const blocks = Math.floor((image.length - readBytes) / 4096);
    let issued = 0;
    const worker = async () => {
      while (issued < totalBytes) {
        issued += readBytes;
        const offset = Math.floor(random() * blocks) * 4096;
        const data = await client.read(offset, readBytes);
        if (!data.equals(image.subarray(offset, offset + readBytes))) throw new Error(`NBD read at ${offset} differs from the image`);
      }
    };
    await Promise.all(Array.from({ length: depth }, worker));
  } finally {
    await client.close();
  }
}

async function drive(spec) {
  const P = await import(pathToFileURL(join(repo, 'server/src/farm/tftp/packet.ts')).href);
  const { NbdClient } = await import(pathToFileURL(join(repo, 'server/src/farm/nbd/client.ts')).href);
  const kernel = readFileSync(spec.kernel);
  const initrd = readFileSync(spec.initrd);
  const image = readFileSync(spec.image);
  const t0 = performance.now();
  const one = async (i) => {
    const started = performance.now();
    const r = { client: i };
    try {
      await tftpGet(P, KERNEL, kernel, spec);
      await tftpGet(P, INITRD, initrd, spec);
      r.tftpMs = performance.now() - started;
      await nbdReads(NbdClient, image, 1000 + i, spec);
      r.totalMs = performance.now() - started;
      r.nbdMs = r.totalMs - r.tftpMs;
    } catch (error) {
      r.error = error instanceof Error ? error.message : String(error);
    }
    return r;
  };
  const clients = await Promise.all(Array.from({ length: spec.clients }, (_, i) => one(i)));
  process.stdout.write(JSON.stringify({ wallMs: performance.now() - t0, clients }) + '\n');
}

// ---- main mode ------------------------------------------------------------

const option = (name, fallback) => takeOption(argv, name, fallback);

function must(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').trim()}`);
  return r.stdout;
}
const version = (pkg) => spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout || '?';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** The pids in the namespace (by /proc/PID/ns/net), without `except`. */
function pidsIn(nsIdentity, except) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || except.has(Number(name))) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/net`) === nsIdentity) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function statusKiB(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function pssKiB(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (ms, user + system) a process has used so far, without its children. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Nearest-rank percentile. */
const percentile = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

function makeRandomFile(path, bytes) {
  if (existsSync(path) && statSync(path).size === bytes) return;
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4 * MiB);
  for (let done = 0; done < bytes; done += block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, bytes - done));
  closeSync(fd);
}

/** The example image's kernel and initramfs when it was built here, else random files of about their size. */
function bootFiles(cache) {
  const base = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'netboot-farm', 'example-image');
  for (const key of existsSync(base) ? readdirSync(base) : []) {
    const dir = join(base, key, 'tftp', 'ltsp', 'amd64');
    if (existsSync(join(dir, 'vmlinuz')) && existsSync(join(dir, 'initrd.img'))) return { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), from: `the example image (${join(base, key)})` };
  }
  makeRandomFile(join(cache, 'vmlinuz'), 8 * MiB);
  makeRandomFile(join(cache, 'initrd.img'), 30 * MiB);
  return { kernel: join(cache, 'vmlinuz'), initrd: join(cache, 'initrd.img'), from: 'generated random files (no example image in the cache)' };
}

async function main() {
  const clients = Number(option('clients', '100'));
  const nbdMiB = Number(option('nbd-mib', '50'));
  const readKiB = Number(option('read-kib', '128'));
  const depth = Number(option('depth', '4'));
  const blksize = Number(option('blksize', '1468'));
  const windowsize = Number(option('windowsize', '1'));
  const imageMiB = Number(option('image-mib', '256'));
  const only = option('only', 'both');
  const jsonOut = option('json', join(tmpdir(), 'netboot-farm-bench', 'storm.json'));
  if (argv.length) throw new Error(`unknown arguments: ${argv.join(' ')}`);
  if (process.getuid?.() !== 0) {
    say('bench/storm.mjs: needs root for ip netns; skipped');
    return;
  }

  const cache = join(tmpdir(), 'netboot-farm-bench', 'storm');
  mkdirSync(cache, { recursive: true });
  const image = join(cache, `image-${imageMiB}MiB.raw`);
  makeRandomFile(image, imageMiB * MiB);
  const boot = bootFiles(cache);
  const dir = mkdtempSync(join(tmpdir(), 'nbf-bench-storm-'));
  const tftpRoot = join(dir, 'tftp');
  mkdirSync(join(tftpRoot, dirname(KERNEL)), { recursive: true });
  copyFileSync(boot.kernel, join(tftpRoot, KERNEL));
  copyFileSync(boot.initrd, join(tftpRoot, INITRD));
  const spec = { clients, totalBytes: nbdMiB * MiB, readBytes: readKiB * 1024, depth, blksize, windowsize, kernel: join(tftpRoot, KERNEL), initrd: join(tftpRoot, INITRD), image };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));

  const ns = `nbf-bench-storm-${process.pid}`;
  const started = [];
  const cleanup = () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Whatever is left inside the namespace is ours (a daemonised nbd-server, its children).
    spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean).forEach((pid) => {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    });
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

  must('ip', ['netns', 'add', ns]);
  must('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  // The namespace's identity as /proc/PID/ns/net shows it, read from a process inside it.
  const nsIdentity = must('ip', ['netns', 'exec', ns, 'readlink', '/proc/self/ns/net']).trim();
  const inNs = (command, args, options = {}) => {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.out = '';
    child.err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (child.out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (child.err = (child.err + d).slice(-4000)));
    started.push(child);
    return child;
  };
  /** Polls the namespace's /proc/net until TCP 10809 listens and UDP 69 is bound. */
  const waitReady = async (child, label) => {
    for (let i = 0; i < 200; i++) {
      const net = must('ip', ['netns', 'exec', ns, 'cat', '/proc/net/tcp', '/proc/net/udp']);
      const lines = net.split('\n').map((l) => l.trim().split(/\s+/));
      const tcp = lines.some((f) => f[1] === '0100007F:2A39' && f[3] === '0A') || lines.some((f) => f[1] === '00000000:2A39' && f[3] === '0A');
      const udp = lines.some((f) => /:0045$/.test(f[1] ?? '') && f[3] === '07');
      if (tcp && udp) return;
      if (child.exitCode !== null) throw new Error(`${label} exited ${child.exitCode}: ${child.err.trim()}`);
      await sleep(100);
    }
    throw new Error(`${label} did not listen on :69/udp and :10809/tcp within 20 s`);
  };

  const sets = [
    {
      id: 'ours',
      label: 'netboot-farm TftpServer + NbdServer, one process (node --import tsx)',
      start: () => inNs(process.execPath, ['--import', 'tsx', 'bench/storm.mjs', '--serve', tftpRoot, image]),
    },
    {
      id: 'peers',
      label: `tftpd-hpa ${version('tftpd-hpa')} (in.tftpd -L -4 -a :69 -s) + nbd-server ${version('nbd-server')} (daemon, a process per client)`,
      start: () => {
        const conf = join(dir, 'nbd-server.conf');
        writeFileSync(conf, `[generic]\nlistenaddr = 127.0.0.1\nport = 10809\n\n[${EXPORT}]\nexportname = ${image}\nreadonly = true\n`);
        const tftpd = inNs('in.tftpd', ['-L', '-4', '-a', ':69', '-s', tftpRoot]);
        const nbd = inNs('nbd-server', ['-C', conf, '-p', join(dir, 'nbd-server.pid')]);
        tftpd.companion = nbd;
        return tftpd;
      },
    },
  ].filter((s) => only === 'both' || s.id === only);

  say(`boot storm: ${clients} clients at once, each TFTP ${KERNEL} (${statSync(boot.kernel).size} B) + ${INITRD} (${statSync(boot.initrd).size} B) at blksize ${blksize}${windowsize > 1 ? ` windowsize ${windowsize}` : ' (lockstep)'}, then ${nbdMiB} MiB of random ${readKiB} KiB NBD reads (${depth} in flight) from a ${imageMiB} MiB image`);
  say(`boot files: ${boot.from}; namespace ${ns}; node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  readFileSync(image); // into the page cache, for every server alike

  const results = {};
  for (const set of sets) {
    const server = set.start();
    try {
      await waitReady(server, set.id);
      if (server.companion) await waitReady(server.companion, set.id);
      const driver = inNs(process.execPath, ['--import', 'tsx', 'bench/storm.mjs', '--drive', join(dir, 'spec.json')]);
      // Sample the servers' memory while the clients run (the driver is not counted).
      const except = new Set([process.pid, driver.pid]);
      let peakRss = 0;
      let peakPss = 0;
      let peakProcesses = 0;
      // CPU per process as last seen: tftpd-hpa's children are not reaped into
      // its own counters, so a child's last moments (under 50 ms) go uncounted.
      const cpuBefore = new Map(pidsIn(nsIdentity, except).map((pid) => [pid, cpuMs(pid)]));
      const cpuSeen = new Map();
      // Listing the namespace's processes walks /proc: every 250 ms, not every sample.
      let pids = [];
      let listedAt = 0;
      const sample = () => {
        if (performance.now() - listedAt > 250) {
          pids = pidsIn(nsIdentity, except);
          listedAt = performance.now();
        }
        let rss = 0;
        let pss = 0;
        for (const pid of pids) {
          rss += statusKiB(pid, 'VmRSS');
          pss += pssKiB(pid);
          const cpu = cpuMs(pid);
          if (Number.isFinite(cpu)) cpuSeen.set(pid, cpu);
        }
        peakRss = Math.max(peakRss, rss);
        peakPss = Math.max(peakPss, pss);
        peakProcesses = Math.max(peakProcesses, pids.length);
      };
      const sampler = setInterval(sample, 50);
      const serverPid = server.pid;
      await new Promise((resolve) => driver.once('exit', resolve));
      clearInterval(sampler);
      sample();
      let serverCpu = 0;
      for (const [pid, cpu] of cpuSeen) serverCpu += cpu - (cpuBefore.get(pid) ?? 0);
      const hwm = set.id === 'ours' ? statusKiB(serverPid, 'VmHWM') : null;
      if (driver.exitCode !== 0) throw new Error(`the client driver exited ${driver.exitCode}: ${driver.err.trim()}`);
      const run = JSON.parse(driver.out.trim().split('\n').pop());
      const ok = run.clients.filter((c) => !c.error);
      const failures = run.clients.filter((c) => c.error);
      const pick = (key) => ok.map((c) => c[key]);
      results[set.id] = {
        label: set.label,
        completed: ok.length,
        failed: failures.length,
        failures: failures.slice(0, 5).map((c) => `client ${c.client}: ${c.error}`),
        wallMs: round(run.wallMs, 0),
        totalMs: { p50: round(percentile(pick('totalMs'), 50), 0), p99: round(percentile(pick('totalMs'), 99), 0) },
        tftpMs: { p50: round(percentile(pick('tftpMs'), 50), 0), p99: round(percentile(pick('tftpMs'), 99), 0) },
        nbdMs: { p50: round(percentile(pick('nbdMs'), 50), 0), p99: round(percentile(pick('nbdMs'), 99), 0) },
        serverCpuMs: round(serverCpu, 0),
        peakMemoryMiB: { vmHwm: hwm === null ? null : round(hwm / 1024), sampledRss: round(peakRss / 1024), sampledPss: round(peakPss / 1024) },
        peakProcesses,
        serverErrors: server.out.split('\n').filter((l) => l.startsWith('{"event"')).slice(0, 5),
      };
    } catch (error) {
      results[set.id] = { label: set.label, error: error instanceof Error ? error.message : String(error) };
    } finally {
      for (const child of [server, server.companion].filter(Boolean)) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      }
      const pidFile = join(dir, 'nbd-server.pid');
      if (server.companion && existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
        } catch {
          // gone
        }
        rmSync(pidFile, { force: true });
      }
      // Wait until nothing of this set is left in the namespace (ports free for the next).
      for (let i = 0; i < 50 && pidsIn(nsIdentity, new Set([process.pid])).length > 0; i++) await sleep(100);
      for (const pid of pidsIn(nsIdentity, new Set([process.pid]))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }

  say('');
  say(`== boot storm: ${clients} clients, per-client time = first TFTP request to NBD disconnect`);
  const ms = (n) => (n === null || n === undefined ? '-' : `${n} ms`);
  const rows = [['servers', 'completed', 'p50', 'p99', 'TFTP p50', 'TFTP p99', 'NBD p50', 'NBD p99', 'wall', 'server CPU', 'peak memory']];
  for (const [id, r] of Object.entries(results)) {
    if (r.error) {
      rows.push([id, 'FAILED', '-', '-', '-', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const memory = r.peakMemoryMiB.vmHwm !== null ? `${r.peakMemoryMiB.vmHwm} MiB (VmHWM)` : `${r.peakMemoryMiB.sampledRss} MiB RSS / ${r.peakMemoryMiB.sampledPss} MiB PSS, ${r.peakProcesses} procs`;
    rows.push([id, `${r.completed}/${clients}`, ms(r.totalMs.p50), ms(r.totalMs.p99), ms(r.tftpMs.p50), ms(r.tftpMs.p99), ms(r.nbdMs.p50), ms(r.nbdMs.p99), ms(r.wallMs), ms(r.serverCpuMs), memory]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    say(r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '));
    if (i === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const [id, r] of Object.entries(results)) {
    say(`${id}: ${r.label}`);
    if (r.error) say(`  ${id} failed: ${r.error}`);
    for (const f of r.failures ?? []) say(`  ${f}`);
    for (const e of r.serverErrors ?? []) say(`  server: ${e}`);
  }
  const ours = results.ours;
  const peers = results.peers;
  let ratios = null;
  if (ours && peers && !ours.error && !peers.error) {
    ratios = {
      p50: round(ours.totalMs.p50 / peers.totalMs.p50, 2),
      p99: round(ours.totalMs.p99 / peers.totalMs.p99, 2),
      tftpP50: round(ours.tftpMs.p50 / peers.tftpMs.p50, 2),
      nbdP50: round(ours.nbdMs.p50 / peers.nbdMs.p50, 2),
      serverCpu: round(ours.serverCpuMs / peers.serverCpuMs, 2),
      memoryVsPeersRss: round(ours.peakMemoryMiB.vmHwm / peers.peakMemoryMiB.sampledRss, 2),
    };
    say(`ours / peers (below 1: ours is faster or smaller): p50 ${ratios.p50}x, p99 ${ratios.p99}x (TFTP p50 ${ratios.tftpP50}x, NBD p50 ${ratios.nbdP50}x), server CPU ${ratios.serverCpu}x, peak memory ${ratios.memoryVsPeersRss}x (VmHWM vs their summed RSS)`);
  }
  if (ours && !ours.error) {
    const met = ours.failed === 0 && ours.completed === clients && ours.peakMemoryMiB.vmHwm < GOAL_MIB;
    say(`goal (no failure, peak memory under ${GOAL_MIB} MiB): ${met ? 'met' : 'MISSED'} (${ours.completed}/${clients} completed, VmHWM ${ours.peakMemoryMiB.vmHwm} MiB)`);
  }
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), machine: { node: process.version, cpus: cpus().length, load: loadavg() }, options: { clients, nbdMiB, readKiB, depth, blksize, windowsize, imageMiB }, bootFiles: boot.from, results, ratios, goalMiB: GOAL_MIB }, null, 2) + '\n');
  say(`results: ${jsonOut}`);
}

if (argv[0] === '--serve') await serve(argv[1], argv[2]);
else if (argv[0] === '--drive') await drive(JSON.parse(readFileSync(argv[1], 'utf8')));
else {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`bench/storm.mjs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
