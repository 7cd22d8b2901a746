import type { Token } from '../ast';
import type { FieldType, OptionType } from '../optionTypes';

/**
 * Option values from dhcpd.conf tokens to wire bytes, following the ISC
 * format codes (common/tables.c) the way dhcpd's parse_option_data() reads
 * them: one value per field, records separated by commas when they repeat.
 */

export type EncodeResult =
  | { readonly ok: true; readonly data: Uint8Array }
  | {
      readonly ok: false;
      readonly error: string;
      /** A DNS name stood where an address goes: dhcpd resolves it when it answers; the pure evaluator cannot. */
      readonly unresolvedName?: string;
    };

const utf8 = new TextEncoder();

export function ipv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

/** `00:07`, `1:0:c:29` → bytes; undefined when the word is not colon-separated hex. */
export function hexBytes(text: string): Uint8Array | undefined {
  const parts = text.split(':');
  if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** A DNS name as dhcpd accepts one where an address may go. */
function looksLikeHostname(text: string): boolean {
  return /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(text) && !/^[\d.]+$/.test(text);
}

/** Decimal or 0x-hex integer, with an optional sign. */
export function parseInteger(text: string): number | undefined {
  const m = /^(-?)(0x[0-9a-fA-F]+|\d+)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1] ? -n : n;
}

/** Encodes a domain name as RFC 1035 labels; `pointers` enables compression (RFC 1035 4.1.4) against names already in `out`. */
export function encodeDomainNames(names: readonly string[], compress: boolean): Uint8Array | string {
  const out: number[] = [];
  /** Suffix (lower case, dot-joined labels) → offset where it was written. */
  const written = new Map<string, number>();
  for (const name of names) {
    const trimmed = name.replace(/\.$/, '');
    if (trimmed === '') {
      out.push(0);
      continue;
    }
    const labels = trimmed.split('.');
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as string;
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = written.get(suffix);
      if (compress && at !== undefined) {
        out.push(0xc0 | (at >> 8), at & 0xff);
        break;
      }
      const bytes = utf8.encode(label);
      if (bytes.length === 0) return `"${name}" has an empty label`;
      if (bytes.length > 63) return `label "${label}" of "${name}" is longer than 63 bytes`;
      if (out.length < 0x3fff) written.set(suffix, out.length);
      out.push(bytes.length, ...bytes);
      if (i === labels.length - 1) out.push(0);
    }
  }
  return Uint8Array.from(out);
}

function encodeInteger(value: number, bits: number, signed: boolean): Uint8Array {
  const out = new Uint8Array(bits / 8);
  const view = new DataView(out.buffer);
  if (bits === 8) view.setUint8(0, value & 0xff);
  else if (bits === 16) view.setUint16(0, value & 0xffff);
  else if (signed) view.setInt32(0, value);
  else view.setUint32(0, value >>> 0);
  return out;
}

type FieldResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string; unresolvedName?: string };

function encodeField(field: FieldType, token: Token): FieldResult {
  const text = token.value;
  const word = token.kind === 'word';
  switch (field.kind) {
    case 'ip-address': {
      const bytes = word ? ipv4Bytes(text) : undefined;
      if (bytes) return { ok: true, bytes };
      if (word && looksLikeHostname(text)) return { ok: false, error: `"${text}" is a DNS name: dhcpd looks it up when it answers`, unresolvedName: text };
      return { ok: false, error: `"${token.text}" is not an IPv4 address` };
    }
    case 'text':
      if (token.kind !== 'string') return { ok: false, error: `text values are quoted: "${text}"` };
      return { ok: true, bytes: utf8.encode(text) };
    case 'string':
    case 'encapsulate': {
      if (token.kind === 'string') return { ok: true, bytes: utf8.encode(text) };
      const bytes = word ? hexBytes(text) : undefined;
      return bytes ? { ok: true, bytes } : { ok: false, error: `"${token.text}" is neither a quoted string nor colon-separated hex bytes` };
    }
    case 'unsigned':
    case 'signed':
    case 'lease-time': {
      const bits = field.bits ?? 32;
      const n = field.kind === 'lease-time' && /^infinite$/i.test(text) ? 0xffffffff : word ? parseInteger(text) : undefined;
      if (n === undefined) return { ok: false, error: `"${token.text}" is not an integer` };
      const min = field.kind === 'unsigned' ? 0 : field.kind === 'lease-time' ? -1 : -(2 ** (bits - 1));
      const max = field.kind === 'signed' ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      if (n < min || n > max) return { ok: false, error: `${n} does not fit ${field.kind === 'signed' ? 'a signed' : 'an unsigned'} ${bits}-bit integer (${min}..${max})` };
      return { ok: true, bytes: encodeInteger(n, bits, field.kind === 'signed') };
    }
    case 'boolean': {
      const v = text.toLowerCase();
      if (v === 'true' || v === 'on') return { ok: true, bytes: Uint8Array.of(1) };
      if (v === 'false' || v === 'off') return { ok: true, bytes: Uint8Array.of(0) };
      if (v === 'ignore') return { ok: true, bytes: Uint8Array.of(2) };
      return { ok: false, error: `"${token.text}" is not a boolean (true, false, on, off)` };
    }
    case 'domain-name':
    case 'domain-list': {
      const encoded = encodeDomainNames([text], false);
      return typeof encoded === 'string' ? { ok: false, error: encoded } : { ok: true, bytes: encoded };
    }
    default:
      return { ok: false, error: `values of type ${field.kind} are not supported by the evaluator` };
  }
}

