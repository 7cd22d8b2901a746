import type { CodeAction, Diagnostic } from 'vscode-languageserver-types';
import type { ServiceOptions } from '../core/diagnostics';
import { memoizeParse, type LanguageService } from '../core/service';
import { baseName, type LanguageEntry } from '../languages';
import { quickFix, replaceWith, sharedQuickFixes, textIn } from '../conf/confActions';
import { confFeatures, type ConfSpec } from '../conf/confFeatures';
import { parseClientIdentity } from '../conf/effective';
import { beginValidation, validateCommands, type ConfDialect } from '../conf/entryValidation';
import { parseLtspConf } from './ltspConfParser';
import { ltspConfRules, type LtspConfCode } from './ltspConfRules';
import { ltspEffectiveSettings, validateLtspSections } from './ltspConfSections';
import { checkShellScript } from './ltspShellScript';
import { ltsCatalog } from '../ltsconf/ltsCatalog';

import { ltspCatalog } from './ltspCatalog';
const parse = memoizeParse(parseLtspConf);

const clientSections = new Set(['clients']);

const dialect: ConfDialect<LtspConfCode> = {
  catalog: ltspCatalog,
  ownKeys: ['LIKE'],
  foreign: { catalog: ltsCatalog, note: '`{key}` is an LTSP 5 lts.conf variable; LTSP 20+ does not read it.' },
  codes: {
    unknown: 'LTSP007',
    status: 'LTSP008',
    duplicate: 'LTSP013',
    shell: 'LTSP028',
    number: 'LTSP011',
    enum: 'LTSP012',
    fstabFields: 'LTSP019',
    fstabType: 'LTSP020',
    fstabOption: 'LTSP021',
    nofail: 'LTSP022',
    serviceUnknown: 'LTSP023',
    serviceDuplicate: 'LTSP024',
    secret: 'LTSP026',
    crontab: 'LTSP027',
  },
  checkBoolean(entry, info, sink) {
    const value = entry.value.trim();
    if (value === '0' || value === '1' || value === '' || /[$`%]/.test(value)) return;
    // LTSP compares these flags as text: opt-in ones with = "1", opt-out ones with != "0".
    const optIn = info.sense !== 'opt-out';
    sink.report('LTSP010', entry.valueRange, { key: entry.key, value, effect: optIn ? 'OFF' : 'ON', test: optIn ? '`= "1"`' : '`!= "0"`' }, { value, optIn });
  },
  checkKnown(entry, info, sink) {
    const section = entry.section?.name.toLowerCase();
    if (!section || !info.scope || info.scope === 'any' || info.scope === 'common') return;
    if (info.scope === 'server' && clientSections.has(section)) {
      sink.report('LTSP018', entry.keyRange, { key: entry.key, scope: 'server', section: entry.section!.name, effect: 'is never read, because only clients evaluate this section' });
    } else if (info.scope === 'clients' && section === 'server') {
      sink.report('LTSP018', entry.keyRange, { key: entry.key, scope: 'clients', section: entry.section!.name, effect: 'is never read, because only the server evaluates [server]' });
    }
  },
};

const spec: ConfSpec = {
  catalog: ltspCatalog,
  parse,
  equals: '=',
  booleanValues: [
    { value: '1', doc: 'On. LTSP tests opt-in flags with `= "1"`, so only `1` turns them on.' },
    { value: '0', doc: 'Off. LTSP tests opt-out flags with `!= "0"`, so only `0` turns them off.' },
  ],
  referenceKey: 'INCLUDE',
  specialSections: [
    { name: 'clients', doc: 'Settings every client gets (evaluated on clients only).' },
    { name: 'server', doc: 'Settings for the LTSP server itself (`ltsp image`, `ltsp ipxe`, ...).' },
    { name: 'common', doc: 'Settings for the server and the clients; evaluated after [clients], so it overrides it.' },
  ],
};

export const ltspConfService: LanguageService = {
  id: 'ltspconf',
  async validate(text: string, options: ServiceOptions = {}): Promise<Diagnostic[]> {
    const doc = parse(text);
    const { sink, commands } = beginValidation(doc, ltspConfRules, dialect, options);
    validateLtspSections(doc, sink);
    if (options.shell) {
      // The file itself is shell (what `ltsp` evaluates); hook values are shell again when they run.
      const fileErrors = await checkShellScript(doc, options.shell);
      for (const error of fileErrors) sink.report('LTSP025', error.range, { message: error.message });
      const broken = new Set(fileErrors.map((e) => e.range.start.line));
      const hooks = commands.filter((e) => !broken.has(e.range.start.line));
      await validateCommands(hooks, options.shell, 'LTSP028', sink);
    }
    return sink.sorted();
  },
  ...confFeatures(spec),
  codeActions(uri, text, _range, diagnostics) {
    const { lines } = parse(text);
    const actions: CodeAction[] = [];
    for (const d of diagnostics) {
      const code = String(d.code ?? '');
      actions.push(...sharedQuickFixes(uri, lines, d, ltspCatalog, { renameCodes: ['LTSP008'], nofail: 'LTSP022' }));
      if (code === 'LTSP006') {
        const rename = (d.data as { rename?: string } | undefined)?.rename;
        if (rename) actions.push(quickFix(uri, `Change to ${rename}`, d, replaceWith(d.range, rename), true));
      } else if (code === 'LTSP010') {
        const data = d.data as { value: string } | undefined;
        if (data) {
          const on = /^(true|y|yes|on)$/i.test(data.value);
          actions.push(quickFix(uri, `Write ${on ? 1 : 0}`, d, replaceWith(d.range, on ? '1' : '0'), true));
        }
      } else if (code === 'LTSP005') {
        const data = d.data as { valueStart: number; valueEnd: number; line: number } | undefined;
        if (data && d.range.start.line === data.line) {
          const r = { start: { line: data.line, character: data.valueStart }, end: { line: data.line, character: data.valueEnd } };
          const value = textIn(lines, r);
          if (!/["\\$`]/.test(value)) actions.push(quickFix(uri, 'Quote the value', d, replaceWith(r, `"${value}"`), true));
        }
      }
    }
    return actions;
  },
  effectiveSettings: (text, client) => ltspEffectiveSettings(parse(text), parseClientIdentity(client)),
};

export const ltspConfLanguage: LanguageEntry = {
  id: 'ltspconf',
  title: 'LTSP 20+ ltsp.conf',
  matches: (path) => baseName(path) === 'ltsp.conf' || /(^|\/)ltsp\.conf\.d\/[^/]+\.conf$/.test(path),
  service: ltspConfService,
};
