import { Arg, Env, Keyword, Run, type Property } from 'dockerfile-ast';
import type { Diagnostic, Range } from 'vscode-languageserver-types';
import { DiagnosticSink, type ServiceOptions } from '../core/diagnostics';
import { didYouMean, suggestNames } from '../core/suggest';
import { findSecret } from '../conf/valueChecks';
import { dockerfileRules, type DockerfileCode } from './dockerfileRules';
import { checkLtsp } from './ltspValidation';
import { parseDockerfile, stageLabel, usersOf, type DockerfileDocument, type Stage, type StageRef } from './stageGraph';

export type DockerfileSink = DiagnosticSink<DockerfileCode>;

const KEYWORDS = Object.values(Keyword) as string[];

function checkInstructions(doc: DockerfileDocument, sink: DockerfileSink): void {
  for (const instruction of doc.ast.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (KEYWORDS.includes(keyword)) continue;
    sink.report('DKR001', instruction.getInstructionRange(), { keyword: instruction.getInstruction(), suggestion: didYouMean(suggestNames(keyword, KEYWORDS)) });
  }
}

/** The stages on a path from `from` to `to` along references, or undefined when there is none. */
function pathBetween(from: Stage, to: Stage): Stage[] | undefined {
  const seen = new Set<Stage>();
  const walk = (s: Stage): Stage[] | undefined => {
    if (s === to) return [s];
    if (seen.has(s)) return undefined;
    seen.add(s);
    for (const r of s.refs) {
      const rest = r.target && walk(r.target);
      if (rest) return [s, ...rest];
    }
    return undefined;
  };
  return walk(from);
}

function checkReference(doc: DockerfileDocument, ref: StageRef, sink: DockerfileSink): void {
  const target = ref.target;
  const via = { FROM: 'FROM ', 'COPY --from': 'COPY --from=', 'RUN --mount from': 'RUN --mount=from=' }[ref.kind];
  if (!target) {
    const above = doc.graph.stages.filter((s) => s.index < ref.stage.index && s.name);
    const names = above.map((s) => s.name!);
    const index = /^\d+$/.test(ref.name);
    sink.report('DKR002', ref.range, {
      via,
      name: ref.name,
      consequence: index ? `: the file has ${doc.graph.stages.length} stage(s), counted from 0` : `, so Docker would pull an image called \`${ref.name}\` instead`,
      suggestion: index ? '' : didYouMean(suggestNames(ref.name, names)),
      stages: names.length ? names.map((n) => '`' + n + '`').join(', ') : 'there are none yet',
    });
    return;
  }
  if (target.index < ref.stage.index) return;
  const cycle = pathBetween(target, ref.stage);
  if (cycle) {
    sink.report('DKR006', ref.range, { cycle: [ref.stage, ...cycle].map(stageLabel).join(' → ') });
  } else if (ref.kind === 'FROM') {
    sink.report('DKR004', ref.range, { name: ref.name, line: target.from.getRange().start.line + 1 });
  } else {
    sink.report('DKR003', ref.range, { via, name: ref.name, line: target.from.getRange().start.line + 1 });
  }
}

function checkStages(doc: DockerfileDocument, sink: DockerfileSink): void {
  const { stages, refs, final } = doc.graph;
  const first = new Map<string, Stage>();
  for (const stage of stages) {
    if (!stage.name || !stage.nameRange) continue;
    const key = stage.name.toLowerCase();
    const earlier = first.get(key);
    if (earlier) sink.report('DKR005', stage.nameRange, { name: stage.name, line: earlier.from.getRange().start.line + 1 });
    else first.set(key, stage);
  }
  for (const ref of refs) checkReference(doc, ref, sink);
  for (const stage of stages) {
    // A duplicate is unreachable by name: DKR005 already says so.
    const duplicate = stage.name !== undefined && first.get(stage.name.toLowerCase()) !== stage;
    if (stage === final || duplicate || usersOf(doc.graph, stage).length > 0) continue;
    sink.report('DKR007', stage.nameRange ?? stage.from.getInstructionRange(), { name: stageLabel(stage) });
  }
}

/** Names that say "secret" whatever their value looks like, as BuildKit's own check does. */
const SECRET_NAME = /(^|_)(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)$/i;

function checkSecrets(doc: DockerfileDocument, sink: DockerfileSink): void {
  const { index, text } = doc;
  const scan = (where: string, start: number, source: string) => {
    for (let from = 0; from < source.length; ) {
      const found = findSecret(source.slice(from));
      if (!found) return;
      const range = { start: index.positionAt(start + from + found.start), end: index.positionAt(start + from + found.end) };
      sink.report('DKR018', range, { where, secret: found.what });
      from += found.end;
    }
  };
  const property = (where: string, p: Property) => {
    const range: Range | null = p.getValueRange();
    const value = p.getValue();
    if (!range || !value) return;
    const start = index.offsetAt(range.start);
    const before = sink.diagnostics.length;
    scan(where, start, text.slice(start, index.offsetAt(range.end)));
    if (sink.diagnostics.length === before && SECRET_NAME.test(p.getName()) && !value.startsWith('$')) {
      sink.report('DKR018', range, { where, secret: `a value for \`${p.getName()}\`` });
    }
  };
  for (const instruction of doc.ast.getInstructions()) {
    if (instruction instanceof Arg) {
      const p = instruction.getProperty();
      if (p) property('ARG', p);
    } else if (instruction instanceof Env) {
      for (const p of instruction.getProperties()) property('ENV', p);
    } else if (instruction instanceof Run) {
      for (const segment of doc.scripts.get(instruction)?.segments ?? []) scan('RUN', segment.start, segment.text);
    }
  }
}

export async function validateDockerfile(text: string, options: ServiceOptions = {}): Promise<Diagnostic[]> {
  const doc = parseDockerfile(text);
  const sink: DockerfileSink = new DiagnosticSink(dockerfileRules, options);
  checkInstructions(doc, sink);
  checkStages(doc, sink);
  checkSecrets(doc, sink);
  checkLtsp(doc, sink);
  return sink.sorted();
}
