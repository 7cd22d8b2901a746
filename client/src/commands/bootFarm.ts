import * as vscode from 'vscode';
import type { CommandFactory } from '../context';
import { requireTrust } from '../trust';

export type BootOutcome = 'refused-untrusted' | 'no-folder' | 'no-preview' | 'started';

/**
 * "Boot the farm": the walkthrough's last step. Booting serves the
 * workspace's files to VMs and runs their lts.conf commands, so it asks for
 * trust first; then it hands over to the preview (`ctx.preview`).
 */
export const bootFarm: CommandFactory = (ctx) => async (folder?: vscode.Uri): Promise<BootOutcome> => {
  if (!requireTrust({ action: 'Booting the farm', runs: "serves this workspace's files to VMs and runs its lts.conf commands in them" })) return 'refused-untrusted';
  const target = folder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!target) {
    void vscode.window.showWarningMessage('Open the folder with your farm (lts.conf, dhcpd.conf, Dockerfile) first.');
    return 'no-folder';
  }
  if (!ctx.preview) {
    void vscode.window.showWarningMessage('Booting needs the farm preview, which this build of Netboot Farm does not include.');
    return 'no-preview';
  }
  await ctx.preview.boot(target);
  return 'started';
};
