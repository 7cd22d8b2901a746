import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver-types';
import { splitLines } from '../core/text';

/** A quick fix that replaces text in the document the diagnostic is on. */
export function quickFix(uri: string, title: string, diagnostic: Diagnostic, edits: TextEdit[], preferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: edits } }, isPreferred: preferred };
}

export function textIn(text: string, range: Range): string {
  const lines = splitLines(text);
  if (range.start.line !== range.end.line) return '';
  return lines[range.start.line]?.text.slice(range.start.character, range.end.character) ?? '';
}

export function suggestionsOf(diagnostic: Diagnostic): string[] {
  const data = diagnostic.data as { suggestions?: string[] } | undefined;
  return data?.suggestions ?? [];
}

/** Renames a key to the replacement the catalog names; families keep the user's suffix. */
export function replacementKey(key: string, family: string | undefined, replacement: string | undefined): string | undefined {
  if (!replacement || !/^[A-Z0-9_]+\*?$/i.test(replacement)) return undefined;
  if (!replacement.endsWith('*')) return replacement;
  const prefix = family?.replace(/\*$/, '') ?? '';
  const suffix = prefix && key.toUpperCase().startsWith(prefix.toUpperCase()) ? key.slice(prefix.length) : key;
  return replacement.slice(0, -1) + suffix;
}
