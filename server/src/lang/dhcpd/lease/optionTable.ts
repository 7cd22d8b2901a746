import type { DhcpdConfig, OptionName, Statement } from '../ast';
import { dhcpdCatalog, qualifiedOptionName, type KnownOption } from '../dhcpdCatalog';
import { describeType } from '../optionTypes';

/**
 * The options one config can name: the catalog's, then the config's own
 * `option [SPACE.]NAME code N = TYPE;` definitions, which take over a name and
 * a code as dhcpd lets them (a redefined code 93 answers to the new name).
 */
export class OptionTable {
  private readonly byName = new Map<string, KnownOption>();
  private readonly byCode = new Map<string, KnownOption>();
  /** Space → the dhcp option that carries it (`ipxe` → 175). */
  private readonly carriers = new Map<string, KnownOption>();

  constructor(config: DhcpdConfig) {
    for (const known of dhcpdCatalog.options()) this.add(known);
    for (const s of config.statements) this.define(s);
    for (const known of this.byName.values()) {
      const field = known.type.fields[0];
      if (known.space === 'dhcp' && known.type.fields.length === 1 && field?.kind === 'encapsulate' && field.name) this.carriers.set(field.name, known);
    }
  }

  private add(known: KnownOption): void {
    const name = qualifiedOptionName(known.space, known.name).toLowerCase();
    this.byName.set(name, known);
    this.byCode.set(`${known.space}/${known.code}`, known);
  }

  private define(s: Statement): void {
    if (s.kind !== 'option-definition' || s.code === undefined || !s.type) return;
    const space = s.option.space ?? 'dhcp';
    const previous = this.byCode.get(`${space}/${s.code}`);
    if (previous) this.byName.delete(qualifiedOptionName(previous.space, previous.name).toLowerCase());
    this.add({ space, name: s.option.name, code: s.code, type: s.type });
  }

  lookup(option: OptionName): KnownOption | undefined {
    return this.byName.get(qualifiedOptionName(option.space ?? 'dhcp', option.name).toLowerCase());
  }

  byCodeIn(space: string, code: number): KnownOption | undefined {
    return this.byCode.get(`${space}/${code}`);
  }

  /** The dhcp-space option whose payload holds `space`'s options, if the config says so. */
  carrierOf(space: string): KnownOption | undefined {
    return this.carriers.get(space);
  }

  typeName(known: KnownOption): string {
    return describeType(known.type);
  }
}
