import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';

export type ArtifactRole = 'squashfs' | 'kernel' | 'initramfs' | 'tftp';

export interface ArtifactFile {
  /** Relative to the manifest's folder, with `/`. */
  readonly path: string;
  readonly role: ArtifactRole;
  readonly size: number;
  readonly sha256: string;
}

export interface InputHash {
  readonly path: string;
  readonly sha256: string;
}

/**
 * How an image build was made: the preview compares the inputs with the
 * editor's files to say the image is older than them.
 */
export interface BuildRecord {
  readonly builtAt: string;
  readonly durationMs: number;
  readonly builder: { readonly name: string; readonly version: string; readonly isolation?: string };
  readonly target?: string;
  readonly dockerfile: InputHash;
  /** lts.conf / ltsp.conf beside the Dockerfile when there are, so the preview can tell they changed. */
  readonly configs: readonly InputHash[];
}

/** TFTP paths (relative to the TFTP root) of each kind of boot file a tree has. */
export interface BootFiles {
  readonly ipxe?: string;
  readonly bios?: string;
  readonly efi?: string;
}

/**
 * `manifest.json` of an image folder, the one format for both kinds: an image
 * build's `.netboot/` and the example image's cache folder. Paths are relative
 * to the folder (with `/`), so the folder can move.
 *
 *   format       1
 *   tftpRoot     the TFTP tree ("tftp")
 *   squashfs     the root file system the NBD server exports ("images/amd64.img")
 *   exportName   its NBD export name, which the boot files ask for (LTSP's CPU name, "amd64")
 *   nbdPort      the NBD port the boot files ask for (10809)
 *   bootFiles    TFTP paths of the boot loaders: ipxe (*.ipxe), bios (pxelinux.0 / core.0), efi (core.efi)
 *   ltsConfPath  TFTP path where clients fetch lts.conf: the farm serves the workspace's live file there
 *   kernelVersion  the kernel's own version string, read from the bzImage
 *   key          identifies the content: the example image's input hash, a build's file hashes
 *   files        every file, classified (squashfs, kernel, initramfs, tftp), sized and hashed
 *   build        image builds only: when, with what, from which Dockerfile and configs
 *
 * server/src/farm/image/farmImage.ts reads it (readFarmImage) as a FarmImage.
 */
export interface NetbootManifest {
  readonly format: 1;
  readonly tftpRoot: string;
  readonly squashfs: string;
  readonly exportName: string;
  readonly nbdPort: number;
  readonly bootFiles: BootFiles;
  readonly ltsConfPath: string;
  readonly kernelVersion?: string;
  readonly key: string;
  readonly files: readonly ArtifactFile[];
  readonly build?: BuildRecord;
}

/** The manifest of an image build: `build` is always there. */
export type BuildManifest = NetbootManifest & { readonly build: BuildRecord };

export const DEFAULT_NBD_PORT = 10809;
export const MANIFEST_NAME = 'manifest.json';
export const CONFIG_NAMES = ['lts.conf', 'ltsp.conf'] as const;

