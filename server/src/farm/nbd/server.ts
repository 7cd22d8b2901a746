import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { FarmEvent, FarmEventSink } from '../events';
import { NbdConnection, type ConnectionSettings } from './connection';
import { ExportTable, type NbdExportConfig } from './exports';
import { NBD_DEFAULT_PORT } from './protocol';

export interface NbdServerOptions {
  /** The address to bind: the private network's, or 127.0.0.1. Never a wildcard by default. */
  readonly address: string;
  /** 10809 (the IANA port) unless given; 0 picks a free one (tests). */
  readonly port?: number;
  readonly exports: readonly NbdExportConfig[];
  readonly events?: FarmEventSink;
  /**
   * A connection that is silent both ways this long is closed (default one
   * hour). A booted client whose page cache holds what it needs reads
   * nothing for long spells, and the kernel's NBD client does not reconnect:
   * keep this long. Dead peers are found sooner by TCP keepalive.
   */
  readonly idleTimeoutMs?: number;
  /** Time allowed for the handshake (default 30 s). */
  readonly handshakeTimeoutMs?: number;
  /**
   * TCP keepalive probes start after this much silence (default 15 s) and,
   * unanswered, close the connection some ten seconds later: how a
   * powered-off VM's half-open connection goes away.
   */
  readonly keepAliveMs?: number;
  /** Largest request, advertised as NBD_INFO_BLOCK_SIZE's maximum (default 32 MiB, what clients assume). */
  readonly maxPayload?: number;
  /** Per-connection bytes in flight before requests stop being read (default 16 MiB). */
  readonly maxBufferedPerConnection?: number;
}

export interface NbdServerAddress {
  readonly address: string;
  readonly port: number;
}

const MiB = 1024 * 1024;

/**
 * The farm's NBD server: read-only exports of image files over the fixed
 * newstyle protocol, to any number of clients (one dead client never blocks
 * the next: a powered-off VM's connection only costs a socket until
 * keepalive or the idle timeout ends it).
 */
export class NbdServer {
  private readonly table: ExportTable;
  private readonly settings: ConnectionSettings;
  private readonly connections = new Set<NbdConnection>();
  private server: Server | undefined;
  private nextId = 1;
  private bound: NbdServerAddress | undefined;

  constructor(private readonly options: NbdServerOptions) {
    this.table = new ExportTable(options.exports);
    this.settings = {
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 3_600_000,
      maxPayload: options.maxPayload ?? 32 * MiB,
      chunkSize: MiB,
      maxBuffered: options.maxBufferedPerConnection ?? 16 * MiB,
      maxOptions: 1024,
      maxOptionData: 16 * 1024,
    };
  }

  get address(): NbdServerAddress | undefined {
    return this.bound;
  }

  /** The number of open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  private emit(event: Omit<FarmEvent, 'time' | 'layer'>): void {
    try {
      this.options.events?.({ time: Date.now(), layer: 'nbd', ...event });
    } catch {
      // A failing listener must not take the server down.
    }
  }

  async start(): Promise<NbdServerAddress> {
    if (this.server) throw new Error('the NBD server is already started');
    const server = createServer({ allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: this.options.keepAliveMs ?? 15_000 });
    server.on('connection', (socket: Socket) => this.accept(socket));
    server.on('error', (error) => this.emit({ kind: 'error', level: 'error', message: `NBD server: ${error.message}` }));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        this.server = undefined;
        reject(new Error(`the NBD server cannot listen on ${this.options.address}:${this.options.port ?? NBD_DEFAULT_PORT}: ${error.message}`));
      };
      server.once('error', failed);
      server.listen({ host: this.options.address, port: this.options.port ?? NBD_DEFAULT_PORT, exclusive: true }, () => {
        server.off('error', failed);
        resolve();
      });
    });
    const info = server.address() as AddressInfo;
    this.bound = { address: info.address, port: info.port };
    this.emit({
      kind: 'listening',
      message: `NBD server on ${info.address}:${info.port}: ${this.table.list().map((e) => `"${e.name}"`).join(', ')}`,
      data: { address: info.address, port: info.port, exports: this.options.exports.map((e) => ({ name: e.name, aliases: e.aliases ?? [], file: e.file })) },
    });
    return this.bound;
  }

  private accept(socket: Socket): void {
    socket.setKeepAlive(true, this.options.keepAliveMs ?? 15_000);
    const connection = new NbdConnection(socket, this.table, this.settings, (event) => this.emit(event), this.nextId++);
    this.connections.add(connection);
    // Kept until its last read is done, so that stop() closes no file under one.
    void connection.drained.then(() => this.connections.delete(connection));
  }

  /** Stops listening, closes every connection and, once no read is in flight, every file. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const open = [...this.connections];
    for (const connection of open) connection.destroy();
    await Promise.all([closed, ...open.map((c) => c.drained)]);
    this.table.closeAll();
    this.emit({ kind: 'stopped', message: 'NBD server stopped' });
    this.bound = undefined;
  }
}
