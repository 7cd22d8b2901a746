import { splitLines, lineRange } from '../core/text';
import { endSection, type ConfDocument, type Entry, type ParseProblem, type QuoteKind, type Section } from '../conf/model';

/**
 * Parses lts.conf the way LTSP 5's getltscfg (flex + bison) reads it, one
 * line at a time, and never throws. Where getltscfg would stop with a syntax
 * error (and, its stderr being discarded at boot, silently ignore the rest of
 * the file), the parse records a problem and carries on, so that one mistake
 * does not hide the next.
 *
 * Lexical facts that matter: keys and section names are case-insensitive;
 * an unquoted value may not hold `= [ ] " ' #`; a double-quoted value runs to
 * the LAST `"` on the line; `'` is no quote at all; `#` after an unquoted
 * value starts a comment.
 */
export function parseLtsConf(text: string): ConfDocument {
  const lines = splitLines(text);
  const sections: Section[] = [];
  const preamble: Entry[] = [];
  const problems: ParseProblem[] = [];
  let current: Section | null = null;
  let lastContentLine = 0;

  const closeSection = () => endSection(current, lines, lastContentLine);

  for (const { line, text: raw } of lines) {
    const indent = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === '' || body.startsWith('#')) continue;
    const end = indent + body.length;

    if (/^include(\s|"|$)/i.test(body)) {
      lastContentLine = line;
      continue;
    }

    if (body.startsWith('[')) {
      closeSection();
      const close = raw.indexOf(']', indent);
      const after = close < 0 ? '' : raw.slice(close + 1).trim();
      const name = raw.slice(indent + 1, close < 0 ? end : close);
      const nameStart = indent + 1 + (name.length - name.trimStart().length);
      const trimmedName = name.trim();
      const section: Section = {
        name: trimmedName,
        nameRange: lineRange(line, nameStart, nameStart + trimmedName.length),
        headerRange: lineRange(line, indent, close < 0 ? end : close + 1),
        range: lineRange(line, indent, end),
        entries: [],
        shellLines: [],
      };
      sections.push(section);
      current = section;
      lastContentLine = line;
      if (close < 0) problems.push({ code: 'LTS003', range: lineRange(line, indent, end), params: { what: 'a section header without its closing `]`' } });
      else if (trimmedName === '') problems.push({ code: 'LTS003', range: section.headerRange, params: { what: 'a section header with no name' } });
      else if (/[="'#[]/.test(trimmedName)) problems.push({ code: 'LTS003', range: section.nameRange, params: { what: 'a section name with `=`, `"`, `\'`, `#` or `[` in it' } });
      if (after !== '' && !after.startsWith('#')) {
        const at = raw.indexOf(after, close + 1);
        problems.push({ code: 'LTS003', range: lineRange(line, at, at + after.length), params: { what: 'text after the section header' } });
      }
      continue;
    }

    lastContentLine = line;
    const eq = raw.indexOf('=', indent);
    if (eq < 0) {
      problems.push({ code: 'LTS003', range: lineRange(line, indent, end), params: { what: 'a line without `=`' } });
      continue;
    }
    const keyText = raw.slice(indent, eq).trimEnd();
    if (keyText === '') {
      problems.push({ code: 'LTS003', range: lineRange(line, indent, end), params: { what: 'an assignment with no variable name' } });
      continue;
    }
    const keyRange = lineRange(line, indent, indent + keyText.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyText)) {
      problems.push({ code: 'LTS009', range: keyRange, params: { key: keyText } });
    }

    const value = readValue(raw, eq + 1, line, problems);
    if (!value) continue;
    const entry: Entry = {
      key: keyText,
      keyRange,
      value: value.value,
      rawValue: raw.slice(value.start, value.end),
      valueRange: lineRange(line, value.start, value.end),
      range: lineRange(line, indent, value.end),
      quote: value.quote,
      equalsColumn: eq,
      section: current,
    };
    if (current) current.entries.push(entry);
    else {
      preamble.push(entry);
      problems.push({ code: 'LTS001', range: entry.range, params: { key: keyText } });
    }
  }
  closeSection();

  for (const section of sections) {
    if (section.entries.length === 0 && section.name !== '') problems.push({ code: 'LTS002', range: section.headerRange, params: { name: section.name } });
  }
  return { sections, preamble, problems, lineCount: lines.length, lines };
}

interface ValueSpan {
  value: string;
  start: number;
  end: number;
  quote: QuoteKind;
}

/** Reads the value after `=`; reports what getltscfg would reject or misread. */
function readValue(raw: string, from: number, line: number, problems: ParseProblem[]): ValueSpan | undefined {
  let start = from;
  while (start < raw.length && /\s/.test(raw[start] ?? '')) start++;
  const rest = raw.slice(start);
  if (rest === '' || rest.startsWith('#')) {
    problems.push({ code: 'LTS008', range: lineRange(line, from - 1, from), params: {} });
    return undefined;
  }
  if (rest.startsWith('"')) {
    const last = raw.lastIndexOf('"');
    if (last === start) {
      problems.push({ code: 'LTS006', range: lineRange(line, start, raw.trimEnd().length), data: { insertAt: raw.trimEnd().length } });
      return undefined;
    }
    const inner = raw.slice(start + 1, last);
    const after = raw.slice(last + 1).trim();
    if (after !== '' && !after.startsWith('#')) {
      const at = raw.indexOf(after, last + 1);
      problems.push({ code: 'LTS003', range: lineRange(line, at, at + after.length), params: { what: 'text after the closing quote' } });
    }
    // The greedy match took everything up to the last quote on the line. That
    // is only a mistake when the first inner quote was meant to close the
    // value: a comment or a second string follows it (`\"` reads as escaping).
    const firstClose = inner.search(/(?<!\\)"/);
    if (firstClose >= 0 && /^\s*#|^\s+"/.test(inner.slice(firstClose + 1))) {
      problems.push({
        code: 'LTS005',
        range: lineRange(line, start, last + 1),
        params: { value: inner },
      });
    }
    return { value: inner, start, end: last + 1, quote: '"' };
  }
  if (rest.startsWith("'")) {
    const close = raw.indexOf("'", start + 1);
    const end = close < 0 ? raw.trimEnd().length : close + 1;
    problems.push({ code: 'LTS004', range: lineRange(line, start, end), params: {} });
    return { value: raw.slice(start + 1, close < 0 ? end : close), start, end, quote: "'" };
  }
  const hash = raw.indexOf('#', start);
  const valueText = raw.slice(start, hash < 0 ? raw.length : hash).trimEnd();
  const end = start + valueText.length;
  const bad = /[=[\]"']/.exec(valueText);
  if (bad) {
    const at = start + bad.index;
    if (bad[0] === "'") problems.push({ code: 'LTS004', range: lineRange(line, at, end), params: {} });
    else problems.push({ code: 'LTS007', range: lineRange(line, at, at + 1), params: { char: bad[0] }, data: { start, end } });
  }
  return { value: valueText, start, end, quote: null };
}
