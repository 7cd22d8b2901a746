import { Arg, Copy, Env, Run, type Instruction } from 'dockerfile-ast';
import { formatMessage } from '../../lang/core/diagnostics';
import type { DockerfileDocument, Stage } from '../../lang/dockerfile/stageGraph';
import { normalizeStep } from './buildOutput';
import { buildRules, type BuildProblem } from './buildProblems';

/**
 * The Dockerfile subset the native builder (debootstrap + chroot, no
 * container tool) runs, read into steps. It cannot run arbitrary images, so:
 *   FROM scratch | FROM <earlier stage> | FROM localhost/debian:SUITE (also
 *     debian:SUITE, docker.io/library/debian:SUITE): a debootstrap minbase root
 *   RUN shell form (the text goes to `/bin/sh -c` in a chroot of the stage
 *     root) or exec form (a JSON array), with --mount=type=cache,target=DIR
 *   ARG / ENV (passed to RUN as its environment; ENV is inherited by the
 *     stages built FROM this one), WORKDIR
 *   COPY [--from=STAGE] SRC... DEST, sources from the build context or an
 *     earlier stage's root, without wildcards, --chown or --chmod
 *   CMD, ENTRYPOINT, LABEL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK,
 *     MAINTAINER: image metadata, which an export of files does not carry:
 *     accepted and ignored
 * Anything else (ADD, USER, SHELL, ONBUILD, other base images, other RUN
 * mounts) is refused before the build starts, as BLD005 on its line.
 */
export type NativeStep =
  | { readonly kind: 'from'; readonly base: { readonly kind: 'scratch' } | { readonly kind: 'stage'; readonly index: number } | { readonly kind: 'debian'; readonly suite: string } }
  | { readonly kind: 'arg'; readonly args: readonly (readonly [string, string | undefined])[] }
  | { readonly kind: 'env'; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly kind: 'workdir'; readonly path: string }
  | { readonly kind: 'run'; readonly shell?: string; readonly exec?: readonly string[]; readonly caches: readonly string[] }
  | { readonly kind: 'copy'; readonly from?: number; readonly sources: readonly string[]; readonly dest: string }
  | { readonly kind: 'metadata' };

export interface NativeStage {
  readonly index: number;
  readonly label: string;
  /** Each step with its instruction and the text the progress line shows. */
  readonly steps: readonly { readonly step: NativeStep; readonly instruction: Instruction; readonly text: string }[];
}

export interface NativePlan {
  /** The stages the target needs, in Dockerfile order. */
  readonly stages: readonly NativeStage[];
  readonly problems: readonly BuildProblem[];
}

const METADATA = new Set(['CMD', 'ENTRYPOINT', 'LABEL', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'MAINTAINER']);
const KNOWN = new Set([...METADATA, 'FROM', 'RUN', 'COPY', 'ADD', 'ARG', 'ENV', 'WORKDIR', 'USER', 'SHELL', 'ONBUILD']);
const DEBIAN = /^(?:localhost\/|docker\.io\/(?:library\/)?)?debian:([a-z]+)$/;

/** The instruction's own text with continuations joined as Docker joins them (comment lines inside dropped). */
export function instructionSource(doc: DockerfileDocument, instruction: Instruction, escape = '\\'): string {
  const range = instruction.getRange();
  const raw = doc.text.slice(doc.index.offsetAt(range.start), doc.index.offsetAt(range.end));
  const lines = raw.split(/\r?\n/);
  const kept = lines.filter((line, i) => i === 0 || !/^\s*#/.test(line));
  const continued = new RegExp(`${escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\s*$`);
  return kept.map((line, i) => (i < kept.length - 1 ? line.replace(continued, '') : line)).join('');
}

/** What follows the keyword and the `--flag`s: a RUN's command, a COPY's paths. */
function argumentText(doc: DockerfileDocument, instruction: Instruction): string {
  const source = instructionSource(doc, instruction, doc.ast.getEscapeCharacter());
  let rest = source.replace(/^\s*\S+/, '');
  for (;;) {
    const flag = /^\s+--\S+/.exec(rest);
    if (!flag) break;
    rest = rest.slice(flag[0].length);
  }
  return rest.trim();
}

/** `$NAME`, `${NAME}` and `${NAME:-default}` from the build's ARG and ENV values, as Docker expands COPY and WORKDIR. */
export function expandVariables(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/\$(?:\{(\w+)(?::-([^}]*))?\}|(\w+))/g, (_all, braced?: string, fallback?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    return values.get(name) ?? fallback ?? '';
  });
}

function execArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The stages `target` needs: its FROM chain and the stages it copies from, transitively. */
function neededStages(stages: readonly Stage[], target: Stage): Stage[] {
  const needed = new Set<Stage>();
  const visit = (stage: Stage) => {
    if (needed.has(stage)) return;
    needed.add(stage);
    for (const ref of stage.refs) if (ref.target && ref.target.index < stage.index) visit(ref.target);
  };
  visit(target);
  return stages.filter((s) => needed.has(s));
}

