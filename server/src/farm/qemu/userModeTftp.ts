import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ownedTempDir } from '../ownedTempDir';

/** A file of the user-mode TFTP tree that is not the image's: a link to another file (the live lts.conf), or text of its own (a rewritten boot script). */
export type TftpOverride = { readonly tftpPath: string } & ({ readonly link: string } | { readonly text: string });

/**
 * QEMU's user-mode TFTP serves one folder. This makes one per farm: links
 * to the image's TFTP tree, plus the overrides at their paths. The folders on
 * an override's path are made for real, so that nothing is ever written
 * through a link into the image (a cache shared by every farm).
 */
export async function userModeTftpRoot(tftpRoot: string, overrides: readonly TftpOverride[]): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await ownedTempDir('nbf-tftp-');
  const own = overrides.map((o) => o.tftpPath.split('/').filter((s) => s !== '' && s !== '.'));
  if (own.some((segments) => segments.length === 0 || segments.includes('..'))) throw new Error(`a user-mode TFTP path must name a file inside the tree (got ${overrides.map((o) => o.tftpPath).join(', ')})`);
  const ownPaths = own.map((segments) => segments.join('/'));
  const link = async (source: string, target: string, path: string) => {
    for (const entry of await readdir(source, { withFileTypes: true })) {
      const inside = path ? `${path}/${entry.name}` : entry.name;
      if (ownPaths.includes(inside)) continue;
      if (entry.isDirectory() && ownPaths.some((p) => p.startsWith(inside + '/'))) {
        await mkdir(join(target, entry.name));
        await link(join(source, entry.name), join(target, entry.name), inside);
      } else {
        await symlink(join(source, entry.name), join(target, entry.name));
      }
    }
  };
  try {
    await link(tftpRoot, dir, '');
    for (const [index, override] of overrides.entries()) {
      const path = join(dir, ownPaths[index] as string);
      await mkdir(dirname(path), { recursive: true });
      if ('link' in override) await symlink(override.link, path);
      else await writeFile(path, override.text);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
