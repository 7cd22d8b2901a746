import { read, readv } from 'node:fs';
import type { Socket } from 'node:net';
import type { FarmEvent } from '../events';
import { BufferPool } from './bufferPool';
import { ByteQueue } from './byteQueue';
import type { ExportHandle, ExportTable, NbdExportConfig } from './exports';
import * as P from './protocol';

/** The knobs of one connection; the server fills them from its options. */
export interface ConnectionSettings {
  /** Time allowed from connect to the end of option haggling. */
  readonly handshakeTimeoutMs: number;
  /** A connection in transmission with no traffic either way for this long is closed; 0 never. */
  readonly idleTimeoutMs: number;
  /** Largest request accepted (NBD_INFO_BLOCK_SIZE's maximum); larger ones get EINVAL. */
  readonly maxPayload: number;
  /** Reads larger than this are read and sent in pieces of this size. */
  readonly chunkSize: number;
  /** Bytes read or queued but not yet taken by the kernel, per connection, before it stops reading requests. */
  readonly maxBuffered: number;
  /** Options one connection may send before it is taken for abuse. */
  readonly maxOptions: number;
  /** Option data beyond this is skipped, not buffered, and answered with NBD_REP_ERR_TOO_BIG. */
  readonly maxOptionData: number;
}

/** A read waiting to start: its reply buffer (header written) and the pool buffer that backs it. */
interface PendingRead {
  readonly request: P.NbdRequest;
  readonly buf: Buffer;
  readonly backing: Buffer;
}

type Emit = (event: Omit<FarmEvent, 'time' | 'layer'>) => void;

type State =
  | { kind: 'client-flags' }
  | { kind: 'option-header' }
  | { kind: 'option-data'; option: number; length: number }
  | { kind: 'option-skip'; option: number; remaining: number; total: number }
  | { kind: 'busy' }
  | { kind: 'transmission' }
  | { kind: 'write-data'; request: P.NbdRequest; remaining: number }
  | { kind: 'closing' };

const HANDSHAKE_FLAGS = P.NBD_FLAG_FIXED_NEWSTYLE | P.NBD_FLAG_NO_ZEROES;
const TRANSMISSION_FLAGS = P.NBD_FLAG_HAS_FLAGS | P.NBD_FLAG_READ_ONLY | P.NBD_FLAG_SEND_FLUSH | P.NBD_FLAG_CAN_MULTI_CONN;
/** Consecutive reads joined into one readv at most (far below the kernel's IOV_MAX of 1024). */
const MAX_READV_BUFFERS = 64;
/** Complaints about one connection's requests that become events; the rest are only counted. */
const MAX_REQUEST_ERROR_EVENTS = 10;

/** Shared by every connection of the process. */
export const replyBuffers = new BufferPool(32 * 1024 * 1024, 4 * 1024 * 1024 + P.SIMPLE_REPLY_LENGTH, P.SIMPLE_REPLY_LENGTH);

/** Reads exactly `length` bytes at `position`, or fails (EOF included: the file shrank). */
function readFully(fd: number, buf: Buffer, at: number, length: number, position: number, done: (error: Error | null) => void): void {
  read(fd, buf, at, length, position, (error, n) => {
    if (error) done(error);
    else if (n === length) done(null);
    else if (n === 0) done(new Error(`the image ended at byte ${position}: it shrank while being served`));
    else readFully(fd, buf, at + n, length - n, position + n, done);
  });
}

/**
 * One client, from its first byte to its last: the fixed newstyle handshake,
 * then transmission. Requests are served concurrently as they arrive
 * (pipelined clients such as nbdcopy and the kernel keep many in flight) and
 * answered as each read completes, straight from a buffer that holds the
 * reply header and the file data. Memory is bounded: above `maxBuffered`
 * bytes in flight the socket stops being read until replies drain.
 */
