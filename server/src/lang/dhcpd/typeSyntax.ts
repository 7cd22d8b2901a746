import type { Token } from './ast';
import type { FieldType, OptionType } from './optionTypes';

/**
 * Reads the TYPE of `option NAME code N = TYPE;` (dhcp-options(5), "DEFINING
 * NEW OPTIONS"): scalars, `array of T`, and records `{ T, T, ... }` whose last
 * field may be an array. Undefined when the words are not a type.
 */
export function parseTypeTokens(tokens: readonly Token[]): OptionType | undefined {
  const words = tokens.map((t) => (t.kind === 'punct' ? t.text : t.value.toLowerCase()));
  let i = 0;
  const scalar = (): FieldType | undefined => {
    const w = words[i++];
    switch (w) {
      case 'unsigned':
      case 'signed':
      case 'integer': {
        const signed = w !== 'unsigned';
        if (w !== 'integer' && words[i++] !== 'integer') return undefined;
        const bits = Number(words[i++]);
        if (bits !== 8 && bits !== 16 && bits !== 32) return undefined;
        return { kind: signed ? 'signed' : 'unsigned', bits };
      }
      case 'boolean':
      case 'ip-address':
      case 'ip6-address':
      case 'text':
      case 'string':
      case 'domain-name':
        return { kind: w };
      case 'domain-list':
        if (words[i] === 'compressed') {
          i++;
          return { kind: 'domain-list', compressed: true };
        }
        return { kind: 'domain-list' };
      case 'zerolen':
      case 'zero-length':
        return { kind: 'zero-length' };
      case 'encapsulate': {
        const space = words[i++];
        return space && /^[a-z0-9-]+$/.test(space) ? { kind: 'encapsulate', name: space } : undefined;
      }
      default:
        return undefined;
    }
  };
  const arrayOf = (): boolean => {
    if (words[i] === 'array' && words[i + 1] === 'of') {
      i += 2;
      return true;
    }
    return false;
  };
  let type: OptionType | undefined;
  const outerArray = arrayOf();
  if (words[i] === '{') {
    i++;
    const fields: FieldType[] = [];
    let lastRepeats = false;
    for (;;) {
      const repeats = arrayOf();
      const field = scalar();
      if (!field) return undefined;
      fields.push(field);
      if (words[i] === ',') {
        if (repeats) return undefined; // only the last field may be an array
        i++;
        continue;
      }
      if (words[i] !== '}') return undefined;
      i++;
      lastRepeats = repeats;
      break;
    }
    if (outerArray && lastRepeats) return undefined;
    type = { fields, repeat: outerArray ? (fields.length === 1 ? 'last' : 'record') : lastRepeats ? 'last' : 'none' };
  } else {
    const field = scalar();
    if (!field) return undefined;
    type = { fields: [field], repeat: outerArray ? 'last' : 'none' };
  }
  return i === words.length ? type : undefined;
}
