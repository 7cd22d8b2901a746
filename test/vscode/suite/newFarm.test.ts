import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { NewFarmResult } from '../../../client/src/commands/newFarm';
import { assertNoDiagnostics, netbootFarm, workspaceFolder } from '../support/editor';
import { screenshot } from '../support/screenshot';

/** Files under a folder, relative, without dot files (as the command copies them). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)).map((f) => join(name, f)) : [name]))
    .sort();
}

/** For each language a line that must be flagged, to prove the server looked (see assertNoDiagnostics). */
const BROKEN_LINE: Record<string, [string, string]> = {
  ltsconf: ['LDM_LENGUAGE = x', 'LTS010'],
  ltspconf: ['HOSTNAM=x', 'LTSP007'],
  dhcpd: ['bogus-thing 1;', 'DHCP006'],
  dockerfile: ['RUNN true', 'DKR001'],
};

describe('New farm from template', () => {
  let result: NewFarmResult;
  let folder: vscode.Uri;
  let template: string;

  before(async () => {
    const ctx = await netbootFarm();
    template = join(ctx.extension.extensionPath, 'examples', 'farm');
    folder = vscode.Uri.joinPath(workspaceFolder(), 'new-farm');
    const written = await vscode.commands.executeCommand<NewFarmResult>('netbootFarm.newFarm', folder);
    assert.ok(written);
    result = written;
  });

  it('writes every file of examples/farm, byte for byte', () => {
    const expected = filesUnder(template);
    assert.ok(['lts.conf', 'ltsp.conf', 'dhcpd.conf', 'Dockerfile'].every((f) => expected.includes(f)), expected.join(', '));
    assert.deepEqual(result.written.map((u) => relative(folder.fsPath, u.fsPath)).sort(), expected);
    for (const file of expected) {
      assert.equal(readFileSync(join(folder.fsPath, file), 'utf8'), readFileSync(join(template, file), 'utf8'), file);
      assert.equal(statSync(join(folder.fsPath, file)).mode & 0o111, statSync(join(template, file)).mode & 0o111, `${file}: executable bits`);
    }
  });

  it('the files it writes have no problems', async function () {
    // Two round trips through the server per file.
    this.timeout(120_000);
    let checked = 0;
    for (const uri of result.written) {
      const document = await vscode.workspace.openTextDocument(uri);
      const broken = BROKEN_LINE[document.languageId];
      if (!broken) continue;
      await assertNoDiagnostics(document, ...broken);
      checked++;
    }
    assert.ok(checked >= 4, `checked ${checked} files`);
    await screenshot('new-farm');
  });

  it('a second run keeps the files that exist and says so', async () => {
    const again = await vscode.commands.executeCommand<NewFarmResult>('netbootFarm.newFarm', folder);
    assert.deepEqual(again?.written, []);
    assert.equal(again?.kept.length, result.written.length);
  });
});
