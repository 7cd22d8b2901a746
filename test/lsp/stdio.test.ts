import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { stdioClient } from '../support/lspClient';

const serverPath = join(__dirname, '..', '..', 'dist', 'server.js');

test('the bundled server runs over stdio, with the real shell parser beside it', async (t) => {
  assert.ok(existsSync(serverPath), `${serverPath} is missing: run npm run build`);
  const { client, child } = stdioClient(serverPath);
  t.after(() => client.close());
  const { capabilities } = await client.initialize();
  assert.ok(capabilities.hoverProvider);
  const uri = 'file:///farm/ltsp.conf';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'ltspconf', '[clients]\nPOST_INIT_X="echo $(date"\nIMAGE_TO_RAM=True\n');
  const got = await diagnostics;
  // LTSP025 can only come from the WebAssembly shell parser loaded from dist/.
  assert.deepEqual(got.map((d) => d.code).sort(), ['LTSP010', 'LTSP025']);
  await client.close();
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  assert.equal(code, 0, 'the server exits cleanly after shutdown/exit');
});

test('the bundled server survives garbage and a request for an unknown document', async (t) => {
  const { client } = stdioClient(serverPath);
  t.after(() => client.close());
  await client.initialize();
  const hover = await client.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere/lts.conf' }, position: { line: 0, character: 0 } });
  assert.equal(hover, null);
  const uri = 'file:///farm/x/lts.conf';
  const diagnostics = client.diagnostics(uri, 1);
  await client.open(uri, 'ltsconf', '\u0000[[[\n=\n"\n\'\n[]\nA=\n');
  assert.ok((await diagnostics).length > 0);
});
