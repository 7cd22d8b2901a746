/**
 * Where a transfer's bytes come from. Files on disk are never read whole:
 * they are read in chunks at offsets, and the chunks are kept in one cache
 * shared by every transfer, bounded in bytes, least recently used out first.
 * A hundred nodes fetching the same kernel read it from disk once. Chunks are
 * keyed by the file's identity (device, inode, size, mtime), so a file that
 * is replaced or rewritten is read afresh and never served half old.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export interface FileSource {
  readonly size: number;
  /** `length` bytes from `offset`; synchronous when cached. */
  read(offset: number, length: number): Buffer | Promise<Buffer>;
  release(): void;
}

const EMPTY = Buffer.alloc(0);

/** A file held in memory: a virtual file's current bytes, or a netascii conversion. */
export function bufferSource(bytes: Buffer): FileSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
    release: () => {},
  };
}

/** RFC 764's NVT ASCII as TFTP's netascii mode sends it: LF as CR LF, a lone CR as CR NUL. */
export function toNetascii(bytes: Buffer): Buffer {
  let extra = 0;
  for (const b of bytes) if (b === 0x0a || b === 0x0d) extra++;
  const out = Buffer.allocUnsafe(bytes.length + extra);
  let at = 0;
  for (const b of bytes) {
    if (b === 0x0a) {
      out[at++] = 0x0d;
      out[at++] = 0x0a;
    } else if (b === 0x0d) {
      out[at++] = 0x0d;
      out[at++] = 0x00;
    } else out[at++] = b;
  }
  return out;
}

interface OpenFile {
  readonly identity: string;
  readonly handle: FileHandle;
  readonly size: number;
  refs: number;
}

export interface SharedFilesOptions {
  /** Bytes of file data kept in memory for all transfers together. Default 64 MiB. */
  readonly cacheBytes?: number;
  /** Bytes read from disk at a time. Default 256 KiB. */
  readonly chunkBytes?: number;
}

export class SharedFiles {
  private readonly cacheBytes: number;
  private readonly chunkBytes: number;
  /** Open files by path; a replaced file gets a new entry, the old one lives until its readers finish. */
  private readonly byPath = new Map<string, OpenFile>();
  /** `identity:chunk` -> bytes, in least-recently-used order. */
  private readonly chunks = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private cachedBytes = 0;
  private closed = false;

  constructor(options: SharedFilesOptions = {}) {
    this.cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
  }

  /** Bytes held in the cache now (for tests and the boot-storm bench). */
  get residentBytes(): number {
    return this.cachedBytes;
  }

  /**
   * Opens `absolute` (a realpath inside the root) for reading. O_NOFOLLOW: a
   * symlink swapped in after the root check is refused; O_NONBLOCK: a FIFO
   * swapped in cannot hang the open.
   */
  async open(absolute: string): Promise<FileSource> {
    if (this.closed) throw new Error('the file cache is closed');
    const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let file: OpenFile;
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Error(`${absolute} is not a regular file`);
      const identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
      const existing = this.byPath.get(absolute);
      if (existing && existing.identity === identity) {
        await handle.close();
        file = existing;
      } else {
        file = { identity, handle, size: info.size, refs: 0 };
        this.byPath.set(absolute, file);
      }
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    file.refs++;
    let released = false;
    return {
      size: file.size,
      read: (offset, length) => this.read(file, offset, length),
      release: () => {
        if (released) return;
        released = true;
        if (--file.refs === 0) {
          if (this.byPath.get(absolute) === file) this.byPath.delete(absolute);
          void file.handle.close().catch(() => {});
        }
      },
    };
  }

  /** Closes every file; sources still held fail their next uncached read. */
  async close(): Promise<void> {
    this.closed = true;
    const files = [...this.byPath.values()];
    this.byPath.clear();
    this.chunks.clear();
    this.cachedBytes = 0;
    await Promise.all(files.map((f) => f.handle.close().catch(() => {})));
  }

  private read(file: OpenFile, offset: number, length: number): Buffer | Promise<Buffer> {
    if (length <= 0) return EMPTY;
    const first = Math.floor(offset / this.chunkBytes);
    const last = Math.floor((offset + length - 1) / this.chunkBytes);
    // Read ahead: the next chunk is wanted soon by this reader and those behind it.
    if ((offset + length) % this.chunkBytes > this.chunkBytes / 2) this.prefetch(file, last + 1);
    if (first === last) {
      const start = offset - first * this.chunkBytes;
      const chunk = this.cached(file, first);
      if (chunk) return chunk.subarray(start, start + length);
      return this.load(file, first).then((c) => c.subarray(start, start + length));
    }
    const parts: (Buffer | Promise<Buffer>)[] = [];
    for (let i = first; i <= last; i++) parts.push(this.cached(file, i) ?? this.load(file, i));
    // A block across a chunk boundary: copy just the block, not the chunks.
    const join = (chunks: Buffer[]) => {
      const out = Buffer.allocUnsafe(length);
      let at = 0;
      for (const [k, chunk] of chunks.entries()) {
        const from = k === 0 ? offset - first * this.chunkBytes : 0;
        at += chunk.copy(out, at, from, Math.min(chunk.length, from + length - at));
      }
      return out.subarray(0, at);
    };
    if (parts.every((p): p is Buffer => Buffer.isBuffer(p))) return join(parts);
    return Promise.all(parts).then(join);
  }

  private cached(file: OpenFile, index: number): Buffer | undefined {
    const key = `${file.identity}:${index}`;
    const chunk = this.chunks.get(key);
    if (chunk) {
      this.chunks.delete(key);
      this.chunks.set(key, chunk);
    }
    return chunk;
  }

  private prefetch(file: OpenFile, index: number): void {
    if (index * this.chunkBytes >= file.size || this.chunks.has(`${file.identity}:${index}`)) return;
    this.load(file, index).catch(() => {});
  }

  private load(file: OpenFile, index: number): Promise<Buffer> {
    const key = `${file.identity}:${index}`;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const start = index * this.chunkBytes;
    const length = Math.max(0, Math.min(this.chunkBytes, file.size - start));
    const promise = (async () => {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await file.handle.read(buf, got, length - got, start + got);
        // The file shrank under us: what is missing reads as zeros rather than stale memory.
        if (bytesRead === 0) {
          buf.fill(0, got);
          break;
        }
        got += bytesRead;
      }
      if (!this.closed) this.remember(key, buf);
      return buf;
    })();
    this.pending.set(key, promise);
    void promise.finally(() => this.pending.delete(key)).catch(() => {});
    return promise;
  }

  private remember(key: string, chunk: Buffer): void {
    this.chunks.set(key, chunk);
    this.cachedBytes += chunk.length;
    for (const [oldKey, old] of this.chunks) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.chunks.delete(oldKey);
      this.cachedBytes -= old.length;
    }
  }
}
