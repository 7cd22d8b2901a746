import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { milestone } from './dockerfileHover';
import { parseDockerfile, stageLabel } from './stageGraph';

/**
 * The outline is the stage graph: one symbol per stage, with the stages it
 * depends on and the steps that make the netboot image as its children.
 */
export function dockerfileSymbols(text: string): DocumentSymbol[] {
  const { graph } = parseDockerfile(text);
  return graph.stages.map((stage) => {
    const roles = [graph.image?.stage === stage ? 'image stage' : '', graph.final === stage ? 'final stage' : ''].filter(Boolean);
    const refs: DocumentSymbol[] = stage.refs.map((r) => ({ name: r.name, detail: r.kind, kind: SymbolKind.Key, range: r.range, selectionRange: r.range }));
    const steps: DocumentSymbol[] = stage.facts.flatMap((f) => {
      const what = milestone(f);
      return what ? [{ name: what.replace(/`/g, ''), kind: SymbolKind.Event, range: f.range, selectionRange: f.range }] : [];
    });
    const children = [...refs, ...steps].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return {
      name: stageLabel(stage),
      detail: [`FROM ${stage.base}`, ...roles].join(' · '),
      kind: SymbolKind.Module,
      range: stage.range,
      selectionRange: stage.nameRange ?? stage.from.getInstructionRange(),
      children,
    };
  });
}
