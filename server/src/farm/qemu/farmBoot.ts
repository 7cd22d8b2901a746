import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FarmEvent, FarmEventSink } from '../events';
import { prepareExampleImage } from '../image/exampleImage';
import { findTool, runTool } from '../image/hostTools';
import { readFarmImage, type FarmImage } from '../image/farmImage';
import { launchFarm, type FarmProcess, type LaunchOptions } from '../launch';
import type { FarmStatus, NetworkMode } from '../protocol';
import { nextStep, type BootStep } from './consoleMilestones';
import { planNodes, type NodePlan } from './farmNodes';
import type { Firmware, VmNetwork } from './qemuArgs';
import { QemuVm } from './qemuVm';
import { userModeTftpRoot } from './userModeTftp';

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

/** The image a folder boots: its own `.netboot/` build, or the example image when it has none. */
async function imageFor(options: FarmBootOptions, emit: (event: Omit<FarmEvent, 'time'>) => void): Promise<FarmImage> {
  if (!options.exampleImage) {
    const built = await readFarmImage(join(options.folder, '.netboot'));
    const bootable = built && Object.keys(built.bootFiles).length > 0;
    if (built && bootable) return built;
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

/**
 * In user mode QEMU's own TFTP serves the boot files and the farm's NBD server
 * listens on a free port of 127.0.0.1, which the guest reaches as 10.0.2.2:
 * the iPXE script's nbdroot is rewritten to say so.
 */
function userModeScript(script: string, nbdPort: number): string {
  return script.replace(/\bnbdroot=[^\s/]*\//g, `nbdroot=10.0.2.2:${nbdPort}/`);
}

async function startFarm(options: FarmBootOptions, image: FarmImage, network: NetworkMode | 'auto', onEvent: FarmEventSink): Promise<{ farm: FarmProcess; status: FarmStatus }> {
  const launch: LaunchOptions = {
    onEvent,
    onLog: (line) => onEvent({ time: Date.now(), layer: 'farm', kind: 'log', message: line }),
    ...(options.farmScript ? { farmScript: options.farmScript } : {}),
  };
  const farm = await launchFarm(launch);
  try {
    const status = await farm.start({ folder: options.folder, tftpRoot: image.tftpRoot, nbdExports: [{ name: image.exportName, file: image.squashfs }], network });
    return { farm, status };
  } catch (error) {
    await farm.close();
    throw error;
  }
}

export async function bootFarm(options: FarmBootOptions): Promise<FarmBootResult> {
  const emit = (event: Omit<FarmEvent, 'time'>) => options.onEvent({ time: Date.now(), ...event });
  const ltsConfFile = join(options.folder, 'lts.conf');
  const ltsConfText = await readFile(ltsConfFile, 'utf8').catch(() => undefined);
  const nodes = planNodes({ ...(ltsConfText !== undefined ? { ltsConf: { file: ltsConfFile, text: ltsConfText } } : {}), ...(options.nodes ? { count: options.nodes } : {}), firmware: options.firmware });
  // Before minutes go into an image: without QEMU nothing boots.
  await findTool('qemu-system-x86_64', 'the farm boots its nodes in QEMU');
  const image = await imageFor(options, emit);

  let { farm, status } = await startFarm(options, image, options.network, options.onEvent);
  const cleanups: (() => Promise<void>)[] = [() => farm.close()];
  const vms: QemuVm[] = [];
  try {
    if (status.network?.mode === 'isolated' && !status.servers.some((s) => s.name === 'dhcp')) {
      const why = status.missing.find((m) => m.name === 'dhcp')?.reason ?? 'not running';
      if (options.network === 'isolated') throw new Error(`the private LAN has no DHCP server (${why}): VMs there cannot boot`);
      emit({ layer: 'net', kind: 'fallback', level: 'warning', message: `the farm's DHCP server is not available (${why}): using QEMU user-mode networking instead` });
      await farm.close();
      ({ farm, status } = await startFarm(options, image, 'user', options.onEvent));
      cleanups[0] = () => farm.close();
    }
    const mode = status.network?.mode ?? 'user';
    const farmPid = status.network?.namespaced ? await farm.farmPid() : undefined;

    let userNetwork: VmNetwork | undefined;
    if (mode === 'user' && farmPid) {
      // QEMU's user-mode stack reaches the farm's servers on the loopback of the
      // farm's own network namespace, where nothing else brings `lo` up.
      await runTool('nsenter', ['--target', String(farmPid), '--net', '--', 'ip', 'link', 'set', 'lo', 'up'], { why: "QEMU joins the farm's network namespace with it" });
    }
    if (mode === 'user') {
      const nbd = status.servers.find((s) => s.name === 'nbd');
      if (!nbd) throw new Error(`the farm's NBD server is not running: ${status.missing.find((m) => m.name === 'nbd')?.reason ?? 'unknown reason'}`);
      const script = image.bootFiles.ipxe;
      if (!script) {
        throw new MissingArtifactsError(
          `${image.tftpRoot}: no iPXE script (*.ipxe) in the TFTP tree: QEMU's user-mode DHCP hands every VM one boot file, so user-mode networking needs one; boot with --network isolated, where dhcpd.conf picks the file`,
        );
      }
      const tftp = await userModeTftpRoot(image.tftpRoot, ltsConfText !== undefined ? { tftpPath: image.ltsConfPath, file: ltsConfFile } : undefined);
      cleanups.push(tftp.dispose);
      const scriptPath = join(tftp.dir, script);
      const original = await readFile(join(image.tftpRoot, script), 'utf8');
      await writeFile(scriptPath + '.tmp', userModeScript(original, nbd.port));
      // Replace the link with a real file so the image in the cache is never written.
      await rename(scriptPath + '.tmp', scriptPath);
      emit({ layer: 'net', kind: 'rewrite', level: 'warning', message: `user-mode networking: ${script} served by QEMU's TFTP with nbdroot=10.0.2.2:${nbd.port} (the farm's NBD server through QEMU's host alias)` });
      userNetwork = { mode: 'user', tftpRoot: tftp.dir, bootFile: script };
    }

    for (const node of nodes) {
      const network: VmNetwork = userNetwork ?? { mode: 'tap', tap: await farm.addTap(node.name) };
      const vm = await QemuVm.start({
        name: node.name,
        mac: node.mac,
        firmware: node.firmware,
        network,
        // QEMU's user-mode DHCP hands every VM the iPXE script: the NIC's iPXE ROM must run it.
        ...(mode === 'user' ? { pxe: 'ipxe' as const } : {}),
        headless: options.headless,
        ...(farmPid ? { netnsOf: farmPid } : {}),
        sink: options.onEvent,
      });
      vms.push(vm);
    }

    const aborted = new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    const results = await Promise.all(
      vms.map(async (vm, index): Promise<NodeResult> => {
        const started = Date.now();
        const matched = await Promise.race([vm.waitForConsole(options.expect, options.timeoutSeconds * 1000), aborted.then(() => undefined)]);
        const node = nodes[index] as NodePlan;
        const result: NodeResult = {
          node,
          ...(matched !== undefined ? { matched } : {}),
          reached: [...vm.reached],
          ...(matched === undefined ? { stuckAt: nextStep(vm.reached) ?? 'marker' } : {}),
          lastLines: vm.lastConsoleLines(15),
          seconds: (Date.now() - started) / 1000,
        };
        emit({
          layer: 'vm',
          kind: matched !== undefined ? 'expect-matched' : 'expect-failed',
          node: node.name,
          level: matched !== undefined ? 'info' : 'error',
          message: matched !== undefined ? `${node.name} matched ${options.expect} after ${result.seconds.toFixed(1)} s` : `${node.name} did not match ${options.expect} within ${options.timeoutSeconds} s: stuck before "${result.stuckAt}"`,
        });
        return result;
      }),
    );
    return { ok: results.every((r) => r.matched !== undefined), image, status, results };
  } finally {
    await Promise.all(vms.map((vm) => vm.stop().catch(() => undefined)));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
