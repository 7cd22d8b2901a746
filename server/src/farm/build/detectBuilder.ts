import { access, constants, statfs } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { loadExeca } from './execaLoader';

/** `native`: no container tool, debootstrap + chroot + mksquashfs as LTSP itself builds (nativePlan.ts says what it runs). */
export type BuilderName = 'docker' | 'podman' | 'buildah' | 'native';
export const BUILDER_NAMES: readonly BuilderName[] = ['docker', 'podman', 'buildah', 'native'];

/** How podman and buildah run RUN steps: an OCI runtime, or a plain chroot when none works here. */
export type Isolation = { kind: 'oci'; runtime: string; why: string } | { kind: 'chroot'; why: string };

export interface Builder {
  readonly name: BuilderName;
  readonly path: string;
  readonly version: string;
  /** podman and buildah only. */
  readonly isolation?: Isolation;
}

export interface Detection {
  readonly builder?: Builder;
  /** Every builder tried before the one picked (or all of them), with why it was passed over. */
  readonly skipped: readonly { name: BuilderName; reason: string }[];
}

export type CgroupMode = 'unified' | 'hybrid' | 'legacy';

const CGROUP2_MAGIC = 0x63677270;

export async function cgroupMode(root = '/sys/fs/cgroup'): Promise<CgroupMode> {
  const top = await statfs(root).catch(() => undefined);
  if (top?.type === CGROUP2_MAGIC) return 'unified';
  const unified = await statfs(join(root, 'unified')).catch(() => undefined);
  return unified?.type === CGROUP2_MAGIC ? 'hybrid' : 'legacy';
}

/** The executable's path on PATH (plus the sbin folders runc lives in), or undefined. */
export async function which(name: string, pathVar = process.env.PATH ?? ''): Promise<string | undefined> {
  const dirs = [...pathVar.split(delimiter).filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/**
 * crun 1.8 refuses cgroup v1 and hybrid hosts ("cgroups in hybrid mode not
 * supported"), and podman picks crun first when both are installed; runc works
 * on all three. Without a usable runtime, `--isolation chroot` still builds.
 */
export function pickIsolation(found: { runc?: string; crun?: string }, mode: CgroupMode): Isolation {
  if (found.runc) return { kind: 'oci', runtime: found.runc, why: found.crun && mode !== 'unified' ? `runc, not crun: crun does not support cgroups in ${mode} mode` : 'runc' };
  if (found.crun && mode === 'unified') return { kind: 'oci', runtime: found.crun, why: 'crun (cgroup v2)' };
  if (found.crun) return { kind: 'chroot', why: `crun does not support cgroups in ${mode} mode and runc is not installed (apt-get install runc): RUN steps use --isolation chroot` };
  return { kind: 'chroot', why: 'no OCI runtime (runc or crun) is installed: RUN steps use --isolation chroot' };
}

const firstLine = (s: string) => s.trim().split('\n').pop()?.trim() ?? '';

async function probe(file: string, args: string[], env?: Record<string, string>): Promise<{ ok: boolean; out: string }> {
  const { execa } = await loadExeca();
  const r = await execa(file, args, { reject: false, timeout: 15_000, env, stdin: 'ignore' });
  return { ok: r.exitCode === 0, out: r.exitCode === 0 ? String(r.stdout) : String(r.stderr || r.stdout || r.message) };
}

async function tryDocker(): Promise<Builder | string> {
  const path = await which('docker');
  if (!path) return 'not installed';
  const server = await probe(path, ['info', '--format', '{{.ServerVersion}}']);
  if (!server.ok || !server.out.trim()) return `no daemon (${firstLine(server.out) || 'docker info failed'})`;
  const buildx = await probe(path, ['buildx', 'version']);
  if (!buildx.ok) return `no buildx plugin, which --output type=local needs (${firstLine(buildx.out)})`;
  return { name: 'docker', path, version: `docker ${server.out.trim()}, ${firstLine(buildx.out)}` };
}

async function tryContainerTool(name: 'podman' | 'buildah', isolation: Isolation): Promise<Builder | string> {
  const path = await which(name);
  if (!path) return 'not installed';
  const version = await probe(path, ['--version']);
  if (!version.ok) return `\`${name} --version\` failed: ${firstLine(version.out)}`;
  return { name, path, version: firstLine(version.out), isolation };
}

/**
 * The native builder interprets a Dockerfile subset itself: it needs root (chroot,
 * mounts, device nodes), debootstrap for `FROM localhost/debian:SUITE`, and
 * unshare, chroot and mksquashfs.
 */
export async function tryNative(uid = process.getuid?.()): Promise<Builder | string> {
  if (uid !== 0) return 'needs root (chroot, mounts and debootstrap\'s device nodes): run the build as root, or install buildah or podman';
  const tools = ['debootstrap', 'mksquashfs', 'unshare', 'chroot'] as const;
  const paths = await Promise.all(tools.map((t) => which(t)));
  const missing = tools.filter((_, i) => !paths[i]);
  if (missing.length) return `${missing.join(', ')} not installed (apt-get install ${[...new Set(missing.map((t) => (t === 'mksquashfs' ? 'squashfs-tools' : t === 'debootstrap' ? 'debootstrap' : 'util-linux')))].join(' ')})`;
  const version = await probe(paths[0]!, ['--version']);
  return { name: 'native', path: paths[0]!, version: `native (${firstLine(version.out) || 'debootstrap'}, chroot, no container tool)` };
}

/** The first builder that works, in the order docker (BuildKit), podman, buildah, native, or the one asked for. */
export async function detectBuilder(only?: BuilderName): Promise<Detection> {
  const [runc, crun, mode] = await Promise.all([which('runc'), which('crun'), cgroupMode()]);
  const isolation = pickIsolation({ runc, crun }, mode);
  const skipped: { name: BuilderName; reason: string }[] = [];
  for (const name of only ? [only] : BUILDER_NAMES) {
    const result = name === 'docker' ? await tryDocker() : name === 'native' ? await tryNative() : await tryContainerTool(name, isolation);
    if (typeof result !== 'string') return { builder: result, skipped };
    skipped.push({ name, reason: result });
  }
  return { skipped };
}
