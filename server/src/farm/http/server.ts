import { createReadStream, type Stats } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, sep } from 'node:path';
import type { FarmEvent, FarmEventSink } from '../events';
import { normalizeRequestPath, resolveInRoot } from '../rootPath';
import type { VirtualFileProvider } from '../tftp/server';
import { decideRange } from './range';

export interface HttpServerOptions {
  /** The folder served (the TFTP tree, usually: iPXE fetches the same kernel and initrd). */
  readonly root: string;
  /** The address to bind: the private network's, or 127.0.0.1. */
  readonly address: string;
  /** 80 unless given; 0 picks a free one. */
  readonly port?: number;
  /**
   * Files that are not in the root but made when asked for (the live
   * lts.conf, an iPXE script), by request path relative to the root. Called
   * once per request, so an edit shows at the next boot.
   */
  readonly virtualFiles?: ReadonlyMap<string, VirtualFileProvider>;
  readonly events?: FarmEventSink;
}

export interface HttpServerAddress {
  readonly address: string;
  readonly port: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.ipxe': 'text/plain; charset=utf-8',
  '.conf': 'text/plain; charset=utf-8',
  '.cfg': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
};

/** What a request resolved to: bytes in memory, an open file, or a refusal. */
type Body = { kind: 'buffer'; bytes: Buffer; modified: Date } | { kind: 'file'; handle: FileHandle; stats: Stats };
type Refusal = { status: number; reason: string; level: 'warning' | 'info' };

/**
 * A small static file server for iPXE and IMAGE_TO_RAM-style clients: GET and
 * HEAD, one byte range per request, confined to its root as the TFTP server
 * is (the same path rules: no `..`, no NUL, no encoded tricks, no symlink
 * out), plus virtual files. Every request is an event.
 */
export class HttpFileServer {
  private server: Server | undefined;
  private realRoot = '';
  private readonly virtualFiles = new Map<string, VirtualFileProvider>();
  private bound: HttpServerAddress | undefined;

  constructor(private readonly options: HttpServerOptions) {
    for (const [path, provider] of options.virtualFiles ?? []) {
      const normal = normalizeRequestPath(path);
      if (!normal.ok) throw new Error(`virtual file "${path}": ${normal.reason}`);
      this.virtualFiles.set(normal.path, provider);
    }
  }

  get address(): HttpServerAddress | undefined {
    return this.bound;
  }

  private emit(event: Omit<FarmEvent, 'time' | 'layer'>): void {
    try {
      this.options.events?.({ time: Date.now(), layer: 'http', ...event });
    } catch {
      // A failing listener must not take the server down.
    }
  }

