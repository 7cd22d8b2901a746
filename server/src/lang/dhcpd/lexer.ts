import type { Position } from 'vscode-languageserver-types';
import type { Comment, Token } from './ast';

/**
 * Splits dhcpd.conf into tokens. Addresses, host names, hex lists and
 * `space.name` stay single words (ISC's lexer splits them at `.` and `:` and
 * glues them back in the parser; one word per value is what every consumer
 * here wants). Never throws: a character nothing expects becomes a one-char
 * punct token for the parser to report. Positions are counted while
 * scanning, so a 20,000-line file is read in one pass.
 */
export interface LexResult {
  readonly tokens: Token[];
  readonly comments: Comment[];
  /** The position just after the last character. */
  readonly end: Position;
}

/** Characters of a word: letters, digits and `_ . : / -`. */
const WORD_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/-') WORD_CHAR[c.charCodeAt(0)] = 1;
const isWordChar = (code: number) => code < 128 && WORD_CHAR[code] === 1;
const isAlnum = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isDigit = (code: number) => code >= 48 && code <= 57;
const TWO_CHAR = new Set(['!=', '~=', '~~']);

export function lexDhcpdConf(text: string): LexResult {
  return lexLines(text, 0, text.length, 0);
}

/**
 * Lexes `text` from `from` (a line start, on line `firstLine`) up to `to` (a line
 * start or the end). Lines lex alike wherever they are (no token spans a line
 * break), which is what lets an edit re-lex only the lines it touched.
 */
export function lexLines(text: string, from: number, to: number, firstLine: number): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let line = firstLine;
  let lineStart = from;
  // Tokens never span lines (an unclosed string ends at its line's end), so one line number serves both ends.
  const at = (start: number, end: number) => ({ start: { line, character: start - lineStart }, end: { line, character: end - lineStart } });
  const push = (kind: Token['kind'], start: number, end: number, value?: string) => {
    const raw = text.slice(start, end);
    tokens.push({ kind, text: raw, value: value ?? raw, range: at(start, end), start, end });
  };
  let i = from;
  const length = to;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) {
      i += code === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      lineStart = i;
    } else if (code === 32 || code === 9 || code === 12 || code === 11 || code === 0xa0 || code === 0xfeff) {
      i++;
    } else if (code === 35 /* # */) {
      let end = i;
      while (end < length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      comments.push({ text: text.slice(i, end), range: at(i, end), start: i, end });
      i = end;
    } else if (code === 34 /* " */) {
      const { end, value, closed } = readString(text, i);
      const raw = text.slice(i, end);
      const token: Token = { kind: 'string', text: raw, value, range: at(i, end), start: i, end };
      tokens.push(closed ? token : { ...token, unterminated: true });
      i = end;
    } else if (isWordChar(code) && !(code === 45 /* - */ && !isAlnum(text.charCodeAt(i + 1))) && !(code === 47 /* / */ && !isDigit(text.charCodeAt(i + 1)))) {
      let end = i + 1;
      while (end < length && isWordChar(text.charCodeAt(end))) end++;
      // `case 3:` — a trailing colon is the label's, unless the word is IPv6 (`fe80::`).
      // A colon standing alone (`case "pxe":`, after a string) is the label's too.
      if (end - i === 1 && code === 58) push('punct', i, end);
      else if (text.charCodeAt(end - 1) === 58 && end - i > 1 && text.charCodeAt(end - 2) !== 58) {
        push('word', i, end - 1);
        push('punct', end - 1, end);
      } else push('word', i, end);
      i = end;
    } else {
      const len = TWO_CHAR.has(text.slice(i, i + 2)) ? 2 : code >= 0xd800 && code <= 0xdbff ? 2 : 1;
      push('punct', i, i + len);
      i += len;
    }
  }
  return { tokens, comments, end: { line, character: length - lineStart } };
}

/** A double-quoted string with C escapes, ended by `"` or (unclosed) by the end of its line. */
function readString(text: string, start: number): { end: number; value: string; closed: boolean } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { end: i + 1, value, closed: true };
    if (c === '\n' || c === '\r') return { end: i, value, closed: false };
    if (c === '\\' && i + 1 < text.length && text[i + 1] !== '\n' && text[i + 1] !== '\r') {
      const e = text[i + 1]!;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '"': '"', '\\': '\\' };
      if (e in simple) {
        value += simple[e];
        i += 2;
      } else if (/[0-7]/.test(e)) {
        const digits = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
        value += String.fromCharCode(parseInt(digits, 8));
        i += 1 + digits.length;
      } else if (e === 'x' && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
        const digits = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2, i + 4))![0];
        value += String.fromCharCode(parseInt(digits, 16));
        i += 2 + digits.length;
      } else {
        value += e;
        i += 2;
      }
    } else {
      value += c;
      i++;
    }
  }
  return { end: i, value, closed: false };
}

/** `00:07`, `1:0:c:29:aa:bb`: colon-separated bytes of one or two hex digits. */
export function hexBytes(word: string): number[] | undefined {
  if (!/^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})+$/.test(word)) return undefined;
  return word.split(':').map((b) => parseInt(b, 16));
}

/** A decimal (optionally negative) or 0x-hex integer. */
export function integerValue(word: string): number | undefined {
  if (/^-?[0-9]+$/.test(word)) return Number(word);
  if (/^0x[0-9A-Fa-f]+$/.test(word)) return parseInt(word.slice(2), 16);
  return undefined;
}

/** A dotted-quad IPv4 address as a 32-bit number, undefined if it is not one. */
export function ipv4Value(word: string): number | undefined {
  const parts = word.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** True for something that looks like a dotted quad, valid or not (`10.0.0.300`). */
export function looksLikeIpv4(word: string): boolean {
  return /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(word);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
