import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { ContainerState } from './containerState';
import { machineMirror } from './debianMirror';
import { loadExeca } from './execaLoader';
import { expandVariables, type NativePlan, type NativeStage, type NativeStep } from './nativePlan';
import { streamProcess } from './streamProcess';

/**
 * Runs a NativePlan the way LTSP itself builds images, for hosts with no
 * container tool (root only): every stage is a folder, FROM copies (or takes
 * over) the stage below, RUN executes in a chroot of it inside a private
 * mount namespace (`unshare --mount`) that gets /proc, a small /dev, the
 * host's resolv.conf and the cache mounts, so that nothing stays mounted when
 * the step ends, whatever happens. It prints what buildah prints
 * (`[N/M] STEP i/k: ...`, `Error: building at STEP "...": ...`) so the same
 * parser and the same problem mapping serve both.
 */
export interface NativeBuildOptions {
  readonly context: string;
  readonly state: ContainerState;
  /** The number M of `[N/M]`: the stages up to the target, as buildah counts them. */
  readonly stageCount: number;
  /** Put the last stage's files here (absent: build only). */
  readonly exportTo?: string;
  readonly signal?: AbortSignal;
  readonly onLine: (line: string) => void;
}

export interface NativeBuildResult {
  readonly exitCode: number;
  readonly cancelled: boolean;
}

/**
 * The mounts a RUN step gets, then the chroot. A constant script: the root,
 * the working directory, the cache folders and the command come as positional
 * arguments, never as shell text.
 */
