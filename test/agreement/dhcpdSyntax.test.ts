// Agreement with the real thing: ISC `dhcpd -t` and our checker read the same
// dhcpd.conf files — the public corpus, the example farm's config, and
// mutated copies of the valid ones — and must reach the same verdict (error or
// not), with our first error within one line of dhcpd's. Our deliberate
// differences are listed in dhcpdDisagreements.json, each with its reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { Statement } from '../../server/src/lang/dhcpd/ast';
import { dhcpdService } from '../../server/src/lang/dhcpd/dhcpdLanguage';
import { walkStatements } from '../../server/src/lang/dhcpd/dhcpdModel';
import { parseDhcpdConf } from '../../server/src/lang/dhcpd/parser';

const DHCPD = '/usr/sbin/dhcpd';
const root = join(__dirname, '..', '..');
const corpusDir = join(root, 'test', 'corpus', 'dhcpd-conf');

interface Disagreement {
  readonly case: string;
  readonly dhcpd: 'error' | 'ok';
  readonly ours: 'error' | 'ok';
  readonly why: string;
}
const disagreements: readonly Disagreement[] = JSON.parse(readFileSync(join(__dirname, 'dhcpdDisagreements.json'), 'utf8')).cases;

interface DhcpdVerdict {
  readonly ok: boolean;
  /** 0-based line of dhcpd's first complaint, when it names one. */
  readonly line?: number;
  readonly message: string;
}

const scratch = existsSync(DHCPD) ? mkdtempSync(join(tmpdir(), 'nbf-dhcpd-')) : undefined;
if (scratch) after(() => rmSync(scratch, { recursive: true, force: true }));

/** `dhcpd -t` on the text: it parses the file and exits, binding nothing. */
function runDhcpd(text: string): DhcpdVerdict {
  const config = join(scratch!, 'dhcpd.conf');
  const leases = join(scratch!, 'dhcpd.leases');
  writeFileSync(config, text);
  writeFileSync(leases, '');
  const r = spawnSync(DHCPD, ['-4', '-t', '-cf', config, '-lf', leases, '-pf', join(scratch!, 'dhcpd.pid')], { encoding: 'utf8', timeout: 20_000 });
  const output = `${r.stdout}${r.stderr}`;
  const located = /dhcpd\.conf line (\d+): (.*)/.exec(output);
  if (r.status === 0) return { ok: true, message: '' };
  const firstComplaint = output.split('\n').find((l) => /line \d+:|bad |not in subnet|declared twice|exiting/.test(l)) ?? output.trim();
  // dhcpd numbers lines from 1; it says "line 0" when the error is at the very start.
  return located ? { ok: false, line: Math.max(0, Number(located[1]) - 1), message: located[2]! } : { ok: false, message: firstComplaint };
}

function listing(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('\n');
}

/** Lines where an error of ours may agree with dhcpd: its own line, and where it tells dhcpd to stop (a missing `;` or `}` is noticed at the next word). */
function agreeingLines(d: Diagnostic): number[] {
  const lines = [d.range.start.line];
  const data = d.data as { dhcpdLine?: number } | undefined;
  if (data?.dhcpdLine !== undefined) lines.push(data.dhcpdLine);
  return lines;
}

async function compare(name: string, text: string): Promise<void> {
  const dhcpd = runDhcpd(text);
  const ours = (await dhcpdService.validate(text)).filter((d) => d.severity === DiagnosticSeverity.Error);
  const documented = disagreements.find((d) => d.case === name);
  const context = `dhcpd: ${dhcpd.ok ? 'ok' : `line ${dhcpd.line === undefined ? '?' : dhcpd.line + 1}: ${dhcpd.message}`}\nours:\n${listing(ours)}`;
  if (documented) {
    // A documented difference must still be the difference it says it is.
    assert.deepEqual([dhcpd.ok ? 'ok' : 'error', ours.length === 0 ? 'ok' : 'error'], [documented.dhcpd, documented.ours], `${name} no longer differs as documented (${documented.why})\n${context}`);
    return;
  }
  assert.equal(ours.length === 0, dhcpd.ok, `different verdicts for ${name}\n${context}`);
  if (dhcpd.ok || dhcpd.line === undefined) return;
  // dhcpd stops at the first error it reads; ours are sorted by where they point, which for an
  // unclosed `{` is the brace, not the place dhcpd notices it. Compare with the one dhcpd meets first.
  const first = [...ours].sort((a, b) => Math.max(...agreeingLines(a)) - Math.max(...agreeingLines(b)))[0]!;
  const distance = Math.min(...agreeingLines(first).map((l) => Math.abs(l - dhcpd.line!)));
  assert.ok(distance <= 1, `our first error is ${distance} lines from dhcpd's in ${name}\n${context}`);
}

