/**
 * The TFTP server's socket side: one socket for requests, one ephemeral
 * socket per transfer (RFC 1350's transfer identifiers), all bound to one
 * address. Read-only. Every request, refusal and transfer is a FarmEvent.
 *
 * Memory is bounded by the number of transfers (`maxTransfers`) and the
 * shared chunk cache (`cacheBytes`), not by file sizes or client count.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { realpath } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { FarmEvent, FarmEventSink } from '../events';
import { bufferSource, SharedFiles, toNetascii, type FileSource } from './fileSource';
import { DEFAULT_LIMITS, negotiateRead, type NegotiationLimits } from './negotiate';
import { decodePacket, encodeDataHeader, encodePacket, ErrorCode, type RequestPacket } from './packet';
import { normalizeRequestPath, resolveInRoot } from '../rootPath';
import { DEFAULT_RETRANSMIT, ReadTransfer, type RetransmitPolicy, type TransferAction } from './transfer';

/** The bytes of a virtual file as they are now (called once per request). */
export type VirtualFileProvider = () => Buffer | string | Promise<Buffer | string>;

export interface TftpServerOptions {
  /** The served tree. */
  readonly root: string;
  /** The one address every socket binds to (the private network's, never a wildcard on a host). */
  readonly address: string;
  /** Default 69; 0 picks a free port (tests). */
  readonly port?: number;
  /**
   * Request paths served from memory instead of the root, e.g. the workspace's
   * live lts.conf at `ltsp/i386/lts.conf`. Keys are matched after the same
   * normalisation as requests (`\` as `/`, no leading `/`).
   */
  readonly virtualFiles?: ReadonlyMap<string, VirtualFileProvider>;
  readonly events?: FarmEventSink;
  readonly limits?: Partial<NegotiationLimits>;
  readonly retransmit?: Partial<RetransmitPolicy>;
  /** Transfers at once; more are answered "server busy". Default 512. */
  readonly maxTransfers?: number;
  /** Shared read cache. Default 64 MiB. */
  readonly cacheBytes?: number;
  /** netascii is converted in memory, so only for files up to this size. Default 4 MiB. */
  readonly maxNetasciiBytes?: number;
}

interface Session {
  readonly key: string;
  readonly client: RemoteInfo;
  /** Normalised path, for the log. */
  readonly path: string;
  /** The file name as the client sent it, to recognise a repeated request. */
  readonly requested: string;
  readonly socket: Socket;
  readonly transfer: ReadTransfer;
  readonly source: FileSource;
  readonly startedAt: number;
  queue: TransferAction[];
  pumping: boolean;
  ended: boolean;
}

const PROBE_EVENTS_PER_SECOND = 20;

export class TftpServer {
  private readonly limits: NegotiationLimits;
  private readonly retransmit: RetransmitPolicy;
  private readonly files: SharedFiles;
  private readonly sessions = new Map<string, Session>();
  private readonly virtualFiles = new Map<string, VirtualFileProvider>();
  private socket: Socket | undefined;
  private realRoot = '';
  /** One timer for all transfers, armed at the earliest retransmission deadline. */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Requests being resolved (counted against maxTransfers before their session exists). */
  private opening = 0;
  private readonly openingKeys = new Set<string>();
  private stopped = false;
  private noticeWindow = { second: 0, count: 0, dropped: 0 };
  private noticeFlush: NodeJS.Timeout | undefined;

  constructor(private readonly options: TftpServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.retransmit = { ...DEFAULT_RETRANSMIT, ...options.retransmit };
    this.files = new SharedFiles({ cacheBytes: options.cacheBytes });
    for (const [path, provider] of options.virtualFiles ?? []) {
      const normal = normalizeRequestPath(path);
      if (!normal.ok) throw new Error(`virtual file "${path}": ${normal.reason}`);
      this.virtualFiles.set(normal.path, provider);
    }
  }

  /** Transfers in progress. */
  get activeTransfers(): number {
    return this.sessions.size;
  }

