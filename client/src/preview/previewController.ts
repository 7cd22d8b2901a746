import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { farmSummary } from './farmSummary';
import type { FromPage, PanelReport, SessionInfo } from './panelMessages';
import { PreviewPanel } from './previewPanel';
import { PreviewSession, type BootOptions, type SessionEnd } from './previewSession';

export const PREVIEW_STATE_COMMAND = 'netbootFarm.preview.state';
export const PREVIEW_CLICK_COMMAND = 'netbootFarm.preview.click';
export const PREVIEW_STOP_COMMAND = 'netbootFarm.stopFarm';

/** What `netbootFarm.preview.state` returns: the page's own account, and the session behind it. */
export interface PreviewState {
  readonly page?: PanelReport;
  readonly session?: { readonly pid?: number; readonly running: boolean; readonly folder: string; readonly end?: SessionEnd };
  readonly statusBar: string;
}

/**
 * `ctx.preview`: runs one `netboot-farm preview` session at a time for a
 * folder and shows it in one panel. The session is the CLI's; this only
 * starts it, relays its outputs to the page and the page's buttons to it,
 * keeps the status bar and the progress notification up to date, and stops
 * it when the panel closes or the extension deactivates.
 */
export class PreviewController implements vscode.Disposable {
  private session: PreviewSession | undefined;
  private panel: PreviewPanel | undefined;
  private folder: string | undefined;
  private end: SessionEnd | undefined;
  /** What the next boot asks for: the page's choices, kept across sessions. */
  private options: BootOptions = {};

  constructor(private readonly ctx: Ctx) {}

