import type { Range } from 'vscode-languageserver-types';
import { lineRange } from '../core/text';
import type { ConfDocument } from '../conf/model';
import { allEntries } from '../conf/model';
import { checkSnippets, type ShellSyntaxChecker } from '../conf/shellCheck';

export interface ShellChunk {
  /** The document line the chunk's first line comes from. */
  readonly startLine: number;
  readonly text: string;
}

/**
 * The shell that `ini2sh` makes of an ltsp.conf, one chunk per section (the
 * part before the first header is a chunk too). ini2sh wraps each section in a
 * function, so no shell construct can span two sections, and each chunk can be
 * checked alone: an edit re-checks only its own section. Lines map one to one:
 * INCLUDE becomes a no-op, assignments lose the spaces around `=`, and every
 * other line is copied as it is, as ini2sh does.
 */
export function ltspConfShellChunks(doc: ConfDocument): ShellChunk[] {
  const lines = doc.lines;
  const headers = new Set(doc.sections.map((s) => s.headerRange.start.line));
  const assignments = new Map(allEntries(doc).map((e) => [e.range.start.line, e]));
  const chunks: ShellChunk[] = [];
  let current: { startLine: number; lines: string[] } = { startLine: 0, lines: [] };
  for (const { line, text: raw } of lines) {
    if (headers.has(line)) {
      chunks.push({ startLine: current.startLine, text: current.lines.join('\n') });
      current = { startLine: line, lines: [':'] };
      continue;
    }
    const entry = assignments.get(line);
    if (!entry) current.lines.push(raw);
    else if (entry.key.toUpperCase() === 'INCLUDE') current.lines.push(':');
    else current.lines.push(`${entry.key}=${raw.slice(entry.valueRange.start.character)}`);
  }
  chunks.push({ startLine: current.startLine, text: current.lines.join('\n') });
  return chunks;
}

export async function checkShellScript(doc: ConfDocument, checker: ShellSyntaxChecker): Promise<{ range: Range; message: string }[]> {
  // An unclosed quote already has its own, clearer diagnostic.
  if (doc.problems.some((p) => p.code === 'LTSP004')) return [];
  const chunks = ltspConfShellChunks(doc);
  const lines = doc.lines;
  const errors = await checkSnippets(
    chunks.map((c) => c.text),
    checker,
  );
  return errors.map((error) => {
    const line = Math.min(chunks[error.index]!.startLine + error.line, lines.length - 1);
    const raw = lines[line]?.text ?? '';
    const indent = raw.length - raw.trimStart().length;
    return { range: lineRange(line, indent, raw.trimEnd().length), message: error.message };
  });
}
