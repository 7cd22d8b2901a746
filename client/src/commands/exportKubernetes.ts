import * as vscode from 'vscode';
import { runCli } from '../cliProcess';
import type { CommandFactory } from '../context';

export interface ExportOutcome {
  readonly code: number | null;
  readonly file?: vscode.Uri;
  readonly message: string;
}

/**
 * "Export farm to Kubernetes": runs `netboot-farm k8s export` on the folder
 * and opens the manifests it wrote, where the Kubernetes checks run on them
 * like on any manifest. It only reads configs and writes one YAML file, so it
 * needs no trust. The user is asked for the image when none is given: a
 * local build exports files and pushes no image, so there is no tag to reuse.
 */
export const exportKubernetes: CommandFactory = (ctx) => async (folder?: vscode.Uri, image?: string): Promise<ExportOutcome | undefined> => {
  const target = folder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showWarningMessage('Open the folder with your farm (lts.conf or ltsp.conf) first.');
    return undefined;
  }
  const args = ['k8s', 'export', target.fsPath];
  let result = await runCli(ctx, image ? [...args, '--image', image] : args, target.fsPath);
  if (result.code !== 0 && /Pass --image/.test(result.stderr) && !image) {
    const asked = await vscode.window.showInputBox({
      title: 'Export farm to Kubernetes',
      prompt: 'Which LTSP server image should the cluster run (with its tag)?',
      placeHolder: 'registry.example.org/ltsp:2026.11',
      validateInput: (v) => (/^[^\s:]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(v.trim()) ? undefined : 'An image with its tag, e.g. registry.example.org/ltsp:1.0'),
    });
    if (!asked) return undefined;
    result = await runCli(ctx, [...args, '--image', asked.trim()], target.fsPath);
  }
  const message = (result.code === 0 ? result.stdout : result.stderr).trim();
  ctx.output.info(`k8s export: ${message}`);
  if (result.code !== 0) {
    void vscode.window.showErrorMessage(message.replace(/^netboot-farm k8s: /, ''));
    return { code: result.code, message };
  }
  const written = /^wrote (.+?): /m.exec(message)?.[1];
  const file = written ? vscode.Uri.file(written) : undefined;
  if (file) await vscode.window.showTextDocument(file, { preview: false });
  return { code: result.code, file, message };
};
