/**
 * Splits a console byte stream into lines as they arrive: `\r\n` and `\r`
 * endings, and terminal escape sequences stripped so patterns match the text.
 * The unfinished last line is kept visible, because a login prompt never ends
 * with a newline.
 */
const escapes = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>c]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function plainText(raw: string): string {
  return raw.replace(escapes, '');
}

export class ConsoleLines {
  private partial = '';
  private readonly tail: string[] = [];

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly keep = 200,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r(?!$)/);
    this.partial = parts.pop() ?? '';
    for (const part of parts) {
      const line = plainText(part).replace(/\r$/, '');
      if (!line.trim()) continue;
      this.tail.push(line);
      if (this.tail.length > this.keep) this.tail.shift();
      this.onLine(line);
    }
  }

  /** The line being written, not finished yet (a prompt). */
  pending(): string {
    return plainText(this.partial).replace(/\r$/, '');
  }

  last(count: number): string[] {
    const pending = this.pending();
    const lines = pending.trim() ? [...this.tail, pending] : [...this.tail];
    return lines.slice(-count);
  }
}
