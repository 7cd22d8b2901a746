import { connect, type Socket } from 'node:net';
import { ByteQueue } from './byteQueue';
import * as P from './protocol';

/** An NBD error reply, with the errno the server sent. */
export class NbdReplyError extends Error {
  constructor(readonly errno: number, what: string) {
    super(`${what}: the server answered error ${errno}`);
  }
}

interface Pending {
  readonly length: number;
  resolve(data: Buffer): void;
  reject(error: Error): void;
}

/**
 * A small NBD client (fixed newstyle, NBD_OPT_GO, simple replies, pipelined
 * reads): for tests that need to send what real clients will not, and for
 * simulated boot storms. Real clients (nbdcopy, nbdinfo, the kernel) are
 * what prove the server; this only drives it.
 */
export class NbdClient {
  private readonly queue = new ByteQueue();
  private readonly pending = new Map<number, Pending>();
  private nextHandle = 1;
  private current: { handle: number; pending: Pending } | undefined;
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;

  private constructor(
    readonly socket: Socket,
    private mode: 'handshake' | 'transmission',
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      if (this.mode === 'transmission') this.parseReplies();
      else this.waiter?.();
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
      this.waiter?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection')));
  }

  /** The export's size, from NBD_INFO_EXPORT. */
  size = 0;
  transmissionFlags = 0;
  blockSize: { minimum: number; preferred: number; maximum: number } | undefined;

  /** Connects and enters transmission with NBD_OPT_GO. */
  static async open(host: string, port: number, exportName: string): Promise<NbdClient> {
    const client = await NbdClient.handshake(host, port);
    const replies = await client.option(P.NBD_OPT_GO, P.encodeInfoRequest(exportName, [P.NBD_INFO_BLOCK_SIZE]));
    const last = replies[replies.length - 1];
    if (!last || last.type !== P.NBD_REP_ACK) {
      client.socket.destroy();
      throw new Error(`NBD_OPT_GO "${exportName}": ${last ? `${P.replyName(last.type)} ${last.data.toString('utf8')}` : 'no reply'}`);
    }
    for (const reply of replies) {
      if (reply.type !== P.NBD_REP_INFO) continue;
      const info = P.decodeInfo(reply.data);
      if (!info.ok) continue;
      if ('size' in info.info) {
        client.size = info.info.size;
        client.transmissionFlags = info.info.transmissionFlags;
      } else if ('maximum' in info.info) client.blockSize = info.info;
    }
    client.mode = 'transmission';
    client.parseReplies();
    return client;
  }

  /** Connects, reads the greeting and sends the client flags; the caller then sends options. */
  static async handshake(host: string, port: number): Promise<NbdClient> {
    const socket = connect({ host, port, noDelay: true });
    const client = new NbdClient(socket, 'handshake');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const greeting = P.decodeGreeting(await client.receive(P.GREETING_LENGTH));
    if (!greeting.ok) throw new Error(greeting.reason);
    socket.write(P.encodeClientFlags(P.NBD_FLAG_C_FIXED_NEWSTYLE | P.NBD_FLAG_C_NO_ZEROES));
    return client;
  }

  /** Sends one option and collects its replies up to the final one (ACK or an error). */
  async option(option: number, data?: Uint8Array): Promise<{ type: number; data: Buffer }[]> {
    this.socket.write(P.encodeOptionRequest(option, data));
    const replies: { type: number; data: Buffer }[] = [];
    for (;;) {
      const header = P.decodeOptionReplyHeader(await this.receive(P.OPTION_REPLY_HEADER_LENGTH));
      if (!header.ok) throw new Error(header.reason);
      const reply = { type: header.type, data: Buffer.from(await this.receive(header.length)) };
      replies.push(reply);
      if (reply.type === P.NBD_REP_ACK || P.isReplyError(reply.type)) return replies;
    }
  }

  /** The next `n` bytes of the handshake. */
  async receive(n: number): Promise<Buffer> {
    while (this.queue.length < n) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
    return this.queue.take(n);
  }

  read(offset: number, length: number): Promise<Buffer> {
    return this.request(P.NBD_CMD_READ, offset, length, length);
  }

  /** Any request; `replyData` is how many data bytes a successful reply carries, `payload` what follows the request (a WRITE's data). */
  request(type: number, offset: number, length: number, replyData = 0, payload?: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const handle = this.nextHandle++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(handle, { length: replyData, resolve, reject });
      this.socket.write(payload ? Buffer.concat([P.encodeRequest(type, handle, offset, length), payload]) : P.encodeRequest(type, handle, offset, length));
    });
  }

  /** NBD_CMD_DISC, then waits for the server to close. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    if (this.mode === 'transmission') this.socket.end(P.encodeRequest(P.NBD_CMD_DISC, 0, 0, 0));
    else this.socket.end();
    await closed;
  }

  private parseReplies(): void {
    for (;;) {
      if (!this.current) {
        if (this.queue.length < P.SIMPLE_REPLY_LENGTH) return;
        const reply = P.decodeSimpleReply(this.queue.take(P.SIMPLE_REPLY_LENGTH));
        const pending = reply.ok ? this.pending.get(reply.handle) : undefined;
        if (!reply.ok || !pending) {
          this.socket.destroy(new Error(reply.ok ? `reply for unknown handle ${reply.handle}` : reply.reason));
          return;
        }
        this.pending.delete(reply.handle);
        if (reply.error !== 0) {
          pending.reject(new NbdReplyError(reply.error, `request ${reply.handle}`));
          continue;
        }
        this.current = { handle: reply.handle, pending };
      }
      const { pending } = this.current;
      if (this.queue.length < pending.length) return;
      this.current = undefined;
      pending.resolve(Buffer.from(this.queue.take(pending.length)));
    }
  }
}
