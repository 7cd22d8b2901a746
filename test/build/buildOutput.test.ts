import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDockerfile } from '../../server/src/lang/dockerfile/stageGraph';
import { BuildOutputParser, type OutputEvent } from '../../server/src/farm/build/buildOutput';
import { buildRules, findStep, mapBuildFailure } from '../../server/src/farm/build/buildProblems';
import { formatMessage } from '../../server/src/lang/core/diagnostics';

// Recorded from real `buildah build` runs (buildah 1.28, runc) of the Dockerfiles beside them.
const fixtures = join(__dirname, 'fixtures');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const logLines = (name: string) => read(name).split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);

function parse(name: string, stepCounts: number[] = []) {
  const parser = new BuildOutputParser(stepCounts);
  const events = logLines(name).map((l) => parser.line(l));
  return { parser, events, steps: events.filter((e): e is Extract<OutputEvent, { kind: 'step' }> => e.kind === 'step') };
}

function failure(name: string, dockerfile: string) {
  const { parser } = parse(name);
  return mapBuildFailure({ file: join(fixtures, dockerfile), doc: parseDockerfile(read(dockerfile)), builder: 'buildah', context: fixtures, started: parser.started, lines: logLines(name) });
}

test('progress: [N/M] STEP i/k lines become steps counted per stage, continuations joined', () => {
  const { steps, events } = parse('failing-run.buildah.log', [3, 5]);
  assert.deepEqual(steps.map((s) => `${s.stage}/${s.stages} ${s.step}/${s.steps}`), ['1/2 1/3', '1/2 2/3', '1/2 3/3', '2/2 1/5', '2/2 2/5', '2/2 3/5', '2/2 4/5', '2/2 5/5']);
  assert.equal(steps[7]!.text, 'RUN echo "about to fail" && ls /no/such/dir && echo never');
  // Stage 1 has committed its 3 steps' worth by the time stage 2 is on step 5: 3 + 4 done of 8.
  assert.deepEqual([steps[0]!.done, steps[7]!.done, steps[7]!.total], [0, 7, 8]);
  assert.deepEqual(events.filter((e) => e.kind === 'cached'), [{ kind: 'cached', stage: 1, step: 2 }]);
  assert.equal(events.filter((e) => e.kind === 'error').length, 1);
});

test('progress: one-stage output (STEP i/k without [N/M]) is stage 1 of 1', () => {
  const { steps } = parse('missing-copy.buildah.log');
  assert.deepEqual(steps.map((s) => [s.stage, s.stages, s.step, s.steps]), [[1, 1, 1, 4], [1, 1, 2, 4], [1, 1, 3, 4], [1, 1, 4, 4]]);
  assert.equal(steps[3]!.text, 'COPY missing.txt /missing.txt');
});

test('progress: stages interleave in a real multi-stage build and are counted on their own', () => {
  const { steps } = parse('example-cold.buildah.log');
  assert.ok(steps.length >= 8, `${steps.length} steps`);
  const perStage = new Map<number, number[]>();
  for (const s of steps) perStage.set(s.stage, [...(perStage.get(s.stage) ?? []), s.step]);
  for (const [stage, seen] of perStage) assert.deepEqual(seen, seen.map((_, i) => i + 1), `stage ${stage} steps in order`);
  assert.deepEqual([...perStage.keys()].sort(), [1, 2, 3, 4]);
  assert.ok(steps.every((s) => s.stages === 4));
  const last = steps[steps.length - 1]!;
  assert.ok(last.done < last.total && last.done >= last.total - 2, `${last.done}/${last.total}`);
});

test('errors: a failing RUN lands on its line (12), not on the same text elsewhere, with its output', () => {
  const [problem, ...rest] = failure('failing-run.buildah.log', 'failing-run.Dockerfile');
  assert.equal(rest.length, 0);
  assert.equal(problem!.code, 'BLD001');
  assert.equal(problem!.line, 12);
  assert.deepEqual(problem!.range.start, { line: 11, character: 0 });
  assert.equal(problem!.range.end.line, 13);
  assert.equal(
    problem!.message,
    formatMessage(buildRules.BLD001.message, { builder: 'buildah', error: 'while running runtime: exit status 2', output: ". Its last output: about to fail | ls: cannot access '/no/such/dir': No such file or directory" }),
  );
});

test('errors: an unknown instruction lands on its line', () => {
  const problems = failure('unknown-instruction.buildah.log', 'unknown-instruction.Dockerfile');
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['BLD002', 3]]);
  assert.match(problems[0]!.message, /^`FOOBAR` is not a Dockerfile instruction, so buildah stopped/);
});

