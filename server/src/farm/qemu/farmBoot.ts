import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FarmEvent, FarmEventSink } from '../events';
import { prepareExampleImage } from '../image/exampleImage';
import { findTool } from '../image/hostTools';
import { readFarmImage, type FarmImage } from '../image/farmImage';
import type { FarmStatus, NetworkMode } from '../protocol';
import { nextStep, type BootStep } from './consoleMilestones';
import type { NodePlan } from './farmNodes';
import { FarmSession } from './farmSession';
import type { Firmware } from './qemuArgs';

export interface FarmBootOptions {
  readonly folder: string;
  readonly nodes?: number;
  readonly firmware: Firmware | 'both';
  readonly headless: boolean;
  readonly expect: RegExp;
  readonly timeoutSeconds: number;
  readonly network: NetworkMode | 'auto';
  /** Boot the example image even if the folder has built artifacts. */
  readonly exampleImage?: boolean;
  /** Boot this image folder (an LTSP 20+ tree, or a `.netboot` build) instead of the folder's own. */
  readonly image?: string;
  readonly onEvent: FarmEventSink;
  readonly signal?: AbortSignal;
  /** For tests: where the farm bundle is. */
  readonly farmScript?: string;
}

export interface NodeResult {
  readonly node: NodePlan;
  readonly matched?: string;
  readonly reached: readonly BootStep[];
  /** The step that never came, for a failed boot. */
  readonly stuckAt?: BootStep;
  readonly lastLines: readonly string[];
  readonly seconds: number;
}

export interface FarmBootResult {
  readonly ok: boolean;
  readonly image: FarmImage;
  readonly status: FarmStatus;
  readonly results: readonly NodeResult[];
}

/** The folder has image artifacts of its own but no image the farm can serve: say which build makes them. */
export class MissingArtifactsError extends Error {}

/** Whatever the farm serves differently from the image's files (an LTSP tree's NFS root) is said, never done silently. */
function withServedChangesTold(image: FarmImage, emit: (event: Omit<FarmEvent, 'time'>) => void): FarmImage {
  for (const change of image.servedChanges ?? []) emit({ layer: 'build', kind: 'served-rewrite', level: 'warning', message: change.message, data: { change: change.kind, dir: image.dir } });
  return image;
}

/** The image a folder boots: the --image folder, its own `.netboot/` build (or LTSP 20+ tree), or the example image when it has none. */
export async function imageFor(options: FarmStartOptions, emit: (event: Omit<FarmEvent, 'time'>) => void): Promise<FarmImage> {
  if (options.image !== undefined) {
    const given = await readFarmImage(resolve(options.folder, options.image));
    if (!given) {
      throw new MissingArtifactsError(
        `${resolve(options.folder, options.image)}: no image here: --image takes an LTSP 20+ tree (ltsp/ltsp.ipxe, ltsp/ltsp.img, ltsp/x86_64/vmlinuz and initrd.img, images/x86_64.img: what \`ltsp image\`, \`ltsp initrd\` and \`ltsp ipxe\` make) or a \`netboot-farm build\` export (manifest.json)`,
      );
    }
    return withServedChangesTold(given, emit);
  }
  if (!options.exampleImage) {
    const built = await readFarmImage(join(options.folder, '.netboot'));
    const bootable = built && Object.keys(built.bootFiles).length > 0;
    if (built && bootable) return withServedChangesTold(built, emit);
    const dockerfile = await readFile(join(options.folder, 'Dockerfile')).then(
      () => true,
      () => false,
    );
    const isExample = await readFile(join(options.folder, 'image', 'init')).then(
      () => true,
      () => false,
    );
    // An image build exports the kernel, initramfs and squashfs, but a firmware also needs a boot loader to fetch them.
    const noLoader = `${join(options.folder, '.netboot', 'tftp')} has no boot loader (an iPXE script, pxelinux.0 / core.0 or core.efi)`;
    if (built && !isExample) {
      throw new MissingArtifactsError(`${noLoader}: copy one into the TFTP tree in the Dockerfile's artifacts stage, or pass --example-image to boot the small example image`);
    }
    if (built) emit({ layer: 'build', kind: 'image-skipped', level: 'warning', message: `${noLoader}, so the example image boots instead` });
    if (dockerfile && !isExample) {
      throw new MissingArtifactsError(
        `${join(options.folder, '.netboot')}: no built image (manifest.json, tftp/, images/*.img): run \`netboot-farm build ${options.folder}\` first, or pass --example-image to boot the small example image`,
      );
    }
  }
  const started = Date.now();
  emit({ layer: 'build', kind: 'image', message: 'preparing the example image (Debian kernel, busybox initramfs and squashfs root)' });
  const image = await prepareExampleImage({ log: (line) => emit({ layer: 'build', kind: 'log', message: line }) });
  emit({ layer: 'build', kind: 'image-ready', message: `example image ready in ${((Date.now() - started) / 1000).toFixed(1)} s`, data: { dir: image.dir, key: image.key } });
  return image;
}

