import type { Range } from 'vscode-languageserver-types';
import type { Reporter } from '../core/diagnostics';
import { didYouMean, suggestNames } from '../core/suggest';
import type { Declaration, OptionName, ParseResult, Statement, Token } from './ast';
import { BlockVerdicts } from './blockVerdicts';
import { dhcpdCatalog, qualifiedOptionName } from './dhcpdCatalog';
import { ARCHITECTURE_NAMES, expressionsOf, OptionScope, walkExpression, walkStatements, type Container } from './dhcpdModel';
import type { DhcpdCode } from './dhcpdRules';
import { integerValue } from './lexer';
import { compareAddressPlans, networkChecks, type AddressPlan } from './networkChecks';
import { describeType } from './optionTypes';
import { FORBIDDEN_INSIDE, STATEMENT_STARTERS } from './parser';
import { hasTopLevelBootFile, judgeBootFacts, pxeChecks, type BootFacts } from './pxeChecks';
import { checkOptionValues, checkParameterValues, describeParameterValue } from './valueCheck';

/** Names the grammar handles that are not server parameters (failover, key and zone bodies have their own words). */
const GRAMMAR_PARAMETERS = new Set(['lease limit', 'failover peer', 'range6', 'prefix6', 'fixed-address6', 'fixed-prefix6', 'key', 'hardware', 'fixed-address', 'server-identifier', 'authoritative', 'not authoritative']);
const FREE_FORM_BLOCKS = new Set(['key', 'zone', 'failover-peer']);

/**
 * What validation keeps between keystrokes: each closed host's own verdict by
 * its text (`BlockVerdicts`), and each top-level statement's findings and
 * facts by the statement itself (an edit re-parses only the statements it
 * touched; the others are the same objects, moved).
 */
export class HostVerdicts {
  readonly hosts = new BlockVerdicts<DhcpdCode>();
  readonly units = new WeakMap<Statement, UnitFindings>();
}
export const newHostVerdicts = (): HostVerdicts => new HostVerdicts();
const sharedVerdicts = newHostVerdicts();

/** One top-level statement's findings, lines relative to its first, and what the checks across the file need of it. */
interface UnitFindings {
  /** The option definitions and top-level settings the findings hold for. */
  readonly world: string;
  readonly firstLine: number;
  readonly reports: readonly Recorded[];
  readonly plan: AddressPlan;
  readonly boot: BootFacts;
}

interface Recorded {
  readonly code: DhcpdCode;
  readonly range: Range;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly data?: unknown;
}

/**
 * Every check of one parsed dhcpd.conf. With the text, findings are kept in
 * `verdicts`: a top-level statement the last parse kept is not checked again
 * (while the option definitions and top-level boot settings stay as they
 * were), and in one that changed, each host's own checks are looked up by the
 * host's text. The checks across statements (MACs, addresses, subnets,
 * ranges, boot servers) compare the facts each statement left.
 */
export function dhcpdValidation(parsed: ParseResult, reporter: Reporter<DhcpdCode>, text?: string, verdicts: HostVerdicts = sharedVerdicts): void {
  for (const p of parsed.problems) reporter.report(p.code, p.range, p.params, p.data);
  const scope = new OptionScope(parsed.tree);
  const fingerprint = scope.fingerprint();
  verdicts.hosts.enter(fingerprint);
  const world = `${fingerprint}\u0000${hasTopLevelBootFile(parsed.tree)}`;
  const plans: AddressPlan[] = [];
  const boots: BootFacts[] = [];
  for (const statement of parsed.tree.statements) {
    let findings = text === undefined ? undefined : verdicts.units.get(statement);
    if (findings?.world !== world) {
      findings = checkUnit(statement, parsed, scope, world, text, verdicts);
      if (text !== undefined) verdicts.units.set(statement, findings);
    }
    const lines = statement.range.start.line - findings.firstLine;
    for (const r of findings.reports) reporter.report(r.code, lines === 0 ? r.range : shiftLines(r.range, lines), r.params, r.data);
    plans.push(findings.plan);
    boots.push(findings.boot);
  }
  compareAddressPlans(plans, reporter);
  judgeBootFacts(parsed.tree, boots, reporter);
}

