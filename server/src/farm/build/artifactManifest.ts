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

/** `.netboot/manifest.json`: what the last successful build made, from what. The preview reads it. */
export interface BuildManifest {
  readonly version: 1;
  readonly builtAt: string;
  readonly durationMs: number;
  readonly builder: { readonly name: string; readonly version: string; readonly isolation?: string };
  readonly target?: string;
  readonly kernelVersion?: string;
  readonly dockerfile: InputHash;
  /** lts.conf / ltsp.conf beside the Dockerfile when there are, so the preview can tell they changed. */
  readonly configs: readonly InputHash[];
  readonly files: readonly ArtifactFile[];
}

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
  const manifest = await readManifest(netbootDir);
  if (!manifest) return undefined;
  const changed: string[] = [];
  for (const input of [manifest.dockerfile, ...manifest.configs]) {
    const now = await hashInput(join(workspace, input.path), workspace);
    if (now?.sha256 !== input.sha256) changed.push(input.path);
  }
  // A config created since the build counts too: it sits beside the Dockerfile.
  for (const name of CONFIG_NAMES) {
    const path = posix.join(posix.dirname(manifest.dockerfile.path), name);
    if (manifest.configs.some((c) => c.path === path)) continue;
    if (await hashInput(join(workspace, path), workspace)) changed.push(path);
  }
  return changed;
}

export async function readManifest(netbootDir: string): Promise<BuildManifest | undefined> {
  const text = await readFile(join(netbootDir, MANIFEST_NAME), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as BuildManifest;
    return value?.version === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}
