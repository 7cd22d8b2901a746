import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExportOutcome } from '../../../client/src/commands/exportKubernetes';
import { marked } from '../../support/markers';
import { codeOf, codesAndRanges, describe as list, netbootFarm, openFile, ours, waitForDiagnostics, workspaceFolder } from '../support/editor';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ltsp
spec:
  selector:
    matchLabels: {app: ltsp}
  template:
    metadata:
      labels: {app: ltsp}
    spec:
      containers:
      - ⟦name: tftpd⟧
        image: example/ltsp:1.0
        command: ["/usr/sbin/in.tftpd", "-L", "-s", "/var/lib/tftpboot"]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ltsp-config
data:
  lts.conf: |
    [Default]
    ⟦LDM_LENGUAGE⟧ = de_DE.UTF-8
`;

describe('Kubernetes manifests', () => {
  before(() => netbootFarm());

  it('a manifest gets the netboot checks, and its embedded lts.conf its own diagnostics at the YAML lines', async () => {
    const { text, ranges } = marked(MANIFEST);
    const editor = await openFile('k8s/farm.yaml', text);
    assert.equal(editor.document.languageId, 'yaml');
    const codes = ['K8S001', 'LTS010'];
    const got = await waitForDiagnostics(editor.document.uri, (d) => codes.every((code) => d.some((x) => codeOf(x) === code)));
    assert.deepEqual(codesAndRanges(got.filter((d) => codes.includes(codeOf(d)))), codes.map((code, i) => ({ code, range: ranges[i] })), list(got));
  });

  it('"Export Farm to Kubernetes" writes manifests that pass the same checks', async () => {
    const folder = vscode.Uri.joinPath(workspaceFolder(), 'k8s-export');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'lts.conf'), new TextEncoder().encode('[Default]\nSCREEN_07 = ldm\n'));
    const outcome = await vscode.commands.executeCommand<ExportOutcome | undefined>('netbootFarm.exportKubernetes', folder, 'registry.example.org/ltsp:1.0');
    assert.equal(outcome?.code, 0, outcome?.message);
    assert.ok(outcome.file, outcome.message);
    const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(outcome.file));
    assert.match(written, /hostNetwork: true/);
    assert.match(written, /kind: ConfigMap/);
    // Prove the server has checked this document (break it, see K8S001), then that the export itself is clean.
    const document = await vscode.workspace.openTextDocument(outcome.file);
    const edit = (from: string, to: string) => {
      const at = document.getText().indexOf(from);
      assert.ok(at >= 0, `${from} in the export`);
      const change = new vscode.WorkspaceEdit();
      change.replace(document.uri, new vscode.Range(document.positionAt(at), document.positionAt(at + from.length)), to);
      return vscode.workspace.applyEdit(change);
    };
    await edit('hostNetwork: true', 'hostNetwork: false');
    await waitForDiagnostics(document.uri, (d) => d.some((x) => codeOf(x) === 'K8S001'));
    await edit('hostNetwork: false', 'hostNetwork: true');
    const settled = await waitForDiagnostics(document.uri, (d) => d.length === 0);
    assert.deepEqual(list(settled), '(none)');
    assert.equal(ours(document.uri).length, 0);
  });
});
