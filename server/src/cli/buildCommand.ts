import { relative } from 'node:path';
import { makeBaseImage, DEFAULT_BASE } from '../farm/build/baseImage';
import { defaultStateDir, prepareContainerState } from '../farm/build/containerState';
import { BUILDER_NAMES, detectBuilder, type BuilderName } from '../farm/build/detectBuilder';
import { renderBuildEvent, type BuildEvent } from '../farm/build/buildEvents';
import { BuildSetupError, runBuild } from '../farm/build/runBuild';
import type { CliCommand, CliIo } from './command';
import { flag, hasFlag, oneOf, parseArgs, UsageError } from './usage';

/** SIGINT / SIGTERM cancel the build (the builder's process tree and its containers go too). */
function cancelOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return { signal: controller.signal, dispose: () => (process.off('SIGINT', abort), process.off('SIGTERM', abort)) };
}

function builderFlag(value: string | undefined): BuilderName | undefined {
  return value === undefined ? undefined : oneOf(value, BUILDER_NAMES, 'builder', 'buildah');
}

export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'build the netboot image (or one stage) and export it to FOLDER/.netboot/',
  usage: 'build [FOLDER] [--file DOCKERFILE] [--stage NAME] [--builder docker|podman|buildah|native] [--state-dir DIR] [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['file', 'stage', 'builder', 'state-dir'], booleans: ['json'] });
    if (args.positionals.length > 1) throw new UsageError('one FOLDER at most');
    const json = hasFlag(args, 'json');
    const cwd = process.cwd();
    const write = (event: BuildEvent) => {
      if (json) return io.stdout(JSON.stringify({ time: Date.now(), ...event }) + '\n');
      const text = renderBuildEvent(event, (file) => relative(cwd, file) || file);
      if (text !== undefined) (event.type === 'problem' ? io.stderr : io.stdout)(text + '\n');
    };
    const cancel = cancelOnSignals();
    try {
      const result = await runBuild({
        workspace: args.positionals[0] ?? '.',
        dockerfile: flag(args, 'file'),
        stage: flag(args, 'stage'),
        builder: builderFlag(flag(args, 'builder')),
        stateDir: flag(args, 'state-dir'),
        signal: cancel.signal,
        onEvent: write,
      });
      return result.ok ? 0 : result.cancelled ? 130 : 1;
    } catch (error) {
      if (!(error instanceof BuildSetupError)) throw error;
      if (json) io.stdout(JSON.stringify({ time: Date.now(), type: 'done', ok: false, cancelled: false, exitCode: 1, durationMs: 0, message: error.message }) + '\n');
      else io.stderr(`netboot-farm build: ${error.message}\n`);
      return 1;
    } finally {
      cancel.dispose();
    }
  },
};

export const baseImageCommand: CliCommand = {
  name: 'base-image',
  summary: 'make the Debian base image (localhost/debian:bookworm) with debootstrap, without a registry',
  usage: 'base-image [--suite bookworm] [--tag localhost/debian:bookworm] [--mirror URL] [--builder podman|buildah] [--state-dir DIR]',
  async run(argv, io: CliIo) {
    const args = parseArgs(argv, { values: ['suite', 'tag', 'mirror', 'builder', 'state-dir'], booleans: [] });
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const detection = await detectBuilder(builderFlag(flag(args, 'builder')));
    for (const s of detection.skipped) io.stdout(`netboot-farm: ${s.name} skipped: ${s.reason}\n`);
    const builder = detection.builder;
    if (!builder) {
      io.stderr('netboot-farm base-image: no container builder works here\n');
      return 1;
    }
    if (builder.name === 'native') {
      io.stdout('netboot-farm: the native builder needs no base image: it debootstraps FROM localhost/debian:SUITE itself, once, into its state folder\n');
      return 0;
    }
    const state = await prepareContainerState(flag(args, 'state-dir') ?? defaultStateDir(), {
      rootless: process.getuid?.() !== 0,
      runtime: builder.isolation?.kind === 'oci' ? builder.isolation.runtime : undefined,
    });
    const cancel = cancelOnSignals();
    try {
      const made = await makeBaseImage(builder, state, {
        suite: flag(args, 'suite') ?? DEFAULT_BASE.suite,
        tag: flag(args, 'tag') ?? DEFAULT_BASE.tag,
        mirror: flag(args, 'mirror'),
        signal: cancel.signal,
        onLine: (line) => io.stdout(line + '\n'),
      });
      io.stdout(`netboot-farm: ${made.tag} is ready in ${builder.name}'s storage (${state.dir}); mirror ${made.mirror} (${made.mirrorFrom})\n`);
      return 0;
    } catch (error) {
      io.stderr(`netboot-farm base-image: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    } finally {
      cancel.dispose();
    }
  },
};
