import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One build at a time per state folder: a failed or cancelled build removes
 * the containers that appeared while it ran, which is only safe when no other
 * build is making containers in the same storage.
 */
export async function lockState(dir: string): Promise<{ release(): Promise<void> } | { holder: number }> {
  const file = join(dir, 'build.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(file, 'utf8').catch(() => ''));
      if (holder > 0 && alive(holder)) return { holder };
      // The holder died without cleaning up: the lock is stale.
      await rm(file, { force: true });
    }
  }
  return { holder: 0 };
}
