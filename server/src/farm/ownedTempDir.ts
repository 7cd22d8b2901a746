import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OWNER_FILE = '.owner.pid';

/**
 * A temporary folder that records its owner's pid. A process killed with
 * SIGKILL cannot remove its folders (VM sockets, user-mode TFTP trees), so
 * each new one first removes the folders of the same kind whose owner is gone.
 */
export async function ownedTempDir(prefix: string): Promise<string> {
  await sweepOrphans(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

async function sweepOrphans(prefix: string): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid) continue;
    try {
      process.kill(owner, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') await rm(dir, { recursive: true, force: true });
    }
  }
}
