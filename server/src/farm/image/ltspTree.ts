/**
 * An LTSP 20+ tree, as `ltsp image`, `ltsp kernel`, `ltsp initrd` and `ltsp
 * ipxe` leave it: LTSP's TFTP_DIR (ltsp/ltsp.ipxe, ltsp/ltsp.img,
 * ltsp/IMAGE/vmlinuz and initrd.img, ltsp/undionly.kpxe, ltsp/snponly.efi)
 * and BASE_DIR's images/IMAGE.img, side by side in one folder.
 *
 * The farm boots it as it is, with one exception it states: LTSP 23.02's
 * ltsp.ipxe mounts the image over NFS, which the farm cannot serve, so the
 * farm serves a copy of the script that mounts it over NBD instead. The
 * user's tree is never written: the served TFTP tree is a folder of links
 * (or copies) in the cache.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot } from '../../host/cacheRoot';
import type { FarmImage, ServedChange } from './farmImage';

/** Paths inside the tree, as LTSP lays them out. */
export const ltspScriptPath = 'ltsp/ltsp.ipxe';
const ltspInitrdPath = 'ltsp/ltsp.img';
/** What LTSP's iPXE script picks for a 64-bit CPU (`cpuid --ext 29 && set img x86_64`). */
const preferredImage = 'x86_64';
const nbdPort = 10809;
/** Bump when the served copy changes for the same tree. */
const SERVED_FORMAT = 1;

export interface LtspTreeLayout {
  readonly dir: string;
  /** The image the farm exports (the tree's only one, or x86_64). */
  readonly imageName: string;
  /** Every images/*.img name, sorted. */
  readonly imageNames: readonly string[];
  readonly bios?: string;
  readonly efi?: string;
}

const isFile = (path: string) => stat(path).then(
  (s) => s.isFile(),
  () => false,
);

/**
 * Recognises an LTSP 20+ tree; undefined when `dir` is not one. An image
 * counts when it has its squashfs and its kernel and initramfs in TFTP.
 */