  async start(): Promise<HttpServerAddress> {
    if (this.server) throw new Error('the HTTP server is already started');
    this.realRoot = await realpath(this.options.root).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`the HTTP root ${this.options.root} cannot be served: ${error.code ?? error.message}`);
    });
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.emit({ kind: 'error', level: 'error', message: `HTTP ${req.method} ${req.url}: internal error: ${String(error)}` });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    server.on('clientError', (error: Error, socket: Socket) => {
      this.emit({ kind: 'error', level: 'warning', message: `HTTP: malformed request from ${socket.remoteAddress ?? '?'}: ${error.message}`, node: socket.remoteAddress });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
    const port = this.options.port ?? 80;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        this.server = undefined;
        reject(new Error(`the HTTP server cannot listen on ${this.options.address}:${port}: ${error.message}`));
      };
      server.once('error', failed);
      server.listen({ host: this.options.address, port, exclusive: true }, () => {
        server.off('error', failed);
        resolve();
      });
    });
    const info = server.address() as AddressInfo;
    this.bound = { address: info.address, port: info.port };
    this.emit({ kind: 'listening', message: `HTTP server on ${info.address}:${info.port} serving ${this.realRoot}`, data: { address: info.address, port: info.port, root: this.realRoot, virtualFiles: [...this.virtualFiles.keys()] } });
    return this.bound;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.bound = undefined;
    this.emit({ kind: 'stopped', message: 'HTTP server stopped' });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const node = req.socket.remoteAddress;
    const method = req.method ?? '?';
    const target = req.url ?? '';
    const finish = (status: number, bytes: number, data: Record<string, unknown>, level: 'info' | 'warning' = 'info', why?: string) =>
      this.emit({
        kind: 'request',
        level,
        node,
        message: `HTTP ${method} ${target} ${status}${why ? `: ${why}` : ` (${bytes} bytes)`}`,
        data: { method, target, status, bytes, ms: Date.now() - started, ...data },
      });

    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
      return finish(405, 0, {}, 'warning', 'only GET and HEAD are served');
    }
    const resolved = await this.resolve(target);
    if ('status' in resolved) {
      const body = `${resolved.reason}\n`;
      res.writeHead(resolved.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(method === 'HEAD' ? undefined : body);
      return finish(resolved.status, 0, {}, resolved.level, resolved.reason);
    }
    const { path, body } = resolved;
    const size = body.kind === 'buffer' ? body.bytes.length : body.stats.size;
    const modified = body.kind === 'buffer' ? body.modified : body.stats.mtime;
    const range = decideRange(req.headers.range, size);
    const headers: Record<string, string | number> = {
      'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'Last-Modified': modified.toUTCString(),
      // Images are rebuilt in place and lts.conf is live: never reuse a stale copy.
      'Cache-Control': 'no-cache',
    };
    const common = { path, virtual: body.kind === 'buffer', size, range: req.headers.range };
    if (range.kind === 'unsatisfiable') {
      if (body.kind === 'file') await body.handle.close();
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
      return finish(416, 0, common, 'warning', `range ${req.headers.range} is outside the ${size}-byte file`);
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    const length = size === 0 ? 0 : end - start + 1;
    const status = range.kind === 'partial' ? 206 : 200;
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    headers['Content-Length'] = length;
    res.writeHead(status, headers);

    if (method === 'HEAD' || length === 0) {
      if (body.kind === 'file') await body.handle.close();
      res.end();
      return finish(status, 0, common);
    }
    if (body.kind === 'buffer') {
      res.end(body.bytes.subarray(start, end + 1));
      return finish(status, length, common);
    }
    const stream = createReadStream('', { fd: body.handle, start, end, autoClose: true, highWaterMark: 256 * 1024 });
    stream.pipe(res);
    await new Promise<void>((resolve) => {
      res.once('close', () => {
        stream.destroy();
        resolve();
      });
    });
    const sent = res.writableFinished ? length : Math.min(length, stream.bytesRead);
    if (res.writableFinished) finish(status, sent, common);
    else finish(status, sent, { ...common, aborted: true }, 'warning', `the client went away after ${sent} of ${length} bytes`);
  }

  /** The request target to a body, or why not (the status code and a reason). */
  private async resolve(target: string): Promise<{ path: string; body: Body } | Refusal> {
    // Origin form (`/path`), or absolute form (`http://host/path`) as proxies send.
    const pathPart = /^https?:\/\/[^/]*/i.test(target) ? target.replace(/^https?:\/\/[^/]*/i, '') || '/' : target;
    if (!pathPart.startsWith('/')) return { status: 400, reason: `request target ${JSON.stringify(target.slice(0, 100))} is not a path`, level: 'warning' };
    const rawPath = pathPart.split(/[?#]/, 1)[0]!;
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return { status: 400, reason: `the path ${JSON.stringify(rawPath.slice(0, 100))} is not valid URL encoding`, level: 'warning' };
    }
    const normal = normalizeRequestPath(decoded);
    if (!normal.ok) {
      const noFile = /names no file/.test(normal.reason);
      return { status: noFile ? 404 : 403, reason: noFile ? `${rawPath} names no file (there are no directory listings)` : `refused: ${normal.reason}`, level: 'warning' };
    }
    const provider = this.virtualFiles.get(normal.path);
    if (provider) {
      const made = await provider();
      return { path: normal.path, body: { kind: 'buffer', bytes: typeof made === 'string' ? Buffer.from(made, 'utf8') : made, modified: new Date() } };
    }
    const found = await resolveInRoot(this.realRoot, normal.path);
    if (!found.ok) {
      const status = found.kind === 'outside-root' ? 403 : 404;
      return { status, reason: found.kind === 'outside-root' ? `refused: ${found.reason}` : found.reason, level: 'warning' };
    }
    let handle: FileHandle;
    try {
      handle = await open(found.absolute, 'r');
    } catch (error) {
      return { status: 404, reason: `${normal.path} cannot be opened (${(error as NodeJS.ErrnoException).code ?? String(error)})`, level: 'warning' };
    }
    // The file actually opened, in case a link changed since it was resolved.
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => found.absolute);
    const stats = await handle.stat();
    if ((opened !== this.realRoot && !opened.startsWith(this.realRoot + sep)) || !stats.isFile()) {
      await handle.close();
      return { status: 403, reason: `refused: ${normal.path} changed into something outside the root while being opened`, level: 'warning' };
    }
    return { path: normal.path, body: { kind: 'file', handle, stats } };
  }
}
