import type { Position } from 'vscode-languageserver-types';
import type { Comment, ParseResult, Token } from './ast';
import { lexLines, type LexResult } from './lexer';
import { refreshProblem, type Reuse, type StatementMemo } from './parseMemo';
import { parseTokens } from './parser';

/**
 * Re-parsing after an edit. A keystroke in a 20,000-line dhcpd.conf changes
 * one line; reading the whole file again for it cost hundreds of milliseconds.
 * Here the edit is found (the common start and end of the old and new text),
 * only its lines are lexed again, the tokens after it are moved in place
 * (every range in the tree shares its positions with a token, so the tree
 * moves with them), and the parser takes each block whose tokens the edit did
 * not touch from the previous parse. The result is the one `parseDhcpdConf`
 * gives for the new text: `test/unit/dhcpd/incremental.test.ts` holds it to that.
 *
 * The price: a tree handed out before an edit of the same document is moved
 * by it. Callers use a tree right away (every service call parses first).
 */

/** One document's last parse, ready to be edited. */
interface State {
  readonly text: string;
  readonly result: ParseResult;
  readonly memo: StatementMemo;
}

/**
 * Parses the successive texts of one document, each from the last. Any text
 * may follow any other (an unrelated one is simply read whole).
 */
export class DhcpdReparser {
  private state: State | undefined;

  /** The text of the last parse. */
  get text(): string | undefined {
    return this.state?.text;
  }

  parse(text: string): ParseResult {
    const state = this.state;
    if (state?.text === text) return state.result;
    const next = state ? reparse(state, text) : fresh(text);
    this.state = next;
    return next.result;
  }
}

function fresh(text: string): State {
  const lexed = lexLines(text, 0, text.length, 0);
  const { result, memo } = parseTokens(lexed);
  return { text, result, memo };
}

function isBreak(code: number): boolean {
  return code === 10 || code === 13;
}

/** Line breaks in text[from, to), `\r\n` counting once. */
function countBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10 && i + 1 < to) i++;
    }
  }
  return n;
}

/**
 * The start of the line holding `offset`, or of the line before when a lone
 * `\r` ends that one (a `\n` typed after it joins the two breaks into one).
 */
function lineStart(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && !isBreak(text.charCodeAt(i))) i--;
  if (i < 0 || text.charCodeAt(i) === 10) return i + 1;
  i--;
  while (i >= 0 && !isBreak(text.charCodeAt(i))) i--;
  return i + 1;
}

/** The first line start after a break that begins at or after `offset`, or the end. */
function lineAfter(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return text.length;
}

/** The line of `offset` (a line start), counted on from the last token or comment before it. */
function lineAt(text: string, offset: number, token: Token | undefined, comment: Comment | undefined): number {
  const before = !token ? comment : !comment ? token : token.end > comment.end ? token : comment;
  if (!before) return countBreaks(text, 0, offset);
  return before.range.end.line + countBreaks(text, before.end, offset);
}

/** `items.splice(from, to - from, ...inserted)`, without spreading a large paste onto the stack. */
function replace<T>(items: T[], from: number, to: number, inserted: readonly T[]): void {
  if (inserted.length < 10000) {
    items.splice(from, to - from, ...inserted);
    return;
  }
  const tail = items.splice(from);
  items.length = from;
  for (const item of inserted) items.push(item);
  for (let i = to - from; i < tail.length; i++) items.push(tail[i]!);
}