  /** `netbootFarm.bootFarm` lands here, after its trust check. A running session is stopped first. */
  async boot(folder: vscode.Uri): Promise<void> {
    await this.stop();
    const dir = folder.fsPath;
    const options: BootOptions = { network: this.defaultNetwork(), ...this.options };
    this.folder = dir;
    this.end = undefined;
    const panel = this.showPanel(dir);
    const info = (phase: SessionInfo['phase'], extra: Partial<SessionInfo> = {}): SessionInfo => ({ phase, folder: dir, options, ...extra });
    panel.session(info('starting'));
    this.ctx.output.info(`preview: netboot-farm preview ${dir} ${JSON.stringify(options)}`);
    const session = PreviewSession.start(this.ctx, dir, options, (line) => this.ctx.output.info(line));
    this.session = session;
    this.ctx.status.setFarm('starting');

    let firstStatus: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstStatus = resolve));
    let progressMessage: (text: string) => void = () => undefined;
    session.onOutput((output) => {
      if (this.session !== session) return;
      this.panel?.output(output);
      if (output.type === 'status') {
        if (!this.end) this.ctx.status.setFarm(farmSummary(output.nodes));
        firstStatus();
      } else if (output.type === 'event') {
        const e = output.event;
        if (e.layer === 'build') progressMessage(e.message);
        // The output keeps the timeline as `netboot-farm boot` prints it; the consoles stay in the panel.
        if (!(e.layer === 'console' && e.kind === 'line')) {
          const line = `preview: ${e.layer} ${e.node ? `${e.node}: ` : ''}${e.message}`;
          if (e.level === 'error') this.ctx.output.error(line);
          else if (e.level === 'warning') this.ctx.output.warn(line);
          else this.ctx.output.info(line);
        }
      }
    });
    void session.ended.then((end) => {
      firstStatus();
      if (this.session !== session) return;
      this.end = end;
      this.ctx.status.setFarm(undefined);
      this.panel?.session(info('ended', { ok: end.ok, note: end.reason }));
      this.ctx.output.info(`preview ended: ${end.reason}`);
      if (!end.ok) void this.explainFailure(dir, end);
    });
    // The image may take minutes to prepare; the notification says what it is doing and can stop it.
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Netboot Farm: starting ${path.basename(dir)}`, cancellable: true },
      async (progress, cancel) => {
        progressMessage = (text) => progress.report({ message: text.length > 90 ? `${text.slice(0, 90)}…` : text });
        cancel.onCancellationRequested(() => void this.stop());
        await started;
      },
    );
    await started;
    if (this.session === session && session.running) panel.session(info('running'));
  }

  /** Powers the farm off and waits until the session process is gone. */
  async stop(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await session.stop();
  }

  /** For tests: what the page reports it shows, and the session's process. */
  async state(): Promise<PreviewState> {
    const session = this.session;
    const page = this.panel ? await this.panel.report() : undefined;
    return {
      ...(page ? { page } : {}),
      ...(session && this.folder ? { session: { ...(session.pid !== undefined ? { pid: session.pid } : {}), running: session.running, folder: this.folder, ...(this.end ? { end: this.end } : {}) } } : {}),
      statusBar: this.ctx.status.text,
    };
  }

  /** For tests: clicks a control in the page. */
  click(selector: string): Promise<{ found: boolean; text?: string }> {
    if (!this.panel) return Promise.resolve({ found: false });
    return this.panel.click(selector);
  }

  private showPanel(folder: string): PreviewPanel {
    const title = `Boot preview: ${path.basename(folder)}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal();
      return this.panel;
    }
    const panel = new PreviewPanel(
      this.ctx.extension.extensionUri,
      title,
      (message) => this.fromPage(message),
      () => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        // Nobody watches the VMs any more: power them off.
        void this.stop();
      },
    );
    this.panel = panel;
    return panel;
  }

  private fromPage(message: FromPage): void {
    if (message.type === 'command') {
      const session = this.session;
      if (!session?.running) return;
      session.send(message.request).catch((error: Error) => {
        // Screenshots are polled: a VM that is off or still starting answers "no" and the page tries again.
        if (message.request.command !== 'screenshot') void vscode.window.showWarningMessage(`Netboot Farm: ${message.request.command} failed: ${error.message}`);
      });
    } else if (message.type === 'boot') {
      this.options = sanitize(message.options);
      // Through the command, so that booting again passes the same Workspace Trust check.
      if (this.folder) void vscode.commands.executeCommand('netbootFarm.bootFarm', vscode.Uri.file(this.folder));
    } else if (message.type === 'stop') {
      void this.stop();
    }
  }

  private defaultNetwork(): BootOptions['network'] {
    const mode = vscode.workspace.getConfiguration('netbootFarm.preview').get<string>('networkMode');
    return mode === 'isolated' || mode === 'user' ? mode : 'auto';
  }

  private async explainFailure(folder: string, end: SessionEnd): Promise<void> {
    const actions: string[] = [];
    const example = 'Boot the Example Image';
    const build = 'Build Netboot Image';
    if (/--example-image/.test(end.reason)) actions.push(example, build);
    actions.push('Show Output');
    const choice = await vscode.window.showErrorMessage(`Netboot Farm: the boot preview stopped: ${end.reason}`, ...actions);
    if (choice === example) {
      this.options = { ...this.options, exampleImage: true };
      await vscode.commands.executeCommand('netbootFarm.bootFarm', vscode.Uri.file(folder));
    } else if (choice === build) {
      const dockerfile = vscode.Uri.file(path.join(folder, 'Dockerfile'));
      await vscode.window.showTextDocument(dockerfile);
      await vscode.commands.executeCommand('netbootFarm.buildImage');
    } else if (choice === 'Show Output') this.ctx.output.show();
  }

  dispose(): void {
    this.session?.dispose();
    this.session = undefined;
    this.panel?.dispose();
    this.panel = undefined;
  }
}

/** The page is another process's code: take only the values the CLI accepts. */
function sanitize(options: BootOptions): BootOptions {
  const firmware = (['bios', 'uefi', 'both'] as const).find((f) => f === options.firmware);
  const network = (['auto', 'isolated', 'user'] as const).find((n) => n === options.network);
  const nodes = Number.isInteger(options.nodes) && options.nodes! >= 1 && options.nodes! <= 32 ? options.nodes : undefined;
  return { ...(firmware ? { firmware } : {}), ...(network ? { network } : {}), ...(nodes !== undefined ? { nodes } : {}), ...(options.exampleImage === true ? { exampleImage: true } : {}) };
}

/** Registers the preview: `ctx.preview`, the stop command, and the test read-outs. */
export function registerPreview(ctx: Ctx): void {
  const controller = new PreviewController(ctx);
  ctx.preview = controller;
  ctx.push(
    controller,
    vscode.commands.registerCommand(PREVIEW_STOP_COMMAND, () => controller.stop()),
    vscode.commands.registerCommand(PREVIEW_STATE_COMMAND, () => controller.state()),
    vscode.commands.registerCommand(PREVIEW_CLICK_COMMAND, (selector: string) => controller.click(selector)),
  );
}