/** Splits value tokens at commas. */
function splitAtCommas(tokens: readonly Token[]): Token[][] {
  const groups: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ',') groups.push([]);
    else (groups[groups.length - 1] as Token[]).push(t);
  }
  return groups;
}

/** Joins a leading `-` punct with the number after it, as dhcpd's lexer reads `-1`. */
function joinSigns(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (t.kind === 'punct' && t.text === '-' && next?.kind === 'word' && t.end === next.start) {
      out.push({ ...next, text: '-' + next.text, value: '-' + next.value, start: t.start, range: { start: t.range.start, end: next.range.end } });
      i++;
    } else out.push(t);
  }
  return out;
}

/** The chunks as one array (the only chunk itself, uncopied). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Encodes an option's value tokens (commas included, as the parser keeps
 * them) for its type. Domain lists are encoded as a whole so that compressed
 * ones (`Dc`, domain-search) can point back at earlier names.
 */
export function encodeOptionValue(type: OptionType, valueTokens: readonly Token[]): EncodeResult {
  const tokens = joinSigns(valueTokens);
  const fields = type.fields;
  const only = fields.length === 1 ? fields[0] : undefined;
  if (only?.kind === 'zero-length') return tokens.length === 0 ? { ok: true, data: new Uint8Array(0) } : { ok: false, error: 'this option takes no value' };
  if (tokens.length === 0) return { ok: false, error: 'the option has no value' };
  if (only?.kind === 'domain-list') {
    const names: string[] = [];
    for (const group of splitAtCommas(tokens)) {
      const [t, extra] = group;
      if (!t || extra) return { ok: false, error: 'domain lists are quoted names separated by commas: "a.example", "b.example"' };
      names.push(t.value);
    }
    const encoded = encodeDomainNames(names, only.compressed === true);
    return typeof encoded === 'string' ? { ok: false, error: encoded } : { ok: true, data: encoded };
  }
  const records = type.repeat === 'none' ? [tokens] : type.repeat === 'record' ? splitAtCommas(tokens) : undefined;
  const chunks: Uint8Array[] = [];
  const encodeRecord = (record: readonly Token[], recordFields: readonly FieldType[]): EncodeResult | undefined => {
    let i = 0;
    for (const field of recordFields) {
      const token = record[i];
      if (!token) {
        if (field.optional) continue;
        return { ok: false, error: `missing a value for the ${field.kind} field` };
      }
      const r = encodeField(field, token);
      if (!r.ok) return { ok: false, error: r.error, ...(r.unresolvedName ? { unresolvedName: r.unresolvedName } : {}) };
      chunks.push(r.bytes);
      i++;
    }
    if (i < record.length) return { ok: false, error: `unexpected "${(record[i] as Token).text}" after the value` };
    return undefined;
  };
  if (records) {
    for (const record of records) {
      const failed = encodeRecord(record, fields);
      if (failed) return failed;
    }
  } else {
    // 'last': the fixed fields, then the last field repeated, comma-separated.
    const fixed = fields.slice(0, -1);
    const repeated = fields[fields.length - 1] as FieldType;
    const head = tokens.slice(0, fixed.length);
    const failedHead = encodeRecord(head, fixed);
    if (failedHead) return failedHead;
    const rest = tokens.slice(fixed.length);
    for (const group of splitAtCommas(rest)) {
      if (group.length === 0 && rest.length === 0) break;
      const failed = encodeRecord(group, [repeated]);
      if (failed) return failed;
    }
  }
  return { ok: true, data: concatBytes(chunks) };
}
