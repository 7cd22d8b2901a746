// Boot to marker, side by side: the same VM (QEMU, BIOS, iPXE ROM, MAC of
// node01) and the same example image, served once by our farm (`netboot-farm
// boot examples/farm --network isolated`) and once by the usual peers in a
// network namespace of this script's own: dnsmasq (DHCP, TFTP and router
// advertisements) + nbd-server. Both times are from "VM powered on" to the
// marker line on its serial console; the ratio is ours / peers, and the
// console milestones say where the seconds go.
//
//   node bench/boot.mjs [--runs 1] [--only ours|peers] [--json FILE]   (as root: it makes a namespace)
//
// A measurement, not a test. It runs the TypeScript sources through tsx.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!process.execArgv.some((a) => a.includes('tsx'))) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : fallback;
};
const runs = Number(option('runs', '1'));
const jsonOut = option('json', undefined);
const only = option('only', undefined); // ours | peers: one side alone
const MAC = '52:54:00:00:00:01';
const STEPS = ['firmware', 'kernel', 'initramfs', 'root', 'marker'];

const cli = (args) => spawnSync(process.execPath, [join(root, 'bin', 'netboot-farm.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
};

/** Seconds from power-on to each milestone, from a node's events. */
function stepTimes(events) {
  const start = events.find((e) => e.layer === 'vm' && e.kind === 'start')?.time;
  const times = {};
  for (const e of events) if (e.kind === 'milestone' && times[e.data?.step] === undefined) times[e.data.step] = (e.time - start) / 1000;
  return times;
}

async function ours() {
  const run = cli(['boot', 'examples/farm', '--network', 'isolated', '--headless', '--firmware', 'bios', '--nodes', '1', '--json', '--timeout', '300']);
  const result = JSON.parse(run.stdout);
  if (!result.ok) throw new Error(`our farm did not boot: ${JSON.stringify(result.nodes[0]?.lastLines)}`);
  return stepTimes(result.events.filter((e) => e.node === 'node01'));
}

async function peers(image) {
  const { QemuVm } = await import(pathToFileURL(join(root, 'server/src/farm/qemu/qemuVm.ts')).href);
  const ns = `nbf-bench-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'nbf-bench-boot-'));
  // dnsmasq drops root and must still read its TFTP root.
  chmodSync(dir, 0o755);
  const children = [];
  let vm;
  try {
    sh('ip', ['netns', 'add', ns]);
    const ip = (...args) => sh('ip', ['-n', ns, ...args]);
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'br0', 'type', 'bridge');
    ip('addr', 'add', '192.168.67.1/24', 'dev', 'br0');
    ip('-6', 'addr', 'add', 'fd6e:6266:6172:6d00::1/64', 'dev', 'br0', 'nodad');
    ip('link', 'set', 'br0', 'up');
    ip('tuntap', 'add', 'dev', 'tap0', 'mode', 'tap');
    ip('link', 'set', 'tap0', 'master', 'br0', 'up');
    const tftp = join(dir, 'tftp');
    cpSync(image.tftpRoot, tftp, { recursive: true });
    cpSync(join(root, 'examples', 'farm', 'lts.conf'), join(tftp, image.ltsConfPath));
    writeFileSync(join(dir, 'nbd.conf'), `[generic]\n  port = 10809\n  listenaddr = 192.168.67.1\n[${image.exportName}]\n  exportname = ${image.squashfs}\n  readonly = true\n`);
    const inNs = (cmd, args) => {
      const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'ignore' });
      children.push(child);
      return child;
    };
    const dnsmasq = inNs('dnsmasq', [
      '-k', '--port=0', '--interface=br0', '--bind-interfaces', '--leasefile-ro', '--pid-file=',
      '--dhcp-range=192.168.67.100,192.168.67.199', `--dhcp-host=${MAC},192.168.67.21`,
      '--dhcp-userclass=set:ipxe,iPXE', '--dhcp-boot=tag:ipxe,ltsp/amd64/boot.ipxe', '--dhcp-boot=tag:!ipxe,ltsp/amd64/pxelinux.0',
      '--enable-tftp', `--tftp-root=${tftp}`, '--enable-ra', '--dhcp-range=fd6e:6266:6172:6d00::,ra-only',
    ]);
    inNs('nbd-server', ['-C', join(dir, 'nbd.conf'), '-d']);
    await new Promise((r) => setTimeout(r, 1000));
    const events = [];
    vm = await QemuVm.start({ name: 'node01', mac: MAC, firmware: 'bios', network: { mode: 'tap', tap: 'tap0' }, headless: true, netnsOf: dnsmasq.pid, sink: (e) => events.push(e) });
    const line = await vm.waitForConsole(/netboot-farm: ready/, 300_000);
    if (!line) throw new Error(`the peers did not boot it: ${vm.lastConsoleLines(10).join(' | ')} ${events.filter((e) => e.layer === 'vm').map((e) => e.message).join(' | ')}`);
    return stepTimes(events);
  } finally {
    await vm?.stop();
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    // nbd-server -d does not stop on SIGTERM.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(join(root, 'dist', 'farm.js'))) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
const { readFarmImage } = await import(pathToFileURL(join(root, 'server/src/farm/image/farmImage.ts')).href);
const imageDir = cli(['image', 'example']).stdout.trim();
const image = await readFarmImage(imageDir);
if (!image) throw new Error(`no example image (netboot-farm image example printed "${imageDir}")`);

console.log(`boot to marker, BIOS + iPXE, TCG; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; ${runs} run(s) each, interleaved`);
const results = { ours: [], peers: [] };
for (let i = 0; i < runs; i++) {
  // Interleaved, so a slow moment of the machine hits both.
  if (only !== 'peers') results.ours.push(await ours());
  if (only !== 'ours') results.peers.push(await peers(image));
}
const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const row = (label, cells) => console.log(label.padEnd(12) + cells.map((c) => String(c).padStart(11)).join(''));
row('step (s)', ['ours', 'peers', 'ours/peers']);
for (const step of STEPS) {
  const a = median(results.ours.map((r) => r[step] ?? NaN));
  const b = median(results.peers.map((r) => r[step] ?? NaN));
  row(step, [a.toFixed(1), b.toFixed(1), (a / b).toFixed(2)]);
}
const ratio = median(results.ours.map((r) => r.marker)) / median(results.peers.map((r) => r.marker));
console.log(`\nboot to marker: ours / (dnsmasq + nbd-server) = ${ratio.toFixed(2)}x (goal 1.0x or less)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ runs, results, ratio }, null, 2));
