// The typing that the latency benchmarks replay: an editor buffer edited one
// character at a time, and the plan of keystrokes for a generated file. Shared
// by bench/lsp-latency.ts (over the real server) and bench/profile.ts (in process).

export interface Position {
  line: number;
  character: number;
}

export interface Change {
  range: { start: Position; end: Position };
  text: string;
}

/** The document as the editor holds it: lines, edited one character at a time. */
export class EditorBuffer {
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
export type Keystroke = { label: string; apply: (buffer: EditorBuffer) => Change };

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
export function plan(text: string, language: BenchLanguage, count: number): Keystroke[] {
  if (language === 'dhcpd') return planDhcpd(text, count);
  const lines = text.split('\n');
  const lts = language === 'ltsconf';
  const hostnames = linesMatching(lines, lts ? /^ {4}HOSTNAME = \S+$/ : /^HOSTNAME=\S+$/);
  const commands = linesMatching(lines, lts ? /^ {4}RCFILE_04_SEAT = ".*"$/ : /^POST_INIT_SEAT=".*"$/);
  const plainValues = linesMatching(lines, lts ? /^ {4}X_MODE_0 = \S+$/ : /^AUTOLOGIN=\S+$/);
  const keys = linesMatching(lines, lts ? /^ {4}LDM_AUTOLOGIN = / : /^AUTOLOGIN=/);
  const macs = linesMatching(lines, /^\[[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\]$/);
  const near = (candidates: number[], fraction: number) => nearestLine(candidates, fraction, lines.length);
  const { out, add } = keystrokeBudget(count);
  for (let round = 0; round < 1000 && out.length < count - 1; round++) {
    const fraction = roundFraction(round);
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


/** Where rounds happen, in file order fractions: start, middle, end, quarter, three quarters, ... */
const SPOTS = [0.5, 0.05, 0.95, 0.25, 0.75, 0.4, 0.6, 0.15, 0.85, 0.33, 0.66];

/** The fraction of the file where round `round` edits: the spots in turn, shifted a little each pass. */
function roundFraction(round: number): number {
  return (SPOTS[round % SPOTS.length]! + Math.floor(round / SPOTS.length) * 0.013) % 1;
}

/** Of the candidate lines, the one nearest to `fraction` of a file of `lineCount` lines. */
function nearestLine(candidates: readonly number[], fraction: number, lineCount: number): number {
  const target = fraction * lineCount;
  return candidates.reduce((best, l) => (Math.abs(l - target) < Math.abs(best - target) ? l : best), candidates[0] ?? 0);
}

/** Collects keystrokes up to `count`, whole edits only (one that does not fit is skipped), so the file ends as it began. */
function keystrokeBudget(count: number): { out: Keystroke[]; add: (edit: Keystroke[]) => void } {
  const out: Keystroke[] = [];
  return {
    out,
    add: (edit) => {
      if (out.length + edit.length <= count) out.push(...edit);
    },
  };
}

/**
 * The keystrokes for a dhcpd.conf, in the same rounds: a host name grows and
 * shrinks, a `;` is deleted (missing semicolon) and typed again, `hardware`
 * is misspelt (unknown statement) and fixed, a MAC loses its last digit, a
 * host's `}` is deleted (unclosed brace) and typed again, and a new
 * `filename` line is typed into a host and deleted.
 */
function planDhcpd(text: string, count: number): Keystroke[] {
  const lines = text.split('\n');
  const names = linesMatching(lines, /^ {4}option host-name "[^"]+";$/);
  const addresses = linesMatching(lines, /^ {4}fixed-address \S+;$/);
  const hardware = linesMatching(lines, /^ {4}hardware ethernet [0-9A-Fa-f:]+;$/);
  const closes = linesMatching(lines, /^ {2}}$/);
  const near = (candidates: number[], fraction: number) => nearestLine(candidates, fraction, lines.length);
  const { out, add } = keystrokeBudget(count);
  for (let round = 0; round < 1000 && out.length < count - 1; round++) {
    const fraction = roundFraction(round);
    const name = near(names, fraction);
    add(typeAndDelete('type into a value', { line: name, character: lines[name]!.length - 2 }, '-spare'));
    const address = near(addresses, fraction);
    const end = lines[address]!.length;
    add([
      { label: 'missing ; (error, then fixed)', apply: (b) => b.backspace({ line: address, character: end }) },
      { label: 'missing ; (error, then fixed)', apply: (b) => b.type({ line: address, character: end - 1 }, ';') },
    ]);
    const hw = near(hardware, fraction);
    add(typeAndDelete('misspelt statement (error, then fixed)', { line: hw, character: 12 }, 'X'));
    const macEnd = lines[hw]!.length - 1;
    const digit = lines[hw]![macEnd - 1]!;
    add([
      { label: 'MAC (error, then fixed)', apply: (b) => b.backspace({ line: hw, character: macEnd }) },
      { label: 'MAC (error, then fixed)', apply: (b) => b.type({ line: hw, character: macEnd - 1 }, digit) },
    ]);
    const close = near(closes, fraction);
    add([
      { label: 'unclosed brace (error, then fixed)', apply: (b) => b.backspace({ line: close, character: 3 }) },
      { label: 'unclosed brace (error, then fixed)', apply: (b) => b.type({ line: close, character: 2 }, '}') },
    ]);
    add(typeAndDelete('new line with a statement', { line: address, character: end }, '\n    filename "x";'));
  }
  return out.slice(0, count);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(values: readonly number[]) {
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

export type Summary = ReturnType<typeof summarize>;

export type BenchLanguage = 'ltsconf' | 'ltspconf' | 'dhcpd';

/** The language of a benchmark file, by its name as the server would tell it. */
export function languageOf(file: string): BenchLanguage {
  const name = file.replace(/\\/g, '/').split('/').pop() ?? '';
  if (name === 'dhcpd.conf' || name.endsWith('.dhcpd.conf')) return 'dhcpd';
  return name === 'lts.conf' || name.endsWith('.lts.conf') ? 'ltsconf' : 'ltspconf';
}
