import { Add, Copy, Run, type Instruction } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import type { LineIndex } from '../core/text';
import { lookupLtspCommand, rolesOf } from './ltspCommands';
import { heredocBodies, readRun, type RunScript, type ShellCommand } from './runScript';
import type { Word } from './shellWords';

/**
 * What the instructions of a stage do to a netboot image, in document order:
 * the LTSP checks, the stage roles and the outline all read these facts and
 * never the shell text again.
 */
export type Fact =
  | { kind: 'chrootCreate'; range: Range; tool: string; dir?: string }
  | { kind: 'chrootEnter'; range: Range; tool: string; dir?: string }
  | { kind: 'kernel'; range: Range; what: string; version?: string; inChroot: boolean }
  | { kind: 'initramfs'; range: Range; tool: string }
  | { kind: 'squashfs'; range: Range; tool: string; ofRoot: boolean; source?: string; outputs: string[]; excludesLists: boolean }
  | { kind: 'packages'; range: Range; tool: string; needsYes: boolean; assumeYes: boolean }
  | { kind: 'aptUpdate'; range: Range; inChroot: boolean }
  | { kind: 'aptListsClean'; range: Range }
  | { kind: 'moduleBuild'; range: Range; version: string; host: boolean; literal: boolean }
  | { kind: 'hostOnlyInitramfs'; range: Range; what: string }
  | { kind: 'copy'; range: Range; from?: string; sources: string[]; dest: string }
  | { kind: 'ltsp'; range: Range; name: string }
  | { kind: 'nbd'; range: Range };

/** Kernel packages of the distributions LTSP runs on; headers, tools and firmware are not kernels. */
const KERNEL_PACKAGE = /^(linux-image-|linux-generic|linux-virtual|linux-lowlatency|linux-oem|linux-signed-|linux-kvm|linux-raspi|linux-lts$|linux-virt$|linux-edge$|linux-rpi|linux$|kernel$|kernel-core$|kernel-lt$|kernel-ml$|pve-kernel-|proxmox-kernel-|raspberrypi-kernel$)/;
const KERNEL_RELEASE = /^\d+\.\d+[\w.+~-]*$/;
const APT_NEEDS_YES = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'remove', 'purge', 'autoremove', 'autopurge', 'build-dep', 'reinstall']);
const DNF_NEEDS_YES = new Set(['install', 'upgrade', 'update', 'remove', 'erase', 'reinstall', 'groupinstall', 'group', 'distro-sync', 'downgrade']);
const ASSUME_YES_OPTION = /APT::Get::Assume-Yes\s*=\s*["']?(true|yes|1)/i;
const HOST_KERNEL = /\buname\s+-r\b/;

interface Context {
  readonly index: LineIndex;
  readonly text: string;
  readonly escape: string;
}

const positionals = (args: readonly Word[], valueOptions: readonly string[] = []): Word[] => {
  const out: Word[] = [];
  for (let k = 0; k < args.length; k++) {
    const t = args[k]!.text;
    if (t.startsWith('-') && t !== '-') {
      if (valueOptions.includes(t)) k++;
    } else out.push(args[k]!);
  }
  return out;
};

/** `$VAR` and `${VAR}` through the script's own assignments, one level deep. */
function resolve(value: string, script: RunScript): string {
  return value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => script.assignments.get(name) ?? whole);
}

function moduleBuild(version: Word, script: RunScript, range: (w: Word) => Range, prefix = /^/, suffix = /$/): Fact | undefined {
  const raw = version.text.replace(prefix, '').replace(suffix, '');
  if (raw === '') return undefined;
  const resolved = resolve(raw, script);
  const host = HOST_KERNEL.test(resolved);
  const literal = KERNEL_RELEASE.test(resolved);
  if (!host && !literal && !resolved.includes('$')) return undefined;
  return { kind: 'moduleBuild', range: range(version), version: resolved, host, literal };
}

class FactReader {
  readonly facts: Fact[] = [];
  readonly scripts = new Map<Run, RunScript>();
  constructor(private readonly ctx: Context) {}

  range(start: number, end: number): Range {
    return { start: this.ctx.index.positionAt(start), end: this.ctx.index.positionAt(end) };
  }
  wordRange = (w: Word): Range => this.range(w.start, w.end);

