import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-types';
import { inMemoryClient, type TestLspClient } from '../support/lspClient';
import { shell } from '../support/shell';

let client: TestLspClient;
before(async () => {
  client = inMemoryClient({ shell });
  const { capabilities } = await client.initialize();
  assert.ok(capabilities.codeLensProvider, 'codeLensProvider');
});
after(() => client.close());

test('a Dockerfile opened as the built-in dockerfile language gets diagnostics and code lenses', async () => {
  const uri = 'file:///farm/Dockerfile';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'dockerfile', 'FROM debian:12 AS build\nRUN make\nFROM debian:12\nCOPY --from=buidl /out /out\n');
  assert.deepEqual((await diagnostics).map((d) => d.code), ['DKR007', 'DKR002']);
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.arguments]), [
    [0, 'Build stage', [{ uri, stage: 'build' }]],
    [0, 'Build image', [{ uri, stage: 'build' }]],
    [2, 'Build image', [{ uri }]],
  ]);
});

test('languages without code lenses answer with none', async () => {
  const uri = 'file:///farm/x/lts.conf';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'ltsconf', '[Default]\nSCREEN_07 = ldm\n');
  await diagnostics;
  assert.deepEqual(await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }), []);
});

test('the stage-graph request returns stages with their roles and the edges between them', async () => {
  const uri = 'file:///farm/graph/Dockerfile';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'dockerfile', 'FROM debian:12 AS base\nRUN true\nFROM base AS build\nRUN make\nFROM debian:12\nCOPY --from=build /out /out\n');
  await diagnostics;
  const view = await client.request<{ stages: { label: string; line: number; roles: string[] }[]; edges: { from: number; to: number; kind: string }[] }>('netbootFarm/stageGraph', { uri });
  assert.deepEqual(view.stages.map((s) => [s.label, s.line, s.roles]), [['base', 0, []], ['build', 2, []], ['stage 2', 4, ['final']]]);
  assert.deepEqual(view.edges, [{ from: 0, to: 1, kind: 'FROM' }, { from: 1, to: 2, kind: 'COPY --from' }]);
});
