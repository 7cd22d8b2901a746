import { connect, type Socket } from 'node:net';

/**
 * A small client for QEMU's machine protocol (QMP) on a unix socket: one
 * command at a time, answers matched in order, asynchronous events ignored
 * except through `onEvent`.
 */
export class QmpClient {
  private buffer = '';
  private readonly pending: { resolve(value: unknown): void; reject(error: Error): void }[] = [];
  private greeted!: () => void;
  private readonly greeting = new Promise<void>((resolve) => (this.greeted = resolve));

  private constructor(
    private readonly socket: Socket,
    private readonly onEvent: (name: string, data: unknown) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => this.failAll(new Error('QMP connection closed')));
    socket.on('error', (error) => this.failAll(error));
  }

  static async connect(path: string, onEvent: (name: string, data: unknown) => void = () => {}): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const client = new QmpClient(socket, onEvent);
    await client.greeting;
    await client.execute('qmp_capabilities');
    return client;
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      let message: { QMP?: unknown; return?: unknown; error?: { desc?: string }; event?: string; data?: unknown };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        continue;
      }
      if (message.QMP) this.greeted();
      else if (message.event) this.onEvent(message.event, message.data);
      else if ('return' in message) this.pending.shift()?.resolve(message.return);
      else if (message.error) this.pending.shift()?.reject(new Error(`QMP: ${message.error.desc ?? 'error'}`));
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}
