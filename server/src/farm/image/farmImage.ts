import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * What a farm boots: a TFTP tree, a squashfs root exported over NBD, and the
 * TFTP paths of the boot files. `manifest.json` in the image folder holds it
 * with paths relative to that folder, so the folder can move.
 */
export interface FarmImage {
  /** The folder holding manifest.json. */
  readonly dir: string;
  readonly tftpRoot: string;
  readonly squashfs: string;
  /** The NBD export name the boot files ask for (LTSP's CPU name, `amd64`). */
  readonly exportName: string;
  /** The NBD port the boot files ask for. */
  readonly nbdPort: number;
  /** TFTP paths, relative to tftpRoot, of each kind of boot file the tree has. */
  readonly bootFiles: { readonly ipxe?: string; readonly bios?: string; readonly efi?: string };
  /** The TFTP path where the client fetches lts.conf (the farm serves the workspace's live file there). */
  readonly ltsConfPath: string;
  readonly kernelVersion?: string;
  /** The hash of the inputs this image was built from. */
  readonly key: string;
}

interface Manifest extends Omit<FarmImage, 'dir'> {
  readonly format: 1;
}

export const manifestName = 'manifest.json';

export function manifestText(image: FarmImage): string {
  const { dir, ...rest } = image;
  const manifest: Manifest = { format: 1, ...rest, tftpRoot: relative(dir, image.tftpRoot), squashfs: relative(dir, image.squashfs) };
  return JSON.stringify(manifest, null, 2) + '\n';
}

/**
 * An image build's export (`netboot-farm build`, artifactManifest.ts): files
 * listed by role, the TFTP tree under tftp/ and squashfs images under images/.
 */
interface BuildExport {
  readonly version: 1;
  readonly kernelVersion?: string;
  readonly dockerfile?: { readonly sha256?: string };
  readonly files: readonly { readonly path: string; readonly role: string }[];
}

function fromBuildExport(dir: string, manifest: BuildExport): FarmImage | undefined {
  const squashfs = manifest.files.find((f) => f.role === 'squashfs');
  if (!squashfs) return undefined;
  const exportName = basename(squashfs.path).replace(/\.img$/, '');
  const inTftp = manifest.files.filter((f) => f.path.startsWith('tftp/')).map((f) => f.path.slice('tftp/'.length));
  const find = (pattern: RegExp) => inTftp.find((path) => pattern.test(path));
  const ipxe = find(/\.ipxe$/);
  const bios = find(/(^|\/)(pxelinux\.0|core\.0)$/);
  const efi = find(/(^|\/)(core|grubx64|bootx64)\.efi$/i);
  return {
    dir,
    tftpRoot: join(dir, 'tftp'),
    squashfs: join(dir, squashfs.path),
    exportName,
    nbdPort: 10809,
    bootFiles: { ...(ipxe ? { ipxe } : {}), ...(bios ? { bios } : {}), ...(efi ? { efi } : {}) },
    ltsConfPath: `ltsp/${exportName}/lts.conf`,
    ...(manifest.kernelVersion ? { kernelVersion: manifest.kernelVersion } : {}),
    key: manifest.dockerfile?.sha256?.slice(0, 16) ?? '',
  };
}

/** Reads an image folder's manifest (ours, or an image build's export); undefined when there is none. */
export async function readFarmImage(dir: string): Promise<FarmImage | undefined> {
  let manifest: Partial<Manifest> & Partial<BuildExport>;
  try {
    manifest = JSON.parse(await readFile(join(dir, manifestName), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  if (manifest.version === 1 && Array.isArray(manifest.files)) return fromBuildExport(dir, manifest as BuildExport);
  if (manifest.format !== 1 || !manifest.tftpRoot || !manifest.squashfs || !manifest.bootFiles || !manifest.exportName) return undefined;
  const inside = (path: string) => (isAbsolute(path) ? path : resolve(dir, path));
  return {
    dir,
    tftpRoot: inside(manifest.tftpRoot),
    squashfs: inside(manifest.squashfs),
    exportName: manifest.exportName,
    nbdPort: manifest.nbdPort ?? 10809,
    bootFiles: manifest.bootFiles,
    ltsConfPath: manifest.ltsConfPath ?? 'ltsp/amd64/lts.conf',
    ...(manifest.kernelVersion ? { kernelVersion: manifest.kernelVersion } : {}),
    key: manifest.key ?? '',
  };
}
