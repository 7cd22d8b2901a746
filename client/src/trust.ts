import * as vscode from 'vscode';

/**
 * Workspace Trust, in one place. Checking files is safe anywhere (it reads
 * text), so the language server runs in untrusted folders too. Anything that
 * runs the workspace's content does not: a build runs the Dockerfile's RUN
 * lines as root in a container, a boot serves its files to VMs and runs its
 * lts.conf commands in them. Every such feature asks here first.
 */
export interface TrustCheck {
  /** What the user asked for, e.g. "Building the image". */
  readonly action: string;
  /** What it would run, e.g. "runs the Dockerfile's RUN steps with a container builder". */
  readonly runs: string;
}

/** The sentence shown when a workspace is untrusted; tests assert on it. */
export function refusalMessage(check: TrustCheck): string {
  return `${check.action} ${check.runs}, which an untrusted workspace may not do. Trust this workspace first (Workspaces: Manage Workspace Trust).`;
}

export const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * True when the workspace is trusted. Otherwise says why the action is
 * refused, offers the trust editor, and returns false.
 */
export function requireTrust(check: TrustCheck): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(refusalMessage(check), MANAGE_TRUST).then((choice) => {
    if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
