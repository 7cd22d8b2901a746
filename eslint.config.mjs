// The one architectural rule worth a linter: the language service is pure.
// It takes text and returns data, so it may not reach for the LSP connection,
// the file system, processes, the network or VS Code.
import tseslint from 'typescript-eslint';

const nodeIo = ['fs', 'fs/promises', 'child_process', 'net', 'dgram', 'http', 'https', 'os', 'worker_threads', 'process', 'path'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.cache/**', '.netboot/**', 'test-results/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Protocol messages are declared as `namespace X { method; type }`, the
      // vscode-languageserver convention both sides import.
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    files: ['server/src/lang/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeIo.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'server/src/lang is pure: no Node I/O. Pass data in from lsp/ or cli/.' })),
            { name: 'vscode', message: 'server/src/lang knows nothing of VS Code.' },
            { name: 'execa', message: 'server/src/lang runs no processes.' },
            { name: 'vscode-languageserver', message: 'server/src/lang knows nothing of the LSP connection; use vscode-languageserver-types.' },
            { name: 'vscode-languageserver/node', message: 'server/src/lang knows nothing of the LSP connection; use vscode-languageserver-types.' },
            { name: 'sh-syntax', message: 'sh-syntax loads WebAssembly from disk: inject a ShellSyntaxChecker instead.' },
          ],
          patterns: [{ group: ['**/lsp/**', '**/cli/**', '**/farm/**', '**/host/**'], message: 'server/src/lang may not depend on the layers above it.' }],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'server/src/lang is pure: no process.' }, { name: 'require', message: 'server/src/lang loads no modules at run time.' }],
    },
  },
);
