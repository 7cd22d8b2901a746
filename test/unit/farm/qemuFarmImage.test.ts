import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { manifestText, readFarmImage, type FarmImage } from '../../../server/src/farm/image/farmImage';

const scratch = mkdtempSync(join(tmpdir(), 'nbf-farm-image-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function folder(name: string, manifest?: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  if (manifest !== undefined) writeFileSync(join(dir, 'manifest.json'), manifest);
  return dir;
}

test("the example image's manifest keeps paths relative, so the folder can move", async () => {
  const dir = folder('example');
  const image: FarmImage = {
    dir,
    tftpRoot: join(dir, 'tftp'),
    squashfs: join(dir, 'amd64.img'),
    exportName: 'amd64',
    nbdPort: 10809,
    bootFiles: { ipxe: 'ltsp/amd64/boot.ipxe', bios: 'ltsp/amd64/pxelinux.0', efi: 'boot/grub/x86_64-efi/core.efi' },
    ltsConfPath: 'ltsp/amd64/lts.conf',
    kernelVersion: '6.1.0-56-amd64',
    key: '0123456789abcdef',
  };
  const text = manifestText(image);
  assert.equal(JSON.parse(text).tftpRoot, 'tftp');
  const moved = folder('moved', text);
  assert.deepEqual(await readFarmImage(moved), { ...image, dir: moved, tftpRoot: join(moved, 'tftp'), squashfs: join(moved, 'amd64.img') });
});

test("an image build's export (files by role) is read as a farm image, boot files found by name", async () => {
  const dir = folder(
    'built',
    JSON.stringify({
      version: 1,
      kernelVersion: '6.1.0-56-amd64',
      dockerfile: { path: 'Dockerfile', sha256: 'ab'.repeat(32) },
      configs: [],
      files: [
        { path: 'images/amd64.img', role: 'squashfs', size: 1, sha256: '' },
        { path: 'tftp/ltsp/amd64/vmlinuz', role: 'kernel', size: 1, sha256: '' },
        { path: 'tftp/ltsp/amd64/initrd.img', role: 'initramfs', size: 1, sha256: '' },
        { path: 'tftp/ltsp/amd64/pxelinux.0', role: 'tftp', size: 1, sha256: '' },
        { path: 'tftp/ltsp.ipxe', role: 'tftp', size: 1, sha256: '' },
      ],
    }),
  );
  const image = await readFarmImage(dir);
  assert.ok(image);
  assert.equal(image.squashfs, join(dir, 'images', 'amd64.img'));
  assert.equal(image.tftpRoot, join(dir, 'tftp'));
  assert.equal(image.exportName, 'amd64');
  assert.deepEqual(image.bootFiles, { ipxe: 'ltsp.ipxe', bios: 'ltsp/amd64/pxelinux.0' });
  assert.equal(image.ltsConfPath, 'ltsp/amd64/lts.conf');
  assert.equal(image.kernelVersion, '6.1.0-56-amd64');
});

test('no manifest, a broken one, or an export without a squashfs is no image', async () => {
  assert.equal(await readFarmImage(folder('none')), undefined);
  assert.equal(await readFarmImage(folder('broken', '{"format": 1, "tftpRoot": ')), undefined);
  assert.equal(await readFarmImage(folder('other', '{"format": 2}')), undefined);
  assert.equal(await readFarmImage(folder('nosquash', JSON.stringify({ version: 1, files: [{ path: 'tftp/x', role: 'tftp' }] }))), undefined);
});
