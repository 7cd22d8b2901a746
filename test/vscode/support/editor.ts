import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Ctx } from '../../../client/src/context';

export const EXTENSION_ID = 'netboot-farm.netboot-farm';
export const SOURCE = 'netboot-farm';

/** The extension's context, activated. */
export async function netbootFarm(): Promise<Ctx> {
  const extension = vscode.extensions.getExtension<Ctx>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with a workspace folder open');
  return folder.uri;
}

/** Writes a file into the workspace and shows it in the editor. */
export async function openFile(relativePath: string, text: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.joinPath(workspaceFolder(), relativePath);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Waits until the document's Netboot Farm diagnostics satisfy `done`, and returns them. */
export async function waitForDiagnostics(uri: vscode.Uri, done: (d: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = ours(uri);
    if (done(now)) return now;
    if (Date.now() > deadline) {
      assert.fail(`diagnostics of ${uri.path} did not settle; last seen:\n${describe(now)}`);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        listener.dispose();
        resolve();
      }, 200);
      const listener = vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === uri.toString())) {
          clearTimeout(timer);
          listener.dispose();
          resolve();
        }
      });
    });
  }
}

export function describe(diagnostics: readonly vscode.Diagnostic[]): string {
  return diagnostics.map((d) => `${codeOf(d)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`).join('\n') || '(none)';
}

export function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

/** Plain { code, range } for deepEqual with the ranges from test/support/markers.ts. */
export function codesAndRanges(diagnostics: readonly vscode.Diagnostic[]): { code: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[] {
  return diagnostics.map((d) => ({
    code: codeOf(d),
    range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } },
  }));
}

/**
 * Proves that a document has no Netboot Farm diagnostics at all: appends a
 * line the server must flag, waits for that diagnostic (so the server has
 * certainly seen this document), takes the line out again, and waits for the
 * list to be empty. Without the round trip, "no diagnostics yet" and "no
 * problems" would look the same.
 */
export async function assertNoDiagnostics(document: vscode.TextDocument, brokenLine: string, brokenCode: string): Promise<void> {
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const end = document.lineAt(document.lineCount - 1).range.end;
  const prefix = document.lineAt(document.lineCount - 1).text === '' ? '' : '\n';
  const original = document.getText();
  assert.ok(await editor.edit((b) => b.insert(end, `${prefix}${brokenLine}\n`)));
  await waitForDiagnostics(document.uri, (d) => d.some((x) => codeOf(x) === brokenCode));
  assert.ok(await editor.edit((b) => b.delete(new vscode.Range(end, document.lineAt(document.lineCount - 1).range.end))));
  assert.equal(document.getText(), original);
  const left = await waitForDiagnostics(document.uri, (d) => !d.some((x) => codeOf(x) === brokenCode));
  assert.equal(describe(left), '(none)', `${document.uri.path} should have no problems`);
}
