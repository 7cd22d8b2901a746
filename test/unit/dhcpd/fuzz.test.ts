// 5,000 random and mutated dhcpd.conf texts through every feature of the
// service: none may throw, and the parser must keep its promises (ranges
// inside the document, tokens in order) on all of them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dhcpdService } from '../../../server/src/lang/dhcpd/dhcpdLanguage';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';
import { cpuMillis } from '../../support/cpuTime';
import { mutate, random, randomText } from '../../support/random';

const corpus = join(__dirname, '..', '..', 'corpus', 'dhcpd-conf');
const seeds = readdirSync(corpus).map((f) => readFileSync(join(corpus, f), 'utf8'));
const pieces = [
  '{', '}', ';', ',', '(', ')', '"', '#', '=', '!=', '~~', ':', '\n', '\r\n', '\r', ' ', '\t', '\\', '-', '/',
  'subnet 10.0.0.0 netmask 255.255.255.0 {', 'host ', 'option ', 'option arch code 93 = unsigned integer 16;', 'option space x;',
  'if ', 'elsif ', 'else ', 'exists ', 'substring(', 'option vendor-class-identifier', '00:07', '10.0.0.', 'range ', 'pool {',
  'class "c" { match if ', 'array of { ', 'next-server ', 'filename "', 'hardware ethernet ', 'fixed-address ', 'and ', 'or ', 'not ',
  'switch (', 'case ', 'default:', 'include "', '-1', '4294967296', '\u0000', 'é', '😀',
];

async function runAll(text: string, position: { line: number; character: number }, what: string): Promise<void> {
  try {
    const diagnostics = await dhcpdService.validate(text);
    dhcpdService.complete!(text, position);
    dhcpdService.hover!(text, position);
    dhcpdService.symbols!(text);
    dhcpdService.folding!(text);
    dhcpdService.format!(text, { tabSize: 2, insertSpaces: true });
    dhcpdService.codeActions!('file:///fuzz/dhcpd.conf', text, { start: position, end: position }, diagnostics);
    const { tree } = parseDhcpdConf(text);
    let previous = -1;
    for (const t of tree.tokens) {
      assert.ok(t.start >= previous && t.end > t.start && t.end <= text.length, 'tokens in order, inside the text');
      previous = t.end;
    }
  } catch (error) {
    assert.fail(`${what} threw: ${error instanceof Error ? error.stack : String(error)}\n${JSON.stringify(text)}`);
  }
}

test('5,000 random and mutated dhcpd.conf inputs: no exception, each under 100 ms of CPU', async (t) => {
  // Start-up costs (loading, JIT) are paid by untimed inputs of another seed first.
  const warm = random(7);
  for (let i = 0; i < 300; i++) await runAll(mutate(warm, seeds[i % seeds.length]!, pieces), { line: 1, character: 1 }, `warm-up input ${i}`);
  const seed = Number(process.env.FUZZ_SEED ?? 20261125);
  const next = random(seed);
  let slowest = 0;
  for (let i = 0; i < 5000; i++) {
    const text = next() < 0.2 ? randomText(next, pieces, 60) : mutate(next, seeds[Math.floor(next() * seeds.length)]!, pieces);
    const lines = text.split(/\r\n|\r|\n/);
    const line = Math.floor(next() * lines.length);
    const position = { line, character: Math.floor(next() * ((lines[line]?.length ?? 0) + 2)) };
    const elapsed = await cpuMillis(() => runAll(text, position, `input ${i} (seed ${seed})`));
    slowest = Math.max(slowest, elapsed);
    assert.ok(elapsed < 100, `input ${i} (seed ${seed}) took ${elapsed.toFixed(1)} ms:\n${JSON.stringify(text)}`);
  }
  t.diagnostic(`slowest input: ${slowest.toFixed(1)} ms of CPU`);
});
