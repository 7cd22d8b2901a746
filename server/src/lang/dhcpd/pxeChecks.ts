import type { Reporter } from '../core/diagnostics';
import type { Declaration, DhcpdConfig, Expression, IfStatement, Statement } from './ast';
import { ARCHITECTURE_NAMES, enclosingDeclaration, type Container, type OptionScope, type Visitor } from './dhcpdModel';
import type { DhcpdCode } from './dhcpdRules';

/**
 * Network-boot mistakes dhcpd accepts without a word: a boot file with no
 * TFTP server, a TFTP server with no boot file, and architecture branches
 * that leave BIOS or UEFI machines without a boot loader.
 */
export function pxeChecks(tree: DhcpdConfig, scope: OptionScope, reporter: Reporter<DhcpdCode>): { visit: Visitor; boot: BootFacts } {
  const boot: BootFacts = { nextServers: 0, bootFileOptions: 0, includes: 0, nextServerInBlocks: false, filenames: [] };
  const visit: Visitor = (s, ancestors) => {
    if (s.kind === 'include') boot.includes++;
    else if (s.kind === 'option' && s.option?.name.toLowerCase() === 'bootfile-name') boot.bootFileOptions++;
    else if (s.kind === 'parameter' && s.name === 'next-server') {
      boot.nextServers++;
      boot.firstNextServer ??= s;
      if (ancestors.some((a) => a.kind === 'declaration' && ['subnet', 'shared-network', 'group'].includes(a.node.type))) boot.nextServerInBlocks = true;
    } else if (s.kind === 'if') checkArchitectureChain(s, scope, reporter, defaultBootFile(tree, ancestors));
    else if (s.kind === 'parameter' && s.name === 'filename') {
      boot.filenames.push({
        statement: s,
        nextServerAbove: ancestors.some((a) => setsNextServer(a.node.body)),
        declaration: enclosingDeclaration(ancestors),
        inHost: ancestors.some((a) => a.kind === 'declaration' && a.node.type === 'host'),
      });
    }
  };
  return { visit, boot };
}

/**
 * What one top-level statement says about booting: whether a next-server
 * reaches a filename depends on every next-server in the file, so the facts
 * are collected per statement and judged together (`judgeBootFacts`).
 */
export interface BootFacts {
  nextServers: number;
  firstNextServer?: Extract<Statement, { kind: 'parameter' }>;
  bootFileOptions: number;
  includes: number;
  nextServerInBlocks: boolean;
  readonly filenames: {
    readonly statement: Extract<Statement, { kind: 'parameter' }>;
    /** A block around it sets next-server. */
    readonly nextServerAbove: boolean;
    readonly declaration: Declaration | undefined;
    readonly inHost: boolean;
  }[];
}

export function judgeBootFacts(tree: DhcpdConfig, facts: readonly BootFacts[], reporter: Reporter<DhcpdCode>): void {
  const nextServerAtTop = setsNextServer(tree.statements);
  const nextServerInBlocks = facts.some((f) => f.nextServerInBlocks);
  const warnedScopes = new Set<unknown>();
  let bootFiles = 0;
  for (const f of facts) bootFiles += f.bootFileOptions;
  for (const f of facts) {
    for (const { statement, nextServerAbove, declaration, inHost } of f.filenames) {
      bootFiles++;
      if (nextServerAtTop || nextServerAbove) continue;
      // One warning per declaration: the branches of one if/elsif chain share the fix.
      const scopeKey = declaration ?? tree;
      if (warnedScopes.has(scopeKey)) continue;
      warnedScopes.add(scopeKey);
      // A host's address can tie it to a subnet elsewhere in the file, whose next-server it then inherits.
      if (inHost && nextServerInBlocks) continue;
      reporter.report('DHCP020', statement.nameTokens[0]!.range, {});
    }
  }
  const firstNextServer = facts.find((f) => f.firstNextServer)?.firstNextServer;
  const nextServers = facts.reduce((n, f) => n + f.nextServers, 0);
  const includes = facts.reduce((n, f) => n + f.includes, 0);
  if (firstNextServer && bootFiles === 0 && includes === 0 && nextServers > 0) reporter.report('DHCP021', firstNextServer.nameTokens[0]!.range, {});
}

/** A `filename` at the top of the file: every architecture branch that sets none falls back to it. */
export function hasTopLevelBootFile(tree: DhcpdConfig): boolean {
  return tree.statements.some((s) => s.kind === 'parameter' && s.name === 'filename');
}

function setsNextServer(body: readonly Statement[]): boolean {
  return body.some((s) => s.kind === 'parameter' && s.name === 'next-server');
}

const BIOS = 0;
const UEFI_X64 = [7, 9];

/** Architecture values one condition tests for equality (`option arch = 00:07`, joined by `or`). */
function testedArchitectures(e: Expression, scope: OptionScope, names: string[]): number[] {
  if (e.kind === 'binary' && e.operator === 'or') return [...testedArchitectures(e.left, scope, names), ...testedArchitectures(e.right, scope, names)];
  if (e.kind !== 'binary' || e.operator !== '=') return [];
  const [option, literal] = e.left.kind === 'option' ? [e.left, e.right] : [e.right, e.left];
  if (option.kind !== 'option') return [];
  const known = scope.resolve(option.option);
  const isArchitecture = (known && known.code === 93 && (known.space ?? 'dhcp') === 'dhcp') || (!known && ARCHITECTURE_NAMES.has(option.option.name.toLowerCase()));
  if (!isArchitecture) return [];
  names.push(option.option.text);
  if (literal.kind === 'hex') return [literal.bytes.reduce((v, b) => v * 256 + b, 0)];
  if (literal.kind === 'number') return [literal.value];
  return [];
}

/** A `filename` set outside the chain, which clients no branch matches still get. */
function defaultBootFile(tree: DhcpdConfig, ancestors: readonly Container[]): boolean {
  const sets = (body: readonly Statement[]) => body.some((s) => s.kind === 'parameter' && s.name === 'filename');
  return sets(tree.statements) || ancestors.some((a) => sets(a.node.body));
}

function checkArchitectureChain(s: IfStatement, scope: OptionScope, reporter: Reporter<DhcpdCode>, hasDefault: boolean): void {
  const names: string[] = [];
  const tested = new Set(s.branches.flatMap((b) => (b.condition ? testedArchitectures(b.condition, scope, names) : [])));
  if (tested.size === 0) return;
  if (hasDefault || s.branches.some((b) => !b.condition)) return; // an else, or a filename outside, catches the rest
  const missing: string[] = [];
  let value = '';
  if (!tested.has(BIOS)) {
    missing.push('BIOS (arch 0)');
    value = '00:00';
  }
  const efiMissing = UEFI_X64.filter((a) => !tested.has(a));
  if (efiMissing.length > 0) {
    missing.push(`UEFI x86-64 (arch ${efiMissing.join(' and ')})`);
    value ||= `00:0${efiMissing[0]}`;
  }
  if (missing.length === 0) return;
  reporter.report('DHCP022', s.branches[0]!.keyword.range, {
    chain: s.branches.length > 1 ? '`if`/`elsif` chain' : '`if`',
    missing: missing.join(' or '),
    what: 'nothing from it (no boot file)',
    option: names[0] ?? 'arch',
    value,
  });
}
