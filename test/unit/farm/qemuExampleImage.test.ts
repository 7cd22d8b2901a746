/**
 * The example image's parts that run without a VM: the initramfs archive
 * (checked with GNU cpio) and the init's lts.conf applier (run by the same
 * busybox sh the initramfs uses, and compared with what the editor's
 * effective-settings view says the client gets).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { serviceFor } from '../../../server/src/lang';
import { writeCpioNewc } from '../../../server/src/farm/image/cpioArchive';

const root = join(__dirname, '..', '..', '..');
const apply = join(root, 'examples', 'farm', 'image', 'lts-conf-apply');
const scratch = mkdtempSync(join(tmpdir(), 'nbf-image-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the initramfs archive lists as newc with its files, links and /dev/console', () => {
  const archive = writeCpioNewc([
    { kind: 'dir', path: 'bin' },
    { kind: 'file', path: 'bin/busybox', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'dir', path: 'dev' },
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { kind: 'file', path: 'init', data: Buffer.from('x'.repeat(5)), mode: 0o755 },
  ]);
  assert.equal(archive.length % 4, 0);
  const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: archive, encoding: 'utf8' }).trim().split('\n');
  assert.equal(listing.length, 6);
  assert.match(listing[1]!, /^-rwxr-xr-x .* 18 .* bin\/busybox$/);
  assert.match(listing[2]!, /^lrwxrwxrwx .* bin\/sh -> busybox$/);
  assert.match(listing[4]!, /^crw------- .* 5,\s*1 .* dev\/console$/);
  assert.match(listing[5]!, /^-rwxr-xr-x .* 5 .* init$/);
  execFileSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames', 'bin/busybox'], { input: archive, cwd: scratch, stdio: ['pipe', 'ignore', 'ignore'] });
  assert.equal(readFileSync(join(scratch, 'bin', 'busybox'), 'utf8'), '#!/bin/sh\necho hi\n');
  assert.throws(() => writeCpioNewc([{ kind: 'file', path: '../etc/passwd', data: Buffer.alloc(0) }]), /bad path/);
});

/** Runs lts-conf-apply under busybox sh and returns what it left in the new root. */
function applyLtsConf(text: string, mac: string) {
  const dir = mkdtempSync(join(scratch, 'root-'));
  const conf = join(dir, 'lts.conf');
  writeFileSync(conf, text);
  execFileSync('busybox', ['sh', apply, conf, mac, dir]);
  const read = (path: string) => {
    try {
      return readFileSync(join(dir, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  const settings = (read('run/ltsp/settings.tsv') ?? '').split('\n').filter(Boolean).map((line) => line.replace('\t', '='));
  return { settings, read };
}

function editorView(text: string, mac: string): string[] {
  const result = serviceFor('ltsconf')!.effectiveSettings!(text, mac);
  return result.settings.map((s) => `${s.key}=${s.value}`).sort();
}

test("the init applies the example lts.conf exactly as the editor's effective settings say, per node", () => {
  const text = readFileSync(join(root, 'examples', 'farm', 'lts.conf'), 'utf8');
  for (const [mac, hostname] of [
    ['52:54:00:00:00:01', 'node01'],
    ['52:54:00:00:00:02', 'node02'],
  ] as const) {
    const { settings, read } = applyLtsConf(text, mac);
    assert.deepEqual(settings, editorView(text, mac));
    assert.equal(read('etc/hostname'), `${hostname}\n`);
    const rc = read('etc/rc.local') ?? '';
    assert.ok(rc.startsWith('#!/bin/sh\n'));
    assert.ok(rc.indexOf('echo netboot-farm: lts.conf applied') < rc.indexOf('echo worker > /etc/node-role'), 'RCFILE_* in name order');
    assert.equal(read('etc/fstab'), '/dev/vda1 /var/lib/data ext4 nofail,noatime 0 0\n');
    assert.equal(read('run/ltsp/init-commands'), 'ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime\n');
  }
  assert.deepEqual(applyLtsConf(text, '52:54:00:99:99:99').read('etc/hostname'), undefined, 'a client without a section gets no HOSTNAME');
});

test("getltscfg's lexical rules and section order: quotes, comments, case, LIKE chains, later wins", () => {
  const text = [
    '# comment',
    '[Default]',
    'hostname = base',
    'X_QUOTED = "a # not a comment" # comment',
    'X_PLAIN = value # comment',
    'X_APOSTROPHE = "it\'s"',
    'X_ORDER = default',
    '[Group2]',
    'X_ORDER = group2',
    'X_DEEP = from-group2',
    '[group1]',
    'like = group2',
    'X_ORDER = group1',
    '[52:54:00:AA:BB:CC]',
    'LIKE = Group1',
    'HOSTNAME = "special extra words"',
    'x_lower = lower-case key',
    '',
  ].join('\r\n');
  const mac = '52:54:00:aa:bb:cc';
  const { settings, read } = applyLtsConf(text, mac);
  assert.deepEqual(settings, editorView(text, mac));
  assert.ok(settings.includes('X_QUOTED=a # not a comment'));
  assert.ok(settings.includes('X_PLAIN=value'));
  assert.ok(settings.includes("X_APOSTROPHE=it's"));
  assert.ok(settings.includes('X_ORDER=group1'));
  assert.ok(settings.includes('X_DEEP=from-group2'));
  assert.ok(settings.includes('X_LOWER=lower-case key'));
  assert.equal(read('etc/hostname'), 'special\n');
  assert.match(read('etc/lts.env') ?? '', /^X_APOSTROPHE='it'\\''s'$/m, 'values are shell-quoted for sourcing');
});
