import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dockerfileService } from '../../../server/src/lang/dockerfile/dockerfileLanguage';
import { dockerfileRules } from '../../../server/src/lang/dockerfile/dockerfileRules';
import { random } from '../../support/random';


const corpus = join(__dirname, '..', '..', 'corpus', 'dockerfile');
const seeds = readdirSync(corpus).map((f) => readFileSync(join(corpus, f), 'utf8'));
const pieces = ['\n', '\r\n', '\\\n', '"', "'", '`', '$(', ')', '${', '<<EOF\n', 'EOF\n', '#', ' && ', '|', ';', 'FROM x AS y\n', '--from=', 'ltsp-chroot ', 'chroot ', 'sh -c ', '\u0000', 'é'];

test('every feature survives randomly mutated Dockerfiles', async () => {
  const next = random(20240611);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  for (let round = 0; round < 300; round++) {
    let text = pick(seeds);
    for (let edits = 1 + Math.floor(next() * 6); edits > 0; edits--) {
      const at = Math.floor(next() * (text.length + 1));
      text = next() < 0.6 ? text.slice(0, at) + pick(pieces) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 30));
    }
    const lines = text.split(/\r\n|\n|\r/);
    const line = Math.floor(next() * lines.length);
    const position = { line, character: Math.floor(next() * ((lines[line]?.length ?? 0) + 1)) };
    try {
      const diagnostics = await dockerfileService.validate(text);
      for (const d of diagnostics) assert.ok(d.code && String(d.code) in dockerfileRules);
      dockerfileService.complete!(text, position);
      dockerfileService.hover!(text, position);
      dockerfileService.symbols!(text);
      dockerfileService.codeLenses!(text, 'file:///fuzz/Dockerfile');
    } catch (error) {
      assert.fail(`round ${round} threw on ${JSON.stringify(text)} at ${JSON.stringify(position)}: ${(error as Error).stack}`);
    }
  }
});

test('every DKR code has a positive case in the inline tests', () => {
  const sources = readdirSync(__dirname)
    .filter((f) => f.endsWith('Diagnostics.test.ts'))
    .map((f) => readFileSync(join(__dirname, f), 'utf8'))
    .join('\n');
  // A positive case lists the code among the expected ones: ['DKR0xx'...
  for (const code of Object.keys(dockerfileRules)) assert.match(sources, new RegExp(`\\[[^\\]]*'${code}'`), code);
});
