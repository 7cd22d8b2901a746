import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The one folder for everything Netboot Farm keeps between runs (example
 * image, container state, served LTSP trees...). `NETBOOT_FARM_CACHE` wins:
 * the VS Code client sets it from `netbootFarm.cacheDir`, and the VS Code
 * test host sets it so that a code-server with a scratch XDG_CACHE_HOME still
 * shares the images built by the rest of the suite.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.NETBOOT_FARM_CACHE;
  if (own && isAbsolute(own)) return own;
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(xdg, 'netboot-farm');
}
