import type { Range } from 'vscode-languageserver-types';
import type { SourceLine } from '../core/text';

/**
 * The parse of an LTSP configuration file, shared by lts.conf and ltsp.conf:
 * both are INI-like files of `[section]` headers and `KEY = VALUE` lines, but
 * each has its own lexical rules, so each has its own parser producing this.
 */
export interface ConfDocument {
  readonly sections: Section[];
  /** Assignments before the first section header. */
  readonly preamble: Entry[];
  /** Problems the parser found, in document order, for the language's catalog. */
  readonly problems: ParseProblem[];
  readonly lineCount: number;
  /** The document's lines, split once by the parser for every later pass. */
  readonly lines: readonly SourceLine[];
}

export interface Section {
  /** The name as written between the brackets. */
  readonly name: string;
  readonly nameRange: Range;
  /** The header line, brackets included. */
  readonly headerRange: Range;
  /** Header to the last non-blank line before the next header. */
  range: Range;
  readonly entries: Entry[];
  /** Raw shell lines (ltsp.conf sections may hold code). */
  readonly shellLines: ShellLine[];
}

export type QuoteKind = '"' | "'" | null;

export interface Entry {
  readonly key: string;
  readonly keyRange: Range;
  /** The value as the real parser hands it to the client (quotes removed). */
  readonly value: string;
  /** The value as written, quotes included. */
  readonly rawValue: string;
  readonly valueRange: Range;
  /** The whole assignment, from the key to the end of the value (may span lines in ltsp.conf). */
  readonly range: Range;
  readonly quote: QuoteKind;
  /** Where the `=` is, so the formatter can align it. */
  readonly equalsColumn: number;
  readonly section: Section | null;
}

export interface ShellLine {
  readonly text: string;
  readonly range: Range;
}

export interface ParseProblem {
  readonly code: string;
  readonly range: Range;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly data?: unknown;
}

const entryLists = new WeakMap<ConfDocument, readonly Entry[]>();

/** Every assignment in document order; computed once per parse. */
export function allEntries(doc: ConfDocument): readonly Entry[] {
  let entries = entryLists.get(doc);
  if (!entries) {
    entries = [...doc.preamble, ...doc.sections.flatMap((s) => s.entries)];
    entryLists.set(doc, entries);
  }
  return entries;
}

export function sectionAt(doc: ConfDocument, line: number): Section | undefined {
  let found: Section | undefined;
  for (const s of doc.sections) if (s.headerRange.start.line <= line) found = s;
  return found;
}

/** Closes a section at the last line that belonged to it (blank lines after it do not). */
export function endSection(section: Section | null, lines: readonly SourceLine[], lastContentLine: number): void {
  if (section) section.range = { start: section.headerRange.start, end: { line: lastContentLine, character: lines[lastContentLine]?.text.length ?? 0 } };
}
