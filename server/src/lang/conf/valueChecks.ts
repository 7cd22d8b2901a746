import type { Range } from 'vscode-languageserver-types';
import mounts from '../../../../schemas/mounts.json';
import { lineRange } from '../core/text';
import { didYouMean, suggestNames } from '../core/suggest';
import type { Entry } from './model';

/** Reports one finding of a shared check; the language maps `kind` to its own code. */
export type Finding = (kind: FindingKind, range: Range, params?: Record<string, string | number>) => void;

export type FindingKind =
  | 'number'
  | 'enum'
  | 'fstabFields'
  | 'fstabType'
  | 'fstabOption'
  | 'nofail'
  | 'serviceUnknown'
  | 'serviceDuplicate'
  | 'secret'
  | 'crontab';

interface MountData {
  filesystems: { name: string; network?: boolean }[];
  options: { name: string; value?: boolean }[];
}
const mountData = mounts as MountData;
const fsTypes = new Set(mountData.filesystems.map((f) => f.name));
const networkFs = new Set(mountData.filesystems.filter((f) => f.network).map((f) => f.name));
const mountOptions = new Set(mountData.options.map((o) => o.name.replace(/=$/, '')));

/**
 * The range of characters [start, end) of an entry's decoded value. Exact for
 * one-line values without escapes, which is nearly all of them; a value over
 * several lines gets its whole range.
 */
export function valueSubRange(entry: Entry, start: number, end: number): Range {
  const r = entry.valueRange;
  if (r.start.line !== r.end.line) return r;
  const base = r.start.character + (entry.quote ? 1 : 0);
  return lineRange(r.start.line, base + start, base + end);
}

