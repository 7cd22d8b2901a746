import type { TextEdit } from 'vscode-languageserver-types';

/** Applies LSP text edits to a text, as an editor would (last edit first, so offsets stay valid). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split(/(?<=\r?\n)/);
  const offset = (line: number, character: number) => lines.slice(0, line).join('').length + character;
  return [...edits]
    .sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character))
    .reduce((t, e) => t.slice(0, offset(e.range.start.line, e.range.start.character)) + e.newText + t.slice(offset(e.range.end.line, e.range.end.character)), text);
}
