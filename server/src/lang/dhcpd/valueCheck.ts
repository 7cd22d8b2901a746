import type { Range } from 'vscode-languageserver-types';
import type { Token } from './ast';
import type { DhcpdParameterInfo } from './dhcpdCatalog';
import { hexBytes, integerValue, ipv4Value, looksLikeIpv4 } from './lexer';
import { describeType, integerBounds, type FieldType, type OptionType } from './optionTypes';

/**
 * Checks value tokens against an option type or a parameter's value kind,
 * the way dhcpd's parse_option_token / parse_*_param would reject them.
 */
export interface ValueProblem {
  readonly range: Range;
  /** The offending text, or `nothing` when a value is missing. */
  readonly value: string;
  /** "an IPv4 address or host name", "a whole number from 0 to 255"... */
  readonly expected: string;
  readonly fix: string;
}

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
const BOOLEANS = ['true', 'false', 'on', 'off'];
export const HARDWARE_TYPES = ['ethernet', 'token-ring', 'fddi', 'infiniband'];

function expectation(field: FieldType): { expected: string; fix: string } {
  switch (field.kind) {
    case 'ip-address':
      return { expected: 'an IPv4 address or host name', fix: 'Write a dotted quad such as 192.168.0.1 (no quotes), or a host name.' };
    case 'ip6-address':
      return { expected: 'an IPv6 address', fix: 'Write an address such as 2001:db8::1.' };
    case 'text':
    case 'domain-name':
      return { expected: 'a quoted string', fix: 'Put the value in double quotes.' };
    case 'domain-list':
      return { expected: 'a list of quoted domain names', fix: 'Write each name in double quotes, separated by commas: "a.example", "b.example".' };
    case 'string':
    case 'encapsulate':
      return { expected: 'a quoted string or colon-separated hex bytes', fix: 'Write "text" or bytes such as 01:02:0a.' };
    case 'boolean':
      return { expected: 'a boolean', fix: 'Write true or false (on/off also work).' };
    case 'lease-time':
      return { expected: 'a number of seconds', fix: 'Write seconds as a whole number, or `infinite`.' };
    case 'unsigned':
    case 'signed': {
      const b = integerBounds(field)!;
      return { expected: `a whole number from ${b.min} to ${b.max}`, fix: `Use a whole number from ${b.min} to ${b.max}.` };
    }
    case 'enumeration':
      return { expected: 'a name', fix: 'Write one of the names this option takes.' };
    case 'zero-length':
      return { expected: 'no value', fix: 'Remove the value: the option carries no data.' };
  }
}

/** Undefined when the token is a fine value of the field. */
function fieldProblem(field: FieldType, t: Token): ValueProblem | undefined {
  const bad = () => ({ range: t.range, value: t.text, ...expectation(field) });
  const word = t.kind === 'word';
  switch (field.kind) {
    case 'ip-address':
      if (!word) return bad();
      if (looksLikeIpv4(t.value)) {
        return ipv4Value(t.value) === undefined ? { range: t.range, value: t.text, expected: 'an IPv4 address', fix: 'Each of the four numbers goes from 0 to 255.' } : undefined;
      }
      return HOST_NAME.test(t.value) && !/^[0-9.]+$/.test(t.value) ? undefined : bad();
    case 'ip6-address':
      return word && t.value.includes(':') && /^[0-9A-Fa-f:.]+$/.test(t.value) ? undefined : bad();
    case 'text':
    case 'domain-name':
    case 'domain-list':
      return t.kind === 'string' ? undefined : bad();
    case 'string':
    case 'encapsulate':
      return t.kind === 'string' || (word && (hexBytes(t.value) !== undefined || /^[0-9A-Fa-f]{1,2}$/.test(t.value))) ? undefined : bad();
    case 'boolean':
      return word && BOOLEANS.includes(t.value.toLowerCase()) ? undefined : bad();
    case 'lease-time': {
      if (word && t.value.toLowerCase() === 'infinite') return undefined;
      const n = word ? integerValue(t.value) : undefined;
      return n !== undefined && n >= -(2 ** 31) && n <= 0xffffffff ? undefined : bad();
    }
    case 'unsigned':
    case 'signed': {
      const n = word ? integerValue(t.value) : undefined;
      const b = integerBounds(field)!;
      return n !== undefined && n >= b.min && n <= b.max ? undefined : bad();
    }
    case 'enumeration':
      return word ? undefined : bad();
    case 'zero-length':
      return bad();
  }
}

/** Splits value tokens at commas. */
function commaGroups(values: readonly Token[]): { groups: Token[][]; commas: Token[] } {
  const groups: Token[][] = [[]];
  const commas: Token[] = [];
  for (const t of values) {
    if (t.kind === 'punct' && t.text === ',') {
      commas.push(t);
      groups.push([]);
    } else groups[groups.length - 1]!.push(t);
  }
  return { groups, commas };
}

function missing(at: Range, field: FieldType, what: string): ValueProblem {
  return { range: at, value: 'nothing', ...expectation(field), fix: `Add ${what}.` };
}

/** Matches one comma group against fields in order; optional and list-valued trailing fields may be short. */
function matchFields(fields: readonly FieldType[], group: readonly Token[], at: Range): ValueProblem | undefined {
  for (let i = 0; i < Math.max(fields.length, group.length); i++) {
    const field = fields[i];
    const t = group[i];
    if (!field) return { range: t!.range, value: t!.text, expected: 'nothing more', fix: 'Remove the extra value, or separate list items with commas.' };
    if (!t) {
      if (field.optional) continue;
      return missing(group.length > 0 ? group[group.length - 1]!.range : at, field, expectation(field).expected);
    }
    const problem = fieldProblem(field, t);
    if (problem) return problem;
  }
  return undefined;
}

