// TFTP throughput, side by side: the farm's TFTP server (server/src/farm/tftp)
// vs tftpd-hpa (`in.tftpd`) vs dnsmasq's TFTP, each serving the same file on
// loopback inside a fresh network namespace, each read whole by the same
// client, atftp, at blksize 512, 1468, and 1468 with windowsize 16. Wall time
// of atftp from spawn to exit; for each setting the three servers run back to
// back. One run (the issue's brief); ratios are ours / the best peer, below 1
// is faster. Measurements, not tests. Needs root (ip netns).
//
//   node bench/tftp.mjs [--size-mib 64] [--json FILE]
//   node bench/tftp.mjs --loss 0.1 [--runs 5] [--size-mib 8] [--with-peers]
//
// With --loss P, iptables in the namespace drops a random fraction P of the
// UDP packets both ways (as test/farm/tftpLoss.test.ts does) and each
// setting is read --runs times, lockstep and windowsize 16 at blksize 1468.
// Only our server by default: the peers rely on a fixed 1 s retransmission
// timer and atftp on its 5 s one, so at 10% loss they take minutes per MiB
// (--with-peers runs them anyway, with a 600 s cap per transfer).
//
// Our server runs as its own process, as the peers do: `node --import tsx
// server/src/farm/tftp/serveMain.ts --quiet` (the TypeScript sources).
// tftpd-hpa is started as `in.tftpd -L -4 -a :69 -s DIR`: inside a namespace,
// binding a specific address makes it exit 66.
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = argv[at + 1];
  argv.splice(at, 2);
  return value ?? fallback;
};
const loss = Number(option('loss', '0'));
const runs = Number(option('runs', loss > 0 ? '5' : '1'));
const withPeers = argv.includes('--with-peers');
if (withPeers) argv.splice(argv.indexOf('--with-peers'), 1);
const sizeMiB = Number(option('size-mib', loss > 0 ? '8' : '64'));
const jsonOut = option('json', join(tmpdir(), 'netboot-farm-bench', 'tftp.json'));
if (argv.length) {
  process.stderr.write(`bench/tftp.mjs: unknown arguments: ${argv.join(' ')}\n`);
  process.exit(2);
}
const say = (line = '') => process.stdout.write(line + '\n');

function must(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}
const version = (pkg) => spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout || null;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (process.getuid?.() !== 0) {
  say('bench/tftp.mjs: needs root for ip netns; skipped');
  process.exit(0);
}

const ns = `nbf-bench-tftp-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'nbf-bench-tftp-'));
const root = join(dir, 'root');
mkdirSync(root);
let server;

function cleanup() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** atftp inside the namespace; wall seconds and whether the copy is whole. */
function fetch(file, options) {
  const local = join(dir, 'got');
  rmSync(local, { force: true });
  const args = ['netns', 'exec', ns, 'atftp', ...options.flatMap((o) => ['--option', o]), '-g', '-r', file, '-l', local, '127.0.0.1', '69'];
  const started = performance.now();
  const r = spawnSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: loss > 0 ? 600_000 : 300_000 });
  const seconds = (performance.now() - started) / 1000;
  let bytes = 0;
  try {
    bytes = statSync(local).size;
  } catch {
    // Nothing arrived.
  }
  return { seconds, ok: r.status === 0 && bytes === sizeMiB * 1048576, status: r.status, stderr: (r.stderr ?? '').trim().split('\n').slice(-2).join(' | ') };
}

/** Starts a server inside the namespace and waits until it answers a small read. */
async function startServer(command, args) {
  server = spawn('ip', ['netns', 'exec', ns, command, ...args], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    if (server.exitCode !== null) throw new Error(`${command} exited ${server.exitCode}: ${stderr.trim()}`);
    const r = spawnSync('ip', ['netns', 'exec', ns, 'atftp', '--tftp-timeout', '1', '-g', '-r', 'ready', '-l', '/dev/null', '127.0.0.1', '69'], { stdio: 'ignore', timeout: 5000 });
    if (r.status === 0) return;
  }
  throw new Error(`${command} did not answer within 10 s: ${stderr.trim()}`);
}

async function stopServer() {
  if (!server) return;
  const s = server;
  server = undefined;
  if (s.exitCode === null && s.signalCode === null) {
    s.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => s.once('exit', resolve)), sleep(3000)]);
    if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
  }
}

const servers = [
  { id: 'ours', label: 'netboot-farm (node --import tsx serveMain.ts)', command: process.execPath, args: ['--import', 'tsx', join(repo, 'server/src/farm/tftp/serveMain.ts'), '--root', root, '--address', '127.0.0.1', '--port', '69', '--quiet'] },
  { id: 'tftpd-hpa', label: `tftpd-hpa ${version('tftpd-hpa') ?? '?'} (in.tftpd -L -4 -a :69 -s)`, command: 'in.tftpd', args: ['-L', '-4', '-a', ':69', '-s', root] },
  {
    id: 'dnsmasq',
    label: `dnsmasq ${version('dnsmasq-base') ?? version('dnsmasq') ?? '?'} (--enable-tftp)`,
    command: 'dnsmasq',
    args: ['-d', '--conf-file=/dev/null', '--port=0', '--enable-tftp', `--tftp-root=${root}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--user=root', '--pid-file', '--log-facility=-'],
  },
];
const settings = [
  ...(loss > 0 ? [] : [{ id: 'blksize 512', options: ['blksize 512'] }]),
  { id: 'blksize 1468', options: ['blksize 1468'] },
  { id: 'blksize 1468, windowsize 16', options: ['blksize 1468', 'windowsize 16'] },
];
if (loss > 0 && !withPeers) servers.splice(1);

