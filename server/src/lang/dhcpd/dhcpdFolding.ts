import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver-types';
import type { DhcpdConfig, Token } from './ast';
import { walkStatements } from './dhcpdModel';

/** Every `{ ... }` block spanning lines, and runs of comment lines. */
export function dhcpdFolding(tree: DhcpdConfig): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const block = (start: number, close: Token | undefined) => {
    if (!close) return;
    const end = close.range.start.line - 1;
    if (end > start) ranges.push({ startLine: start, endLine: end });
  };
  walkStatements(tree.statements, (s) => {
    if (s.kind === 'declaration' && s.open) block(s.range.start.line, s.close);
    else if (s.kind === 'switch') block(s.range.start.line, s.close);
    else if (s.kind === 'if') for (const b of s.branches) block(b.range.start.line, b.close);
  });
  let runStart = -1;
  let previous = -2;
  const flush = () => {
    if (runStart >= 0 && previous > runStart) ranges.push({ startLine: runStart, endLine: previous, kind: FoldingRangeKind.Comment });
  };
  const codeLines = new Set(tree.tokens.map((t) => t.range.end.line));
  for (const c of tree.comments) {
    const line = c.range.start.line;
    const ownLine = !codeLines.has(line);
    if (!ownLine) continue;
    if (line !== previous + 1) {
      flush();
      runStart = line;
    }
    previous = line;
  }
  flush();
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
