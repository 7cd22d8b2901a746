import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseDockerfile, stageLabel, type DockerfileDocument, type Stage } from '../../lang/dockerfile/stageGraph';
import { CONFIG_NAMES, describeArtifacts, hashInput, manifestJson, MANIFEST_NAME, netbootManifest, type BuildManifest } from './artifactManifest';
import { builderArgs } from './builderArgs';
import type { BuildEvent } from './buildEvents';
import { BuildOutputParser } from './buildOutput';
import { instructionAt, mapBuildFailure, type BuildProblem } from './buildProblems';
import { leftoverContainers, removeContainers } from './buildContainers';
import { checkStateDir, defaultStateDir, prepareContainerState, type ContainerState } from './containerState';
import { detectBuilder, type Builder, type BuilderName } from './detectBuilder';
import { runNativeBuild } from './nativeBuild';
import { planNativeBuild } from './nativePlan';
import { lockState } from './stateLock';
import { streamProcess } from './streamProcess';

export const NETBOOT_DIR = '.netboot';
/** The stage whose files are exported when it exists; otherwise the final stage. */
export const ARTIFACTS_STAGE = 'artifacts';

export interface BuildRequest {
  /** The workspace folder: `.netboot/` goes here. */
  readonly workspace: string;
  /** Default: `Dockerfile` (or `Containerfile`) in the workspace. */
  readonly dockerfile?: string;
  /** Build up to this stage only, and tag it instead of exporting. */
  readonly stage?: string;
  readonly builder?: BuilderName;
  readonly stateDir?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BuildEvent) => void;
}

export interface BuildResult {
  readonly ok: boolean;
  readonly cancelled: boolean;
  readonly problems: readonly BuildProblem[];
  readonly manifest?: BuildManifest;
  readonly builder?: Builder;
}

/** Thrown for mistakes a user fixes before any builder runs (no Dockerfile, no builder, unknown stage). */
export class BuildSetupError extends Error {}

async function findDockerfile(workspace: string, given?: string): Promise<string> {
  const candidates = given ? [resolve(workspace, given)] : ['Dockerfile', 'Containerfile'].map((n) => join(workspace, n));
  for (const file of candidates) if (await access(file).then(() => true, () => false)) return file;
  throw new BuildSetupError(`${candidates[0]}: no such file${given ? '' : ' (nor Containerfile): pass --file, or run in the folder that holds the Dockerfile'}`);
}

/** The stage to build: the one asked for, else `artifacts`, else the final stage. */
export function pickTarget(doc: DockerfileDocument, asked?: string): Stage | undefined {
  const stages = doc.graph.stages;
  if (asked !== undefined) {
    const found = stages.find((s) => s.name?.toLowerCase() === asked.toLowerCase()) ?? (/^\d+$/.test(asked) ? stages[Number(asked)] : undefined);
    if (!found) throw new BuildSetupError(`no stage "${asked}" in the Dockerfile (stages: ${stages.map(stageLabel).join(', ') || 'none'})`);
    return found;
  }
  return stages.find((s) => s.name?.toLowerCase() === ARTIFACTS_STAGE) ?? doc.graph.final;
}

