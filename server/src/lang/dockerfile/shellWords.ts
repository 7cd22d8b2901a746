/**
 * Splits the shell code of a RUN line into simple commands and words, with
 * document offsets. dockerfile-ast parses the Dockerfile but leaves the shell
 * to the shell; the LTSP checks only need to know which programs run with
 * which words, so this reads words, quotes, separators, substitutions and
 * redirections, and nothing of shell grammar beyond that. It never throws.
 */
export interface Word {
  /** As the program receives it: quotes removed, `$(...)` and `${...}` kept as written. */
  readonly text: string;
  /** Document offsets, quotes included. */
  readonly start: number;
  readonly end: number;
  /** Where the content of a word that is one quoted string lies, to read it as a script (`sh -c '...'`). */
  readonly inner?: { readonly start: number; readonly end: number };
}

export interface RawCommand {
  readonly words: Word[];
  readonly redirects: Word[];
  /** The first word of the command piped into this one, as in `yes | apt-get install x`. */
  readonly pipedFrom?: string;
}

const CONTINUATION = /\\(\r\n|\n|\r)/g;

/** The index of the `)` that closes the `(` at `open`, skipping quotes; `to - 1` when unclosed. */
function closingParen(s: string, open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      i = close < 0 ? to : close;
    }
    else if (c === '"') {
      for (i++; i < to && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return to - 1;
}

/**
 * Reads `s[from, to)` as shell code; `base` turns indexes of `s` into document
 * offsets. Command substitutions are read too, as commands of their own that
 * come before the command that uses them.
 */
export function splitCommands(s: string, from: number, to: number, base: number, out: RawCommand[] = []): RawCommand[] {
  let words: Word[] = [];
  let redirects: Word[] = [];
  let pipedFrom: string | undefined;
  let text = '';
  let start = -1;
  let inner: { start: number; end: number } | undefined;
  let quotedParts = 0;
  let plainParts = 0;
  let redirectTarget = false;
  let i = from;

  const begin = () => {
    if (start < 0) start = i;
  };
  const flush = () => {
    if (start >= 0) {
      const word: Word = { text, start: base + start, end: base + Math.min(i, to), inner: quotedParts === 1 && plainParts === 0 ? inner : undefined };
      (redirectTarget ? redirects : words).push(word);
      redirectTarget = false;
    }
    text = '';
    start = -1;
    inner = undefined;
    quotedParts = 0;
    plainParts = 0;
  };
  const end = (pipe: boolean) => {
    flush();
    const first = words[0]?.text;
    if (words.length) out.push({ words, redirects, pipedFrom });
    pipedFrom = pipe ? first : undefined;
    words = [];
    redirects = [];
  };
  const substitute = (open: number, close: number) => splitCommands(s, open, close, base, out);

  while (i < to) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === ' ' || c === '\t') {
      flush();
      i++;
    } else if (c === '\\') {
      const eol = next === '\r' && s[i + 2] === '\n' ? 3 : next === '\n' || next === '\r' ? 2 : 0;
      if (eol) i += eol;
      else {
        begin();
        text += next ?? '';
        plainParts++;
        i += 2;
      }
    } else if (c === '\n' || c === '\r') {
      end(false);
      i++;
    } else if (c === '#' && start < 0) {
      while (i < to && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (c === "'") {
      begin();
      const close = s.indexOf("'", i + 1);
      const j = close < 0 || close > to ? to : close;
      text += s.slice(i + 1, j).replace(CONTINUATION, '');
      inner = { start: base + i + 1, end: base + j };
      quotedParts++;
      i = j + 1;
    } else if (c === '"') {
      begin();
      let j = i + 1;
      while (j < to && s[j] !== '"') {
        if (s[j] === '\\') {
          const after = s[j + 1] ?? '';
          if (after === '\n' || after === '\r') j += after === '\r' && s[j + 2] === '\n' ? 3 : 2;
          else {
            text += '"\\$`'.includes(after) ? after : '\\' + after;
            j += 2;
          }
        } else if (s[j] === '$' && s[j + 1] === '(') {
          const close = closingParen(s, j + 1, to);
          text += s.slice(j, close + 1);
          substitute(j + 2, close);
          j = close + 1;
        } else text += s[j++];
      }
      inner = { start: base + i + 1, end: base + j };
      quotedParts++;
      i = j + 1;
    } else if (c === '$' && next === '(') {
      begin();
      const close = closingParen(s, i + 1, to);
      text += s.slice(i, close + 1);
      if (s[i + 2] !== '(') substitute(i + 2, close);
      plainParts++;
      i = close + 1;
    } else if (c === '$' && next === '{') {
      begin();
      const close = s.indexOf('}', i);
      const j = close < 0 || close >= to ? to - 1 : close;
      text += s.slice(i, j + 1);
      plainParts++;
      i = j + 1;
    } else if (c === '`') {
      begin();
      const close = s.indexOf('`', i + 1);
      const j = close < 0 || close >= to ? to : close;
      text += s.slice(i, j + 1);
      substitute(i + 1, j);
      plainParts++;
      i = j + 1;
    } else if (c === '&' && next === '&') {
      end(false);
      i += 2;
    } else if (c === '|') {
      end(next !== '|');
      i += next === '|' || next === '&' ? 2 : 1;
    } else if (c === ';' || c === '(' || c === ')' || (c === '&' && next !== '>')) {
      end(false);
      i++;
    } else if (c === '<' || c === '>' || c === '&') {
      // A file descriptor number before the operator belongs to it, not to the command.
      if (start >= 0 && /^\d+$/.test(text) && plainParts > 0 && quotedParts === 0) start = -1;
      flush();
      while (i < to && '<>&|-'.includes(s[i]!)) i++;
      redirectTarget = true;
    } else {
      begin();
      text += c;
      plainParts++;
      i++;
    }
  }
  end(false);
  return out;
}