async function main() {
  must('ip', ['netns', 'add', ns]);
  must('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  const file = `bench-${sizeMiB}m.bin`;
  // Written in pieces: the bench itself should not need the file's size in memory.
  const fd = openSync(join(root, file), 'w');
  const piece = Buffer.alloc(1048576);
  for (let i = 0; i < sizeMiB; i++) writeSync(fd, randomFillSync(piece));
  closeSync(fd);
  writeFileSync(join(root, 'ready'), 'ready\n');
  say(`TFTP bench: ${sizeMiB} MiB with atftp ${version('atftp') ?? '?'}, loopback in namespace ${ns}; node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);

  if (loss > 0) return lossRuns(file);
  const results = {};
  for (const s of servers) {
    results[s.id] = {};
    try {
      await startServer(s.command, s.args);
      for (const setting of settings) {
        const r = fetch(file, setting.options);
        await sleep(0); // a turn of the event loop, so that Ctrl-C cleans up between runs
        results[s.id][setting.id] = r;
        say(`  ${s.id.padEnd(9)} ${setting.id.padEnd(28)} ${r.ok ? `${r.seconds.toFixed(2)} s` : `FAILED (atftp exit ${r.status}: ${r.stderr})`}`);
      }
    } catch (error) {
      say(`  ${s.id}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await stopServer();
    }
  }

  say('');
  say(`== TFTP: ${sizeMiB} MiB, atftp wall time, one run; ratio = ours / best peer (below 1: ours is faster)`);
  const rows = [['setting', ...servers.map((s) => s.id), 'ours/best peer', 'goal (<= 1)']];
  const ratios = {};
  for (const setting of settings) {
    const time = (id) => (results[id]?.[setting.id]?.ok ? results[id][setting.id].seconds : null);
    const peers = servers.filter((s) => s.id !== 'ours').map((s) => time(s.id)).filter((t) => t !== null);
    const best = peers.length ? Math.min(...peers) : null;
    const ours = time('ours');
    const ratio = ours !== null && best !== null ? ours / best : null;
    ratios[setting.id] = ratio;
    rows.push([setting.id, ...servers.map((s) => (time(s.id) === null ? 'failed' : `${time(s.id).toFixed(2)} s`)), ratio === null ? '-' : `${ratio.toFixed(2)}x`, ratio === null ? '-' : ratio <= 1 ? 'met' : 'MISSED']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    say(r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '));
    if (i === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const s of servers) say(`${s.id}: ${s.label}`);
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), sizeMiB, load: loadavg(), servers: servers.map(({ id, label }) => ({ id, label })), results, ratios }, null, 2) + '\n');
  say(`results: ${jsonOut}`);
}

/** --loss: each setting `runs` times through random loss both ways; the spread matters as much as the median. */
async function lossRuns(file) {
  const drop = ['-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', String(loss), '-j', 'DROP'];
  const results = {};
  for (const s of servers) {
    results[s.id] = {};
    try {
      // The rule goes in once the server answers, so that the readiness probe is not what loses.
      await startServer(s.command, s.args);
      must('ip', ['netns', 'exec', ns, 'iptables', '-A', 'INPUT', ...drop]);
      for (const setting of settings) {
        const times = [];
        for (let i = 0; i < runs; i++) {
          const r = fetch(file, setting.options);
          await sleep(0); // a turn of the event loop, so that Ctrl-C cleans up between runs
          times.push(r.ok ? r.seconds : null);
          say(`  ${s.id.padEnd(9)} ${setting.id.padEnd(28)} run ${i + 1}: ${r.ok ? `${r.seconds.toFixed(2)} s` : `FAILED (atftp exit ${r.status}: ${r.stderr})`}`);
        }
        results[s.id][setting.id] = times;
      }
    } catch (error) {
      say(`  ${s.id}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      spawnSync('ip', ['netns', 'exec', ns, 'iptables', '-F', 'INPUT'], { stdio: 'ignore' });
      await stopServer();
    }
  }
  say('');
  say(`== TFTP through ${loss * 100}% loss both ways: ${sizeMiB} MiB, atftp wall time, ${runs} run(s) each`);
  const rows = [['server', 'setting', 'completed', 'median', 'min', 'max']];
  for (const s of servers) {
    for (const setting of settings) {
      const times = results[s.id]?.[setting.id] ?? [];
      const ok = times.filter((t) => t !== null).sort((x, y) => x - y);
      const median = ok.length ? (ok.length % 2 ? ok[ok.length >> 1] : (ok[ok.length / 2 - 1] + ok[ok.length / 2]) / 2) : null;
      const f = (t) => (t === null || t === undefined ? '-' : `${t.toFixed(1)} s`);
      rows.push([s.id, setting.id, `${ok.length}/${times.length}`, f(median), f(ok[0]), f(ok.at(-1))]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    say(r.map((cell, c) => (c <= 1 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '));
    if (i === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), sizeMiB, loss, runs, load: loadavg(), servers: servers.map(({ id, label }) => ({ id, label })), results }, null, 2) + '\n');
  say(`results: ${jsonOut}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench/tftp.mjs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
