import type { PreviewOutput } from '../../../server/src/farm/previewProtocol';

/**
 * Cuts a stream of text into lines. A chunk may end mid-line (pipes deliver
 * whatever the kernel had), so the tail waits for the next chunk. A line that
 * never ends is dropped once it passes `maxLine` characters rather than
 * growing without bound; `onOverflow` says so.
 */
export class LineSplitter {
  private tail = '';
  private overflowing = false;

  constructor(
    private readonly maxLine = 64 * 1024 * 1024,
    private readonly onOverflow: (dropped: number) => void = () => undefined,
  ) {}

  push(chunk: string): string[] {
    const parts = (this.tail + chunk).split('\n');
    this.tail = parts.pop() ?? '';
    const lines = parts.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    if (this.overflowing && lines.length > 0) {
      // The rest of the overlong line: not a line of its own.
      lines.shift();
      this.overflowing = false;
    }
    if (this.tail.length > this.maxLine) {
      this.onOverflow(this.tail.length);
      this.tail = '';
      this.overflowing = true;
    }
    return lines.filter((line) => line.trim() !== '');
  }

  /** What is left when the stream ends: a last line without its newline. */
  end(): string[] {
    const last = this.overflowing ? '' : this.tail;
    this.tail = '';
    this.overflowing = false;
    return last.trim() === '' ? [] : [last];
  }
}

export type ParsedLine = { readonly ok: true; readonly output: PreviewOutput } | { readonly ok: false; readonly problem: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The fields each output type must have for the panel to use it; anything more is passed through. */
const SHAPES: Record<PreviewOutput['type'], (o: Json) => string | undefined> = {
  event: (o) => {
    const e = o.event;
    if (!isObject(e)) return 'an event line needs an `event` object';
    if (typeof e.time !== 'number' || !isString(e.layer) || !isString(e.kind) || !isString(e.message)) return 'an event needs time, layer, kind and message';
    if (e.origin !== undefined && !(isObject(e.origin) && isString(e.origin.file) && typeof e.origin.line === 'number')) return "an event's origin needs file and line";
    return undefined;
  },
  status: (o) => (!isObject(o.status) || !Array.isArray(o.nodes) || !o.nodes.every((n) => isObject(n) && isString(n.name) && isString(n.state)) ? 'a status line needs status and nodes (each with name and state)' : undefined),
  screenshot: (o) => (!isString(o.node) || !isString(o.png) ? 'a screenshot line needs node and png' : undefined),
  reply: (o) => (typeof o.id !== 'number' || typeof o.ok !== 'boolean' ? 'a reply line needs id and ok' : undefined),
  ended: (o) => (typeof o.ok !== 'boolean' ? 'an ended line needs ok' : undefined),
};

function excerpt(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/**
 * One line of `netboot-farm preview` output, checked against the contract
 * (server/src/farm/previewProtocol.ts). Never throws: a line that is not a
 * PreviewOutput comes back as a problem to log, and the session goes on.
 */
export function parsePreviewLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, problem: `not JSON: ${excerpt(line)}` };
  }
  if (!isObject(value) || !isString(value.type)) return { ok: false, problem: `not an output object with a type: ${excerpt(line)}` };
  const check = SHAPES[value.type as PreviewOutput['type']];
  if (!Object.hasOwn(SHAPES, value.type) || !check) return { ok: false, problem: `unknown output type "${value.type}": ${excerpt(line)}` };
  const wrong = check(value);
  return wrong ? { ok: false, problem: `${wrong}: ${excerpt(line)}` } : { ok: true, output: value as unknown as PreviewOutput };
}
