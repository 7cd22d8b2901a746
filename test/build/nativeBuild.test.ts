/**
 * The native builder (debootstrap + chroot, no container tool): what it
 * refuses (pure, always runs), and real builds as root: a small Dockerfile
 * using its whole subset exported into .netboot/, a failing RUN reported on
 * its line. The debootstrapped base and the apt cache stay in a state folder
 * of their own (~/.cache/netboot-farm/native-tests/native) between runs, so
 * that the buildah tests, which lock theirs, can run at the same time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { BuildManifest } from '../../server/src/farm/build/artifactManifest';
import type { BuildEvent } from '../../server/src/farm/build/buildEvents';
import { processesWith, runBuildCli } from './buildRun';
import { defaultStateDir } from '../../server/src/farm/build/containerState';
import { tryNative } from '../../server/src/farm/build/detectBuilder';
import { instructionSource, planNativeBuild } from '../../server/src/farm/build/nativePlan';
import { parseDockerfile } from '../../server/src/lang/dockerfile/stageGraph';

const fixtures = join(__dirname, 'fixtures');
const stateDir = join(dirname(defaultStateDir()), 'native-tests');
const native = join(stateDir, 'native');

test('the native builder refuses what its subset lacks, each on its line, before anything runs', () => {
  const text = [
    'FROM ubuntu:22.04 AS base', // 1: pulls an image
    'ADD https://example.org/x.tar /x', // 2
    'USER nobody', // 3
    'RUN --mount=type=secret,id=token cat /run/secrets/token', // 4
    'FROM localhost/debian:bookworm AS ok', // 5
    'COPY --chown=1:1 a /a', // 6
    'COPY *.conf /etc/', // 7
    'FOOBAR x', // 8
    'FROM scratch', // 9
    'COPY --from=ok /etc /etc', // 10
    'COPY --from=base /etc/os-release /os-release', // 11: makes base a stage the target needs
  ].join('\n');
  const doc = parseDockerfile(text);
  const plan = planNativeBuild(doc, doc.graph.final!, '/ws/Dockerfile');
  assert.deepEqual(
    plan.problems.map((p) => [p.line, p.code]),
    [[1, 'BLD005'], [2, 'BLD005'], [3, 'BLD005'], [4, 'BLD005'], [6, 'BLD005'], [7, 'BLD005'], [8, 'BLD002']],
  );
  assert.match(plan.problems[0]!.message, /FROM `ubuntu:22\.04` \(it pulls no images\).*localhost\/debian:bookworm/);
  assert.match(plan.problems[1]!.message, /`ADD`.*use COPY/);
});

test('the native plan: stages the target needs, RUN text joined as Docker joins it, exec form, FROM and COPY --from by stage', () => {
  const text = [
    'FROM localhost/debian:bookworm AS base',
    'ARG A=1 B',
    'RUN echo "a  b" \\',
    '# a comment inside the continuation',
    '  && true',
    'FROM scratch AS unused',
    'FROM base AS image',
    'RUN ["mkdir", "-p", "/x y"]',
    'FROM scratch AS artifacts',
    'COPY --from=image /x\\ y /out/',
  ].join('\n');
  const doc = parseDockerfile(text);
  const plan = planNativeBuild(doc, doc.graph.final!, '/ws/Dockerfile');
  assert.deepEqual(plan.problems, []);
  assert.deepEqual(plan.stages.map((s) => s.label), ['base', 'image', 'artifacts']);
  const [base, image, artifacts] = plan.stages;
  assert.deepEqual(base!.steps.map((s) => s.step), [
    { kind: 'from', base: { kind: 'debian', suite: 'bookworm' } },
    { kind: 'arg', args: [['A', '1'], ['B', undefined]] },
    { kind: 'run', shell: 'echo "a  b"   && true', caches: [] },
  ]);
  assert.deepEqual(image!.steps.map((s) => s.step), [{ kind: 'from', base: { kind: 'stage', index: 0 } }, { kind: 'run', exec: ['mkdir', '-p', '/x y'], caches: [] }]);
  assert.equal(artifacts!.steps[1]!.step.kind, 'copy');
  assert.equal(instructionSource(doc, doc.ast.getInstructions()[2]!), 'RUN echo "a  b"   && true');
});

test('detection: the native builder needs root, and says so', async () => {
  assert.match(String(await tryNative(1000)), /needs root/);
});

const skip = process.getuid?.() !== 0 ? 'needs root (chroot, mounts, debootstrap)' : spawnSync('debootstrap', ['--version']).status !== 0 ? 'debootstrap is not installed' : false;

/** Runs `netboot-farm build --builder native --json` with the tests' state folder. */
const build = (dir: string, onEvent?: (e: BuildEvent) => 'cancel' | void) => runBuildCli([dir, '--builder', 'native', '--state-dir', stateDir], onEvent);

const logTail = (events: readonly BuildEvent[]) =>
  events
    .filter((e) => e.type === 'log' || e.type === 'done' || e.type === 'problem')
    .slice(-40)
    .map((e) => JSON.stringify(e))
    .join('\n');

/** Mounts below the native builder's folder: every RUN's mounts live in a namespace that dies with it. */
const nativeMounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(native));

