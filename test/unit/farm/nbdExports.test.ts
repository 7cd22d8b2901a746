import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExportTable, ltspExportNames } from '../../../server/src/farm/nbd/exports';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-nbd-exports-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** How many of this process's descriptors point at `path`. */
function openCount(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
    } catch {
      return false;
    }
  }).length;
}

test('LTSP names: CPU type, Debian architecture and ltsp_ prefix, from either spelling', () => {
  assert.deepEqual(ltspExportNames('amd64'), ['x86_64', 'amd64', 'ltsp_amd64']);
  assert.deepEqual(ltspExportNames('x86_64'), ['x86_64', 'amd64', 'ltsp_amd64']);
  assert.deepEqual(ltspExportNames('i386'), ['x86_32', 'i386', 'ltsp_i386']);
  assert.deepEqual(ltspExportNames('riscv64'), ['riscv64', 'ltsp_riscv64']);
});

test('names, aliases and the default export resolve; the list shows each export once', (t) => {
  const dir = scratch(t);
  const table = new ExportTable([
    { name: 'x86_64', file: join(dir, 'a.img'), aliases: ['amd64', 'ltsp_amd64'] },
    { name: 'arm64', file: join(dir, 'b.img'), default: true, description: 'Raspberry Pi' },
  ]);
  assert.equal(table.resolve('ltsp_amd64')?.name, 'x86_64');
  assert.equal(table.resolve('amd64')?.name, 'x86_64');
  assert.equal(table.resolve('')?.name, 'arm64');
  assert.equal(table.resolve('AMD64'), undefined);
  assert.deepEqual(table.list(), [
    { name: 'x86_64', description: 'also: amd64, ltsp_amd64' },
    { name: 'arm64', description: 'Raspberry Pi; also: "" (default)' },
  ]);
  assert.equal(new ExportTable([{ name: 'one', file: 'x' }]).resolve('')?.name, 'one');
});

test('conflicting names are refused with the fix in the message', () => {
  assert.throws(() => new ExportTable([{ name: 'a', file: '/1' }, { name: 'b', file: '/2', aliases: ['a'] }]), /"a" is used by both \/1 and \/2/);
  assert.throws(() => new ExportTable([{ name: 'a', file: '/1', aliases: [''] }]), /mark one export `default: true`/);
  assert.throws(() => new ExportTable([{ name: 'a', file: '/1', default: true }, { name: 'b', file: '/2', default: true }]), /only one/);
  assert.throws(() => new ExportTable([{ name: 'a\0b', file: '/1' }]), /no NUL/);
});

test('one descriptor is shared; a replaced image is opened anew while old holders keep the old one', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'image.img');
  writeFileSync(file, Buffer.alloc(4096, 1));
  const table = new ExportTable([{ name: 'x86_64', file }]);
  const config = table.resolve('x86_64')!;
  const a = await table.acquire(config);
  const b = await table.acquire(config);
  assert.equal(a.fd, b.fd);
  assert.equal(a.size, 4096);

  // An image rebuild writes a new file and renames it over the old one.
  writeFileSync(join(dir, 'new.img'), Buffer.alloc(8192, 2));
  renameSync(join(dir, 'new.img'), file);
  const c = await table.acquire(config);
  assert.notEqual(c.fd, a.fd);
  assert.equal(c.size, 8192);
  assert.equal(a.size, 4096, 'a holder keeps the version it started with');

  a.release();
  a.release(); // twice is harmless
  assert.equal(openCount(dir), 2, 'the old version stays open while b holds it');
  b.release();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(openCount(dir), 1, 'the old version closes after its last holder');
  c.release();
  assert.equal(await table.sizeOf(config), 8192);
  table.closeAll();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(openCount(dir), 0);
});

test('a missing or non-regular file is an error at acquire time, not a crash', async (t) => {
  const dir = scratch(t);
  const table = new ExportTable([
    { name: 'gone', file: join(dir, 'missing.img') },
    { name: 'dir', file: dir },
  ]);
  await assert.rejects(table.acquire(table.resolve('gone')!), /ENOENT/);
  await assert.rejects(table.acquire(table.resolve('dir')!), /not a regular file/);
});