export class NbdConnection {
  readonly id: number;
  readonly remote: string;
  private readonly queue = new ByteQueue();
  private state: State = { kind: 'client-flags' };
  private noZeroes = false;
  private options = 0;
  private handle: ExportHandle | undefined;
  private exportName = '';
  private readonly started = Date.now();
  private closed = false;
  private paused = false;
  private peerEnded = false;
  private socketError: string | undefined;
  // Transmission accounting.
  private inflightOps = 0;
  private inflightBytes = 0;
  private streaming = false;
  private streamChain: Promise<void> = Promise.resolve();
  /** Reads parsed but not started yet (see startReads). */
  private batch: PendingRead[] = [];
  private batchBytes = 0;
  /** Replies that completed while a large one had the socket. */
  private held: { buf: Buffer; backing: Buffer | undefined }[] = [];
  private heldBytes = 0;
  private corked = false;
  private requests = 0;
  private reads = 0;
  /** Positioned reads of the file started (fewer than `reads` when consecutive ones shared one). */
  private readCalls = 0;
  private requestErrors = 0;
  private bytesSent = 0;
  private bytesReceived = 0;
  private drainedResolve: (() => void) | undefined;
  /** Settles when the socket is closed and no read is in flight (the file may then be closed). */
  readonly drained: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly table: ExportTable,
    private readonly settings: ConnectionSettings,
    private readonly emit: Emit,
    id: number,
  ) {
    this.id = id;
    this.remote = socket.remoteAddress ?? '?';
    this.drained = new Promise((resolve) => (this.drainedResolve = resolve));
    socket.setNoDelay(true);
    socket.setTimeout(settings.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.queue.push(chunk);
      this.pump();
    });
    socket.on('end', () => {
      this.peerEnded = true;
      this.pump();
    });
    socket.on('timeout', () => {
      const phase = this.handle ? `idle for ${this.settings.idleTimeoutMs} ms` : `no complete handshake in ${this.settings.handshakeTimeoutMs} ms`;
      this.report('timeout', `closing the connection from ${this.where()}: ${phase}`, 'warning');
      socket.destroy();
    });
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      this.socketError = code ?? error.message;
      // A client that resets instead of closing (nbd-client -l does) is ordinary: its disconnect event says so.
      if (!this.closed && code !== 'ECONNRESET' && code !== 'EPIPE') this.report('error', `connection from ${this.where()}: ${error.message}`, 'warning', { code });
    });
    socket.on('close', () => this.onClose());
    this.emit({ kind: 'connect', message: `NBD client connected from ${this.where()}`, node: this.remote, data: { connection: id, port: socket.remotePort } });
    this.write(P.encodeGreeting(HANDSHAKE_FLAGS));
  }

  /** Ends the connection now (server stop). */
  destroy(): void {
    this.socket.destroy();
  }

  private where(): string {
    return `${this.remote}:${this.socket.remotePort ?? '?'}`;
  }

  private report(kind: string, message: string, level: 'info' | 'warning' | 'error', data: Record<string, unknown> = {}): void {
    this.emit({ kind, message, level, node: this.remote, data: { connection: this.id, ...(this.handle ? { export: this.exportName } : {}), ...data } });
  }

  /** A broken promise of the protocol: say why, and hang up (the only safe answer once framing is lost). */
  private hangUp(reason: string): void {
    this.report('error', `NBD client ${this.where()}: ${reason}; disconnecting`, 'warning', { reason });
    this.state = { kind: 'closing' };
    this.queue.clear();
    this.socket.destroy();
  }

  private pump(): void {
    this.parse();
    this.startReads();
    if (this.peerEnded) this.endAfterPeer();
  }

  /**
   * The client half-closed: what it sent before is still answered (a client
   * may write its requests and shut down its side), then the connection ends.
   */
  private endAfterPeer(): void {
    if (this.closed) return;
    const kind = this.state.kind;
    if (kind === 'busy' || kind === 'closing') return; // an option is being answered / already ending
    if (kind === 'transmission' && this.queue.length >= P.REQUEST_LENGTH) return; // throttled: resumes later
    if (kind === 'transmission' || kind === 'write-data') {
      this.state = { kind: 'closing' };
      this.queue.clear();
      this.finishIfDone();
    } else this.socket.end();
  }

  private parse(): void {
    try {
      while (!this.closed) {
        const state = this.state;
        if (state.kind === 'transmission') {
          if (!this.nextRequest()) return;
        } else if (state.kind === 'client-flags') {
          if (this.queue.length < 4) return;
          const flags = P.decodeClientFlags(this.queue.take(4), HANDSHAKE_FLAGS);
          if (!flags.ok) return this.hangUp(flags.reason);
          this.noZeroes = flags.noZeroes;
          this.state = { kind: 'option-header' };
        } else if (state.kind === 'option-header') {
          if (this.queue.length < P.OPTION_HEADER_LENGTH) return;
          const header = P.decodeOptionHeader(this.queue.take(P.OPTION_HEADER_LENGTH));
          if (!header.ok) return this.hangUp(header.reason);
          if (++this.options > this.settings.maxOptions) return this.hangUp(`more than ${this.settings.maxOptions} options`);
          if (header.length > this.settings.maxOptionData) this.state = { kind: 'option-skip', option: header.option, remaining: header.length, total: header.length };
          else this.state = { kind: 'option-data', option: header.option, length: header.length };
        } else if (state.kind === 'option-data') {
          if (this.queue.length < state.length) return;
          const data = this.queue.take(state.length);
          this.state = { kind: 'busy' };
          this.handleOption(state.option, data).then(
            () => this.pump(),
            (error: unknown) => this.hangUp(`internal error answering ${P.optionName(state.option)}: ${String(error)}`),
          );
        } else if (state.kind === 'option-skip') {
          state.remaining -= this.queue.skip(state.remaining);
          if (state.remaining > 0) return;
          if (state.option === P.NBD_OPT_EXPORT_NAME) return this.hangUp(`export name of ${state.total} bytes (the limit is ${P.NBD_MAX_STRING})`);
          this.optionReply(state.option, P.NBD_REP_ERR_TOO_BIG, `option data of ${state.total} bytes is too large`);
          this.state = { kind: 'option-header' };
        } else if (state.kind === 'write-data') {
          state.remaining -= this.queue.skip(state.remaining);
          if (state.remaining > 0) return;
          this.state = { kind: 'transmission' };
          this.requestError(state.request, P.NBD_EPERM, 'write to a read-only export');
        } else return; // busy or closing: nothing to parse now
      }
    } catch (error) {
      this.hangUp(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- option haggling -----------------------------------------------------

  private optionReply(option: number, type: number, data: Uint8Array | string = Buffer.alloc(0)): void {
    this.write(P.encodeOptionReply(option, type, typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
  }

  private async handleOption(option: number, data: Buffer): Promise<void> {
    switch (option) {
      case P.NBD_OPT_EXPORT_NAME: {
        const name = P.decodeExportName(data);
        const config = name.ok ? this.table.resolve(name.name) : undefined;
        // This option cannot be answered with an error: the protocol's answer is to hang up.
        if (!name.ok) return this.hangUp(`NBD_OPT_EXPORT_NAME: ${name.reason}`);
        if (!config) return this.hangUp(`NBD_OPT_EXPORT_NAME: no export named "${name.name}" (exports: ${this.exportNames()})`);
        const handle = await this.open(config, name.name);
        if (!handle) return this.hangUp(`NBD_OPT_EXPORT_NAME: export "${name.name}" cannot be opened`);
        this.write(P.encodeExportNameReply(handle.size, TRANSMISSION_FLAGS, this.noZeroes));
        return this.startTransmission(handle, name.name, 'NBD_OPT_EXPORT_NAME');
      }
      case P.NBD_OPT_ABORT:
        this.optionReply(option, P.NBD_REP_ACK);
        this.state = { kind: 'closing' };
        this.socket.end();
        return;
      case P.NBD_OPT_LIST:
        if (data.length !== 0) return this.optionNext(option, P.NBD_REP_ERR_INVALID, 'NBD_OPT_LIST takes no data');
        for (const entry of this.table.list()) this.optionReply(option, P.NBD_REP_SERVER, P.encodeServerEntry(entry.name, entry.description));
        return this.optionNext(option, P.NBD_REP_ACK);
      case P.NBD_OPT_INFO:
      case P.NBD_OPT_GO:
        return this.info(option, data);
      default:
        // STARTTLS, STRUCTURED_REPLY, meta contexts, extended headers and
        // anything newer: the simple protocol is all this server speaks.
        return this.optionNext(option, P.NBD_REP_ERR_UNSUP, `${P.optionName(option)} is not supported by this server`);
    }
  }

  private optionNext(option: number, type: number, message?: string): void {
    this.optionReply(option, type, message);
    this.state = { kind: 'option-header' };
  }

  private exportNames(): string {
    return this.table.exports.map((e) => [e.name, ...(e.aliases ?? [])].join('/')).join(', ') || 'none';
  }

  private async open(config: NbdExportConfig, asked: string): Promise<ExportHandle | undefined> {
    try {
      return await this.table.acquire(config);
    } catch (error) {
      this.report('error', `NBD export "${asked}" (${config.file}) cannot be opened: ${error instanceof Error ? error.message : String(error)}`, 'error', { file: config.file });
      return undefined;
    }
  }

  private async info(option: number, data: Buffer): Promise<void> {
    const request = P.decodeInfoRequest(data);
    if (!request.ok) return this.optionNext(option, P.NBD_REP_ERR_INVALID, `${P.optionName(option)}: ${request.reason}`);
    const config = this.table.resolve(request.name);
    if (!config) {
      this.report('unknown-export', `NBD client ${this.where()} asked for export "${request.name}", which does not exist (exports: ${this.exportNames()})`, 'warning', { asked: request.name });
      return this.optionNext(option, P.NBD_REP_ERR_UNKNOWN, `no export named "${request.name}"; exports: ${this.exportNames()}`);
    }
    const handle = await this.open(config, request.name);
    if (!handle) return this.optionNext(option, P.NBD_REP_ERR_UNKNOWN, `export "${request.name}" cannot be opened on the server`);
    this.optionReply(option, P.NBD_REP_INFO, P.encodeInfoExport(handle.size, TRANSMISSION_FLAGS));
    // Sent whether asked for or not (the protocol allows it): clients then never exceed the maximum.
    this.optionReply(option, P.NBD_REP_INFO, P.encodeInfoBlockSize(1, 4096, this.settings.maxPayload));
    if (request.infos.includes(P.NBD_INFO_NAME)) this.optionReply(option, P.NBD_REP_INFO, P.encodeInfoString(P.NBD_INFO_NAME, config.name));
    if (request.infos.includes(P.NBD_INFO_DESCRIPTION) && config.description) this.optionReply(option, P.NBD_REP_INFO, P.encodeInfoString(P.NBD_INFO_DESCRIPTION, config.description));
    this.optionReply(option, P.NBD_REP_ACK);
    if (option === P.NBD_OPT_GO) return this.startTransmission(handle, request.name, 'NBD_OPT_GO');
    handle.release();
    this.state = { kind: 'option-header' };
  }

  private startTransmission(handle: ExportHandle, asked: string, how: string): void {
    if (this.closed) {
      handle.release();
      return;
    }
    this.handle = handle;
    this.exportName = handle.config.name;
    this.state = { kind: 'transmission' };
    this.socket.setTimeout(this.settings.idleTimeoutMs);
    this.emit({
      kind: 'export',
      message: `NBD client ${this.where()} chose export "${handle.config.name}"${asked !== handle.config.name ? ` (as "${asked}")` : ''}: ${handle.size} bytes, ${how}`,
      node: this.remote,
      data: { connection: this.id, export: handle.config.name, asked, file: handle.config.file, size: handle.size, via: how },
    });
  }

  // ---- transmission --------------------------------------------------------

  private buffered(): number {
    return this.inflightBytes + this.heldBytes + this.socket.writableLength;
  }

  /** Takes and starts one request; false when there is none yet, or too much is in flight. */
  private nextRequest(): boolean {
    if (this.queue.length < P.REQUEST_LENGTH) return false;
    if (this.buffered() > this.settings.maxBuffered) {
      if (!this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      return false;
    }
    const decoded = P.decodeRequest(this.queue.take(P.REQUEST_LENGTH));
    if (!decoded.ok) {
      this.hangUp(decoded.reason);
      return false;
    }
    const request = decoded.request;
    this.requests++;
    switch (request.type) {
      case P.NBD_CMD_READ:
        this.read(request);
        break;
      case P.NBD_CMD_WRITE:
        if (request.length > this.settings.maxPayload) {
          // Its data cannot be skipped safely: answer, then hang up.
          this.requestError(request, P.NBD_EINVAL, `write of ${request.length} bytes is over the ${this.settings.maxPayload}-byte limit`);
          this.state = { kind: 'closing' };
          this.socket.end();
          return false;
        }
        this.state = { kind: 'write-data', request, remaining: request.length };
        break;
      case P.NBD_CMD_DISC:
        this.state = { kind: 'closing' };
        this.queue.clear();
        this.finishIfDone();
        return false;
      case P.NBD_CMD_FLUSH:
        this.reply(P.encodeSimpleReply(0, request.handleHi, request.handleLo));
        break;
      case P.NBD_CMD_TRIM:
      case P.NBD_CMD_WRITE_ZEROES:
        this.requestError(request, P.NBD_EPERM, `${P.commandName(request.type)} on a read-only export`);
        break;
      default:
        this.requestError(request, P.NBD_EINVAL, `${P.commandName(request.type)} is not supported`);
    }
    return true;
  }

  private requestError(request: P.NbdRequest, error: number, why: string): void {
    this.reply(P.encodeSimpleReply(error, request.handleHi, request.handleLo));
    if (++this.requestErrors <= MAX_REQUEST_ERROR_EVENTS) {
      this.report('request-error', `NBD client ${this.where()}: ${why} (answered ${error === P.NBD_EPERM ? 'EPERM' : error === P.NBD_EINVAL ? 'EINVAL' : `error ${error}`})`, 'warning', {
        command: P.commandName(request.type),
        offset: request.offset,
        length: request.length,
        error,
      });
    }
  }

  private read(request: P.NbdRequest): void {
    const handle = this.handle!;
    const { offset, length } = request;
    if (length === 0) return this.requestError(request, P.NBD_EINVAL, 'read of 0 bytes');
    if (length > this.settings.maxPayload) return this.requestError(request, P.NBD_EINVAL, `read of ${length} bytes is over the ${this.settings.maxPayload}-byte limit`);
    if (offset + length > handle.size) return this.requestError(request, P.NBD_EINVAL, `read of ${length} bytes at ${offset} is past the end of the ${handle.size}-byte export`);
    this.reads++;
    if (length > this.settings.chunkSize) {
      this.inflightBytes += length;
      this.inflightOps++;
      this.streamChain = this.streamChain.then(() => this.stream(handle, request)).catch((error: unknown) => this.hangUp(`internal error in a large read: ${String(error)}`));
      return;
    }
    const backing = replyBuffers.take(P.SIMPLE_REPLY_LENGTH + length);
    const buf = backing.subarray(0, P.SIMPLE_REPLY_LENGTH + length);
    P.writeSimpleReplyHeader(buf, 0, 0, request.handleHi, request.handleLo);
    this.inflightBytes += length;
    this.inflightOps++;
    const last = this.batch[this.batch.length - 1];
    if (last && (last.request.offset + last.request.length !== offset || this.batchBytes + length > this.settings.chunkSize || this.batch.length >= MAX_READV_BUFFERS)) this.startReads();
    this.batch.push({ request, buf, backing });
    this.batchBytes += length;
  }

  /**
   * Starts the reads parsed so far. Requests for consecutive ranges (a
   * sequential reader's, the kernel's readahead) share one positioned
   * readv into their reply buffers: one trip to the thread pool instead of
   * one per request, which is most of what a small read costs.
   */
  private startReads(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const fd = this.handle!.fd;
    const first = batch[0]!.request;
    this.readCalls++;
    if (batch.length === 1) {
      readFully(fd, batch[0]!.buf, P.SIMPLE_REPLY_LENGTH, first.length, first.offset, (error) => this.readsDone(batch, error));
      return;
    }
    const total = batch.reduce((sum, r) => sum + r.request.length, 0);
    readv(fd, batch.map((r) => r.buf.subarray(P.SIMPLE_REPLY_LENGTH)), first.offset, (error, n) => {
      if (!error && n === total) return this.readsDone(batch, null);
      // A short read (the file shrank, or the kernel stopped early): each on its own, so each gets its own answer.
      for (const r of batch) readFully(fd, r.buf, P.SIMPLE_REPLY_LENGTH, r.request.length, r.request.offset, (e) => this.readsDone([r], e));
    });
  }

  private readsDone(batch: readonly PendingRead[], error: Error | null): void {
    for (const { request, buf, backing } of batch) {
      this.inflightBytes -= request.length;
      this.inflightOps--;
      if (this.closed) continue;
      if (error) {
        replyBuffers.give(backing);
        this.readFailed(request, error);
      } else this.reply(buf, backing);
    }
    this.afterCompletion();
  }

  private readFailed(request: P.NbdRequest, error: Error): void {
    this.reply(P.encodeSimpleReply(P.NBD_EIO, request.handleHi, request.handleLo));
    this.report('error', `NBD read of ${request.length} bytes at ${request.offset} from "${this.exportName}" failed: ${error.message} (answered EIO)`, 'error', { offset: request.offset, length: request.length });
  }

  /**
   * A read larger than one chunk: the header and the first piece, then each
   * next piece, with the socket to itself (other replies wait in `held`, so
   * none lands inside this one's data).
   */
  private async stream(handle: ExportHandle, request: P.NbdRequest): Promise<void> {
    const chunk = this.settings.chunkSize;
    this.streaming = true;
    try {
      for (let done = 0; done < request.length && !this.closed; ) {
        const n = Math.min(chunk, request.length - done);
        const head = done === 0 ? P.SIMPLE_REPLY_LENGTH : 0;
        const buf = Buffer.allocUnsafe(head + n);
        if (head) P.writeSimpleReplyHeader(buf, 0, 0, request.handleHi, request.handleLo);
        const error = await new Promise<Error | null>((resolve) => readFully(handle.fd, buf, head, n, request.offset + done, resolve));
        if (this.closed) return;
        if (error && done === 0) return this.readFailed(request, error);
        // The header already promised the data: the only honest way out is to hang up.
        if (error) return this.hangUp(`read failed ${done} bytes into a ${request.length}-byte reply: ${error.message}`);
        this.write(buf);
        done += n;
        if (this.socket.writableLength > 2 * chunk) await this.drainOrClose();
      }
    } finally {
      this.inflightBytes -= request.length;
      this.inflightOps--;
      this.streaming = false;
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      if (!this.closed) for (const { buf, backing } of held) this.write(buf, backing);
      this.afterCompletion();
    }
  }

  private drainOrClose(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** `backing`: the pool buffer `buf` is part of, given back once written. */
  private reply(buf: Buffer, backing?: Buffer): void {
    if (this.streaming) {
      this.held.push({ buf, backing });
      this.heldBytes += buf.length;
    } else this.write(buf, backing);
  }

  /**
   * Writes, corked until the event loop's next turn: the replies of all the
   * reads that completed together leave in one writev.
   */
  private write(buf: Buffer, backing?: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.bytesSent += buf.length;
    if (backing) this.socket.write(buf, () => replyBuffers.give(backing));
    else this.socket.write(buf);
  }

  private afterCompletion(): void {
    if (this.closed) {
      if (this.inflightOps === 0) this.releaseFile();
      return;
    }
    this.finishIfDone();
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.closed || this.state.kind === 'closing') return;
    if (this.paused && this.buffered() <= this.settings.maxBuffered) {
      this.paused = false;
      this.socket.resume();
    }
    if (this.state.kind === 'transmission' && this.queue.length >= P.REQUEST_LENGTH) this.pump();
  }

  /** After NBD_CMD_DISC: close once every reply is out. */
  private finishIfDone(): void {
    if (this.state.kind === 'closing' && this.handle && this.inflightOps === 0 && !this.streaming) this.socket.end();
  }

  private releaseFile(): void {
    this.handle?.release();
    this.drainedResolve?.();
    this.drainedResolve = undefined;
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.held = [];
    this.heldBytes = 0;
    const seconds = (Date.now() - this.started) / 1000;
    this.emit({
      kind: 'disconnect',
      message: `NBD client ${this.where()} disconnected${this.handle ? ` from "${this.exportName}"` : ' during the handshake'}: ${this.requests} requests, ${this.bytesSent} bytes sent in ${seconds.toFixed(1)} s`,
      node: this.remote,
      data: {
        connection: this.id,
        export: this.handle ? this.exportName : undefined,
        requests: this.requests,
        reads: this.reads,
        readCalls: this.readCalls,
        requestErrors: this.requestErrors,
        bytesSent: this.bytesSent,
        bytesReceived: this.bytesReceived,
        seconds,
        ...(this.socketError ? { socketError: this.socketError } : {}),
      },
    });
    if (this.inflightOps === 0) this.releaseFile();
  }
}
