#!/usr/bin/env node
// A stand-in for the `code` executable that `@vscode/test-electron`'s
// runTests({ vscodeExecutablePath }) starts: it takes VS Code's test
// arguments, runs the tests in a real VS Code 1.96.4 (code-server, the same
// workbench served to a browser) driven by Debian's headless chromium, prints
// the tests' output and exits with their exit code.
//
//   headless-code.mjs --extensionDevelopmentPath=EXT --extensionTestsPath=SUITE
//                     [--user-data-dir=D] [--extensions-dir=E]
//                     [--disable-workspace-trust] [FOLDER]
//
// Environment:
//   NETBOOT_FARM_VSCODE_TIMEOUT   seconds before a hung VS Code is killed and
//                                 the run fails (default 300)
//   NETBOOT_FARM_SCREENSHOT_DIR   where tests' screenshots go; when set, the
//                                 tests get NETBOOT_FARM_SCREENSHOT_URL to ask
//                                 for one (see test/vscode/support/screenshot.ts)
//   CHROMIUM                      the browser (default /usr/bin/chromium)
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { startCodeServer } from './codeServer.mjs';

/** Flags Electron VS Code needs and a browser workbench has no use for. */
const IGNORED_FLAGS = new Set(['--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes', '--disable-gpu', '--new-window', '--wait', '--disable-extensions']);
const VALUE_FLAGS = ['--extensionDevelopmentPath', '--extensionTestsPath', '--user-data-dir', '--extensions-dir'];

function parseArguments(argv) {
  const options = { extensionDevelopmentPath: [], folders: [], disableWorkspaceTrust: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (VALUE_FLAGS.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--extensionDevelopmentPath') options.extensionDevelopmentPath.push(resolve(value));
      else if (flag === '--extensionTestsPath') options.extensionTestsPath = resolve(value);
      else if (flag === '--user-data-dir') options.userDataDir = resolve(value);
      else options.extensionsDir = resolve(value);
    } else if (flag === '--disable-workspace-trust') options.disableWorkspaceTrust = true;
    else if (IGNORED_FLAGS.has(flag)) continue;
    else if (flag.startsWith('-')) process.stderr.write(`headless-code: ignoring ${arg}\n`);
    else options.folders.push(resolve(arg));
  }
  if (!options.extensionTestsPath || options.extensionDevelopmentPath.length === 0) {
    throw new Error('usage: headless-code.mjs --extensionDevelopmentPath=EXT --extensionTestsPath=SUITE [FOLDER]');
  }
  return options;
}

/** Mocha's output reaches the browser console as ['%c INFO', css, format, ...args]. */
async function consoleText(message) {
  const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg))));
  if (typeof values[0] === 'string' && values[0].startsWith('%c')) return { level: values[0].slice(2).trim(), text: format(...values.slice(2)) };
  return { level: message.type(), text: format(...values) };
}

/** Serves GET /?name=N: a screenshot of the page into DIR/N.png, answered once written. */
async function startScreenshotServer(dir, page) {
  await mkdir(dir, { recursive: true });
  const server = createServer(async (request, response) => {
    const name = new URL(request.url ?? '/', 'http://x').searchParams.get('name') ?? '';
    if (!/^[\w.-]+$/.test(name)) {
      response.writeHead(400).end('name must be letters, digits, dot, dash or underscore\n');
      return;
    }
    try {
      const path = join(dir, `${name}.png`);
      await page().screenshot({ path });
      response.writeHead(200).end(`${path}\n`);
    } catch (error) {
      response.writeHead(500).end(`${error}\n`);
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return server;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const timeoutSeconds = Number(process.env.NETBOOT_FARM_VSCODE_TIMEOUT ?? 300);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const cleanups = [];
  // Called by the normal end, the watchdog and signals alike: all of them
  // wait for the one cleanup before the process exits.
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const step of cleanups.reverse()) await step().catch(() => undefined);
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanup().then(() => process.exit(130)));

  let page;
  let screenshotDir;
  // One limit for everything (code-server, browser, workbench, tests), so
  // that a hang anywhere fails the run instead of holding CI.
  const watchdog = setTimeout(async () => {
    process.stderr.write(`headless-code: VS Code did not finish the tests within ${timeoutSeconds} s and was stopped (NETBOOT_FARM_VSCODE_TIMEOUT raises the limit)\n`);
    if (page && screenshotDir) await page.screenshot({ path: join(screenshotDir, 'timeout.png'), timeout: 5000 }).catch(() => undefined);
    await cleanup();
    process.exit(1);
  }, timeoutSeconds * 1000);
  try {
    const env = {};
    screenshotDir = process.env.NETBOOT_FARM_SCREENSHOT_DIR && resolve(process.env.NETBOOT_FARM_SCREENSHOT_DIR);
    if (screenshotDir) {
      const server = await startScreenshotServer(screenshotDir, () => page);
      cleanups.push(() => new Promise((ok) => server.close(ok)));
      env.NETBOOT_FARM_SCREENSHOT_URL = `http://127.0.0.1:${server.address().port}/`;
    }
    const codeServer = await startCodeServer({
      userDataDir: options.userDataDir,
      extensionsDir: options.extensionsDir,
      workspaceTrust: !options.disableWorkspaceTrust,
      env,
      timeoutMs: Math.max(0, deadline - Date.now()),
    });
    cleanups.push(codeServer.stop);

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanups.push(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    let finish;
    const finished = new Promise((ok) => (finish = ok));
    // The workbench calls this with the tests' result when they end.
    await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
    page.on('console', (message) => {
      void consoleText(message).then(({ level, text }) => {
        // The workbench logs a lot at debug and trace level; the tests' output
        // comes through the extension host's console as INFO / ERROR lines.
        if (/^(INFO|ERROR|WARN)$/.test(level) || message.type() === 'error') process.stdout.write(`${text}\n`);
      });
    });
    page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
    const url = codeServer.url({ folder: options.folders[0], extensionDevelopmentPath: options.extensionDevelopmentPath, extensionTestsPath: options.extensionTestsPath });
    await page.goto(url, { timeout: 0 });
    return await finished;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`headless-code: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  },
);
