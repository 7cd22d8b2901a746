// `npx vscode-test` (@vscode/test-cli), the usual way to run an extension's
// tests: the trusted-workspace suite (test/vscode/suite/) in VS Code 1.96.4,
// downloaded, or with NETBOOT_FARM_VSCODE=code-server in the headless
// code-server host. Bundle the suites first: `npm run test:vscode-cli` does
// both. `npm test` uses scripts/vscode-host/runVSCodeTests.mjs, which also
// runs the untrusted-workspace suite.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const workspace = join(root, '.vscode-test', 'workspace');
rmSync(workspace, { recursive: true, force: true });
mkdirSync(workspace, { recursive: true });

export default defineConfig({
  label: 'suite',
  files: 'out/vscode-test/suite/*.test.js',
  version: '1.96.4',
  workspaceFolder: workspace,
  launchArgs: ['--disable-extensions'],
  mocha: { ui: 'bdd', timeout: 60_000 },
  env: { NETBOOT_FARM_SCREENSHOT_DIR: join(root, '.vscode-test-screens') },
  ...(process.env.NETBOOT_FARM_VSCODE === 'code-server' ? { useInstallation: { fromPath: join(root, 'scripts', 'vscode-host', 'headless-code.mjs') } } : {}),
});
