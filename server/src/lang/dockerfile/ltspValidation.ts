import type { Range } from 'vscode-languageserver-types';
import type { DockerfileSink } from './dockerfileValidation';
import type { Fact } from './stageFacts';
import { ancestry, stageLabel, type DockerfileDocument, type Stage } from './stageGraph';

/** A fact with the stage it is written in and its place in a build order. */
interface Placed<F extends Fact = Fact> {
  readonly fact: F;
  readonly stage: Stage;
  readonly order: number;
}

type Of<K extends Fact['kind']> = Placed<Extract<Fact, { kind: K }>>;

/** Everything that has happened to a stage's file system when it is done: its ancestors' facts, then its own. */
function lineage(stage: Stage): Placed[] {
  let order = 0;
  return ancestry(stage).flatMap((s) => s.facts.map((fact) => ({ fact, stage: s, order: order++ })));
}

function only<K extends Fact['kind']>(placed: readonly Placed[], kind: K): Of<K>[] {
  return placed.filter((p): p is Of<K> => p.fact.kind === kind);
}

const anchor = (stage: Stage): Range => stage.nameRange ?? stage.from.getInstructionRange();
const lineOf = (f: Fact) => f.range.start.line + 1;
const trim = (path: string) => path.replace(/\/\*?$/, '').replace(/<.*$/, '').replace(/\/$/, '') || '/';
const dynamic = (path: string) => path.includes('$');

/** One path inside the other (or equal): a COPY of a parent directory carries its children. */
function related(a: string, b: string): boolean {
  const x = trim(a);
  const y = trim(b);
  return x === y || x === '/' || y === '/' || x.startsWith(y + '/') || y.startsWith(x + '/');
}

/** LTSP 5 (ltsp-* scripts, /opt/ltsp) or LTSP 20+ (`ltsp` applets, /srv/ltsp): it decides which fix to suggest. */
function generation(doc: DockerfileDocument): '5' | '20+' {
  const facts = doc.graph.stages.flatMap((s) => s.facts);
  if (facts.some((f) => f.kind === 'ltsp' && f.name.startsWith('ltsp '))) return '20+';
  const ltsp5 = facts.some((f) => (f.kind === 'ltsp' && f.name.startsWith('ltsp-')) || (f.kind === 'chrootCreate' && f.dir?.startsWith('/opt/ltsp')));
  return ltsp5 ? '5' : '20+';
}

/** A squashfs of `/` needs the work done in the container; of a chroot, inside the chroot. */
function imageMode(placed: readonly Placed[]): 'root' | 'chroot' {
  const squashfs = only(placed, 'squashfs').pop();
  if (squashfs) return squashfs.fact.ofRoot ? 'root' : 'chroot';
  return only(placed, 'chrootCreate').length ? 'chroot' : 'root';
}

function checkKernel(doc: DockerfileDocument, image: Stage, sink: DockerfileSink): void {
  const placed = lineage(image);
  const mode = imageMode(placed);
  const gen = generation(doc);
  const kernels = only(placed, 'kernel');
  const inPlace = kernels.filter((k) => k.fact.inChroot === (mode === 'chroot'));
  const copied = only(placed, 'copy').filter((c) => [...c.fact.sources, c.fact.dest].some((p) => /vmlinuz|(^|\/)boot(\/|$)/.test(p)));
  const chrootDir = only(placed, 'chrootCreate').find((c) => c.fact.dir)?.fact.dir;
  const inChroot = (command: string) => (gen === '5' ? `RUN ltsp-chroot ${command}` : `RUN chroot ${chrootDir ?? '/srv/ltsp/<name>'} ${command}`);
  if (inPlace.length === 0 && copied.length === 0) {
    const stray = kernels[0];
    const where = !stray
      ? ''
      : mode === 'chroot'
        ? ` in the chroot the image is made from (\`${stray.fact.what}\` on line ${lineOf(stray.fact)} goes into the container itself)`
        : ` where the image is made from (\`${stray.fact.what}\` on line ${lineOf(stray.fact)} goes into a chroot, but the squashfs is made of \`/\`)`;
    const install = 'apt-get install -y linux-image-generic';
    sink.report('DKR008', anchor(image), { stage: stageLabel(image), where, fix: mode === 'chroot' ? inChroot(install) : `RUN ${install}` });
  } else if (inPlace.length === 0 && only(placed, 'initramfs').length === 0) {
    const build = 'update-initramfs -c -k all';
    sink.report('DKR009', anchor(image), { stage: stageLabel(image), kernel: `copied in on line ${lineOf(copied[0]!.fact)}`, fix: mode === 'chroot' ? inChroot(build) : `RUN ${build}` });
  }
}

