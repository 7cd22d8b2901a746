import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, parsePreviewLine } from '../../../client/src/preview/jsonLines';

test('lines split across chunks are put back together, CRLF and blank lines included', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('{"a":'), []);
  assert.deepEqual(splitter.push('1}\r\n\n{"b"'), ['{"a":1}']);
  assert.deepEqual(splitter.push(':2}\n{"c":3}'), ['{"b":2}']);
  assert.deepEqual(splitter.end(), ['{"c":3}']);
  assert.deepEqual(splitter.end(), []);
});

test('a line that never ends is dropped past the limit, and the stream recovers at the next newline', () => {
  const dropped: number[] = [];
  const splitter = new LineSplitter(10, (n) => dropped.push(n));
  assert.deepEqual(splitter.push('x'.repeat(12)), []);
  assert.deepEqual(dropped, [12]);
  assert.deepEqual(splitter.push('yyy\nok\n'), ['ok']);
  assert.deepEqual(splitter.push('fine\n'), ['fine']);
});

test('every output type of the contract parses', () => {
  const lines = [
    { type: 'event', event: { time: 1, layer: 'dhcp', kind: 'lease', message: 'DHCPACK', node: '52:54:00:00:00:01', origin: { file: '/f/dhcpd.conf', line: 3 } } },
    { type: 'status', status: { state: 'running', servers: [], missing: [], taps: [] }, image: '/img', nodes: [{ name: 'node01', mac: '52:54:00:00:00:01', firmware: 'bios', state: 'starting', reached: [] }] },
    { type: 'screenshot', node: 'node01', png: 'iVBORw0KGgo=' },
    { type: 'reply', id: 4, ok: false, error: 'no such node' },
    { type: 'ended', ok: true, reason: 'stopped' },
  ];
  for (const line of lines) {
    const parsed = parsePreviewLine(JSON.stringify(line));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.deepEqual(parsed.output, line);
  }
});

test('malformed lines are problems with the reason and an excerpt, never exceptions', () => {
  const cases: [string, RegExp][] = [
    ['netboot-farm: starting', /^not JSON: netboot-farm: starting$/],
    ['[1,2]', /not an output object with a type/],
    ['{"type":"bogus"}', /unknown output type "bogus"/],
    ['{"type":"constructor"}', /unknown output type "constructor"/],
    ['{"type":"event","event":{"time":"soon","layer":"dhcp","kind":"x","message":"m"}}', /an event needs time, layer, kind and message/],
    ['{"type":"event","event":{"time":1,"layer":"dhcp","kind":"x","message":"m","origin":{"file":1}}}', /origin needs file and line/],
    ['{"type":"status","status":{},"nodes":[{"name":"n"}]}', /a status line needs status and nodes/],
    ['{"type":"reply","id":"1","ok":true}', /a reply line needs id and ok/],
    ['{"type":"screenshot","node":"n"}', /needs node and png/],
    ['{"type":"ended"}', /an ended line needs ok/],
    [`{"type":"bogus","pad":"${'x'.repeat(500)}"}`, /…$/],
  ];
  for (const [line, problem] of cases) {
    const parsed = parsePreviewLine(line);
    assert.equal(parsed.ok, false, line);
    if (!parsed.ok) assert.match(parsed.problem, problem);
  }
});
