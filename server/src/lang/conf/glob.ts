/**
 * Shell glob matching (`*`, `?`, `[...]`), as fnmatch(3) and `case` patterns
 * do it. Both LTSP parsers select sections with globs: getltscfg with
 * fnmatch(FNM_CASEFOLD), ltsp.conf with a shell `case` over `|` alternatives.
 */
const compiled = new Map<string, RegExp>();

/** Compiled once per pattern: section checks compare every pair of sections. */
export function globToRegExp(glob: string, caseInsensitive = true): RegExp {
  const key = (caseInsensitive ? 'i:' : 's:') + glob;
  let regex = compiled.get(key);
  if (!regex) {
    if (compiled.size > 10000) compiled.clear();
    regex = compileGlob(glob, caseInsensitive);
    compiled.set(key, regex);
  }
  return regex;
}

function compileGlob(glob: string, caseInsensitive: boolean): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        out += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + out + '$', caseInsensitive ? 'i' : '');
}

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function globMatches(glob: string, text: string, caseInsensitive = true): boolean {
  return globToRegExp(glob, caseInsensitive).test(text);
}

/** What a section name looks like, for messages and for "which id could this match". */
export type SectionKind = 'default' | 'mac' | 'ip' | 'hostname' | 'special';

export function looksLikeMac(name: string): boolean {
  return /^[0-9a-f*?[\]]{1,2}(:[0-9a-f*?[\]]{1,2}){2,}$/i.test(name) || /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(name);
}

export function isValidMacPattern(name: string): boolean {
  if (isGlob(name)) return true;
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(name);
}

export function looksLikeIp(name: string): boolean {
  return /^[0-9*?[\]]+(\.[0-9*?[\]]+){1,3}$/.test(name) && name.includes('.');
}

export function sectionKindOf(name: string): SectionKind {
  const lower = name.toLowerCase();
  if (lower === 'default') return 'default';
  if (lower === 'server' || lower === 'common' || lower === 'clients') return 'special';
  if (looksLikeMac(name)) return 'mac';
  if (looksLikeIp(name)) return 'ip';
  return 'hostname';
}
