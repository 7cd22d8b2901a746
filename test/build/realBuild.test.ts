/**
 * Real builds with buildah (root, Debian 12's buildah + runc): the example
 * farm's Dockerfile end to end, a failing Dockerfile, and a cancelled one.
 * They share the builder state folder (the default one, so the layer and
 * debootstrap caches survive between local runs) and run one after another.
 * Without root or buildah they are skipped, and say so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildEvent } from '../../server/src/farm/build/buildEvents';
import { processesWith, runBuildCli } from './buildRun';
import type { BuildManifest } from '../../server/src/farm/build/artifactManifest';
import { defaultStateDir } from '../../server/src/farm/build/containerState';
import { bootSandbox, parseBootJson } from '../e2e/bootCli';

const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'netboot-farm.js');
const fixtures = join(__dirname, 'fixtures');
const state = defaultStateDir();
const env = {
  ...process.env,
  CONTAINERS_STORAGE_CONF: join(state, 'conf', 'storage.conf'),
  CONTAINERS_REGISTRIES_CONF: join(state, 'conf', 'registries.conf'),
  CONTAINERS_CONF: join(state, 'conf', 'containers.conf'),
  TMPDIR: join(state, 'tmp'),
};
const hasBuildah = spawnSync('buildah', ['--version']).status === 0;
const skip = process.getuid?.() !== 0 ? 'needs root (debootstrap, buildah storage)' : !hasBuildah ? 'buildah is not installed' : false;

function workspace(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, from] of Object.entries(files)) cpSync(from, join(dir, name), { recursive: true });
  return dir;
}

/** The example farm as a user has it: the Dockerfile's build context (image/, initramfs/, tftp/) and the farm's configs. */
const exampleFiles = () => {
  const example = join(root, 'examples', 'farm');
  return Object.fromEntries(['Dockerfile', 'lts.conf', 'dhcpd.conf', 'image', 'initramfs', 'tftp'].map((name) => [name, join(example, name)]));
};

