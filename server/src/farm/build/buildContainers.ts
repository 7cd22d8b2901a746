import type { ContainerState } from './containerState';
import type { Builder } from './detectBuilder';
import { loadExeca } from './execaLoader';

/**
 * The builder's working containers in our storage. Both podman and buildah
 * builds make buildah containers; podman lists them with `ps --external`.
 */
export async function leftoverContainers(builder: Builder, state: ContainerState): Promise<string[]> {
  const { execa } = await loadExeca();
  const args = builder.name === 'podman' ? ['ps', '--all', '--external', '--format', '{{.ID}}'] : ['containers', '--all', '--format', '{{.ContainerID}}'];
  const r = await execa(builder.path, args, { env: { ...process.env, ...state.env }, reject: false, stdin: 'ignore' });
  return r.exitCode === 0 ? String(r.stdout).split('\n').map((s) => s.trim()).filter(Boolean) : [];
}

export async function removeContainers(builder: Builder, state: ContainerState, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const { execa } = await loadExeca();
  const args = builder.name === 'podman' ? ['rm', '--force', ...ids] : ['rm', ...ids];
  await execa(builder.path, args, { env: { ...process.env, ...state.env }, reject: false, stdin: 'ignore' });
}
