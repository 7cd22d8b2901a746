import {
  CompletionItemKind,
  CompletionItemTag,
  FoldingRangeKind,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Position,
  type TextEdit,
} from 'vscode-languageserver-types';
import { describeVariable, type VariableCatalog } from '../core/catalog';
import type { LanguageService } from '../core/service';
import { containsPosition, lineRange } from '../core/text';
import { sectionKindOf } from './glob';
import type { ConfDocument, Entry, Section } from './model';
import { allEntries, sectionAt } from './model';

/** What the shared editor features need to know about one of the two languages. */
export interface ConfSpec {
  readonly catalog: VariableCatalog;
  parse(text: string): ConfDocument;
  /** `KEY = ` for lts.conf, `KEY=` for ltsp.conf (its man page asks for no spaces). */
  readonly equals: ' = ' | '=';
  readonly booleanValues: readonly { value: string; doc: string }[];
  /** The key whose value names another section: LIKE or INCLUDE. */
  readonly referenceKey: string;
  /** Section names with a meaning of their own, offered first in `[`. */
  readonly specialSections: readonly { name: string; doc: string }[];
}

const isReference = (spec: ConfSpec, key: string) => key.toUpperCase() === spec.referenceKey;

export function confComplete(spec: ConfSpec, text: string, position: Position): CompletionItem[] {
  const doc = spec.parse(text);
  const lineText = doc.lines[position.line]?.text ?? '';
  const before = lineText.slice(0, position.character);
  if (/^\s*\[[^\]]*$/.test(before)) {
    const existing = new Set(doc.sections.map((s) => s.name.toLowerCase()));
    return spec.specialSections
      .filter((s) => !existing.has(s.name.toLowerCase()))
      .map((s, i) => ({ label: s.name, kind: CompletionItemKind.Module, documentation: { kind: MarkupKind.Markdown, value: s.doc }, sortText: String(i).padStart(3, '0') }));
  }
  const eq = before.indexOf('=');
  if (eq >= 0) {
    const key = before.slice(0, eq).trim();
    if (isReference(spec, key)) {
      const here = sectionAt(doc, position.line);
      return doc.sections
        .filter((s) => s !== here && s.name !== '')
        .map((s) => ({ label: s.name, kind: CompletionItemKind.Reference, detail: `section on line ${s.nameRange.start.line + 1}` }));
    }
    const info = spec.catalog.lookup(key);
    if (!info) return [];
    if (info.type === 'boolean') {
      return spec.booleanValues.map((b) => ({ label: b.value, kind: CompletionItemKind.Value, documentation: b.doc }));
    }
    if (info.type === 'enum' && info.values) {
      return info.values.map((v) => ({ label: v, kind: CompletionItemKind.EnumMember, documentation: info.valueDocs?.[v] }));
    }
    return [];
  }
  if (!/^\s*[A-Za-z0-9_]*$/.test(before)) return [];
  return spec.catalog.variables.map((info) => {
    const label = info.pattern ? (info.example ?? info.name) : info.name;
    const item: CompletionItem = {
      label,
      kind: info.status === 'keyword' ? CompletionItemKind.Keyword : CompletionItemKind.Variable,
      detail: info.type + (info.pattern ? ` · family ${info.name}` : ''),
      documentation: { kind: MarkupKind.Markdown, value: describeVariable(info, spec.catalog.data.title) },
      insertText: label + spec.equals,
      filterText: label,
      sortText: (info.status && info.status !== 'active' && info.status !== 'keyword' ? 'z' : 'a') + label,
    };
    if (info.status === 'removed' || info.status === 'deprecated' || info.status === 'doc-only' || info.status === 'alias') item.tags = [CompletionItemTag.Deprecated];
    return item;
  });
}

export function confHover(spec: ConfSpec, text: string, position: Position): Hover | null {
  const doc = spec.parse(text);
  for (const section of doc.sections) {
    if (containsPosition(section.nameRange, position)) return { contents: { kind: MarkupKind.Markdown, value: describeSection(spec, doc, section) }, range: section.nameRange };
  }
  const entry = allEntries(doc).find((e) => containsPosition(e.keyRange, position) || containsPosition(e.valueRange, position));
  if (!entry) return null;
  const info = spec.catalog.lookup(entry.key);
  if (containsPosition(entry.keyRange, position)) {
    if (!info) return null;
    return { contents: { kind: MarkupKind.Markdown, value: describeVariable(info, spec.catalog.data.title) }, range: entry.keyRange };
  }
  if (isReference(spec, entry.key)) {
    const target = doc.sections.find((s) => s.name.toLowerCase() === entry.value.trim().toLowerCase());
    if (target) return { contents: { kind: MarkupKind.Markdown, value: describeSection(spec, doc, target) }, range: entry.valueRange };
  }
  const valueDoc = info?.valueDocs?.[entry.value.trim()];
  return valueDoc ? { contents: { kind: MarkupKind.Markdown, value: `\`${entry.value.trim()}\`: ${valueDoc}` }, range: entry.valueRange } : null;
}

