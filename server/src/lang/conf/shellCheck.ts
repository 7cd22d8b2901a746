/**
 * Shell syntax checking, with the parser injected: the real one (mvdan/sh
 * compiled to WebAssembly, `sh-syntax`) must load a file, which this pure
 * service may not do. The host (language server, CLI) passes it in.
 */
export interface ShellSyntaxError {
  /** 0-based line and column in the script that was checked. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface ShellSyntaxChecker {
  /** The first syntax error of a POSIX sh script, or null when it parses. */
  check(script: string): Promise<ShellSyntaxError | null>;
}

export interface SnippetError {
  readonly index: number;
  /** Line and column inside the snippet. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Results per snippet text, per checker: an edit re-checks only what it changed. */
const memo = new WeakMap<ShellSyntaxChecker, Map<string, Omit<SnippetError, 'index'> | null>>();
const MEMO_LIMIT = 20000;
const BATCH_BYTES = 32 * 1024;

/**
 * Checks many small scripts with few parser calls: they are joined into one
 * script, each inside a function of its own. When that fails, the snippet
 * where the parser stopped is checked alone, then the ones before and after
 * it. (Its verdict alone is not enough: a quote left open in one snippet is
 * reported where a later one ends.) The parser costs about 2 ms per KB, so a
 * file with hundreds of RCFILE_ lines checked one by one would take seconds.
 * Each snippet must stand alone, which holds for values and for ltsp.conf
 * sections alike.
 */
export async function checkSnippets(snippets: readonly string[], checker: ShellSyntaxChecker): Promise<SnippetError[]> {
  let cache = memo.get(checker);
  if (!cache || cache.size > MEMO_LIMIT) {
    cache = new Map();
    memo.set(checker, cache);
  }
  const known = cache;
  const settle = async (batch: readonly string[]): Promise<void> => {
    const starts: number[] = [];
    let line = 0;
    const parts = batch.map((body, i) => {
      starts.push(line + 2);
      line += body.split('\n').length + 3;
      // The no-op comes first: after the body it would complete a dangling `&&` or `|`.
      return `f${i}() {\n:\n${body}\n}`;
    });
    const error = await checker.check(parts.join('\n') + '\n');
    if (!error) {
      for (const body of batch) known.set(body, null);
      return;
    }
    if (batch.length === 1) {
      const body = batch[0]!;
      const inside = Math.min(Math.max(error.line - 2, 0), body.split('\n').length - 1);
      known.set(body, { line: inside, column: error.line - 2 === inside ? error.column : 0, message: error.message });
      return;
    }
    let at = starts.length - 1;
    while (at > 0 && starts[at]! > error.line) at--;
    await settle(batch.slice(at, at + 1));
    if (at > 0) await settle(batch.slice(0, at));
    if (at + 1 < batch.length) await settle(batch.slice(at + 1));
  };
  const todo = [...new Set(snippets.filter((s) => !known.has(s)))];
  // Batches stay small: the parser's cost and memory grow with its input.
  let batch: string[] = [];
  let size = 0;
  for (const snippet of todo) {
    if (batch.length && size + snippet.length > BATCH_BYTES) {
      await settle(batch);
      batch = [];
      size = 0;
    }
    batch.push(snippet);
    size += snippet.length;
  }
  if (batch.length) await settle(batch);
  const errors: SnippetError[] = [];
  snippets.forEach((snippet, index) => {
    const error = known.get(snippet);
    if (error) errors.push({ index, ...error });
  });
  return errors;
}
