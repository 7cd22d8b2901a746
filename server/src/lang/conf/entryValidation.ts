import type { Range } from 'vscode-languageserver-types';
import type { VariableCatalog, VariableInfo, VariableStatus } from '../core/catalog';
import type { DiagnosticSink } from '../core/diagnostics';
import { didYouMean, suggestNames } from '../core/suggest';
import type { ConfDocument, Entry } from './model';
import { allEntries } from './model';
import { checkSnippets, type ShellSyntaxChecker } from './shellCheck';
import { checkCrontab, checkEnum, checkFstab, checkNumber, checkSecret, checkServices, type FindingKind } from './valueChecks';

/** What differs between lts.conf and ltsp.conf when their settings are checked. */
export interface ConfDialect<Code extends string> {
  readonly catalog: VariableCatalog;
  readonly codes: Readonly<Record<FindingKind | 'unknown' | 'status' | 'duplicate' | 'shell', Code>> & { readonly patchOnly?: Code };
  /** Booleans are where the two languages differ most. */
  checkBoolean(entry: Entry, info: VariableInfo, sink: DiagnosticSink<Code>): void;
  /** Language-specific checks on a known variable (where it is read, ...). */
  checkKnown?(entry: Entry, info: VariableInfo, sink: DiagnosticSink<Code>): void;
  /** Keys the language reports itself (ltsp.conf's stray LIKE), skipped here. */
  readonly ownKeys?: readonly string[];
  /** The other LTSP generation's catalog: a key unknown here may be known there. */
  readonly foreign?: { readonly catalog: VariableCatalog; readonly note: string };
}

const statusWords: Partial<Record<VariableStatus, string>> = {
  deprecated: 'is deprecated',
  removed: 'was removed from LTSP and is ignored now',
  'doc-only': 'is in the manual, but the code never reads it',
  alias: 'is only an alias',
};

/** The checks every setting gets from the catalog, in both languages. */
export function validateEntries<Code extends string>(doc: ConfDocument, dialect: ConfDialect<Code>, sink: DiagnosticSink<Code>): Entry[] {
  const { catalog, codes } = dialect;
  const commands: Entry[] = [];
  const report = (kind: FindingKind) => (range: Range, params?: Record<string, string | number>) => sink.report(codes[kind], range, params);
  const finding = (kind: FindingKind, range: Range, params?: Record<string, string | number>) => report(kind)(range, params);

  for (const entry of allEntries(doc)) {
    checkSecret(entry, finding);
    if (dialect.ownKeys?.includes(entry.key.toUpperCase())) continue;
    const info = catalog.lookup(entry.key);
    if (!info) {
      const suggestions = suggestNames(entry.key, catalog.suggestionNames());
      const foreign = dialect.foreign?.catalog.lookup(entry.key);
      const suggestion = foreign && !dialect.foreign?.catalog.isFamily(foreign) ? ' ' + dialect.foreign!.note.replace('{key}', entry.key) : didYouMean(suggestions);
      sink.report(codes.unknown, entry.keyRange, { key: entry.key, suggestion }, { suggestions });
      continue;
    }
    const replacement = info.replacement ? ` Use \`${info.replacement}\` instead.` : '';
    if (info.status === 'patch-only' && codes.patchOnly) {
      sink.report(codes.patchOnly, entry.keyRange, { key: entry.key, patch: info.patch ?? 'a patch', replacement }, { replacement: info.replacement });
    } else if (info.status && statusWords[info.status]) {
      sink.report(codes.status, entry.keyRange, { key: entry.key, status: statusWords[info.status]!, replacement }, { replacement: info.replacement });
    }
    dialect.checkKnown?.(entry, info, sink);
    switch (info.type) {
      case 'boolean':
        dialect.checkBoolean(entry, info, sink);
        break;
      case 'number':
        checkNumber(entry, info.minimum, info.maximum, finding);
        break;
      case 'enum':
        if (info.values) checkEnum(entry, info.values, catalog.data.caseInsensitiveKeys, finding);
        break;
      case 'fstab':
        checkFstab(entry, finding);
        break;
      case 'services':
        checkServices(entry, info.values, finding);
        break;
      case 'crontab':
        checkCrontab(entry, finding);
        break;
      case 'command':
        if (entry.value.trim() !== '') commands.push(entry);
        break;
      default:
        break;
    }
  }
  checkDuplicateKeys(doc, catalog.data.caseInsensitiveKeys, codes.duplicate, sink);
  return commands;
}

function checkDuplicateKeys<Code extends string>(doc: ConfDocument, caseInsensitive: boolean, code: Code, sink: DiagnosticSink<Code>): void {
  const groups = [doc.preamble, ...doc.sections.map((s) => s.entries)];
  for (const entries of groups) {
    const seen = new Map<string, Entry>();
    for (const entry of entries) {
      const key = caseInsensitive ? entry.key.toUpperCase() : entry.key;
      if (key === 'LIKE' || key === 'INCLUDE') continue;
      const first = seen.get(key);
      if (first) sink.report(code, entry.keyRange, { key: entry.key, line: first.keyRange.start.line + 1 });
      else seen.set(key, entry);
    }
  }
}

/** Shell syntax of the commands the client will run, one parser call for most files. */
export async function validateCommands<Code extends string>(commands: readonly Entry[], checker: ShellSyntaxChecker | undefined, code: Code, sink: DiagnosticSink<Code>): Promise<void> {
  if (!checker || commands.length === 0) return;
  const errors = await checkSnippets(
    commands.map((e) => e.value),
    checker,
  );
  for (const error of errors) {
    const entry = commands[error.index]!;
    sink.report(code, entry.valueRange, { message: error.message });
  }
}