function containers(): string[] {
  const r = spawnSync('buildah', ['containers', '--all', '--format', '{{.ContainerID}}'], { env, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/** Runs `netboot-farm build ARGS --builder buildah --json`. */
const build = (args: string[], onEvent?: (e: BuildEvent) => 'cancel' | void) => runBuildCli([...args, '--builder', 'buildah'], onEvent);

test('base image: localhost/debian:bookworm exists, or `netboot-farm base-image` makes it', { skip, timeout: 15 * 60_000 }, () => {
  const have = () => spawnSync('buildah', ['inspect', '--type', 'image', 'localhost/debian:bookworm'], { env }).status === 0;
  if (!have()) {
    const r = spawnSync(process.execPath, [cli, 'base-image', '--builder', 'buildah'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-2000));
    assert.match(r.stdout, /debootstrap bookworm from http/);
  }
  assert.ok(have());
});

test('a failing RUN is reported on its Dockerfile line, and leaves no container', { skip, timeout: 10 * 60_000 }, async (t) => {
  const dir = workspace(t, { Dockerfile: join(fixtures, 'failing-run.Dockerfile') });
  const before = containers();
  const r = await build([dir]);
  assert.equal(r.code, 1, r.stderr);
  const problems = r.events.filter((e): e is Extract<BuildEvent, { type: 'problem' }> => e.type === 'problem').map((e) => e.problem);
  assert.deepEqual(problems.map((p) => [p.code, p.line, p.file]), [['BLD001', 12, join(dir, 'Dockerfile')]]);
  assert.match(problems[0]!.message, /exit status 2.*No such file or directory/);
  const steps = r.events.filter((e): e is Extract<BuildEvent, { type: 'step' }> => e.type === 'step');
  assert.deepEqual(steps.map((s) => s.line), [3, 4, 5, 7, 8, 9, 10, 12]);
  assert.deepEqual(containers(), before);
});

test('cancelling stops the builder and its RUN step, and removes its containers', { skip, timeout: 10 * 60_000 }, async (t) => {
  const dir = workspace(t, { Dockerfile: join(fixtures, 'sleeping.Dockerfile') });
  const before = containers();
  let sawSleep = false;
  const r = await build([dir], (e) => {
    if (e.type !== 'log' || e.text !== 'started') return undefined;
    sawSleep = processesWith('sleep 600').length > 0;
    return 'cancel';
  });
  assert.ok(sawSleep, 'the RUN step was running when cancelled');
  assert.equal(r.code, 130, r.stderr);
  const done = r.events.find((e) => e.type === 'done');
  assert.deepEqual(done && [done.type, 'cancelled' in done && done.cancelled], ['done', true]);
  assert.deepEqual(processesWith('sleep 600'), []);
  assert.deepEqual(processesWith(join(dir, 'Dockerfile')), []);
  assert.deepEqual(containers(), before);
});

/** The file names inside an initramfs: an optional uncompressed early cpio, then a compressed one. */
function initramfsFiles(path: string): string[] {
  const bytes = readFileSync(path);
  let at = 0;
  const names: string[] = [];
  // Early (uncompressed) archives come first: skip them cpio by cpio, listing as we go.
  while (bytes.toString('latin1', at, at + 6) === '070701') {
    const r = spawnSync('cpio', ['-t', '--quiet'], { input: bytes.subarray(at), encoding: 'utf8', maxBuffer: 64 << 20 });
    names.push(...r.stdout.split('\n').filter(Boolean));
    const end = bytes.indexOf('TRAILER!!!', at);
    at = end < 0 ? bytes.length : Math.ceil((end + 11) / 512) * 512;
    while (at < bytes.length && bytes[at] === 0) at++;
  }
  const magic = bytes.subarray(at, at + 4).toString('hex');
  const tool = magic === '28b52ffd' ? ['zstd', '-dc'] : magic.startsWith('1f8b') ? ['gzip', '-dc'] : ['xz', '-dc'];
  const raw = spawnSync(tool[0]!, tool.slice(1), { input: bytes.subarray(at), maxBuffer: 1 << 30 });
  assert.equal(raw.status, 0, `${tool.join(' ')} could not decompress ${path}`);
  const r = spawnSync('cpio', ['-t', '--quiet'], { input: raw.stdout, encoding: 'utf8', maxBuffer: 64 << 20 });
  return [...names, ...r.stdout.split('\n').filter(Boolean)];
}

const boots = bootSandbox();

// Cold: ~3 min on 2 idle cores (the recipe's figure); 30 min measured here with the 2 cores shared at load 20.
// Then a BIOS boot under TCG to the login prompt: 160 to 190 s measured here at load 5 to 12.
test('the example farm builds with buildah, its artifacts are a squashfs, a kernel, an initramfs and a TFTP tree, and it boots to a login prompt', { skip, timeout: 55 * 60_000 }, async (t) => {
  const dir = workspace(t, exampleFiles());
  const started = Date.now();
  const r = await build([dir]);
  t.diagnostic(`build took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const done = r.events.find((e) => e.type === 'done');
  assert.equal(r.code, 0, `${JSON.stringify(done)}\n${r.stderr}\n${r.events.filter((e) => e.type === 'log').slice(-30).map((e) => ('text' in e ? e.text : '')).join('\n')}`);
  const steps = r.events.filter((e): e is Extract<BuildEvent, { type: 'step' }> => e.type === 'step');
  // Every stage ran; their order interleaves (artifacts starts, then waits on COPY --from=image).
  assert.deepEqual([...new Set(steps.map((s) => s.stageName))].sort(), ['artifacts', 'base', 'basesystem', 'image']);

  const netboot = join(dir, '.netboot');
  const manifest = JSON.parse(readFileSync(join(netboot, 'manifest.json'), 'utf8')) as BuildManifest;
  const of = (role: string) => manifest.files.filter((f) => f.role === role);
  assert.deepEqual([of('squashfs').length, of('kernel').length, of('initramfs').length], [1, 1, 1]);
  assert.equal(manifest.build.builder.name, 'buildah');
  assert.deepEqual(manifest.build.configs.map((c) => c.path), ['lts.conf']);
  const sha = spawnSync('sha256sum', [join(netboot, of('kernel')[0]!.path)], { encoding: 'utf8' }).stdout.split(' ')[0];
  assert.equal(of('kernel')[0]!.sha256, sha);

  // The boot files are where dhcpd.conf sends each kind of client, and the manifest names them for the farm.
  assert.deepEqual(manifest.bootFiles, { ipxe: 'ltsp/amd64/boot.ipxe', bios: 'ltsp/amd64/pxelinux.0', efi: 'boot/grub/x86_64-efi/core.efi' });
  assert.deepEqual([manifest.squashfs, manifest.exportName, manifest.ltsConfPath], ['images/amd64.img', 'amd64', 'ltsp/amd64/lts.conf']);
  const filenames = [...readFileSync(join(dir, 'dhcpd.conf'), 'utf8').matchAll(/^\s*filename "([^"]+)";/gm)].map((m) => m[1]!);
  assert.equal(filenames.length, 3);
  for (const name of filenames) assert.ok(existsSync(join(netboot, 'tftp', name)), `dhcpd.conf's ${name} is in the TFTP tree`);
  for (const name of ['ltsp/amd64/ldlinux.c32', 'ltsp/amd64/pxelinux.cfg/default', 'boot/grub/grub.cfg', 'ltsp/amd64/vmlinuz', 'ltsp/amd64/initrd.img']) {
    assert.ok(existsSync(join(netboot, 'tftp', name)), `${name} is in the TFTP tree`);
  }
  assert.match(readFileSync(join(netboot, 'tftp', 'ltsp/amd64/boot.ipxe'), 'utf8'), /root=\/dev\/nbd0 .*nbdroot=\$\{next-server\}:10809\/amd64/);

  const squashfs = spawnSync('unsquashfs', ['-s', join(netboot, of('squashfs')[0]!.path)], { encoding: 'utf8' });
  assert.equal(squashfs.status, 0, squashfs.stderr);
  assert.match(squashfs.stdout, /Compression zstd/);
  // Paths inside the image (Debian 12 is usr-merged: /sbin/init is usr/sbin/init).
  const listing = spawnSync('unsquashfs', ['-l', join(netboot, of('squashfs')[0]!.path), 'usr/sbin/init', 'etc/hostname'], { encoding: 'utf8' });
  assert.match(listing.stdout, /^squashfs-root\/usr\/sbin\/init$/m);
  assert.match(listing.stdout, /^squashfs-root\/etc\/hostname$/m);

  const kernel = spawnSync('file', ['-b', join(netboot, of('kernel')[0]!.path)], { encoding: 'utf8' }).stdout;
  assert.match(kernel, /Linux kernel x86 boot executable bzImage/);
  assert.ok(manifest.kernelVersion && kernel.includes(`version ${manifest.kernelVersion} `), `${manifest.kernelVersion} in ${kernel}`);

  const files = initramfsFiles(join(netboot, of('initramfs')[0]!.path));
  const has = (re: RegExp) => assert.ok(files.some((f) => re.test(f)), `initramfs has ${re}`);
  has(/^init$/);
  has(/scripts\/local-top\/nbd$/);
  has(/^usr\/sbin\/nbd-client$|^sbin\/nbd-client$/);
  // The overlay on the shared root and lts.conf by TFTP (busybox's tftp and awk run lts-conf-apply).
  has(/^scripts\/local-bottom\/netboot-root$/);
  has(/^(usr\/)?bin\/lts-conf-apply$/);
  has(/^(usr\/)?bin\/tftp$/);
  // MODULES=most: drivers for machines other than the builder, and the root's file systems.
  has(/kernel\/drivers\/block\/nbd\.ko/);
  has(/kernel\/fs\/squashfs\/squashfs\.ko/);
  has(/kernel\/fs\/overlayfs\/overlay\.ko/);
  has(/kernel\/drivers\/net\/ethernet\/intel\/e1000\/e1000\.ko/);
  has(/kernel\/drivers\/net\/virtio_net\.ko/);

  // The built image boots through the farm (not the example image): BIOS, QEMU's iPXE ROM, boot.ipxe,
  // Debian's initramfs over NBD, systemd on the overlay, to a getty on ttyS0 named by lts.conf's HOSTNAME.
  const bootStarted = Date.now();
  const run = await boots.run(['boot', dir, '--headless', '--firmware', 'bios', '--network', 'isolated', '--json', '--timeout', '900', '--expect', 'login:'], 960_000);
  t.diagnostic(`boot to login took ${((Date.now() - bootStarted) / 1000).toFixed(0)} s`);
  const result = parseBootJson(run);
  const node01 = result.nodes.find((n) => n.name === 'node01');
  assert.ok(node01, JSON.stringify(result.nodes.map((n) => n.name)));
  assert.match(node01.matched ?? node01.lastLines.join('\n'), /^node01 login:/m);
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const dataDir = (e: { data?: Record<string, unknown> }) => String(e.data?.dir ?? '');
  assert.ok(!result.events.some((e) => e.layer === 'build' && e.kind === 'image-ready' && !dataDir(e).startsWith(netboot)), 'the example image was not used');
  const consoleText = result.events.filter((e) => e.layer === 'console').map((e) => e.message).join('\n');
  assert.match(consoleText, /netboot-farm: root mounted: squashfs over NBD with a tmpfs overlay/);
  assert.match(consoleText, /netboot-farm: lts\.conf from 192\.168\.67\.1:\/ltsp\/amd64\/lts\.conf applied for 52:54:00:00:00:01/);
  // RCFILE_01_MARKER of lts.conf's [Default] section, run by rc.local under systemd.
  assert.match(consoleText, /netboot-farm: lts\.conf applied/);
  assert.ok(result.events.some((e) => e.layer === 'tftp' && /boot\.ipxe/.test(e.message)), 'iPXE fetched boot.ipxe from the farm');
  assert.ok(result.events.some((e) => e.layer === 'nbd'), 'the root came over the farm NBD server');
  assert.deepEqual(boots.leftovers(), []);
});

test('a stage task builds up to that stage and tags it, exporting nothing', { skip, timeout: 30 * 60_000 }, async (t) => {
  const example = join(root, 'examples', 'farm');
  // A fixed folder name gives a fixed tag, which the next run overwrites. The tag is not removed:
  // `buildah rmi` of an image's only name deletes the image, and with it the layer cache of stage base.
  const dir = join(workspace(t, {}), 'stagetest');
  mkdirSync(dir);
  copyFileSync(join(example, 'Dockerfile'), join(dir, 'Dockerfile'));
  const r = await build([dir, '--stage', 'base']);
  assert.equal(r.code, 0, r.stderr);
  const steps = r.events.filter((e): e is Extract<BuildEvent, { type: 'step' }> => e.type === 'step');
  assert.deepEqual([...new Set(steps.map((s) => s.stageName))], ['base']);
  const tag = 'localhost/netboot-farm/stagetest:base';
  assert.equal(spawnSync('buildah', ['inspect', '--type', 'image', tag], { env }).status, 0, `${tag} exists`);
  assert.deepEqual(readdirSync(dir), ['Dockerfile'], 'no .netboot/ for a stage build');
});