const RUN_IN_CHROOT = [
  'root=$1 workdir=$2; shift 2',
  'while [ "$1" != -- ]; do mkdir -p "$root$2" && mount --bind "$1" "$root$2" || exit 125; shift 2; done; shift',
  'mkdir -p "$root/proc" "$root/dev" && mount -t proc proc "$root/proc" && mount -t tmpfs -o mode=0755,size=1m dev "$root/dev" || exit 125',
  'for node in null zero full random urandom tty; do : >"$root/dev/$node" && mount --bind "/dev/$node" "$root/dev/$node" || exit 125; done',
  'ln -s /proc/self/fd "$root/dev/fd"; mkdir -p "$root/dev/pts" "$root/dev/shm"',
  'if [ -f "$root/etc/resolv.conf" ] && [ ! -L "$root/etc/resolv.conf" ]; then mount --bind /etc/resolv.conf "$root/etc/resolv.conf"; fi',
  'exec chroot "$root" env -i --chdir="$workdir" "$@"',
].join('\n');

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const inside = (path: string, root: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

const exists = (path: string) => access(path).then(() => true, () => false);

/** A failure that names the step, as buildah words it: the problem mapper puts it on the instruction's line. */
class StepFailure extends Error {}

interface StageState {
  readonly root: string;
  env: Map<string, string>;
  args: Map<string, string>;
  workdir: string;
}

export async function runNativeBuild(plan: NativePlan, options: NativeBuildOptions): Promise<NativeBuildResult> {
  const { execa } = await loadExeca();
  const say = options.onLine;
  const native = join(options.state.dir, 'native');
  const work = join(native, `work-${randomBytes(4).toString('hex')}`);
  await mkdir(work, { recursive: true });
  const roots = new Map<number, string>();
  /** ENV of each built stage: the stages built FROM it inherit it, as in an image's config. */
  const envOf = new Map<number, Map<string, string>>();
  // A stage only built FROM by the next one is handed over instead of copied (a client root is gigabytes).
  const users = new Map<number, number>();
  for (const stage of plan.stages) {
    for (const { step } of stage.steps) {
      const used = step.kind === 'from' && step.base.kind === 'stage' ? step.base.index : step.kind === 'copy' ? step.from : undefined;
      if (used !== undefined) users.set(used, (users.get(used) ?? 0) + 1);
    }
  }
  const cancelled = () => options.signal?.aborted === true;
  let current: { stage: NativeStage; text: string } | undefined;

  const tool = async (file: string, args: readonly string[], env?: Record<string, string>): Promise<number> => {
    const run = await streamProcess(file, args, { env, signal: options.signal, onLine: say, graceMs: 5000 });
    return run.cancelled ? 130 : run.exitCode;
  };

  const debianBase = async (suite: string): Promise<string> => {
    const dir = join(native, 'base', suite);
    if (await exists(join(dir, '.complete'))) return dir;
    const mirror = await machineMirror(suite);
    const temp = `${dir}.${randomBytes(4).toString('hex')}`;
    say(`debootstrap --variant=minbase ${suite} from ${mirror.uri} (${mirror.from}), kept in ${dir} for the next build`);
    await mkdir(dirname(dir), { recursive: true });
    const code = await tool('debootstrap', ['--variant=minbase', `--cache-dir=${options.state.debootstrapCache}`, suite, temp, mirror.uri]);
    if (code !== 0) {
      await rm(temp, { recursive: true, force: true });
      throw new StepFailure(code === 130 ? 'cancelled' : `debootstrap ${suite}: exit status ${code}`);
    }
    await rm(join(temp, 'var/cache/apt/archives'), { recursive: true, force: true });
    await mkdir(join(temp, 'var/cache/apt/archives/partial'), { recursive: true });
    await writeFile(join(temp, '.complete'), `${new Date().toISOString()} ${mirror.uri}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
    return dir;
  };

  const copyTree = async (from: string, to: string, keepOwners: boolean) => {
    await mkdir(to, { recursive: true });
    const r = await execa('cp', ['-a', '--reflink=auto', ...(keepOwners ? [] : ['--no-preserve=ownership']), `${from}/.`, `${to}/`], { reject: false, cancelSignal: options.signal });
    if (r.exitCode !== 0) throw new StepFailure(`copier: ${String(r.stderr).trim() || `cp exit status ${r.exitCode}`}`);
  };

  /** A path in a stage root, refused when a symlink inside would lead out of it. */
  const inRoot = async (root: string, path: string, create: 'dir' | 'parent' | 'none'): Promise<string> => {
    const target = join(root, path);
    const dir = create === 'dir' ? target : dirname(target);
    if (create !== 'none') await mkdir(dir, { recursive: true });
    const real = await realpath(create === 'none' ? target : dir).catch(() => undefined);
    if (real === undefined) throw new StepFailure(`copier: stat: "${path}": no such file or directory`);
    if (!inside(real, await realpath(root))) throw new StepFailure(`copier: "${path}" leads out of the stage's root (through a symbolic link)`);
    return create === 'dir' ? real : join(real, create === 'parent' ? basename(target) : '');
  };

  const copy = async (state: StageState, step: Extract<NativeStep, { kind: 'copy' }>) => {
    const values = new Map([...state.args, ...state.env]);
    const fromRoot = step.from !== undefined ? roots.get(step.from) : undefined;
    if (step.from !== undefined && !fromRoot) throw new StepFailure(`copier: stage ${step.from} was not built`);
    const dest = posix.resolve(state.workdir, expandVariables(step.dest, values));
    const intoDir = step.dest.endsWith('/') || step.sources.length > 1;
    for (const raw of step.sources) {
      const source = expandVariables(raw, values);
      let from: string;
      if (fromRoot) {
        from = await inRoot(fromRoot, posix.resolve('/', source), 'none');
      } else {
        from = resolve(options.context, source.replace(/^\/+/, ''));
        const real = await realpath(from).catch(() => undefined);
        if (!real) throw new StepFailure(`copier: stat: "/${source.replace(/^\/+/, '')}": no such file or directory`);
        if (!inside(real, await realpath(options.context))) throw new StepFailure(`copier: "${source}" is outside the build context`);
        from = real;
      }
      if ((await stat(from)).isDirectory()) {
        await copyTree(from, await inRoot(state.root, dest, 'dir'), fromRoot !== undefined);
      } else {
        const to = intoDir ? await inRoot(state.root, posix.join(dest, basename(source)), 'parent') : await inRoot(state.root, dest, 'parent');
        const r = await execa('cp', ['-a', '--reflink=auto', ...(fromRoot ? [] : ['--no-preserve=ownership']), from, to], { reject: false });
        if (r.exitCode !== 0) throw new StepFailure(`copier: ${String(r.stderr).trim()}`);
      }
    }
  };

  const run = async (state: StageState, step: Extract<NativeStep, { kind: 'run' }>) => {
    const caches: string[] = [];
    for (const target of step.caches) {
      const dir = join(native, 'cache', target.replace(/^\/+/, '').replace(/[^\w.-]+/g, '_') || 'root');
      await mkdir(dir, { recursive: true });
      caches.push(dir, posix.resolve('/', target));
    }
    const env = new Map([['PATH', DEFAULT_PATH], ['HOME', '/root'], ...state.args, ...state.env]);
    const command = step.exec ?? ['/bin/sh', '-c', step.shell ?? ''];
    const args = ['--mount', '--propagation', 'private', '--fork', '--', '/bin/sh', '-c', RUN_IN_CHROOT, 'run-in-chroot', state.root, state.workdir, ...caches, '--', ...[...env].map(([k, v]) => `${k}=${v}`), ...command];
    const code = await tool('unshare', args);
    if (code === 130 && cancelled()) throw new StepFailure('cancelled');
    if (code !== 0) throw new StepFailure(`while running chroot: exit status ${code}`);
  };

  try {
    for (const stage of plan.stages) {
      const root = join(work, `stage-${stage.index}`);
      const state: StageState = { root, env: new Map(), args: new Map(), workdir: '/' };
      for (const [i, { step, text }] of stage.steps.entries()) {
        if (cancelled()) return { exitCode: 130, cancelled: true };
        current = { stage, text };
        say(`[${stage.index + 1}/${options.stageCount}] STEP ${i + 1}/${stage.steps.length}: ${text}`);
        switch (step.kind) {
          case 'from':
            if (step.base.kind === 'scratch') await mkdir(root, { recursive: true });
            else if (step.base.kind === 'debian') await copyTree(await debianBase(step.base.suite), root, true);
            else {
              const parent = step.base.index;
              const below = roots.get(parent)!;
              state.env = new Map(envOf.get(parent) ?? []);
              if (users.get(parent) === 1) {
                await rename(below, root);
                roots.delete(parent);
              } else await copyTree(below, root, true);
            }
            break;
          case 'arg':
            for (const [name, value] of step.args) state.args.set(name, value ?? state.args.get(name) ?? '');
            break;
          case 'env':
            for (const [name, value] of step.pairs) state.env.set(name, expandVariables(value, new Map([...state.args, ...state.env])));
            break;
          case 'workdir':
            state.workdir = posix.resolve(state.workdir, expandVariables(step.path, new Map([...state.args, ...state.env])));
            await inRoot(root, state.workdir, 'dir');
            break;
          case 'run':
            await run(state, step);
            break;
          case 'copy':
            await copy(state, step);
            break;
          case 'metadata':
            break;
        }
      }
      roots.set(stage.index, root);
      envOf.set(stage.index, state.env);
      say(`[${stage.index + 1}/${options.stageCount}] COMMIT ${stage.label}`);
    }
    if (options.exportTo) {
      const last = plan.stages[plan.stages.length - 1];
      const root = last && roots.get(last.index);
      if (root) {
        await rm(options.exportTo, { recursive: true, force: true });
        await rename(root, options.exportTo).catch(async () => copyTree(root, options.exportTo!, true));
      }
    }
    return { exitCode: 0, cancelled: false };
  } catch (error) {
    if (cancelled()) return { exitCode: 130, cancelled: true };
    const message = error instanceof Error ? error.message : String(error);
    say(current ? `Error: building at STEP "${current.text}": ${message}` : `Error: ${message}`);
    return { exitCode: error instanceof StepFailure ? 2 : 125, cancelled: false };
  } finally {
    await rm(work, { recursive: true, force: true });
    // A build killed outright (SIGKILL) leaves its work folder; the state lock, held now, says no other build uses one.
    for (const name of await readdir(native).catch(() => [] as string[])) {
      if (name.startsWith('work-')) await rm(join(native, name), { recursive: true, force: true });
    }
  }
}
