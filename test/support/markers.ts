import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-types';
import { LineIndex } from '../../server/src/lang/core/text';

/**
 * Inline test cases: `$0` marks the cursor, `⟦...⟧` marks expected ranges in
 * order. The markers are removed from the text the service sees.
 */
export interface MarkedText {
  readonly text: string;
  readonly cursor: Position | undefined;
  readonly ranges: Range[];
}

export function marked(source: string, eol: '\n' | '\r\n' = '\n'): MarkedText {
  const input = source.replace(/\r?\n/g, eol);
  let text = '';
  let cursorOffset: number | undefined;
  const opens: number[] = [];
  const spans: { start: number; end: number }[] = [];
  for (let i = 0; i < input.length; i++) {
    if (input.startsWith('$0', i)) {
      cursorOffset = text.length;
      i++;
    } else if (input[i] === '⟦') opens.push(text.length);
    else if (input[i] === '⟧') spans.push({ start: opens.pop() ?? 0, end: text.length });
    else text += input[i];
  }
  spans.sort((a, b) => a.start - b.start);
  const index = new LineIndex(text);
  return {
    text,
    cursor: cursorOffset === undefined ? undefined : index.positionAt(cursorOffset),
    ranges: spans.map((s) => ({ start: index.positionAt(s.start), end: index.positionAt(s.end) })),
  };
}

/** Runs a case twice, with `\n` and with `\r\n` line endings. */
export function bothEols(name: string, fn: (eol: '\n' | '\r\n') => unknown): void {
  for (const eol of ['\n', '\r\n'] as const) test(`${name} (${eol === '\n' ? 'LF' : 'CRLF'})`, async () => {
    await fn(eol);
  });
}

/**
 * Asserts that the diagnostics with the given codes are exactly these, at the
 * marked ranges in order; codes not listed are not looked at.
 */
export function assertDiagnostics(diagnostics: readonly Diagnostic[], expected: readonly string[], ranges: readonly Range[], only?: readonly string[]): void {
  const watched = new Set(only ?? expected);
  const got = diagnostics.filter((d) => watched.has(String(d.code)));
  assert.deepEqual(
    got.map((d) => ({ code: d.code, range: d.range })),
    expected.map((code, i) => ({ code, range: ranges[i] })),
    `diagnostics were:\n${diagnostics.map((d) => `${d.code} ${JSON.stringify(d.range)} ${d.message}`).join('\n')}`,
  );
}