function createsChroot(fact: Fact, use: Of<'chrootEnter'>['fact']): boolean {
  if (fact.kind === 'chrootCreate') return !use.dir || !fact.dir || dynamic(use.dir) || dynamic(fact.dir) || related(fact.dir, use.dir);
  if (fact.kind === 'copy') return use.dir ? related(fact.dest, use.dir) : fact.dest.startsWith('/opt/ltsp');
  return false;
}

function checkChroots(doc: DockerfileDocument, sink: DockerfileSink): void {
  for (const stage of doc.graph.stages) {
    const placed = lineage(stage);
    for (const use of only(placed, 'chrootEnter').filter((u) => u.stage === stage && u.fact.dir !== '/')) {
      const makes = (p: Placed) => createsChroot(p.fact, use.fact);
      if (placed.some((p) => p.order < use.order && makes(p))) continue;
      const later = placed.find((p) => p.order > use.order && makes(p)) as Of<'chrootCreate'> | undefined;
      if (later) {
        sink.report('DKR010', use.fact.range, { tool: use.fact.tool, creator: later.fact.tool, line: lineOf(later.fact) });
      } else {
        const other = doc.graph.stages.find((s) => !ancestry(stage).includes(s) && s.facts.some((f) => f.kind === 'chrootCreate' && createsChroot(f, use.fact)));
        sink.report('DKR011', use.fact.range, {
          tool: use.fact.tool,
          dir: use.fact.dir ? ` (\`${use.fact.dir}\`)` : '',
          elsewhere: other ? `; stage \`${stageLabel(other)}\` creates one, but this stage is not built FROM it` : '',
          base: ancestry(stage)[0]!.base,
        });
      }
      break;
    }
  }
}

function checkSquashfs(doc: DockerfileDocument, image: Stage, sink: DockerfileSink): void {
  if (doc.graph.stages.some((s) => s.facts.some((f) => f.kind === 'squashfs'))) return;
  const placed = lineage(image);
  const dir = only(placed, 'chrootCreate').find((c) => c.fact.dir)?.fact.dir;
  const fix = imageMode(placed) === 'root' ? 'RUN ltsp image /' : generation(doc) === '5' ? 'RUN ltsp-update-image' : `RUN ltsp image ${dir ?? '<chroot>'}`;
  sink.report('DKR012', anchor(image), { stage: stageLabel(image), fix });
}

/** What a booting client needs from the final stage, and where LTSP writes each piece. */
function checkFinalStage(doc: DockerfileDocument, image: Stage, sink: DockerfileSink): void {
  const final = doc.graph.final;
  if (!final || ancestry(final).includes(image)) return;
  const gen = generation(doc);
  const all = doc.graph.stages.flatMap((s) => s.facts);
  const copied = lineage(final).flatMap((p) => (p.fact.kind === 'copy' && p.fact.from ? p.fact.sources : []));
  const has = (paths: readonly string[], pattern?: RegExp) => copied.some((c) => paths.some((p) => related(c, p)) || (pattern?.test(c) ?? false));
  // The catalog lists the image first among what a squashfs command writes.
  const outputs = all.flatMap((f) => (f.kind === 'squashfs' ? f.outputs.slice(0, 1) : []));
  const imagePaths = outputs.length ? outputs : [gen === '5' ? '/opt/ltsp/images' : '/srv/ltsp/images'];
  const tftp = gen === '5' ? '/var/lib/tftpboot' : '/srv/tftp';
  const tftpPaths = ['/var/lib/tftpboot', '/srv/tftp', '/tftpboot'];
  const missing: { what: string; path: string }[] = [];
  if (!has(imagePaths, /\.(img|squashfs)$|\/images$/)) missing.push({ what: 'the squashfs image', path: trim(imagePaths[0]!) });
  if (!has(tftpPaths, /vmlinuz|initrd|(^|\/)boot(\/|$)/)) missing.push({ what: 'the kernel and initramfs', path: tftp });
  if (!has(tftpPaths)) missing.push({ what: 'the TFTP tree', path: tftp });
  if (all.some((f) => f.kind === 'nbd') && !has(['/etc/nbd-server'])) missing.push({ what: 'the NBD export config', path: '/etc/nbd-server/conf.d' });
  if (missing.length === 0) return;
  const names = missing.map((m) => m.what);
  const paths = [...new Set(missing.map((m) => m.path))];
  sink.report('DKR013', final.from.getRange(), {
    missing: names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]!,
    copies: paths.map((p) => `\`COPY --from=${stageLabel(image)} ${p} ${p}\``).join(', '),
  });
}

