// Installs code-server 4.96.4 (= VS Code 1.96.4, the newest that runs on
// Node 20) from the npm registry into a cache folder of its own, when it is
// not there yet. Its own folder, not the project's node_modules: the next
// `npm install` there would prune it. See ../../README.md ("VS Code tests")
// for why code-server: VS Code's own download server is unreachable here.
//
// A plain `npm install code-server` fails offline three ways; the fixes:
//  1. its postinstall refuses to run as root without npm_config_unsafe_perm;
//  2. lib/vscode/npm-shrinkwrap.json takes @vscode/proxy-agent from GitHub:
//     the same tarball (same integrity) is on the npm registry;
//  3. @vscode/ripgrep's postinstall downloads rg from GitHub: its download
//     cache is seeded with Debian's rg.
import { execa } from 'execa';
import { access, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.96.4';
const RIPGREP_CACHE = { folder: 'vscode-ripgrep-cache-1.15.9', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' };
const PROXY_AGENT_TARBALL = 'https://registry.npmjs.org/@vscode/proxy-agent/-/proxy-agent-0.27.0.tgz';

/** Where code-server lives: `${XDG_CACHE_HOME:-~/.cache}/netboot-farm/code-server-4.96.4`. */
export function codeServerHome(env = process.env) {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'netboot-farm', `code-server-${CODE_SERVER_VERSION}`);
}

/** code-server's Node entry point inside an install folder. */
export function codeServerEntry(home = codeServerHome()) {
  return join(home, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

const exists = (path) => access(path).then(() => true, () => false);

/** Returns code-server's entry point, installing it first when missing. */
export async function ensureCodeServer({ home = codeServerHome(), log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const done = join(home, '.installed');
  if (await exists(done)) return codeServerEntry(home);
  const rg = await which('rg');
  if (!rg) throw new Error('code-server needs ripgrep: install the Debian package `ripgrep` (bash scripts/install-debian-packages.sh).');

  log(`installing code-server ${CODE_SERVER_VERSION} into ${home} (once; about 2 minutes, 340 MB)`);
  const staging = `${home}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const tmp = join(staging, 'tmp');
  await mkdir(tmp, { recursive: true });
  try {
    await writeFile(join(staging, 'package.json'), '{ "private": true }\n');
    const npm = { cwd: staging, stdout: 'inherit', stderr: 'inherit', env: { TMPDIR: tmp } };
    await execa('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], npm);
    await execa('npm', ['rebuild', 'argon2'], npm);

    const codeServer = join(staging, 'node_modules', 'code-server');
    await useRegistryProxyAgent(join(codeServer, 'lib', 'vscode', 'npm-shrinkwrap.json'));
    await seedRipgrepCache(rg, tmp);
    await execa('sh', ['./postinstall.sh'], {
      cwd: codeServer,
      stdout: 'inherit',
      stderr: 'inherit',
      env: { TMPDIR: tmp, npm_config_unsafe_perm: 'true', npm_config_user_agent: `npm/11 node/${process.version} linux x64` },
    });
    await rm(tmp, { recursive: true, force: true });
    await writeFile(join(staging, '.installed'), `code-server ${CODE_SERVER_VERSION}\n`);
    await mkdir(dirname(home), { recursive: true });
    try {
      await rename(staging, home);
    } catch (error) {
      // Another run finished first: use its copy.
      if (!(await exists(done))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log(`code-server ${CODE_SERVER_VERSION} installed`);
  return codeServerEntry(home);
}

async function useRegistryProxyAgent(shrinkwrapPath) {
  const shrinkwrap = JSON.parse(await readFile(shrinkwrapPath, 'utf8'));
  let changed = 0;
  for (const [key, entry] of Object.entries(shrinkwrap.packages ?? {})) {
    if (key.endsWith('node_modules/@vscode/proxy-agent') && !String(entry.resolved).startsWith('https://registry.npmjs.org/')) {
      if (entry.version !== '0.27.0') throw new Error(`${shrinkwrapPath}: expected @vscode/proxy-agent 0.27.0, found ${entry.version}`);
      entry.resolved = PROXY_AGENT_TARBALL;
      changed++;
    }
  }
  if (changed) await writeFile(shrinkwrapPath, `${JSON.stringify(shrinkwrap, null, 2)}\n`);
}

async function seedRipgrepCache(rg, tmp) {
  const cache = join(tmp, RIPGREP_CACHE.folder);
  const bin = join(tmp, 'rg-bin');
  await mkdir(cache, { recursive: true });
  await mkdir(bin, { recursive: true });
  await copyFile(rg, join(bin, 'rg'));
  await execa('tar', ['-czf', join(cache, RIPGREP_CACHE.file), '-C', bin, 'rg']);
}

async function which(command) {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (await exists(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await ensureCodeServer()}\n`);
}
