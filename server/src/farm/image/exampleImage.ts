import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { cacheRoot } from '../../host/cacheRoot';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeCpioNewc, type CpioEntry } from './cpioArchive';
import { describeArtifacts, manifestJson, MANIFEST_NAME, netbootManifest } from '../build/artifactManifest';
import { readFarmImage, type FarmImage } from './farmImage';
import { findTool, runTool } from './hostTools';

/**
 * The example farm's small image, built from Debian packages in seconds: a
 * Debian kernel, a busybox initramfs whose /init does what LTSP's does
 * (examples/farm/image/init), a busybox squashfs root, and the TFTP tree with
 * an iPXE script, pxelinux for BIOS PXE and GRUB for UEFI PXE.
 */

/** Bump when the layout or the generated files change, so old caches are rebuilt. */
const FORMAT = 4;
const EXPORT_NAME = 'amd64';
const NBD_PORT = 10809;
const TFTP_DIR = 'ltsp/amd64';
/** The modules the initramfs loads (with what they depend on): NICs QEMU offers, NBD, the root's filesystems. */
const MODULES = ['virtio_pci', 'virtio_net', 'e1000', 'nbd', 'squashfs', 'overlay'];
/** Debian packages whose files go into the image; their versions are part of the cache key. */
const HOST_PACKAGES = ['busybox-static', 'nbd-client', 'pxelinux', 'syslinux-common', 'grub-efi-amd64-bin', 'squashfs-tools'];
/** The scripts in examples/farm/image/ and where each goes. */
const SCRIPTS = { init: 'init', udhcpc: 'udhcpc-script', ltsConfApply: 'lts-conf-apply', rootInit: 'root-init' } as const;

export interface ExampleImageOptions {
  /** Build into this folder instead of the cache. */
  readonly out?: string;
  /** Rebuild even when the folder already holds an image with the same inputs. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}

export function defaultCacheDir(): string {
  return join(cacheRoot(), 'example-image');
}

/** The folder holding examples/farm/image/, found from this file or the bundle beside dist/. */
export function exampleFarmDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'examples', 'farm');
    if (existsSync(join(candidate, 'image', SCRIPTS.init))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find examples/farm/image/init above ${__dirname}`);
  }
}

/** The kernel command line every boot file gives: the init script reads nbdroot and ltsconf. */
export function kernelCommandLine(): string {
  return `console=ttyS0,115200 panic=1 nbdroot=:${NBD_PORT}/${EXPORT_NAME} ltsconf=/${TFTP_DIR}/lts.conf`;
}

function bootConfigs(): Record<string, string> {
  const cmdline = kernelCommandLine();
  return {
    [`${TFTP_DIR}/boot.ipxe`]: [
      '#!ipxe',
      'echo netboot-farm: iPXE script loaded',
      `kernel vmlinuz initrd=initrd.img ${cmdline}`,
      'initrd initrd.img',
      'boot',
      '',
    ].join('\n'),
    [`${TFTP_DIR}/pxelinux.cfg/default`]: [
      'SERIAL 0 115200',
      'SAY netboot-farm: pxelinux loaded',
      'DEFAULT netboot',
      'PROMPT 0',
      'TIMEOUT 0',
      'LABEL netboot',
      '  KERNEL vmlinuz',
      '  INITRD initrd.img',
      `  APPEND ${cmdline}`,
      '',
    ].join('\n'),
    'boot/grub/grub.cfg': [
      'serial --unit=0 --speed=115200',
      'terminal_input serial console',
      'terminal_output serial console',
      'echo "netboot-farm: GRUB loaded"',
      'set timeout=0',
      'menuentry "netboot-farm example" {',
      `  linux /${TFTP_DIR}/vmlinuz ${cmdline}`,
      `  initrd /${TFTP_DIR}/initrd.img`,
      '}',
      '',
    ].join('\n'),
  };
}

interface Inputs {
  readonly kernelPackage: string;
  readonly kernelPackageVersion: string;
  readonly kernelVersion: string;
  readonly key: string;
}

interface DebianFacts {
  readonly kernelPackage: string;
  readonly kernelPackageVersion: string;
  readonly installed: string;
}

/**
 * apt-cache takes seconds on a busy machine, and its answer only changes when
 * the package lists or the installed packages do: remember it against their
 * modification times.
 */
async function debianFacts(): Promise<DebianFacts> {
  const why = 'the example image is built from Debian packages';
  const stamp = (await Promise.all(['/var/lib/apt/lists', '/var/lib/dpkg/status'].map((p) => stat(p).then((s) => s.mtimeMs, () => 0)))).join('/');
  const memo = join(defaultCacheDir(), 'debian-facts.json');
  const remembered = await readFile(memo, 'utf8').then((text) => JSON.parse(text) as DebianFacts & { stamp: string }, () => undefined);
  if (remembered?.stamp === stamp) return remembered;

  const depends = await runTool('apt-cache', ['depends', 'linux-image-amd64'], { why });
  const kernelPackage = /Depends:\s*(linux-image-[\w.+-]+-amd64)\b/.exec(depends)?.[1];
  if (!kernelPackage) throw new Error(`apt-cache does not know linux-image-amd64's kernel package: run \`sudo apt-get update\` (got: ${depends.split('\n')[0] ?? ''})`);
  const show = await runTool('apt-cache', ['show', '--no-all-versions', kernelPackage], { why });
  const kernelPackageVersion = /^Version:\s*(\S+)/m.exec(show)?.[1] ?? 'unknown';
  const installed = await runTool('dpkg-query', ['-W', '-f=${Package} ${Version}\\n', ...HOST_PACKAGES], { why }).catch((error: Error) => {
    throw new Error(`${error.message.split(':').slice(-1)[0]?.trim()}: the example image needs \`sudo apt-get install ${HOST_PACKAGES.join(' ')}\``);
  });
  const facts = { kernelPackage, kernelPackageVersion, installed };
  await mkdir(dirname(memo), { recursive: true });
  await writeFile(memo, JSON.stringify({ stamp, ...facts }));
  return facts;
}

