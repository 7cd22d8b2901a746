// Runs the VS Code suites (test/vscode/) in a real VS Code, the way every
// extension does: @vscode/test-electron's runTests(). Which VS Code:
//
//   NETBOOT_FARM_VSCODE=download     VS Code 1.96.4 downloaded by
//                                    @vscode/test-electron (needs internet
//                                    and a display, e.g. a laptop)
//   NETBOOT_FARM_VSCODE=code-server  the same VS Code version as code-server,
//                                    in headless chromium (headless-code.mjs);
//                                    installed into the user's cache when missing
//   unset or auto                    try the download for a few seconds, and
//                                    use code-server when it fails
//
// Two runs: suite/ in a trusted workspace, untrusted/ in a workspace that is
// not trusted (Workspace Trust on, startup prompt off).
//
//   node scripts/vscode-host/runVSCodeTests.mjs [--no-build] [--bundle-only] [--results FILE]
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_VERSION, ensureCodeServer } from './installCodeServer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** code-server 4.96.4 is VS Code 1.96.4: both paths test the same editor. */
const VSCODE_VERSION = '1.96.4';
const HEADLESS_CODE = join(root, 'scripts', 'vscode-host', 'headless-code.mjs');
const SUITES = join(root, 'test', 'vscode');
const OUT = join(root, 'out', 'vscode-test');
export const SCREENSHOT_DIR = join(root, '.vscode-test-screens');

async function bundleSuites() {
  const entryPoints = [];
  for (const suite of ['suite', 'untrusted']) {
    for (const name of await readdir(join(SUITES, suite))) if (name.endsWith('.ts')) entryPoints.push(join(SUITES, suite, name));
  }
  await rm(OUT, { recursive: true, force: true });
  await build({
    entryPoints,
    outbase: SUITES,
    outdir: OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
}

/** The VS Code to run, and whether it is the downloaded one. */
async function chooseVSCode() {
  const wanted = process.env.NETBOOT_FARM_VSCODE ?? 'auto';
  if (!['auto', 'download', 'code-server'].includes(wanted)) throw new Error(`NETBOOT_FARM_VSCODE=${wanted}: use download, code-server or auto`);
  if (wanted !== 'code-server') {
    try {
      const path = await downloadAndUnzipVSCode({ version: VSCODE_VERSION, timeout: 10_000 });
      return { path, downloaded: true };
    } catch (error) {
      if (wanted === 'download') throw error;
      process.stdout.write(`VS Code ${VSCODE_VERSION} could not be downloaded (${error instanceof Error ? error.message : error}); using code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) in headless chromium.\n`);
    }
  }
  // Installed here, once, so that the install does not count against a run's time limit.
  await ensureCodeServer();
  return { path: HEADLESS_CODE, downloaded: false };
}

/** A fresh user-data folder with the given user settings. */
async function userDataDir(scratch, settings) {
  const dir = join(scratch, 'user-data');
  await mkdir(join(dir, 'User'), { recursive: true });
  await writeFile(join(dir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  return dir;
}

/**
 * runTests() always passes --disable-workspace-trust, so the untrusted run
 * starts the same executable with the same arguments minus that one.
 */
function launchWithTrust(executable, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function runSuite(vscode, suite, { trusted }) {
  const scratch = await mkdtemp(join(tmpdir(), 'nbf-run-'));
  try {
    const workspace = join(scratch, 'workspace');
    await mkdir(workspace);
    const results = join(scratch, 'results.json');
    const quiet = { 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'git.openRepositoryInParentFolders': 'never' };
    const untrusted = { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' };
    const settings = trusted ? quiet : { ...quiet, ...untrusted };
    const launchArgs = [workspace, `--user-data-dir=${await userDataDir(scratch, settings)}`, `--extensions-dir=${join(scratch, 'extensions')}`, '--disable-extensions'];
    // The watchdog (headless-code.mjs) covers a whole suite run, which includes a real VM boot (test/vscode/suite/preview.test.ts).
    const env = { NETBOOT_FARM_VSCODE_RESULTS: results, NETBOOT_FARM_SCREENSHOT_DIR: SCREENSHOT_DIR, NETBOOT_FARM_VSCODE_TIMEOUT: process.env.NETBOOT_FARM_VSCODE_TIMEOUT ?? '900' };
    const extensionTestsPath = join(OUT, suite);
    process.stdout.write(`\n-- VS Code suite ${suite}/ (${trusted ? 'trusted' : 'untrusted'} workspace)\n`);
    let code;
    if (trusted) {
      code = await runTests({ vscodeExecutablePath: vscode.path, extensionDevelopmentPath: root, extensionTestsPath, launchArgs, extensionTestsEnv: env }).catch((error) => error.code ?? 1);
    } else {
      const args = [...launchArgs, `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${extensionTestsPath}`, '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes'];
      code = await launchWithTrust(vscode.path, args, env);
    }
    const counts = JSON.parse(await readFile(results, 'utf8').catch(() => '{"passed":0,"failed":0}'));
    // A run that died before mocha reported still counts as a failure.
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (!argv.includes('--no-build')) await import('../build.mjs');
await bundleSuites();
if (argv.includes('--bundle-only')) process.exit(0);
await rm(SCREENSHOT_DIR, { recursive: true, force: true });
const vscode = await chooseVSCode();
const total = { passed: 0, failed: 0 };
for (const [suite, trusted] of [['suite', true], ['untrusted', false]]) {
  const started = Date.now();
  const counts = await runSuite(vscode, suite, { trusted });
  process.stdout.write(`-- ${suite}/: ${counts.passed} passed, ${counts.failed} failed in ${Math.round((Date.now() - started) / 1000)} s\n`);
  total.passed += counts.passed;
  total.failed += counts.failed;
}
process.stdout.write(`\nVS Code suites: ${total.passed} passed, ${total.failed} failed\n`);
const resultsAt = argv.indexOf('--results');
if (resultsAt >= 0 && argv[resultsAt + 1]) await writeFile(argv[resultsAt + 1], JSON.stringify(total));
process.exitCode = total.failed === 0 && total.passed > 0 ? 0 : 1;
