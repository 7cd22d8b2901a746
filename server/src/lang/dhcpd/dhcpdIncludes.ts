import type { Diagnostic, Position, Range } from 'vscode-languageserver-types';
import { DiagnosticSink, type Reporter, type ServiceOptions } from '../core/diagnostics';
import type { FileDiagnostics, IncludedFiles } from '../core/service';
import { splitLines } from '../core/text';
import type { IncludeStatement, ParseResult } from './ast';
import { walkStatements } from './dhcpdModel';
import { dhcpdRules, type DhcpdCode } from './dhcpdRules';
import type { HostVerdicts } from './dhcpdValidation';
import { dhcpdValidation } from './dhcpdValidation';

/**
 * `include "FILE";` followed as dhcpd follows it: "the contents of that file
 * [are processed] as though [they] were entered in place of the include
 * statement" (dhcpd.conf(5)). The files are put together into one text, line
 * by line (each include's file after the include's line, the statement itself
 * blanked), which is checked as one config, so that a MAC used in two files
 * or an option defined in one and used in another is judged as dhcpd judges
 * it. Every finding is then put back in the file and at the line it came from.
 */

/** Includes nested deeper than this are not followed (a cycle is caught before; this bounds the rest). */
const MAX_DEPTH = 16;

/** Where each line of the combined text comes from. */
interface LineOrigin {
  readonly document: string;
  readonly line: number;
}

interface Expansion {
  readonly lines: string[];
  readonly origins: LineOrigin[];
  /** Includes that could not be followed, reported in the file that holds them. */
  readonly problems: { document: string; code: DhcpdCode; range: Range; params: Record<string, string> }[];
  /** Every file read, in the order first met. */
  readonly documents: string[];
}

/** Parses a text as the next version of the named document. */
type Parse = (text: string, name: string) => ParseResult;

function includesOf(parsed: ParseResult): IncludeStatement[] {
  // A keystroke in a 20,000-line file should not walk every statement to find that there is no include.
  if (!parsed.tree.tokens.some((t) => t.kind === 'word' && t.value.length === 7 && t.value.toLowerCase() === 'include')) return [];
  const found: IncludeStatement[] = [];
  walkStatements(parsed.tree.statements, (s) => {
    // One without its `;` stays as it is, to be reported (dhcpd stops there and includes nothing).
    if (s.kind === 'include' && s.path && s.semicolon) found.push(s);
  });
  return found;
}