function shiftLines(range: Range, lines: number): Range {
  return { start: { line: range.start.line + lines, character: range.start.character }, end: { line: range.end.line + lines, character: range.end.character } };
}

/** Checks one top-level statement and everything inside it. */
function checkUnit(unit: Statement, parsed: ParseResult, scope: OptionScope, world: string, text: string | undefined, verdicts: HostVerdicts): UnitFindings {
  const reports: Recorded[] = [];
  const recorder: Reporter<DhcpdCode> = {
    report(code, range, params, data) {
      reports.push({ code, range: { start: { ...range.start }, end: { ...range.end } }, ...(params ? { params } : {}), ...(data !== undefined ? { data } : {}) });
    },
  };
  const network = networkChecks(recorder);
  const pxe = pxeChecks(parsed.tree, scope, recorder);
  let remembered: Statement | undefined;
  walkStatements([unit], (statement, ancestors) => {
    if (remembered === undefined || ancestors[ancestors.length - 1]?.node !== remembered) {
      remembered = undefined;
      const key = text === undefined ? undefined : hostKey(statement, ancestors, scope, text);
      if (key === undefined) localChecks(statement, ancestors, scope, recorder);
      else {
        remembered = statement;
        verdicts.hosts.replay(key, statement.range.start.line, recorder, (hostRecorder) => {
          localChecks(statement, ancestors, scope, hostRecorder);
          const inside = [...ancestors, { kind: 'declaration' as const, node: statement as Declaration }];
          for (const child of (statement as Declaration).body) localChecks(child, inside, scope, hostRecorder);
        });
      }
    }
    network.visit(statement, ancestors);
    pxe.visit(statement, ancestors);
  });
  return { world, firstLine: unit.range.start.line, reports, plan: network.plan, boot: pxe.boot };
}

/** What a statement's own checks say, apart from the file around it (except the enclosing blocks and the option scope). */
function localChecks(statement: Statement, ancestors: readonly Container[], scope: OptionScope, reporter: Reporter<DhcpdCode>): void {
  checkStatement(statement, ancestors, scope, reporter);
  if (!HAS_EXPRESSIONS.has(statement.kind)) return;
  for (const expression of expressionsOf(statement)) {
    walkExpression(expression, (e) => {
      if (e.kind === 'option' || e.kind === 'exists') checkOptionName(e.option, scope, reporter);
    });
  }
}

const HAS_EXPRESSIONS: ReadonlySet<Statement['kind']> = new Set(['if', 'switch', 'case', 'match', 'option', 'executable']);

/**
 * The memo key of a closed host of plain settings, or undefined when its
 * checks may depend on more than its text: its place (the enclosing block
 * decides what may nest; a key or zone takes any word), its first column (the
 * reports' characters), and option definitions after it (names resolve in file
 * order). A host without its `}` or with nested blocks is parsed by what comes
 * after it, so it is checked afresh.
 */
function hostKey(statement: Statement, ancestors: readonly Container[], scope: OptionScope, text: string): string | undefined {
  if (statement.kind !== 'declaration' || statement.type !== 'host' || !statement.open || !statement.close) return undefined;
  if (!statement.body.every((s) => s.kind === 'parameter' || s.kind === 'option')) return undefined;
  if (!scope.settledBefore(statement.range.start)) return undefined;
  const freeForm = ancestors.some((a) => a.kind === 'declaration' && FREE_FORM_BLOCKS.has(a.node.type));
  return `${contextOf(ancestors)}\u0000${freeForm ? 1 : 0}\u0000${statement.keyword.range.start.character}\u0000${text.slice(statement.keyword.start, statement.close.end)}`;
}

function span(tokens: readonly Token[]): Range {
  return { start: tokens[0]!.range.start, end: tokens[tokens.length - 1]!.range.end };
}

function contextOf(ancestors: readonly Container[]): keyof typeof FORBIDDEN_INSIDE {
  const parent = ancestors[ancestors.length - 1];
  if (!parent) return 'global';
  if (parent.kind === 'declaration') return parent.node.type;
  return parent.kind === 'branch' ? 'if' : 'switch';
}

const suggestionCache = new Map<string, string[]>();

/**
 * Did-you-mean candidates, remembered: a broken block makes the same unknown
 * word appear on many lines.
 */
