import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { marked } from '../../support/markers';
import { codeOf, codesAndRanges, describe as list, netbootFarm, openFile, waitForDiagnostics } from '../support/editor';
import { screenshot } from '../support/screenshot';

/**
 * A broken file per language, with the expected problems marked ⟦...⟧: the
 * diagnostics VS Code shows must have exactly these codes at these ranges.
 */
const CASES = [
  {
    file: 'broken/lts.conf',
    language: 'ltsconf',
    source: '⟦KEEP_SYSTEM_SERVICES = ssh⟧\n[Default]\n⟦LDM_LENGUAGE⟧ = de_DE.UTF-8\nSCREEN_07 ⟦=⟧\n',
    codes: ['LTS001', 'LTS010', 'LTS008'],
  },
  {
    file: 'broken/ltsp.conf',
    language: 'ltspconf',
    source: '[clients]\n⟦HOSTNAM⟧=pc01\n[pc01]\nINCLUDE=⟦nowhere⟧\n',
    codes: ['LTSP007', 'LTSP014'],
  },
  {
    file: 'broken/dhcpd.conf',
    language: 'dhcpd',
    source: 'subnet ⟦192.168.67.1⟧ netmask 255.255.255.0 {\n  range 192.168.67.20 ⟦192.168.68.250⟧;\n}\n',
    codes: ['DHCP014', 'DHCP013'],
  },
  {
    file: 'broken/Dockerfile',
    language: 'dockerfile',
    source: 'FROM debian:12 AS builder\n⟦RUNN⟧ make\nFROM debian:12\nCOPY --from=⟦buildr⟧ /out /out\n',
    codes: ['DKR001', 'DKR002'],
  },
];

describe('diagnostics', () => {
  before(() => netbootFarm());

  for (const c of CASES) {
    it(`a broken ${c.file.slice(c.file.indexOf('/') + 1)} gets ${c.codes.join(', ')} at the marked ranges`, async () => {
      const { text, ranges } = marked(c.source);
      const editor = await openFile(c.file, text);
      assert.equal(editor.document.languageId, c.language);
      const got = await waitForDiagnostics(editor.document.uri, (d) => c.codes.every((code) => d.some((x) => codeOf(x) === code)));
      const watched = got.filter((d) => c.codes.includes(codeOf(d)));
      assert.deepEqual(codesAndRanges(watched), c.codes.map((code, i) => ({ code, range: ranges[i] })), list(got));
      if (c.language === 'ltsconf') {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        await screenshot('diagnostics-lts.conf');
      }
    });
  }

  it('a per-code severity setting changes what VS Code shows', async () => {
    const { text } = marked(CASES[0]!.source);
    const editor = await openFile('severity/lts.conf', text);
    await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => codeOf(x) === 'LTS010'));
    const config = vscode.workspace.getConfiguration('netbootFarm');
    await config.update('diagnostics.severity', { LTS010: 'off', LTS001: 'hint' }, vscode.ConfigurationTarget.Workspace);
    try {
      const got = await waitForDiagnostics(editor.document.uri, (d) => !d.some((x) => codeOf(x) === 'LTS010'));
      assert.equal(got.find((d) => codeOf(d) === 'LTS001')?.severity, vscode.DiagnosticSeverity.Hint, list(got));
    } finally {
      await config.update('diagnostics.severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => codeOf(x) === 'LTS010'));
  });
});
