import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideRange } from '../../../server/src/farm/http/range';

test('a single byte range: first-last, open-ended, suffix, clamped to the file', () => {
  assert.deepEqual(decideRange('bytes=0-99', 1000), { kind: 'partial', start: 0, end: 99 });
  assert.deepEqual(decideRange('bytes=500-', 1000), { kind: 'partial', start: 500, end: 999 });
  assert.deepEqual(decideRange('bytes=-100', 1000), { kind: 'partial', start: 900, end: 999 });
  assert.deepEqual(decideRange('bytes=-5000', 1000), { kind: 'partial', start: 0, end: 999 });
  assert.deepEqual(decideRange('bytes=990-5000', 1000), { kind: 'partial', start: 990, end: 999 });
  assert.deepEqual(decideRange('Bytes = 7 - 7', 1000), { kind: 'partial', start: 7, end: 7 });
});

test('unsatisfiable ranges: past the end, empty suffix, anything of an empty file', () => {
  assert.deepEqual(decideRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=5000-6000', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
});

test('what is ignored (the whole file is served): none, bad syntax, reversed, several ranges, other units', () => {
  for (const header of [undefined, '', 'bytes=', 'bytes=-', 'bytes=abc', 'bytes=9-3', 'bytes=0-1,5-6', 'items=0-5', 'bytes=99999999999999999999-']) {
    assert.deepEqual(decideRange(header, 1000), { kind: 'full' }, String(header));
  }
});
