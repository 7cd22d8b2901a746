// Keystroke-to-diagnostics latency of the bundled language server over stdio.
// Run by bench/run.mjs; alone:
//
//   node --import tsx bench/lsp-latency.ts [--keystrokes 200] [--sync incremental|full] [--json OUT] FILE...
//
// For each file (lts.conf or ltsp.conf, told by its name): start dist/server.js
// --stdio as an editor would, open the file, wait for its first diagnostics,
// then type: each keystroke is a new version (one character inserted or
// deleted), sent only once the diagnostics of the previous version arrived, and
// timed from sending didChange to receiving publishDiagnostics for that
// version. The edits spread over the file and return it to its first text.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stdioClient, type TestLspClient } from '../test/support/lspClient';

interface Position {
  line: number;
  character: number;
}

interface Change {
  range: { start: Position; end: Position };
  text: string;
}

/** The document as the editor holds it: lines, edited one character at a time. */
class EditorBuffer {
  readonly lines: string[];
  constructor(text: string) {
    this.lines = text.split('\n');
  }

  text(): string {
    return this.lines.join('\n');
  }

  /** Types one character (or a newline) at a position. */
  type(at: Position, ch: string): Change {
    const line = this.lines[at.line] ?? '';
    if (ch === '\n') this.lines.splice(at.line, 1, line.slice(0, at.character), line.slice(at.character));
    else this.lines[at.line] = line.slice(0, at.character) + ch + line.slice(at.character);
    return { range: { start: at, end: at }, text: ch };
  }

  /** Backspace: deletes the character before a position (joining lines at column 0). */
  backspace(at: Position): Change {
    if (at.character === 0) {
      const previous = this.lines[at.line - 1] ?? '';
      const start = { line: at.line - 1, character: previous.length };
      this.lines.splice(at.line - 1, 2, previous + (this.lines[at.line] ?? ''));
      return { range: { start, end: at }, text: '' };
    }
    const line = this.lines[at.line] ?? '';
    this.lines[at.line] = line.slice(0, at.character - 1) + line.slice(at.character);
    return { range: { start: { line: at.line, character: at.character - 1 }, end: at }, text: '' };
  }
}

/** One keystroke: what it does to the buffer, and what it stands for (for the report). */
type Keystroke = { label: string; apply: (buffer: EditorBuffer) => Change };

/** Typing `word` at a position and deleting it again, one character at a time. */
function typeAndDelete(label: string, at: Position, word: string): Keystroke[] {
  const out: Keystroke[] = [];
  let pos = { ...at };
  for (const ch of word) {
    const from = pos;
    out.push({ label, apply: (b) => b.type(from, ch) });
    pos = ch === '\n' ? { line: pos.line + 1, character: 0 } : { line: pos.line, character: pos.character + 1 };
  }
  for (let i = word.length - 1; i >= 0; i--) {
    const from = pos;
    out.push({ label, apply: (b) => b.backspace(from) });
    const ch = word[i]!;
    if (ch === '\n') pos = { line: pos.line - 1, character: at.line === pos.line - 1 ? at.character + i : 0 };
    else pos = { line: pos.line, character: pos.character - 1 };
  }
  return out;
}

/** Opens a quote before a value (an error), closes it after (fixed), then removes both. */
function quoteValue(label: string, line: number, start: number, end: number): Keystroke[] {
  return [
    { label, apply: (b) => b.type({ line, character: start }, '"') },
    { label, apply: (b) => b.type({ line, character: end + 1 }, '"') },
    { label, apply: (b) => b.backspace({ line, character: end + 2 }) },
    { label, apply: (b) => b.backspace({ line, character: start + 1 }) },
  ];
}

/** Lines of a kind, to spread the edits over the whole file. */
function linesMatching(lines: readonly string[], regex: RegExp): number[] {
  return lines.flatMap((text, i) => (regex.test(text) ? [i] : []));
}

/**
 * The keystrokes for one file: rounds of small edits, each round at another
 * client section (start, middle, end of the file in turn), each edit undone
 * before the next, so every position stays valid and the file ends as it began.
 * Several edits pass through an error and fix it again: a shell command made
 * incomplete (`&&` with nothing after it), an unclosed quote, a misspelt key,
 * a MAC address one digit short, a new line that is not yet `KEY = value`.
 */
