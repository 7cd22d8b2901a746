// The dhcpd language through the real language server (in-memory streams):
// registered in the language registry, it gets diagnostics, hover and
// formatting like the other languages, with no dhcpd-specific server code.
import assert from 'node:assert/strict';
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
