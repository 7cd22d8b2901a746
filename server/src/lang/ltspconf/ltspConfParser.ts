import { splitLines, lineRange, range } from '../core/text';
import { endSection, type ConfDocument, type Entry, type ParseProblem, type QuoteKind, type Section } from '../conf/model';
import { readShellWord } from '../conf/shellWord';

/**
 * Parses ltsp.conf the way LTSP 20+'s `ini2sh` (awk) turns it into shell, and
 * never throws. ini2sh looks at each line alone: a `[name]` line starts a
 * function, `INCLUDE=x` (any case, column 0) calls one, `KEY = value` at
 * column 0 is an assignment with the spaces around the first `=` removed,
 * and every other line is copied verbatim as shell code. Values then follow
 * POSIX sh quoting, so a quoted value may run over several lines.
 */
export function parseLtspConf(text: string): ConfDocument {
  const lines = splitLines(text);
  const sections: Section[] = [];
  const preamble: Entry[] = [];
  const problems: ParseProblem[] = [];
  let current: Section | null = null;
  let lastContentLine = 0;

  const closeSection = () => endSection(current, lines, lastContentLine);

  for (let index = 0; index < lines.length; index++) {
    const { line, text: raw } = lines[index]!;
    const body = raw.trim();
    if (body === '' || body.startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const end = indent + body.length;

    const header = /^( *)\[([^\]]*)\]/.exec(raw);
    if (header) {
      closeSection();
      const open = header[1]!.length;
      const name = header[2]!;
      const close = open + 1 + name.length;
      const section: Section = {
        name,
        nameRange: lineRange(line, open + 1, close),
        headerRange: lineRange(line, open, close + 1),
        range: lineRange(line, open, close + 1),
        entries: [],
        shellLines: [],
      };
      sections.push(section);
      current = section;
      lastContentLine = line;
      const after = raw.slice(close + 1);
      if (after.trim() !== '') {
        const at = close + 1 + (after.length - after.trimStart().length);
        problems.push({ code: 'LTSP002', range: lineRange(line, at, raw.trimEnd().length), params: { text: after.trim() } });
      }
      if (name.trim() === '') problems.push({ code: 'LTSP002', range: section.headerRange, params: { text: '(no name)' } });
      continue;
    }

    lastContentLine = line;
    const assignment = /^([A-Za-z0-9_]*)( *)=( *)/.exec(raw);
    if (!assignment) {
      const indented = /^\s+([A-Za-z_][A-Za-z0-9_]*)(\s*)=(\s*)/.exec(raw);
      if (indented && (indented[2] !== '' || indented[3] !== '')) {
        problems.push({ code: 'LTSP003', range: lineRange(line, indent, end), params: { key: indented[1]! } });
      }
      current?.shellLines.push({ text: raw, range: lineRange(line, 0, raw.length) });
      continue;
    }
    const key = assignment[1]!;
    const keyRange = lineRange(line, 0, key.length);
    if (key === '' || /^[0-9]/.test(key)) {
      problems.push({ code: 'LTSP009', range: key === '' ? lineRange(line, 0, 1) : keyRange, params: { key: key || '(empty)' } });
      continue;
    }
    const valueStart = assignment[0].length;
    const word = readShellWord(lines, index, valueStart);
    const lastLine = lines[word.endLine]!;
    const valueRange = range(line, valueStart, word.endLine, word.endCharacter);
    if (!word.closed) {
      problems.push({ code: 'LTSP004', range: lineRange(word.openLine, word.openCharacter, word.openCharacter + 1), params: { quote: word.openQuote ?? '"' } });
    } else {
      const rest = lastLine.text.slice(word.endCharacter);
      const extra = rest.trim();
      if (extra !== '' && !extra.startsWith('#') && !extra.startsWith(';')) {
        const at = word.endCharacter + (rest.length - rest.trimStart().length);
        problems.push({
          code: 'LTSP005',
          range: lineRange(word.endLine, at, lastLine.text.trimEnd().length),
          params: { key, command: extra.split(/\s+/)[0] ?? extra },
          data: { valueStart, valueEnd: lastLine.text.trimEnd().length, line },
        });
      }
    }
    const rawValue =
      word.endLine === index
        ? raw.slice(valueStart, word.endCharacter)
        : [raw.slice(valueStart), ...lines.slice(index + 1, word.endLine).map((l) => l.text), lastLine.text.slice(0, word.endCharacter)].join('\n');
    const quote: QuoteKind = rawValue.startsWith('"') ? '"' : rawValue.startsWith("'") ? "'" : null;
    const entry: Entry = {
      key,
      keyRange,
      value: word.value,
      rawValue,
      valueRange,
      range: range(line, 0, word.endLine, word.endCharacter),
      quote,
      equalsColumn: key.length + assignment[2]!.length,
      section: current,
    };
    if (current) current.entries.push(entry);
    else {
      preamble.push(entry);
      problems.push({ code: 'LTSP001', range: entry.keyRange, params: { key } });
    }
    index = word.endLine;
    lastContentLine = word.endLine;
  }
  closeSection();
  return { sections, preamble, problems, lineCount: lines.length, lines };
}
