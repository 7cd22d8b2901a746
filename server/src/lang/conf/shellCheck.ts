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

/**
 * Checks many small scripts with few parser calls: they are joined into one
 * script, each inside a function of its own; only when that fails is the
 * batch halved, down to the snippets that fail alone. A parse costs
 * milliseconds, so a file with hundreds of RCFILE_ lines would otherwise take
 * seconds. (Mapping the batch's error position back is not enough: a quote
 * left open in one snippet is reported where a later one ends.) Each snippet
 * must stand alone, which holds for values and for ltsp.conf sections alike.
 */
export async function checkSnippets(snippets: readonly string[], checker: ShellSyntaxChecker): Promise<SnippetError[]> {
  let cache = memo.get(checker);
  if (!cache || cache.size > MEMO_LIMIT) {
    cache = new Map();
    memo.set(checker, cache);
  }
  const known = cache;
  const settle = async (batch: readonly string[]): Promise<void> => {
    const script = batch.map((body, i) => `f${i}() {\n${body}\n:\n}`).join('\n') + '\n';
    const error = await checker.check(script);
    if (!error) {
      for (const body of batch) known.set(body, null);
    } else if (batch.length === 1) {
      const body = batch[0]!;
      const lines = body.split('\n').length;
      const inside = Math.min(Math.max(error.line - 1, 0), lines - 1);
      known.set(body, { line: inside, column: error.line - 1 === inside ? error.column : 0, message: error.message });
    } else {
      const half = batch.length >> 1;
      await settle(batch.slice(0, half));
      await settle(batch.slice(half));
    }
  };
  const todo = [...new Set(snippets.filter((s) => !known.has(s)))];
  if (todo.length) await settle(todo);
  const errors: SnippetError[] = [];
  snippets.forEach((snippet, index) => {
    const error = known.get(snippet);
    if (error) errors.push({ index, ...error });
  });
  return errors;
}
