import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bzImageVersion, classify, hashInput, manifestJson, netbootManifest, readManifest, staleInputs, type ArtifactFile } from '../../server/src/farm/build/artifactManifest';
import { readFarmImage } from '../../server/src/farm/image/farmImage';
import { builderArgs } from '../../server/src/farm/build/builderArgs';
import { parseEventLine, renderBuildEvent, stepTitle, terminalLines, type BuildEvent } from '../../server/src/farm/build/buildEvents';
import { BUILD_TASK_TYPE, buildTaskArgs, buildTaskLabel } from '../../server/src/farm/build/buildTaskDefinition';
import { checkStateDir, defaultStateDir, stateConfigFiles } from '../../server/src/farm/build/containerState';
import { parseAptSources, pickMirror } from '../../server/src/farm/build/debianMirror';
import { pickIsolation } from '../../server/src/farm/build/detectBuilder';
import { lockState } from '../../server/src/farm/build/stateLock';

test('task definition -> the CLI command line: stage, builder from the task over the setting, state folder', () => {
  const image = { type: BUILD_TASK_TYPE, dockerfile: 'examples/farm/Dockerfile' } as const;
  assert.deepEqual(buildTaskArgs(image, '/ws'), ['build', '/ws', '--file', 'examples/farm/Dockerfile', '--json']);
  assert.deepEqual(buildTaskArgs({ ...image, stage: 'basesystem', builder: 'podman' }, '/ws', { builder: 'buildah', stateDir: '/cache/c' }), [
    'build', '/ws', '--file', 'examples/farm/Dockerfile', '--json', '--stage', 'basesystem', '--builder', 'podman', '--state-dir', '/cache/c',
  ]);
  assert.deepEqual(buildTaskArgs({ ...image, builder: 'auto' }, '/ws', { builder: 'buildah' }).slice(-2), ['--builder', 'buildah']);
  assert.deepEqual(buildTaskArgs(image, '/ws', { builder: 'auto' }).includes('--builder'), false);
  assert.equal(buildTaskLabel({ ...image, stage: 'image' }), 'build stage image (examples/farm/Dockerfile)');
});

test('events render for a terminal: problems as file:line, CRLF for the pseudoterminal, steps titled', () => {
  const problem: BuildEvent = { type: 'problem', problem: { file: '/ws/Dockerfile', line: 12, range: { start: { line: 11, character: 0 }, end: { line: 13, character: 5 } }, code: 'BLD001', message: 'This step failed' } };
  assert.equal(renderBuildEvent(problem, (f) => f.replace('/ws/', '')), 'Dockerfile:12: BLD001 This step failed');
  const builder: BuildEvent = { type: 'builder', name: 'buildah', version: 'buildah version 1.28.2', isolation: 'oci (runc)', skipped: [{ name: 'docker', reason: 'no daemon' }] };
  assert.equal(terminalLines(renderBuildEvent(builder)!), 'netboot-farm: docker skipped: no daemon\r\nnetboot-farm: building with buildah version 1.28.2, isolation oci (runc)\r\n');
  const step: BuildEvent = { type: 'step', stage: 2, stages: 4, stageName: 'basesystem', step: 3, steps: 4, text: 'RUN debootstrap', line: 19, done: 5, total: 12 };
  assert.equal(renderBuildEvent(step), undefined);
  assert.equal(stepTitle(step), '[2/4] STEP 3/4 (basesystem): RUN debootstrap');
  assert.deepEqual(parseEventLine(JSON.stringify(step)), step);
  assert.deepEqual(parseEventLine('not json {'), { type: 'log', text: 'not json {' });
  assert.deepEqual(parseEventLine('[1,2]'), { type: 'log', text: '[1,2]' });
});

test('builder arguments: --force-rm, runc or chroot isolation, export, never a shell string', () => {
  const run = { dockerfile: '/ws/Dockerfile', context: '/ws', target: 'artifacts', exportTo: '/ws/.netboot/.export-1' };
  assert.deepEqual(builderArgs({ name: 'buildah', isolation: { kind: 'oci', runtime: '/usr/sbin/runc', why: 'runc' } }, run), [
    'build', '--layers', '--force-rm', '--network', 'host', '--isolation', 'oci', '--runtime', '/usr/sbin/runc',
    '-f', '/ws/Dockerfile', '--target', 'artifacts', '--output', 'type=local,dest=/ws/.netboot/.export-1', '/ws',
  ]);
  assert.deepEqual(builderArgs({ name: 'podman', isolation: { kind: 'chroot', why: '' } }, { ...run, exportTo: undefined, tag: 'localhost/x:y' }).slice(5), ['--isolation', 'chroot', '-f', '/ws/Dockerfile', '--target', 'artifacts', '-t', 'localhost/x:y', '/ws']);
  assert.deepEqual(builderArgs({ name: 'docker' }, run).slice(0, 3), ['buildx', 'build', '--progress=plain']);
});

