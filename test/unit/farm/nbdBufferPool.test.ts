import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from '../../../server/src/farm/nbd/bufferPool';

test('buffers come back for reuse by size class, with headroom, up to the cap', () => {
  const pool = new BufferPool(1024 * 1024, 512 * 1024 + 16, 16);
  const a = pool.take(16 + 256 * 1024);
  assert.equal(a.length, 16 + 256 * 1024);
  pool.give(a);
  assert.equal(pool.bytes, a.length);
  // An odd length in the same class gets the same buffer back.
  assert.equal(pool.take(16 + 200_000), a);
  assert.equal(pool.bytes, 0);
  assert.equal(pool.take(20).length, 16 + 4096, 'small sizes share the smallest class');
  // Over the largest class: exact size, never kept.
  const big = pool.take(600 * 1024);
  assert.equal(big.length, 600 * 1024);
  pool.give(big);
  assert.equal(pool.bytes, 0);
  // A buffer that is not one of the pool's sizes is not kept either.
  pool.give(Buffer.alloc(1000));
  assert.equal(pool.bytes, 0);
  // The cap: 1 MiB holds three 256 KiB (+16) buffers, not four.
  const four = [1, 2, 3, 4].map(() => pool.take(16 + 256 * 1024));
  four.forEach((b) => pool.give(b));
  assert.equal(pool.bytes, 3 * (16 + 256 * 1024));
});
