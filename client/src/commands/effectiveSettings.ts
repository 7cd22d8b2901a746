import * as path from 'node:path';
import * as vscode from 'vscode';
import { EffectiveSettingsRequest } from '../../../server/src/protocol';
import type { CommandFactory } from '../context';

const CONF_LANGUAGES = ['ltsconf', 'ltspconf'];

/** Asks the server which settings one client gets, and shows them beside the file. */
export const showEffectiveSettings: CommandFactory = (ctx) => async () => {
  const editor = vscode.window.activeTextEditor;
  const client = ctx.client;
  if (!editor || !CONF_LANGUAGES.includes(editor.document.languageId) || !client) {
    void vscode.window.showWarningMessage('Open an lts.conf or ltsp.conf first: effective settings are computed from the file in the editor.');
    return;
  }
  const input = await vscode.window.showInputBox({
    title: 'Show effective settings for a client',
    prompt: "The client's MAC, IP and/or hostname, separated by spaces",
    placeHolder: '52:54:00:12:34:56 192.168.67.20 pc01',
  });
  if (!input) return;
  const result = await client.sendRequest(EffectiveSettingsRequest.type, { uri: editor.document.uri.toString(), client: input });
  if (!result) return;
  const file = path.basename(editor.document.uri.fsPath);
  const lines = [
    `# Effective settings for ${input} from ${file}`,
    `# sections applied, in order: ${result.sections.map((s) => `[${s}]`).join(' ') || '(none)'}`,
    ...result.settings.map((s) => `${s.key}=${s.value}    # line ${s.range.start.line + 1}${s.section ? ` [${s.section}]` : ''}`),
  ];
  const doc = await vscode.workspace.openTextDocument({ content: lines.join('\n') + '\n', language: 'properties' });
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.Beside);
};
