import type { Range } from 'vscode-languageserver-types';
import type { Entry } from './model';

/** Who is asking: what a booting client knows about itself. */
export interface ClientIdentity {
  readonly mac?: string;
  readonly ip?: string;
  readonly hostname?: string;
}

export interface EffectiveSetting {
  readonly key: string;
  readonly value: string;
  readonly section: string | null;
  /** Where the winning assignment is. */
  readonly range: Range;
}

export interface EffectiveSettings {
  /** The sections that applied, in the order their settings were applied (later wins). */
  readonly sections: string[];
  readonly settings: EffectiveSetting[];
}

/** Applies entries in order, later ones overriding earlier ones with the same key. */
export function mergeEntries(entries: readonly Entry[], foldCase: boolean, isUnset: (value: string) => boolean = () => false): EffectiveSetting[] {
  const byKey = new Map<string, EffectiveSetting>();
  for (const entry of entries) {
    const key = foldCase ? entry.key.toUpperCase() : entry.key;
    if (isUnset(entry.value)) byKey.delete(key);
    else byKey.set(key, { key, value: entry.value, section: entry.section?.name ?? null, range: entry.range });
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Parses the user's "MAC, IP or hostname" into an identity. */
export function parseClientIdentity(input: string): ClientIdentity {
  const parts = input.split(/[\s,]+/).filter(Boolean);
  let mac: string | undefined;
  let ip: string | undefined;
  let hostname: string | undefined;
  for (const part of parts) {
    if (/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(part)) mac = part.toLowerCase().replace(/-/g, ':');
    else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(part)) ip = part;
    else hostname = part;
  }
  return { mac, ip, hostname };
}
