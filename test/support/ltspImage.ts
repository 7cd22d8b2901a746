/**
 * A real LTSP 20+ image for the tests, made the way an LTSP admin makes one:
 * a Debian 12 chroot by debootstrap, then the host's own `ltsp image`,
 * `ltsp kernel`, `ltsp initrd` and `ltsp ipxe` (Debian's `ltsp` 23.02) with
 * LTSP's BASE_DIR and TFTP_DIR pointed into a cache folder. The result is
 * LTSP's tree, unchanged: ltsp/ltsp.ipxe, ltsp/ltsp.img, ltsp/x86_64/vmlinuz
 * and initrd.img, ltsp/undionly.kpxe and snponly.efi, images/x86_64.img.
 *
 * Cached in ~/.cache/netboot-farm/ltsp-image/: the chroot (keyed by its
 * package list) and the tree (keyed by the chroot and this script), so a
 * local rerun costs nothing and CI builds it once per run. A lock file keeps
 * two test processes from building the same thing at once.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { machineMirror } from '../../server/src/farm/build/debianMirror';
import { cacheRoot } from '../../server/src/host/cacheRoot';
import { loadExeca } from '../../server/src/farm/build/execaLoader';

/** Bump when the steps below change what they produce. */
const SCRIPT_VERSION = 1;
const SUITE = 'bookworm';
/** LTSP's iPXE script picks the image by CPU type: a 64-bit client boots `x86_64`. */
export const LTSP_IMAGE_NAME = 'x86_64';
/**
 * What an LTSP 20+ client needs in its image: a kernel and initramfs-tools
 * (LTSP's ltsp.img plugs into its initramfs), nbd-client (its initramfs hook
 * mounts root=/dev/nbd0), systemd with udev (serial getty), and ltsp itself
 * for what its client scripts run (python3 for pwmerge, busybox). ltsp
 * depends on the virtual ssh-client, which debootstrap does not resolve:
 * openssh-client is named for it.
 */
const PACKAGES = ['linux-image-amd64', 'initramfs-tools', 'nbd-client', 'systemd-sysv', 'udev', 'ltsp', 'openssh-client'];

/**
 * The server's /etc/ltsp/ltsp.conf for this image (`ltsp ipxe` and `ltsp
 * initrd` read it; ltsp.img carries it to the clients). `ltsp image` locks
 * root's password, so the clients set one again after LTSP's init. Like most
 * admins' it names no serial console: the farm adds one to what it serves.
 */
export const LTSP_CONF = `# ltsp.conf of the test image (see man ltsp.conf)
[clients]
POST_INIT_ROOT_PASSWORD="echo root:ltsp | chpasswd"
POST_INIT_MARKER="echo 'netboot-farm: ltsp.conf applied' >/dev/console"
`;

export const ltspConfMarker = 'netboot-farm: ltsp.conf applied';

export interface LtspImage {
  /** The tree: LTSP's TFTP_DIR (ltsp/...) plus BASE_DIR/images. */
  readonly dir: string;
  /** Seconds the build took; 0 when the cache had it. */
  readonly builtSeconds: number;
}

function imageCacheDir(): string {
  return join(cacheRoot(), 'ltsp-image');
}

