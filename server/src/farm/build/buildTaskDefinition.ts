/**
 * The VS Code task type for image builds, shared by the client's task
 * provider and its tests. Free of imports: the client bundles it. Documented
 * in package.json (`contributes.taskDefinitions`); keep the two together.
 */
export const BUILD_TASK_TYPE = 'netboot-farm-build';

export interface BuildTaskDefinition {
  readonly type: typeof BUILD_TASK_TYPE;
  /** The Dockerfile, relative to the workspace folder. */
  readonly dockerfile: string;
  /** Build up to this stage and tag it; absent: the whole image, exported to `.netboot/`. */
  readonly stage?: string;
  /** `auto` (or absent): the first that works of docker, podman, buildah, native (debootstrap + chroot, root only). */
  readonly builder?: 'auto' | 'docker' | 'podman' | 'buildah' | 'native';
}

export interface BuildTaskSettings {
  readonly builder?: string;
  readonly stateDir?: string;
}

/**
 * The `netboot-farm` arguments a task runs: the CLI does the build, the
 * client only renders its `--json` events. The task's own builder wins over
 * the setting.
 */
export function buildTaskArgs(definition: BuildTaskDefinition, workspaceFolder: string, settings: BuildTaskSettings = {}): string[] {
  const builder = definition.builder && definition.builder !== 'auto' ? definition.builder : settings.builder;
  return [
    'build',
    workspaceFolder,
    '--file',
    definition.dockerfile,
    '--json',
    ...(definition.stage ? ['--stage', definition.stage] : []),
    ...(builder && builder !== 'auto' ? ['--builder', builder] : []),
    ...(settings.stateDir ? ['--state-dir', settings.stateDir] : []),
  ];
}

/** The label in the task picker. */
export const buildTaskLabel = (definition: BuildTaskDefinition): string => (definition.stage ? `build stage ${definition.stage} (${definition.dockerfile})` : `build image (${definition.dockerfile})`);
