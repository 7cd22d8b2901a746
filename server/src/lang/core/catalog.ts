/**
 * The variable catalogs (schemas/*.json) as the language service sees them.
 * Validation, completion and hover ask this module and nothing else what a
 * variable is, so teaching the service a new variable is a data change.
 */
export type VariableType =
  | 'boolean'
  | 'number'
  | 'string'
  | 'enum'
  | 'list'
  | 'command'
  | 'fstab'
  | 'services'
  | 'crontab'
  | 'hosts'
  | 'section'
  | 'path';

export type VariableStatus = 'active' | 'patch-only' | 'deprecated' | 'removed' | 'doc-only' | 'alias' | 'undocumented' | 'keyword';

export interface VariableInfo {
  readonly name: string;
  readonly pattern?: string;
  readonly example?: string;
  readonly type: VariableType;
  readonly values?: readonly string[];
  readonly valueDocs?: Readonly<Record<string, string>>;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly sense?: 'opt-in' | 'opt-out';
  readonly default?: string;
  readonly doc: string;
  readonly versions: string;
  readonly scope?: 'any' | 'clients' | 'server' | 'common';
  readonly stage?: 'initramfs' | 'init' | 'session' | 'server';
  readonly status?: VariableStatus;
  readonly patch?: string;
  readonly replacement?: string;
  readonly source: string;
}

export interface CatalogData {
  readonly language: string;
  readonly title: string;
  readonly caseInsensitiveKeys: boolean;
  readonly variables: readonly VariableInfo[];
}

export class VariableCatalog {
  private readonly exact = new Map<string, VariableInfo>();
  private readonly families: { regex: RegExp; info: VariableInfo }[] = [];
  readonly variables: readonly VariableInfo[];

  constructor(readonly data: CatalogData) {
    this.variables = data.variables;
    for (const info of data.variables) {
      if (info.pattern) this.families.push({ regex: new RegExp(info.pattern, data.caseInsensitiveKeys ? 'i' : ''), info });
      else this.exact.set(this.fold(info.name), info);
    }
  }

  private fold(name: string): string {
    return this.data.caseInsensitiveKeys ? name.toUpperCase() : name;
  }

  /** Exact names first, then families in catalog order (the data puts the narrow ones first). */
  lookup(name: string): VariableInfo | undefined {
    const hit = this.exact.get(this.fold(name));
    if (hit) return hit;
    return this.families.find((f) => f.regex.test(name))?.info;
  }

  private names: readonly string[] | undefined;

  /** Names to compare a misspelt key against: exact names and family examples. */
  suggestionNames(): readonly string[] {
    this.names ??= this.variables.map((v) => (v.pattern ? (v.example ?? v.name) : v.name));
    return this.names;
  }

  isFamily(info: VariableInfo): boolean {
    return info.pattern !== undefined;
  }
}

/** Markdown for hover and completion documentation, from one catalog entry. */
export function describeVariable(info: VariableInfo, catalogTitle: string): string {
  const facts: string[] = [`**${info.name}** · ${info.type}${info.values && info.type === 'enum' ? `: ${info.values.map((v) => '`' + v + '`').join(' | ')}` : ''}`];
  facts.push('', info.doc, '');
  const meta: string[] = [];
  if (info.default !== undefined) meta.push(`Default: \`${info.default}\``);
  if (info.sense) meta.push(info.sense === 'opt-in' ? 'On only when set to `1`.' : 'Off only when set to `0`.');
  if (info.minimum !== undefined || info.maximum !== undefined) meta.push(`Range: ${info.minimum ?? '…'} to ${info.maximum ?? '…'}`);
  if (info.scope && info.scope !== 'any') meta.push(`Takes effect in: \`[${info.scope}]\``);
  meta.push(`Read by: ${info.versions} (${catalogTitle})`);
  if (info.status && info.status !== 'active') {
    const why: Record<VariableStatus, string> = {
      active: '',
      'patch-only': `Only with a patch that is not upstream${info.patch ? ` (${info.patch})` : ''}.`,
      deprecated: 'Deprecated.',
      removed: 'Removed: the current code ignores it.',
      'doc-only': 'In the manual, but the code never reads it.',
      alias: 'An alias.',
      undocumented: 'Read by the code, but missing from the manual.',
      keyword: 'Handled by the parser itself.',
    };
    meta.push(why[info.status] + (info.replacement ? ` Use \`${info.replacement}\` instead.` : ''));
  }
  return [...facts, meta.join('  \n')].join('\n');
}
