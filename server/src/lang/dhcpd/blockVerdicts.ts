import type { Range } from 'vscode-languageserver-types';
import type { Reporter } from '../core/diagnostics';

/** One report of a block's checks; lines relative to the block's first line, characters as they are. */
interface Recorded<Code extends string> {
  readonly code: Code;
  readonly range: Range;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly data?: unknown;
}

/**
 * What the local checks of a block said, by the block's exact text (and
 * whatever else the caller puts in the key): a keystroke changes one host of
 * thousands, and every other host's verdict still holds wherever the lines
 * moved. Verdicts belong to one "world" (the option definitions the checks
 * resolve names against); a few worlds are kept, for an editor with several
 * dhcpd.conf files open.
 */
export class BlockVerdicts<Code extends string> {
  private readonly worlds = new Map<string, Map<string, readonly Recorded<Code>[]>>();
  private memo = new Map<string, readonly Recorded<Code>[]>();

  constructor(
    private readonly limit = 50000,
    private readonly worldLimit = 4,
  ) {}

  /** Starts a validation in a world: verdicts made against other option definitions do not hold in it. */
  enter(world: string): void {
    let memo = this.worlds.get(world);
    if (!memo || memo.size > this.limit) memo = new Map();
    // Most recently used last, so the first is the one to forget.
    this.worlds.delete(world);
    this.worlds.set(world, memo);
    if (this.worlds.size > this.worldLimit) this.worlds.delete(this.worlds.keys().next().value as string);
    this.memo = memo;
  }

  /**
   * Reports the block's findings, moved to `firstLine`; runs `check` (which
   * must report only inside the block) when this key was never seen.
   */
  replay(key: string, firstLine: number, reporter: Reporter<Code>, check: (recorder: Reporter<Code>) => void): void {
    let verdict = this.memo.get(key);
    if (!verdict) {
      const recorded: Recorded<Code>[] = [];
      check({
        report(code, range, params, data) {
          recorded.push({ code, range: shift(range, -firstLine), params, data });
        },
      });
      verdict = recorded;
      this.memo.set(key, verdict);
    }
    for (const r of verdict) reporter.report(r.code, shift(r.range, firstLine), r.params, r.data);
  }
}

function shift(range: Range, lines: number): Range {
  return {
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  };
}
