import type { Position, Range } from 'vscode-languageserver-types';

/** One physical line of a document, without its line terminator. */
export interface SourceLine {
  readonly line: number;
  readonly text: string;
  /** Offset of the first character in the whole document. */
  readonly offset: number;
}

/**
 * Splits a document into lines. `\r\n`, `\n` and lone `\r` all end a line, as
 * in LSP, so ranges computed from these lines are right for either convention.
 */
export function splitLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  let start = 0;
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) {
      lines.push({ line, text: text.slice(start, i), offset: start });
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      line++;
    }
  }
  lines.push({ line, text: text.slice(start), offset: start });
  return lines;
}

/** The line terminator a document mostly uses, so edits keep the file's style. */
export function detectEol(text: string): '\n' | '\r\n' {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

export function range(line: number, start: number, endLine: number, end: number): Range {
  return { start: { line, character: start }, end: { line: endLine, character: end } };
}

export function lineRange(line: number, start: number, end: number): Range {
  return range(line, start, line, end);
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function containsPosition(r: Range, p: Position): boolean {
  return comparePositions(r.start, p) <= 0 && comparePositions(p, r.end) <= 0;
}

/** Maps between offsets and positions in one document. */
export class LineIndex {
  private readonly starts: number[];
  constructor(private readonly text: string) {
    this.starts = splitLines(text).map((l) => l.offset);
  }
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - (this.starts[lo] ?? 0) };
  }
  offsetAt(p: Position): number {
    const start = this.starts[p.line];
    if (start === undefined) return this.text.length;
    return Math.min(start + p.character, this.text.length);
  }
}

/** The word (letters, digits, `_`, `-`, `.`) around a column of a line. */
export function wordAt(text: string, character: number, extra = ''): { start: number; end: number; word: string } {
  const isWord = (c: string | undefined) => c !== undefined && (/[A-Za-z0-9_.-]/.test(c) || extra.includes(c));
  let start = character;
  let end = character;
  while (start > 0 && isWord(text[start - 1])) start--;
  while (end < text.length && isWord(text[end])) end++;
  return { start, end, word: text.slice(start, end) };
}
