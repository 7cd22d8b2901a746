import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { serviceFor } from '../../server/src/lang';
import { shell } from '../support/shell';

const corpus = join(__dirname, '..', 'corpus');
const languageOf: Record<string, string> = { 'lts-conf': 'ltsconf', 'ltsp-conf': 'ltspconf' };

const rows = readFileSync(join(corpus, 'SOURCES.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([file, repo, , , , verdict]) => ({ file: file!, repo: repo!, verdict: verdict! }));

test('the corpus has every language this issue covers', () => {
  assert.ok(rows.filter((r) => r.file.startsWith('lts-conf/')).length >= 9);
  assert.ok(rows.filter((r) => r.file.startsWith('ltsp-conf/')).length >= 4);
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
