import type { Instruction } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import { formatMessage, type RuleCatalog } from '../../lang/core/diagnostics';
import type { DockerfileDocument, Stage } from '../../lang/dockerfile/stageGraph';
import { normalizeStep, type StepStart } from './buildOutput';

/** What a failed build says, as diagnostics on the Dockerfile; codes are stable like the DKR ones. */
export const buildRules = {
  BLD001: { severity: 'error', message: 'This step failed in the {builder} build: {error}{output}' },
  BLD002: { severity: 'error', message: '`{keyword}` is not a Dockerfile instruction, so {builder} stopped the build here. Correct the keyword or remove the line.' },
  BLD003: { severity: 'error', message: 'COPY/ADD source `{source}` is not in the build context ({context}): {error}. Fix the path, or check .dockerignore.' },
  BLD004: { severity: 'error', message: 'The {builder} build failed: {error}' },
  BLD005: { severity: 'error', message: 'The native builder (debootstrap and chroot, for hosts without a container tool) does not support {what}: {fix}.' },
} as const satisfies RuleCatalog<string>;

export type BuildCode = keyof typeof buildRules;

/** A problem on a Dockerfile line: `line` is 1-based (for `file:line:` output), `range` is LSP's (0-based). */
export interface BuildProblem {
  readonly file: string;
  readonly line: number;
  readonly range: Range;
  readonly code: BuildCode;
  readonly message: string;
}

export interface FailureInput {
  readonly file: string;
  readonly doc: DockerfileDocument;
  readonly builder: string;
  readonly context: string;
  /** Every step the builder started, in order. */
  readonly started: readonly StepStart[];
  /** The builder's output, last lines last. */
  readonly lines: readonly string[];
}

const instructionText = (doc: DockerfileDocument, i: Instruction) => normalizeStep(doc.text.slice(doc.index.offsetAt(i.getRange().start), doc.index.offsetAt(i.getRange().end)));

/** Step i of stage N: step 1 is the FROM, then the stage's instructions. */
export function instructionAt(stages: readonly Stage[], stage: number, step: number): Instruction | undefined {
  const s = stages[stage - 1];
  if (!s) return undefined;
  return step === 1 ? s.from : s.instructions[step - 2];
}

/**
 * The instruction a step text names. The builders print no line numbers, so
 * the text is matched against the Dockerfile; when the same text occurs more
 * than once (an ARG repeated in each stage), the step numbers of the latest
 * started step with that text decide.
 */
export function findStep(doc: DockerfileDocument, started: readonly StepStart[], text: string): Instruction | undefined {
  const wanted = normalizeStep(text);
  const stages = doc.graph.stages;
  const keyword = (t: string) => t.split(' ')[0]?.toUpperCase();
  for (const s of [...started].reverse()) {
    if (s.text !== wanted) continue;
    const at = instructionAt(stages, s.stage, s.step);
    // The builders print a later stage's FROM with the base's image id instead of its name: trust the numbers then.
    if (at && (instructionText(doc, at) === wanted || keyword(instructionText(doc, at)) === keyword(wanted))) return at;
  }
  const all: Instruction[] = stages.flatMap((s) => [s.from, ...s.instructions]);
  return all.find((i) => instructionText(doc, i) === wanted) ?? all.find((i) => wanted.length > 8 && instructionText(doc, i).startsWith(wanted));
}

/**
 * Splits `building at STEP "<text>": <error>`. The text is not escaped (it
 * holds quotes and `": ` freely), so the reading that names a step the builder
 * started wins; otherwise the shortest.
 */
function splitStepError(error: string, started: readonly StepStart[]): { text: string; error: string } | undefined {
  const prefix = 'building at STEP "';
  const at = error.indexOf(prefix);
  if (at < 0) return undefined;
  const rest = error.slice(at + prefix.length);
  const ends: number[] = [];
  for (let i = rest.indexOf('": '); i >= 0; i = rest.indexOf('": ', i + 1)) ends.push(i);
  const texts = new Set(started.map((s) => s.text));
  const end = ends.find((i) => texts.has(normalizeStep(rest.slice(0, i)))) ?? ends[0];
  return end === undefined ? undefined : { text: rest.slice(0, end), error: rest.slice(end + 3) };
}

