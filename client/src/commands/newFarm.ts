import { chmod, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { CommandFactory } from '../context';

export interface NewFarmResult {
  readonly written: readonly vscode.Uri[];
  /** Files that were there already and were left alone. */
  readonly kept: readonly vscode.Uri[];
}

/** The packaged example farm: whatever examples/farm/ holds, as paths relative to it (dot files left out: .netboot/ holds build output). */
async function templateFiles(dir: vscode.Uri, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(dir, prefix))) {
    if (name.startsWith('.')) continue;
    if (type === vscode.FileType.Directory) out.push(...(await templateFiles(dir, `${prefix}${name}/`)));
    else if (type === vscode.FileType.File) out.push(`${prefix}${name}`);
  }
  return out.sort();
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create the farm here' });
  return picked?.[0];
}

/** The template's scripts stay executable; workspace.fs has no modes, so this only works on local files. */
async function keepExecutable(source: vscode.Uri, destination: vscode.Uri): Promise<void> {
  if (source.scheme !== 'file' || destination.scheme !== 'file') return;
  const { mode } = await stat(source.fsPath);
  if (mode & 0o111) await chmod(destination.fsPath, mode & 0o777);
}

const exists = (uri: vscode.Uri) => vscode.workspace.fs.stat(uri).then(() => true, () => false);

/**
 * "New farm from template": writes the example lts.conf, ltsp.conf,
 * dhcpd.conf and Dockerfile into a folder (the first workspace folder unless
 * one is given) and opens lts.conf. It never overwrites: a file that exists
 * is kept and named in the message.
 */
export const newFarm: CommandFactory = (ctx) => async (folder?: vscode.Uri): Promise<NewFarmResult | undefined> => {
  const target = folder ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? (await pickFolder());
  if (!target) return undefined;
  const written: vscode.Uri[] = [];
  const kept: vscode.Uri[] = [];
  const template = vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples', 'farm');
  for (const file of await templateFiles(template)) {
    const destination = vscode.Uri.joinPath(target, file);
    if (await exists(destination)) {
      kept.push(destination);
      continue;
    }
    // writeFile creates missing parent folders.
    const source = vscode.Uri.joinPath(template, file);
    await vscode.workspace.fs.writeFile(destination, await vscode.workspace.fs.readFile(source));
    await keepExecutable(source, destination);
    written.push(destination);
  }
  const names = (uris: vscode.Uri[]) => uris.map((u) => u.path.slice(target.path.length + 1)).join(', ');
  ctx.output.info(`new farm in ${target.fsPath}: wrote ${names(written) || 'nothing'}${kept.length ? `; kept existing ${names(kept)}` : ''}`);
  if (kept.length) void vscode.window.showInformationMessage(`Kept your existing ${names(kept)}; wrote ${names(written) || 'nothing'}.`);
  const first = written.find((u) => u.path.endsWith('/lts.conf')) ?? written[0];
  if (first) await vscode.window.showTextDocument(first, { preview: false });
  return { written, kept };
};