  instruction(instruction: Instruction): void {
    if (instruction instanceof Run) this.run(instruction);
    else if (instruction instanceof Copy || instruction instanceof Add) this.copy(instruction);
  }

  private copy(instruction: Copy | Add): void {
    const line = instruction.getRange().start.line;
    // A here-document's content is data, not paths: keep the words of the first line.
    const words = instruction.getArguments().filter((a) => a.getRange().start.line === line && !a.getValue().startsWith('<<'));
    const json = instruction.getJSONStrings();
    const paths = json.length ? json.map((a) => a.getJSONValue()) : words.map((a) => a.getValue());
    const from = instruction instanceof Copy ? (instruction.getFromFlag()?.getValue() ?? undefined) : undefined;
    const dest = paths[paths.length - 1];
    if (dest !== undefined) this.facts.push({ kind: 'copy', range: instruction.getRange(), from, sources: paths.slice(0, -1), dest });
    if (instruction instanceof Copy) {
      for (const [start, end] of heredocBodies(instruction, this.ctx.index)) this.hostOnlyText(start, this.ctx.text.slice(start, end));
    }
  }

  private run(run: Run): void {
    const script = readRun(run, this.ctx.text, this.ctx.index, this.ctx.escape);
    this.scripts.set(run, script);
    for (const command of script.commands) this.command(command, script);
    for (const segment of script.segments) this.hostOnlyText(segment.start, segment.text);
  }