test('errors: a missing COPY source lands on its COPY line, not on the COPY before it', () => {
  const problems = failure('missing-copy.buildah.log', 'missing-copy.Dockerfile');
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['BLD003', 4]]);
  assert.match(problems[0]!.message, /`missing\.txt` is not in the build context .*copier: stat: "\/missing\.txt": no such file or directory/);
});

test('errors: output that is not a build log still gives one problem and never throws', () => {
  const doc = parseDockerfile(read('failing-run.Dockerfile'));
  for (const lines of [[], ['garbage'], ['Error: building at STEP "'], ['Error: building at STEP "RUN nothing like it": boom'], ['[9/9] STEP 99/99: RUN x', 'Error: x']]) {
    const parser = new BuildOutputParser();
    for (const l of lines) parser.line(l);
    const problems = mapBuildFailure({ file: 'Dockerfile', doc, builder: 'buildah', context: '.', started: parser.started, lines });
    assert.equal(problems.length, 1, JSON.stringify(lines));
    assert.ok(problems[0]!.line >= 1);
  }
});

test('errors: the same text in two stages maps by step numbers; a FROM printed with an image id still maps', () => {
  const { parser } = parse('failing-run.buildah.log');
  const doc = parseDockerfile(read('failing-run.Dockerfile'));
  const line = (text: string) => (findStep(doc, parser.started, text)?.getRange().start.line ?? -2) + 1;
  // The latest started ARG step is stage 2's (line 8), not stage 1's (line 4).
  assert.equal(line('ARG DEBIAN_FRONTEND=noninteractive'), 8);
  assert.equal(findStep(doc, parser.started.slice(0, 2), 'ARG DEBIAN_FRONTEND=noninteractive')?.getRange().start.line, 3);
  assert.match(parser.started[3]!.text, /^FROM [0-9a-f]{64} AS broken$/);
  assert.equal(line(parser.started[3]!.text), 7);
  assert.equal(line('RUN no such step anywhere'), -1);
});

// docker buildx --progress=plain: no Docker daemon runs here, so this is the
// format as BuildKit documents it in its issues, not a recording.
const buildkitLog = [
  '#1 [internal] load build definition from Dockerfile',
  '#1 DONE 0.0s',
  '#5 [tools 1/3] FROM localhost/debian:bookworm',
  '#5 DONE 0.1s',
  '#6 [tools 2/3] RUN echo "tools ready" > /tools.txt',
  '#6 CACHED',
  '#7 [broken 5/5] RUN echo "about to fail"  && ls /no/such/dir  && echo never',
  '#7 0.231 about to fail',
  "#7 0.240 ls: cannot access '/no/such/dir': No such file or directory",
  '#7 ERROR: process "/bin/sh -c echo \\"about to fail\\"  && ls /no/such/dir  && echo never" did not complete successfully: exit code: 2',
  '------',
  ' > [broken 5/5] RUN echo "about to fail"  && ls /no/such/dir  && echo never:',
  '------',
  'Dockerfile:12',
  '--------------------',
  '  11 |     # The next instruction fails: its output and the builder\'s error go on line 12.',
  '  12 | >>> RUN echo "about to fail" \\',
  '--------------------',
  'ERROR: failed to solve: process "/bin/sh -c echo \\"about to fail\\"  && ls /no/such/dir  && echo never" did not complete successfully: exit code: 2',
];

test('docker buildx (BuildKit) plain output: steps by stage name, the error on the line BuildKit names', () => {
  const parser = new BuildOutputParser([3, 5], ['tools', 'broken']);
  const events = buildkitLog.map((l) => parser.line(l));
  const steps = events.filter((e): e is Extract<OutputEvent, { kind: 'step' }> => e.kind === 'step');
  assert.deepEqual(steps.map((s) => [s.stage, s.stages, s.step, s.steps]), [[1, 2, 1, 3], [1, 2, 2, 3], [2, 2, 5, 5]]);
  assert.deepEqual(events.filter((e) => e.kind === 'cached'), [{ kind: 'cached', stage: 1, step: 2 }]);
  const doc = parseDockerfile(read('failing-run.Dockerfile'));
  const problems = mapBuildFailure({ file: 'Dockerfile', doc, builder: 'docker', context: '.', started: parser.started, lines: buildkitLog });
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['BLD001', 12]]);
  assert.match(problems[0]!.message, /did not complete successfully: exit code: 2$/);
});
