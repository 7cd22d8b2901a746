import type { FormattingOptions, TextEdit } from 'vscode-languageserver-types';
import { detectEol } from '../core/text';
import type { Comment, ParseResult, Token } from './ast';
import { walkStatements } from './dhcpdModel';

/**
 * Re-lays the file out from its tokens: one statement per line, indented by
 * nesting, `} else {` kept together, comments and single blank lines kept.
 * A statement the author broke over lines (a long `if ... or ...`) keeps its
 * breaks, indented one step further. Tokens are never changed, only the
 * space between them; a file with an unclosed string is left alone, since
 * moving a line break there would change what dhcpd reads.
 */
export function formatDhcpd(text: string, parsed: ParseResult, options: FormattingOptions): TextEdit[] {
  const { tokens, comments } = parsed.tree;
  if (tokens.some((t) => t.unterminated)) return [];
  // Where statements start, from the tree: a line break there is never a continuation, even after a missing `;`.
  const starts = new Set<string>();
  walkStatements(parsed.tree.statements, (st) => starts.add(`${st.range.start.line}:${st.range.start.character}`));
  const formatted = layout(text, tokens, comments, options, starts);
  if (formatted === text) return [];
  return [{ range: parsed.tree.range, newText: formatted }];
}

type Item = { token: Token; comment?: undefined } | { comment: Comment; token?: undefined };

function layout(text: string, tokens: readonly Token[], comments: readonly Comment[], options: FormattingOptions, starts: ReadonlySet<string>): string {
  const eol = detectEol(text);
  const unit = options.insertSpaces ? ' '.repeat(options.tabSize) : '\t';
  const items: Item[] = [...tokens.map((token) => ({ token })), ...comments.map((comment) => ({ comment }))].sort((a, b) => start(a) - start(b));
  const lines: string[] = [];
  let line = '';
  let indent = 0;
  let continuation = false;
  let prevEnd = 0;
  const flush = () => {
    if (line !== '') lines.push(unit.repeat(indent + (continuation ? 1 : 0)) + line);
    line = '';
  };
  const blankBefore = () => {
    const last = lines[lines.length - 1];
    if (last !== undefined && last !== '' && !last.endsWith('{')) lines.push('');
  };
  for (const [index, item] of items.entries()) {
    const gap = text.slice(prevEnd, start(item));
    const newlines = (gap.match(/\r\n|\r|\n/g) ?? []).length;
    prevEnd = item.token ? item.token.end : item.comment.end;
    if (item.comment) {
      if (line !== '' && newlines === 0) {
        line += ' ' + item.comment.text.trimEnd();
        flush();
        continue;
      }
      if (newlines === 0 && index > 0 && lines.length > 0) {
        // A comment after `;`, `{` or `}` on the same line stays on that line.
        lines[lines.length - 1] += ' ' + item.comment.text.trimEnd();
        continue;
      }
      flush();
      if (newlines >= 2) blankBefore();
      lines.push(unit.repeat(indent + (continuation ? 1 : 0)) + item.comment.text.trimEnd());
      continue;
    }
    const t = item.token;
    const punct = t.kind === 'punct' ? t.text : '';
    if (punct === '}') {
      flush();
      continuation = false;
      indent = Math.max(0, indent - 1);
      line = '}';
      const next = items[index + 1]?.token;
      if (!(next && next.kind === 'word' && ['else', 'elsif'].includes(next.value.toLowerCase()))) flush();
      continue;
    }
    if (line !== '' && line !== '}' && starts.has(`${t.range.start.line}:${t.range.start.character}`)) {
      flush();
      continuation = false;
    }
    if (line === '') {
      if (newlines >= 2) blankBefore();
      line = t.text;
    } else if (newlines > 0 && line !== '}' && punct !== ';' && punct !== '{') {
      // The author broke this statement over lines: keep the break.
      flush();
      continuation = true;
      line = t.text;
    } else {
      const tight = punct === ';' || punct === ',' || punct === ')' || line.endsWith('(') || (gap === '' && punct !== '{' && !line.endsWith(','));
      line += (tight ? '' : ' ') + t.text;
    }
    if (punct === '{') {
      flush();
      continuation = false;
      indent++;
    } else if (punct === ';') {
      flush();
      continuation = false;
    }
  }
  flush();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? text : lines.join(eol) + eol;
}

function start(item: Item): number {
  return item.token ? item.token.start : item.comment.start;
}
