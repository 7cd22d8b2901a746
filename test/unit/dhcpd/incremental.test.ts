// A keystroke re-reads only what it touched: the parser re-lexes the edited
// lines and takes every untouched block from the previous parse (reparse.ts),
// and validation keeps each top-level statement's findings and each host's
// verdict (dhcpdValidation's memo). Whatever the typing, the tree, the parse
// problems and the diagnostics after an edit must be exactly those of the new
// text read from scratch: random edit sequences over the corpus and generated
// farms, compared at every step with a parse and a validation that remember nothing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { DiagnosticSink } from '../../../server/src/lang/core/diagnostics';
import { dhcpdService } from '../../../server/src/lang/dhcpd/dhcpdLanguage';
import { dhcpdRules } from '../../../server/src/lang/dhcpd/dhcpdRules';
import { dhcpdValidation, newHostVerdicts, type HostVerdicts } from '../../../server/src/lang/dhcpd/dhcpdValidation';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';
import { DhcpdParses, DhcpdReparser } from '../../../server/src/lang/dhcpd/reparse';
import { random } from '../../support/random';

const corpus = join(__dirname, '..', '..', 'corpus', 'dhcpd-conf');
const files = readdirSync(corpus).map((f) => ({ name: f, text: readFileSync(join(corpus, f), 'utf8') }));

/** Hosts in a few shapes, so that every file has many blocks to remember (and MACs and addresses to collide). */
function hosts(count: number): string {
  const lines: string[] = ['group {'];
  for (let i = 0; i < count; i++) {
    const mac = `52:54:00:00:0${i % 3}:${(i % 7).toString(16).padStart(2, '0')}`;
    lines.push(`  host pc${i} {`, `    hardware ethernet ${mac};`, `    fixed-address 10.0.${i % 5}.${10 + (i % 9)};`, i % 4 === 0 ? '    option host-name "pc";' : '    option routers 10.0.0.1;', '  }');
  }
  lines.push('}', '');
  return lines.join('\n');
}

// Pieces an admin types, and ones that change what other blocks mean (definitions, spaces, nesting).
const pieces = [
  'x', '-', ';', '{', '}', '"', '\n', ' ', '  ', '#', ':', '.', '0', '9', 'hardware ethernet 52:54:00:00:00:01;', 'fixed-address 10.0.0.10;',
  'option host-name "a";', 'option lenght 3;', 'hostname "b";', 'authoritive;', 'default-lease-time -5;', 'filename "pxelinux.0";',
  'next-server 10.0.0.1;', 'option arch code 93 = unsigned integer 16;', 'option space ipxe;', 'option ipxe.no-pxedhcp 1;',
  'host extra { hardware ethernet 52:54:00:00:01:01; }', 'key k { secret "s"; }', 'option host-name code 12 = text;',
  'range 10.0.0.100 10.0.0.200;', 'if option arch = 00:07 { filename "x"; }', 'subnet 10.0.0.0 netmask 255.255.255.0 {',
];

function validate(text: string, verdicts?: HostVerdicts): Diagnostic[] {
  const sink = new DiagnosticSink(dhcpdRules);
  dhcpdValidation(parseDhcpdConf(text), sink, verdicts ? text : undefined, verdicts);
  return sink.sorted();
}

/** One keystroke-sized (or paste-sized) change somewhere in the text. */
function edit(next: () => number, text: string): string {
  const at = Math.floor(next() * (text.length + 1));
  const kind = next();
  if (kind < 0.45) {
    const piece = pieces[Math.floor(next() * pieces.length)]!;
    return text.slice(0, at) + piece + text.slice(at);
  }
  if (kind < 0.8) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 6));
  if (kind < 0.9) {
    // A host block copied elsewhere, as one pastes a client to make another.
    const start = text.indexOf('host ', Math.floor(next() * text.length));
    const end = start < 0 ? -1 : text.indexOf('}', start);
    return end < 0 ? text : text.slice(0, at) + text.slice(start, end + 1) + '\n' + text.slice(at);
  }
  // Re-indenting a line: the same host at another column.
  const line = text.lastIndexOf('\n', at) + 1;
  return next() < 0.5 ? text.slice(0, line) + ' ' + text.slice(line) : text.slice(0, line) + text.slice(line).replace(/^[ \t]/, '');
}

