import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalizeRequestPath, resolveInRoot } from '../../../server/src/farm/rootPath';

const accepted = (raw: string) => {
  const r = normalizeRequestPath(raw);
  assert.ok(r.ok, `${JSON.stringify(raw)}: ${r.ok ? '' : r.reason}`);
  return r.path;
};
const refused = (raw: string) => {
  const r = normalizeRequestPath(raw);
  assert.equal(r.ok, false, `${JSON.stringify(raw)} should be refused`);
  return (r as { reason: string }).reason;
};

test('plain, leading-slash, dot and backslash names map into the root', () => {
  assert.equal(accepted('pxelinux.0'), 'pxelinux.0');
  assert.equal(accepted('/pxelinux.0'), 'pxelinux.0');
  assert.equal(accepted('/etc/passwd'), 'etc/passwd', 'an absolute path is the root\'s, as with tftpd-hpa -s');
  assert.equal(accepted('ltsp\\i386\\lts.conf'), 'ltsp/i386/lts.conf');
  assert.equal(accepted('\\boot\\\\grub/./x86_64-efi//core.efi'), 'boot/grub/x86_64-efi/core.efi');
  assert.equal(accepted('a..b/..c/d..'), 'a..b/..c/d..', '".." inside a name is just a name');
  assert.equal(accepted('100%25 done'), '100%25 done', 'a harmless escape is served literally, never decoded');
});

test('traversal in every spelling is refused with a reason', () => {
  assert.match(refused('../etc/passwd'), /"\.\." segment/);
  assert.match(refused('pxelinux.cfg/../../etc/shadow'), /"\.\." segment/);
  assert.match(refused('..\\..\\etc\\passwd'), /"\.\." segment/);
  assert.match(refused('/..'), /"\.\." segment/);
  assert.match(refused('%2e%2e/etc/passwd'), /URL encoding/);
  assert.match(refused('..%2F..%2Fetc%2Fpasswd'), /URL encoding/);
  assert.match(refused('%252e%252e%252fetc'), /URL encoding/, 'double encoding');
  assert.match(refused('%2e%2e%5cetc'), /URL encoding/, 'encoded backslash');
  assert.match(refused('pxelinux.0\0/../x'), /NUL/);
  assert.match(refused('pxelinux.0%00.txt'), /NUL/);
  assert.match(refused('/'), /names no file/);
  assert.match(refused('./.'), /names no file/);
});

test('resolveInRoot: files, missing files, directories and symlinks out of the root', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'nbf-tftp-paths-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  mkdirSync(join(root, 'ltsp'), { recursive: true });
  writeFileSync(join(root, 'ltsp', 'vmlinuz'), 'kernel');
  writeFileSync(join(base, 'secret'), 'secret');
  symlinkSync('vmlinuz', join(root, 'ltsp', 'vmlinuz-link'));
  symlinkSync(join(base, 'secret'), join(root, 'out-absolute'));
  symlinkSync('../secret', join(root, 'out-relative'));
  symlinkSync('/', join(root, 'slash'));
  const real = realpathSync(root);

  const ok = await resolveInRoot(real, 'ltsp/vmlinuz');
  assert.deepEqual(ok, { ok: true, absolute: join(real, 'ltsp', 'vmlinuz'), size: 6 });
  const inside = await resolveInRoot(real, 'ltsp/vmlinuz-link');
  assert.ok(inside.ok && inside.absolute === join(real, 'ltsp', 'vmlinuz'), 'a link that stays inside is followed');

  for (const name of ['out-absolute', 'out-relative', 'slash/etc/passwd']) {
    const r = await resolveInRoot(real, name);
    assert.equal(r.ok, false, name);
    assert.equal((r as { kind: string }).kind, 'outside-root', name);
    assert.match((r as { reason: string }).reason, /outside the root/);
  }
  const missing = await resolveInRoot(real, 'ltsp/initrd.img');
  assert.equal(missing.ok ? '' : missing.kind, 'not-found');
  const dir = await resolveInRoot(real, 'ltsp');
  assert.equal(dir.ok ? '' : dir.kind, 'not-a-file');
  const underFile = await resolveInRoot(real, 'ltsp/vmlinuz/x');
  assert.equal(underFile.ok ? '' : underFile.kind, 'not-found');
});