export async function findLtspTree(dir: string): Promise<LtspTreeLayout | undefined> {
  const script = await readFile(join(dir, ltspScriptPath), 'utf8').catch(() => undefined);
  if (script === undefined || !/^#!ipxe\b/.test(script)) return undefined;
  if (!(await isFile(join(dir, ltspInitrdPath)))) return undefined;
  const names: string[] = [];
  for (const file of (await readdir(join(dir, 'images')).catch(() => [] as string[])).sort()) {
    if (!file.endsWith('.img')) continue;
    const name = file.slice(0, -'.img'.length);
    const bootable = (await isFile(join(dir, 'images', file))) && (await isFile(join(dir, 'ltsp', name, 'vmlinuz'))) && (await isFile(join(dir, 'ltsp', name, 'initrd.img')));
    if (bootable) names.push(name);
  }
  const imageName = names.includes(preferredImage) ? preferredImage : names[0];
  if (imageName === undefined) return undefined;
  const bios = (await isFile(join(dir, 'ltsp', 'undionly.kpxe'))) ? 'ltsp/undionly.kpxe' : undefined;
  const efi = (await isFile(join(dir, 'ltsp', 'snponly.efi'))) ? 'ltsp/snponly.efi' : undefined;
  return { dir, imageName, imageNames: names, ...(bios ? { bios } : {}), ...(efi ? { efi } : {}) };
}


/** The NBD root every rewritten script asks for: iPXE fills in the server (next-server) and the image it picked. */
export const nbdRootArguments = `root=/dev/nbd0 nbdroot=\${srv}:${nbdPort}/\${img}`;

/**
 * LTSP 23.02's "images" method: `set cmdline_method root=/dev/nfs
 * nfsroot=${srv}:BASE_DIR ltsp.image=images/${img}.img loop.max_part=9`.
 * The NBD export is the squashfs itself, so ltsp.image (a file inside the
 * NFS root) goes too; other arguments stay.
 */
function nbdMethod(value: string): string {
  const kept = value.split(/\s+/).filter((word) => word !== '' && !/^(root|nfsroot|ltsp\.image)=/.test(word));
  return [nbdRootArguments, ...kept].join(' ');
}

/** The served copy of ltsp.ipxe and what was changed in it. */
export function rewriteLtspScript(script: string, imageName: string): { readonly text: string; readonly changes: readonly ServedChange[] } {
  const changes: ServedChange[] = [];
  let nfsLines = 0;
  const lines = script.split('\n').map((line) => {
    const match = /^(\s*set\s+cmdline_method\s+)(.*)$/.exec(line);
    if (!match || !/(^|\s)root=\/dev\/nfs(\s|$)/.test(match[2]!) || !/(^|\s)ltsp\.image=/.test(match[2]!)) return line;
    nfsLines++;
    return match[1]! + nbdMethod(match[2]!);
  });
  if (nfsLines > 0) {
    changes.push({
      kind: 'nfs-to-nbd',
      message:
        `LTSP 23.02 wrote an NFS root into ${ltspScriptPath}; served with ${nbdRootArguments.replace('${img}', imageName)} instead, ` +
        `because the farm has no NFS server (this kernel has none, and LTSP 20+ no longer ships an NBD server): the farm's NBD server exports images/${imageName}.img as "${imageName}". ` +
        `Only the served copy is changed, not the tree`,
    });
  }
  let text = lines.join('\n');
  // Without a serial console the preview sees nothing of the boot after iPXE.
  if (!/\bconsole=/.test(text)) {
    const withConsole = text.replace(/^(\s*set\s+cmdline_ltsp\s+.*)$/m, '$1 console=tty0 console=ttyS0,115200');
    if (withConsole !== text) {
      text = withConsole;
      changes.push({
        kind: 'serial-console',
        message: `${ltspScriptPath} sets no console=; served with console=tty0 console=ttyS0,115200 added to cmdline_ltsp, because the preview reads each VM's serial console (KERNEL_PARAMETERS in ltsp.conf's [server] section sets it for real clients)`,
      });
    }
  }
  return { text, changes };
}

export function servedCacheDir(): string {
  return join(cacheRoot(), 'ltsp-served');
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Every file under `dir`/`path`, relative to `dir`. */
async function filesUnder(dir: string, path: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, path), { withFileTypes: true })) {
    const inside = `${path}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, inside)));
    else if (entry.isFile()) out.push(inside);
  }
  return out.sort();
}

/** A hard link when the cache is on the tree's filesystem, else a copy: either way a real file inside the served root. */
async function place(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch {
    await copyFile(source, target);
  }
}

/**
 * Builds (or reuses) the served TFTP tree for `layout` in `cacheDir`: the
 * tree's ltsp/ folder with ltsp.ipxe rewritten. Keyed by the tree's files
 * (path, size, time), so a rebuilt tree gets a fresh copy.
 */
async function servedTftpRoot(layout: LtspTreeLayout, text: string, cacheDir: string): Promise<{ dir: string; key: string }> {
  const tree = await realpath(layout.dir);
  const files = await filesUnder(tree, 'ltsp');
  const stamps = await Promise.all(files.map(async (file) => {
    const info = await stat(join(tree, file));
    return `${file}\t${info.size}\t${info.mtimeMs}`;
  }));
  const treeKey = sha(tree);
  const key = `${treeKey}-${sha([String(SERVED_FORMAT), text, ...stamps].join('\n'))}`;
  const dir = join(cacheDir, key);
  if (await isFile(join(dir, '.complete'))) {
    await removeStaleCopies(cacheDir, treeKey, key);
    return { dir: join(dir, 'tftp'), key };
  }
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    for (const file of files) {
      await mkdir(join(tmp, 'tftp', file, '..'), { recursive: true });
      if (file === ltspScriptPath) await writeFile(join(tmp, 'tftp', file), text);
      else await place(join(tree, file), join(tmp, 'tftp', file));
    }
    await writeFile(join(tmp, '.complete'), `${tree}\n`);
    await rename(tmp, dir).catch(async (error: unknown) => {
      // Another process made the same copy first: use theirs.
      if (!(await isFile(join(dir, '.complete')))) throw error;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await removeStaleCopies(cacheDir, treeKey, key);
  return { dir: join(dir, 'tftp'), key };
}

/** Copies of this tree's older files, or of trees that are gone, are of no more use (their links keep old files on disk). */
async function removeStaleCopies(cacheDir: string, treeKey: string, key: string): Promise<void> {
  for (const entry of await readdir(cacheDir).catch(() => [] as string[])) {
    if (entry === key || entry.includes('.tmp-')) continue;
    const of = (await readFile(join(cacheDir, entry, '.complete'), 'utf8').catch(() => '')).trim();
    const gone = of !== '' && !(await stat(of).then(
      () => true,
      () => false,
    ));
    if (entry.startsWith(`${treeKey}-`) || gone) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
}

/** The tree at `dir` as the farm serves it, with what the farm changed in it; undefined when `dir` is not an LTSP 20+ tree. */
export async function readLtspTree(dir: string, options: { cacheDir?: string } = {}): Promise<FarmImage | undefined> {
  const layout = await findLtspTree(dir);
  if (!layout) return undefined;
  const script = await readFile(join(dir, ltspScriptPath), 'utf8');
  const { text, changes } = rewriteLtspScript(script, layout.imageName);
  const served = await servedTftpRoot(layout, text, options.cacheDir ?? servedCacheDir());
  return {
    dir,
    tftpRoot: served.dir,
    squashfs: join(dir, 'images', `${layout.imageName}.img`),
    exportName: layout.imageName,
    nbdPort,
    bootFiles: { ipxe: ltspScriptPath, ...(layout.bios ? { bios: layout.bios } : {}), ...(layout.efi ? { efi: layout.efi } : {}) },
    // LTSP 20+ clients read ltsp.conf from ltsp.img, not lts.conf by TFTP; LTSP 5 clients used this path.
    ltsConfPath: `ltsp/${layout.imageName}/lts.conf`,
    key: served.key,
    servedChanges: changes,
  };
}
