import type { CodeAction, Diagnostic, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { DiagnosticSink, type ServiceOptions } from '../core/diagnostics';
import { memoizeParse, type LanguageService } from '../core/service';
import { serviceFor, type LanguageEntry } from '../languages';
import { findEmbeddedConfigs, mapRangeToYaml, type EmbeddedConfig } from './embeddedConfigs';
import { checkManifests } from './manifestChecks';
import { kubernetesRules } from './kubernetesRules';
import { podSpecOf, readManifests } from './manifests';
import { secretConversionEdits } from './secretConversion';

const ID = 'kubernetes';
const parse = memoizeParse((text: string) => {
  const file = readManifests(text);
  return { file, embedded: findEmbeddedConfigs(file, ID) };
});

/** The embedded config under a YAML position, with the position inside it. */
function embeddedAt(text: string, position: Position): { config: EmbeddedConfig; inner: Position } | undefined {
  for (const config of parse(text).embedded) {
    const inner = config.fromYaml(position);
    if (inner) return { config, inner };
  }
  return undefined;
}

/** Embedded texts are block scalars: every new line of an edit must carry the block's indentation. */
function indentEdit(config: EmbeddedConfig, edit: TextEdit): TextEdit {
  const indent = ' '.repeat(config.toYaml({ line: 0, character: 0 }).character);
  return { range: mapRangeToYaml(config, edit.range), newText: edit.newText.replace(/\r?\n/g, (eol) => `${eol}${indent}`) };
}

export const kubernetesService: LanguageService = {
  id: ID,
  async validate(text: string, options: ServiceOptions = {}): Promise<Diagnostic[]> {
    const { file, embedded } = parse(text);
    const sink = new DiagnosticSink(kubernetesRules, options);
    if (file.errors.length > 0) {
      // Any YAML file reaches this service; only a manifest's syntax errors are ours to report.
      if (/^\s*(apiVersion|kind)\s*:/m.test(text)) for (const error of file.errors) sink.report('K8S007', error.range, { reason: error.message });
      return sink.sorted();
    }
    checkManifests(file, sink);
    const inner = await Promise.all(
      embedded.map(async (config) => {
        const diagnostics = (await serviceFor(config.languageId)?.validate(config.text, options)) ?? [];
        return diagnostics.map((d) => ({ ...d, range: mapRangeToYaml(config, d.range), data: { embedded: config.key, innerRange: d.range, inner: d.data } }));
      }),
    );
    return [...sink.diagnostics, ...inner.flat()].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
  },
  hover(text, position) {
    const at = embeddedAt(text, position);
    const hover = at ? serviceFor(at.config.languageId)?.hover?.(at.config.text, at.inner) : null;
    if (!at || !hover) return null;
    return hover.range ? { ...hover, range: mapRangeToYaml(at.config, hover.range) } : hover;
  },
  complete(text, position) {
    const at = embeddedAt(text, position);
    if (!at) return [];
    const items = serviceFor(at.config.languageId)?.complete?.(at.config.text, at.inner) ?? [];
    return items.map((item) =>
      item.textEdit && 'range' in item.textEdit ? { ...item, textEdit: indentEdit(at.config, item.textEdit as TextEdit) } : item,
    );
  },
  codeActions(uri, text, _range, diagnostics) {
    const { file, embedded } = parse(text);
    const actions: CodeAction[] = [];
    for (const d of diagnostics) {
      const data = d.data as { embedded?: string; innerRange?: Range; inner?: unknown; replacement?: string } | undefined;
      if (d.code === 'K8S006' && data?.replacement) {
        actions.push(fix(uri, `Use apiVersion ${data.replacement}`, d, [{ range: d.range, newText: data.replacement }]));
      } else if (d.code === 'K8S001') {
        const object = file.objects.find((o) => {
          const spec = podSpecOf(o);
          return spec && within(file.rangeOf(spec), d.range.start);
        });
        const spec = object && podSpecOf(object);
        if (spec) {
          const at = file.rangeOf(spec).start;
          actions.push(fix(uri, 'Run the pods with hostNetwork: true', d, [{ range: { start: at, end: at }, newText: `hostNetwork: true\n${' '.repeat(at.character)}` }]));
        }
      } else if (data?.embedded && data.innerRange) {
        const config = embedded.find((c) => c.key === data.embedded && within(mapRangeToYaml(c, data.innerRange as Range), d.range.start));
        if (!config) continue;
        const innerDiagnostic: Diagnostic = { ...d, range: data.innerRange, data: data.inner };
        for (const action of serviceFor(config.languageId)?.codeActions?.(uri, config.text, data.innerRange, [innerDiagnostic]) ?? []) {
          const edits = action.edit?.changes?.[uri];
          if (!edits) continue;
          actions.push({ ...action, diagnostics: [d], edit: { changes: { [uri]: edits.map((e) => indentEdit(config, e)) } } });
        }
        if (config.object.kind === 'ConfigMap' && /^(LTS029|LTSP\d+)$/.test(String(d.code)) && /secret|token|password/i.test(d.message)) {
          const edits = secretConversionEdits(file, config.object);
          if (edits.length) actions.push(fix(uri, `Keep ${config.key} in a Secret instead of ConfigMap \`${config.object.name}\``, d, edits));
        }
      }
    }
    return actions;
  },
};

function within(range: Range, position: Position): boolean {
  const after = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const before = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return after && before;
}

function fix(uri: string, title: string, diagnostic: Diagnostic, edits: TextEdit[]): CodeAction {
  const edit: WorkspaceEdit = { changes: { [uri]: edits } };
  return { title, kind: 'quickfix', diagnostics: [diagnostic], edit, isPreferred: true };
}

export const kubernetesLanguage: LanguageEntry = {
  id: ID,
  title: 'Kubernetes manifests (netboot checks and embedded configs)',
  matches: (path) => /\.ya?ml$/i.test(path),
  service: kubernetesService,
};