/** Builds the image (or one stage) and exports the artifacts into `.netboot/`, with a manifest. */
export async function runBuild(request: BuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const emit = request.onEvent ?? (() => undefined);
  const workspace = resolve(request.workspace);
  const dockerfile = await findDockerfile(workspace, request.dockerfile);
  const context = dirname(dockerfile);
  const doc = parseDockerfile(await readFile(dockerfile, 'utf8'));
  const target = pickTarget(doc, request.stage);
  if (!target) throw new BuildSetupError(`${dockerfile}: no FROM, so there is nothing to build`);

  const stateDir = resolve(request.stateDir ?? defaultStateDir());
  const refused = checkStateDir(stateDir, [workspace]);
  if (refused) throw new BuildSetupError(refused);

  const detection = await detectBuilder(request.builder);
  const builder = detection.builder;
  if (!builder) throw new BuildSetupError(`no container builder works here: ${detection.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  const isolation = builder.isolation && (builder.isolation.kind === 'oci' ? `oci (${builder.isolation.why})` : `chroot (${builder.isolation.why})`);
  emit({ type: 'builder', name: builder.name, version: builder.version, isolation, skipped: detection.skipped });

  const state = await prepareContainerState(stateDir, { rootless: process.getuid?.() !== 0, runtime: builder.isolation?.kind === 'oci' ? builder.isolation.runtime : undefined });
  const lock = await lockState(state.dir);
  if (!('release' in lock)) throw new BuildSetupError(`another build (pid ${lock.holder}) is using ${state.dir}: wait for it, or give this one its own --state-dir`);
  try {
    return await buildLocked(request, { started, emit, workspace, dockerfile, context, doc, target, builder, isolation, state });
  } finally {
    await lock.release();
  }
}

interface Prepared {
  readonly started: number;
  readonly emit: (event: BuildEvent) => void;
  readonly workspace: string;
  readonly dockerfile: string;
  readonly context: string;
  readonly doc: DockerfileDocument;
  readonly target: Stage;
  readonly builder: Builder;
  readonly isolation?: string;
  readonly state: ContainerState;
}

async function buildLocked(request: BuildRequest, prepared: Prepared): Promise<BuildResult> {
  const { started, emit, workspace, dockerfile, context, doc, target, builder, isolation, state } = prepared;
  const exporting = request.stage === undefined || target.name?.toLowerCase() === ARTIFACTS_STAGE;
  const netboot = join(workspace, NETBOOT_DIR);
  const exportTo = join(netboot, `.export-${randomBytes(4).toString('hex')}`);
  const tag = exporting ? undefined : `localhost/netboot-farm/${basename(workspace).toLowerCase().replace(/[^a-z0-9._-]/g, '-') || 'image'}:${(target.name ?? `stage-${target.index}`).toLowerCase()}`;
  const native = builder.name === 'native';
  const containers = builder.name === 'podman' || builder.name === 'buildah';
  const args = native ? [] : builderArgs(builder, { dockerfile, context, target: target.name ?? (target === doc.graph.final ? undefined : String(target.index)), exportTo: exporting ? exportTo : undefined, tag });
  const stages = doc.graph.stages.slice(0, target.index + 1);
  const plan = native ? planNativeBuild(doc, target, dockerfile) : undefined;
  emit({ type: 'start', dockerfile, target: target.name, stages: stages.length, args: native ? ['native', ...(plan?.stages.map((s) => s.label) ?? [])] : [builder.path, ...args] });

  if (exporting) await mkdir(netboot, { recursive: true });
  const before = containers ? await leftoverContainers(builder, state) : [];
  const parser = new BuildOutputParser(
    stages.map((s) => s.instructions.length + 1),
    stages.map((s) => s.name?.toLowerCase()),
  );
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 2000) lines.splice(0, 1000);
    const out = parser.line(line);
    if (out.kind === 'step') {
      const at = instructionAt(doc.graph.stages, out.stage, out.step);
      const stage = doc.graph.stages[out.stage - 1];
      emit({ type: 'step', stage: out.stage, stages: out.stages, stageName: stage ? stageLabel(stage) : `stage ${out.stage - 1}`, step: out.step, steps: out.steps, text: out.text, line: at && at.getRange().start.line + 1, done: out.done, total: out.total });
    } else if (out.kind === 'cached') emit({ type: 'cached', stage: out.stage, step: out.step });
    emit({ type: 'log', text: line });
  };
  // The native builder refuses what its Dockerfile subset lacks before it starts anything.
  const refused = plan && plan.problems.length > 0;
  const run = refused
    ? { exitCode: 125, cancelled: false }
    : plan
      ? await runNativeBuild(plan, { context, state, stageCount: stages.length, exportTo: exporting ? exportTo : undefined, signal: request.signal, onLine })
      : await streamProcess(builder.path, args, { env: state.env, cwd: context, signal: request.signal, onLine });

  const finish = async (ok: boolean, message: string, problems: readonly BuildProblem[] = [], manifest?: BuildManifest): Promise<BuildResult> => {
    if (!ok && containers) {
      // --force-rm removes a failed step's container, but not one a cancel interrupted.
      const now = await leftoverContainers(builder, state);
      await removeContainers(builder, state, now.filter((c) => !before.includes(c)));
    }
    await rm(exportTo, { recursive: true, force: true });
    for (const problem of problems) emit({ type: 'problem', problem });
    emit({ type: 'done', ok, cancelled: run.cancelled, exitCode: run.exitCode, durationMs: Date.now() - started, message, manifest: manifest && join(netboot, MANIFEST_NAME) });
    return { ok, cancelled: run.cancelled, problems, manifest, builder };
  };

  if (refused) return finish(false, `the native builder cannot run ${dockerfile} (see the problems): use its Dockerfile subset, or a container builder`, plan.problems);
  if (run.cancelled) return finish(false, 'build cancelled');
  if (run.exitCode !== 0) {
    const problems = mapBuildFailure({ file: dockerfile, doc, builder: builder.name, context, started: parser.started, lines });
    return finish(false, `${builder.name} failed (exit ${run.exitCode})`, problems);
  }
  if (!exporting) return finish(true, native ? `built stage ${stageLabel(target)} natively (the native builder keeps no images: build the whole image to export it)` : `built stage ${stageLabel(target)} as ${tag}`);

  // Swap the new export in, entry by entry (images/, tftp/...): the preview never sees half of one build and half of another in a folder.
  // Our own files in .netboot/ (the manifest, the preview's leases) are never overwritten by an export.
  const entries = (await readdir(exportTo)).filter((e) => e !== MANIFEST_NAME && !e.startsWith('.') && !e.endsWith('.leases'));
  for (const entry of entries) {
    await rm(join(netboot, entry), { recursive: true, force: true });
    await rename(join(exportTo, entry), join(netboot, entry));
  }
  emit({ type: 'export', dir: netboot });
  const described = await describeArtifacts(netboot, netboot, entries);
  const configs = [];
  for (const name of CONFIG_NAMES) {
    const hashed = await hashInput(join(context, name), workspace);
    if (hashed) configs.push(hashed);
  }
  const build = {
    builtAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    builder: { name: builder.name, version: builder.version, isolation },
    target: target.name,
    dockerfile: (await hashInput(dockerfile, workspace))!,
    configs,
  };
  const manifest: BuildManifest = { ...netbootManifest(described.files, { tftpRoot: 'tftp', kernelVersion: described.kernelVersion }), build };
  await writeFile(join(netboot, MANIFEST_NAME), manifestJson(manifest));
  const missing = (['squashfs', 'kernel', 'initramfs'] as const).filter((role) => !manifest.files.some((f) => f.role === role));
  const loaders = Object.keys(manifest.bootFiles).length === 0 ? ['a boot loader in tftp/ (an iPXE script, pxelinux.0 or core.efi)'] : [];
  const lacking = [...missing, ...loaders];
  const note = lacking.length ? `; the export has no ${lacking.join(', ')}: the preview cannot boot it` : '';
  return finish(true, `exported ${manifest.files.length} files to ${netboot}${note}`, [], manifest);
}
