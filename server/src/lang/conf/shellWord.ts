import type { SourceLine } from '../core/text';

export interface ShellWord {
  /** The word after quote removal, as the shell would assign it. */
  readonly value: string;
  /** Where the word ends (exclusive), which may be lines later. */
  readonly endLine: number;
  readonly endCharacter: number;
  /** False when a quote is still open at the end of the document. */
  readonly closed: boolean;
  readonly openQuote?: '"' | "'";
  /** Where the last quote opened: with `closed` false, the one never closed. */
  readonly openLine: number;
  readonly openCharacter: number;
}

/**
 * Reads one POSIX sh word starting at a column: plain characters, `\x`,
 * '...' and "..." (with `\` escapes inside), running over line ends while a
 * quote is open. It stops at unquoted blanks, `;`, `&`, `|` or `#`.
 * Expansions (`$VAR`, `$(...)`) are kept as text: their value is only known
 * on the client.
 */
export function readShellWord(lines: readonly SourceLine[], startLine: number, startCharacter: number): ShellWord {
  let value = '';
  let lineIndex = startLine;
  let text = lines[lineIndex]?.text ?? '';
  let i = startCharacter;
  let quote: '"' | "'" | null = null;
  let openLine = startLine;
  let openCharacter = startCharacter;
  let depth = 0;
  for (;;) {
    if (i >= text.length) {
      if (quote === null || lineIndex + 1 >= lines.length) break;
      value += '\n';
      lineIndex++;
      text = lines[lineIndex]!.text;
      i = 0;
      continue;
    }
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else value += c;
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '$`"\\'.includes(text[i + 1]!)) {
        value += text[i + 1];
        i++;
      } else value += c;
      i++;
    } else {
      if (depth === 0 && (c === ' ' || c === '\t' || c === ';' || c === '&' || c === '|' || (c === '#' && value === ''))) break;
      if (c === "'" || c === '"') {
        quote = c;
        openLine = lineIndex;
        openCharacter = i;
      } else if (c === '\\' && i + 1 < text.length) {
        value += text[i + 1];
        i++;
      } else {
        if (c === '(' && text[i - 1] === '$') depth++;
        else if (c === ')' && depth > 0) depth--;
        value += c;
      }
      i++;
    }
  }
  return { value, endLine: lineIndex, endCharacter: Math.min(i, text.length), closed: quote === null, openQuote: quote ?? undefined, openLine, openCharacter };
}
