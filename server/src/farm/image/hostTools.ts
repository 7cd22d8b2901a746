import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { loadExeca } from '../build/execaLoader';

/** The Debian package that provides each program the farm runs, for "install X" messages. */
const debianPackageOf: Readonly<Record<string, string>> = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
  'dpkg-query': 'dpkg',
  depmod: 'kmod',
  modprobe: 'kmod',
  ldd: 'libc-bin',
  mksquashfs: 'squashfs-tools',
  'grub-mknetdir': 'grub-common grub-efi-amd64-bin',
  busybox: 'busybox-static',
  'nbd-client': 'nbd-client',
  'qemu-system-x86_64': 'qemu-system-x86',
};

/** A program the farm needs is not installed; the message names the package. */
export class MissingToolError extends Error {
  constructor(
    readonly tool: string,
    readonly debianPackage: string,
    why: string,
  ) {
    super(`${tool} is not installed (${why}): install it with \`sudo apt-get install ${debianPackage}\``);
  }
}

export function packageFor(tool: string): string {
  return debianPackageOf[tool] ?? tool;
}

/** Programs whose path the user may set (the VS Code client passes its settings this way). */
const pathVariableOf: Readonly<Record<string, { variable: string; setting: string }>> = {
  'qemu-system-x86_64': { variable: 'NETBOOT_FARM_QEMU', setting: 'netbootFarm.preview.qemuPath' },
};

function configuredPath(tool: string): string | undefined {
  const known = pathVariableOf[tool];
  const path = known && process.env[known.variable];
  if (!known || !path) return undefined;
  if (!isAbsolute(path)) throw new Error(`${known.variable} (the ${known.setting} setting) must be an absolute path to ${tool}, not "${path}"`);
  return path;
}

/**
 * Finds a program on PATH and in the sbin folders, which a normal user's PATH
 * often lacks although depmod, modprobe and nbd-client work for them there.
 */
export async function findTool(tool: string, why: string): Promise<string> {
  const configured = configuredPath(tool);
  if (configured) {
    await access(configured, constants.X_OK).catch(() => {
      throw new Error(`${configured} is not an executable file; fix the ${pathVariableOf[tool]?.setting} setting (or leave it empty to use ${tool} from PATH)`);
    });
    return configured;
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, tool);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new MissingToolError(tool, packageFor(tool), why);
}

/** Runs a program with an argument array and returns its stdout; a failure carries its stderr. */
export async function runTool(tool: string, args: readonly string[], options: { cwd?: string; why: string }): Promise<string> {
  const file = await findTool(tool, options.why);
  const { execa } = await loadExeca();
  const result = await execa(file, args, { cwd: options.cwd, reject: false, stripFinalNewline: true });
  if (result.exitCode !== 0) {
    const detail = String(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new Error(`${tool} ${args.join(' ')} failed (exit ${result.exitCode ?? result.signal}): ${detail}`);
  }
  return String(result.stdout);
}
