/**
 * A writer for the cpio "newc" format, the one the Linux kernel unpacks as an
 * initramfs. Written here rather than run through `cpio` so the archive is
 * the same bytes for the same files (fixed owner and times), which keeps the
 * example image's cache key honest, and so no shell pipeline is needed.
 */
export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'chardev'; readonly path: string; readonly major: number; readonly minor: number; readonly mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function record(ino: number, mode: number, name: string, data: Uint8Array, nlink: number, rdev: readonly [number, number] = [0, 0]): Buffer[] {
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  // c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_devmajor c_devminor c_rdevmajor c_rdevminor c_namesize c_check
  const fields = [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const header = '070701' + fields.map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header, 'ascii'), nameBytes]);
  return [head, pad4(head.length), Buffer.from(data), pad4(data.length)];
}

/** The archive bytes, entries in the order given (parents before children), ending with the TRAILER!!! record. */
export function writeCpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '');
    if (!name || name.split('/').includes('..')) throw new Error(`cpio: bad path "${entry.path}"`);
    switch (entry.kind) {
      case 'dir':
        parts.push(...record(ino++, S_IFDIR | (entry.mode ?? 0o755), name, new Uint8Array(), 2));
        break;
      case 'file':
        parts.push(...record(ino++, S_IFREG | (entry.mode ?? 0o644), name, entry.data, 1));
        break;
      case 'symlink':
        parts.push(...record(ino++, S_IFLNK | 0o777, name, Buffer.from(entry.target, 'utf8'), 1));
        break;
      case 'chardev':
        parts.push(...record(ino++, S_IFCHR | (entry.mode ?? 0o600), name, new Uint8Array(), 1, [entry.major, entry.minor]));
        break;
    }
  }
  parts.push(...record(0, 0, 'TRAILER!!!', new Uint8Array(), 1));
  return Buffer.concat(parts);
}