function plan(text: string, language: 'ltsconf' | 'ltspconf', count: number): Keystroke[] {
  const lines = text.split('\n');
  const lts = language === 'ltsconf';
  const hostnames = linesMatching(lines, lts ? /^ {4}HOSTNAME = \S+$/ : /^HOSTNAME=\S+$/);
  const commands = linesMatching(lines, lts ? /^ {4}RCFILE_04_SEAT = ".*"$/ : /^POST_INIT_SEAT=".*"$/);
  const plainValues = linesMatching(lines, lts ? /^ {4}X_MODE_0 = \S+$/ : /^AUTOLOGIN=\S+$/);
  const keys = linesMatching(lines, lts ? /^ {4}LDM_AUTOLOGIN = / : /^AUTOLOGIN=/);
  const macs = linesMatching(lines, /^\[[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\]$/);
  // Where rounds happen, in file order fractions: start, middle, end, quarter, three quarters, ...
  const spots = [0.5, 0.05, 0.95, 0.25, 0.75, 0.4, 0.6, 0.15, 0.85, 0.33, 0.66];
  const near = (candidates: number[], fraction: number): number => {
    const target = fraction * lines.length;
    return candidates.reduce((best, l) => (Math.abs(l - target) < Math.abs(best - target) ? l : best), candidates[0] ?? 0);
  };
  const out: Keystroke[] = [];
  // Whole edits only (an edit that does not fit is skipped), so the file ends as it began.
  const add = (edit: Keystroke[]) => {
    if (out.length + edit.length <= count) out.push(...edit);
  };
  for (let round = 0; round < 1000 && out.length < count - 1; round++) {
    const at = spots[round % spots.length]! + Math.floor(round / spots.length) * 0.013;
    const fraction = at % 1;
    // A value grows and shrinks back (no error on the way).
    const host = near(hostnames, fraction);
    add(typeAndDelete('type into a value', { line: host, character: lines[host]!.length }, '-spare'));
    // A shell command: ` && sync` is an error after `&&` until `sync` is typed.
    const cmd = near(commands, fraction);
    add(typeAndDelete('shell command (error, then fixed)', { line: cmd, character: lines[cmd]!.length - 1 }, ' && sync'));
    // A quote opened before a value is an error until it is closed.
    const plain = near(plainValues, fraction);
    const valueStart = lines[plain]!.indexOf('=') + (lts ? 2 : 1);
    add(quoteValue('unclosed quote, then closed', plain, valueStart, lines[plain]!.length));
    // A misspelt key: unknown variable, with suggestions, then fixed.
    const key = near(keys, fraction);
    const keyEnd = lines[key]!.indexOf(lts ? ' =' : '=');
    add(typeAndDelete('misspelt key (error, then fixed)', { line: key, character: keyEnd }, 'X'));
    // A MAC section header loses its last digit (not a MAC any more), which is typed again.
    const mac = near(macs, fraction);
    const macEnd = lines[mac]!.length - 1;
    const digit = lines[mac]![macEnd - 1]!;
    add([
      { label: 'MAC header (error, then fixed)', apply: (b) => b.backspace({ line: mac, character: macEnd }) },
      { label: 'MAC header (error, then fixed)', apply: (b) => b.type({ line: mac, character: macEnd - 1 }, digit) },
    ]);
    // A new setting typed on a new line after the hostname, then deleted.
    add(typeAndDelete('new line with a setting', { line: host, character: lines[host]!.length }, lts ? '\n    SOUND = False' : '\nLOCAL_SWAP=0'));
  }
  return out.slice(0, count);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function summarize(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    n: values.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(values.reduce((a, b) => a + b, 0) / (values.length || 1)),
  };
}

interface FileResult {
  file: string;
  language: string;
  lines: number;
  bytes: number;
  sync: 'incremental' | 'full';
  openToFirstDiagnosticsMs: number;
  firstDiagnostics: number;
  keystrokes: ReturnType<typeof summarize>;
  byEdit: Record<string, ReturnType<typeof summarize>>;
  diagnosticsRange: [number, number];
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
  const language = basename(file) === 'lts.conf' || file.endsWith('.lts.conf') ? 'ltsconf' : 'ltspconf';
  const uri = `file:///bench/${language === 'ltsconf' ? 'lts.conf' : 'ltsp.conf'}`;
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

function sendChange(client: TestLspClient, uri: string, version: number, contentChanges: unknown[]): Promise<void> {
  return client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const at = args.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const value = args[at + 1] ?? fallback;
    args.splice(at, 2);
    return value;
  };
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
        : `  LSP ${basename(file)} (${sync}): open→diagnostics ${r.openToFirstDiagnosticsMs} ms; ${k.n} keystrokes p50 ${k.p50} ms, p95 ${k.p95} ms, max ${k.max} ms\n`,
    );
  }
  if (json) writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  else process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}

void main();
