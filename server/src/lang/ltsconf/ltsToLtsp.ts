import { ltspCatalog } from '../ltspconf/ltspCatalog';
import { splitLines } from '../core/text';
import type { Entry } from '../conf/model';
import { allEntries } from '../conf/model';
import { parseLtsConf } from './ltsConfParser';

/**
 * LTSP 5 hooks that run shell code, and where that code goes in LTSP 20+.
 * The timing differs (rc.local ran late, POST_INIT runs just before init),
 * so the converted line says so.
 */
const commandFamilies = /^(RCFILE|INIT_COMMAND|PREINIT)_(.+)$/i;

/** sh quoting for a value: double quotes when nothing inside needs escaping. */
function shQuote(value: string): string {
  if (/^[A-Za-z0-9_./:,@%+-]+$/.test(value)) return value;
  if (!/["$`\\]/.test(value)) return `"${value}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function convertEntry(entry: Entry): string[] {
  const key = entry.key.toUpperCase();
  if (key === 'LIKE') return [`INCLUDE=${entry.value.trim().toLowerCase() === 'default' ? 'clients' : entry.value.trim()}`];
  const command = commandFamilies.exec(key);
  if (command) return [`# was ${entry.key}: runs just before init now, not from rc.local`, `POST_INIT_${command[2]}=${shQuote(entry.value)}`];
  const info = ltspCatalog.lookup(key);
  if (!info) return [`# LTSP 5 only, no LTSP 20+ equivalent: ${entry.key} = ${entry.rawValue}`];
  if (info.type === 'boolean') return [`${key}=${/^(true|y|yes)$/i.test(entry.value.trim()) ? 1 : 0}`];
  return [`${key}=${shQuote(entry.value)}`];
}

/**
 * Rewrites an lts.conf in ltsp.conf syntax: [Default] becomes [clients], LIKE
 * becomes INCLUDE, values get sh quoting, booleans become 0/1, command hooks
 * move to POST_INIT_*, and variables LTSP 20+ does not know become comments.
 * Comments and blank lines stay where they were.
 */
export function convertLtsToLtsp(text: string): string {
  const doc = parseLtsConf(text);
  const byLine = new Map<number, Entry>(allEntries(doc).map((e) => [e.range.start.line, e]));
  const headers = new Map(doc.sections.map((s) => [s.headerRange.start.line, s]));
  const out: string[] = ['# Converted from lts.conf (LTSP 5) by Netboot Farm. Run `ltsp initrd` after every change.'];
  for (const { line, text: raw } of splitLines(text)) {
    const section = headers.get(line);
    const entry = byLine.get(line);
    if (section) out.push(section.name.toLowerCase() === 'default' ? '[clients]' : `[${section.name}]`);
    else if (entry) out.push(...convertEntry(entry));
    else out.push(raw.trim() === '' || raw.trimStart().startsWith('#') ? raw : `# could not convert: ${raw}`);
  }
  return out.join('\n').replace(/\n*$/, '\n');
}
