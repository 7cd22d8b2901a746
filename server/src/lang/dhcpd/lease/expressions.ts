import type { Expression, OptionName } from '../ast';

/**
 * dhcp-eval(5) over one request. Values are data (bytes), numbers or
 * booleans; `undefined` is dhcpd's "null" (an option the client did not send,
 * a substring past the end...). As in dhcpd (common/tree.c): two nulls are
 * equal, a null and a value are not, and a condition that cannot be
 * evaluated is false.
 */
export type Value = { readonly kind: 'data'; readonly bytes: Uint8Array } | { readonly kind: 'number'; readonly value: number } | { readonly kind: 'boolean'; readonly value: boolean };

export interface EvalContext {
  /** The payload of an option the client sent (sub-options of encapsulated spaces included). */
  clientOption(option: OptionName): Uint8Array | undefined;
  /** The value the config has set so far for an option (`config-option`). */
  configOption(option: OptionName): Uint8Array | undefined;
  /** htype followed by the hardware address, as dhcpd's `hardware` yields it. */
  readonly hardware: Uint8Array;
  /** The whole request datagram, for `packet(offset, length)`. */
  readonly packet?: Uint8Array;
  readonly known: boolean;
  readonly isStatic: boolean;
  readonly leasedAddress?: Uint8Array;
  readonly hostDeclName?: string;
  readonly variables: Map<string, Value | undefined>;
}

const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
const ascii = (text: string): Uint8Array => Uint8Array.from([...text].map((c) => c.charCodeAt(0) & 0xff));
const data = (bytes: Uint8Array): Value => ({ kind: 'data', bytes });
const num = (value: number): Value => ({ kind: 'number', value });
const bool = (value: boolean): Value => ({ kind: 'boolean', value });

function asData(v: Value | undefined): Uint8Array | undefined {
  if (!v) return undefined;
  if (v.kind === 'data') return v.bytes;
  if (v.kind === 'boolean') return Uint8Array.of(v.value ? 1 : 0);
  return undefined;
}

function asNumber(v: Value | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === 'number') return v.value;
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function readInt(bytes: Uint8Array, width: number): number | undefined {
  const size = width / 8;
  if (![1, 2, 4].includes(size) || bytes.length < size) return undefined;
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + (bytes[i] as number);
  return n;
}

function writeInt(n: number, width: number): Uint8Array | undefined {
  const size = width / 8;
  if (![1, 2, 4].includes(size)) return undefined;
  const out = new Uint8Array(size);
  let v = n >>> 0;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

/** POSIX extended regular expressions as JavaScript reads them; an invalid one matches nothing. */
function regexMatch(text: string, pattern: string, ignoreCase: boolean): boolean | undefined {
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '').test(text);
  } catch {
    return undefined;
  }
}

function numericOperator(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return (a + b) >>> 0;
    case '-':
      return (a - b) >>> 0;
    case '*':
      return Math.imul(a, b) >>> 0;
    case '/':
      return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case '%':
      return b === 0 ? undefined : (a % b) >>> 0;
    case '&':
      return (a & b) >>> 0;
    case '|':
      return (a | b) >>> 0;
    case '^':
      return (a ^ b) >>> 0;
    default:
      return undefined;
  }
}

export function evaluate(expr: Expression, ctx: EvalContext): Value | undefined {
  switch (expr.kind) {
    case 'string':
      return data(new TextEncoder().encode(expr.value));
    case 'hex':
      return data(Uint8Array.from(expr.bytes));
    case 'number':
      return num(expr.value);
    case 'option': {
      const bytes = expr.source === 'option' ? ctx.clientOption(expr.option) : ctx.configOption(expr.option);
      return bytes ? data(bytes) : undefined;
    }
    case 'exists':
      return bool(ctx.clientOption(expr.option) !== undefined);
    case 'not': {
      const v = evaluateBoolean(expr.operand, ctx);
      return v === undefined ? undefined : bool(!v);
    }
    case 'keyword':
      return keyword(expr.name, ctx);
    case 'variable':
      return ctx.variables.get(expr.name);
    case 'binary':
      return binary(expr, ctx);
    case 'call':
      return call(expr.name, expr.args, ctx);
    case 'error':
      return undefined;
  }
}

function keyword(name: string, ctx: EvalContext): Value | undefined {
  switch (name) {
    case 'hardware':
      return data(ctx.hardware);
    case 'known':
      return bool(ctx.known);
    case 'static':
      return bool(ctx.isStatic);
    case 'true':
      return bool(true);
    case 'false':
      return bool(false);
    case 'leased-address':
      return ctx.leasedAddress ? data(ctx.leasedAddress) : undefined;
    case 'host-decl-name':
      return ctx.hostDeclName === undefined ? undefined : data(ascii(ctx.hostDeclName));
    default:
      // null, and values only the running server knows (client-state, lease-time...)
      return undefined;
  }
}