  private hostOnlyText(start: number, text: string): void {
    for (const m of text.matchAll(/\bMODULES\s*=\s*(["']?)dep\b\1|\bhostonly\s*=\s*(["']?)yes\b\2/g)) {
      // The pattern half of `sed 's/MODULES=dep/MODULES=most/'` is the fix, not the fault.
      if (/s([/|#,])\^?$/.test(text.slice(Math.max(0, (m.index ?? 0) - 3), m.index))) continue;
      const at = start + (m.index ?? 0);
      this.facts.push({ kind: 'hostOnlyInitramfs', range: this.range(at, at + m[0].length), what: m[0].replace(/\s+/g, '') });
    }
  }

  private command(command: ShellCommand, script: RunScript): void {
    const { name, args } = command;
    const here = this.wordRange(command.nameWord);
    const inChroot = command.chroot !== undefined;
    const roles = rolesOf(name);
    if (lookupLtspCommand(name)) this.facts.push({ kind: 'ltsp', range: here, name });
    if (roles.includes('chroot-enter')) {
      const dir = name === 'ltsp-chroot' ? undefined : positionals(args)[0]?.text;
      this.facts.push({ kind: 'chrootEnter', range: here, tool: name, dir });
    }
    if (roles.includes('chroot-create')) this.facts.push({ kind: 'chrootCreate', range: here, tool: name, dir: chrootTarget(name, args) });
    if (roles.includes('kernel-install')) this.facts.push({ kind: 'kernel', range: here, what: name, inChroot: true });
    if (roles.includes('initramfs')) this.facts.push({ kind: 'initramfs', range: here, tool: name });
    if (roles.includes('squashfs')) this.squashfs(command, here);
    if (name === 'dracut' && args.some((a) => a.text === '-H' || a.text === '--hostonly')) {
      const flag = args.find((a) => a.text === '-H' || a.text === '--hostonly')!;
      this.facts.push({ kind: 'hostOnlyInitramfs', range: this.wordRange(flag), what: `dracut ${flag.text}` });
    }
    const unpacked = unpackTarget(name, args);
    if (unpacked) this.facts.push({ kind: 'chrootCreate', range: here, tool: name, dir: unpacked });
    if (name === 'rm' && args.some((a) => /var\/lib\/apt\/lists/.test(a.text))) this.facts.push({ kind: 'aptListsClean', range: here });
    if (name === 'nbd-server') this.facts.push({ kind: 'nbd', range: here });
    this.packages(command, inChroot, script);
    this.moduleBuilds(command, script);
  }

  private squashfs(command: ShellCommand, here: Range): void {
    const { name, args } = command;
    const info = lookupLtspCommand(name);
    if (info?.skipOption && args.some((a) => a.text === info.skipOption)) return;
    const given = positionals(args, name === 'ltsp image' ? ['-b', '-c', '-i', '-k', '-m'] : []);
    if (name === 'mksquashfs') {
      const before = args.findIndex((a) => a.text.startsWith('-'));
      const paths = (before < 0 ? args : args.slice(0, before)).map((a) => a.text);
      const options = before < 0 ? [] : args.slice(before);
      // An exclude file may well list the apt lists: only a visible omission is reported.
      const excludesLists = options.some((a) => /var\/lib\/apt\/lists/.test(a.text) || a.text === '-ef');
      this.facts.push({ kind: 'squashfs', range: here, tool: name, ofRoot: paths[0] === '/', source: paths[0], outputs: paths.slice(-1), excludesLists });
      return;
    }
    const ofRoot = name === 'ltsp image' && given.some((w) => w.text === '/');
    this.facts.push({ kind: 'squashfs', range: here, tool: name, ofRoot, outputs: [...(info?.produces ?? [])], excludesLists: true });
  }

  private packages(command: ShellCommand, inChroot: boolean, script: RunScript): void {
    const { name, args } = command;
    let tool: 'apt' | 'dnf' | 'apk' | 'dpkg' | undefined;
    if (name === 'apt-get' || name === 'apt' || name === 'aptitude') tool = 'apt';
    else if (name === 'dnf' || name === 'yum') tool = 'dnf';
    else if (name === 'apk') tool = 'apk';
    else if (name === 'dpkg' && args.some((a) => a.text === '-i' || a.text === '--install')) tool = 'dpkg';
    if (!tool) return;
    let sub: Word | undefined;
    let assumeYes = command.pipedFrom === 'yes';
    let root: string | undefined;
    const packages: Word[] = [];
    for (let k = 0; k < args.length; k++) {
      const t = args[k]!.text;
      const value = (): string => (t.includes('=') ? t.slice(t.indexOf('=') + 1) : (args[++k]?.text ?? ''));
      if (t === '--yes' || t === '--assume-yes' || t === '--assumeyes' || t === '--force-yes' || t === '--noconfirm') assumeYes = true;
      else if (t === '-o' || t.startsWith('--option')) assumeYes ||= ASSUME_YES_OPTION.test(value());
      else if (t.startsWith('-o')) assumeYes ||= ASSUME_YES_OPTION.test(t);
      else if (t.startsWith('--installroot') || t === '--root' || t.startsWith('--root=')) root = value();
      else if (['-t', '-c', '--target-release', '--default-release', '--config-file', '--releasever', '-X', '--repository'].includes(t)) k++;
      else if (/^-[a-zA-Z]+$/.test(t)) assumeYes ||= (tool === 'apt' || tool === 'dnf') && (t.includes('y') || (t.match(/q/g)?.length ?? 0) >= 2);
      else if (t.startsWith('-')) continue;
      else if (!sub && tool !== 'dpkg') sub = args[k];
      else packages.push(args[k]!);
    }
    const verb = sub?.text ?? '';
    if (root !== undefined) this.facts.push({ kind: 'chrootCreate', range: this.wordRange(command.nameWord), tool: `${name} --installroot`, dir: root });
    const target = inChroot || root !== undefined;
    if (tool === 'apt' && verb === 'update') this.facts.push({ kind: 'aptUpdate', range: this.range(command.nameWord.start, sub!.end), inChroot: target });
    if (tool === 'apt' && verb === 'distclean') this.facts.push({ kind: 'aptListsClean', range: this.wordRange(command.nameWord) });
    const needsYes = (tool === 'apt' && APT_NEEDS_YES.has(verb)) || (tool === 'dnf' && DNF_NEEDS_YES.has(verb));
    const installs = tool === 'dpkg' || ['install', 'add', 'reinstall', 'groupinstall'].includes(verb);
    if (needsYes || installs) {
      const end = sub ?? command.nameWord;
      this.facts.push({ kind: 'packages', range: this.range(command.nameWord.start, end.end), tool: name, needsYes, assumeYes });
    }
    if (!installs) return;
    for (const pkg of packages) {
      const bare = pkg.text.replace(/^.*\//, '').replace(/[=:].*$/, '').replace(/_.*\.deb$/, '');
      if (bare === 'nbd-server') this.facts.push({ kind: 'nbd', range: this.wordRange(pkg) });
      if (KERNEL_PACKAGE.test(bare)) {
        const version = /^linux-image-(?:unsigned-)?(\d.*)$/.exec(bare)?.[1];
        this.facts.push({ kind: 'kernel', range: this.wordRange(pkg), what: bare, version, inChroot: target });
      }
      if (/^linux-headers-/.test(bare)) {
        const fact = moduleBuild(pkg, script, this.wordRange, /^linux-headers-/);
        if (fact) this.facts.push(fact);
      }
    }
  }

  /** The kernel a module build targets: dkms -k, make -C /lib/modules/X/build, --kernel X, KVER=X. */
  private moduleBuilds(command: ShellCommand, script: RunScript): void {
    const { name, args } = command;
    const add = (fact: Fact | undefined) => fact && this.facts.push(fact);
    args.forEach((arg, k) => {
      const next = args[k + 1];
      const t = arg.text;
      if (name === 'dkms' && (t === '-k' || t === '--kernelver') && next) add(moduleBuild(next, script, this.wordRange, /^/, /\/.*$/));
      else if ((t === '--kernel' || t === '--kernel-version' || t === '--kver') && next) add(moduleBuild(next, script, this.wordRange));
      else if (/^--(kernel|kernel-version|kver)=/.test(t)) add(moduleBuild(arg, script, this.wordRange, /^--[\w-]+=/));
      else if (name === 'make' && t === '-C' && next && /^\/lib\/modules\//.test(next.text)) add(moduleBuild(next, script, this.wordRange, /^\/lib\/modules\//, /\/build\/?$/));
      else if (name === 'make' && /^(KVER|KERNELRELEASE|KERNEL_VERSION|KERNELVER)=/.test(t)) add(moduleBuild(arg, script, this.wordRange, /^\w+=/));
      else if (name === 'make' && /^(KDIR|KSRC|KERNEL_SRC|KERNELDIR)=\/lib\/modules\//.test(t)) add(moduleBuild(arg, script, this.wordRange, /^\w+=\/lib\/modules\//, /\/build\/?$/));
    });
  }
}

/** A tree unpacked into a directory (`tar -x -C DIR`, `unsquashfs -d DIR`) can be chrooted into, too. */
function unpackTarget(name: string, args: readonly Word[]): string | undefined {
  const after = (flag: RegExp) => {
    const k = args.findIndex((a) => flag.test(a.text));
    if (k < 0) return undefined;
    const word = args[k];
    return word?.text.includes('=') ? word.text.slice(word.text.indexOf('=') + 1) : args[k + 1]?.text;
  };
  if (name === 'unsquashfs') return after(/^-d(est)?$/);
  if (name === 'tar' && args.some((a, k) => (k === 0 && /^[a-zA-Z]*x/.test(a.text)) || /^-[a-zA-Z]*x/.test(a.text) || a.text === '--extract')) return after(/^(-C|--directory(=.*)?)$/);
  return undefined;
}

/** Where a chroot builder puts the tree; undefined when the tool decides (ltsp-build-client: /opt/ltsp/<arch>). */
function chrootTarget(name: string, args: readonly Word[]): string | undefined {
  if (name === 'pacstrap') return positionals(args)[0]?.text;
  if (name === 'multistrap') return args[args.findIndex((a) => a.text === '-d') + 1]?.text;
  if (name === 'ltsp-build-client') return undefined;
  const debootstrapValues = ['--arch', '--include', '--exclude', '--components', '--variant', '--keyring', '--cache-dir', '--extractor', '--private-key', '--certificate', '--mode', '--architectures', '--aptopt', '--dpkgopt', '--setup-hook', '--customize-hook', '--essential-hook', '--format'];
  return positionals(args, debootstrapValues)[1]?.text;
}

/** The facts of a stage's instructions, and what each of its RUN lines runs. */
export function stageFacts(instructions: readonly Instruction[], text: string, index: LineIndex, escape: string): { facts: Fact[]; scripts: Map<Run, RunScript> } {
  const reader = new FactReader({ text, index, escape });
  for (const instruction of instructions) reader.instruction(instruction);
  return { facts: reader.facts, scripts: reader.scripts };
}
