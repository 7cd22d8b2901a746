import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection } from 'vscode-languageserver/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import type { Diagnostic } from 'vscode-languageserver-types';
import { startServer, type ServerOptions } from '../../server/src/lsp/server';

/**
 * A minimal LSP client for tests and benchmarks: initialize, open and edit
 * documents, wait for the diagnostics of a given version.
 */
export class TestLspClient {
  private readonly waiters: { uri: string; version: number | undefined; resolve: (d: PublishDiagnosticsParams) => void }[] = [];
  readonly published: PublishDiagnosticsParams[] = [];

  constructor(
    readonly connection: MessageConnection,
    private readonly dispose: () => void,
    /** The server watches this process id and exits when it dies; in-process servers must not (their timer keeps the tests alive). */
    private readonly processId: number | null,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      for (const w of [...this.waiters]) {
        if (w.uri === params.uri && (w.version === undefined || params.version === w.version)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(params);
        }
      }
    });
    connection.onRequest('workspace/configuration', () => [{ diagnostics: { severity: { LTS024: 'off' } } }]);
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: this.processId,
      rootUri: null,
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  diagnostics(uri: string, version?: number): Promise<Diagnostic[]> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve: (p) => resolve(p.diagnostics) }));
  }

  open(uri: string, languageId: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest<T>(method, params);
  }

  async close(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      // An in-process server must not get `exit`: vscode-languageserver would end the test process.
      if (this.processId !== null) await this.connection.sendNotification('exit');
    } catch {
      // The server may already be gone; closing must still clean up.
    }
    this.connection.dispose();
    this.dispose();
  }
}

/** Server and client in one process, over two in-memory streams. */
export function inMemoryClient(options: ServerOptions = {}): TestLspClient {
  const up = new PassThrough();
  const down = new PassThrough();
  const serverConnection = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  startServer(serverConnection, options);
  const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  return new TestLspClient(
    client,
    () => {
      serverConnection.dispose();
      up.destroy();
      down.destroy();
    },
    null,
  );
}

/** The real bundled server (dist/server.js) over stdio, as other editors start it. */
export function stdioClient(serverPath: string): { client: TestLspClient; child: ChildProcess } {
  const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const client = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  return {
    child,
    client: new TestLspClient(
      client,
      () => {
        // Give the server a moment to exit on its own after `exit`; then make sure it is gone.
        if (child.exitCode !== null) return;
        const timer = setTimeout(() => child.kill(), 2000);
        child.once('exit', () => clearTimeout(timer));
      },
      process.pid,
    ),
  };
}
