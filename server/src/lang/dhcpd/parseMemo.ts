import type { ParseProblem, Statement, Token } from './ast';
import type { Context } from './parser';

/**
 * What the parser remembers of each block it read, so that the next parse of
 * an edited text can take the block as it was (see reparse.ts).
 */

/** How one statement was read, and what it depended on. */
export interface MemoEntry {
  readonly node: Statement;
  readonly context: Context;
  readonly depth: number;
  /** Tokens it consumed. */
  readonly consumed: number;
  /** Tokens it looked at, from its first (lookahead past its end included). */
  readonly window: number;
  /** `}` minus `{` from its first token to the end of the file, when it asked (an unclosed block); else undefined. */
  readonly tail?: number;
  /** The parse problems found inside it, in order. */
  readonly problems: ParseProblem[];
  /** The blocks recorded inside it. */
  readonly inner: StatementMemo;
}

/** Recorded statements by their first token. */
export type StatementMemo = Map<Token, MemoEntry>;

/** What the parser asks of the previous parse. */
export interface Reuse {
  /** Top-level records of the previous parse. */
  readonly memo: StatementMemo;
  /** Any record of the previous parse starting at this token (for blocks that moved to another parent). */
  anywhere(first: Token): MemoEntry | undefined;
  /** True when the tokens [start, start + window) are the previous parse's, untouched by the edit. */
  unchanged(start: number, window: number): boolean;
  /** The problem with its line numbers brought up to date (the ones kept as numbers, not positions). */
  refresh(problem: ParseProblem): ParseProblem;
}

/** Problems that name a line as a number: which token's line it is. */
const anchors = new WeakMap<ParseProblem, { token: Token; edge: 'start' | 'end' }>();

export function anchorProblem(problem: ParseProblem, token: Token, edge: 'start' | 'end'): void {
  anchors.set(problem, { token, edge });
}

export function refreshProblem(problem: ParseProblem): ParseProblem {
  const anchor = anchors.get(problem);
  if (!anchor) return problem;
  const line = anchor.token.range[anchor.edge].line;
  const data = problem.data as Record<string, unknown>;
  if (data.dhcpdLine === line) return problem;
  const params = problem.code === 'DHCP002' ? { ...problem.params, where: `\`${anchor.token.text}\` on line ${line + 1}` } : problem.params;
  const fresh: ParseProblem = { code: problem.code, range: problem.range, params, data: { ...data, dhcpdLine: line } };
  anchors.set(fresh, anchor);
  return fresh;
}