function binary(expr: Extract<Expression, { kind: 'binary' }>, ctx: EvalContext): Value | undefined {
  const op = expr.operator;
  if (op === 'and') {
    // dhcpd (tree.c) reports a false left side as "cannot evaluate", not as
    // false: `not (A and B)` with A false is then false too. Checked against
    // dhcpd 4.4.3 by test/farm/dhcpRealClients.test.ts.
    if (evaluateBoolean(expr.left, ctx) !== true) return undefined;
    const right = evaluateBoolean(expr.right, ctx);
    return right === undefined ? undefined : bool(right);
  }
  if (op === 'or') {
    const left = evaluateBoolean(expr.left, ctx);
    if (left === true) return bool(true);
    const right = evaluateBoolean(expr.right, ctx);
    if (right === undefined) return left === undefined ? undefined : bool(false);
    return bool(right);
  }
  const left = evaluate(expr.left, ctx);
  const right = evaluate(expr.right, ctx);
  if (op === '=' || op === '!=') {
    let equal: boolean;
    if (!left || !right) equal = !left && !right;
    else if (left.kind === 'number' && right.kind === 'number') equal = left.value === right.value;
    else if (left.kind === 'boolean' && right.kind === 'boolean') equal = left.value === right.value;
    else {
      const a = asData(left);
      const b = asData(right);
      equal = a !== undefined && b !== undefined && sameBytes(a, b);
    }
    return bool(op === '=' ? equal : !equal);
  }
  if (op === '~=' || op === '~~') {
    const a = asData(left);
    const b = asData(right);
    if (!a || !b) return undefined;
    const matched = regexMatch(latin1(a), latin1(b), op === '~~');
    return matched === undefined ? undefined : bool(matched);
  }
  const a = asNumber(left);
  const b = asNumber(right);
  if (a === undefined || b === undefined) return undefined;
  const n = numericOperator(op, a, b);
  return n === undefined ? undefined : num(n);
}

function call(name: string, args: readonly Expression[], ctx: EvalContext): Value | undefined {
  const arg = (i: number) => {
    const a = args[i];
    return a ? evaluate(a, ctx) : undefined;
  };
  const dataArg = (i: number) => asData(arg(i));
  const numArg = (i: number) => asNumber(arg(i));
  switch (name) {
    case 'substring': {
      const d = dataArg(0);
      const offset = numArg(1);
      const length = numArg(2);
      if (!d || offset === undefined || length === undefined) return undefined;
      // dhcpd: an offset past the end gives an empty string, not null.
      return data(d.subarray(Math.min(offset, d.length), Math.min(offset + length, d.length)));
    }
    case 'suffix': {
      const d = dataArg(0);
      const length = numArg(1);
      if (!d || length === undefined) return undefined;
      return data(d.subarray(Math.max(0, d.length - length)));
    }
    case 'concat': {
      const parts = args.map((_, i) => dataArg(i));
      if (parts.some((p) => p === undefined)) return undefined;
      const out = new Uint8Array(parts.reduce((n, p) => n + (p as Uint8Array).length, 0));
      let at = 0;
      for (const p of parts as Uint8Array[]) {
        out.set(p, at);
        at += p.length;
      }
      return data(out);
    }
    case 'binary-to-ascii': {
      const base = numArg(0);
      const width = numArg(1);
      const separator = dataArg(2);
      const d = dataArg(3);
      if (base === undefined || width === undefined || !separator || !d || base < 2 || base > 16) return undefined;
      const size = width / 8;
      if (![1, 2, 4].includes(size)) return undefined;
      const words: string[] = [];
      for (let i = 0; i + size <= d.length; i += size) words.push((readInt(d.subarray(i), width) as number).toString(base));
      return data(ascii(words.join(latin1(separator))));
    }
    case 'encode-int': {
      const n = numArg(0);
      const width = numArg(1);
      if (n === undefined || width === undefined) return undefined;
      const bytes = writeInt(n, width);
      return bytes ? data(bytes) : undefined;
    }
    case 'extract-int': {
      const d = dataArg(0);
      const width = numArg(1);
      if (!d || width === undefined) return undefined;
      const n = readInt(d, width);
      return n === undefined ? undefined : num(n);
    }
    case 'lcase':
    case 'ucase': {
      const d = dataArg(0);
      if (!d) return undefined;
      const text = latin1(d);
      return data(ascii(name === 'lcase' ? text.toLowerCase() : text.toUpperCase()));
    }
    case 'reverse': {
      const width = numArg(0);
      const d = dataArg(1);
      if (width === undefined || !d || width <= 0 || d.length % width !== 0) return undefined;
      const out = new Uint8Array(d.length);
      for (let i = 0; i < d.length; i += width) out.set(d.subarray(d.length - i - width, d.length - i), i);
      return data(out);
    }
    case 'pick-first-value':
    case 'pick': {
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (v) return v;
      }
      return undefined;
    }
    case 'packet': {
      const offset = numArg(0);
      const length = numArg(1);
      if (!ctx.packet || offset === undefined || length === undefined) return undefined;
      return data(ctx.packet.subarray(Math.min(offset, ctx.packet.length), Math.min(offset + length, ctx.packet.length)));
    }
    case 'defined': {
      const a = args[0];
      return bool(a?.kind === 'variable' && ctx.variables.get(a.name) !== undefined);
    }
    default:
      // gethostname(), dns functions, execute(): nothing a pure evaluator can know.
      return undefined;
  }
}

/** A condition: true, false, or undefined when it cannot be evaluated (dhcpd then takes it as false). */
export function evaluateBoolean(expr: Expression, ctx: EvalContext): boolean | undefined {
  const v = evaluate(expr, ctx);
  if (!v) return undefined;
  if (v.kind === 'boolean') return v.value;
  return undefined;
}

export function evaluateData(expr: Expression, ctx: EvalContext): Uint8Array | undefined {
  return asData(evaluate(expr, ctx));
}
