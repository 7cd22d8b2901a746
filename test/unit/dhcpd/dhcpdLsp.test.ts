// The dhcpd language through the real language server (in-memory streams):
// registered in the language registry, it gets diagnostics, hover and
// formatting like the other languages, with no dhcpd-specific server code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Hover, TextEdit } from 'vscode-languageserver-types';
import { inMemoryClient, type TestLspClient } from '../../support/lspClient';

let client: TestLspClient;
before(async () => {
  client = inMemoryClient();
  await client.initialize();
});
after(() => client.close());

test('a dhcpd.conf gets diagnostics, hover and formatting over LSP', async () => {
  const uri = 'file:///farm/dhcpd.conf';
  const text = 'subnet 10.0.0.0 netmask 255.255.255.0 {\nnext-server 10.0.0.1\nif option architecture = 00:07 { filename "a.efi"; } else { filename "b"; }\n}\n';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'dhcpd', text);
  assert.deepEqual((await diagnostics).map((d) => [d.code, d.range.start.line]), [['DHCP001', 1], ['DHCP009', 2]]);
  const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } });
  assert.match((hover?.contents as { value: string }).value, /next-server/);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.match(edits[0]!.newText, /^subnet 10\.0\.0\.0 netmask 255\.255\.255\.0 \{\n  next-server 10\.0\.0\.1\n  if option/);
});

test('an included file gets its own diagnostics, which go away when the include does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-lsp-include-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hosts.conf'), 'host pc1 {\n  hardwre ethernet 52:54:00:00:00:01;\n}\n');
  const uri = pathToFileURL(join(dir, 'dhcpd.conf')).href;
  const hostsUri = pathToFileURL(join(dir, 'hosts.conf')).href;
  const included = client.diagnostics(hostsUri);
  const own = client.diagnostics(uri, 1);
  await client.open(uri, 'dhcpd', 'authoritative;\ninclude "hosts.conf";\ninclude "gone.conf";\n');
  assert.deepEqual((await own).map((d) => [d.code, d.range.start.line]), [['DHCP030', 2]]);
  assert.deepEqual((await included).map((d) => [d.code, d.range.start.line]), [['DHCP019', 0], ['DHCP006', 1]]);
  // An incremental change, as editors send it: the include line is deleted.
  const cleared = client.diagnostics(hostsUri);
  const changed = client.diagnostics(uri, 2);
  await client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }],
  });
  assert.deepEqual((await changed).map((d) => [d.code, d.range.start.line]), [['DHCP030', 1]]);
  assert.deepEqual(await cleared, []);
});
