/** `netboot-farm boot` refusing clearly, before any VM starts. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bootSandbox } from './bootCli';

const sandbox = bootSandbox();

function farmFolder(name: string, files: Record<string, string>): string {
  const dir = join(sandbox.tmp, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

test('a folder with a Dockerfile but no built image says which build to run', async () => {
  const folder = farmFolder('unbuilt', { Dockerfile: 'FROM debian:bookworm\n', 'lts.conf': '[default]\nSCREEN_07 = shell\n' });
  const run = await sandbox.run(['boot', folder, '--headless'], 60_000);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`netboot-farm boot: ${join(folder, '.netboot')}: no built image .*run \`netboot-farm build ${folder}\` first, or pass --example-image`));
});

test('a dhcpd.conf subnet the private LAN cannot use is named with its file and line', { timeout: 120_000 }, async () => {
  const folder = farmFolder('badsubnet', { 'dhcpd.conf': '# a typo in the subnet address\nsubnet 192.168.67.5 netmask 255.255.255.0 {\n  range 192.168.67.100 192.168.67.199;\n}\n' });
  const run = await sandbox.run(['boot', folder, '--example-image', '--headless', '--network', 'isolated'], 110_000);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`netboot-farm boot: ${join(folder, 'dhcpd.conf')}:2: 192\\.168\\.67\\.5 has host bits set`));
});

test('bad options are usage errors (exit 2)', async () => {
  for (const args of [
    ['--nodes', '0'],
    ['--firmware', 'coreboot'],
    ['--timeout', 'soon'],
    ['--expect', '(unclosed'],
    ['--network', 'wifi'],
  ]) {
    const run = await sandbox.run(['boot', 'examples/farm', ...args], 30_000);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /^netboot-farm boot: .*\nusage: netboot-farm boot \[FOLDER\]/);
  }
});