/** Whitespace-separated words of a value with their offsets. */
export function words(value: string, separators = /[^\s]+/g): { word: string; start: number; end: number }[] {
  return [...value.matchAll(separators)].map((m) => ({ word: m[0], start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** Values that hold shell expansions are only known on the client: don't judge them. */
export function isDynamic(value: string): boolean {
  return /[$`]/.test(value);
}

export function checkNumber(entry: Entry, minimum: number | undefined, maximum: number | undefined, report: Finding): void {
  const value = entry.value.trim();
  if (value === '' || isDynamic(value) || value.toUpperCase() === 'NONE') return;
  const n = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
  const inBounds = !Number.isNaN(n) && (minimum === undefined || n >= minimum) && (maximum === undefined || n <= maximum);
  if (inBounds) return;
  const bounds = minimum !== undefined || maximum !== undefined ? ` from ${minimum ?? '…'} to ${maximum ?? '…'}` : '';
  report('number', entry.valueRange, { key: entry.key, value, bounds });
}

export function checkEnum(entry: Entry, values: readonly string[], caseInsensitive: boolean, report: Finding): void {
  const value = entry.value.trim();
  if (value === '' || isDynamic(value) || value.toUpperCase() === 'NONE') return;
  const same = (v: string) => (caseInsensitive ? v.toLowerCase() === value.toLowerCase() : v === value);
  if (values.some(same)) return;
  report('enum', entry.valueRange, { key: entry.key, value, values: values.map((v) => '`' + v + '`').join(', ') });
}

/** One /etc/fstab line: field count, type, options, and `nofail` advice. */
export function checkFstab(entry: Entry, report: Finding): void {
  if (isDynamic(entry.value)) return;
  const fields = words(entry.value);
  if (fields.length === 0) return;
  if (fields.length < 4 || fields.length > 6) {
    const hint = fields.length < 4 ? ' Add the missing fields, e.g. `server:/home /home nfs defaults,nofail 0 0`.' : ' Quote paths with spaces as `\\040`.';
    report('fstabFields', entry.valueRange, { count: fields.length, hint });
    return;
  }
  const [device, , type, options] = fields as [typeof fields[0], typeof fields[0], typeof fields[0], typeof fields[0]];
  if (fields.length === 5 && /^\d+$/.test(options.word)) {
    report('fstabFields', entry.valueRange, { count: 5, hint: ' The options field is missing: put `defaults` (or your options) before the dump and pass numbers.' });
    return;
  }
  if (!fsTypes.has(type.word) && !type.word.startsWith('fuse.')) {
    report('fstabType', valueSubRange(entry, type.start, type.end), { type: type.word, suggestion: didYouMean(suggestNames(type.word, fsTypes)) });
  }
  let offset = options.start;
  const names: string[] = [];
  for (const option of options.word.split(',')) {
    const name = option.split('=')[0] ?? '';
    names.push(name);
    if (name !== '' && !mountOptions.has(name) && !name.startsWith('x-')) {
      report('fstabOption', valueSubRange(entry, offset, offset + option.length), { option: name, suggestion: didYouMean(suggestNames(name, mountOptions)) });
    }
    offset += option.length + 1;
  }
  const optional = networkFs.has(type.word) || /^(\/dev\/|UUID=|LABEL=|PARTUUID=|PARTLABEL=)/.test(device.word);
  if (optional && !names.includes('nofail') && !names.includes('noauto')) {
    report('nofail', valueSubRange(entry, options.start, options.end), { device: device.word });
  }
}

/** A list of service names: known names (when the catalog lists them) and duplicates. */
export function checkServices(entry: Entry, known: readonly string[] | undefined, report: Finding): void {
  if (isDynamic(entry.value)) return;
  const seen = new Set<string>();
  for (const { word, start, end } of words(entry.value, /[^\s,]+/g)) {
    const name = word.replace(/\.service$/, '');
    const range = valueSubRange(entry, start, end);
    if (seen.has(name)) report('serviceDuplicate', range, { service: word });
    seen.add(name);
    if (known && !known.includes(name)) {
      report('serviceUnknown', range, {
        service: word,
        key: entry.key,
        known: known.slice(0, 6).map((k) => '`' + k + '`').join(', ') + (known.length > 6 ? `, … (${known.length} in all: hover over ${entry.key})` : ''),
        suggestion: didYouMean(suggestNames(name, known)),
      });
    }
  }
}

/** A cron.d line: five time fields (or an @keyword), a user, then the command. */
export function checkCrontab(entry: Entry, report: Finding): void {
  if (entry.value.trim() === '') return;
  const fields = words(entry.value);
  const needed = fields[0]?.word.startsWith('@') ? 3 : 7;
  if (fields.length < needed) report('crontab', entry.valueRange, { count: fields.length });
}

const secretPatterns: { regex: RegExp; what: string }[] = [
  { regex: /--token[ =]+[a-z0-9]{6}\.[a-z0-9]{16}/, what: 'a `kubeadm join` token' },
  { regex: /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/, what: 'what looks like a bootstrap token' },
  { regex: /--discovery-token-ca-cert-hash[ =]+sha256:[0-9a-f]{64}/, what: 'a cluster CA hash next to a join command' },
  { regex: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { regex: /\bAKIA[0-9A-Z]{16}\b/, what: 'an AWS access key' },
  { regex: /(?:^|[\s;|&])(?:echo|printf)\s+['"]?[\w.-]+:[^\s'"]+['"]?\s*\|\s*chpasswd/, what: 'a password piped to chpasswd' },
  { regex: /(?:--password|--passwd)[ =]+['"]?[^\s'"$-][^\s'"]*|\bsshpass\s+-p\s*[^\s$-]\S*/, what: 'a password on a command line' },
  { regex: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@$]+@/, what: 'a password in a URL' },
  { regex: /\b(?:password|passwd|pwd)=[^\s,'"$]+/i, what: 'a password' },
];

/** Cheap test that rules most values out before the patterns above run: one regex instead of nine per value. */
const mayHoldSecret = /token|PRIVATE KEY|AKIA|chpasswd|pass|pwd|:\/\/[^\s/]*@|[a-z0-9]{6}\.[a-z0-9]{16}/i;

/** Secrets a TFTP-served or image-baked config must not carry. Returns the first found. */
export function findSecret(value: string): { start: number; end: number; what: string } | undefined {
  if (!mayHoldSecret.test(value)) return undefined;
  for (const { regex, what } of secretPatterns) {
    const m = regex.exec(value);
    if (m) return { start: m.index, end: m.index + m[0].length, what };
  }
  return undefined;
}

export function checkSecret(entry: Entry, report: Finding): void {
  const found = findSecret(entry.value);
  if (found) report('secret', valueSubRange(entry, found.start, found.end), { secret: found.what });
}