test('a Dockerfile of the native subset builds natively, and its artifacts are exported with a manifest', { skip, timeout: 20 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-native-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(fixtures, 'native'), dir, { recursive: true });
  const r = await build(dir);
  assert.equal(r.code, 0, `${r.stderr}\n${logTail(r.events)}`);

  const builder = r.events.find((e): e is Extract<BuildEvent, { type: 'builder' }> => e.type === 'builder');
  assert.equal(builder?.name, 'native');
  const steps = r.events.filter((e): e is Extract<BuildEvent, { type: 'step' }> => e.type === 'step');
  // Every instruction of the three stages, in order, on its own line, counted [N/M] STEP i/k as buildah counts.
  assert.deepEqual(
    steps.map((s) => [s.stage, s.stages, s.step, s.steps, s.line]),
    [
      [1, 3, 1, 4, 4], [1, 3, 2, 4, 5], [1, 3, 3, 4, 6], [1, 3, 4, 4, 10],
      [2, 3, 1, 7, 12], [2, 3, 2, 7, 13], [2, 3, 3, 7, 14], [2, 3, 4, 7, 15], [2, 3, 5, 7, 16], [2, 3, 6, 7, 17], [2, 3, 7, 7, 19],
      [3, 3, 1, 3, 21], [3, 3, 2, 3, 22], [3, 3, 3, 3, 23],
    ].map(([stage, stages, step, count, line]) => [stage, stages, step, count, line]),
  );
  assert.equal(steps.at(-1)!.done, steps.at(-1)!.total - 1, 'the progress counts every step of every stage');

  const netboot = join(dir, '.netboot');
  assert.deepEqual(readdirSync(netboot).sort(), ['images', 'manifest.json', 'tftp']);
  const manifest = JSON.parse(readFileSync(join(netboot, 'manifest.json'), 'utf8')) as BuildManifest;
  assert.equal(manifest.format, 1);
  assert.equal(manifest.build.builder.name, 'native');
  assert.equal(manifest.squashfs, 'images/amd64.img');
  assert.equal(manifest.exportName, 'amd64');
  assert.deepEqual(manifest.bootFiles, { ipxe: 'ltsp/amd64/boot.ipxe' });
  assert.deepEqual(manifest.files.map((f) => [f.path, f.role]), [['images/amd64.img', 'squashfs'], ['tftp/ltsp/amd64/boot.ipxe', 'tftp']]);
  assert.equal(readFileSync(join(netboot, 'tftp/ltsp/amd64/boot.ipxe'), 'utf8'), readFileSync(join(fixtures, 'native', 'boot.ipxe'), 'utf8'));

  // Inside the squashfs: the COPY from the context (under WORKDIR, ENV inherited from base) and the RUN's file.
  const out = mkdtempSync(join(tmpdir(), 'nbf-native-sq-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const unsquash = spawnSync('unsquashfs', ['-d', join(out, 'root'), join(netboot, 'images', 'amd64.img')], { encoding: 'utf8' });
  assert.equal(unsquash.status, 0, unsquash.stderr);
  assert.equal(readFileSync(join(out, 'root', 'etc', 'motd'), 'utf8'), 'netboot-farm native fixture\n');
  // ARG is scoped to its stage (DEBIAN_FRONTEND is empty in `image`); ENV is inherited.
  assert.equal(readFileSync(join(out, 'root', 'etc', 'built-by'), 'utf8'), 'built in /opt/ltsp for amd64 by \n');

  assert.deepEqual(nativeMounts(), []);
  assert.deepEqual(readdirSync(native).filter((n) => n.startsWith('work-')), [], 'the stage folders are removed');
});

test('a failing RUN in a native build is reported on its Dockerfile line with its output, and leaves nothing mounted', { skip, timeout: 20 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-native-fail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(fixtures, 'native-failing.Dockerfile'), join(dir, 'Dockerfile'));
  const r = await build(dir);
  assert.equal(r.code, 1, `${r.stderr}\n${logTail(r.events)}`);
  const problems = r.events.filter((e): e is Extract<BuildEvent, { type: 'problem' }> => e.type === 'problem').map((e) => e.problem);
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [['BLD001', 5]]);
  assert.match(problems[0]!.message, /native build: while running chroot: exit status 2.*No such file or directory/);
  assert.ok(!existsSync(join(dir, '.netboot', 'manifest.json')));
  assert.deepEqual(nativeMounts(), []);
});

test('cancelling a native build stops its RUN step in the chroot, and leaves no process, mount or stage folder', { skip, timeout: 20 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-native-cancel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(fixtures, 'sleeping.Dockerfile'), join(dir, 'Dockerfile'));
  let sawSleep = false;
  const r = await build(dir, (e) => {
    if (e.type !== 'log' || e.text !== 'started') return undefined;
    sawSleep = processesWith('sleep 600').length > 0;
    return 'cancel';
  });
  assert.ok(sawSleep, 'the RUN step was running when cancelled');
  assert.equal(r.code, 130, `${r.stderr}\n${logTail(r.events)}`);
  const done = r.events.find((e): e is Extract<BuildEvent, { type: 'done' }> => e.type === 'done');
  assert.deepEqual([done?.ok, done?.cancelled], [false, true]);
  assert.deepEqual(processesWith('sleep 600'), []);
  assert.deepEqual(nativeMounts(), []);
  assert.deepEqual(readdirSync(native).filter((n) => n.startsWith('work-')), []);
});
