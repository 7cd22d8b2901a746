import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { serviceFor } from '../../server/src/lang';
import { shell } from '../support/shell';

const corpus = join(__dirname, '..', 'corpus');
const languageOf: Record<string, string> = { 'lts-conf': 'ltsconf', 'ltsp-conf': 'ltspconf', dockerfile: 'dockerfile', 'dhcpd-conf': 'dhcpd' };

const rows = readFileSync(join(corpus, 'SOURCES.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([file, repo, , , , verdict]) => ({ file: file!, repo: repo!, verdict: verdict! }));

test('the corpus has every language this issue covers', () => {
  assert.ok(rows.filter((r) => r.file.startsWith('lts-conf/')).length >= 9);
  assert.ok(rows.filter((r) => r.file.startsWith('ltsp-conf/')).length >= 4);
  assert.ok(rows.filter((r) => r.file.startsWith('dockerfile/')).length >= 4);
  assert.ok(rows.filter((r) => r.file.startsWith('dhcpd-conf/')).length >= 8);
});

for (const row of rows) {
  const language = languageOf[row.file.split('/')[0]!];
  if (!language) continue;
  const broken = row.verdict.startsWith('broken');
  test(`${row.file} (${row.repo}) is ${broken ? 'broken' : 'valid'}`, async () => {
    const text = readFileSync(join(corpus, row.file), 'utf8');
    const diagnostics = await serviceFor(language)!.validate(text, { shell });
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    const listing = diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('\n');
    if (broken) assert.ok(errors.length > 0, `expected at least one error (${row.verdict}); got:\n${listing}`);
    else assert.deepEqual(errors.map((d) => `${d.range.start.line + 1} ${d.code} ${d.message}`), [], `expected no errors; all diagnostics:\n${listing}`);
  });
}

/**
 * Mutated copies of the valid Dockerfiles: each mutation is a mistake that
 * breaks the build, so each must give at least one error. A mutation that
 * does not apply to a file (no COPY --from to rename) makes no test for it.
 */
const mutations: { name: string; code: string; mutate: (text: string) => string | undefined }[] = [
  {
    name: 'COPY --from naming a missing stage',
    code: 'DKR002',
    mutate: (text) => (/--from=[\w.-]+/.test(text) ? text.replace(/--from=([\w.-]+)/, '--from=$1-missing') : undefined),
  },
  {
    name: 'a duplicated stage name',
    code: 'DKR005',
    mutate: (text) => {
      const names = [...text.matchAll(/^FROM\s+\S+\s+as\s+([\w.-]+)/gim)].map((m) => m[1]!);
      if (names.length < 2) return undefined;
      return text.replace(new RegExp(`(^FROM\\s+\\S+\\s+as\\s+)${names[1]!.replace(/[.-]/g, '\\$&')}\\b`, 'im'), `$1${names[0]!.toUpperCase()}`);
    },
  },
  { name: 'a misspelt instruction', code: 'DKR001', mutate: (text) => text.replace(/^RUN /m, 'RUNN ') },
];

let mutated = 0;
for (const row of rows.filter((r) => r.file.startsWith('dockerfile/') && !r.verdict.startsWith('broken'))) {
  const original = readFileSync(join(corpus, row.file), 'utf8');
  for (const { name, code, mutate } of mutations) {
    const text = mutate(original);
    if (text === undefined) continue;
    mutated++;
    test(`${row.file} with ${name} gives an error`, async () => {
      assert.notEqual(text, original);
      const diagnostics = await serviceFor('dockerfile')!.validate(text);
      const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
      assert.ok(errors.some((d) => d.code === code), diagnostics.map((d) => `${d.range.start.line + 1} ${d.code} ${d.message}`).join('\n'));
    });
  }
}

test('every mutation applies to at least one corpus Dockerfile', () => {
  assert.ok(mutated >= mutations.length * 2, `only ${mutated} mutated copies`);
});
