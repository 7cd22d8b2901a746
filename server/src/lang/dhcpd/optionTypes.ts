/**
 * Option data types, in one representation for both sources of truth: the
 * catalog's ISC format codes (`IA`, `BBB`, `fIa`...) and the types users write
 * in `option NAME code N = TYPE;`. Value checks and the lease evaluator's
 * encoder work on this, never on either spelling.
 */
export type FieldKind =
  | 'ip-address'
  | 'ip6-address'
  | 'text'
  | 'string'
  | 'unsigned'
  | 'signed'
  | 'boolean'
  | 'domain-name'
  | 'domain-list'
  | 'encapsulate'
  | 'enumeration'
  | 'zero-length'
  | 'lease-time';

export interface FieldType {
  readonly kind: FieldKind;
  /** Width of integers: 8, 16 or 32. */
  readonly bits?: 8 | 16 | 32;
  /** `encapsulate SPACE` / `enumeration NAME`. */
  readonly name?: string;
  readonly compressed?: boolean;
  /** The field may be left out (format code `o`). */
  readonly optional?: boolean;
}

export interface OptionType {
  readonly fields: readonly FieldType[];
  /** none: exactly the fields; record: the whole record repeats (`A`); last: the last field repeats (`a`). */
  readonly repeat: 'none' | 'record' | 'last';
}

const SCALAR_CODES: Record<string, FieldType> = {
  I: { kind: 'ip-address' },
  '6': { kind: 'ip6-address' },
  t: { kind: 'text' },
  X: { kind: 'string' },
  B: { kind: 'unsigned', bits: 8 },
  b: { kind: 'signed', bits: 8 },
  S: { kind: 'unsigned', bits: 16 },
  s: { kind: 'signed', bits: 16 },
  L: { kind: 'unsigned', bits: 32 },
  l: { kind: 'signed', bits: 32 },
  f: { kind: 'boolean' },
  d: { kind: 'domain-name' },
  T: { kind: 'lease-time' },
  Z: { kind: 'zero-length' },
  U: { kind: 'text' },
  k: { kind: 'text' },
};

/** Reads an ISC format code (common/tables.c); undefined when it is not one. */
export function parseFormat(format: string): OptionType | undefined {
  const fields: FieldType[] = [];
  let repeat: OptionType['repeat'] = 'none';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === 'E' || c === 'N') {
      const end = format.indexOf('.', i);
      if (end < 0) return undefined;
      fields.push({ kind: c === 'E' ? 'encapsulate' : 'enumeration', name: format.slice(i + 1, end) });
      i = end;
    } else if (c === 'D') {
      const compressed = format[i + 1] === 'c';
      fields.push(compressed ? { kind: 'domain-list', compressed } : { kind: 'domain-list' });
      if (compressed) i++;
    } else if (c === 'o') {
      const last = fields.pop();
      if (!last) return undefined;
      fields.push({ ...last, optional: true });
    } else if ((c === 'A' || c === 'a') && i === format.length - 1 && fields.length > 0) {
      repeat = c === 'A' ? 'record' : 'last';
    } else {
      const scalar = SCALAR_CODES[c];
      if (!scalar) return undefined;
      fields.push(scalar);
    }
  }
  if (fields.length === 0) return undefined;
  // A one-field record repeated whole is the same as its field repeated.
  if (repeat === 'record' && fields.length === 1) repeat = 'last';
  return { fields, repeat };
}

function fieldName(field: FieldType): string {
  switch (field.kind) {
    case 'unsigned':
      return `unsigned integer ${field.bits}`;
    case 'signed':
      return `signed integer ${field.bits}`;
    case 'lease-time':
      return 'unsigned integer 32';
    case 'encapsulate':
      return `encapsulate ${field.name || '(vendor-option-space)'}`;
    case 'enumeration':
      return `enumeration ${field.name}`;
    case 'domain-list':
      return field.compressed ? 'domain-list compressed' : 'domain-list';
    default:
      return field.kind;
  }
}

/** The type as `option NAME code N = TYPE;` spells it. */
export function describeType(type: OptionType): string {
  const names = type.fields.map(fieldName);
  if (names.length === 1) return type.repeat === 'none' ? names[0]! : `array of ${names[0]}`;
  if (type.repeat === 'last') names[names.length - 1] = `array of ${names[names.length - 1]}`;
  const record = `{ ${names.join(', ')} }`;
  return type.repeat === 'record' ? `array of ${record}` : record;
}

/** True when the option holds one or more IPv4 addresses and nothing else. */
export function isAddressList(type: OptionType): boolean {
  return type.fields.length === 1 && type.fields[0]!.kind === 'ip-address';
}

/** Bounds of an integer field. */
export function integerBounds(field: FieldType): { min: number; max: number } | undefined {
  if (field.kind === 'lease-time') return { min: -1, max: 0xffffffff };
  if (field.kind !== 'unsigned' && field.kind !== 'signed') return undefined;
  const bits = field.bits ?? 32;
  return field.kind === 'unsigned' ? { min: 0, max: 2 ** bits - 1 } : { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 };
}
