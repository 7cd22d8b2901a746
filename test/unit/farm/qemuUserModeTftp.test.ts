/** The user-mode TFTP tree: links into the image, overrides of its own, and never a write into the image. */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { userModeTftpRoot } from '../../../server/src/farm/qemu/userModeTftp';

function imageTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'nbf-tftp-image-'));
  mkdirSync(join(root, 'ltsp', 'amd64'), { recursive: true });
  writeFileSync(join(root, 'ltsp', 'amd64', 'boot.ipxe'), 'nbdroot=:10809/amd64\n');
  writeFileSync(join(root, 'ltsp', 'amd64', 'vmlinuz'), 'kernel');
  writeFileSync(join(root, 'pxelinux.0'), 'loader');
  return root;
}

test('a rewritten boot script lands in the tree of its own, not in the image it links to (no lts.conf given)', async (t) => {
  const image = imageTree();
  t.after(() => rmSync(image, { recursive: true, force: true }));
  const tftp = await userModeTftpRoot(image, [{ tftpPath: 'ltsp/amd64/boot.ipxe', text: 'nbdroot=10.0.2.2:4242/amd64\n' }]);
  t.after(() => tftp.dispose());
  assert.equal(readFileSync(join(tftp.dir, 'ltsp/amd64/boot.ipxe'), 'utf8'), 'nbdroot=10.0.2.2:4242/amd64\n');
  assert.equal(readFileSync(join(image, 'ltsp/amd64/boot.ipxe'), 'utf8'), 'nbdroot=:10809/amd64\n', 'the image is untouched');
  assert.ok(!lstatSync(join(tftp.dir, 'ltsp')).isSymbolicLink(), 'folders on an override path are real');
  assert.ok(lstatSync(join(tftp.dir, 'ltsp/amd64/vmlinuz')).isSymbolicLink());
  assert.ok(lstatSync(join(tftp.dir, 'pxelinux.0')).isSymbolicLink());
  assert.equal(readFileSync(join(tftp.dir, 'ltsp/amd64/vmlinuz'), 'utf8'), 'kernel');
});

test('the live lts.conf is a link to the workspace file, and dispose removes the tree', async (t) => {
  const image = imageTree();
  t.after(() => rmSync(image, { recursive: true, force: true }));
  const ltsConf = join(image, '..', `lts-${process.pid}.conf`);
  writeFileSync(ltsConf, '[Default]\nSCREEN_07 = shell\n');
  t.after(() => rmSync(ltsConf, { force: true }));
  const tftp = await userModeTftpRoot(image, [{ tftpPath: '/ltsp/amd64/lts.conf', link: ltsConf }]);
  writeFileSync(ltsConf, '[Default]\nSCREEN_07 = ldm\n');
  assert.equal(readFileSync(join(tftp.dir, 'ltsp/amd64/lts.conf'), 'utf8'), '[Default]\nSCREEN_07 = ldm\n', 'an edit shows at once');
  assert.ok(!existsSync(join(image, 'ltsp/amd64/lts.conf')));
  await tftp.dispose();
  assert.ok(!existsSync(tftp.dir));
});

test('an override path outside the tree is refused', async (t) => {
  const image = imageTree();
  t.after(() => rmSync(image, { recursive: true, force: true }));
  await assert.rejects(userModeTftpRoot(image, [{ tftpPath: '../escape', text: 'x' }]), /inside the tree/);
});