/** At most one problem: dhcpd stops at the first bad token as well. */
export function checkOptionValues(type: OptionType, values: readonly Token[], at: Range): ValueProblem | undefined {
  const fields = type.fields;
  const last = fields[fields.length - 1]!;
  if (last.kind === 'zero-length') {
    return values[0] ? { range: values[0].range, value: values[0].text, ...expectation(last) } : undefined;
  }
  if (values.length === 0) return missing(at, fields[0]!, `a value (${describeType(type)})`);
  const { groups, commas } = commaGroups(values);
  for (let g = 0; g < groups.length; g++) {
    if (groups[g]!.length === 0) {
      const comma = commas[Math.max(0, g - 1)]!;
      return { range: comma.range, value: ',', expected: 'a value around this comma', fix: 'Remove the stray comma, or add the missing value.' };
    }
  }
  const listTail = last.kind === 'domain-list' || type.repeat !== 'none';
  if (!listTail && groups.length > 1) {
    return { range: commas[0]!.range, value: ',', expected: 'a single value', fix: `\`${describeType(type)}\` is not a list: remove the comma and what follows.` };
  }
  if (type.repeat === 'record') {
    for (const group of groups) {
      const problem = matchFields(fields, group, at);
      if (problem) return problem;
    }
    return undefined;
  }
  // none / last: the first group holds every field; later groups are further items of the last one.
  const first = matchFields(fields, groups[0]!, at);
  if (first) return first;
  for (const group of groups.slice(1)) {
    const problem = matchFields([last], group, at);
    if (problem) return problem;
  }
  return undefined;
}

const PARAMETER_TYPES: Partial<Record<DhcpdParameterInfo['value'], OptionType>> = {
  flag: { fields: [{ kind: 'boolean' }], repeat: 'none' },
  text: { fields: [{ kind: 'text' }], repeat: 'none' },
  string: { fields: [{ kind: 'string' }], repeat: 'none' },
  uint8: { fields: [{ kind: 'unsigned', bits: 8 }], repeat: 'none' },
  uint16: { fields: [{ kind: 'unsigned', bits: 16 }], repeat: 'none' },
  uint32: { fields: [{ kind: 'unsigned', bits: 32 }], repeat: 'none' },
  'lease-time': { fields: [{ kind: 'lease-time' }], repeat: 'none' },
  'host-address': { fields: [{ kind: 'ip-address' }], repeat: 'none' },
  'host-address-list': { fields: [{ kind: 'ip-address' }], repeat: 'last' },
  'ip6-address': { fields: [{ kind: 'ip6-address' }], repeat: 'none' },
};

/** How a parameter's value is described in messages. */
export function describeParameterValue(info: DhcpdParameterInfo): string {
  switch (info.value) {
    case 'none':
      return 'no value';
    case 'flag':
      return 'a boolean (true, false, on, off)';
    case 'enum':
      return `one of ${info.values!.join(', ')}`;
    case 'hardware':
      return 'a hardware type and address (`ethernet 52:54:00:12:34:56`)';
    case 'lease-time':
      return 'seconds, or `infinite`';
    case 'host-address':
      return 'an IPv4 address or host name';
    case 'host-address-list':
      return 'IPv4 addresses or host names, separated by commas';
    default: {
      const type = PARAMETER_TYPES[info.value];
      return type ? describeType(type) : info.syntax;
    }
  }
}

export function checkParameterValues(info: DhcpdParameterInfo, values: readonly Token[], at: Range): ValueProblem | undefined {
  const first = values[0];
  switch (info.value) {
    case 'none':
      return first ? { range: first.range, value: first.text, expected: 'nothing', fix: `Write \`${info.name};\` alone.` } : undefined;
    case 'enum': {
      if (!first) return { range: at, value: 'nothing', expected: `one of ${info.values!.join(', ')}`, fix: `Add one of: ${info.values!.join(', ')}.` };
      if (first.kind !== 'word' || !info.values!.includes(first.value.toLowerCase())) {
        return { range: first.range, value: first.text, expected: `one of ${info.values!.join(', ')}`, fix: `Use one of: ${info.values!.join(', ')}.` };
      }
      return values[1] ? { range: values[1].range, value: values[1].text, expected: 'nothing more', fix: 'Remove the extra value.' } : undefined;
    }
    case 'hardware': {
      if (!first || first.kind !== 'word' || !HARDWARE_TYPES.includes(first.value.toLowerCase())) {
        return { range: first?.range ?? at, value: first?.text ?? 'nothing', expected: 'a hardware type', fix: `Start with the type: ${HARDWARE_TYPES.join(', ')}, e.g. \`hardware ethernet 52:54:00:12:34:56;\`.` };
      }
      const address = values[1];
      const bytes = address?.kind === 'word' ? hexBytes(address.value) : undefined;
      if (!address || !bytes || (first.value.toLowerCase() === 'ethernet' && bytes.length !== 6)) {
        return { range: address?.range ?? first.range, value: address?.text ?? 'nothing', expected: 'a hardware address', fix: 'Write six hex bytes separated by colons, e.g. 52:54:00:12:34:56.' };
      }
      return values[2] ? { range: values[2].range, value: values[2].text, expected: 'nothing more', fix: 'Remove the extra value.' } : undefined;
    }
    case 'option-space':
    case 'key-name':
      return first ? undefined : { range: at, value: 'nothing', expected: 'a name', fix: 'Add the name.' };
    case 'special':
      return undefined;
    default: {
      const type = PARAMETER_TYPES[info.value];
      return type ? checkOptionValues(type, values, at) : undefined;
    }
  }
}
