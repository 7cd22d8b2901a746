import type { Builder } from './detectBuilder';

export interface BuildInvocation {
  readonly dockerfile: string;
  readonly context: string;
  readonly target?: string;
  /** Export the target's files here (docker buildx -o / podman -o / buildah --output). */
  readonly exportTo?: string;
  /** Tag the result (a stage build keeps its image for the next build). */
  readonly tag?: string;
}

/** The builder's argument list; pure, so a test can read it. Never a shell string. */
export function builderArgs(builder: Pick<Builder, 'name' | 'isolation'>, run: BuildInvocation): string[] {
  const common = ['-f', run.dockerfile, ...(run.target ? ['--target', run.target] : []), ...(run.tag ? ['-t', run.tag] : [])];
  const output = run.exportTo ? ['--output', `type=local,dest=${run.exportTo}`] : [];
  if (builder.name === 'docker') return ['buildx', 'build', '--progress=plain', ...common, ...output, run.context];
  const isolation = builder.isolation;
  const runtime = isolation?.kind === 'oci' ? ['--isolation', 'oci', '--runtime', isolation.runtime] : ['--isolation', 'chroot'];
  // --force-rm: a failed step leaves its container otherwise. --network host: RUN steps reach the
  // machine's mirror without netavark/CNI, which rootless hosts often lack.
  const flags = ['--layers', '--force-rm', '--network', 'host', ...runtime];
  return ['build', ...flags, ...common, ...output, run.context];
}