/** First index in `items` (sorted by start) whose start is at or after `offset`. */
function firstAtOrAfter(items: readonly { readonly start: number }[], offset: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Moves tokens or comments after the edit: offsets by `offsets`, lines by `lines` (their columns are unchanged). */
function shift(items: readonly (Token | Comment)[], from: number, offsets: number, lines: number): void {
  if (offsets === 0 && lines === 0) return;
  for (let i = from; i < items.length; i++) {
    const item = items[i] as Mutable<Token>;
    item.start += offsets;
    item.end += offsets;
    if (lines !== 0) {
      (item.range.start as Mutable<Position>).line += lines;
      (item.range.end as Mutable<Position>).line += lines;
    }
  }
}

/** How many characters two texts share at their start, and then at their end. */
function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  const shorter = Math.min(a.length, b.length);
  // Whole chunks first: comparing slices is a memory compare, far faster than character by character.
  const chunk = 1024;
  let prefix = 0;
  while (prefix + chunk <= shorter && a.slice(prefix, prefix + chunk) === b.slice(prefix, prefix + chunk)) prefix += chunk;
  while (prefix < shorter && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const room = shorter - prefix;
  while (suffix + chunk <= room && a.slice(a.length - suffix - chunk, a.length - suffix) === b.slice(b.length - suffix - chunk, b.length - suffix)) suffix += chunk;
  while (suffix < room && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  return { prefix, suffix };
}

function reparse(state: State, text: string): State {
  const old = state.text;
  const { prefix, suffix } = commonEnds(old, text);
  const from = lineStart(text, prefix);
  const to = lineAfter(text, text.length - suffix);
  const growth = text.length - old.length;
  const oldTo = to - growth;
  const { tree } = state.result;
  const tokens = tree.tokens as Token[];
  const comments = tree.comments as Comment[];
  const tokenFrom = firstAtOrAfter(tokens, from);
  const tokenTo = firstAtOrAfter(tokens, oldTo);
  const commentFrom = firstAtOrAfter(comments, from);
  const commentTo = firstAtOrAfter(comments, oldTo);
  const firstLine = lineAt(text, from, tokens[tokenFrom - 1], comments[commentFrom - 1]);
  const lexed = lexLines(text, from, to, firstLine);
  const lineGrowth = lexed.end.line - (firstLine + countBreaks(old, from, oldTo));
  // In place: copying the arrays of a 20,000-line file costs more than the whole re-parse.
  shift(tokens, tokenTo, growth, lineGrowth);
  replace(tokens, tokenFrom, tokenTo, lexed.tokens);
  shift(comments, commentTo, growth, lineGrowth);
  replace(comments, commentFrom, commentTo, lexed.comments);
  const end: Position = to === text.length ? lexed.end : { line: tree.range.end.line + lineGrowth, character: tree.range.end.character };
  const whole: LexResult = { tokens, comments, end };

  // In the new token list, [tokenFrom, editEnd) are new; before them the old ones as they were, after them the old ones moved.
  const editEnd = tokenFrom + lexed.tokens.length;
  let everywhere: StatementMemo | undefined;
  const reuse: Reuse = {
    memo: state.memo,
    anywhere(first) {
      if (!everywhere) {
        everywhere = new Map();
        const collect = (memo: StatementMemo) => {
          for (const [token, entry] of memo) {
            everywhere!.set(token, entry);
            collect(entry.inner);
          }
        };
        collect(state.memo);
      }
      return everywhere.get(first);
    },
    unchanged: (start, window) => start >= editEnd || start + window <= tokenFrom,
    refresh: refreshProblem,
  };
  const { result, memo } = parseTokens(whole, reuse);
  return { text, result, memo };
}

/**
 * A few documents' parses (an editor may have several dhcpd.conf files open):
 * a text is parsed from the one it most resembles at both ends, and that one
 * becomes its parse. The least recently used is forgotten.
 */
export class DhcpdParses {
  private readonly documents: DhcpdReparser[] = [];
  private readonly named = new Map<string, DhcpdReparser>();
  constructor(private readonly size = 4) {}

  /** With `name` (a document's URI or path), the text is parsed from that document's last text. */
  parse(text: string, name?: string): ParseResult {
    if (name !== undefined) {
      let document = this.named.get(name);
      if (!document) {
        document = new DhcpdReparser();
        if (this.named.size >= this.size * 4) this.named.delete(this.named.keys().next().value as string);
      }
      this.named.delete(name);
      this.named.set(name, document);
      return document.parse(text);
    }
    let best: DhcpdReparser | undefined;
    let bestScore = -1;
    for (const document of this.documents) {
      const score = resemblance(document.text ?? '', text);
      if (score > bestScore) {
        best = document;
        bestScore = score;
      }
    }
    if (!best || bestScore === 0) {
      best = new DhcpdReparser();
      this.documents.push(best);
      if (this.documents.length > this.size) this.documents.shift();
    } else {
      this.documents.splice(this.documents.indexOf(best), 1);
      this.documents.push(best);
    }
    return best.parse(text);
  }
}

/** How many characters two texts share at their start and end, counting at most 4,096 at each. */
function resemblance(a: string, b: string): number {
  if (a === b) return Infinity;
  const limit = Math.min(a.length, b.length, 4096);
  let start = 0;
  while (start < limit && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let end = 0;
  while (end < limit - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
  return start + end;
}
