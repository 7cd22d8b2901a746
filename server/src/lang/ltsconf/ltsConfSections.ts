import type { DiagnosticSink } from '../core/diagnostics';
import { didYouMean, suggestNames } from '../core/suggest';
import type { ClientIdentity, EffectiveSettings } from '../conf/effective';
import { mergeEntries } from '../conf/effective';
import { globMatches, isGlob, isValidMacPattern, looksLikeMac } from '../conf/glob';
import type { ConfDocument, Entry, Section } from '../conf/model';
import type { LtsConfCode } from './ltsConfRules';

const fold = (name: string) => name.toLowerCase();

function findSection(doc: ConfDocument, name: string): Section | undefined {
  return doc.sections.find((s) => fold(s.name) === fold(name));
}

function likeEntries(section: Section): Entry[] {
  return section.entries.filter((e) => e.key.toUpperCase() === 'LIKE');
}

/** Section-level checks: LIKE targets and cycles, duplicates, MAC shapes, unreachable globs. */
export function validateLtsSections(doc: ConfDocument, sink: DiagnosticSink<LtsConfCode>): void {
  const firstByName = new Map<string, Section>();
  for (const section of doc.sections) {
    if (section.name === '') continue;
    const first = firstByName.get(fold(section.name));
    if (first) sink.report('LTS020', section.nameRange, { name: section.name, line: first.nameRange.start.line + 1 });
    else firstByName.set(fold(section.name), section);
    if (looksLikeMac(section.name) && !isValidMacPattern(section.name)) sink.report('LTS031', section.nameRange, { name: section.name });
    for (const like of likeEntries(section)) {
      if (!findSection(doc, like.value)) {
        const names = doc.sections.map((s) => s.name);
        sink.report('LTS018', like.valueRange, { name: like.value, suggestion: didYouMean(suggestNames(like.value, names)) }, { suggestions: suggestNames(like.value, names) });
      }
    }
  }
  reportLikeCycles(doc, sink);
  const globs = doc.sections.filter((s) => isGlob(s.name));
  globs.forEach((later, i) => {
    const by = globs.slice(0, i).find((earlier) => fold(earlier.name) !== fold(later.name) && globMatches(earlier.name, later.name));
    if (by) sink.report('LTS021', later.nameRange, { name: later.name, by: by.name, line: by.nameRange.start.line + 1 });
  });
}

/**
 * Depth-first search with colours, so each LIKE is followed once however the
 * sections share parents. Every LIKE on a cycle is reported: removing any one
 * of them breaks it.
 */
function reportLikeCycles(doc: ConfDocument, sink: DiagnosticSink<LtsConfCode>): void {
  const byName = new Map<string, Section>();
  for (const s of doc.sections) if (!byName.has(fold(s.name))) byName.set(fold(s.name), s);
  const state = new Map<Section, 'open' | 'done'>();
  const path: Section[] = [];
  const edges: Entry[] = [];
  const reported = new Set<Entry>();
  const visit = (section: Section): void => {
    state.set(section, 'open');
    path.push(section);
    for (const like of likeEntries(section)) {
      const target = byName.get(fold(like.value));
      if (!target) continue;
      if (state.get(target) === 'open') {
        const start = path.indexOf(target);
        const cycle = [...path.slice(start), target].map((s) => `[${s.name}]`).join(' → ');
        for (const edge of [...edges.slice(start), like]) {
          if (!reported.has(edge)) sink.report('LTS019', edge.range, { cycle });
          reported.add(edge);
        }
      } else if (!state.has(target)) {
        edges.push(like);
        visit(target);
        edges.pop();
      }
    }
    path.pop();
    state.set(section, 'done');
  };
  for (const section of doc.sections) if (!state.has(section)) visit(section);
}

/**
 * The settings one client gets, in getltscfg's order: the first of hostname,
 * IP, MAC that has an exact section (with its LIKEs); then, per id, the first
 * glob section that matches; then [Default]. The most specific wins.
 */
export function ltsEffectiveSettings(doc: ConfDocument, client: ClientIdentity): EffectiveSettings {
  const ids = [client.hostname, client.ip, client.mac?.toLowerCase()].filter((id): id is string => !!id);
  const chain: Section[] = [];
  const add = (section: Section) => {
    if (chain.includes(section)) return;
    chain.push(section);
    for (const like of likeEntries(section)) {
      const target = findSection(doc, like.value);
      if (target) add(target);
    }
  };
  for (const id of ids) {
    const exact = findSection(doc, id);
    if (exact) {
      add(exact);
      break;
    }
  }
  for (const id of ids) {
    const glob = doc.sections.find((s) => isGlob(s.name) && fold(s.name) !== fold(id) && globMatches(s.name, id));
    if (glob) add(glob);
  }
  const fallback = findSection(doc, 'default');
  if (fallback) add(fallback);
  const applied = [...chain].reverse();
  const entries = applied.flatMap((s) => s.entries.filter((e) => e.key.toUpperCase() !== 'LIKE'));
  return { sections: applied.map((s) => s.name), settings: mergeEntries(entries, true, (v) => v.toUpperCase() === 'NONE') };
}
