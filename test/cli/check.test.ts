import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliSandbox } from '../support/cli';

const { dir, cli, file } = cliSandbox('nbf-cli-');

test('check: exit 0 without errors, text report with file:line:col', () => {
  const path = file('lts.conf', '[Default]\nLDM_LENGUAGE = x\n');
  const r = cli('check', path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lts\.conf:2:1: warning LTS010 Unknown variable `LDM_LENGUAGE`/);
  assert.match(r.stdout, /1 file\(s\) checked: 0 error\(s\), 1 warning\(s\)/);
});

test('check: exit 1 on errors; JSON has LSP ranges and severities', () => {
  const path = file('bad.lts.conf', 'SERVER = 1\n[Default]\nSCREEN_07 = ldm\n');
  const r = cli('check', '--format', 'json', path);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { file: string; diagnostics: { range: unknown; severity: number; code: string; message: string }[] }[];
  assert.equal(report[0]!.file, path);
  assert.deepEqual(report[0]!.diagnostics.map((d) => [d.code, d.severity, d.range]), [['LTS001', 1, { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } }]]);
});

test('check: SARIF 2.1.0 with 1-based regions', () => {
  const path = file('ltsp.conf', '[clients]\nIMAGE_TO_RAM=True\n');
  const r = cli('check', '--format=sarif', path);
  const sarif = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0]!.results[0]!.ruleId, 'LTSP010');
  assert.equal(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine, 2);
});

test('check: --language overrides detection', () => {
  const path = file('site-config.txt', '[clients]\nIMAGE_TO_RAM=1\n');
  assert.equal(cli('check', path).code, 2);
  const r = cli('check', '--language', 'ltspconf', path);
  assert.equal(r.code, 0, r.stderr);
});

test('check: usage errors exit 2 with a message', () => {
  const missing = cli('check', join(dir, 'nope', 'lts.conf'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file/);
  const unknown = cli('check', '--language', 'cobol', file('lts.conf', '[a]\nB=1\n'));
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown language "cobol" \(known: ltsconf, ltspconf/);
  assert.equal(cli('check').code, 2);
  assert.equal(cli('frobnicate').code, 2);
  assert.match(cli('check', '--colour', 'x').stderr, /unknown option --colour/);
});

test('effective: prints the merged settings with their lines', () => {
  const path = file('lts.conf', '[Default]\nSCREEN_07 = ldm\n[pc01]\nSCREEN_07 = shell\n');
  const r = cli('effective', '--client', 'pc01', path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sections applied, in order: \[Default\] \[pc01\]/);
  assert.match(r.stdout, /SCREEN_07=shell +# .*lts\.conf:4 \[pc01\]/);
});