test('after every edit, remembered host verdicts give exactly the diagnostics of a fresh validation', () => {
  const next = random(20261125);
  let steps = 0;
  for (const file of files) {
    const kept = newHostVerdicts();
    let text = file.text + '\n' + hosts(24);
    const original = text;
    for (let i = 0; i < 60; i++) {
      text = next() < 0.05 ? original : edit(next, text);
      const incremental = validate(text, kept);
      const fresh = validate(text, newHostVerdicts());
      const unmemoized = validate(text);
      assert.deepEqual(incremental, unmemoized, `${file.name}, edit ${i}: remembered verdicts differ from a from-scratch check`);
      assert.deepEqual(fresh, unmemoized, `${file.name}, edit ${i}: a fresh memo differs from no memo`);
      steps++;
    }
  }
  assert.ok(steps >= 400, `${steps} edits checked`);
});

test('the language service, which keeps its memo between calls, agrees with a from-scratch check', async () => {
  const next = random(7);
  let text = files[0]!.text + '\n' + hosts(40);
  for (let i = 0; i < 80; i++) {
    text = edit(next, text);
    assert.deepEqual(await dhcpdService.validate(text), validate(text), `edit ${i}`);
  }
});

test('a remembered host is reported at its new place when lines above it move', () => {
  const kept = newHostVerdicts();
  const host = 'host pc { hardwre ethernet 52:54:00:00:00:01; fixed-address 10.0.0.5; }\n';
  const before = validate(host, kept);
  const after = validate('# a comment\n\n' + host, kept);
  assert.equal(before.length, after.length);
  assert.ok(before.length > 0, 'the misspelt `hardwre` is reported');
  for (const [i, d] of before.entries()) {
    assert.equal(after[i]!.message, d.message);
    assert.equal(after[i]!.range.start.line, d.range.start.line + 2);
    assert.equal(after[i]!.range.start.character, d.range.start.character);
  }
});

test('a host moved above the definition of an option it sets is checked again', () => {
  const kept = newHostVerdicts();
  const definition = 'option lab-seat code 224 = unsigned integer 16;\n';
  const host = 'host pc { hardware ethernet 52:54:00:00:00:01; option lab-seat 7; }\n';
  assert.deepEqual(validate(definition + host, kept), validate(definition + host));
  const moved = validate(host + definition, kept);
  assert.deepEqual(moved, validate(host + definition));
  assert.ok(moved.some((d) => d.code === 'DHCP008'), 'dhcpd reads top to bottom: `lab-seat` is unknown before its definition');
});

test('two configs with different option definitions, checked in turn with one memo, keep their own verdicts', () => {
  const kept = newHostVerdicts();
  const host = 'host pc { hardware ethernet 52:54:00:00:00:01; option lab-seat 300; }\n';
  const narrow = 'option lab-seat code 224 = unsigned integer 8;\n' + host;
  const wide = 'option lab-seat code 224 = unsigned integer 16;\n' + host;
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(validate(narrow, kept), validate(narrow));
    assert.deepEqual(validate(wide, kept), validate(wide));
  }
  assert.ok(validate(narrow, kept).some((d) => d.code === 'DHCP011'), '300 is too big for an 8-bit option');
  assert.ok(!validate(wide, kept).some((d) => d.code === 'DHCP011'), '300 fits in 16 bits');
});

/** A farm shaped like bench/generate.mjs makes them: definitions, a shared network of subnets with boot chains, groups of hosts. */
function farm(next: () => number, labs: number, hostsPerLab: number): string {
  const lines = ['option arch code 93 = unsigned integer 16;', 'option space ipxe;', 'option ipxe.menu code 39 = unsigned integer 8;', 'authoritative;', 'shared-network farm {'];
  for (let lab = 1; lab <= labs; lab++) {
    lines.push(`  subnet 10.${lab}.0.0 netmask 255.255.0.0 {`, `    range 10.${lab}.200.1 10.${lab}.250.254;`, `    next-server 10.${lab}.0.10;`);
    lines.push('    if exists ipxe.menu {', '      filename "ltsp/ltsp.ipxe";', '    } elsif option arch = 00:07 {', '      filename "snponly.efi";', '    }', '  }');
  }
  lines.push('}');
  for (let lab = 1; lab <= labs; lab++) {
    lines.push('group {');
    for (let seat = 0; seat < hostsPerLab; seat++) {
      const mac = `52:54:00:${lab.toString(16).padStart(2, '0')}:00:${Math.floor(next() * 40).toString(16).padStart(2, '0')}`;
      lines.push(`  host lab${lab}-pc${seat} {`, `    hardware ethernet ${mac};`, `    fixed-address 10.${lab}.1.${1 + Math.floor(next() * 60)};`, '  }');
    }
    lines.push('}');
  }
  return lines.join(next() < 0.3 ? '\r\n' : '\n') + '\n';
}

