import type { CodeAction, Diagnostic } from 'vscode-languageserver-types';
import type { ServiceOptions } from '../core/diagnostics';
import { memoizeParse, type LanguageService } from '../core/service';
import { baseName, type LanguageEntry } from '../languages';
import { confFeatures, type ConfSpec } from '../conf/confFeatures';
import { quickFix, replaceWith, sharedQuickFixes, textIn } from '../conf/confActions';
import { beginValidation, validateCommands, type ConfDialect } from '../conf/entryValidation';
import { parseClientIdentity } from '../conf/effective';
import { ltsConfRules, type LtsConfCode } from './ltsConfRules';
import { parseLtsConf } from './ltsConfParser';
import { ltsEffectiveSettings, validateLtsSections } from './ltsConfSections';
import { convertLtsToLtsp } from './ltsToLtsp';

import { ltsCatalog } from './ltsCatalog';
import { ltspCatalog } from '../ltspconf/ltspCatalog';
const parse = memoizeParse(parseLtsConf);

/** What boolean_is_true in ltsp-common-functions accepts, and what it rejects. */
const TRUE_WORDS = ['true', 'y', 'yes'];
const FALSE_WORDS = ['false', 'n', 'no'];

const dialect: ConfDialect<LtsConfCode> = {
  catalog: ltsCatalog,
  foreign: { catalog: ltspCatalog, note: '`{key}` is an LTSP 20+ ltsp.conf variable; LTSP 5 does not read it.' },
  codes: {
    unknown: 'LTS010',
    patchOnly: 'LTS011',
    status: 'LTS012',
    duplicate: 'LTS017',
    shell: 'LTS028',
    number: 'LTS014',
    enum: 'LTS015',
    fstabFields: 'LTS022',
    fstabType: 'LTS023',
    fstabOption: 'LTS024',
    nofail: 'LTS025',
    serviceUnknown: 'LTS026',
    serviceDuplicate: 'LTS027',
    secret: 'LTS029',
    crontab: 'LTS030',
  },
  checkBoolean(entry, _info, sink) {
    const value = entry.value.trim().toLowerCase();
    if (value === '' || value === 'none' || /[$`]/.test(value) || TRUE_WORDS.includes(value) || FALSE_WORDS.includes(value)) return;
    sink.report('LTS013', entry.valueRange, { value: entry.value.trim(), meaning: 'false' }, { value: entry.value.trim() });
  },
  checkKnown(entry, info, sink) {
    if (info.stage === 'initramfs') {
      sink.report('LTS016', entry.keyRange, { key: entry.key, lower: entry.key.toLowerCase() });
      // The initramfs compares with = "true": no other spelling turns these on.
      const value = entry.value.trim();
      if (value !== 'true' && TRUE_WORDS.includes(value.toLowerCase())) sink.report('LTS032', entry.valueRange, { key: entry.key });
    }
  },
};

const spec: ConfSpec = {
  catalog: ltsCatalog,
  parse,
  equals: ' = ',
  booleanValues: [
    { value: 'True', doc: 'On. LTSP also reads y and yes (any case) as true.' },
    { value: 'False', doc: 'Off. Anything that is not true/y/yes is false, even 1.' },
  ],
  referenceKey: 'LIKE',
  specialSections: [
    { name: 'Default', doc: 'Settings every client gets; more specific sections override them.' },
  ],
};

export const ltsConfService: LanguageService = {
  id: 'ltsconf',
  async validate(text: string, options: ServiceOptions = {}): Promise<Diagnostic[]> {
    const doc = parse(text);
    const { sink, commands } = beginValidation(doc, ltsConfRules, dialect, options);
    validateLtsSections(doc, sink);
    await validateCommands(commands, options.shell, 'LTS028', sink);
    return sink.sorted();
  },
  ...confFeatures(spec),
  codeActions(uri, text, _range, diagnostics) {
    const { lines } = parse(text);
    const actions: CodeAction[] = [];
    for (const d of diagnostics) {
      const code = String(d.code ?? '');
      const span = textIn(lines, d.range);
      actions.push(...sharedQuickFixes(uri, lines, d, ltsCatalog, { renameCodes: ['LTS011', 'LTS012'], nofail: 'LTS025' }));
      if (code === 'LTS004') {
        const inner = span.replace(/^'/, '').replace(/'$/, '');
        if (!inner.includes('"')) actions.push(quickFix(uri, 'Use double quotes', d, replaceWith(d.range, `"${inner}"`), true));
      } else if (code === 'LTS006') {
        const at = (d.data as { insertAt?: number } | undefined)?.insertAt ?? d.range.end.character;
        const point = { line: d.range.start.line, character: at };
        actions.push(quickFix(uri, 'Close the quote', d, replaceWith({ start: point, end: point }, '"'), true));
      } else if (code === 'LTS007') {
        const value = d.data as { start: number; end: number } | undefined;
        if (value) {
          const r = { start: { line: d.range.start.line, character: value.start }, end: { line: d.range.start.line, character: value.end } };
          const written = textIn(lines, r);
          if (!written.includes('"')) actions.push(quickFix(uri, 'Put the value in double quotes', d, replaceWith(r, `"${written}"`), true));
        }
      } else if (code === 'LTS032') {
        actions.push(quickFix(uri, 'Write lowercase true', d, replaceWith(d.range, 'true'), true));
      }
    }
    if (/(^|\/)lts\.conf$/.test(uri) || uri.endsWith('.lts.conf')) {
      const target = uri.replace(/[^/]*$/, baseName(uri) === 'lts.conf' ? 'ltsp.conf' : baseName(uri).replace(/\.lts\.conf$/, '.ltsp.conf'));
      actions.push({
        title: 'Convert this lts.conf to ltsp.conf (LTSP 20+) syntax',
        kind: 'refactor.rewrite',
        edit: {
          documentChanges: [
            { kind: 'create', uri: target, options: { ignoreIfExists: false, overwrite: false } },
            { textDocument: { uri: target, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: convertLtsToLtsp(text) }] },
          ],
        },
      });
    }
    return actions;
  },
  effectiveSettings: (text, client) => ltsEffectiveSettings(parse(text), parseClientIdentity(client)),
};

export const ltsConfLanguage: LanguageEntry = {
  id: 'ltsconf',
  title: 'LTSP 5 lts.conf',
  matches: (path) => {
    const name = baseName(path);
    return name === 'lts.conf' || name.endsWith('.lts.conf');
  },
  service: ltsConfService,
};