function describeSection(spec: ConfSpec, doc: ConfDocument, section: Section): string {
  const kind = sectionKindOf(section.name);
  const special = spec.specialSections.find((s) => s.name.toLowerCase() === section.name.toLowerCase());
  const what = special?.doc ?? { default: 'Settings for every client.', special: '', mac: 'Settings for the client with this MAC address (globs allowed).', ip: 'Settings for the client with this IP address (globs allowed).', hostname: 'Settings for the client with this host name, or a group used from other sections.' }[kind];
  const users = doc.sections.filter((s) => s.entries.some((e) => isReference(spec, e.key) && e.value.trim().toLowerCase() === section.name.toLowerCase()));
  const lines = [`**[${section.name}]** · ${section.entries.length} setting(s)`, '', what];
  if (users.length) lines.push('', `Used by ${spec.referenceKey} in: ${users.map((s) => `[${s.name}]`).join(', ')}`);
  return lines.join('\n');
}

export function confSymbols(spec: ConfSpec, text: string): DocumentSymbol[] {
  const doc = spec.parse(text);
  const entrySymbol = (entry: Entry): DocumentSymbol => ({
    name: entry.key,
    detail: entry.value.length > 60 ? entry.value.slice(0, 57) + '...' : entry.value,
    kind: isReference(spec, entry.key) ? SymbolKind.Key : SymbolKind.Variable,
    range: entry.range,
    selectionRange: entry.keyRange,
  });
  return [
    ...doc.preamble.map(entrySymbol),
    ...doc.sections.map((section) => ({
      name: `[${section.name}]`,
      kind: SymbolKind.Namespace,
      range: section.range,
      selectionRange: section.nameRange,
      children: section.entries.map(entrySymbol),
    })),
  ];
}

export function confFolding(spec: ConfSpec, text: string): FoldingRange[] {
  const doc = spec.parse(text);
  const ranges: FoldingRange[] = [];
  for (const section of doc.sections) {
    if (section.range.end.line > section.range.start.line) ranges.push({ startLine: section.range.start.line, endLine: section.range.end.line, kind: FoldingRangeKind.Region });
  }
  for (const entry of allEntries(doc)) {
    if (entry.range.end.line > entry.range.start.line) ranges.push({ startLine: entry.range.start.line, endLine: entry.range.end.line });
  }
  // Runs of comment lines fold too, as in every editor.
  const lines = doc.lines;
  let start = -1;
  lines.forEach((l, i) => {
    const isComment = l.text.trimStart().startsWith('#');
    if (isComment && start < 0) start = i;
    if (!isComment || i === lines.length - 1) {
      const end = isComment ? i : i - 1;
      if (start >= 0 && end > start) ranges.push({ startLine: start, endLine: end, kind: FoldingRangeKind.Comment });
      if (!isComment) start = -1;
    }
  });
  return ranges.sort((a, b) => a.startLine - b.startLine);
}

/**
 * Formatting touches only the space around `=` and at the ends of setting
 * lines; it never reorders lines or changes a value. lts.conf aligns the `=`
 * of each section (as in the article's ConfigMap); ltsp.conf writes `KEY=value`,
 * which keeps the file valid for `sh -n` as its man page asks.
 */
export function confFormat(spec: ConfSpec, text: string): TextEdit[] {
  const doc = spec.parse(text);
  const lines = doc.lines;
  const edits: TextEdit[] = [];
  const groups = [doc.preamble, ...doc.sections.map((s) => s.entries)];
  for (const entries of groups) {
    const single = entries.filter((e) => e.range.start.line === e.valueRange.start.line);
    const width = Math.max(0, ...single.map((e) => e.key.length));
    for (const entry of single) {
      const line = entry.keyRange.start.line;
      const raw = lines[line]!.text;
      const prefix = spec.equals === ' = ' ? entry.key.padEnd(width) + ' = ' : entry.key + '=';
      const start = spec.equals === ' = ' ? 0 : entry.keyRange.start.character;
      const current = raw.slice(start, entry.valueRange.start.character);
      if (current !== prefix) edits.push({ range: lineRange(line, start, entry.valueRange.start.character), newText: prefix });
    }
  }
  // Trailing blanks inside a multi-line quoted value are part of the value.
  const insideValues = new Set<number>();
  for (const e of allEntries(doc)) for (let l = e.valueRange.start.line; l < e.valueRange.end.line; l++) insideValues.add(l);
  lines.forEach((l) => {
    const trimmed = l.text.trimEnd();
    if (trimmed.length < l.text.length && !insideValues.has(l.line)) edits.push({ range: lineRange(l.line, trimmed.length, l.text.length), newText: '' });
  });
  return edits;
}

/** The editor features both languages share, bound to one language's spec. */
export function confFeatures(spec: ConfSpec): Pick<LanguageService, 'complete' | 'hover' | 'symbols' | 'folding' | 'format'> {
  return {
    complete: (text, position) => confComplete(spec, text, position),
    hover: (text, position) => confHover(spec, text, position),
    symbols: (text) => confSymbols(spec, text),
    folding: (text) => confFolding(spec, text),
    format: (text) => confFormat(spec, text),
  };
}