function nearest(name: string, kind: string, candidates: () => readonly string[]): string[] {
  const key = `${kind}\u0000${name}`;
  let hit = suggestionCache.get(key);
  if (!hit) {
    hit = suggestNames(name, candidates(), 2);
    if (suggestionCache.size > 1000) suggestionCache.clear();
    suggestionCache.set(key, hit);
  }
  return hit;
}

let statementNames: readonly string[] | undefined;
function knownStatementNames(): readonly string[] {
  statementNames ??= [...new Set([...STATEMENT_STARTERS, ...dhcpdCatalog.data.parameters.map((p) => p.name)])];
  return statementNames;
}

function checkStatement(statement: Statement, ancestors: readonly Container[], scope: OptionScope, reporter: Reporter<DhcpdCode>): void {
  switch (statement.kind) {
    case 'parameter':
      return checkParameter(statement, ancestors, reporter);
    case 'option': {
      const option = statement.option;
      if (!option) return;
      const known = checkOptionName(option, scope, reporter);
      if (!known || statement.expression) return;
      const problem = checkOptionValues(known.type, statement.values, option.range);
      if (problem) reporter.report('DHCP011', problem.range, { value: problem.value, expected: problem.expected, name: `option ${option.text}`, type: describeType(known.type), fix: problem.fix });
      return;
    }
    case 'option-definition': {
      const text = `option ${statement.option.text} code ${statement.code ?? 'N'} = ${statement.typeTokens.map((t) => t.text).join(' ') || 'TYPE'};`;
      if (ancestors.length > 0) reporter.report('DHCP012', { start: statement.keyword.range.start, end: statement.option.range.end }, { text });
      const space = statement.option.space;
      if (space && !scope.hasSpace(space, statement.option)) reportUnknownSpace(statement.option, space, scope, reporter);
      // Other spaces set their own code width (`option space x code width 2;`), so only these two are bounded here.
      const spaceName = (space ?? 'dhcp').toLowerCase();
      const max = spaceName === 'dhcp' ? 254 : spaceName === 'dhcp6' ? 65535 : undefined;
      const code = statement.code;
      if (max !== undefined && code !== undefined && statement.codeToken && (code < 1 || code > max)) {
        reporter.report('DHCP027', statement.codeToken.range, { code, space: spaceName, max });
      }
      return;
    }
    case 'option-space':
      if (ancestors.length > 0) reporter.report('DHCP012', statement.range, { text: `option space ${statement.name?.text ?? 'NAME'};` });
      return;
    case 'range': {
      const parent = [...ancestors].reverse().find((a) => a.kind === 'declaration');
      const type = parent?.kind === 'declaration' ? parent.node.type : 'global';
      if (type !== 'subnet' && type !== 'pool') {
        reporter.report('DHCP024', statement.keyword.range, { what: 'range', where: type === 'global' ? 'outside a subnet' : `directly inside a ${type}`, fix: 'Put the range inside its `subnet { }` or a `pool { }` of that subnet.' });
      }
      return;
    }
    case 'declaration': {
      const context = contextOf(ancestors);
      if (FORBIDDEN_INSIDE[context].includes(statement.type)) {
        const where = context === 'if' || context === 'switch' ? `inside an ${context === 'if' ? 'if/else branch' : 'switch'}` : `inside a ${context}`;
        reporter.report('DHCP024', statement.keyword.range, { what: statement.keyword.value, where, fix: `Move the ${statement.keyword.value} out of the enclosing block (or close that block before it).` });
      }
      return;
    }
    case 'executable': {
      // `option-129 = "x";` parses as an assignment to a variable that happens to share an option's name.
      const variable = statement.variable;
      if (statement.verb === 'set' && variable === statement.keyword && scope.resolve({ name: variable.value, text: variable.value, range: variable.range })) {
        const value = statement.expression?.kind === 'string' ? JSON.stringify(statement.expression.value) : 'VALUE';
        reporter.report('DHCP029', variable.range, { name: variable.value, value });
      }
      return;
    }
    case 'permission':
      return checkPermission(statement.verb, statement.keyword, statement.words, reporter);
    default:
      return;
  }
}