interface Mutation {
  readonly name: string;
  readonly text: string;
}

function statementsOf(text: string): Statement[] {
  const all: Statement[] = [];
  walkStatements(parseDhcpdConf(text).tree.statements, (s) => all.push(s));
  return all;
}

/** Up to three picks spread over a list: first, middle, last. */
function spread<T>(items: readonly T[]): T[] {
  if (items.length <= 3) return [...items];
  return [items[0]!, items[Math.floor(items.length / 2)]!, items[items.length - 1]!];
}

function cut(text: string, start: number, end: number, insert = ''): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** The mistakes the issue names, made the way people make them. */
function mutations(text: string): Mutation[] {
  const { tree } = parseDhcpdConf(text);
  const out: Mutation[] = [];
  const semicolons = tree.tokens.filter((t) => t.kind === 'punct' && t.text === ';');
  for (const t of spread(semicolons)) out.push({ name: `no ; on line ${t.range.start.line + 1}`, text: cut(text, t.start, t.end) });
  const closes = tree.tokens.filter((t) => t.kind === 'punct' && t.text === '}');
  for (const t of spread(closes)) out.push({ name: `no } on line ${t.range.start.line + 1}`, text: cut(text, t.start, t.end) });
  const statements = statementsOf(text);
  const names = statements.flatMap((s) => (s.kind === 'parameter' ? [s.nameTokens[0]!] : s.kind === 'range' ? [s.keyword] : []));
  for (const t of spread(names)) {
    // Drop one letter in the middle: `next-server` -> `next-sever`.
    const middle = Math.floor(t.text.length / 2);
    out.push({ name: `misspelt ${t.text} on line ${t.range.start.line + 1}`, text: cut(text, t.start + middle, t.start + middle + 1) });
  }
  for (const s of statements) {
    if (s.kind !== 'option-definition') continue;
    const end = s.semicolon ? s.semicolon.end : s.range.end.character;
    const start = tree.tokens.find((t) => t.range.start.line === s.range.start.line)!.start;
    out.push({ name: `undefined option ${s.option.text}`, text: cut(text, start, typeof end === 'number' ? end : start) });
  }
  return out;
}

if (!scratch) {
  test('dhcpd -t agreement', (t) => t.skip(`${DHCPD} is not installed (Debian package isc-dhcp-server)`));
} else {
  const originals: { name: string; text: string }[] = readdirSync(corpusDir)
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(corpusDir, f), 'utf8') }));
  const example = join(root, 'examples', 'farm', 'dhcpd.conf');
  if (existsSync(example)) originals.push({ name: 'examples/farm/dhcpd.conf', text: readFileSync(example, 'utf8') });

  test('the corpus is here and dhcpd -t accepts a known-good file', () => {
    assert.ok(originals.length >= 8, `${originals.length} corpus files`);
    assert.equal(runDhcpd('subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.5 10.0.0.9; }\n').ok, true);
    const broken = runDhcpd('subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.5 10.0.0.9\n}\n');
    assert.deepEqual([broken.ok, broken.line], [false, 2]);
  });

  let mutated = 0;
  for (const original of originals) {
    test(`${original.name}: same verdict as dhcpd -t`, () => compare(original.name, original.text));
    if (!runDhcpd(original.text).ok) continue;
    for (const m of mutations(original.text)) {
      mutated++;
      test(`${original.name} with ${m.name}: same verdict as dhcpd -t`, () => compare(`${original.name} with ${m.name}`, m.text));
    }
  }

  test('every kind of mutation was tried', () => {
    assert.ok(mutated >= 40, `only ${mutated} mutated copies`);
  });

  test('every documented disagreement is still a case this test runs', () => {
    const names = new Set<string>();
    for (const original of originals) {
      names.add(original.name);
      for (const m of mutations(original.text)) names.add(`${original.name} with ${m.name}`);
    }
    for (const d of disagreements) assert.ok(names.has(d.case), `stale entry: ${d.case}`);
  });
}