  /** Bytes in the shared read cache. */
  get cachedBytes(): number {
    return this.files.residentBytes;
  }

  async start(): Promise<{ address: string; port: number }> {
    if (this.socket) throw new Error('the TFTP server is already started');
    this.realRoot = await realpath(this.options.root);
    const socket = createSocket({ type: this.options.address.includes(':') ? 'udp6' : 'udp4' });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onRequest(msg, rinfo));
    socket.on('error', (error) => this.emit({ kind: 'error', level: 'error', message: `request socket: ${error.message}` }));
    const wanted = `${this.options.address}:${this.options.port ?? 69}`;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        this.socket = undefined;
        socket.close();
        reject(new Error(`the TFTP server cannot listen on ${wanted}: ${error.message}`));
      };
      socket.once('error', failed);
      socket.bind({ address: this.options.address, port: this.options.port ?? 69, exclusive: true }, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    const { address, port } = socket.address();
    this.emit({ kind: 'listening', message: `TFTP on ${address}:${port}, root ${this.realRoot}`, data: { address, port, root: this.realRoot } });
    return { address, port };
  }

  /** Ends every transfer, closes every socket and file, stops the timer. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushNotices();
    for (const session of [...this.sessions.values()]) {
      this.send(session, session.transfer.abort('Server shutting down'));
      this.finish(session, 'stopped');
    }
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    // Transfer sockets close on the next turn (see finish): let them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.files.close();
  }

  private emit(event: Omit<FarmEvent, 'time' | 'layer'>): void {
    this.options.events?.({ time: Date.now(), layer: 'tftp', ...event });
  }

  /**
   * Refusals that a scan or a fuzzer can produce by the thousand are logged at
   * a bounded rate, with a count of those left out.
   */
  private notice(event: Omit<FarmEvent, 'time' | 'layer'>): void {
    const second = Math.floor(Date.now() / 1000);
    if (this.noticeWindow.second !== second) {
      this.flushNotices();
      this.noticeWindow = { second, count: 0, dropped: 0 };
    }
    if (this.noticeWindow.count++ < PROBE_EVENTS_PER_SECOND) this.emit(event);
    else if (this.noticeWindow.dropped++ === 0) {
      // Say how many were left out even if the flood stops here.
      this.noticeFlush = setTimeout(() => this.flushNotices(), 1000);
      this.noticeFlush.unref();
    }
  }

  private flushNotices(): void {
    clearTimeout(this.noticeFlush);
    this.noticeFlush = undefined;
    const dropped = this.noticeWindow.dropped;
    this.noticeWindow.dropped = 0;
    if (dropped > 0) this.emit({ kind: 'error', level: 'warning', message: `${dropped} more bad request(s) not logged in the last second`, data: { dropped } });
  }

  private reply(to: RemoteInfo, code: number, message: string, socket: Socket | undefined = this.socket): void {
    socket?.send(encodePacket({ type: 'ERROR', code, message }), to.port, to.address);
  }

  private onRequest(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.stopped) return;
    const node = rinfo.address;
    const decoded = decodePacket(msg);
    if (!decoded.ok) {
      this.reply(rinfo, ErrorCode.illegalOperation, `Illegal TFTP operation: ${decoded.reason}`);
      this.notice({ kind: 'error', level: 'warning', node, message: `malformed packet from ${rinfo.address}:${rinfo.port}: ${decoded.reason}`, data: { reason: decoded.reason, bytes: msg.length } });
      return;
    }
    const packet = decoded.packet;
    if (packet.type === 'WRQ') {
      this.reply(rinfo, ErrorCode.accessViolation, 'Access violation: this server is read-only');
      this.notice({ kind: 'error', level: 'warning', node, message: `write request for ${packet.filename} refused: the server is read-only`, data: { path: packet.filename, reason: 'read-only' } });
      return;
    }
    if (packet.type !== 'RRQ') {
      // Only requests come to port 69; anything else belongs to no transfer.
      this.reply(rinfo, ErrorCode.unknownTransferId, `Unknown transfer ID: ${packet.type} sent to the request port`);
      return;
    }
    void this.openTransfer(packet, rinfo).catch((error: unknown) => {
      this.reply(rinfo, ErrorCode.notDefined, 'Internal error');
      this.emit({ kind: 'error', level: 'error', node, message: `${packet.filename}: ${error instanceof Error ? error.message : String(error)}`, data: { path: packet.filename } });
    });
  }

  private async openTransfer(request: RequestPacket, client: RemoteInfo): Promise<void> {
    const node = client.address;
    const key = `${client.address}:${client.port}`;
    // A request from this port is still being opened: this one is its repetition.
    if (this.openingKeys.has(key)) return;
    const existing = this.sessions.get(key);
    if (existing) {
      // A repeated request: our first answer was lost or is slow. Answer it again (the OACK) rather than start over.
      if (existing.requested === request.filename && !existing.transfer.heardFromClient) {
        this.send(existing, existing.transfer.requestRepeated(performance.now()));
        return;
      }
      // The client gave up on the old transfer and started another from the same port.
      this.finish(existing, 'superseded by a new request from the same port');
    }
    if (request.mode === 'mail') {
      this.reply(client, ErrorCode.illegalOperation, 'mail mode is not supported');
      return;
    }
    const normal = normalizeRequestPath(request.filename);
    if (!normal.ok) {
      this.reply(client, ErrorCode.accessViolation, 'Access violation');
      this.notice({ kind: 'error', level: 'warning', node, message: `request for ${JSON.stringify(request.filename)} refused: ${normal.reason}`, data: { path: request.filename, reason: normal.reason, code: ErrorCode.accessViolation } });
      return;
    }
    if (this.sessions.size + this.opening >= (this.options.maxTransfers ?? 512)) {
      this.reply(client, ErrorCode.notDefined, 'Server busy, try again');
      this.notice({ kind: 'error', level: 'warning', node, message: `request for ${normal.path} refused: ${this.sessions.size} transfers already running`, data: { path: normal.path, reason: 'busy' } });
      return;
    }
    this.opening++;
    this.openingKeys.add(key);
    let source: FileSource | undefined;
    let socket: Socket | undefined;
    try {
      source = await this.openSource(normal.path, request, client);
      if (!source || this.stopped) return;
      const negotiation = negotiateRead(request.options, source.size, this.limits);
      if (!negotiation.ok) {
        this.reply(client, negotiation.code, negotiation.message);
        this.emit({ kind: 'error', level: 'error', node, message: `${normal.path}: ${negotiation.message}`, data: { path: normal.path, reason: negotiation.message } });
        return;
      }
      const plan = negotiation.value;
      socket = await this.transferSocket(client);
      if (this.stopped) return;
      const transfer = new ReadTransfer({ size: source.size, ...plan }, this.retransmit);
      const session: Session = { key, client, path: normal.path, requested: request.filename, socket, transfer, source, startedAt: performance.now(), queue: [], pumping: false, ended: false };
      source = undefined;
      socket = undefined;
      this.sessions.set(key, session);
      session.socket.on('message', (msg) => this.onTransferPacket(session, msg));
      session.socket.on('error', (error) => this.onTransferSocketError(session, error));
      const requested = Object.fromEntries(request.options);
      const negotiated = Object.fromEntries(plan.oack);
      this.emit({
        kind: 'transfer-start',
        node,
        message: `${client.address}:${client.port} reads ${normal.path} (${session.source.size} bytes, blksize ${plan.blockSize}${plan.windowSize > 1 ? `, windowsize ${plan.windowSize}` : ''})`,
        data: { path: normal.path, size: session.source.size, mode: request.mode, requested, negotiated, blocks: plan.blocks, rollover: plan.blocks > 65535, virtual: this.virtualFiles.has(normal.path) },
      });
      if (plan.blocks > 65535) {
        this.emit({
          kind: 'rollover',
          level: 'warning',
          node,
          message: `${normal.path} needs ${plan.blocks} blocks of ${plan.blockSize} bytes: block numbers roll over to ${plan.rolloverTo} after 65535 (a client that cannot follow hangs there: ask a larger blksize)`,
          data: { path: normal.path, blocks: plan.blocks, blockSize: plan.blockSize, rolloverTo: plan.rolloverTo },
        });
      }
      this.send(session, transfer.start(performance.now()));
    } finally {
      this.opening--;
      this.openingKeys.delete(key);
      source?.release();
      socket?.close();
    }
  }

  /** The bytes behind a request path, or undefined after answering the client with an error. */
  private async openSource(path: string, request: RequestPacket, client: RemoteInfo): Promise<FileSource | undefined> {
    const node = client.address;
    const netascii = request.mode === 'netascii';
    const maxNetascii = this.options.maxNetasciiBytes ?? 4 * 1024 * 1024;
    const provider = this.virtualFiles.get(path);
    if (provider) {
      const value = await provider();
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
      return bufferSource(netascii ? toNetascii(bytes) : bytes);
    }
    const resolved = await resolveInRoot(this.realRoot, path);
    if (!resolved.ok) {
      const notFound = resolved.kind === 'not-found';
      this.reply(client, notFound ? ErrorCode.fileNotFound : ErrorCode.accessViolation, notFound ? 'File not found' : 'Access violation');
      this.notice({
        kind: 'error',
        // PXELINUX probes a dozen names (01-MAC, hex IP prefixes) before `default`: a miss is normal.
        level: 'warning',
        node,
        message: notFound ? `file not found: ${path} (requested as ${JSON.stringify(request.filename)})` : `request for ${path} refused: ${resolved.reason}`,
        data: { path, requested: request.filename, reason: resolved.reason, code: notFound ? ErrorCode.fileNotFound : ErrorCode.accessViolation },
      });
      return undefined;
    }
    if (netascii) {
      if (resolved.size > maxNetascii) {
        this.reply(client, ErrorCode.notDefined, `netascii mode is for text files up to ${maxNetascii} bytes; use octet (binary) mode`);
        this.emit({ kind: 'error', level: 'warning', node, message: `${path}: netascii request for a ${resolved.size}-byte file refused; the client should use octet mode`, data: { path, reason: 'netascii-too-large' } });
        return undefined;
      }
      const source = await this.files.open(resolved.absolute);
      try {
        const bytes = await source.read(0, source.size);
        return bufferSource(toNetascii(Buffer.from(bytes)));
      } finally {
        source.release();
      }
    }
    return this.files.open(resolved.absolute);
  }

  private async transferSocket(client: RemoteInfo): Promise<Socket> {
    const socket = createSocket({ type: client.family === 'IPv6' ? 'udp6' : 'udp4' });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: this.options.address, port: 0, exclusive: true }, () => {
          // Connected: the kernel drops datagrams from any other peer, and sends are cheaper.
          socket.connect(client.port, client.address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      });
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  private onTransferPacket(session: Session, msg: Buffer): void {
    if (session.ended) return;
    const decoded = decodePacket(msg);
    if (!decoded.ok) return;
    const packet = decoded.packet;
    if (packet.type === 'ACK') {
      this.send(session, session.transfer.ack(packet.block, performance.now()));
      if (session.transfer.state === 'done') this.finish(session, 'done');
    } else if (packet.type === 'ERROR') {
      session.transfer.clientError(packet.code, packet.message);
      this.finish(session, 'client-error');
    }
  }

  private onTransferSocketError(session: Session, error: NodeJS.ErrnoException): void {
    if (session.ended) return;
    // ECONNREFUSED: the client's port is closed (ICMP port unreachable): it is gone.
    const gone = error.code === 'ECONNREFUSED';
    session.transfer.abort(gone ? 'the client closed its port' : `socket error: ${error.message}`);
    this.finish(session, gone ? 'client-gone' : 'socket-error');
  }

  private send(session: Session, actions: TransferAction[]): void {
    this.armTimer(session.transfer.nextDeadline);
    if (actions.length === 0 || session.ended) return;
    // A new window supersedes whatever of the previous one is still waiting for file data.
    session.queue = actions;
    if (!session.pumping) void this.pump(session);
  }

  private async pump(session: Session): Promise<void> {
    session.pumping = true;
    try {
      while (session.queue.length > 0 && !session.ended) {
        const action = session.queue.shift()!;
        if (action.kind === 'data') {
          let bytes = session.source.read(action.offset, action.length);
          if (bytes instanceof Promise) bytes = await bytes;
          if (session.ended) return;
          session.socket.send([encodeDataHeader(action.block), bytes]);
        } else if (action.kind === 'oack') {
          session.socket.send(encodePacket({ type: 'OACK', options: action.options }));
        } else {
          session.socket.send(encodePacket({ type: 'ERROR', code: action.code, message: action.message }));
        }
      }
    } catch (error) {
      session.transfer.abort(`reading the file failed: ${error instanceof Error ? error.message : String(error)}`);
      this.finish(session, 'read-error');
    } finally {
      session.pumping = false;
    }
  }

  /**
   * Deadlines mostly move later (every ACK pushes them), so the timer is only
   * re-armed when one moves earlier; when it fires early it re-arms for the
   * new earliest. A transfer in good health wakes it about once per timeout,
   * not once per packet.
   */
  private armTimer(at: number): void {
    if (at >= this.timerAt || this.stopped) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), Math.max(1, Math.ceil(at - performance.now())));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const session of this.sessions.values()) {
      if (now >= session.transfer.nextDeadline) {
        this.send(session, session.transfer.tick(now));
        if (session.transfer.state === 'failed') this.finish(session, 'timeout');
      }
      if (!session.ended) next = Math.min(next, session.transfer.nextDeadline);
    }
    if (next < Infinity) this.armTimer(next);
  }

  private finish(session: Session, how: string): void {
    if (session.ended) return;
    const { transfer, client } = session;
    const durationMs = Math.round(performance.now() - session.startedAt);
    const stats = transfer.stats;
    const common = { path: session.path, durationMs, retransmittedPackets: stats.retransmittedPackets, timeouts: stats.timeouts, spuriousTimeouts: stats.spuriousTimeouts, duplicateAcks: stats.duplicateAcks, rtoFloorMs: Math.round(stats.rtoFloorMs), srttMs: stats.srttMs === undefined ? undefined : Math.round(stats.srttMs * 100) / 100 };
    const node = client.address;
    if (transfer.state === 'done') {
      const seconds = durationMs / 1000;
      this.emit({
        kind: 'transfer-done',
        node,
        message: `${client.address}:${client.port} read ${session.path}: ${session.source.size} bytes in ${seconds.toFixed(2)} s${stats.retransmittedPackets ? ` (${stats.retransmittedPackets} packets resent)` : ''}`,
        data: { ...common, bytes: session.source.size },
      });
    } else if (how === 'client-gone' && transfer.allSent) {
      // Every block went out and the client left: its final ACK was lost, which RFC 1350 accepts.
      this.emit({
        kind: 'transfer-done',
        level: 'warning',
        node,
        message: `${client.address}:${client.port} read ${session.path} (${session.source.size} bytes) but its final ACK was lost`,
        data: { ...common, bytes: session.source.size, unconfirmed: true },
      });
    } else if (how === 'timeout' && transfer.allSent) {
      this.emit({
        kind: 'transfer-done',
        level: 'warning',
        node,
        message: `${client.address}:${client.port} read ${session.path} (${session.source.size} bytes) but never acknowledged the last block`,
        data: { ...common, bytes: session.source.size, unconfirmed: true },
      });
    } else {
      const reason = transfer.failureReason ?? how;
      this.emit({ kind: 'transfer-failed', level: 'error', node, message: `${client.address}:${client.port} reading ${session.path} failed: ${reason}`, data: { ...common, reason } });
    }
    session.ended = true;
    session.queue = [];
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    session.source.release();
    // Leave time for a final ERROR packet queued just before to leave the socket.
    setImmediate(() => session.socket.close());
  }
}
