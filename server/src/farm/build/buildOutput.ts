/**
 * Reads what podman and buildah print while they build. The format (from
 * real runs, see test/build/fixtures/):
 *   [N/M] STEP i/k: <instruction, continuation lines joined>   (multi-stage)
 *   STEP i/k: <instruction>                                    (one stage)
 *   --> Using cache <id>     --> <id>     [N/M] COMMIT <tag>     COMMIT <tag>
 * M counts the stages up to the target, and stages interleave (a COPY --from
 * waits for another stage), so steps are counted per stage.
 * docker buildx --progress=plain prints `#7 [stage-name i/k] <instruction>`
 * instead (`#7 [i/k] ...` for one stage): the stage number comes from its name.
 */

export interface StepStart {
  /** 1-based stage number N, in Dockerfile order. */
  readonly stage: number;
  readonly stages: number;
  /** 1-based step i of k; step 1 is the stage's FROM. */
  readonly step: number;
  readonly steps: number;
  readonly text: string;
}

export type OutputEvent =
  | ({ readonly kind: 'step' } & StepStart & { readonly done: number; readonly total: number })
  | { readonly kind: 'cached'; readonly stage: number; readonly step: number }
  | { readonly kind: 'commit'; readonly stage?: number; readonly tag: string }
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'log'; readonly text: string };

const STEP = /^(?:\[(\d+)\/(\d+)\] )?STEP (\d+)\/(\d+): ?(.*)$/;
const BUILDKIT_STEP = /^#\d+ \[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/;
const BUILDKIT_DONE = /^#(\d+) (DONE|CACHED)\b/;
const COMMIT = /^(?:\[(\d+)\/(\d+)\] )?COMMIT ?(.*)$/;
const CACHED = /^--> Using cache ([0-9a-f]+)/;
const DONE = /^--> [0-9a-f]{6,}$/;
const ERROR = /^(?:Error|error building at STEP|ERRO\[\d+\]|level=error)\b:?\s*(.*)$/;

/** Normalizes an instruction as the builders print it: continuations joined, runs of blanks folded. */
export const normalizeStep = (text: string): string => text.replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();

export class BuildOutputParser {
  /** Per stage N: the steps it has finished and how many it has. */
  private readonly progress = new Map<number, { finished: number; steps: number }>();
  /** Every step started, in order: the error mapper looks for the failing one here. */
  readonly started: StepStart[] = [];
  private current?: StepStart;
  /** BuildKit's vertex numbers (`#7`) of the steps, to know which one a `#7 DONE` ends. */
  private readonly vertices = new Map<string, StepStart>();

  /**
   * @param stepCounts steps per stage (from the Dockerfile), for a total before every stage has started.
   * @param stageNames the stages' names in order, lower case, for BuildKit's `[name i/k]`.
   */
  constructor(
    private readonly stepCounts: readonly number[] = [],
    private readonly stageNames: readonly (string | undefined)[] = [],
  ) {}

  /** A step line of either format, or undefined. */
  private readStep(line: string): StepStart | undefined {
    const own = STEP.exec(line);
    if (own) {
      return { stage: own[1] ? Number(own[1]) : 1, stages: own[2] ? Number(own[2]) : 1, step: Number(own[3]), steps: Number(own[4]), text: normalizeStep(own[5] ?? '') };
    }
    const kit = BUILDKIT_STEP.exec(line);
    if (!kit || kit[1] === 'internal') return undefined;
    // An unnamed stage is `stage-N` to BuildKit.
    const unnamed = /^stage-(\d+)$/.exec(kit[1] ?? '');
    const index = kit[1] === undefined ? 0 : unnamed ? Number(unnamed[1]) : this.stageNames.indexOf(kit[1].toLowerCase());
    if (index < 0) return undefined;
    return { stage: index + 1, stages: Math.max(this.stageNames.length, 1), step: Number(kit[2]), steps: Number(kit[3]), text: normalizeStep(kit[4] ?? '') };
  }

  /** The step the builder was on when it printed the line before this one. */
  get currentStep(): StepStart | undefined {
    return this.current;
  }

  line(raw: string): OutputEvent {
    const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r$/, '');
    const start = this.readStep(line);
    // BuildKit repeats a step's line when it prints its result (`#7 [base 2/3] RUN ...` then `#7 DONE`): count it once.
    if (start && !(line.startsWith('#') && this.started.some((s) => s.stage === start.stage && s.step === start.step))) {
      this.progress.set(start.stage, { finished: start.step - 1, steps: start.steps });
      this.started.push(start);
      this.current = start;
      if (line.startsWith('#')) this.vertices.set(line.slice(1, line.indexOf(' ')), start);
      return { kind: 'step', ...start, ...this.count(start.stages) };
    }
    const kitDone = BUILDKIT_DONE.exec(line);
    const vertex = kitDone && this.vertices.get(kitDone[1]!);
    if (vertex) {
      const p = this.progress.get(vertex.stage);
      if (p) p.finished = Math.max(p.finished, vertex.step);
      return kitDone[2] === 'CACHED' ? { kind: 'cached', stage: vertex.stage, step: vertex.step } : { kind: 'log', text: line };
    }
    const cached = CACHED.exec(line);
    if (cached && this.current) return { kind: 'cached', stage: this.current.stage, step: this.current.step };
    // `--> <id>` ends the step that printed it: stages run one after the other within a builder's output.
    if (DONE.test(line) && this.current) {
      const p = this.progress.get(this.current.stage);
      if (p) p.finished = Math.max(p.finished, this.current.step);
      return { kind: 'log', text: line };
    }
    const commit = COMMIT.exec(line);
    if (commit && (commit[1] || /^COMMIT( |$)/.test(line))) {
      const stage = commit[1] ? Number(commit[1]) : undefined;
      if (stage !== undefined) {
        const p = this.progress.get(stage);
        if (p) p.finished = p.steps;
      }
      return { kind: 'commit', stage, tag: commit[3] ?? '' };
    }
    const error = ERROR.exec(line);
    if (error) return { kind: 'error', text: line };
    return { kind: 'log', text: line };
  }

  /** Steps finished over all steps, each stage counted on its own. */
  private count(stages: number): { done: number; total: number } {
    let done = 0;
    let total = 0;
    for (let n = 1; n <= stages; n++) {
      const p = this.progress.get(n);
      const steps = p?.steps ?? this.stepCounts[n - 1] ?? 0;
      total += steps;
      if (p) done += Math.min(p.finished, steps);
    }
    return { done, total };
  }
}
