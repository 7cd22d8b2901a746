// `node bench/build.mjs`: how long the example farm's image takes to build
// (a measurement, not a test; nothing here runs in `npm test`).
//
//   warm (default): the example built again with the layer cache of the
//     default state folder, interleaved with the peer: the same `buildah
//     build` command line run by hand (what a user without this tool types),
//     so the ratio is the cost of our wrapper (builder detection, progress
//     parsing, export swap, sha256 manifest of ~200 MB).
//   build to preview: one warm build, then `netboot-farm boot` of the built
//     image (BIOS, private LAN) until the login prompt: what "Build" and then
//     the preview cost a user after an edit.
//   --cold: additionally, a build from nothing in a fresh state folder in
//     $TMPDIR (the base image by debootstrap, then every layer), as CI sees
//     it. Minutes on 2 cores; the folder is removed afterwards.
//
// Options: --runs N (3) --cold --no-build --no-boot --builder buildah|podman (buildah)
// Results: printed, and written to $TMPDIR/netboot-farm-bench/build.json.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const value = (name, fallback) => {
  const at = argv.indexOf(`--${name}`);
  return at < 0 ? fallback : argv[at + 1];
};
const opts = { runs: Number(value('runs', '3')), cold: argv.includes('--cold'), noBuild: argv.includes('--no-build'), noBoot: argv.includes('--no-boot'), builder: value('builder', 'buildah') };
const say = (line = '') => process.stdout.write(line + '\n');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.getuid?.() !== 0) {
  say('bench/build: needs root (debootstrap and the builder storage); nothing measured.');
  process.exit(0);
}
if (!opts.noBuild) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

const cli = join(root, 'bin', 'netboot-farm.js');
const example = join(root, 'examples', 'farm');
const defaultState = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'netboot-farm', 'containers');

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-bench-build-'));
  // The Dockerfile's build context (image/, initramfs/, tftp/) and the farm's configs.
  for (const name of ['Dockerfile', 'lts.conf', 'dhcpd.conf', 'image', 'initramfs', 'tftp']) cpSync(join(example, name), join(dir, name), { recursive: true });
  return dir;
}

function timed(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}`);
  return ms;
}

function ours(stateDir) {
  const dir = workspace();
  try {
    return timed(process.execPath, [cli, 'build', dir, '--builder', opts.builder, ...(stateDir ? ['--state-dir', stateDir] : [])]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same build by hand: the builder's own command line, with our state folder so the cache is shared. */
function peer() {
  const dir = workspace();
  const env = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: join(defaultState, 'conf', 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(defaultState, 'conf', 'registries.conf'),
    CONTAINERS_CONF: join(defaultState, 'conf', 'containers.conf'),
    TMPDIR: join(defaultState, 'tmp'),
  };
  try {
    return timed(opts.builder, ['build', '--layers', '--force-rm', '--network', 'host', '--isolation', 'oci', '--runtime', '/usr/sbin/runc', '--target', 'artifacts', '--output', `type=local,dest=${join(dir, 'out')}`, '-f', join(dir, 'Dockerfile'), dir], { env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = { machine: { cpus: cpus().length, model: cpus()[0]?.model, load: loadavg().map((l) => l.toFixed(2)) }, builder: opts.builder, date: new Date().toISOString() };

say(`bench/build: ${cpus().length} cores, load ${results.machine.load.join(' ')}, builder ${opts.builder}`);
// Warm-up: makes sure the default state folder has the base image and every layer.
if (spawnSync(opts.builder, ['inspect', '--type', 'image', 'localhost/debian:bookworm'], { env: { ...process.env, CONTAINERS_STORAGE_CONF: join(defaultState, 'conf', 'storage.conf') } }).status !== 0) {
  say('  making the base image first (netboot-farm base-image)...');
  results.baseImageMs = timed(process.execPath, [cli, 'base-image', '--builder', opts.builder]);
}
say('  warm-up build (fills the layer cache when it is empty)...');
results.warmupMs = ours();
const warm = { ours: [], peer: [] };
for (let i = 0; i < opts.runs; i++) {
  warm.ours.push(ours());
  warm.peer.push(peer());
}
results.warm = { oursMedianMs: median(warm.ours), peerMedianMs: median(warm.peer), ours: warm.ours, peer: warm.peer, ratio: median(warm.ours) / median(warm.peer) };
say(`  warm build + export: ours ${seconds(results.warm.oursMedianMs)} (median of ${opts.runs}), ${opts.builder} by hand ${seconds(results.warm.peerMedianMs)}, ours/peer ${results.warm.ratio.toFixed(2)}x`);

if (!opts.noBoot) {
  const dir = workspace();
  try {
    say('  build to booted preview: warm build, then boot (BIOS, private LAN) to the login prompt...');
    const build = timed(process.execPath, [cli, 'build', dir, '--builder', opts.builder]);
    const boot = timed(process.execPath, [cli, 'boot', dir, '--headless', '--firmware', 'bios', '--network', 'isolated', '--expect', 'login:', '--timeout', '900']);
    results.buildToPreview = { buildMs: build, bootMs: boot, totalMs: build + boot };
    say(`  build to preview: build ${seconds(build)} + boot to login ${seconds(boot)} = ${seconds(build + boot)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (opts.cold) {
  const state = mkdtempSync(join(tmpdir(), 'nbf-bench-state-'));
  try {
    say('  cold: base image by debootstrap in a fresh state folder...');
    const base = timed(process.execPath, [cli, 'base-image', '--builder', opts.builder, '--state-dir', state]);
    say(`    base image ${seconds(base)}; cold build...`);
    const build = ours(state);
    results.cold = { baseImageMs: base, buildMs: build, totalMs: base + build };
    say(`  cold: base image ${seconds(base)} + build ${seconds(build)} = ${seconds(base + build)}`);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

const out = join(tmpdir(), 'netboot-farm-bench');
if (!existsSync(out)) mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'build.json'), JSON.stringify(results, null, 2) + '\n');
say(`  written to ${join(out, 'build.json')}`);