test('runtime: runc over crun on a hybrid cgroup host; chroot when nothing else works', () => {
  assert.deepEqual(pickIsolation({ runc: '/usr/sbin/runc', crun: '/usr/bin/crun' }, 'hybrid'), { kind: 'oci', runtime: '/usr/sbin/runc', why: 'runc, not crun: crun does not support cgroups in hybrid mode' });
  assert.deepEqual(pickIsolation({ crun: '/usr/bin/crun' }, 'unified'), { kind: 'oci', runtime: '/usr/bin/crun', why: 'crun (cgroup v2)' });
  assert.equal(pickIsolation({ crun: '/usr/bin/crun' }, 'hybrid').kind, 'chroot');
  assert.equal(pickIsolation({}, 'unified').kind, 'chroot');
});

test('state folder: under XDG_CACHE_HOME, never inside the repository, no search registries', () => {
  assert.equal(defaultStateDir({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/netboot-farm/containers');
  assert.match(defaultStateDir({ XDG_CACHE_HOME: 'relative' }), /\/\.cache\/netboot-farm\/containers$/);
  // The netbootFarm.cacheDir setting reaches the CLI as NETBOOT_FARM_CACHE and wins over XDG_CACHE_HOME.
  assert.equal(defaultStateDir({ XDG_CACHE_HOME: '/var/cache/me', NETBOOT_FARM_CACHE: '/srv/nbf-cache' }), '/srv/nbf-cache/containers');
  assert.match(defaultStateDir({ NETBOOT_FARM_CACHE: 'relative' }), /\/\.cache\/netboot-farm\/containers$/);
  assert.match(checkStateDir('/repo/.cache/c', ['/repo']) ?? '', /inside \/repo/);
  assert.equal(checkStateDir('/repo-other/c', ['/repo']), undefined);
  const files = stateConfigFiles('/s', { rootless: false, runtime: '/usr/sbin/runc' });
  assert.match(files['registries.conf']!, /^unqualified-search-registries = \[\]$/m);
  assert.match(files['registries.conf']!, /^short-name-mode = "disabled"$/m);
  assert.match(files['storage.conf']!, /^graphroot = "\/s\/storage"$/m);
  assert.doesNotMatch(files['storage.conf']!, /fuse-overlayfs/);
  assert.match(stateConfigFiles('/s', { rootless: true })['storage.conf']!, /mount_program = "\/usr\/bin\/fuse-overlayfs"/);
  assert.match(files['containers.conf']!, /^runtime = "\/usr\/sbin\/runc"$/m);
});

test('mirror: deb822 and one-line sources, the first carrying the suite main component', () => {
  const deb822 = 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n';
  assert.equal(pickMirror(parseAptSources(deb822, true), 'bookworm'), 'http://deb.debian.org/debian');
  assert.equal(pickMirror(parseAptSources(deb822, true), 'trixie'), undefined);
  const list = '# comment\ndeb-src http://x/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.local/debian bookworm main contrib\n';
  assert.equal(pickMirror(parseAptSources(list, false), 'bookworm'), 'http://mirror.local/debian');
  assert.deepEqual(parseAptSources('Types: deb-src\nURIs: http://x\nSuites: bookworm\nComponents: main\n', true), []);
});

test('artifacts are told apart by their bytes; the kernel version comes from the bzImage header', () => {
  const kernel = Buffer.alloc(0x400);
  kernel.write('HdrS', 0x202, 'latin1');
  kernel.writeUInt16LE(0x100, 0x20e);
  kernel.write('6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP', 0x300, 'latin1');
  assert.equal(classify(kernel), 'kernel');
  assert.equal(bzImageVersion(kernel), '6.1.0-50-amd64');
  assert.equal(classify(Buffer.from('hsqs....')), 'squashfs');
  assert.equal(classify(Buffer.from('28b52ffd00', 'hex')), 'initramfs');
  assert.equal(classify(Buffer.from('070701000000', 'latin1')), 'initramfs');
  assert.equal(classify(Buffer.from('#!ipxe\n')), 'tftp');
  assert.equal(bzImageVersion(Buffer.from('short')), undefined);
  const truncated = Buffer.from(kernel.subarray(0, 0x210));
  assert.equal(bzImageVersion(truncated), undefined);
  // A real bzImage when this machine has one: the same version `file` prints.
  const vmlinuz = '/boot/vmlinuz-' + (readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  const bytes = (() => {
    try {
      return readFileSync(vmlinuz).subarray(0, 0x1000);
    } catch {
      return undefined;
    }
  })();
  if (bytes) assert.equal(bzImageVersion(bytes), readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
});

test('manifest: the preview is told which inputs changed since the build', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'nbf-manifest-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  mkdirSync(join(ws, 'farm', '.netboot'), { recursive: true });
  writeFileSync(join(ws, 'farm', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(ws, 'farm', 'lts.conf'), '[Default]\n');
  const manifest = { format: 1, files: [], build: { dockerfile: await hashInput(join(ws, 'farm', 'Dockerfile'), ws), configs: [await hashInput(join(ws, 'farm', 'lts.conf'), ws)] } };
  const netboot = join(ws, 'farm', '.netboot');
  writeFileSync(join(netboot, 'manifest.json'), JSON.stringify(manifest));
  assert.deepEqual(await staleInputs(netboot, ws), []);
  writeFileSync(join(ws, 'farm', 'lts.conf'), '[Default]\nSOUND=True\n');
  assert.deepEqual(await staleInputs(netboot, ws), ['farm/lts.conf']);
  writeFileSync(join(ws, 'farm', 'ltsp.conf'), '[clients]\n');
  writeFileSync(join(ws, 'farm', 'Dockerfile'), 'FROM scratch AS x\n');
  assert.deepEqual(await staleInputs(netboot, ws), ['farm/Dockerfile', 'farm/lts.conf', 'farm/ltsp.conf']);
  writeFileSync(join(netboot, 'manifest.json'), '{not json');
  assert.equal(await staleInputs(netboot, ws), undefined);
});

test('state lock: a second build on the same state folder is refused while the first holds it; a dead holder is ignored', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = await lockState(dir);
  assert.ok('release' in first);
  assert.deepEqual(await lockState(dir), { holder: process.pid });
  await first.release();
  writeFileSync(join(dir, 'build.lock'), '999999999');
  const again = await lockState(dir);
  assert.ok('release' in again, 'a lock left by a dead process is taken over');
  await again.release();
});

test('manifest: one format for builds and the example image; the farm reads a build as a farm image with its boot loaders', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-netboot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (path: string, role: ArtifactFile['role']): ArtifactFile => ({ path, role, size: 1, sha256: path.length.toString(16).padStart(64, '0') });
  const files = [
    file('images/amd64.img', 'squashfs'),
    file('tftp/boot/grub/x86_64-efi/core.efi', 'tftp'),
    file('tftp/ltsp/amd64/boot.ipxe', 'tftp'),
    file('tftp/ltsp/amd64/initrd.img', 'initramfs'),
    file('tftp/ltsp/amd64/pxelinux.0', 'tftp'),
    file('tftp/ltsp/amd64/vmlinuz', 'kernel'),
    file('tftp/old/pxelinux.0', 'tftp'),
  ];
  const build = { builtAt: '2026-01-01T00:00:00.000Z', durationMs: 1, builder: { name: 'buildah', version: 'buildah 1.28' }, dockerfile: { path: 'Dockerfile', sha256: 'ab'.repeat(32) }, configs: [] };
  const manifest = { ...netbootManifest(files, { tftpRoot: 'tftp', kernelVersion: '6.1.0-50-amd64' }), build };
  // Of two pxelinux.0, the one in LTSP's folder for the image (ltsp/amd64/) wins over a shallower one.
  assert.deepEqual(manifest.bootFiles, { ipxe: 'ltsp/amd64/boot.ipxe', bios: 'ltsp/amd64/pxelinux.0', efi: 'boot/grub/x86_64-efi/core.efi' });
  assert.match(manifest.key, /^[0-9a-f]{16}$/);
  assert.notEqual(netbootManifest(files.slice(1), { tftpRoot: 'tftp' }).key, manifest.key, 'the key follows the files');
  writeFileSync(join(dir, 'manifest.json'), manifestJson(manifest));
  assert.deepEqual(await readManifest(dir), manifest);
  assert.deepEqual(await readFarmImage(dir), {
    dir,
    tftpRoot: join(dir, 'tftp'),
    squashfs: join(dir, 'images', 'amd64.img'),
    exportName: 'amd64',
    nbdPort: 10809,
    bootFiles: manifest.bootFiles,
    ltsConfPath: 'ltsp/amd64/lts.conf',
    kernelVersion: '6.1.0-50-amd64',
    key: manifest.key,
  });
  // No squashfs: nothing for the farm to serve.
  writeFileSync(join(dir, 'manifest.json'), manifestJson(netbootManifest(files.slice(1), { tftpRoot: 'tftp' })));
  assert.equal(await readFarmImage(dir), undefined);
});
