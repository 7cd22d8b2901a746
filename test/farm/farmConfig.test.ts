/** What `farm/start` fills in from the workspace folder when a path is left out. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { FarmConfigError, resolveFarmConfig } from '../../server/src/farm/farm';

function folder(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-farm-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    if (path.endsWith('/')) mkdirSync(join(dir, path), { recursive: true });
    else writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('the image build export layout: tftpboot/ and images/NAME.img, with LTSP names and lts.conf paths', async (t) => {
  const dir = folder(t, { 'dhcpd.conf': '', 'lts.conf': '', '.netboot/tftpboot/': '', '.netboot/tftp/': '', '.netboot/images/amd64.img': 'x' });
  const config = await resolveFarmConfig({ folder: dir });
  assert.equal(config.dhcpdConf, join(dir, 'dhcpd.conf'));
  assert.equal(config.tftpRoot, join(dir, '.netboot', 'tftpboot'), 'tftpboot/ wins over tftp/');
  assert.equal(config.httpRoot, config.tftpRoot);
  assert.deepEqual(config.nbdExports, [{ name: 'amd64', file: join(dir, '.netboot', 'images', 'amd64.img'), aliases: ['x86_64', 'ltsp_amd64'] }]);
  assert.deepEqual([...config.ltsConfTftpPaths].sort(), ['ltsp/amd64/lts.conf', 'ltsp/ltsp_amd64/lts.conf', 'ltsp/x86_64/lts.conf']);
  assert.equal(config.leaseFile, join(dir, '.netboot', 'dhcpd.leases'));
  assert.equal(config.network, 'auto');
});

test("an image manifest.json names the tree, the squashfs and where lts.conf is served", async (t) => {
  const manifest = { format: 1, tftpRoot: 'tree', squashfs: 'root.squashfs', exportName: 'amd64', nbdPort: 10809, bootFiles: { ipxe: 'a', bios: 'b', efi: 'c' }, ltsConfPath: 'boot/lts.conf', key: '0123456789abcdef', files: [{ path: 'root.squashfs', role: 'squashfs', size: 1, sha256: '' }] };
  const dir = folder(t, { 'img/manifest.json': JSON.stringify(manifest), 'img/tree/': '', 'img/root.squashfs': 'x' });
  const config = await resolveFarmConfig({ folder: dir, image: 'img' });
  assert.equal(config.tftpRoot, join(dir, 'img', 'tree'));
  assert.equal(config.nbdExports[0]?.file, join(dir, 'img', 'root.squashfs'));
  assert.ok(config.ltsConfTftpPaths.includes('boot/lts.conf'));
  assert.equal(config.dhcpdConf, undefined);
  assert.match(config.notFound.dhcpdConf ?? '', /dhcpd\.conf$/);
});

test('a missing folder, a given path that does not exist, or an image folder without a manifest: clear errors', async (t) => {
  await assert.rejects(resolveFarmConfig({ folder: '/nonexistent/farm' }), (e: Error) => e instanceof FarmConfigError && /^\/nonexistent\/farm: no such folder/.test(e.message));
  const dir = folder(t, { 'dhcpd.conf': '' });
  await assert.rejects(resolveFarmConfig({ folder: dir, ltsConf: 'conf/lts.conf' }), new RegExp(`${join(dir, 'conf', 'lts.conf')}: no such file \\(given as ltsConf`));
  await assert.rejects(resolveFarmConfig({ folder: dir, image: '.' }), /no image here \(no readable manifest\.json\)/);
  const bare = await resolveFarmConfig({ folder: dir });
  assert.equal(bare.tftpRoot, undefined);
  assert.deepEqual(bare.nbdExports, []);
  assert.match(bare.notFound.tftpRoot ?? '', /tftpboot or .*tftp$/);
});
