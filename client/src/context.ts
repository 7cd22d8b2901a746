import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SETTINGS_SECTION } from '../../server/src/protocol';
import { StatusItem } from './statusBar';

/**
 * Languages the server checks; `dockerfile` and `yaml` are VS Code's own. In
 * YAML the server only speaks up about Kubernetes manifests: netboot checks
 * and the configs embedded in ConfigMaps.
 */
export const LANGUAGES = ['ltsconf', 'ltspconf', 'dhcpd', 'dockerfile', 'yaml'];

export const SHOW_OUTPUT_COMMAND = 'netbootFarm.showOutput';

/** A command handler made from the context; see commands/. */
export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

/**
 * What the extension owns while it is active: the language client, the
 * output channel, the status item, and every disposable. Commands get it
 * from their factory and never keep state of their own.
 */
export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  /** The boot preview, when that feature is registered; `netbootFarm.bootFarm` hands over to it. */
  preview: { boot(folder: vscode.Uri): Promise<void> } | undefined;
  readonly status: StatusItem;
  private languageClient: LanguageClient | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Netboot Farm', { log: true });
    this.status = new StatusItem(SHOW_OUTPUT_COMMAND);
    this.push(this.output, this.status);
  }

  /** The machine settings the CLI reads from its environment (server/src/host/cacheRoot.ts, farm/image/hostTools.ts). */
  cliSettingsEnv(): Record<string, string> {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const env: Record<string, string> = {};
    const cacheDir = config.get<string>('cacheDir');
    if (cacheDir) env.NETBOOT_FARM_CACHE = cacheDir;
    const qemuPath = config.get<string>('preview.qemuPath');
    if (qemuPath) env.NETBOOT_FARM_QEMU = qemuPath;
    return env;
  }

  /** The running language client, or undefined before start and after a failed start. */
  get client(): LanguageClient | undefined {
    return this.languageClient;
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  registerCommand(id: string, factory: CommandFactory): void {
    this.push(vscode.commands.registerCommand(id, factory(this)));
  }

  async start(): Promise<void> {
    if (!this.languageClient) {
      this.languageClient = this.createClient();
      this.push(this.languageClient.onDidChangeState((e) => this.status.setServer(e.newState)));
    }
    await this.languageClient.start();
  }

  async restart(): Promise<void> {
    this.output.info('restarting the language server');
    if (this.languageClient?.isRunning()) await this.languageClient.restart();
    else await this.start();
  }

  private createClient(): LanguageClient {
    const module = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.map((language) => ({ language })),
      synchronize: { configurationSection: SETTINGS_SECTION },
      // The server's log (connection.console) and, with netbootFarm.trace.server, the protocol trace.
      outputChannel: this.output,
      traceOutputChannel: this.output,
    };
    return new LanguageClient(SETTINGS_SECTION, 'Netboot Farm', serverOptions, clientOptions);
  }

  async dispose(): Promise<void> {
    const client = this.languageClient;
    this.languageClient = undefined;
    await client?.stop().catch(() => undefined);
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
