import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PreviewOutput } from '../../../server/src/farm/previewProtocol';
import { escapeHtml } from '../stageGraphHtml';
import type { FromPage, PanelReport, SessionInfo, ToPage } from './panelMessages';

/** Outputs wait this long to travel together: a booting kernel prints hundreds of lines a second. */
const BATCH_MS = 40;
/** How long the page has to answer a test read-out. */
const ANSWER_MS = 15_000;

type Answer = Extract<FromPage, { type: 'report' | 'clicked' }>;

/**
 * The boot preview's webview: one page (webview/main.ts, bundled to
 * dist/preview.js) showing a tab per VM with its console, screen and
 * timeline. The page may load only the extension's dist/ folder and run only
 * the script carrying this panel's nonce; xterm's own <style> elements get the
 * nonce too (see the page), so style-src needs no 'unsafe-inline'.
 */
export class PreviewPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  /** Messages for the page, held until it says it is ready (its script may still be loading). */
  private readonly queue: ToPage[] = [];
  private batch: PreviewOutput[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly answers = new Map<number, (answer: Answer) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    extensionUri: vscode.Uri,
    title: string,
    private readonly onMessage: (message: FromPage) => void,
    onClose: () => void,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel('netbootFarm.preview', title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      // Terminals keep their scrollback and the page its timeline while the tab is in the background.
      retainContextWhenHidden: true,
      localResourceRoots: [dist],
    });
    this.panel.webview.html = pageHtml(this.panel.webview, dist, title);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((message: FromPage) => this.receive(message)),
      this.panel.onDidDispose(() => {
        this.disposed = true;
        this.dispose();
        onClose();
      }),
    );
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  set title(title: string) {
    if (!this.disposed) this.panel.title = title;
  }

  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, false);
  }

  session(session: SessionInfo): void {
    this.flush();
    this.post({ type: 'session', session });
  }

  output(output: PreviewOutput): void {
    this.batch.push(output);
    this.batchTimer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** What the page reports it has rendered; for tests (netbootFarm.preview.state). */
  report(): Promise<PanelReport> {
    return this.ask<PanelReport>((id) => ({ type: 'report-request', id }), (a) => (a.type === 'report' ? a.report : undefined));
  }

  /** Clicks the page's element matching `selector` the way a user would; for tests. */
  click(selector: string): Promise<{ found: boolean; text?: string }> {
    return this.ask((id) => ({ type: 'click', id, selector }), (a) => (a.type === 'clicked' ? { found: a.found, ...(a.text !== undefined ? { text: a.text } : {}) } : undefined));
  }

  private ask<T>(message: (id: number) => ToPage, pick: (answer: Answer) => T | undefined): Promise<T> {
    this.flush();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.answers.delete(id);
        reject(new Error(`the preview page did not answer within ${ANSWER_MS / 1000} s`));
      }, ANSWER_MS);
      this.answers.set(id, (answer) => {
        clearTimeout(timer);
        const value = pick(answer);
        if (value === undefined) reject(new Error(`the preview page answered ${answer.type}`));
        else resolve(value);
      });
      this.post(message(id));
    });
  }

  private flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.batch.length === 0) return;
    const outputs = this.batch;
    this.batch = [];
    this.post({ type: 'outputs', outputs });
  }

  private post(message: ToPage): void {
    if (this.disposed) return;
    if (!this.ready) {
      this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private receive(message: FromPage): void {
    if (typeof message !== 'object' || message === null) return;
    if (message.type === 'ready') {
      this.ready = true;
      for (const queued of this.queue.splice(0)) void this.panel.webview.postMessage(queued);
      return;
    }
    if (message.type === 'report' || message.type === 'clicked') {
      const answer = this.answers.get(message.id);
      this.answers.delete(message.id);
      answer?.(message);
      return;
    }
    if (message.type === 'reveal') {
      void revealLine(message.file, message.line);
      return;
    }
    this.onMessage(message);
  }

  dispose(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    if (!this.disposed) {
      this.disposed = true;
      this.panel.dispose();
    }
  }
}

/** Opens the config file an event came from with its line selected (lines are 0-based, as in FarmEvent.origin). */
export async function revealLine(file: string, line: number): Promise<vscode.TextEditor | undefined> {
  if (!path.isAbsolute(file) || !Number.isInteger(line) || line < 0) return undefined;
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const at = document.lineAt(Math.min(line, document.lineCount - 1)).range;
    // Beside the panel, so that the timeline stays in view next to the line.
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, selection: at, preview: false });
    editor.revealRange(at, vscode.TextEditorRevealType.InCenter);
    return editor;
  } catch (error) {
    void vscode.window.showWarningMessage(`Cannot open ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function nonce(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function pageHtml(webview: vscode.Webview, dist: vscode.Uri, title: string): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'preview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'preview.css'));
  // Screenshots arrive as PNG bytes and are shown from data: URIs; nothing is fetched from anywhere.
  const csp = [`default-src 'none'`, `script-src 'nonce-${n}'`, `style-src ${webview.cspSource} 'nonce-${n}'`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${style}">
</head>
<body>
<div id="app"></div>
<script nonce="${n}" src="${script}"></script>
</body>
</html>
`;
}
