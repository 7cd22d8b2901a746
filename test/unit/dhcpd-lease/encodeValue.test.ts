import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeDomainNames, encodeOptionValue } from '../../../server/src/lang/dhcpd/lease/encodeValue';
import { lexDhcpdConf } from '../../../server/src/lang/dhcpd/lexer';
import { parseFormat, type OptionType } from '../../../server/src/lang/dhcpd/optionTypes';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function encode(format: string, value: string) {
  const type = parseFormat(format) as OptionType;
  assert.ok(type, format);
  return encodeOptionValue(type, lexDhcpdConf(value).tokens);
}

function ok(format: string, value: string): string {
  const r = encode(format, value);
  assert.ok(r.ok, `${format} ${value}: ${!r.ok ? r.error : ''}`);
  return hex(r.data);
}

function fails(format: string, value: string, message: RegExp): void {
  const r = encode(format, value);
  assert.equal(r.ok, false, `${format} ${value} should fail`);
  assert.match((r as { error: string }).error, message);
}

test('addresses: one, arrays, pairs; DNS names are flagged, not guessed', () => {
  assert.equal(ok('I', '192.168.67.1'), 'c0a84301');
  assert.equal(ok('IA', '192.168.67.1, 8.8.8.8'), 'c0a8430108080808');
  assert.equal(ok('IIA', '10.0.0.0 255.0.0.0, 10.1.0.0 255.255.0.0'), '0a000000ff0000000a010000ffff0000');
  const r = encode('IA', 'ns1.example.org');
  assert.equal(r.ok, false);
  assert.equal((r as { unresolvedName?: string }).unresolvedName, 'ns1.example.org');
  fails('I', '300.1.1.1', /not an IPv4 address/);
  fails('I', '1.2.3.4, 5.6.7.8', /unexpected ","/);
});

test('integers of each width and sign, with their bounds', () => {
  assert.equal(ok('B', '255'), 'ff');
  assert.equal(ok('b', '-1'), 'ff');
  assert.equal(ok('S', '0x1234'), '1234');
  assert.equal(ok('s', '-2'), 'fffe');
  assert.equal(ok('L', '4294967295'), 'ffffffff');
  assert.equal(ok('l', '-3600'), 'fffff1f0');
  assert.equal(ok('Sa', '0, 7, 9'), '000000070009');
  fails('B', '256', /does not fit an unsigned 8-bit integer \(0\.\.255\)/);
  fails('b', '128', /signed 8-bit/);
  fails('S', 'ten', /not an integer/);
  assert.equal(ok('T', 'infinite'), 'ffffffff');
  assert.equal(ok('T', '-1'), 'ffffffff');
});

test('text, strings as quoted text or hex, booleans', () => {
  assert.equal(ok('t', '"ltsp"'), Buffer.from('ltsp').toString('hex'));
  fails('t', 'ltsp', /quoted/);
  assert.equal(ok('X', '"PXEClient"'), Buffer.from('PXEClient').toString('hex'));
  assert.equal(ok('X', '01:01:02:08:04:01:00:00:01:82'), '01010208040100000182');
  assert.equal(ok('f', 'on'), '01');
  assert.equal(ok('f', 'false'), '00');
  fails('f', 'yes', /not a boolean/);
});

test('domain lists per RFC 1035, compressed per RFC 3397 as dhcpd 4.4 sends domain-search', () => {
  // Bytes captured from dhcpd 4.4.3 answering `option domain-search "a.example", "b.example";`.
  assert.equal(ok('Dc', '"a.example", "b.example"'), '0161076578616d706c65000162c002');
  assert.equal(ok('D', '"a.example", "b.example"'), '0161076578616d706c6500' + '0162076578616d706c6500');
  assert.equal(hex(encodeDomainNames(['example.org', 'www.example.org', 'example.org'], true) as Uint8Array), '076578616d706c65036f726700' + '03777777c000' + 'c000');
  assert.match(encodeDomainNames(['a..b'], false) as string, /empty label/);
  assert.match(encodeDomainNames(['x'.repeat(64) + '.org'], false) as string, /longer than 63/);
});

test('records: fixed fields, then the last one repeated', () => {
  // fIa: a flag, then a list of addresses (slp-directory-agent).
  assert.equal(ok('fIa', 'true 10.0.0.1, 10.0.0.2'), '010a0000010a000002');
  // BB: two unsigned bytes, no repetition.
  assert.equal(ok('BB', '1 2'), '0102');
  fails('BB', '1', /missing a value/);
  fails('BB', '1 2 3', /unexpected "3"/);
});
