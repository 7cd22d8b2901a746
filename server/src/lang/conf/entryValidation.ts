import type { Range } from 'vscode-languageserver-types';
import type { VariableCatalog, VariableInfo, VariableStatus } from '../core/catalog';
import { DiagnosticSink, type Reporter, type RuleCatalog, type ServiceOptions } from '../core/diagnostics';
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
  checkBoolean(entry: Entry, info: VariableInfo, sink: Reporter<Code>): void;
  /** Language-specific checks on a known variable (where it is read, ...). */
  checkKnown?(entry: Entry, info: VariableInfo, sink: Reporter<Code>): void;
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

interface Recorded {
  readonly code: string;
  /** Lines relative to the entry's first line; characters as they are. */
  readonly range: Range;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly data?: unknown;
}

interface EntryVerdict {
  readonly findings: readonly Recorded[];
  readonly isCommand: boolean;
}

/**
 * What each entry got, by everything its checks look at: a keystroke changes
 * one line of a file of thousands, and the other entries' verdicts still hold
 * wherever the lines moved. Keyed per dialect, bounded in size.
 */
const verdicts = new WeakMap<object, Map<string, EntryVerdict>>();
const VERDICT_LIMIT = 50000;

function signature(entry: Entry): string {
  return [entry.keyRange.start.character, entry.key, entry.valueRange.start.character, entry.quote ?? '', entry.rawValue, entry.section?.name ?? '\u0000'].join('\u0001');
}

/** The checks every setting gets from the catalog, in both languages. */
export function validateEntries<Code extends string>(doc: ConfDocument, dialect: ConfDialect<Code>, sink: DiagnosticSink<Code>): Entry[] {
  let memo = verdicts.get(dialect);
  if (!memo || memo.size > VERDICT_LIMIT) {
    memo = new Map();
    verdicts.set(dialect, memo);
  }
  const commands: Entry[] = [];
  for (const entry of allEntries(doc)) {
    const key = signature(entry);
    let verdict = memo.get(key);
    if (!verdict) {
      verdict = checkEntry(entry, dialect);
      memo.set(key, verdict);
    }
    const base = entry.range.start.line;
    for (const f of verdict.findings) {
      const range = { start: { line: f.range.start.line + base, character: f.range.start.character }, end: { line: f.range.end.line + base, character: f.range.end.character } };
      sink.report(f.code as Code, range, f.params, f.data);
    }
    if (verdict.isCommand) commands.push(entry);
  }
  checkDuplicateKeys(doc, dialect.catalog.data.caseInsensitiveKeys, dialect.codes.duplicate, sink);
  return commands;
}

/** One entry's checks, recorded relative to the entry so the verdict can be reused. */
function checkEntry<Code extends string>(entry: Entry, dialect: ConfDialect<Code>): EntryVerdict {
  const { catalog, codes } = dialect;
  const findings: Recorded[] = [];
  const base = entry.range.start.line;
  const sink: Reporter<Code> = {
    report(code, range, params, data) {
      findings.push({ code, range: { start: { line: range.start.line - base, character: range.start.character }, end: { line: range.end.line - base, character: range.end.character } }, params, data });
    },
  };
  const finding = (kind: FindingKind, range: Range, params?: Record<string, string | number>) => sink.report(codes[kind], range, params);
  const done = (isCommand = false): EntryVerdict => ({ findings, isCommand });

  checkSecret(entry, finding);
  if (dialect.ownKeys?.includes(entry.key.toUpperCase())) return done();
  const info = catalog.lookup(entry.key);
  if (!info) {
    const suggestions = suggestNames(entry.key, catalog.suggestionNames());
    const foreign = dialect.foreign?.catalog.lookup(entry.key);
    const suggestion = foreign && !dialect.foreign!.catalog.isFamily(foreign) ? ' ' + dialect.foreign!.note.replace('{key}', entry.key) : didYouMean(suggestions);
    sink.report(codes.unknown, entry.keyRange, { key: entry.key, suggestion }, { suggestions });
    return done();
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
      return done(entry.value.trim() !== '');
    default:
      break;
  }
  return done();
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

/**
 * The start every conf validation shares: the parser's problems, then the
 * catalog checks of every setting. Returns the sink for the language's own
 * checks and the settings that hold shell code.
 */
export function beginValidation<Code extends string>(doc: ConfDocument, rules: RuleCatalog<Code>, dialect: ConfDialect<Code>, options: ServiceOptions): { sink: DiagnosticSink<Code>; commands: Entry[] } {
  const sink = new DiagnosticSink(rules, options);
  for (const problem of doc.problems) sink.report(problem.code as Code, problem.range, problem.params, problem.data);
  return { sink, commands: validateEntries(doc, dialect, sink) };
}
