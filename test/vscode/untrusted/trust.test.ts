import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BootOutcome } from '../../../client/src/commands/bootFarm';
import type { BuildOutcome } from '../../../client/src/commands/build';
import { marked } from '../../support/markers';
import { codeOf, codesAndRanges, netbootFarm, openFile, waitForDiagnostics } from '../support/editor';
import { screenshot } from '../support/screenshot';

// This run opens its folder with Workspace Trust on and the folder never
// trusted (see scripts/vscode-host/runVSCodeTests.mjs).
describe('Workspace Trust, untrusted workspace', () => {
  it('the workspace really is untrusted, and the extension still activates', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    await netbootFarm();
  });

  it('checking files works untrusted', async () => {
    const { text, ranges } = marked('[Default]\n⟦LDM_LENGUAGE⟧ = de_DE.UTF-8\n');
    const editor = await openFile('untrusted/lts.conf', text);
    const got = await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => codeOf(x) === 'LTS010'));
    assert.deepEqual(codesAndRanges(got), [{ code: 'LTS010', range: ranges[0] }]);
  });

  it('building the image is refused', async () => {
    assert.equal(await vscode.commands.executeCommand<BuildOutcome>('netbootFarm.buildImage'), 'refused-untrusted');
    assert.equal(await vscode.commands.executeCommand<BuildOutcome>('netbootFarm.buildStage', { uri: 'file:///x/Dockerfile', stage: 'image' }), 'refused-untrusted');
    await screenshot('untrusted-build-refused');
  });

  it('booting the farm is refused', async () => {
    assert.equal(await vscode.commands.executeCommand<BootOutcome>('netbootFarm.bootFarm'), 'refused-untrusted');
  });
});