async function expand(document: string, text: string, parsed: ParseResult, files: IncludedFiles, parse: Parse, chain: string[], out: Expansion): Promise<void> {
  if (!out.documents.includes(document)) out.documents.push(document);
  const lines = splitLines(text).map((l) => l.text);
  const includes = includesOf(parsed);
  let next = 0;
  const copyUpTo = (end: number) => {
    for (; next < end; next++) {
      out.lines.push(lines[next]!);
      out.origins.push({ document, line: next });
    }
  };
  for (const include of includes) {
    const path = include.path!;
    const { start, end } = include.range;
    // The statement is blanked where it stands (columns of the rest of its lines unchanged), the file follows its last line.
    for (let line = start.line; line <= end.line; line++) {
      const from = line === start.line ? start.character : 0;
      const to = line === end.line ? end.character : lines[line]!.length;
      lines[line] = lines[line]!.slice(0, from) + ' '.repeat(to - from) + lines[line]!.slice(to);
    }
    copyUpTo(end.line + 1);
    const target = files.resolve(document, path.value);
    if (chain.includes(target) || target === document) {
      const cycle = [...chain, document, target].map((d) => files.describe(d)).join(' → ');
      out.problems.push({ document, code: 'DHCP031', range: path.range, params: { path: path.value, chain: cycle } });
      continue;
    }
    if (chain.length >= MAX_DEPTH) continue;
    const included = await files.read(target);
    if (included === undefined) {
      out.problems.push({ document, code: 'DHCP030', range: path.range, params: { path: path.value, resolved: target.replace(/^file:\/\//, '') } });
      continue;
    }
    await expand(target, included, parse(included, target), files, parse, [...chain, document], out);
  }
  copyUpTo(lines.length);
}

/** Maps the combined text's findings back to their files. */
class Redirect implements Reporter<DhcpdCode> {
  constructor(
    private readonly origins: readonly LineOrigin[],
    private readonly sinkOf: (document: string) => DiagnosticSink<DhcpdCode>,
    private readonly files: IncludedFiles,
  ) {}

  private origin(line: number): LineOrigin {
    return this.origins[Math.min(line, this.origins.length - 1)] ?? { document: '', line: 0 };
  }

  private position(p: Position, document: string, fallback: Position): Position {
    const o = this.origin(p.line);
    return o.document === document ? { line: o.line, character: p.character } : fallback;
  }

  /** A line number (1-based) of the combined text, as the reader of `document` should see it. */
  private lineName(line: number, document: string): string {
    const o = this.origin(line - 1);
    return o.document === document ? String(o.line + 1) : `${o.line + 1} of ${this.files.describe(o.document)}`;
  }

  report(code: DhcpdCode, range: Range, params: Readonly<Record<string, string | number>> = {}, data?: unknown): void {
    const origin = this.origin(range.start.line);
    const start = { line: origin.line, character: range.start.character };
    const mapped: Range = { start, end: this.position(range.end, origin.document, { line: start.line, character: range.start.character + 1 }) };
    let fixed: Record<string, string | number> = params;
    if (typeof params.line === 'number') fixed = { ...params, line: this.lineName(params.line, origin.document) };
    if (typeof params.where === 'string') fixed = { ...fixed, where: params.where.replace(/ on line (\d+)$/, (_, n: string) => ` on line ${this.lineName(Number(n), origin.document)}`) };
    let moved = data;
    if (data && typeof data === 'object') {
      const d = data as { insertAt?: Position; dhcpdLine?: number };
      moved = { ...d };
      if (d.insertAt) (moved as { insertAt?: Position }).insertAt = this.position(d.insertAt, origin.document, start);
      if (typeof d.dhcpdLine === 'number') (moved as { dhcpdLine?: number }).dhcpdLine = this.origin(d.dhcpdLine).line;
    }
    this.sinkOf(origin.document).report(code, mapped, fixed, moved);
  }
}

/** One file's diagnostics once: a file included twice is reported once. */
function distinct(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.range, d.code, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Checks a dhcpd.conf with the files it includes. Without includes this is
 * the plain check of the document.
 */
export async function validateWithIncludes(
  document: string,
  text: string,
  files: IncludedFiles,
  options: ServiceOptions,
  parse: Parse,
  verdicts: HostVerdicts | undefined,
): Promise<FileDiagnostics[]> {
  const parsed = parse(text, document);
  if (includesOf(parsed).length === 0) {
    const sink = new DiagnosticSink(dhcpdRules, options);
    dhcpdValidation(parsed, sink, text, verdicts);
    return [{ document, diagnostics: sink.sorted() }];
  }
  const out: Expansion = { lines: [], origins: [], problems: [], documents: [] };
  await expand(document, text, parsed, files, parse, [], out);
  const sinks = new Map<string, DiagnosticSink<DhcpdCode>>(out.documents.map((d) => [d, new DiagnosticSink(dhcpdRules, options)]));
  const sinkOf = (d: string) => sinks.get(d)!;
  for (const p of out.problems) sinkOf(p.document).report(p.code, p.range, p.params);
  const combined = out.lines.join('\n');
  dhcpdValidation(parse(combined, `${document}\u0000with includes`), new Redirect(out.origins, sinkOf, files), combined, verdicts);
  return out.documents.map((d) => ({ document: d, diagnostics: distinct(sinkOf(d).sorted()) }));
}
