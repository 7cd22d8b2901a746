import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CompletionItem, Hover } from 'vscode-languageserver-types';
import { EffectiveSettingsRequest } from '../../server/src/protocol';
import { inMemoryClient, type TestLspClient } from '../support/lspClient';
import { shell } from '../support/shell';

let client: TestLspClient;
before(async () => {
  client = inMemoryClient({ shell });
  await client.initialize();
});
after(() => client.close());

test('initialize announces the features the service has', async () => {
  const fresh = inMemoryClient({ shell });
  const { capabilities } = await fresh.initialize();
  await fresh.close();
  for (const key of ['completionProvider', 'hoverProvider', 'documentSymbolProvider', 'foldingRangeProvider', 'documentFormattingProvider', 'codeActionProvider']) {
    assert.ok(capabilities[key], key);
  }
});

test('didOpen publishes diagnostics with codes, settings applied', async () => {
  const uri = 'file:///farm/lts.conf';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'ltsconf', '[Default]\nLDM_LENGUAGE = x\nFSTAB_1 = "/dev/sda1 /d ext4 bogus,nofail 0 0"\n');
  const got = await diagnostics;
  assert.deepEqual(got.map((d) => d.code), ['LTS010'], 'LTS024 is off in the workspace settings');
  assert.deepEqual(got[0]!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } });
});

test('didChange re-validates the new version', async () => {
  const uri = 'file:///farm/b/lts.conf';
  const first = client.diagnostics(uri, 1);
  await client.open(uri, 'ltsconf', '[Default]\nSCREEN_07 = ldm\n');
  assert.equal((await first).length, 0);
  const second = client.diagnostics(uri, 2);
  await client.change(uri, 2, 'SCREEN_07 = ldm\n');
  assert.deepEqual((await second).map((d) => d.code), ['LTS001']);
});

test('a language is found by file name when the id is unknown', async () => {
  const uri = 'file:///farm/etc/ltsp/ltsp.conf';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'plaintext', '[clients]\nIMAGE_TO_RAM=yes\n');
  assert.deepEqual((await diagnostics).map((d) => d.code), ['LTSP010']);
});

test('completion, hover, symbols, formatting and code actions answer over LSP', async () => {
  const uri = 'file:///farm/c/lts.conf';
  const text = '[Default]\nLDM_LENGUAGE=x\n';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'ltsconf', text);
  const published = await diagnostics;
  const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 2 } });
  assert.ok(items.some((i) => i.label === 'LDM_LANGUAGE'));
  const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
  assert.match(JSON.stringify(hover), /Default/);
  const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols.map((s) => s.name), ['[Default]']);
  const edits = await client.request<{ newText: string }[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(edits.map((e) => e.newText), ['LDM_LENGUAGE = ']);
  const actions = await client.request<{ title: string }[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: published[0]!.range,
    context: { diagnostics: published },
  });
  assert.ok(actions.some((a) => a.title === 'Change to LDM_LANGUAGE'));
});

test('the effective-settings request returns the merged settings with their lines', async () => {
  const uri = 'file:///farm/d/lts.conf';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'ltsconf', '[Default]\nSCREEN_07 = ldm\n[pc01]\nSCREEN_07 = shell\n');
  await diagnostics;
  const result = await client.request<unknown>(EffectiveSettingsRequest.method, { uri, client: 'pc01' });
  assert.deepEqual(result, {
    sections: ['Default', 'pc01'],
    settings: [{ key: 'SCREEN_07', value: 'shell', section: 'pc01', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 17 } } }],
  });
});
