import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { BUILD_IMAGE_COMMAND, BUILD_STAGE_COMMAND, type BuildCommandArgs } from '../../server/src/lang/dockerfile/buildCommands';
import { EffectiveSettingsRequest, SETTINGS_SECTION, StageGraphRequest } from '../../server/src/protocol';
import { renderStageGraph } from './stageGraphHtml';

/** Languages the server checks; `dockerfile` is VS Code's built-in Dockerfile language. */
const LANGUAGES = ['ltsconf', 'ltspconf', 'dockerfile'];
/** Languages with per-client effective settings. */
const CONF_LANGUAGES = ['ltsconf', 'ltspconf'];

let client: LanguageClient | undefined;

function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ language })),
    synchronize: { configurationSection: SETTINGS_SECTION },
    outputChannel: output,
  };
  return new LanguageClient('netbootFarm', 'Netboot Farm', serverOptions, clientOptions);
}

/** Asks the server which settings one client gets, and shows them beside the file. */
async function showEffectiveSettings(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !CONF_LANGUAGES.includes(editor.document.languageId) || !client) {
    void vscode.window.showWarningMessage('Open an lts.conf or ltsp.conf first: effective settings are computed from the file in the editor.');
    return;
  }
  const input = await vscode.window.showInputBox({
    title: 'Show effective settings for a client',
    prompt: 'The client\'s MAC, IP and/or hostname, separated by spaces',
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
}

/** Draws the active Dockerfile's stage graph in a panel; clicking a stage opens its FROM line. */
async function showStageGraph(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
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
}

/**
 * The code lenses' build commands. Building runs docker, podman or buildah on
 * the workspace's Dockerfile, so an untrusted workspace may not. Until the
 * image-build tasks exist, they open the task picker.
 */
function buildCommand(what: 'stage' | 'image') {
  return async (args?: BuildCommandArgs): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      const target = what === 'stage' && args?.stage ? `stage ${args.stage}` : 'the image';
      void vscode.window.showWarningMessage(`Building ${target} runs a container builder on this workspace's Dockerfile, which an untrusted workspace may not do. Trust the workspace first (Workspaces: Manage Workspace Trust).`);
      return;
    }
    await vscode.commands.executeCommand('workbench.action.tasks.runTask');
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Netboot Farm', { log: true });
  client = createClient(context, output);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('netbootFarm.restartServer', async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand('netbootFarm.showEffectiveSettings', showEffectiveSettings),
    vscode.commands.registerCommand('netbootFarm.showStageGraph', showStageGraph),
    vscode.commands.registerCommand(BUILD_STAGE_COMMAND, buildCommand('stage')),
    vscode.commands.registerCommand(BUILD_IMAGE_COMMAND, buildCommand('image')),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