/** The kernel that linux-image-amd64 points at in this machine's Debian release, and the hash of every input. */
async function resolveInputs(farmDir: string): Promise<Inputs> {
  const { kernelPackage, kernelPackageVersion, installed } = await debianFacts();
  const kernelVersion = kernelPackage.replace(/^linux-image-/, '');
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ FORMAT, kernelPackage, kernelPackageVersion, installed, MODULES, configs: bootConfigs() }));
  for (const name of Object.values(SCRIPTS)) hash.update(await readFile(join(farmDir, 'image', name)));
  return { kernelPackage, kernelPackageVersion, kernelVersion, key: hash.digest('hex').slice(0, 16) };
}

/** Where the example image for these inputs lives (or would). */
export async function exampleImageDir(options: ExampleImageOptions = {}): Promise<{ dir: string; key: string }> {
  const inputs = await resolveInputs(exampleFarmDir());
  return { dir: options.out ?? join(defaultCacheDir(), inputs.key), key: inputs.key };
}

/** Builds the example image unless the folder already holds one built from the same inputs. */
export async function prepareExampleImage(options: ExampleImageOptions = {}): Promise<FarmImage> {
  const log = options.log ?? (() => {});
  const farmDir = exampleFarmDir();
  const inputs = await resolveInputs(farmDir);
  const dir = options.out ?? join(defaultCacheDir(), inputs.key);
  const existing = await readFarmImage(dir);
  if (existing && existing.key === inputs.key && !options.force) {
    log(`example image is up to date in ${dir}`);
    return existing;
  }
  await mkdir(dirname(dir), { recursive: true });
  const work = await mkdtemp(join(dirname(dir), '.building-'));
  try {
    // mkdtemp makes the folder private; servers that drop privileges must still read it.
    await chmod(work, 0o755);
    const started = Date.now();
    const image = await buildInto(work, farmDir, inputs, log);
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(work, dir);
    } catch (error) {
      // Another process finished the same build first: theirs is as good as ours.
      if (!(await readFarmImage(dir))) throw error;
    }
    if (!options.out) await pruneOtherKeys(dirname(dir), inputs.key);
    log(`example image built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dir}`);
    return { ...image, dir, tftpRoot: join(dir, relative(work, image.tftpRoot)), squashfs: join(dir, relative(work, image.squashfs)) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Older builds in the cache are dead weight once the inputs changed. */
async function pruneOtherKeys(cacheDir: string, key: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name !== key && /^[0-9a-f]{16}$/.test(name)) await rm(join(cacheDir, name), { recursive: true, force: true });
  }
}