async function head(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The kernel's own version string, from the bzImage setup header (what `file` prints as "version"). */
export function bzImageVersion(header: Buffer): string | undefined {
  if (header.length < 0x210 || header.toString('latin1', 0x202, 0x206) !== 'HdrS') return undefined;
  const at = header.readUInt16LE(0x20e) + 0x200;
  if (at >= header.length) return undefined;
  const end = header.indexOf(0, at);
  const text = header.toString('latin1', at, end < 0 ? undefined : end);
  return text.split(' ')[0] || undefined;
}

/** What a file is, by its first bytes: names vary between images, signatures do not. */
export function classify(header: Buffer): ArtifactRole {
  if (header.toString('latin1', 0, 4) === 'hsqs') return 'squashfs';
  if (header.toString('latin1', 0x202, 0x206) === 'HdrS') return 'kernel';
  const magic = header.subarray(0, 6).toString('hex');
  // cpio newc (an early microcode archive comes first), zstd, gzip, xz, lz4 legacy.
  if (header.toString('latin1', 0, 6) === '070701' || magic.startsWith('28b52ffd') || magic.startsWith('1f8b') || magic === 'fd377a585a00' || magic.startsWith('02214c18')) return 'initramfs';
  return 'tftp';
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** Every regular file of the export (the top-level `entries` of `root`), classified, sized and hashed; the kernel's version read from it. */
export async function describeArtifacts(root: string, base: string, entries: readonly string[]): Promise<{ files: ArtifactFile[]; kernelVersion?: string }> {
  const files: ArtifactFile[] = [];
  let kernelVersion: string | undefined;
  const paths: string[] = [];
  for (const entry of [...entries].sort()) {
    const path = join(root, entry);
    paths.push(...((await stat(path)).isDirectory() ? await walk(path) : [path]));
  }
  for (const path of paths) {
    const header = await head(path, 0x1000);
    const role = classify(header);
    // Small files that start like a gzip stream (pxelinux modules) are not initramfs images.
    const info = await stat(path);
    const real = role === 'initramfs' && info.size < 1024 * 1024 ? 'tftp' : role;
    // The version string sits past the setup header (at 0x3xxx in Debian's kernels): read further for it.
    if (real === 'kernel') kernelVersion ??= bzImageVersion(await head(path, 0x10000));
    files.push({ path: relative(base, path).split(sep).join('/'), role: real, size: info.size, sha256: await sha256File(path) });
  }
  return { files, kernelVersion };
}

export async function hashInput(path: string, base: string): Promise<InputHash | undefined> {
  const text = await readFile(path).catch(() => undefined);
  return text && { path: relative(base, path).split(sep).join('/'), sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * The inputs that changed since the manifest was written: the preview warns
 * that it boots an image older than the Dockerfile or lts.conf in the editor.
 */
export async function staleInputs(netbootDir: string, workspace: string): Promise<string[] | undefined> {
  const build = (await readManifest(netbootDir))?.build;
  if (!build) return undefined;
  const changed: string[] = [];
  for (const input of [build.dockerfile, ...build.configs]) {
    const now = await hashInput(join(workspace, input.path), workspace);
    if (now?.sha256 !== input.sha256) changed.push(input.path);
  }
  // A config created since the build counts too: it sits beside the Dockerfile.
  for (const name of CONFIG_NAMES) {
    const path = posix.join(posix.dirname(build.dockerfile.path), name);
    if (build.configs.some((c) => c.path === path)) continue;
    if (await hashInput(join(workspace, path), workspace)) changed.push(path);
  }
  return changed;
}

/** Reads an image folder's manifest; undefined when there is none or it is not this format. */
export async function readManifest(dir: string): Promise<NetbootManifest | undefined> {
  const text = await readFile(join(dir, MANIFEST_NAME), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as NetbootManifest;
    return value?.format === 1 && Array.isArray(value.files) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The boot loaders of a TFTP tree, found by their names (paths relative to the
 * tree, with `/`). Of two, the one in LTSP's folder for the image
 * (`ltsp/EXPORT/`) wins, then the shallower.
 */
export function findBootFiles(tftpPaths: readonly string[], exportName = 'amd64'): BootFiles {
  const rank = (path: string) => (path.startsWith(`ltsp/${exportName}/`) ? 0 : 1) * 100 + path.split('/').length;
  const find = (pattern: RegExp) => tftpPaths.filter((path) => pattern.test(path)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  const ipxe = find(/\.ipxe$/);
  const bios = find(/(^|\/)(pxelinux\.0|core\.0)$/);
  const efi = find(/(^|\/)(core|grubx64|bootx64)\.efi$/i);
  return { ...(ipxe ? { ipxe } : {}), ...(bios ? { bios } : {}), ...(efi ? { efi } : {}) };
}

/**
 * The manifest of an image folder from its described files: the squashfs and
 * TFTP tree are found by role and place, the boot loaders by name. The key is
 * the hash of every file's hash, so two folders with the same files agree.
 */
export function netbootManifest(files: readonly ArtifactFile[], options: { tftpRoot: string; kernelVersion?: string; key?: string; build?: BuildRecord }): NetbootManifest {
  const squashfs = files.find((f) => f.role === 'squashfs')?.path ?? '';
  const exportName = posix.basename(squashfs).replace(/\.(img|squashfs)$/, '') || 'amd64';
  const prefix = options.tftpRoot.replace(/\/?$/, '/');
  const tftpPaths = files.filter((f) => f.path.startsWith(prefix)).map((f) => f.path.slice(prefix.length));
  const key = options.key ?? createHash('sha256').update(files.map((f) => `${f.path} ${f.sha256}`).join('\n')).digest('hex').slice(0, 16);
  return {
    format: 1,
    tftpRoot: options.tftpRoot,
    squashfs,
    exportName,
    nbdPort: DEFAULT_NBD_PORT,
    bootFiles: findBootFiles(tftpPaths, exportName),
    ltsConfPath: `ltsp/${exportName}/lts.conf`,
    ...(options.kernelVersion ? { kernelVersion: options.kernelVersion } : {}),
    key,
    files,
    ...(options.build ? { build: options.build } : {}),
  };
}

export const manifestJson = (manifest: NetbootManifest): string => JSON.stringify(manifest, null, 2) + '\n';
