import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver-types';
import type { VariableCatalog } from '../core/catalog';
import type { SourceLine } from '../core/text';

/** A quick fix that replaces text in the document the diagnostic is on. */
export function quickFix(uri: string, title: string, diagnostic: Diagnostic, edits: TextEdit[], preferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: edits } }, isPreferred: preferred };
}

/** One edit that puts `newText` where `range` was. */
export function replaceWith(range: Range, newText: string): TextEdit[] {
  return [{ range, newText }];
}

/** The text of a one-line range, from the parse's lines (no second split of the document). */
export function textIn(lines: readonly SourceLine[], range: Range): string {
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

/**
 * The fixes both conf languages offer for the checks they share: every
 * diagnostic that carries suggestions (misspelt keys, LIKE / INCLUDE targets),
 * a deprecated or patch-only key renamed to the catalog's replacement, and
 * `nofail` added to an fstab line.
 */
export function sharedQuickFixes(
  uri: string,
  lines: readonly SourceLine[],
  d: Diagnostic,
  catalog: VariableCatalog,
  codes: { readonly renameCodes: readonly string[]; readonly nofail: string },
): CodeAction[] {
  const code = String(d.code ?? '');
  const suggestions = suggestionsOf(d);
  if (suggestions.length) return suggestions.map((s, i) => quickFix(uri, `Change to ${s}`, d, replaceWith(d.range, s), i === 0));
  if (codes.renameCodes.includes(code)) {
    const key = textIn(lines, d.range);
    const info = catalog.lookup(key);
    const target = replacementKey(key, info?.name, info?.replacement);
    return target ? [quickFix(uri, `Replace with ${target}`, d, replaceWith(d.range, target), true)] : [];
  }
  if (code === codes.nofail) return [quickFix(uri, 'Add nofail', d, replaceWith({ start: d.range.end, end: d.range.end }, ',nofail'), true)];
  return [];
}
