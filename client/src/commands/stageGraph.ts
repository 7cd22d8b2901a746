import * as path from 'node:path';
import * as vscode from 'vscode';
import { StageGraphRequest } from '../../../server/src/protocol';
import type { CommandFactory } from '../context';
import { renderStageGraph } from '../stageGraphHtml';

/** Draws the active Dockerfile's stage graph in a panel; clicking a stage opens its FROM line. */
export const showStageGraph: CommandFactory = (ctx) => async () => {
  const editor = vscode.window.activeTextEditor;
  const client = ctx.client;
  if (!editor || editor.document.languageId !== 'dockerfile' || !client) {
    void vscode.window.showWarningMessage('Open a Dockerfile first: the stage graph is drawn from the file in the editor.');
    return;
  }
  const document = editor.document;
  const view = await client.sendRequest(StageGraphRequest.type, { uri: document.uri.toString() });
  if (!view) return;
  const title = `Stages of ${path.basename(document.uri.fsPath)}`;
  const panel = vscode.window.createWebviewPanel('netbootFarm.stageGraph', title, vscode.ViewColumn.Beside, { enableScripts: true, localResourceRoots: [] });
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  panel.webview.html = renderStageGraph(view, { nonce, cspSource: panel.webview.cspSource, title });
  panel.webview.onDidReceiveMessage(async (message: { command?: string; line?: number }) => {
    if (message.command !== 'reveal' || typeof message.line !== 'number') return;
    const shown = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const at = new vscode.Position(message.line, 0);
    shown.selection = new vscode.Selection(at, at);
    shown.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
  });
};