const quoted = (s: string) => s.replace(/^"|"$/g, '');

/** The last run of output lines the failing step printed (between its STEP line and the error). */
function stepOutput(lines: readonly string[], errorAt: number): string[] {
  let start = errorAt;
  while (start > 0 && !/^(\[\d+\/\d+\] )?STEP \d+\/\d+:/.test(lines[start - 1] ?? '')) start--;
  return lines.slice(start, errorAt).map((l) => l.trim()).filter((l) => l !== '' && !/^(--> |time=|WARN\[|level=warn)/.test(l));
}

/** Maps a failed build's output to problems on Dockerfile lines; never throws, whatever the output. */
export function mapBuildFailure(input: FailureInput): BuildProblem[] {
  const { doc, lines } = input;
  const problem = (code: BuildCode, at: Instruction | undefined, params: Record<string, string>): BuildProblem => {
    const range = at?.getRange() ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { file: input.file, line: range.start.line + 1, range, code, message: formatMessage(buildRules[code].message, { builder: input.builder, ...params }) };
  };
  let errorAt = lines.length - 1;
  while (errorAt >= 0 && !/^(Error: |error building at STEP)/.test(lines[errorAt]!)) errorAt--;
  const error = errorAt >= 0 ? lines[errorAt]!.replace(/^Error: /, '') : (lines.filter((l) => l.trim()).slice(-1)[0] ?? 'no output');

  // BuildKit (docker buildx) names the line itself: `Dockerfile:12` above the quoted source.
  const located = lines.findIndex((l, i) => /^\S+:\d+$/.test(l.trim()) && /^-{8,}$/.test(lines[i + 1]?.trim() ?? ''));
  if (located >= 0) {
    const line = Number(/:(\d+)$/.exec(lines[located]!.trim())![1]);
    const at = doc.ast.getInstructions().find((i) => i.getRange().start.line <= line - 1 && i.getRange().end.line >= line - 1);
    const kitError = [...lines].reverse().find((l) => /^ERROR: /.test(l))?.replace(/^ERROR: (failed to build: )?(failed to solve: )?/, '') ?? error;
    return [problem('BLD001', at, { error: kitError, output: '' })];
  }

  const unknown = /Unknown instruction: "?([^"\s]+)"?/i.exec(error) ?? /unknown instruction: ([^\s]+)/i.exec(error);
  if (unknown) {
    const keyword = unknown[1]!.toUpperCase();
    const at = doc.ast.getInstructions().find((i) => i.getKeyword().toUpperCase() === keyword);
    return [problem('BLD002', at, { keyword: unknown[1]! })];
  }

  const step = splitStepError(error, input.started);
  const at = step && findStep(doc, input.started, step.text);

  const missing = /(?:copier: stat|no such file or directory)[^"]*"([^"]+)": no such file or directory/.exec(error) ?? /stat ([^\s:]+): no such file or directory/.exec(error);
  if (missing && (!at || /^(COPY|ADD)$/i.test(at.getKeyword()))) {
    const source = quoted(missing[1]!).replace(/^\//, '');
    const copy = at ?? doc.ast.getInstructions().find((i) => /^(COPY|ADD)$/i.test(i.getKeyword()) && i.getArguments().some((a) => a.getValue().replace(/^\.?\//, '') === source));
    return [problem('BLD003', copy, { source, context: input.context, error: /copier: .*$/.exec(error)?.[0] ?? error })];
  }

  if (at) {
    const output = stepOutput(lines, errorAt >= 0 ? errorAt : lines.length).slice(-3);
    return [problem('BLD001', at, { error: step?.error ?? error, output: output.length ? `. Its last output: ${output.join(' | ')}` : '' })];
  }
  // No step text: a failure before any step (bad base image, storage, runtime). Put it on the step that was running.
  const last = input.started[input.started.length - 1];
  const running = last && instructionAt(doc.graph.stages, last.stage, last.step);
  return [problem('BLD004', running ?? doc.graph.stages[0]?.from, { error })];
}
