import * as vscode from 'vscode';
import type { ExplainDhcpArgs } from '../../../server/src/lang/dhcpd/explainCommand';
import { runCli } from '../cliProcess';
import type { CommandFactory } from '../context';

/** The clients a netboot farm sees, as the firmware asks (option 93, and iPXE's user class). */
const CLIENTS = [
  { label: 'BIOS PXE', description: 'option 93 = 0', args: ['--arch', '0'] },
  { label: 'UEFI x64 PXE', description: 'option 93 = 7', args: ['--arch', '7'] },
  { label: 'iPXE (BIOS)', description: 'option 93 = 0, user-class "iPXE"', args: ['--arch', '0', '--user-class', 'iPXE'] },
  { label: 'iPXE (UEFI)', description: 'option 93 = 7, user-class "iPXE"', args: ['--arch', '7', '--user-class', 'iPXE'] },
];

const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;

/**
 * "Explain DHCP answer for...": what a client gets from a dhcpd.conf, as the
 * farm's DHCP server evaluates it (`netboot-farm dhcp explain`), shown as JSON
 * beside the config with the line of every value. It reads the file and runs
 * nothing of the workspace, so it needs no trust.
 */
export const explainDhcp: CommandFactory = (ctx) => async (args?: ExplainDhcpArgs, firmware?: string): Promise<unknown> => {
  const uri = args?.uri ? vscode.Uri.parse(args.uri) : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Open a dhcpd.conf first.');
    return undefined;
  }
  const mac =
    args?.mac ??
    (await vscode.window.showInputBox({
      title: 'Explain DHCP answer for...',
      prompt: "The client's MAC address",
      placeHolder: '52:54:00:00:00:01',
      validateInput: (v) => (MAC.test(v.trim()) ? undefined : 'A MAC address: six hex bytes separated by colons'),
    }));
  if (!mac) return undefined;
  // `firmware` (a label of CLIENTS) skips the question, for keybindings and tests.
  const client = CLIENTS.find((c) => c.label === firmware) ?? (await vscode.window.showQuickPick(CLIENTS, { title: `Explain DHCP answer for ${args?.host ?? mac.trim()}`, placeHolder: 'Which firmware asks?' }));
  if (!client) return undefined;
  // Save first: the CLI reads the file, and the user means what they see.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const result = await runCli(ctx, ['dhcp', 'explain', '--config', uri.fsPath, '--mac', mac.trim(), ...client.args], vscode.Uri.joinPath(uri, '..').fsPath);
  if (result.code === 2 || !result.stdout.trim()) {
    void vscode.window.showErrorMessage(result.stderr.trim() || `netboot-farm dhcp explain exited with ${result.code}`);
    return undefined;
  }
  const decision = JSON.parse(result.stdout) as { decision?: { kind?: string; reason?: string } };
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: result.stdout });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  if (decision.decision?.kind !== 'offer') void vscode.window.showWarningMessage(`No DHCP answer for ${mac.trim()} (${client.label}): ${decision.decision?.reason ?? 'see the explanation'}`);
  return decision;
};
