import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BootOutcome } from '../../../client/src/commands/bootFarm';
import { netbootFarm } from '../support/editor';

// The refusal itself is tested in ../untrusted/, a run with Workspace Trust on
// and the folder not trusted. This is the other half: trusted, it goes ahead.
describe('Workspace Trust, trusted workspace', () => {
  // The boot really starts: stop it rather than leave a VM running beside the other suites.
  after(() => vscode.commands.executeCommand('netbootFarm.stopFarm'));
  it('booting is not refused in a trusted workspace', async () => {
    const ctx = await netbootFarm();
    assert.equal(vscode.workspace.isTrusted, true);
    const outcome = await vscode.commands.executeCommand<BootOutcome>('netbootFarm.bootFarm');
    assert.equal(outcome, ctx.preview ? 'started' : 'no-preview');
  });
});
