import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SharedFiles, toNetascii } from '../../../server/src/farm/tftp/fileSource';
import { random } from '../../support/random';

test('reads at any offset and length match the file, across chunk boundaries, within the cache bound', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-tftp-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = randomBytes(100_000);
  writeFileSync(join(dir, 'kernel'), bytes);
  const files = new SharedFiles({ chunkBytes: 4096, cacheBytes: 20_000 });
  t.after(() => files.close());
  const a = await files.open(join(dir, 'kernel'));
  const b = await files.open(join(dir, 'kernel'));
  assert.equal(a.size, 100_000);
  const rnd = random(2348);
  for (let i = 0; i < 2000; i++) {
    const offset = Math.floor(rnd() * 100_000);
    const length = Math.min(Math.floor(rnd() * 9000), 100_000 - offset);
    const source = i % 2 ? a : b;
    const got = await source.read(offset, length);
    assert.ok(got.equals(bytes.subarray(offset, offset + length)), `offset ${offset} length ${length}`);
    assert.ok(files.residentBytes <= 20_000, `cache holds ${files.residentBytes} bytes`);
  }
  assert.equal((await a.read(99_990, 512)).length, 10, 'a read past the end is short');
  a.release();
  b.release();
});

test('a file replaced on disk is read afresh, never half old', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-tftp-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'lts.conf');
  writeFileSync(path, 'A'.repeat(10_000));
  const files = new SharedFiles({ chunkBytes: 4096 });
  t.after(() => files.close());
  const first = await files.open(path);
  assert.equal((await first.read(0, 4)).toString(), 'AAAA');
  writeFileSync(join(dir, 'next'), 'B'.repeat(12_000));
  rmSync(path);
  writeFileSync(path, 'B'.repeat(12_000));
  const second = await files.open(path);
  assert.equal(second.size, 12_000);
  assert.equal((await second.read(0, 4)).toString(), 'BBBB');
  assert.equal((await first.read(8000, 4)).toString(), 'AAAA', 'the transfer that began on the old file finishes it');
  first.release();
  second.release();
});

test('netascii: LF becomes CR LF, a lone CR becomes CR NUL', () => {
  assert.deepEqual(toNetascii(Buffer.from('a\nb\rc\r\n')), Buffer.from('a\r\nb\r\0c\r\0\r\n', 'latin1'));
});
