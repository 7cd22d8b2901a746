import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MANIFEST_NAME, readManifest } from '../build/artifactManifest';
import { readLtspTree } from './ltspTree';

/**
 * What a farm boots: a TFTP tree, a squashfs root exported over NBD, and the
 * TFTP paths of the boot files. `manifest.json` in the image folder holds it
 * with paths relative to that folder, so the folder can move
 * (build/artifactManifest.ts).
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
  /** What the farm serves differently from the image's own files, and why: each is told as a warning, never done silently. */
  readonly servedChanges?: readonly ServedChange[];
}

/** One change to a served file (the image's own files are never written). */
export interface ServedChange {
  readonly kind: string;
  readonly message: string;
}

/**
 * Reads an image folder: its manifest.json (the one format of
 * build/artifactManifest.ts, written by image builds and the example image),
 * or, when it has none, an LTSP 20+ tree as `ltsp image/kernel/initrd/ipxe`
 * leave it (ltspTree.ts). Undefined when it is none of these, or its manifest
 * names no squashfs for the farm to export.
 */
export async function readFarmImage(dir: string): Promise<FarmImage | undefined> {
  if (!existsSync(join(dir, MANIFEST_NAME))) return readLtspTree(dir);
  const manifest = await readManifest(dir);
  if (!manifest?.squashfs) return undefined;
  const inside = (path: string) => (isAbsolute(path) ? path : resolve(dir, path));
  return {
    dir,
    tftpRoot: inside(manifest.tftpRoot),
    squashfs: inside(manifest.squashfs),
    exportName: manifest.exportName,
    nbdPort: manifest.nbdPort,
    bootFiles: manifest.bootFiles,
    ltsConfPath: manifest.ltsConfPath,
    ...(manifest.kernelVersion ? { kernelVersion: manifest.kernelVersion } : {}),
    key: manifest.key,
  };
}
