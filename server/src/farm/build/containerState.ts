import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { cacheRoot } from '../../host/cacheRoot';

/**
 * Everything podman and buildah keep (layers, images, containers, locks,
 * temporary files) lives in one folder of ours, so a build never touches the
 * user's own container storage, never tries a public registry by short name,
 * and the layer cache survives between builds.
 */
export interface ContainerState {
  readonly dir: string;
  /** Environment for buildah/podman: their config files and TMPDIR point into `dir`. */
  readonly env: Readonly<Record<string, string>>;
  readonly debootstrapCache: string;
  readonly tmp: string;
}

/** `containers` in the cache folder (see cacheRoot), unless the user configured a state folder. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'containers');
}

const isInside = (dir: string, root: string) => {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Image layers in a repository would be committed by the next `git add .`; refuse them. */
export function checkStateDir(dir: string, repos: readonly string[]): string | undefined {
  const repo = repos.find((r) => isInside(resolve(dir), resolve(r)));
  return repo ? `the container state folder ${dir} is inside ${repo}: builder layers would end up in the repository. Choose a folder outside it (--state-dir, or the netbootFarm.build.stateDir setting).` : undefined;
}

const toml = (s: string) => JSON.stringify(s);

/** The three config files, as text: pure, so a test can read them. */
export function stateConfigFiles(dir: string, options: { rootless: boolean; runtime?: string }): Record<string, string> {
  const storage = [
    '[storage]',
    'driver = "overlay"',
    `runroot = ${toml(join(dir, 'run'))}`,
    `graphroot = ${toml(join(dir, 'storage'))}`,
    // Without root the kernel's overlayfs is not available to us everywhere; fuse-overlayfs is.
    ...(options.rootless ? ['', '[storage.options.overlay]', 'mount_program = "/usr/bin/fuse-overlayfs"'] : []),
  ];
  const registries = [
    '# No search registries and no short names: only fully qualified images',
    '# (localhost/debian:bookworm, docker.io/library/debian:12) are pulled.',
    'unqualified-search-registries = []',
    'short-name-mode = "disabled"',
  ];
  const containers = [
    '[engine]',
    ...(options.runtime ? [`runtime = ${toml(options.runtime)}`] : []),
    `tmp_dir = ${toml(join(dir, 'libpod-tmp'))}`,
    `volume_path = ${toml(join(dir, 'volumes'))}`,
    'events_logger = "none"',
    '',
    '[network]',
    `network_config_dir = ${toml(join(dir, 'networks'))}`,
  ];
  return { 'storage.conf': storage.join('\n') + '\n', 'registries.conf': registries.join('\n') + '\n', 'containers.conf': containers.join('\n') + '\n' };
}

/** Creates the folder and its config files; cheap enough to run before every build. */
export async function prepareContainerState(dir: string, options: { rootless: boolean; runtime?: string }): Promise<ContainerState> {
  const tmp = join(dir, 'tmp');
  const debootstrapCache = join(dir, 'debootstrap-cache');
  const confDir = join(dir, 'conf');
  for (const d of [dir, tmp, debootstrapCache, confDir]) await mkdir(d, { recursive: true });
  const files = stateConfigFiles(dir, options);
  for (const [name, text] of Object.entries(files)) await writeFile(join(confDir, name), text);
  return {
    dir,
    tmp,
    debootstrapCache,
    env: {
      CONTAINERS_STORAGE_CONF: join(confDir, 'storage.conf'),
      CONTAINERS_REGISTRIES_CONF: join(confDir, 'registries.conf'),
      CONTAINERS_CONF: join(confDir, 'containers.conf'),
      TMPDIR: tmp,
      // buildah reads its isolation from here when no flag says otherwise.
      BUILDAH_LAYERS: 'true',
    },
  };
}