async function buildInto(work: string, farmDir: string, inputs: Inputs, log: (line: string) => void): Promise<FarmImage> {
  const tftpRoot = join(work, 'tftp');
  const bootDir = join(tftpRoot, TFTP_DIR);
  await mkdir(bootDir, { recursive: true });

  log(`downloading ${inputs.kernelPackage} ${inputs.kernelPackageVersion}`);
  const kernelRoot = join(work, 'kernel');
  await runTool('apt-get', ['download', `${inputs.kernelPackage}=${inputs.kernelPackageVersion}`], { cwd: work, why: 'it downloads the kernel package' });
  const deb = (await readdir(work)).find((name) => name.startsWith(inputs.kernelPackage) && name.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${inputs.kernelPackage} left no .deb in ${work}`);
  await runTool('dpkg-deb', ['-x', join(work, deb), kernelRoot], { why: 'it unpacks the kernel package' });
  await rm(join(work, deb));
  await runTool('depmod', ['-b', kernelRoot, inputs.kernelVersion], { why: 'it indexes the kernel modules' });
  await copyFile(join(kernelRoot, 'boot', `vmlinuz-${inputs.kernelVersion}`), join(bootDir, 'vmlinuz'));

  log('building the initramfs');
  const initramfs = await initramfsEntries(farmDir, kernelRoot, inputs.kernelVersion);
  await writeFile(join(bootDir, 'initrd.img'), gzipSync(writeCpioNewc(initramfs), { level: 6 }));
  await rm(kernelRoot, { recursive: true, force: true });

  log('building the squashfs root');
  const squashfs = join(work, `${EXPORT_NAME}.img`);
  await buildRootSquashfs(join(work, 'root'), farmDir, squashfs);

  log('writing the TFTP tree (iPXE, pxelinux, GRUB)');
  await copyFile('/usr/lib/PXELINUX/pxelinux.0', join(bootDir, 'pxelinux.0'));
  await copyFile('/usr/lib/syslinux/modules/bios/ldlinux.c32', join(bootDir, 'ldlinux.c32'));
  await runTool('grub-mknetdir', ['--net-directory', tftpRoot, '--subdir', 'boot/grub', '-d', '/usr/lib/grub/x86_64-efi'], {
    why: 'it makes the UEFI network bootloader',
  });
  for (const [path, text] of Object.entries(bootConfigs())) {
    await mkdir(dirname(join(tftpRoot, path)), { recursive: true });
    await writeFile(join(tftpRoot, path), text);
  }

  // The same manifest format as an image build's .netboot/ (artifactManifest.ts).
  const described = await describeArtifacts(work, work, ['tftp', `${EXPORT_NAME}.img`]);
  const manifest = netbootManifest(described.files, { tftpRoot: 'tftp', kernelVersion: inputs.kernelVersion, key: inputs.key });
  const expected = { ipxe: `${TFTP_DIR}/boot.ipxe`, bios: `${TFTP_DIR}/pxelinux.0`, efi: 'boot/grub/x86_64-efi/core.efi' };
  if (JSON.stringify(manifest.bootFiles) !== JSON.stringify(expected)) throw new Error(`the example image's boot files are ${JSON.stringify(manifest.bootFiles)}, not ${JSON.stringify(expected)}`);
  await writeFile(join(work, MANIFEST_NAME), manifestJson(manifest));
  const image = await readFarmImage(work);
  if (!image) throw new Error(`${join(work, MANIFEST_NAME)} does not read back as a farm image`);
  return image;
}

/** busybox with one symlink per applet, as `busybox --install -s` would make. */
async function busyboxApplets(): Promise<{ binary: string; applets: string[] }> {
  const binary = await findTool('busybox', 'the example image runs on busybox');
  const applets = (await runTool('busybox', ['--list'], { why: 'the example image runs on busybox' })).split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  return { binary: await realpath(binary), applets };
}

async function initramfsEntries(farmDir: string, kernelRoot: string, kernelVersion: string): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const addDir = (path: string) => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      if (!dirs.has(sub)) {
        dirs.add(sub);
        entries.push({ kind: 'dir', path: sub });
      }
    }
  };
  const addFile = async (path: string, source: string, mode = 0o644) => {
    addDir(dirname(path));
    entries.push({ kind: 'file', path, data: await readFile(source), mode });
  };
  for (const dir of ['bin', 'sbin', 'dev', 'proc', 'sys', 'run', 'mnt', 'root', 'tmp', 'etc']) addDir(dir);
  entries.push({ kind: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });

  const busybox = await busyboxApplets();
  await addFile('bin/busybox', busybox.binary, 0o755);
  for (const applet of busybox.applets) entries.push({ kind: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  await addFile('init', join(farmDir, 'image', SCRIPTS.init), 0o755);
  await addFile('bin/udhcpc-script', join(farmDir, 'image', SCRIPTS.udhcpc), 0o755);
  await addFile('bin/lts-conf-apply', join(farmDir, 'image', SCRIPTS.ltsConfApply), 0o755);

  // Modules in dependency order, as modprobe would load them.
  const modulesDir = join(kernelRoot, 'lib', 'modules', kernelVersion);
  const order: string[] = [];
  for (const module of MODULES) {
    const plan = await runTool('modprobe', ['-d', kernelRoot, '-S', kernelVersion, '--show-depends', module], { why: 'it orders the kernel modules' });
    for (const line of plan.split('\n')) {
      const path = /^insmod\s+(\S+)/.exec(line)?.[1];
      if (!path) continue;
      const inside = relative(modulesDir, path);
      if (!order.includes(inside)) order.push(inside);
    }
  }
  for (const module of order) await addFile(`lib/modules/${module}`, join(modulesDir, module));
  entries.push({ kind: 'file', path: 'etc/modules.load', data: Buffer.from(order.join('\n') + '\n') });

  // nbd-client is not in busybox: Debian's binary with the libraries ldd lists.
  const nbdClient = await findTool('nbd-client', 'the initramfs attaches the root with it');
  await addFile('sbin/nbd-client', nbdClient, 0o755);
  const ldd = await runTool('ldd', [nbdClient], { why: 'it lists the libraries nbd-client needs' });
  for (const line of ldd.split('\n')) {
    const path = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1];
    if (path) await addFile(path.replace(/^\//, ''), await realpath(path), 0o755);
  }
  return entries;
}

async function buildRootSquashfs(stage: string, farmDir: string, output: string): Promise<void> {
  for (const dir of ['bin', 'sbin', 'dev', 'proc', 'sys', 'run', 'tmp', 'mnt', 'root', 'var/lib', 'etc']) await mkdir(join(stage, dir), { recursive: true });
  const busybox = await busyboxApplets();
  await copyFile(busybox.binary, join(stage, 'bin', 'busybox'));
  await chmod(join(stage, 'bin', 'busybox'), 0o755);
  for (const applet of busybox.applets) await symlink('busybox', join(stage, 'bin', applet));
  await cp(join(farmDir, 'image', SCRIPTS.rootInit), join(stage, 'sbin', 'init'));
  await chmod(join(stage, 'sbin', 'init'), 0o755);
  await writeFile(join(stage, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(stage, 'etc', 'group'), 'root:x:0:\n');
  await writeFile(join(stage, 'etc', 'fstab'), '# FSTAB_* lines from lts.conf are appended at boot\n');
  await runTool('mksquashfs', [stage, output, '-noappend', '-comp', 'xz', '-all-root', '-no-progress', '-quiet', '-mkfs-time', '0', '-all-time', '0'], {
    why: 'it makes the squashfs root',
  });
  await rm(stage, { recursive: true, force: true });
}
