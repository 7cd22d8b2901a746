import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { EXTENSION_ID, netbootFarm, openFile, waitForDiagnostics } from '../support/editor';
import { screenshot } from '../support/screenshot';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    walkthroughs: { steps: { description: string; completionEvents?: string[] }[] }[];
  };
}

function manifest(): Manifest {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension);
  return JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8')) as Manifest;
}

// Mocha loads every test file before it runs any test, so this is the state
// before any test opened a file, whatever order the files run in.
const activeBeforeAnyTest = vscode.extensions.getExtension(EXTENSION_ID)?.isActive;

describe('activation', () => {
  it('waits for a farm file: an empty workspace does not activate the extension', () => {
    assert.equal(activeBeforeAnyTest, false);
  });

  it('opening an lts.conf activates it and starts the language server', async () => {
    const editor = await openFile('activation/lts.conf', '[Default]\nSCREEN_07 = ldm\n');
    assert.equal(editor.document.languageId, 'ltsconf');
    const ctx = await netbootFarm();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(ctx.client?.state, State.Running);
    assert.equal(ctx.status.serverState, State.Running);
    assert.match(ctx.status.text, /\$\(check\) Netboot Farm/);
  });

  it('registers every command package.json contributes', async () => {
    await netbootFarm();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest().contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  it("the walkthrough's links and completion events name registered commands", async () => {
    await netbootFarm();
    const registered = new Set(await vscode.commands.getCommands(true));
    const named = manifest().contributes.walkthroughs.flatMap((w) =>
      w.steps.flatMap((s) => [...[...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]!), ...(s.completionEvents ?? []).map((e) => e.replace(/^onCommand:/, ''))]),
    );
    assert.ok(named.length >= 3, named.join(', '));
    assert.deepEqual(named.filter((c) => !registered.has(c)), []);
  });

  it('the walkthrough opens', async () => {
    await netbootFarm();
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#gettingStarted`, false);
    await screenshot('walkthrough');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('the restart command restarts the server, which then checks files again', async () => {
    const ctx = await netbootFarm();
    const states: State[] = [];
    const listener = ctx.client!.onDidChangeState((e) => states.push(e.newState));
    try {
      await vscode.commands.executeCommand('netbootFarm.restartServer');
    } finally {
      listener.dispose();
    }
    assert.deepEqual(states.slice(-1), [State.Running]);
    assert.ok(states.includes(State.Stopped), `states seen: ${states.join(', ')}`);
    const editor = await openFile('activation/after-restart.lts.conf', 'SCREEN_07 = ldm\n');
    await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => x.code === 'LTS001'));
  });
});
