import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadExeca } from './execaLoader';
import type { ContainerState } from './containerState';
import { machineMirror } from './debianMirror';
import type { Builder } from './detectBuilder';
import { streamProcess } from './streamProcess';

export interface BaseImageOptions {
  readonly suite: string;
  /** The image name the Dockerfile's FROM uses. */
  readonly tag: string;
  readonly mirror?: string;
  readonly signal?: AbortSignal;
  readonly onLine?: (line: string) => void;
}

export const DEFAULT_BASE = { suite: 'bookworm', tag: 'localhost/debian:bookworm' } as const;

/**
 * A Debian base image without a registry: debootstrap a minimal root from the
 * machine's own mirror (its packages cached in the state folder for the next
 * time), then import it into the builder's storage under a localhost/ name.
 */
export async function makeBaseImage(builder: Builder, state: ContainerState, options: BaseImageOptions): Promise<{ tag: string; mirror: string; mirrorFrom: string }> {
  if (process.getuid?.() !== 0) throw new Error('debootstrap needs root to create device nodes and set owners: run `sudo netboot-farm base-image`, or pull a Debian image from your registry.');
  const found = options.mirror ? { uri: options.mirror, from: '--mirror' } : await machineMirror(options.suite);
  const work = await mkdtemp(join(state.tmp, 'base-'));
  const root = join(work, 'rootfs');
  const tar = join(work, 'rootfs.tar');
  const say = (line: string) => options.onLine?.(line);
  const { execa } = await loadExeca();
  try {
    say(`debootstrap ${options.suite} from ${found.uri} (${found.from})`);
    const boot = await streamProcess('debootstrap', ['--variant=minbase', `--cache-dir=${state.debootstrapCache}`, options.suite, root, found.uri], { signal: options.signal, onLine: options.onLine });
    if (boot.cancelled) throw new Error('cancelled');
    if (boot.exitCode !== 0) throw new Error(`debootstrap failed (exit ${boot.exitCode}): ${boot.tail.slice(-3).join(' / ')}`);
    // Package downloads are in the cache folder; the image does not need them.
    await execa('tar', ['--numeric-owner', '--exclude=./var/cache/apt/archives/*.deb', '-C', root, '-cf', tar, '.'], { cancelSignal: options.signal });
    const env = { ...process.env, ...state.env };
    say(`importing into ${builder.name} as ${options.tag}`);
    if (builder.name === 'buildah') {
      const from = await execa(builder.path, ['from', 'scratch'], { env });
      const container = String(from.stdout).trim();
      try {
        await execa(builder.path, ['add', container, tar, '/'], { env });
        await execa(builder.path, ['config', '--cmd', '/bin/bash', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', container], { env });
        await execa(builder.path, ['commit', '--rm', container, options.tag], { env });
      } catch (error) {
        await execa(builder.path, ['rm', container], { env, reject: false });
        throw error;
      }
    } else {
      await execa(builder.path, ['import', '--change', 'CMD ["/bin/bash"]', tar, options.tag], { env });
    }
    return { tag: options.tag, mirror: found.uri, mirrorFrom: found.from };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
