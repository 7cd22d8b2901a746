import type { Range } from 'vscode-languageserver-types';
import { lineRange, splitLines } from '../core/text';
import type { ConfDocument } from '../conf/model';
import { allEntries } from '../conf/model';
import type { ShellSyntaxChecker } from '../conf/shellCheck';

/**
 * Rebuilds the shell script that `ini2sh` makes of an ltsp.conf, keeping one
 * output line per input line so that a syntax error maps straight back: a
 * header closes the previous function and opens the next on the same line,
 * INCLUDE becomes a no-op, assignments lose the spaces around `=`, and every
 * other line is copied as it is, as ini2sh does.
 */
export function ltspConfAsShell(text: string, doc: ConfDocument): string {
  const lines = splitLines(text);
  const headers = new Set(doc.sections.map((s) => s.headerRange.start.line));
  const assignments = new Map(allEntries(doc).map((e) => [e.range.start.line, e]));
  const out = lines.map(({ line, text: raw }) => {
    if (headers.has(line)) return `}; section_${line}() { :`;
    const entry = assignments.get(line);
    if (!entry) return raw;
    if (entry.key.toUpperCase() === 'INCLUDE') return ':';
    return `${entry.key}=${raw.slice(entry.valueRange.start.character)}`;
  });
  out[0] = 'section_unnamed() { :; ' + (out[0] ?? '');
  return out.join('\n') + '\n}\n';
}

export async function checkShellScript(text: string, doc: ConfDocument, checker: ShellSyntaxChecker): Promise<{ range: Range; message: string } | null> {
  // An unclosed quote already has its own, clearer diagnostic.
  if (doc.problems.some((p) => p.code === 'LTSP004')) return null;
  const error = await checker.check(ltspConfAsShell(text, doc));
  if (!error) return null;
  const lines = splitLines(text);
  const line = Math.min(error.line, lines.length - 1);
  const raw = lines[line]?.text ?? '';
  const indent = raw.length - raw.trimStart().length;
  return { range: lineRange(line, indent, raw.trimEnd().length), message: error.message };
}