/** Reads the stages up to `target` into native steps; whatever the subset lacks becomes a BLD005 problem on its line. */
export function planNativeBuild(doc: DockerfileDocument, target: Stage, file: string): NativePlan {
  const problems: BuildProblem[] = [];
  const refuse = (at: Instruction, what: string, fix: string) => {
    const range = at.getRange();
    problems.push({ file, line: range.start.line + 1, range, code: 'BLD005', message: formatMessage(buildRules.BLD005.message, { what, fix }) });
  };
  const stageIndex = (name: string, before: number): number | undefined => {
    const found = doc.graph.stages.find((s) => s.index < before && (s.name?.toLowerCase() === name.toLowerCase() || String(s.index) === name));
    return found?.index;
  };
  const stages: NativeStage[] = [];
  for (const stage of neededStages(doc.graph.stages, target)) {
    const steps: NativeStage['steps'][number][] = [];
    const text = (i: Instruction) => normalizeStep(instructionSource(doc, i, doc.ast.getEscapeCharacter()));
    const image = stage.base;
    const parent = stage.parent?.index;
    const debian = DEBIAN.exec(image);
    if (image.toLowerCase() === 'scratch') steps.push({ step: { kind: 'from', base: { kind: 'scratch' } }, instruction: stage.from, text: text(stage.from) });
    else if (parent !== undefined) steps.push({ step: { kind: 'from', base: { kind: 'stage', index: parent } }, instruction: stage.from, text: text(stage.from) });
    else if (debian) steps.push({ step: { kind: 'from', base: { kind: 'debian', suite: debian[1]! } }, instruction: stage.from, text: text(stage.from) });
    else refuse(stage.from, `FROM \`${image}\` (it pulls no images)`, 'build FROM an earlier stage, `scratch`, or `localhost/debian:bookworm` (debootstrapped), or build with buildah or podman');

    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword().toUpperCase();
      const add = (step: NativeStep) => steps.push({ step, instruction, text: text(instruction) });
      if (instruction instanceof Run) {
        const caches: string[] = [];
        for (const flag of instruction.getFlags()) {
          const type = flag.getOption('type')?.getValue();
          const target = flag.getOption('target')?.getValue() ?? flag.getOption('dst')?.getValue() ?? flag.getOption('destination')?.getValue();
          if (flag.getName() === 'mount' && type === 'cache' && target) caches.push(target);
          else refuse(instruction, `RUN --${flag.getName()}${flag.getValue() ? `=${flag.getValue()}` : ''}`, 'only `--mount=type=cache,target=DIR` is supported; remove the flag or build with buildah or podman');
        }
        const args = argumentText(doc, instruction);
        const exec = execArray(args);
        add(exec ? { kind: 'run', exec, caches } : { kind: 'run', shell: args, caches });
      } else if (instruction instanceof Copy) {
        let from: number | undefined;
        for (const flag of instruction.getFlags()) {
          if (flag.getName() === 'from' && flag.getValue()) {
            from = stageIndex(flag.getValue()!, stage.index);
            if (from === undefined) refuse(instruction, `COPY --from=${flag.getValue()} (an image, not an earlier stage)`, 'copy from a stage defined above this one');
          } else refuse(instruction, `COPY --${flag.getName()}`, 'remove the flag (files are copied as root, with their modes), or build with buildah or podman');
        }
        const args = instruction.getArguments().map((a) => a.getValue());
        const paths = execArray(argumentText(doc, instruction)) ?? args;
        if (paths.length < 2) refuse(instruction, 'COPY without a destination', 'write `COPY SOURCE... DESTINATION`');
        else if (paths.slice(0, -1).some((p) => /[*?[]/.test(p))) refuse(instruction, 'wildcards in COPY sources', 'name the files or their folder');
        else add({ kind: 'copy', ...(from !== undefined ? { from } : {}), sources: paths.slice(0, -1), dest: paths[paths.length - 1]! });
      } else if (instruction instanceof Arg) {
        add({ kind: 'arg', args: instruction.getProperties().map((p) => [p.getName(), p.getValue() ?? undefined] as const) });
      } else if (instruction instanceof Env) {
        add({ kind: 'env', pairs: instruction.getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const) });
      } else if (keyword === 'WORKDIR') {
        add({ kind: 'workdir', path: argumentText(doc, instruction) });
      } else if (METADATA.has(keyword)) {
        add({ kind: 'metadata' });
      } else if (!KNOWN.has(keyword)) {
        const range = instruction.getRange();
        problems.push({ file, line: range.start.line + 1, range, code: 'BLD002', message: formatMessage(buildRules.BLD002.message, { keyword: instruction.getKeyword(), builder: 'native' }) });
      } else {
        refuse(instruction, `\`${keyword}\``, keyword === 'ADD' ? 'use COPY (ADD fetches URLs and unpacks archives, which the native builder does not)' : 'the native builder runs FROM, RUN, COPY, ARG, ENV and WORKDIR; build with buildah or podman for the rest');
      }
    }
    stages.push({ index: stage.index, label: stage.name ?? `stage ${stage.index}`, steps });
  }
  return { stages, problems };
}
