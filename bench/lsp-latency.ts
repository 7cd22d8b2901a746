// Keystroke-to-diagnostics latency of the bundled language server over stdio.
// Run by bench/run.mjs; alone:
//
//   node --import tsx bench/lsp-latency.ts [--keystrokes 200] [--sync incremental|full] [--json OUT] FILE...
//
// For each file (lts.conf, ltsp.conf or dhcpd.conf, told by its name): start dist/server.js
// --stdio as an editor would, open the file, wait for its first diagnostics,
// then type: each keystroke is a new version (one character inserted or
// deleted), sent only once the diagnostics of the previous version arrived, and
// timed from sending didChange to receiving publishDiagnostics for that
// version. The edits spread over the file and return it to its first text.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stdioClient, type TestLspClient } from '../test/support/lspClient';
import { EditorBuffer, languageOf, plan, summarize, type Summary } from './keystrokes';
import { takeOption } from './args';

interface FileResult {
  file: string;
  language: string;
  lines: number;
  bytes: number;
  sync: 'incremental' | 'full';
  openToFirstDiagnosticsMs: number;
  firstDiagnostics: number;
  keystrokes: Summary;
  byEdit: Record<string, Summary>;
  diagnosticsRange: [number, number];
  /** CPU time (user + system) the server process spent over all keystrokes, divided by their number: the work, whatever the machine's load. */
  serverCpuMsPerKeystroke: number | null;
  endedAsItBegan: boolean;
  error?: string;
}

/**
 * Waits for diagnostics, but gives up after `ms`, or at once when the server
 * logs an error (it logs a failed validation and publishes nothing).
 */
async function waitFor<T>(promise: Promise<T>, ms: number, what: string, failures: ServerErrors): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no diagnostics for ${what} within ${ms} ms`)), ms);
    failures.onError = (message) => reject(new Error(`the server failed on ${what}: ${message}`));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    failures.onError = undefined;
  }
}

/** Errors the server logs (window/logMessage of type Error). */
class ServerErrors {
  onError: ((message: string) => void) | undefined;
  constructor(client: TestLspClient) {
    client.connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      if (params.type === 1) this.onError?.(params.message.split('\n').slice(0, 2).join(' | '));
    });
  }
}

async function measureFile(serverPath: string, file: string, count: number, sync: 'incremental' | 'full', timeoutMs: number): Promise<FileResult> {
  const text = readFileSync(file, 'utf8');
  const language = languageOf(file);
  const uri = `file:///bench/${{ ltsconf: 'lts.conf', ltspconf: 'ltsp.conf', dhcpd: 'dhcpd.conf' }[language]}`;
  const { client, child } = stdioClient(serverPath);
  const result: FileResult = {
    file,
    language,
    lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    bytes: Buffer.byteLength(text),
    sync,
    openToFirstDiagnosticsMs: NaN,
    firstDiagnostics: NaN,
    keystrokes: summarize([]),
    byEdit: {},
    diagnosticsRange: [Infinity, -Infinity],
    serverCpuMsPerKeystroke: null,
    endedAsItBegan: false,
  };
  const failures = new ServerErrors(client);
  try {
    await client.initialize();
    let version = 1;
    const first = client.diagnostics(uri, version);
    const opened = performance.now();
    await client.open(uri, language, text, version);
    const initial = await waitFor(first, timeoutMs, 'didOpen', failures);
    result.openToFirstDiagnosticsMs = Math.round((performance.now() - opened) * 100) / 100;
    result.firstDiagnostics = initial.length;

    const buffer = new EditorBuffer(text);
    const latencies: number[] = [];
    const byEdit = new Map<string, number[]>();
    let lastCount = initial.length;
    const cpuBefore = processCpuMs(child.pid);
    for (const keystroke of plan(text, language, count)) {
      version++;
      const change = keystroke.apply(buffer);
      const contentChanges = sync === 'incremental' ? [change] : [{ text: buffer.text() }];
      const published = client.diagnostics(uri, version);
      const sent = performance.now();
      await sendChange(client, uri, version, contentChanges);
      const diagnostics = await waitFor(published, timeoutMs, `version ${version} (${keystroke.label})`, failures);
      const ms = performance.now() - sent;
      latencies.push(ms);
      byEdit.set(keystroke.label, [...(byEdit.get(keystroke.label) ?? []), ms]);
      lastCount = diagnostics.length;
      result.diagnosticsRange = [Math.min(result.diagnosticsRange[0], lastCount), Math.max(result.diagnosticsRange[1], lastCount)];
    }
    const cpuAfter = processCpuMs(child.pid);
    if (cpuBefore !== null && cpuAfter !== null && latencies.length > 0) result.serverCpuMsPerKeystroke = Math.round(((cpuAfter - cpuBefore) / latencies.length) * 100) / 100;
    result.keystrokes = summarize(latencies);
    result.byEdit = Object.fromEntries([...byEdit].map(([label, values]) => [label, summarize(values)]));
    result.endedAsItBegan = buffer.text() === text && lastCount === initial.length;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await Promise.race([client.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
  return result;
}

/** User + system CPU time of a process so far (Linux /proc, in clock ticks of 10 ms), or null where there is no /proc. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function sendChange(client: TestLspClient, uri: string, version: number, contentChanges: unknown[]): Promise<void> {
  return client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => takeOption(args, name, fallback);
  const count = Number(option('keystrokes', '200'));
  const sync = option('sync', 'incremental') === 'full' ? 'full' : 'incremental';
  const json = option('json', '');
  const timeoutMs = Number(option('timeout', '60000'));
  const serverPath = option('server', join(__dirname, '..', 'dist', 'server.js'));
  if (args.length === 0) {
    process.stderr.write('usage: node --import tsx bench/lsp-latency.ts [--keystrokes N] [--sync incremental|full] [--json OUT] FILE...\n');
    process.exitCode = 2;
    return;
  }
  const results: FileResult[] = [];
  for (const file of args) {
    const r = await measureFile(serverPath, file, count, sync, timeoutMs);
    results.push(r);
    const k = r.keystrokes;
    process.stderr.write(
      r.error
        ? `  LSP ${basename(file)} (${sync}): FAILED: ${r.error}\n`
        : `  LSP ${basename(file)} (${sync}): open→diagnostics ${r.openToFirstDiagnosticsMs} ms; ${k.n} keystrokes p50 ${k.p50} ms, p95 ${k.p95} ms, max ${k.max} ms; server CPU ${r.serverCpuMsPerKeystroke ?? '?'} ms per keystroke\n`,
    );
  }
  if (json) writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  else process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}

void main();
