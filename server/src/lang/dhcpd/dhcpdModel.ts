import type { Declaration, DhcpdConfig, Expression, IfBranch, IfStatement, OptionDefinition, OptionName, Statement, SwitchStatement } from './ast';
import { dhcpdCatalog, qualifiedOptionName, type KnownOption } from './dhcpdCatalog';

/**
 * What the checks, completion and hover share beyond the tree: walking it
 * with the chain of enclosing blocks, and the options and spaces the config
 * defines (in file order: dhcpd reads top to bottom, so a use before its
 * definition fails there too).
 */
export type Container =
  | { readonly kind: 'declaration'; readonly node: Declaration }
  | { readonly kind: 'branch'; readonly node: IfBranch; readonly owner: IfStatement }
  | { readonly kind: 'switch'; readonly node: SwitchStatement };

export type Visitor = (statement: Statement, ancestors: readonly Container[]) => void;

/** Calls `visit` for every statement, parents before children. */
export function walkStatements(statements: readonly Statement[], visit: Visitor, ancestors: Container[] = []): void {
  for (const statement of statements) {
    visit(statement, ancestors);
    if (statement.kind === 'declaration') {
      ancestors.push({ kind: 'declaration', node: statement });
      walkStatements(statement.body, visit, ancestors);
      ancestors.pop();
    } else if (statement.kind === 'if') {
      for (const branch of statement.branches) {
        ancestors.push({ kind: 'branch', node: branch, owner: statement });
        walkStatements(branch.body, visit, ancestors);
        ancestors.pop();
      }
    } else if (statement.kind === 'switch') {
      ancestors.push({ kind: 'switch', node: statement });
      walkStatements(statement.body, visit, ancestors);
      ancestors.pop();
    }
  }
}

/** Every expression of a statement (conditions, match, option = expr...), not those of nested statements. */
export function expressionsOf(statement: Statement): Expression[] {
  switch (statement.kind) {
    case 'if':
      return statement.branches.flatMap((b) => (b.condition ? [b.condition] : []));
    case 'switch':
      return statement.expression ? [statement.expression] : [];
    case 'case':
      return statement.value ? [statement.value] : [];
    case 'match':
      return statement.expression ? [statement.expression] : [];
    case 'option':
      return statement.expression ? [statement.expression] : [];
    case 'executable':
      return [...(statement.expression ? [statement.expression] : []), ...statement.args];
    default:
      return [];
  }
}

/** Calls `visit` for an expression and every expression inside it. */
export function walkExpression(expression: Expression, visit: (e: Expression) => void): void {
  visit(expression);
  switch (expression.kind) {
    case 'binary':
      walkExpression(expression.left, visit);
      walkExpression(expression.right, visit);
      break;
    case 'not':
      walkExpression(expression.operand, visit);
      break;
    case 'call':
      for (const arg of expression.args) walkExpression(arg, visit);
      break;
    default:
      break;
  }
}

/** The declaration the statement sits in, skipping if/else branches. */
export function enclosingDeclaration(ancestors: readonly Container[]): Declaration | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.kind === 'declaration') return a.node;
  }
  return undefined;
}

export interface DefinedOption {
  readonly known: KnownOption;
  readonly definition: OptionDefinition;
}

/** Option names that people expect to mean option 93 and that ISC does not predefine. */
export const ARCHITECTURE_NAMES: ReadonlySet<string> = new Set(['architecture', 'arch', 'architecture-type', 'client-arch', 'client-architecture', 'system-arch', 'pxe-arch']);

/** The options and spaces one config defines, and name resolution against them and the catalog. */
export class OptionScope {
  private readonly defined = new Map<string, { option: DefinedOption; offset: number }>();
  private readonly spaces = new Map<string, number>();
  /** Where the last definition or space starts: past it, every name resolves the same anywhere. */
  private settledAt = -1;

  constructor(tree: DhcpdConfig) {
    // Definitions and spaces count only at the top of the file (dhcpd: "option definitions may not be scoped").
    for (const s of tree.statements) {
      if (s.kind === 'option-definition' && s.type && s.code !== undefined) {
        const space = s.option.space ?? 'dhcp';
        const key = qualifiedOptionName(space, s.option.name).toLowerCase();
        if (!this.defined.has(key)) {
          this.defined.set(key, { option: { known: { space, name: s.option.name, code: s.code, type: s.type }, definition: s }, offset: s.range.start.line * 1e6 + s.range.start.character });
          this.settledAt = s.range.start.line * 1e6 + s.range.start.character;
        }
      } else if (s.kind === 'option-space' && s.name) {
        const key = s.name.value.toLowerCase();
        if (!this.spaces.has(key)) {
          this.spaces.set(key, s.range.start.line * 1e6 + s.range.start.character);
          this.settledAt = s.range.start.line * 1e6 + s.range.start.character;
        }
      }
    }
  }

  /** True when the space exists at this point of the file (catalog spaces always do). */
  hasSpace(space: string, at?: OptionName): boolean {
    const lower = space.toLowerCase();
    if (dhcpdCatalog.spaces.has(lower)) return true;
    const offset = this.spaces.get(lower);
    return offset !== undefined && (at === undefined || offset < position(at));
  }

  /** The option a name refers to at its place in the file, or undefined. */
  resolve(name: OptionName): (KnownOption & { definition?: OptionDefinition }) | undefined {
    const qualified = qualifiedOptionName(name.space?.toLowerCase() ?? 'dhcp', name.name).toLowerCase();
    const own = this.defined.get(qualified);
    if (own && own.offset < position(name)) return { ...own.option.known, definition: own.option.definition };
    const known = dhcpdCatalog.option(qualified);
    if (known) return known;
    const unknownCode = /^unknown-([0-9]+)$/i.exec(name.name);
    if (unknownCode) return { space: name.space ?? 'dhcp', name: name.name, code: Number(unknownCode[1]), type: { fields: [{ kind: 'string' }], repeat: 'none' } };
    return undefined;
  }

  /** Options the config defines, for completion. */
  definitions(): DefinedOption[] {
    return [...this.defined.values()].map((d) => d.option);
  }

  definedSpaces(): string[] {
    return [...this.spaces.keys()];
  }

  /** True when every definition and space comes before this position, so resolving there does not depend on it. */
  settledBefore(at: { line: number; character: number }): boolean {
    return this.settledAt < at.line * 1e6 + at.character;
  }

  /**
   * Everything resolution depends on once settled: the defined names, codes
   * and types, and the spaces. Two configs with the same fingerprint resolve
   * every settled name alike.
   */
  fingerprint(): string {
    const options = [...this.defined].map(([key, d]) => `${key}=${d.option.known.code}:${JSON.stringify(d.option.known.type)}`);
    return [...options, '', ...this.spaces.keys()].join('\n');
  }
}

function position(name: OptionName): number {
  return name.range.start.line * 1e6 + name.range.start.character;
}
