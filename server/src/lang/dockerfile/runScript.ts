import type { Copy, Heredoc, Run } from 'dockerfile-ast';
import type { LineIndex } from '../core/text';
import { splitCommands, type RawCommand, type Word } from './shellWords';

/** A command runs inside a chroot: `ltsp-chroot` (LTSP 5 picks /opt/ltsp/<arch>) or `chroot DIR`. */
export interface ChrootContext {
  readonly dir?: string;
  readonly via: Word;
}

/** One program run by a RUN line, with its wrappers (sudo, env, `sh -c`, chroots) seen through. */
export interface ShellCommand {
  /** The program without its path; LTSP 20+ applets are named with their applet, `ltsp image`. */
  readonly name: string;
  readonly nameWord: Word;
  readonly args: readonly Word[];
  readonly chroot?: ChrootContext;
  readonly pipedFrom?: string;
}

export interface RunScript {
  readonly commands: readonly ShellCommand[];
  /** Shell variables the script sets (`KERNEL=...`, `export KERNEL=...`): the last value written. */
  readonly assignments: ReadonlyMap<string, string>;
  /** The shell code with Docker's comment lines blanked, and the here-document bodies, for text searches. */
  readonly segments: readonly { readonly start: number; readonly text: string }[];
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const DECLARE = new Set(['export', 'declare', 'local', 'readonly', 'typeset']);
/** Programs that run the rest of their words as a command, with the options of theirs that take a value. */
const WRAPPERS: Readonly<Record<string, readonly string[]>> = {
  sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U'],
  env: ['-u', '-C', '-S'],
  nice: ['-n'],
  ionice: ['-c', '-n', '-p'],
  stdbuf: ['-i', '-o', '-e'],
  xargs: ['-I', '-n', '-P', '-d', '-a', '-s', '-L', '-E'],
  exec: ['-a'],
  nohup: [],
  eatmydata: [],
  command: [],
  time: [],
  fakeroot: [],
  then: [],
  do: [],
  else: [],
  if: [],
  elif: [],
  while: [],
  until: [],
  '!': [],
  '{': [],
};
const LTSP_VALUE_OPTIONS = new Set(['-b', '-t', '-m', '-i', '-n', '-o', '--base-dir', '--tftp-dir', '--home-dir', '--image-dir', '--nfs-dir']);

interface Source {
  readonly s: string;
  readonly base: number;
}

function programName(text: string): string {
  return text.replace(/^.*\//, '');
}

/** Index of the first word after `from` that is not an option (or the value of one). */
function skipOptions(words: readonly Word[], from: number, valueOptions: readonly string[]): number {
  let k = from;
  while (k < words.length && words[k]!.text.startsWith('-') && words[k]!.text !== '-') {
    if (valueOptions.includes(words[k]!.text)) k++;
    k++;
  }
  return k;
}

class Reader {
  readonly commands: ShellCommand[] = [];
  readonly assignments = new Map<string, string>();

  /** Reads one raw command; returns the chroot context when it is a shell reading its script from stdin. */
  read(raw: RawCommand, ctx: ChrootContext | undefined, source: Source): { stdin: boolean; ctx?: ChrootContext } {
    const words = raw.words;
    let k = 0;
    for (;;) {
      for (let m = ASSIGNMENT.exec(words[k]?.text ?? ''); m; m = ASSIGNMENT.exec(words[k]?.text ?? '')) {
        this.assignments.set(m[1]!, words[k]!.text.slice(m[0].length));
        k++;
      }
      const word = words[k];
      if (!word) return { stdin: false };
      const name = programName(word.text);
      const push = (command: Omit<ShellCommand, 'chroot' | 'pipedFrom'>) => this.commands.push({ ...command, chroot: ctx, pipedFrom: raw.pipedFrom });
      const wrapper = WRAPPERS[name];
      if (wrapper) {
        k = skipOptions(words, k + 1, wrapper);
      } else if (DECLARE.has(name)) {
        for (const w of words.slice(k + 1)) {
          const m = ASSIGNMENT.exec(w.text);
          if (m) this.assignments.set(m[1]!, w.text.slice(m[0].length));
        }
        return { stdin: false };
      } else if (name === 'ltsp-chroot') {
        push({ name, nameWord: word, args: words.slice(k + 1) });
        k = skipOptions(words, k + 1, ['-a', '--arch', '-b', '--base']);
        ctx = { via: word };
      } else if (name === 'chroot' || name === 'arch-chroot') {
        push({ name, nameWord: word, args: words.slice(k + 1) });
        k = skipOptions(words, k + 1, []);
        const dir = words[k];
        if (!dir) return { stdin: false };
        ctx = { dir: dir.text, via: word };
        k++;
      } else if (SHELLS.has(name)) {
        return this.shell(words.slice(k + 1), ctx, source);
      } else if (name === 'ltsp') {
        const at = skipOptions(words, k + 1, [...LTSP_VALUE_OPTIONS]);
        const applet = words[at];
        const full = applet ? `ltsp ${applet.text}` : 'ltsp';
        push({ name: full, nameWord: applet ? { text: full, start: word.start, end: applet.end } : word, args: words.slice(at + 1) });
        return { stdin: false };
      } else {
        push({ name, nameWord: word, args: words.slice(k + 1) });
        return { stdin: false };
      }
    }
  }

  /** `sh -c 'script'` is read as a script; `sh -e` with no file reads a here-document. */
  private shell(args: readonly Word[], ctx: ChrootContext | undefined, source: Source): { stdin: boolean; ctx?: ChrootContext } {
    let dashC = false;
    let j = 0;
    for (; j < args.length; j++) {
      const t = args[j]!.text;
      if (t === '-o' || t === '+o') j++;
      else if (/^[-+][a-zA-Z]+$/.test(t)) dashC ||= t.startsWith('-') && t.includes('c');
      else if (t !== '--') break;
    }
    const script = args[j];
    if (!dashC) return script ? { stdin: false } : { stdin: true, ctx };
    if (!script) return { stdin: false };
    // An unquoted or partly quoted script is read from its own text, with offsets that are close enough.
    const from: Source = script.inner ? source : { s: script.text, base: script.start };
    const raws = script.inner
      ? splitCommands(source.s, script.inner.start - source.base, script.inner.end - source.base, source.base)
      : splitCommands(script.text, 0, script.text.length, script.start);
    for (const raw of raws) this.read(raw, ctx, from);
    return { stdin: false };
  }
}

function offsetsOf(heredoc: Heredoc, index: LineIndex): { body?: [number, number]; blank: [number, number] } | undefined {
  const content = heredoc.getContentRange();
  const delimiter = heredoc.getDelimiterRange();
  const first = content?.start ?? delimiter?.start;
  if (!first) return undefined;
  const last = delimiter?.end ?? content!.end;
  return { body: content ? [index.offsetAt(content.start), index.offsetAt(content.end)] : undefined, blank: [index.offsetAt(first), index.offsetAt(last)] };
}

/**
 * Blanks lines that start with `#`, keeping every offset. Docker removes such
 * lines from a continued instruction with their line break (`withEol`); in a
 * here-document they are shell comments and the line break stays.
 */
function blankComments(text: string, withEol = false): string {
  return text.replace(withEol ? /^[ \t]*#[^\r\n]*(\r\n|\n|\r)?/gm : /^[ \t]*#[^\r\n]*/gm, (line) => ' '.repeat(line.length));
}

/** Here-document bodies of a COPY or RUN, as document offsets. */
export function heredocBodies(instruction: Run | Copy, index: LineIndex): [number, number][] {
  return instruction.getHeredocs().map((h) => offsetsOf(h, index)?.body).filter((b): b is [number, number] => b !== undefined);
}

/** What one RUN instruction runs. `escape` is the Dockerfile's escape character. */
export function readRun(run: Run, text: string, index: LineIndex, escape: string): RunScript {
  const reader = new Reader();
  const end = index.offsetAt(run.getRange().end);
  const flags = run.getFlags();
  const lastFlag = flags[flags.length - 1];
  const start = lastFlag ? index.offsetAt(lastFlag.getRange().end) : index.offsetAt(run.getInstructionRange().end);
  const json = run.getJSONStrings();
  if (json.length) {
    // getValue() drops the spaces inside a JSON string; the text between the quotes is what runs.
    const words = json.map((a) => {
      const inner = { start: index.offsetAt(a.getJSONRange().start), end: index.offsetAt(a.getJSONRange().end) };
      return { text: text.slice(inner.start, inner.end), start: inner.start - 1, end: inner.end + 1, inner };
    });
    reader.read({ words, redirects: [] }, undefined, { s: text, base: 0 });
    return { commands: reader.commands, assignments: reader.assignments, segments: [{ start, text: text.slice(start, end) }] };
  }
  const chars = text.slice(start, end).split('');
  const bodies: [number, number][] = [];
  for (const heredoc of run.getHeredocs()) {
    const at = offsetsOf(heredoc, index);
    if (!at) continue;
    if (at.body) bodies.push(at.body);
    for (let k = at.blank[0]; k < at.blank[1]; k++) if (chars[k - start] !== '\n' && chars[k - start] !== '\r') chars[k - start] = ' ';
  }
  const firstLineEnd = chars.findIndex((c) => c === '\n' || c === '\r');
  if (escape !== '\\') chars.forEach((c, k) => (c === escape && (chars[k + 1] === '\n' || chars[k + 1] === '\r') ? (chars[k] = '\\') : undefined));
  // Docker drops comment lines inside a continued instruction before the shell sees it.
  const masked = firstLineEnd < 0 ? chars.join('') : chars.slice(0, firstLineEnd).join('') + blankComments(chars.slice(firstLineEnd).join(''), true);
  const source = { s: masked, base: start };
  const raws = splitCommands(masked, 0, masked.length, start);
  let stdin: { stdin: boolean; ctx?: ChrootContext } = { stdin: raws.length === 0 };
  raws.forEach((raw, i) => {
    const result = reader.read(raw, undefined, source);
    if (i === 0) stdin = result;
  });
  // A here-document is a script only when a shell reads it (`RUN <<EOF`, `RUN bash -e <<EOF`); otherwise it is data.
  if (stdin.stdin) for (const [from, to] of bodies) for (const raw of splitCommands(text, from, to, 0)) reader.read(raw, stdin.ctx, { s: text, base: 0 });
  return {
    commands: reader.commands,
    assignments: reader.assignments,
    segments: [{ start, text: masked }, ...bodies.map(([from, to]) => ({ start: from, text: blankComments(text.slice(from, to)) }))],
  };
}
