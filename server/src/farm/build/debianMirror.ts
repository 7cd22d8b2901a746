import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AptSource {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** Both apt formats: one-line `deb [opts] URI SUITE COMP...` and deb822 `.sources` stanzas. */
export function parseAptSources(text: string, deb822: boolean): AptSource[] {
  const out: AptSource[] = [];
  if (!deb822) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim().split(/\s+/);
      if (line[0] === 'deb' && line[1] && line[2]) out.push({ uri: line[1], suites: [line[2]], components: line.slice(3) });
    }
    return out;
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb') || fields.get('enabled') === 'no') continue;
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components') });
  }
  return out;
}

/** The machine's mirror for a Debian suite: the first source that carries SUITE's main component. */
export function pickMirror(sources: readonly AptSource[], suite: string): string | undefined {
  return sources.find((s) => s.suites.includes(suite) && s.components.includes('main'))?.uri;
}

export const FALLBACK_MIRROR = 'http://deb.debian.org/debian';

/** Reads /etc/apt/sources.list and /etc/apt/sources.list.d/*; unreadable files are skipped. */
export async function machineMirror(suite: string, etcApt = '/etc/apt'): Promise<{ uri: string; from: string }> {
  const files = [join(etcApt, 'sources.list')];
  const dir = join(etcApt, 'sources.list.d');
  for (const name of (await readdir(dir).catch(() => [])).sort()) files.push(join(dir, name));
  for (const file of files) {
    if (!file.endsWith('.list') && !file.endsWith('.sources')) continue;
    const text = await readFile(file, 'utf8').catch(() => '');
    const uri = pickMirror(parseAptSources(text, file.endsWith('.sources')), suite);
    if (uri) return { uri, from: file };
  }
  return { uri: FALLBACK_MIRROR, from: 'no apt source for this suite: the default mirror' };
}
