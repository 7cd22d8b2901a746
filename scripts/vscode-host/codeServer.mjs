// Starts code-server (installed by installCodeServer.mjs) on a loopback port
// with everything it writes in one scratch folder, and stops it with every
// process it started. Used by headless-code.mjs and ../open-in-vscode.mjs.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer } from './installCodeServer.mjs';

export async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * @param {{ port?: number, userDataDir?: string, extensionsDir?: string, workspaceTrust?: boolean,
 *           settings?: object, env?: Record<string, string>, timeoutMs?: number, log?: (text: string) => void }} options
 *   settings: user settings, written when no userDataDir is given
 */
export async function startCodeServer(options = {}) {
  const entry = await ensureCodeServer();
  // Short name: unix socket paths are limited to ~108 bytes.
  const scratch = await mkdtemp(join(tmpdir(), 'nbf-vs-'));
  const port = options.port ?? (await freePort());
  const config = join(scratch, 'config.yaml');
  await writeFile(config, '');
  if (!options.userDataDir && options.settings) {
    await mkdir(join(scratch, 'user-data', 'User'), { recursive: true });
    await writeFile(join(scratch, 'user-data', 'User', 'settings.json'), JSON.stringify(options.settings, null, 2));
  }
  const env = {
    ...process.env,
    ...options.env,
    // Or it writes into the home folder and leaves sockets behind.
    XDG_CONFIG_HOME: join(scratch, 'config'),
    XDG_DATA_HOME: join(scratch, 'data'),
    XDG_CACHE_HOME: join(scratch, 'cache'),
    // ...but the farm's images are the same in every run: keep sharing them.
    NETBOOT_FARM_CACHE: process.env.NETBOOT_FARM_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'netboot-farm'),
    TMPDIR: scratch,
  };
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--ignore-last-opened',
    '--user-data-dir', options.userDataDir ?? join(scratch, 'user-data'),
    '--extensions-dir', options.extensionsDir ?? join(scratch, 'extensions'),
    '--config', config,
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
  ];
  // Its own process group, so that the extension host and the language
  // server it starts go down with it.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const gone = new Promise((ok) => child.once('exit', () => ok((exited = true))));
  const output = [];
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (options.log ? options.log(chunk.toString()) : output.push(chunk.toString())));

  const groupAlive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // The whole process group (code-server, its extension host, the language
  // server): SIGTERM, then SIGKILL to whatever is left after 5 s.
  const stop = async () => {
    if (groupAlive()) {
      process.kill(-child.pid, 'SIGTERM');
      for (let waited = 0; groupAlive() && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      if (groupAlive()) process.kill(-child.pid, 'SIGKILL');
      await gone;
    }
    await rm(scratch, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited before it was ready:\n${output.join('')}`);
      if (Date.now() > deadline) throw new Error(`code-server did not answer ${base}/healthz in time:\n${output.join('')}`);
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    base,
    port,
    stop,
    /** The workbench's address for a folder, with extensions loaded from development paths. */
    url({ folder, extensionDevelopmentPath = [], extensionTestsPath }) {
      const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
      const payload = [
        ...extensionDevelopmentPath.map((path) => ['extensionDevelopmentPath', remote(path)]),
        ...(extensionTestsPath ? [['extensionTestsPath', remote(extensionTestsPath)]] : []),
      ];
      const query = new URLSearchParams();
      if (folder) query.set('folder', folder);
      if (payload.length) query.set('payload', JSON.stringify(payload));
      return `${base}/?${query}`;
    },
  };
}