const hash = (...parts: readonly string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/** Why this machine cannot build the image, or undefined when it can. */
export function cannotBuild(): string | undefined {
  if (process.getuid?.() !== 0) return 'building an LTSP image needs root (debootstrap, chroot, overlay mounts)';
  for (const tool of ['/usr/sbin/debootstrap', '/usr/sbin/ltsp', '/usr/bin/mksquashfs', '/usr/bin/unshare', '/usr/bin/nsenter', '/usr/lib/ipxe/undionly.kpxe']) {
    if (!existsSync(tool)) return `${tool} is missing: run scripts/install-debian-packages.sh`;
  }
  return undefined;
}

type Run = (file: string, args: readonly string[], env?: Record<string, string>) => Promise<void>;

/** Runs programs with argument arrays, their output appended to one log file; a failure quotes the log's tail. */
async function logRunner(logFile: string, log: (line: string) => void): Promise<{ run: Run; close(): Promise<void> }> {
  const { execa } = await loadExeca();
  const stream = createWriteStream(logFile, { flags: 'a' });
  const run: Run = async (file, args, env) => {
    log(`$ ${file} ${args.join(' ')}`);
    stream.write(`\n$ ${file} ${args.join(' ')}\n`);
    const result = await execa(file, args, { env: { ...process.env, ...env }, all: true, reject: false, stdin: 'ignore' });
    stream.write(result.all ?? '');
    if (result.exitCode !== 0) {
      const tail = String(result.all ?? '').trim().split('\n').slice(-15).join('\n');
      throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode} (log: ${logFile}):\n${tail}`);
    }
  };
  return { run, close: () => new Promise((resolve) => stream.end(resolve)) };
}

/**
 * Holds `lockFile` while `work` runs. A lock left by a process that is gone
 * is taken over; a live holder is waited for (its result is then usually in
 * the cache, which `work` checks first).
 */
async function withLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      if (!(holder > 0 && isAlive(holder))) await rm(lockFile, { force: true });
      else await delay(2000);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/**
 * Unmounts whatever is mounted under `dir`, deepest first: a debootstrap
 * killed midway leaves the chroot's /proc and /sys mounted, and removing the
 * folder must never reach into them.
 */
async function unmountUnder(dir: string, run: Run): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((point) => point === dir || point.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run('/usr/bin/umount', ['--lazy', point]);
}

/** Removes a build folder left by this process or a dead one, unmounting first. */
async function removeBuildFolder(dir: string, run: Run): Promise<void> {
  await unmountUnder(dir, run);
  await rm(dir, { recursive: true, force: true });
}

/** Build folders (`NAME.tmp-PID`) whose process is gone. */
async function removeAbandoned(root: string, run: Run): Promise<void> {
  for (const entry of await readdir(root)) {
    const pid = Number(/\.tmp-(\d+)$/.exec(entry)?.[1]);
    if (!pid || isAlive(pid)) continue;
    await removeBuildFolder(join(root, entry), run);
  }
}

function isAlive(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

/** Trees and chroots of earlier versions of this script or its package list: a few hundred MB each. */
async function removeOlderBuilds(root: string, keep: readonly string[]): Promise<void> {
  for (const entry of await readdir(root)) {
    if (keep.includes(entry.replace(/\.log$/, '')) || !/^(chroot-)?[0-9a-f]{16}(\.log)?$/.test(entry)) continue;
    await rm(join(root, entry), { recursive: true, force: true });
  }
}

const complete = (dir: string) => stat(join(dir, '.complete')).then(
  () => true,
  () => false,
);

/** The Debian 12 chroot, named after the image so `ltsp image` names the image x86_64. */
async function buildChroot(root: string, run: Run, log: (line: string) => void): Promise<string> {
  const key = hash(SUITE, ...PACKAGES);
  const dir = join(root, `chroot-${key}`);
  if (await complete(dir)) return join(dir, LTSP_IMAGE_NAME);
  const debs = join(root, 'debs');
  await mkdir(debs, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await removeBuildFolder(tmp, run);
  const mirror = await machineMirror(SUITE);
  log(`debootstrap ${SUITE} from ${mirror.uri} (${mirror.from})`);
  await run('/usr/sbin/debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, `--cache-dir=${debs}`, SUITE, join(tmp, LTSP_IMAGE_NAME), mirror.uri]);
  await writeFile(join(tmp, '.complete'), new Date().toISOString() + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return join(dir, LTSP_IMAGE_NAME);
}

/**
 * Runs `ltsp` with /etc/ltsp bind-mounted from `etcLtsp` inside a mount
 * namespace of its own, so the host's /etc/ltsp is never touched. The
 * namespace is kept in a file (unshare --mount=FILE) so each ltsp step can
 * enter it; its mounts go away with it.
 */
async function withLtspNamespace<T>(work: string, etcLtsp: string, run: Run, body: (ltsp: (args: readonly string[], env: Record<string, string>) => Promise<void>) => Promise<T>): Promise<T> {
  const nsDir = join(work, 'ns');
  const nsFile = join(nsDir, 'mnt');
  await mkdir(nsDir, { recursive: true });
  // unshare --mount=FILE refuses a file on a shared mount.
  await run('/usr/bin/mount', ['--bind', nsDir, nsDir]);
  try {
    await run('/usr/bin/mount', ['--make-private', nsDir]);
    await writeFile(nsFile, '');
    await run('/usr/bin/unshare', [`--mount=${nsFile}`, '--propagation', 'private', '/usr/bin/true']);
    try {
      await run('/usr/bin/nsenter', [`--mount=${nsFile}`, '/usr/bin/mount', '--bind', etcLtsp, '/etc/ltsp']);
      return await body((args, env) => run('/usr/bin/nsenter', [`--mount=${nsFile}`, '/usr/sbin/ltsp', ...args], env));
    } finally {
      await run('/usr/bin/umount', [nsFile]).catch(() => undefined);
    }
  } finally {
    await run('/usr/bin/umount', [nsDir]).catch(() => undefined);
  }
}

/** Builds (or finds in the cache) the LTSP 20+ tree. */
export async function ltspImage(options: { log?: (line: string) => void } = {}): Promise<LtspImage> {
  const log = options.log ?? (() => undefined);
  const why = cannotBuild();
  if (why) throw new Error(why);
  const root = imageCacheDir();
  await mkdir(root, { recursive: true });
  const key = hash(String(SCRIPT_VERSION), SUITE, ...PACKAGES, LTSP_CONF, await readFile('/usr/sbin/ltsp', 'utf8'));
  const dir = join(root, key);
  if (await complete(dir)) return { dir, builtSeconds: 0 };
  return withLock(join(root, `${key}.lock`), async () => {
    if (await complete(dir)) return { dir, builtSeconds: 0 };
    const started = Date.now();
    const work = `${dir}.tmp-${process.pid}`;
    const { run, close } = await logRunner(join(root, `${key}.log`), log);
    try {
      await removeAbandoned(root, run);
      await removeBuildFolder(work, run);
      const tree = join(work, 'tree');
      const etcLtsp = join(work, 'etc-ltsp');
      await mkdir(tree, { recursive: true });
      await mkdir(etcLtsp);
      await writeFile(join(etcLtsp, 'ltsp.conf'), LTSP_CONF);
      const chroot = await buildChroot(root, run, log);
      // Environment, not options: `ltsp image` re-runs itself for `ltsp kernel` and loses its options.
      // IONICE set and empty: mksquashfs at normal priority, not idle, as the tests that wait for it run beside others.
      const env = { BASE_DIR: tree, TFTP_DIR: tree, IONICE: '' };
      await withLtspNamespace(work, etcLtsp, run, async (ltsp) => {
        await ltsp(['image', chroot], env);
        await ltsp(['initrd'], env);
        await ltsp(['ipxe'], env);
      });
      await writeFile(join(tree, '.complete'), new Date().toISOString() + '\n');
      await rename(tree, dir);
      await removeOlderBuilds(root, [key, chroot.split('/').at(-2) ?? '']);
    } finally {
      await removeBuildFolder(work, run).catch(() => undefined);
      await close();
    }
    return { dir, builtSeconds: (Date.now() - started) / 1000 };
  });
}
