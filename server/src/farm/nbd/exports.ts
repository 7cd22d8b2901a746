import { close, closeSync, fstat, open, stat, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { NBD_MAX_STRING } from './protocol';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const statAsync = promisify(stat);
const fstatAsync = promisify(fstat);

/** One read-only export: a file (a squashfs image) under a name and its aliases. */
export interface NbdExportConfig {
  /** The name NBD_OPT_LIST shows. */
  readonly name: string;
  readonly file: string;
  /** Other names the same export answers to (LTSP's `ltsp_amd64`, `amd64`, `x86_64`...). */
  readonly aliases?: readonly string[];
  readonly description?: string;
  /** Serve this export to clients that ask for the default (empty) name. The first export is the default otherwise. */
  readonly default?: boolean;
}

/**
 * The names an LTSP client may ask for, for an image of the given
 * architecture: LTSP 20+ names images after the CPU type (`x86_64`, from its
 * iPXE script), LTSP 5 exported `ltsp_<debian arch>` and people use the bare
 * Debian architecture. `ltspExportNames('amd64')` = x86_64, amd64, ltsp_amd64.
 */
export function ltspExportNames(arch: string): string[] {
  const cpu: Record<string, string> = { amd64: 'x86_64', i386: 'x86_32', arm64: 'aarch64', armhf: 'armv7l' };
  const debian = Object.entries(cpu).find(([, c]) => c === arch)?.[0] ?? arch;
  return [...new Set([cpu[debian] ?? arch, debian, `ltsp_${debian}`])];
}

/**
 * An open image shared by every connection that chose it. Reads are
 * positioned (pread), so one descriptor serves them all at once.
 */
export interface ExportHandle {
  readonly config: NbdExportConfig;
  readonly fd: number;
  readonly size: number;
  /** Each acquire() is matched by one release(); the file closes after the last. */
  release(): void;
}

interface OpenFile {
  fd: number;
  size: number;
  identity: string;
  refs: number;
  /** Superseded by a newer version of the file: close at the last release. */
  stale: boolean;
}

const identityOf = (s: Stats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;

/**
 * The set of exports, by every name they answer to. A file is opened when a
 * client first chooses it; when the file on disk is replaced (an image
 * rebuilt), the next client gets the new one while connected clients keep
 * reading the version they started with.
 */
export class ExportTable {
  private readonly byName = new Map<string, NbdExportConfig>();
  private readonly defaultExport: NbdExportConfig | undefined;
  private readonly current = new Map<NbdExportConfig, OpenFile>();
  private readonly everyFile = new Set<OpenFile>();

  constructor(readonly exports: readonly NbdExportConfig[]) {
    for (const config of exports) {
      for (const name of [config.name, ...(config.aliases ?? [])]) {
        if (Buffer.byteLength(name) > NBD_MAX_STRING || name.includes('\0')) throw new Error(`NBD export name ${JSON.stringify(name.slice(0, 40))} is not a valid name: at most ${NBD_MAX_STRING} bytes, no NUL`);
        if (name === '') throw new Error(`NBD export ${config.file}: the empty name is the default export; mark one export \`default: true\` instead`);
        const other = this.byName.get(name);
        if (other && other !== config) throw new Error(`NBD export name "${name}" is used by both ${other.file} and ${config.file}: give each export its own names`);
        this.byName.set(name, config);
      }
    }
    const defaults = exports.filter((e) => e.default);
    if (defaults.length > 1) throw new Error(`NBD exports ${defaults.map((e) => e.name).join(', ')} are all marked default: only one can serve the empty name`);
    this.defaultExport = defaults[0] ?? exports[0];
  }

  /** The export a client's name selects; the empty name is the default export. */
  resolve(name: string): NbdExportConfig | undefined {
    return name === '' ? this.defaultExport : this.byName.get(name);
  }

  /** What NBD_OPT_LIST shows: each export once, its aliases in the description. */
  list(): { name: string; description: string }[] {
    return this.exports.map((e) => {
      const aliases = [...(e.aliases ?? []), ...(e === this.defaultExport ? ['"" (default)'] : [])];
      const parts = [e.description, aliases.length ? `also: ${aliases.join(', ')}` : undefined].filter(Boolean);
      return { name: e.name, description: parts.join('; ') };
    });
  }

  /** Opens (or shares) the export's file, as it is on disk now. */
  async acquire(config: NbdExportConfig): Promise<ExportHandle> {
    const onDisk = await statAsync(config.file);
    if (!onDisk.isFile()) throw new Error(`${config.file} is not a regular file`);
    let file = this.current.get(config);
    if (!file || file.identity !== identityOf(onDisk)) {
      const fd = await openAsync(config.file, 'r');
      const opened = await fstatAsync(fd).catch(async (error: unknown) => {
        await closeAsync(fd);
        throw error;
      });
      // Another client may have opened the same version meanwhile.
      const again = this.current.get(config);
      if (again && again.identity === identityOf(opened)) {
        await closeAsync(fd);
        file = again;
      } else {
        if (again) this.retire(again);
        file = { fd, size: opened.size, identity: identityOf(opened), refs: 0, stale: false };
        this.current.set(config, file);
        this.everyFile.add(file);
      }
    }
    file.refs++;
    const held = file;
    let released = false;
    return {
      config,
      fd: held.fd,
      size: held.size,
      release: () => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.stale && held.refs === 0) this.closeFile(held);
      },
    };
  }

  /** The export's size now, without keeping the file open (NBD_OPT_INFO). */
  async sizeOf(config: NbdExportConfig): Promise<number> {
    const handle = await this.acquire(config);
    handle.release();
    return handle.size;
  }

  /** Closes every file; handles still held become invalid. */
  closeAll(): void {
    for (const file of this.everyFile) this.closeFile(file);
    this.current.clear();
  }

  private retire(file: OpenFile): void {
    file.stale = true;
    if (file.refs === 0) this.closeFile(file);
  }

  private closeFile(file: OpenFile): void {
    if (!this.everyFile.delete(file)) return;
    for (const [config, f] of this.current) if (f === file) this.current.delete(config);
    // Synchronous, so that once stop() resolves the image is really closed (closing a regular file does not block).
    try {
      closeSync(file.fd);
    } catch {
      // already closed
    }
  }
}
