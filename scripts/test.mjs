// `npm test`: every suite in one run, ending with one plain line
// `N passed, N failed`. Steps that are not node:test files (type check, lint,
// grammar tests) count as one test each. Arguments narrow the node:test files,
// e.g. `npm test -- test/unit/ltsconf`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);
let passed = 0;
let failed = 0;
const failures = [];

function run(title, command, args, options = {}) {
  process.stdout.write(`\n== ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

function step(title, command, args) {
  if (run(title, command, args)) passed++;
  else {
    failed++;
    failures.push(title);
  }
}

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      // The VS Code suite runs inside the editor, not under node:test.
      if (name !== 'vscode' && name !== 'grammar') out.push(...testFiles(path));
    } else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const node = process.execPath;
step('build (esbuild)', node, ['scripts/build.mjs']);
step('type check (tsc -b)', node, ['node_modules/typescript/bin/tsc', '-b']);
step('lint (eslint)', node, ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']);
step('grammar tests (vscode-tmgrammar-test)', node, ['scripts/grammar-test.mjs']);

const files = testFiles(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const scratch = mkdtempSync(join(tmpdir(), 'nbf-test-'));
const tap = join(scratch, 'results.tap');
// With no file arguments `node --test` picks files itself, this script among them.
if (files.length > 0) run(`node:test (${files.length} files)`, node, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files,
]);
let summary = '';
try {
  summary = readFileSync(tap, 'utf8');
} catch {
  // No TAP file means the runner itself failed before any test ran.
}
const count = (name) => Number(summary.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
const nodePassed = count('pass');
const nodeFailed = count('fail') + count('cancelled');
if (!summary && files.length > 0) {
  failed++;
  failures.push('node:test produced no results');
}
passed += nodePassed;
failed += nodeFailed;

// Last, the VS Code suites in a real VS Code (headless; see
// scripts/vscode-host/runVSCodeTests.mjs), unless the filters leave them out.
if (filters.length === 0 || filters.some((x) => 'test/vscode'.includes(x) || x.includes('test/vscode'))) {
  const vscodeResults = join(scratch, 'vscode.json');
  const ok = run('VS Code suites (real VS Code)', node, ['scripts/vscode-host/runVSCodeTests.mjs', '--no-build', '--results', vscodeResults]);
  let counts = { passed: 0, failed: 0 };
  try {
    counts = JSON.parse(readFileSync(vscodeResults, 'utf8'));
  } catch {
    // No results: the run died before any suite finished; counted below.
  }
  passed += counts.passed;
  failed += counts.failed;
  if (!ok && counts.failed === 0) {
    failed++;
    failures.push('VS Code suites');
  }
}
rmSync(scratch, { recursive: true, force: true });

if (failures.length) process.stdout.write(`\nfailed steps: ${failures.join('; ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
