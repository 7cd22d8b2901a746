import type { BuildProblem } from './buildProblems';
import type { BuilderName } from './detectBuilder';

/**
 * What a build reports while it runs. `netboot-farm build --json` prints one
 * per line (with a `time`), and the VS Code task renders the same stream, so
 * this module imports nothing that runs: the client bundles it.
 */
export type BuildEvent =
  | { readonly type: 'builder'; readonly name: BuilderName; readonly version: string; readonly isolation?: string; readonly skipped: readonly { name: string; reason: string }[] }
  | { readonly type: 'start'; readonly dockerfile: string; readonly target?: string; readonly stages: number; readonly args: readonly string[] }
  | { readonly type: 'step'; readonly stage: number; readonly stages: number; readonly stageName: string; readonly step: number; readonly steps: number; readonly text: string; readonly line?: number; readonly done: number; readonly total: number }
  | { readonly type: 'cached'; readonly stage: number; readonly step: number }
  | { readonly type: 'log'; readonly text: string }
  | { readonly type: 'problem'; readonly problem: BuildProblem }
  | { readonly type: 'export'; readonly dir: string }
  | { readonly type: 'done'; readonly ok: boolean; readonly cancelled: boolean; readonly exitCode: number; readonly durationMs: number; readonly message: string; readonly manifest?: string };

export type StepEvent = Extract<BuildEvent, { type: 'step' }>;

/** `[N/M] STEP i/k: text` as the builders print it, plus the stage's name. */
export const stepTitle = (e: StepEvent): string => `[${e.stage}/${e.stages}] STEP ${e.step}/${e.steps} (${e.stageName}): ${e.text}`;

/** How an event reads in a terminal; `undefined` prints nothing. `display` shortens file names. */
export function renderBuildEvent(event: BuildEvent, display: (file: string) => string = (f) => f): string | undefined {
  switch (event.type) {
    case 'builder':
      return [...event.skipped.map((s) => `netboot-farm: ${s.name} skipped: ${s.reason}`), `netboot-farm: building with ${event.version}${event.isolation ? `, isolation ${event.isolation}` : ''}`].join('\n');
    case 'log':
      return event.text;
    case 'problem':
      return `${display(event.problem.file)}:${event.problem.line}: ${event.problem.code} ${event.problem.message}`;
    case 'done':
      return `netboot-farm: ${event.ok ? 'done' : event.cancelled ? 'cancelled' : 'failed'} in ${(event.durationMs / 1000).toFixed(1)} s: ${event.message}`;
    default:
      // Steps are in the builder's own output already.
      return undefined;
  }
}

/** Reads one line of `build --json` output; anything else (a stray print) is a log line. */
export function parseEventLine(line: string): BuildEvent {
  try {
    const value = JSON.parse(line) as BuildEvent;
    if (value && typeof value === 'object' && typeof value.type === 'string') return value;
  } catch {
    // Not JSON: fall through.
  }
  return { type: 'log', text: line };
}

/** A pseudoterminal wants `\r\n`; the builders print `\n`. */
export const terminalLines = (text: string): string => text.replace(/\r?\n/g, '\r\n') + '\r\n';
