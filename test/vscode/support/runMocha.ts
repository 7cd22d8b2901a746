import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The extension host calls `run()` of the file named by extensionTestsPath;
 * each suite folder's index.ts calls this with its own folder. Mocha 12 is
 * an ES module, loaded from the project's node_modules at run time. The
 * counts go to NETBOOT_FARM_VSCODE_RESULTS for `npm test`'s total.
 */
export async function runMocha(dir: string): Promise<void> {
  const { default: Mocha } = await import('mocha');
  const timeout = Number(process.env.NETBOOT_FARM_MOCHA_TIMEOUT ?? 60_000);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout, reporter: 'spec' });
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.test.js')) mocha.addFile(join(dir, name));
  await mocha.loadFilesAsync();
  const stats = await new Promise<{ passes: number; failures: number }>((resolve) => {
    const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0 }));
  });
  const results = process.env.NETBOOT_FARM_VSCODE_RESULTS;
  if (results) writeFileSync(results, JSON.stringify({ passed: stats.passes, failed: stats.failures }));
  if (stats.failures > 0) throw new Error(`${stats.failures} VS Code test(s) failed`);
}
