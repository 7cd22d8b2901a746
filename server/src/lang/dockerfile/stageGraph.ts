import { Copy, DockerfileParser, From, Run, type Dockerfile, type Instruction } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import { memoizeParse } from '../core/service';
import { suggestNames } from '../core/suggest';
import { LineIndex } from '../core/text';
import type { RunScript } from './runScript';
import { stageFacts, type Fact } from './stageFacts';

export type RefKind = 'FROM' | 'COPY --from' | 'RUN --mount from';

/** A stage naming another: its base (FROM), or a source (COPY --from, RUN --mount from=). */
export interface StageRef {
  readonly kind: RefKind;
  readonly name: string;
  readonly range: Range;
  /** The stage the reference is written in. */
  readonly stage: Stage;
  /** The stage it names, wherever it is defined (validation judges the order). */
  target?: Stage;
}

export interface Stage {
  readonly index: number;
  /** As written after AS; stage names compare case-insensitively. */
  readonly name?: string;
  readonly nameRange?: Range;
  readonly from: From;
  readonly base: string;
  readonly range: Range;
  readonly instructions: readonly Instruction[];
  readonly facts: readonly Fact[];
  refs: StageRef[];
  /** The earlier stage this one is built FROM. */
  parent?: Stage;
}

export interface StageGraph {
  readonly stages: readonly Stage[];
  readonly refs: readonly StageRef[];
  /** The last stage: what `docker build` produces without --target. */
  readonly final?: Stage;
  /** Where the netboot image is made, and why this stage was picked (for hover). */
  readonly image?: { readonly stage: Stage; readonly why: string };
}

export interface DockerfileDocument {
  readonly text: string;
  readonly index: LineIndex;
  readonly ast: Dockerfile;
  readonly graph: StageGraph;
  readonly scripts: ReadonlyMap<Run, RunScript>;
}

const IMAGE_WORK = new Set<Fact['kind']>(['chrootCreate', 'chrootEnter', 'kernel', 'initramfs', 'squashfs']);

export const stageLabel = (stage: Stage): string => stage.name ?? `stage ${stage.index}`;

/** The stage itself and the stages it is built FROM, the root first. */
export function ancestry(stage: Stage): Stage[] {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !chain.includes(s); s = s.parent) chain.unshift(s);
  return chain;
}

/** The references that name a stage from other stages. */
export function usersOf(graph: StageGraph, stage: Stage): StageRef[] {
  return graph.refs.filter((r) => r.target === stage && r.stage !== stage);
}

/** A name a stage reference can resolve: no variables, and not an image reference (registry, tag or digest). */
export function isStageName(name: string): boolean {
  return name !== '' && !/[$:/@]/.test(name);
}

function lookup(stages: readonly Stage[], ref: StageRef): Stage | undefined {
  const name = ref.name;
  // COPY --from=0 counts stages from the top; FROM takes names only.
  if (/^\d+$/.test(name)) return ref.kind === 'FROM' ? undefined : stages[Number(name)];
  const folded = name.toLowerCase();
  return stages.find((s) => s.name?.toLowerCase() === folded);
}

function collectRefs(stage: Stage): void {
  const add = (kind: RefKind, name: string | null | undefined, range: Range | null | undefined) => {
    if (name && range && isStageName(name)) stage.refs.push({ kind, name, range, stage });
  };
  add('FROM', stage.from.getImageName() && !stage.from.getImageTag() && !stage.from.getImageDigest() ? stage.base : undefined, stage.from.getImageRange());
  for (const instruction of stage.instructions) {
    if (instruction instanceof Copy) add('COPY --from', instruction.getFromFlag()?.getValue(), instruction.getFromFlag()?.getValueRange());
    if (instruction instanceof Run) {
      for (const flag of instruction.getFlags().filter((f) => f.getName() === 'mount')) {
        const from = flag.getOption('from');
        add('RUN --mount from', from?.getValue(), from?.getValueRange());
      }
    }
  }
}

