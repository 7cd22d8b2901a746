import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');

async function lint(code: string, filePath: string) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('the language service may not import Node I/O, LSP or the layers above it', async () => {
  const messages = await lint(
    "import { readFileSync } from 'node:fs';\nimport { createConnection } from 'vscode-languageserver/node';\nimport { startServer } from '../lsp/server';\nexport const x = [readFileSync, createConnection, startServer, process.argv];\n",
    'server/src/lang/conf/example.ts',
  );
  assert.equal(messages.filter((m) => m.startsWith('no-restricted-imports')).length, 3, messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('no-restricted-globals')), messages.join('\n'));
});

test('the same imports are fine outside the language service', async () => {
  const messages = await lint("import { readFileSync } from 'node:fs';\nexport const x = [readFileSync, process.argv];\n", 'server/src/cli/example.ts');
  assert.deepEqual(messages, []);
});
