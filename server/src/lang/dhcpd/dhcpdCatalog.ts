import catalogData from '../../../../schemas/dhcpd.json';
import { parseFormat, type OptionType } from './optionTypes';

/**
 * ISC DHCP's vocabulary (schemas/dhcpd.json) as the dhcpd.conf service and
 * the lease evaluator see it. Nothing else in lang/dhcpd knows a statement,
 * parameter or option name by heart, except the grammar's own keywords.
 */
export interface DhcpdStatementInfo {
  readonly name: string;
  readonly kind: 'declaration' | 'statement' | 'conditional';
  readonly syntax: string;
  readonly block: boolean;
  readonly scopes: readonly string[];
  readonly doc: string;
  readonly source: string;
}

export type ParameterValue =
  | 'none'
  | 'flag'
  | 'text'
  | 'string'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'lease-time'
  | 'host-address'
  | 'host-address-list'
  | 'ip6-address'
  | 'hardware'
  | 'enum'
  | 'option-space'
  | 'key-name'
  | 'special';

export interface DhcpdParameterInfo {
  readonly name: string;
  readonly value: ParameterValue;
  readonly values?: readonly string[];
  readonly format?: string;
  readonly syntax: string;
  readonly doc: string;
  readonly source: string;
}

export interface DhcpdOptionInfo {
  readonly name: string;
  readonly space: string;
  readonly code: number;
  readonly type: string;
  readonly format: string;
  readonly doc: string;
  readonly source: string;
}

export interface DhcpdPermissionInfo {
  readonly name: string;
  readonly verbs: readonly string[];
  readonly pool: boolean;
  readonly doc: string;
  readonly source: string;
}

export interface DhcpdCatalogData {
  readonly language: 'dhcpd';
  readonly title: string;
  readonly version: string;
  readonly dataTypes: readonly { name: string; syntax: string; doc: string }[];
  readonly spaces: readonly { name: string; doc: string }[];
  readonly statements: readonly DhcpdStatementInfo[];
  readonly permissions: readonly DhcpdPermissionInfo[];
  readonly parameters: readonly DhcpdParameterInfo[];
  readonly options: readonly DhcpdOptionInfo[];
  readonly notes: readonly { name: string; doc: string; source: string }[];
}

/** An option the config can use: from the catalog or from an `option NAME code N = TYPE;` definition. */
export interface KnownOption {
  readonly space: string;
  readonly name: string;
  readonly code: number;
  readonly type: OptionType;
  readonly info?: DhcpdOptionInfo;
}

/** `space.name`, or the bare name for the dhcp space: how configs write it. */
export function qualifiedOptionName(space: string, name: string): string {
  return space === 'dhcp' ? name : `${space}.${name}`;
}

export class DhcpdCatalog {
  private readonly optionsByName = new Map<string, KnownOption>();
  private readonly parametersByName = new Map<string, DhcpdParameterInfo>();
  readonly spaces: ReadonlySet<string>;

  constructor(readonly data: DhcpdCatalogData) {
    for (const info of data.options) {
      const type = parseFormat(info.format);
      if (!type) continue;
      this.optionsByName.set(qualifiedOptionName(info.space, info.name), { space: info.space, name: info.name, code: info.code, type, info });
    }
    for (const p of data.parameters) this.parametersByName.set(p.name, p);
    this.spaces = new Set(data.spaces.map((s) => s.name));
  }

  /** An option by the name a config writes (`routers`, `agent.circuit-id`). */
  option(qualified: string): KnownOption | undefined {
    return this.optionsByName.get(qualified.toLowerCase()) ?? this.optionsByName.get(qualified);
  }

  options(): Iterable<KnownOption> {
    return this.optionsByName.values();
  }

  parameter(name: string): DhcpdParameterInfo | undefined {
    return this.parametersByName.get(name.toLowerCase());
  }

  statement(name: string): DhcpdStatementInfo | undefined {
    return this.data.statements.find((s) => s.name === name || s.name.split(' / ').includes(name));
  }

  note(name: string): { name: string; doc: string } | undefined {
    return this.data.notes.find((n) => n.name === name);
  }
}

export const dhcpdCatalog = new DhcpdCatalog(catalogData as DhcpdCatalogData);
