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

/**
 * Checks many small scripts with few parser calls: they are joined into one
 * script, each inside a function of its own, and a failure is mapped back to
 * the snippet that holds it; the snippets after it are then checked again.
 * A parse costs milliseconds, so a file with hundreds of RCFILE_ lines would
 * otherwise take seconds.
 */
export async function checkSnippets(snippets: readonly string[], checker: ShellSyntaxChecker): Promise<SnippetError[]> {
  const errors: SnippetError[] = [];
  let from = 0;
  while (from < snippets.length) {
    const starts: number[] = [];
    const parts: string[] = [];
    let line = 0;
    for (let i = from; i < snippets.length; i++) {
      parts.push(`f${i}() {`);
      line++;
      starts.push(line);
      const body = snippets[i]!;
      parts.push(body, ':', '}');
      line += body.split('\n').length + 2;
    }
    const error = await checker.check(parts.join('\n') + '\n');
    if (!error) break;
    let which = starts.length - 1;
    while (which > 0 && starts[which]! > error.line) which--;
    const index = from + which;
    const bodyLines = snippets[index]!.split('\n').length;
    const inside = Math.min(Math.max(error.line - starts[which]!, 0), bodyLines - 1);
    errors.push({ index, line: inside, column: error.line - starts[which]! === inside ? error.column : 0, message: error.message });
    from = index + 1;
  }
  return errors;
}
