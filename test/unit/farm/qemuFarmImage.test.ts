import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { manifestJson, netbootManifest } from '../../../server/src/farm/build/artifactManifest';
import { readFarmImage, type FarmImage } from '../../../server/src/farm/image/farmImage';

const scratch = mkdtempSync(join(tmpdir(), 'nbf-farm-image-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function folder(name: string, manifest?: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  if (manifest !== undefined) writeFileSync(join(dir, 'manifest.json'), manifest);
  return dir;
}

test("an image folder's manifest keeps paths relative, so the folder can move", async () => {
  const files = [
    { path: 'amd64.img', role: 'squashfs' as const, size: 1, sha256: 'aa' },
    { path: 'tftp/ltsp/amd64/boot.ipxe', role: 'tftp' as const, size: 1, sha256: 'bb' },
    { path: 'tftp/ltsp/amd64/pxelinux.0', role: 'tftp' as const, size: 1, sha256: 'cc' },
    { path: 'tftp/boot/grub/x86_64-efi/core.efi', role: 'tftp' as const, size: 1, sha256: 'dd' },
  ];
  const manifest = netbootManifest(files, { tftpRoot: 'tftp', kernelVersion: '6.1.0-56-amd64', key: '0123456789abcdef' });
  const text = manifestJson(manifest);
  assert.equal(JSON.parse(text).tftpRoot, 'tftp');
  const moved = folder('moved', text);
  const image: FarmImage = {
    dir: moved,
    tftpRoot: join(moved, 'tftp'),
    squashfs: join(moved, 'amd64.img'),
    exportName: 'amd64',
    nbdPort: 10809,
    bootFiles: { ipxe: 'ltsp/amd64/boot.ipxe', bios: 'ltsp/amd64/pxelinux.0', efi: 'boot/grub/x86_64-efi/core.efi' },
    ltsConfPath: 'ltsp/amd64/lts.conf',
    kernelVersion: '6.1.0-56-amd64',
    key: '0123456789abcdef',
  };
  assert.deepEqual(await readFarmImage(moved), image);
});

test('no manifest, a broken one, another format, or one without a squashfs is no image', async () => {
  assert.equal(await readFarmImage(folder('none')), undefined);
  assert.equal(await readFarmImage(folder('broken', '{"format": 1, "tftpRoot": ')), undefined);
  assert.equal(await readFarmImage(folder('other', '{"format": 2}')), undefined);
  // The build export's first format (version 1, files only) is no longer read: a rebuild writes format 1.
  assert.equal(await readFarmImage(folder('old-build', JSON.stringify({ version: 1, files: [{ path: 'images/amd64.img', role: 'squashfs' }] }))), undefined);
  assert.equal(await readFarmImage(folder('nosquash', manifestJson(netbootManifest([{ path: 'tftp/x', role: 'tftp', size: 1, sha256: '' }], { tftpRoot: 'tftp' })))), undefined);
});
