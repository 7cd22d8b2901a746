import type { DiagnosticSink } from '../core/diagnostics';
import { didYouMean, suggestNames } from '../core/suggest';
import type { ClientIdentity, EffectiveSettings } from '../conf/effective';
import { mergeEntries } from '../conf/effective';
import { globMatches, sectionKindOf } from '../conf/glob';
import type { ConfDocument, Entry, Section } from '../conf/model';
import type { LtspConfCode } from './ltspConfRules';

/** ini2sh's function name for a section: lowercase, anything else becomes `_`. */
export function sectionFunction(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/** A section header is a `case` pattern: `|`-separated globs over lowercase ids. */
function patternMatches(name: string, id: string): boolean {
  return name
    .toLowerCase()
    .split('|')
    .some((alternative) => globMatches(alternative.trim(), id.toLowerCase(), false));
}

const isInclude = (e: Entry) => e.key.toUpperCase() === 'INCLUDE';
const includeName = (e: Entry) => e.value.trim().toLowerCase();

/** Sections by ini2sh function name; a later definition replaces an earlier one, as in shell. */
const functionTables = new WeakMap<ConfDocument, Map<string, Section>>();

function byFunction(doc: ConfDocument, fn: string): Section | undefined {
  let table = functionTables.get(doc);
  if (!table) {
    table = new Map(doc.sections.map((s) => [sectionFunction(s.name), s]));
    functionTables.set(doc, table);
  }
  return table.get(fn);
}

export function validateLtspSections(doc: ConfDocument, sink: DiagnosticSink<LtspConfCode>): void {
  const included = new Set<string>();
  const names = doc.sections.map((s) => s.name);
  for (const section of doc.sections) {
    if (section.name.toLowerCase() === 'default') {
      sink.report('LTSP006', section.nameRange, { what: 'LTSP 20+ never evaluates [default] (the 2019 prototype did). Use [clients] for settings every client gets.' }, { rename: 'clients' });
    }
    for (const entry of section.entries) {
      if (entry.key.toUpperCase() === 'LIKE') {
        sink.report('LTSP006', entry.keyRange, { what: 'LIKE= is LTSP 5 syntax; LTSP 20+ sets a variable named LIKE and inherits nothing. Use INCLUDE=name.' }, { rename: 'INCLUDE' });
      }
      if (!isInclude(entry)) continue;
      const name = includeName(entry);
      included.add(name);
      if (/[^a-z0-9_]/.test(name)) {
        const target = byFunction(doc, sectionFunction(name));
        if (target && target.name.toLowerCase() === name) sink.report('LTSP015', entry.valueRange, { name, fn: sectionFunction(name) });
        else sink.report('LTSP014', entry.valueRange, { name, fn: name, suggestion: didYouMean(suggestNames(name, names)) }, { suggestions: suggestNames(name, names) });
      } else if (!byFunction(doc, name)) {
        sink.report('LTSP014', entry.valueRange, { name, fn: name, suggestion: didYouMean(suggestNames(name, names)) }, { suggestions: suggestNames(name, names) });
      }
    }
  }
  const seenFn = new Map<string, Section>();
  for (const section of doc.sections) {
    const fn = sectionFunction(section.name);
    const first = seenFn.get(fn);
    if (first) sink.report('LTSP017', section.nameRange, { name: section.name, other: first.name, line: first.nameRange.start.line + 1, fn });
    else seenFn.set(fn, section);
  }
  // Only a pattern (glob or `|`) can match a name other than its own.
  const patterns = doc.sections.filter((s) => /[*?[|]/.test(s.name) && sectionKindOf(s.name) !== 'special');
  doc.sections.forEach((later) => {
    const kind = sectionKindOf(later.name);
    if (kind === 'special' || kind === 'default' || included.has(later.name.toLowerCase())) return;
    const earlier = patterns.filter((p) => p.headerRange.start.line < later.headerRange.start.line);
    for (const alternative of later.name.split('|')) {
      const by = earlier.find((p) => p.name.toLowerCase() !== later.name.toLowerCase() && patternMatches(p.name, alternative.trim()));
      if (by) {
        sink.report('LTSP016', later.nameRange, { name: later.name, what: `\`${alternative.trim()}\``, by: by.name, line: by.nameRange.start.line + 1 });
        return;
      }
    }
  });
}

/**
 * The settings a client ends with, in LTSP's order: the unnamed part, then
 * [clients], [common], the first section matching the MAC, the first matching
 * the IP, then the hostname (which those sections may have set). INCLUDE runs
 * the named section in place; each section runs at most once.
 */
export function ltspEffectiveSettings(doc: ConfDocument, client: ClientIdentity): EffectiveSettings {
  const ran = new Set<Section>();
  const applied: Entry[] = [...doc.preamble];
  const order: string[] = doc.preamble.length ? ['(before the first section)'] : [];
  const run = (section: Section | undefined) => {
    if (!section || ran.has(section)) return;
    ran.add(section);
    order.push(section.name);
    for (const entry of section.entries) {
      if (isInclude(entry)) run(byFunction(doc, includeName(entry)));
      else applied.push(entry);
    }
  };
  const firstMatch = (id: string | undefined) => (id ? doc.sections.find((s) => patternMatches(s.name, id)) : undefined);
  for (const id of ['clients', 'common', client.mac, client.ip]) run(firstMatch(id));
  const hostname = [...applied].reverse().find((e) => e.key === 'HOSTNAME')?.value ?? client.hostname;
  run(firstMatch(hostname));
  return { sections: order, settings: mergeEntries(applied, false) };
}
