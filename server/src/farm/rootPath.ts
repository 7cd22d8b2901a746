/**
 * Root confinement for every server that serves files from a tree (TFTP,
 * HTTP): which file a request names, and whether it stays inside the served
 * tree. Two steps: `normalizeRequestPath` is pure and rejects what no file
 * name should contain; `resolveInRoot` asks the file system where the name
 * really leads (symlinks), so that a link out of the root is refused too.
 */
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';

export type NormalizedPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

const MAX_DECODE_ROUNDS = 4;

function hasParentSegment(path: string): boolean {
  return path.split('/').some((segment) => segment === '..');
}

/** Percent-decodes byte-wise (latin1), so `%00` and `%2e` come out as the bytes they name. */
function percentDecode(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The request's file name as a path relative to the root, `/`-separated, or
 * why it is refused. Decisions, in the spirit of tftpd-hpa with `-s`:
 * - `\` is a separator (PXE ROMs built for Windows servers send `pxelinux\boot.0`),
 *   as tftpd-hpa's usual remap rule `rg \\ /` makes it;
 * - a leading `/` means the root (tftpd-hpa chroots, so `/pxelinux.0` is the root's);
 * - `..` is refused anywhere, even where it would stay inside the root;
 * - NUL is refused, and so is a name whose percent-decoding (repeated, for
 *   `%252e`) would contain `..` or NUL: the name is never decoded for serving,
 *   but a client that sends such a thing is probing, and it is logged as such.
 */
export function normalizeRequestPath(raw: string): NormalizedPath {
  if (raw.includes('\0')) return { ok: false, reason: 'the file name contains a NUL byte' };
  const slashed = raw.replace(/\\/g, '/');
  if (hasParentSegment(slashed)) return { ok: false, reason: 'the file name contains a ".." segment' };
  let decoded = slashed;
  for (let round = 0; round < MAX_DECODE_ROUNDS && /%[0-9a-fA-F]{2}/.test(decoded); round++) {
    decoded = percentDecode(decoded).replace(/\\/g, '/');
    if (decoded.includes('\0')) return { ok: false, reason: 'the file name hides a NUL byte in URL encoding' };
    if (hasParentSegment(decoded)) return { ok: false, reason: 'the file name hides a ".." segment in URL encoding' };
  }
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return { ok: false, reason: 'the file name names no file' };
  return { ok: true, path: segments.join('/') };
}

export type ResolvedPath =
  | { readonly ok: true; readonly absolute: string; readonly size: number }
  | { readonly ok: false; readonly kind: 'not-found' | 'outside-root' | 'not-a-file'; readonly reason: string };

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * Where `relative` (from `normalizeRequestPath`) leads under `realRoot`, which
 * must itself be a realpath. Symlinks are followed and the target must still be
 * inside the root; only regular files are served (a FIFO or a device would
 * block or never end).
 */
export async function resolveInRoot(realRoot: string, relative: string): Promise<ResolvedPath> {
  let absolute: string;
  try {
    absolute = await realpath(realRoot + sep + relative);
  } catch (error) {
    const code = errno(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, kind: 'not-found', reason: `${relative} does not exist under ${realRoot}` };
    return { ok: false, kind: 'not-found', reason: `${relative} cannot be resolved (${code ?? String(error)})` };
  }
  if (absolute !== realRoot && !absolute.startsWith(realRoot + sep)) {
    return { ok: false, kind: 'outside-root', reason: `${relative} resolves to ${absolute}, outside the root ${realRoot}` };
  }
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return { ok: false, kind: 'not-a-file', reason: `${relative} is not a regular file` };
    return { ok: true, absolute, size: info.size };
  } catch (error) {
    return { ok: false, kind: 'not-found', reason: `${relative} cannot be read (${errno(error) ?? String(error)})` };
  }
}
