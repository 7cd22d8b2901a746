import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';

/**
 * QEMU's user-mode TFTP serves one folder. This makes one per farm: links
 * to the image's TFTP tree plus the workspace's live lts.conf at the path the
 * clients fetch it from, so an edit shows on the next boot.
 */
export async function userModeTftpRoot(tftpRoot: string, ltsConf: { readonly tftpPath: string; readonly file: string } | undefined): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nbf-tftp-'));
  const link = async (source: string, target: string, path: string) => {
    const entries = await readdir(source, { withFileTypes: true });
    for (const entry of entries) {
      const inside = path ? `${path}/${entry.name}` : entry.name;
      // Folders on the lts.conf path are made for real so the link can go inside them.
      if (entry.isDirectory() && ltsConf && ltsConf.tftpPath.startsWith(inside + '/')) {
        await mkdir(join(target, entry.name));
        await link(join(source, entry.name), join(target, entry.name), inside);
      } else if (inside !== ltsConf?.tftpPath) {
        await symlink(join(source, entry.name), join(target, entry.name));
      }
    }
  };
  await link(tftpRoot, dir, '');
  if (ltsConf) {
    await mkdir(dirname(join(dir, ltsConf.tftpPath)), { recursive: true });
    await symlink(ltsConf.file, join(dir, ltsConf.tftpPath));
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
