import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import ltsCatalog from '../../../schemas/lts-conf.json';
import { marked } from '../../support/markers';
import { codeOf, netbootFarm, openFile, waitForDiagnostics } from '../support/editor';

const variable = (name: string) => ltsCatalog.variables.find((v) => v.name === name)!;

describe('completion, hover, quick fixes, formatting', () => {
  before(() => netbootFarm());

  it('completion offers the catalog variables in lts.conf', async () => {
    const { text, cursor } = marked('[Default]\nLDM_LAN$0\n');
    const editor = await openFile('features/complete/lts.conf', text);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(cursor!.line, cursor!.character));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('LDM_LANGUAGE'), labels.slice(0, 20).join(', '));
    assert.ok(labels.length >= 50, `only ${labels.length} items`);
  });

  it("hover shows the catalog's documentation of a variable", async () => {
    const { text, cursor } = marked('[Default]\nCONFIGURE_FS$0TAB = False\n');
    const editor = await openFile('features/hover/lts.conf', text);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(cursor!.line, cursor!.character));
    const shown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    const doc = variable('CONFIGURE_FSTAB').doc;
    assert.ok(shown.includes(doc.slice(0, 60)), `hover was:\n${shown}`);
  });

  it('the did-you-mean quick fix renames an unknown variable, and the problem goes away', async () => {
    const editor = await openFile('features/fix/lts.conf', '[Default]\nLDM_LENGUAGE = de_DE.UTF-8\n');
    const uri = editor.document.uri;
    const [problem] = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'LTS010'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, problem!.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change to LDM_LANGUAGE');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(editor.document.getText(), '[Default]\nLDM_LANGUAGE = de_DE.UTF-8\n');
    await waitForDiagnostics(uri, (d) => !d.some((x) => codeOf(x) === 'LTS010'));
  });

  it('Format Document aligns lts.conf per section without changing a value', async () => {
    const editor = await openFile('features/format/lts.conf', '[Default]\nSCREEN_07=ldm   \nKEEP_SYSTEM_SERVICES    =   "ssh  cron"\n[pc01]\n  LIKE = Default\n');
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', editor.document.uri, { tabSize: 2, insertSpaces: true });
    assert.ok(edits.length > 0);
    const edit = new vscode.WorkspaceEdit();
    edit.set(editor.document.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(editor.document.getText(), '[Default]\nSCREEN_07            = ldm\nKEEP_SYSTEM_SERVICES = "ssh  cron"\n[pc01]\nLIKE = Default\n');
  });
});