function checkModules(doc: DockerfileDocument, image: Stage | undefined, sink: DockerfileSink): void {
  const imagePlaced = image ? lineage(image) : [];
  const kernels = only(imagePlaced, 'kernel');
  const versions = kernels.flatMap((k) => (k.fact.version ? [k.fact.version] : []));
  const kernelStage = kernels[kernels.length - 1]?.stage;
  const imageStages = image ? ancestry(image) : [];
  for (const stage of doc.graph.stages) {
    const builds = stage.facts.filter((f): f is Extract<Fact, { kind: 'moduleBuild' }> => f.kind === 'moduleBuild');
    let unrelated = kernelStage !== undefined && !ancestry(stage).includes(kernelStage) && !imageStages.includes(stage);
    // Only modules that reach the image matter: the image stages copy from this one.
    unrelated &&= imageStages.some((s) => s.refs.some((r) => r.target === stage && r.kind !== 'FROM'));
    for (const build of builds) {
      if (build.host) {
        const fix = kernelStage ? `take the version from the image, e.g. \`$(ls /lib/modules)\` in a stage built FROM \`${stageLabel(kernelStage)}\`` : "take the version from the image's `/lib/modules`";
        sink.report('DKR014', build.range, { version: build.version, reason: 'but `uname -r` is the kernel of the machine running `docker build`, not a kernel of the image', fix });
      } else if (build.literal && versions.length && !versions.includes(build.version)) {
        sink.report('DKR014', build.range, { version: build.version, reason: `but the image installs ${versions.map((v) => '`linux-image-' + v + '`').join(', ')}`, fix: 'build for the version the image installs' });
      } else if (unrelated && !(build.literal && versions.includes(build.version))) {
        sink.report('DKR014', build.range, {
          version: build.version,
          reason: `but stage \`${stageLabel(stage)}\` is not built FROM stage \`${stageLabel(kernelStage!)}\`, where the image's kernel is installed, so the kernel it builds against is not the image's`,
          fix: `build stage \`${stageLabel(stage)}\` FROM \`${stageLabel(kernelStage!)}\``,
        });
        unrelated = false;
      }
    }
  }
}

function checkPackages(doc: DockerfileDocument, image: Stage, sink: DockerfileSink): void {
  const placed = lineage(image);
  const mode = imageMode(placed);
  const text = (r: Range) => doc.text.slice(doc.index.offsetAt(r.start), doc.index.offsetAt(r.end)).replace(/\\?\s+/g, ' ');
  for (const p of only(placed, 'packages')) if (p.fact.needsYes && !p.fact.assumeYes) sink.report('DKR016', p.fact.range, { command: text(p.fact.range) });
  for (const squashfs of only(placed, 'squashfs').filter((s) => !s.fact.excludesLists)) {
    const before = placed.filter((p) => p.order < squashfs.order);
    const update = only(before, 'aptUpdate').filter((u) => u.fact.inChroot === (mode === 'chroot')).pop();
    if (!update || only(before, 'aptListsClean').some((c) => c.order > update.order)) continue;
    const source = squashfs.fact.source && squashfs.fact.source !== '/' ? trim(squashfs.fact.source) : '';
    sink.report('DKR017', update.fact.range, { command: text(update.fact.range), tool: squashfs.fact.tool, line: lineOf(squashfs.fact), lists: `${source}/var/lib/apt/lists/*` });
  }
}

/** The checks that know what an LTSP image build needs. They only speak when there is an image stage. */
export function checkLtsp(doc: DockerfileDocument, sink: DockerfileSink): void {
  const image = doc.graph.image?.stage;
  checkChroots(doc, sink);
  checkModules(doc, image, sink);
  for (const stage of doc.graph.stages) for (const f of stage.facts) if (f.kind === 'hostOnlyInitramfs') sink.report('DKR015', f.range, { what: f.what });
  if (!image) return;
  checkKernel(doc, image, sink);
  checkSquashfs(doc, image, sink);
  checkFinalStage(doc, image, sink);
  checkPackages(doc, image, sink);
}