/** What a session is opened from: everything `boot` takes but its wait for the marker. */
export type FarmStartOptions = Omit<FarmBootOptions, 'expect' | 'timeoutSeconds' | 'signal'>;

/**
 * Opens the boot session of a folder: the image it boots (prepared first, so
 * that a folder that cannot boot says so before the farm starts), the farm
 * serving it and its nodes powered on. `boot` and `preview` both start here.
 */
export async function startFarmSession(options: FarmStartOptions & { readonly onNodesChanged?: () => void }): Promise<FarmSession> {
  const emit = (event: Omit<FarmEvent, 'time'>) => options.onEvent({ time: Date.now(), ...event });
  // Before minutes go into an image: without QEMU nothing boots.
  await findTool('qemu-system-x86_64', 'the farm boots its nodes in QEMU');
  const image = await imageFor(options, emit);
  return FarmSession.start({
    folder: options.folder,
    image,
    ...(options.nodes ? { nodes: options.nodes } : {}),
    firmware: options.firmware,
    headless: options.headless,
    network: options.network,
    onEvent: options.onEvent,
    ...(options.onNodesChanged ? { onNodesChanged: options.onNodesChanged } : {}),
    ...(options.farmScript ? { farmScript: options.farmScript } : {}),
  });
}

/** Boots the folder's nodes, waits for `expect` on each one's console, then stops everything. */
export async function bootFarm(options: FarmBootOptions): Promise<FarmBootResult> {
  const emit = (event: Omit<FarmEvent, 'time'>) => options.onEvent({ time: Date.now(), ...event });
  const session = await startFarmSession(options);
  try {
    const aborted = new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    const results = await Promise.all(
      session.plans().map(async (node): Promise<NodeResult> => {
        const started = Date.now();
        const vm = session.vm(node.name);
        // A boot file that cannot be read ends the wait at once: nothing else will come.
        let cannotBoot: FarmEvent | undefined;
        const failed = session.cannotBoot(node.name).then((event) => void (cannotBoot = event));
        const matched = vm ? await Promise.race([vm.waitForConsole(options.expect, options.timeoutSeconds * 1000), aborted.then(() => undefined), failed.then(() => undefined)]) : undefined;
        const reached = [...(vm?.reached ?? [])];
        const result: NodeResult = {
          node,
          ...(matched !== undefined ? { matched } : {}),
          reached,
          ...(matched === undefined ? { stuckAt: nextStep(reached) ?? 'marker' } : {}),
          lastLines: vm?.lastConsoleLines(15) ?? [],
          seconds: (Date.now() - started) / 1000,
        };
        emit({
          layer: 'vm',
          kind: matched !== undefined ? 'expect-matched' : 'expect-failed',
          node: node.name,
          level: matched !== undefined ? 'info' : 'error',
          message:
            matched !== undefined
              ? `${node.name} matched ${options.expect} after ${result.seconds.toFixed(1)} s`
              : cannotBoot
                ? `${node.name} cannot boot: ${cannotBoot.message}`
                : `${node.name} did not match ${options.expect} within ${options.timeoutSeconds} s: stuck before "${result.stuckAt}"`,
          ...(cannotBoot?.origin ? { origin: cannotBoot.origin } : {}),
        });
        return result;
      }),
    );
    return { ok: results.every((r) => r.matched !== undefined), image: session.image, status: session.status, results };
  } finally {
    await session.stop();
  }
}
