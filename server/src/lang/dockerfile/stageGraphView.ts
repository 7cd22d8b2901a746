import { milestone } from './dockerfileHover';
import { parseDockerfile, stageLabel } from './stageGraph';

/** The stage graph as plain data, for the "Show stage graph" panel. */
export interface StageGraphView {
  readonly stages: readonly {
    readonly index: number;
    readonly label: string;
    readonly base: string;
    /** 0-based line of the stage's FROM. */
    readonly line: number;
    readonly roles: readonly ('image' | 'final')[];
    /** What the stage makes for the netboot image, in plain words. */
    readonly produces: readonly string[];
  }[];
  readonly edges: readonly { readonly from: number; readonly to: number; readonly kind: string }[];
}

export function stageGraphView(text: string): StageGraphView {
  const { graph } = parseDockerfile(text);
  return {
    stages: graph.stages.map((stage) => ({
      index: stage.index,
      label: stageLabel(stage),
      base: stage.base,
      line: stage.range.start.line,
      roles: [...(graph.image?.stage === stage ? (['image'] as const) : []), ...(graph.final === stage ? (['final'] as const) : [])],
      produces: [...new Set(stage.facts.flatMap((f) => milestone(f)?.replace(/`/g, '') ?? []))],
    })),
    // Edges point from the stage that is used to the stage that uses it, as data flows.
    edges: graph.refs.filter((r) => r.target && r.target !== r.stage).map((r) => ({ from: r.target!.index, to: r.stage.index, kind: r.kind })),
  };
}
