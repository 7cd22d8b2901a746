/**
 * The `Range` request header (RFC 9110 section 14.2), for one range of bytes.
 * Pure: header text and file size in, a decision out.
 */
export type RangeDecision =
  /** Serve the whole file (no header, a syntax this server ignores, or several ranges). */
  | { readonly kind: 'full' }
  /** Serve bytes `start` to `end` inclusive, with 206. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  /** 416, with `Content-Range: bytes *\/size`. */
  | { readonly kind: 'unsatisfiable' };

const SINGLE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

/**
 * RFC 9110 lets a server ignore a Range header: it does for syntax it does
 * not understand and for multiple ranges (which would need a
 * multipart/byteranges reply no boot client asks for), and serves the file
 * whole. A valid single range that starts past the end is unsatisfiable.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = SINGLE.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // A suffix: the last N bytes.
    const n = Number(last);
    if (!Number.isSafeInteger(n)) return { kind: 'full' };
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (!Number.isSafeInteger(start) || (last !== '' && (!Number.isSafeInteger(end) || end < start))) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