/**
 * The image stage is where the client root is made into a netboot image. It is
 * picked from what the stages do, because nothing in a Dockerfile says so:
 * 1. the last stage that makes a squashfs (ltsp-update-image, `ltsp image`,
 *    mksquashfs, ltsp-build-client);
 * 2. otherwise, of the stages that create or enter a chroot or install a
 *    kernel or initramfs, the last one the final stage is built FROM;
 * 3. otherwise the last one the final stage copies from (directly or through
 *    other stages);
 * 4. otherwise the last such stage.
 * A kernel install alone does not make a file a netboot build (a VM image
 * build installs kernels too): without a chroot, a squashfs or an LTSP command
 * anywhere there is no image stage, and the LTSP checks stay silent.
 */
function pickImageStage(stages: readonly Stage[], final: Stage | undefined): StageGraph['image'] {
  const line = (f: Fact) => f.range.start.line + 1;
  for (const stage of [...stages].reverse()) {
    const squashfs = stage.facts.find((f): f is Extract<Fact, { kind: 'squashfs' }> => f.kind === 'squashfs');
    if (squashfs) return { stage, why: `it makes the squashfs (\`${squashfs.tool}\`, line ${line(squashfs)})` };
  }
  const intent = stages.some((s) => s.facts.some((f) => f.kind === 'ltsp' || f.kind === 'chrootCreate' || f.kind === 'chrootEnter'));
  if (!intent) return undefined;
  const candidates = stages.filter((s) => s.facts.some((f) => IMAGE_WORK.has(f.kind)));
  const built = final ? candidates.filter((s) => ancestry(final).includes(s)).pop() : undefined;
  if (built) return { stage: built, why: built === final ? 'it is the final stage and does the chroot and kernel work' : 'it does the chroot and kernel work and the final stage is built FROM it' };
  const reached = new Set<Stage>();
  const visit = (s: Stage) => {
    if (reached.has(s)) return;
    reached.add(s);
    for (const r of s.refs) if (r.target && r.target.index < s.index) visit(r.target);
  };
  if (final) visit(final);
  const used = candidates.filter((s) => reached.has(s)).pop();
  if (used) return { stage: used, why: 'it does the chroot and kernel work and the final stage copies from it' };
  const last = candidates.pop();
  return last && { stage: last, why: 'it is the last stage that does chroot or kernel work' };
}

function buildDocument(text: string): DockerfileDocument {
  const ast = DockerfileParser.parse(text);
  const index = new LineIndex(text);
  const escape = ast.getEscapeCharacter();
  const stages: Stage[] = [];
  const scripts = new Map<Run, RunScript>();
  const instructions = ast.getInstructions();
  instructions.forEach((instruction, i) => {
    if (!(instruction instanceof From)) return;
    const next = instructions.findIndex((x, k) => k > i && x instanceof From);
    const own = instructions.slice(i + 1, next < 0 ? undefined : next);
    const found = stageFacts(own, text, index, escape);
    found.scripts.forEach((script, run) => scripts.set(run, script));
    const last = own[own.length - 1] ?? instruction;
    stages.push({
      index: stages.length,
      name: instruction.getBuildStage() ?? undefined,
      nameRange: instruction.getBuildStageRange() ?? undefined,
      from: instruction,
      base: instruction.getImage() ?? '',
      range: { start: instruction.getRange().start, end: last.getRange().end },
      instructions: own,
      facts: found.facts,
      refs: [],
    });
  });
  for (const stage of stages) collectRefs(stage);
  for (const ref of stages.flatMap((s) => s.refs)) ref.target = lookup(stages, ref);
  // A FROM that names no stage names an image, unless it is a near miss of a stage name above it.
  const misspelt = (r: StageRef) => suggestNames(r.name, stages.slice(0, r.stage.index).flatMap((s) => s.name ?? [])).length > 0;
  for (const stage of stages) stage.refs = stage.refs.filter((r) => r.kind !== 'FROM' || r.target || misspelt(r));
  for (const stage of stages) {
    const base = stage.refs.find((r) => r.kind === 'FROM')?.target;
    if (base && base.index < stage.index) stage.parent = base;
  }
  const refs = stages.flatMap((s) => s.refs);
  const final = stages[stages.length - 1];
  return { text, index, ast, scripts, graph: { stages, refs, final, image: pickImageStage(stages, final) } };
}

/** One parse per document version, shared by every feature. */
export const parseDockerfile = memoizeParse(buildDocument);
