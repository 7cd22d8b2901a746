#!/usr/bin/env node
// Opens a farm folder (default: examples/farm) in a real VS Code with this
// extension loaded, and prints the address to open in a browser. It is the
// VS Code of the tests: code-server 4.96.4 (= VS Code 1.96.4), installed
// into ${XDG_CACHE_HOME:-~/.cache}/netboot-farm when missing. It listens on
// 127.0.0.1 only; from another machine: ssh -L PORT:127.0.0.1:PORT this-host.
//
//   node scripts/open-in-vscode.mjs [FOLDER] [--port N] [--screenshot FILE.png]
//
// --screenshot opens the address in headless chromium, waits until the
// extension is running, shows lts.conf, saves a picture of the window and
// exits instead of serving until Ctrl+C.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from './vscode-host/codeServer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parse(argv) {
  const options = { folder: join(root, 'examples', 'farm') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') options.port = Number(argv[++i]);
    else if (argv[i] === '--screenshot') options.screenshot = resolve(argv[++i] ?? 'vscode.png');
    else if (argv[i].startsWith('-')) throw new Error(`unknown option ${argv[i]}\nusage: node scripts/open-in-vscode.mjs [FOLDER] [--port N] [--screenshot FILE.png]`);
    else options.folder = resolve(argv[i]);
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) throw new Error('--port takes a port number (1-65535)');
  if (!existsSync(options.folder)) throw new Error(`${options.folder}: no such folder`);
  return options;
}

async function screenshotOf(url, file) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    // The status item appears when the extension has activated (the folder has an lts.conf).
    await page.locator('.statusbar-item', { hasText: 'Netboot Farm' }).first().waitFor({ timeout: 120_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^lts\.conf$/ }).first().click();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    await page.waitForTimeout(2000);
    await page.screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

const options = parse(process.argv.slice(2));
if (!existsSync(join(root, 'dist', 'client.js'))) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}
// Workspace Trust off: the folder is from this checkout.
const settings = { 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never' };
const server = await startCodeServer({ port: options.port, settings, timeoutMs: 120_000 });
const url = server.url({ folder: options.folder, extensionDevelopmentPath: [root] });
try {
  if (options.screenshot) {
    await screenshotOf(url, options.screenshot);
    process.stdout.write(`${options.screenshot}\n`);
  } else {
    process.stdout.write(`\nNetboot Farm in VS Code ${'(code-server 4.96.4 = VS Code 1.96.4)'}, folder ${options.folder}:\n\n  ${url}\n\nOpen it in a browser on this machine. Ctrl+C stops it.\n`);
    await new Promise((ok) => {
      process.once('SIGINT', ok);
      process.once('SIGTERM', ok);
    });
  }
} finally {
  await server.stop();
}