function checkParameter(statement: Extract<Statement, { kind: 'parameter' }>, ancestors: readonly Container[], reporter: Reporter<DhcpdCode>): void {
  const info = dhcpdCatalog.parameter(statement.name);
  const nameRange = span(statement.nameTokens);
  if (!info) {
    if (GRAMMAR_PARAMETERS.has(statement.name)) return;
    if (ancestors.some((a) => a.kind === 'declaration' && FREE_FORM_BLOCKS.has(a.node.type))) return;
    const suggestions = nearest(statement.name, 'statement', knownStatementNames);
    const suggestion = didYouMean(suggestions);
    reporter.report(statement.values.length > 0 ? 'DHCP006' : 'DHCP007', nameRange, { name: statement.name, suggestion }, { suggestions });
    return;
  }
  const problem = checkParameterValues(info, statement.values, nameRange);
  if (problem) {
    reporter.report('DHCP011', problem.range, { value: problem.value, expected: problem.expected, name: info.name, type: describeParameterValue(info), fix: problem.fix });
    return;
  }
  if (info.value === 'lease-time') {
    const first = statement.values[0];
    const n = first ? integerValue(first.value) : undefined;
    if (first && n !== undefined && n < -1) reporter.report('DHCP023', first.range, { value: first.text, unsigned: (2 ** 32 + n).toLocaleString('en-US') });
  }
}

/** Resolves an option name where it is used; reports and returns undefined when dhcpd would not know it. */
function checkOptionName(option: OptionName, scope: OptionScope, reporter: Reporter<DhcpdCode>) {
  const space = option.space;
  if (space && !scope.hasSpace(space, option)) {
    reportUnknownSpace(option, space, scope, reporter);
    return undefined;
  }
  const known = scope.resolve(option);
  if (known) return known;
  const lower = option.name.toLowerCase();
  if (!space && ARCHITECTURE_NAMES.has(lower)) {
    reporter.report('DHCP009', option.range, { name: option.name }, { name: option.name });
  } else if (!space && lower === 'next-server') {
    reporter.report('DHCP010', option.range, {});
  } else {
    const spaceName = space ?? 'dhcp';
    const candidates = () =>
      [...dhcpdCatalog.options(), ...scope.definitions().map((d) => d.known)]
        .filter((o) => o.space.toLowerCase() === spaceName.toLowerCase())
        .map((o) => qualifiedOptionName(o.space, o.name));
    const suggestions = nearest(option.text, `option ${spaceName} ${scope.definitions().map((d) => d.known.name).join(',')}`, candidates);
    reporter.report('DHCP008', option.range, { name: option.text, local: option.name, space: spaceName, suggestion: didYouMean(suggestions) }, { suggestions });
  }
  return undefined;
}

function reportUnknownSpace(option: OptionName, space: string, scope: OptionScope, reporter: Reporter<DhcpdCode>): void {
  const range = { start: option.range.start, end: { line: option.range.start.line, character: option.range.start.character + space.length } };
  const suggestions = nearest(space, `space ${scope.definedSpaces().join(',')}`, () => [...dhcpdCatalog.spaces, ...scope.definedSpaces()]);
  reporter.report('DHCP025', range, { space, suggestion: didYouMean(suggestions) });
}

const PERMISSION_WORDS = new Set([
  ...dhcpdCatalog.data.permissions.filter((p) => !/[<"]/.test(p.name)).map((p) => p.name),
  'known clients',
  'unknown clients',
]);

function checkPermission(verb: string, keyword: Token, words: readonly Token[], reporter: Reporter<DhcpdCode>): void {
  const phrase = words.map((w) => w.value.toLowerCase()).join(' ');
  const first = words[0];
  const known = PERMISSION_WORDS.has(phrase) || /^members of .+/.test(phrase) || /^after .+/.test(phrase);
  if (known) return;
  const names = [...PERMISSION_WORDS, 'members of "CLASS"', 'after DATE'];
  const suggestion = didYouMean(nearest(phrase || verb, 'permission', () => [...PERMISSION_WORDS]));
  reporter.report('DHCP026', first ? span(words) : keyword.range, { word: phrase || ';', verb: `\`${verb}\``, suggestion, known: names.join(', ') });
}