/** A keystroke-sized change, a paste or a cut, as an editor makes them (line breaks of every kind included). */
function keystroke(next: () => number, text: string): string {
  const at = Math.floor(next() * (text.length + 1));
  const kind = next();
  if (kind < 0.55) return edit(next, text);
  if (kind < 0.7) return text.slice(0, at) + ['\r\n', '\r', '\n', '}', '{', '"', ';'][Math.floor(next() * 7)] + text.slice(at);
  if (kind < 0.85) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 200));
  // Replace a stretch with a piece: a selection typed over.
  return text.slice(0, at) + pieces[Math.floor(next() * pieces.length)] + text.slice(at + Math.floor(next() * 30));
}

test('after every edit, the incremental parse is the fresh parse: the same tree, tokens, comments and problems', () => {
  const next = random(20261126);
  let steps = 0;
  const starts = [...files.map((f) => f.text + '\n' + hosts(12)), farm(next, 3, 20), farm(next, 2, 40)];
  for (const [n, start] of starts.entries()) {
    const document = new DhcpdReparser();
    let text = start;
    for (let i = 0; i < 300; i++) {
      // Now and then the editor jumps back to an earlier text (undo), which is just another edit.
      text = next() < 0.03 ? start : keystroke(next, text);
      assert.deepStrictEqual(document.parse(text), parseDhcpdConf(text), `start ${n}, edit ${i}: ${JSON.stringify(text)}`);
      steps++;
    }
  }
  assert.ok(steps >= 3000, `${steps} edits checked`);
});

test('after every edit, incremental diagnostics are the diagnostics of a from-scratch check', () => {
  const next = random(424242);
  let steps = 0;
  for (const start of [farm(next, 3, 30), files[2]!.text + '\n' + farm(next, 2, 20), files[0]!.text + hosts(30)]) {
    const document = new DhcpdReparser();
    const kept = newHostVerdicts();
    let text = start;
    for (let i = 0; i < 250; i++) {
      text = keystroke(next, text);
      const sink = new DiagnosticSink(dhcpdRules);
      dhcpdValidation(document.parse(text), sink, text, kept);
      assert.deepStrictEqual(sink.sorted(), validate(text), `edit ${i}: ${JSON.stringify(text)}`);
      steps++;
    }
  }
  assert.ok(steps >= 750, `${steps} edits checked`);
});

test('two documents edited in turn keep their own parses, and each still equals a fresh parse', () => {
  const next = random(99);
  const parses = new DhcpdParses();
  const texts = [farm(next, 2, 25), files[7]!.text + hosts(10)];
  for (let i = 0; i < 200; i++) {
    const which = i % 2;
    texts[which] = keystroke(next, texts[which]!);
    assert.deepStrictEqual(parses.parse(texts[which]!), parseDhcpdConf(texts[which]!), `document ${which}, edit ${i}`);
  }
});

test('an edit inside one host re-reads that host only: the other blocks are the same objects as before', () => {
  const next = random(5);
  const document = new DhcpdReparser();
  const text = farm(next, 2, 30);
  const before = document.parse(text).tree.statements;
  const at = text.indexOf('host lab2-pc7 {') + 'host lab2-pc7'.length;
  const after = document.parse(text.slice(0, at) + 'x' + text.slice(at)).tree.statements;
  assert.equal(after.length, before.length);
  const changed = after.filter((s, i) => s !== before[i]);
  assert.equal(changed.length, 1, 'only the group holding the host is a new node');
  const group = changed[0]!;
  const old = before[after.indexOf(group)]!;
  assert.ok(group.kind === 'declaration' && old.kind === 'declaration');
  const renewed = group.body.filter((h, i) => h !== old.body[i]);
  assert.deepEqual(renewed.map((h) => (h.kind === 'declaration' ? h.name?.text : h.kind)), ['lab2-pc7x']);
});
