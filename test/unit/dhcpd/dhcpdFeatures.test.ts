import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CodeAction, Hover, TextEdit } from 'vscode-languageserver-types';
import { dhcpdLanguage, dhcpdService } from '../../../server/src/lang/dhcpd/dhcpdLanguage';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';
import { detectLanguage } from '../../../server/src/lang';
import { applyEdits } from '../../support/edits';
import { bothEols, marked } from '../../support/markers';

const corpus = join(__dirname, '..', '..', 'corpus', 'dhcpd-conf');
const FORMAT = { tabSize: 2, insertSpaces: true };

function labels(source: string, eol: '\n' | '\r\n' = '\n'): string[] {
  const { text, cursor } = marked(source, eol);
  return dhcpdService.complete!(text, cursor!).map((c) => c.label);
}

function hoverText(source: string, eol: '\n' | '\r\n' = '\n'): { value: string; hover: Hover } {
  const { text, cursor } = marked(source, eol);
  const hover = dhcpdService.hover!(text, cursor!);
  assert.ok(hover, 'a hover');
  return { value: (hover.contents as { value: string }).value, hover };
}

test('the language claims dhcpd.conf, dhcpd*.conf and *.dhcpd.conf, and nothing else', () => {
  for (const path of ['/etc/dhcp/dhcpd.conf', 'dhcpd6.conf', 'conf/dhcpd-lab.conf', 'farm.dhcpd.conf', 'C:\\farm\\dhcpd.conf']) assert.equal(detectLanguage(path), 'dhcpd', path);
  for (const path of ['dhclient.conf', 'dhcpd.conf.bak', 'lts.conf', 'mydhcpd.conf.d']) assert.notEqual(detectLanguage(path), 'dhcpd', path);
  assert.equal(dhcpdLanguage.id, 'dhcpd');
});

bothEols('completion offers the statements the scope allows', (eol) => {
  const inSubnet = labels('subnet 10.0.0.0 netmask 255.255.255.0 {\n  $0\n}\n', eol);
  assert.ok(inSubnet.includes('range') && inSubnet.includes('host') && inSubnet.includes('next-server') && inSubnet.includes('pool'));
  assert.ok(!inSubnet.includes('subnet') && !inSubnet.includes('shared-network'), 'no subnet inside a subnet');
  const global = labels('authoritative;\n$0', eol);
  assert.ok(global.includes('subnet') && global.includes('option space') && !global.includes('range'));
  const inHost = labels('host a {\n  hard$0\n}\n', eol);
  assert.ok(inHost.includes('hardware') && !inHost.includes('host'));
  assert.ok(labels('class "pxe" {\n  $0\n}\n', eol).includes('match if'));
});

bothEols('completion offers option names with their types, defined ones and spaces first', (eol) => {
  const { text, cursor } = marked('option space ipxe;\noption ipxe.menu code 39 = unsigned integer 8;\noption arch code 93 = unsigned integer 16;\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  option $0\n}\n', eol);
  const items = dhcpdService.complete!(text, cursor!);
  const arch = items.find((i) => i.label === 'arch');
  assert.equal(arch?.detail, 'code 93 · unsigned integer 16');
  assert.equal(items.find((i) => i.label === 'routers')?.detail, 'code 3 · array of ip-address');
  assert.ok(items.some((i) => i.label === 'ipxe.menu'));
  assert.ok(items.some((i) => i.label === 'ipxe.'), 'the defined space');
  assert.ok(!items.some((i) => i.label === 'next-server'), 'next-server is not an option');
  const sorted = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
  assert.deepEqual(sorted.slice(0, 2).map((i) => i.label), ['arch', 'ipxe.menu'], 'the file\'s own options come first');
  assert.ok(labels('if exists $0', eol).includes('user-class'));
});

bothEols('completion offers values for booleans, enums, lease times, hardware types and permissions', (eol) => {
  assert.deepEqual(labels('use-host-decl-names $0', eol), ['true', 'false']);
  assert.deepEqual(labels('ddns-update-style $0', eol), ['none', 'ad-hoc', 'interim', 'standard']);
  assert.deepEqual(labels('default-lease-time $0', eol), ['infinite']);
  assert.deepEqual(labels('host a { hardware $0 }', eol), ['ethernet', 'token-ring', 'fddi', 'infiniband']);
  assert.deepEqual(labels('option ip-forwarding $0', eol), ['true', 'false']);
  const permissions = labels('allow $0', eol);
  assert.ok(permissions.includes('booting') && permissions.includes('unknown-clients') && permissions.includes('members of "CLASS"'));
  assert.ok(labels('ignore $0', eol).includes('bootp') && !labels('ignore $0', eol).includes('members of "CLASS"'));
});

bothEols('hover explains parameters, options with code and type, statements and functions', (eol) => {
  const nextServer = hoverText('subnet 10.0.0.0 netmask 255.255.255.0 {\n  next-ser$0ver 10.0.0.1;\n}\n', eol);
  assert.match(nextServer.value, /\*\*next-server\*\* · parameter/);
  assert.match(nextServer.value, /never `option next-server`/);
  assert.deepEqual(nextServer.hover.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 13 } });
  assert.match(hoverText('option rou$0ters 10.0.0.1;', eol).value, /\*\*option routers\*\* · code 3 · `array of ip-address`/);
  assert.match(hoverText('option arch code 93 = unsigned integer 16;\nif option ar$0ch = 00:07 { }', eol).value, /Defined on line 1[\s\S]*pxe-system-type/);
  assert.match(hoverText('if option archi$0tecture = 00:07 { }', eol).value, /not defined[\s\S]*option arch code 93 = unsigned integer 16/);
  assert.match(hoverText('sub$0net 10.0.0.0 netmask 255.255.255.0 { }', eol).value, /netmask keyword|network number/);
  assert.match(hoverText('if subst$0ring(option vendor-class-identifier, 0, 9) = "PXEClient" { }', eol).value, /substring\(DATA, OFFSET, LENGTH\)/);
  assert.match(hoverText('pool { allow unknown-cli$0ents; }', eol).value, /unknown-clients/);
  const { text, cursor } = marked('filename "pxe$0linux.0";', eol);
  assert.equal(dhcpdService.hover!(text, cursor!), null, 'no hover inside a value');
});

test('document symbols follow the declaration tree', () => {
  const text = 'option arch code 93 = unsigned integer 16;\nshared-network lab {\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    host pc01 { hardware ethernet 0:1:2:3:4:5; }\n    if known { filename "a"; } else { filename "b"; }\n  }\n}\n';
  const symbols = dhcpdService.symbols!(text);
  const shape = (list: typeof symbols): unknown => list.map((s) => (s.children?.length ? { [s.name]: shape(s.children) } : s.name));
  assert.deepEqual(shape(symbols), ['option arch', { 'shared-network lab': [{ 'subnet 10.0.0.0 netmask 255.255.255.0': ['host pc01', 'if', 'else'] }] }]);
  assert.deepEqual(symbols[1]!.selectionRange, { start: { line: 1, character: 0 }, end: { line: 1, character: 18 } });
});

bothEols('folding covers multi-line blocks and comment runs', (eol) => {
  const { text } = marked('# one\n# two\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.5 10.0.0.9;\n  if known {\n    filename "a";\n  }\n}\nhost a { hardware ethernet 0:1:2:3:4:5; }\n', eol);
  assert.deepEqual(dhcpdService.folding!(text), [
    { startLine: 0, endLine: 1, kind: 'comment' },
    { startLine: 2, endLine: 6 },
    { startLine: 4, endLine: 5 },
  ]);
});

bothEols('formatting indents by nesting, puts one statement per line and keeps comments', (eol) => {
  const source = [
    '# farm',
    'authoritative;   option routers 10.0.0.1 ,10.0.0.2 ;',
    'subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.5 10.0.0.9; # the pool',
    '',
    '',
    '      if option arch = 00:07 { filename "a.efi"; }',
    '   else { filename "b"; }',
    'host x {hardware ethernet 0:1:2:3:4:5;}}',
    '',
  ].join(eol);
  const expected = [
    '# farm',
    'authoritative;',
    'option routers 10.0.0.1, 10.0.0.2;',
    'subnet 10.0.0.0 netmask 255.255.255.0 {',
    '  range 10.0.0.5 10.0.0.9; # the pool',
    '',
    '  if option arch = 00:07 {',
    '    filename "a.efi";',
    '  } else {',
    '    filename "b";',
    '  }',
    '  host x {',
    '    hardware ethernet 0:1:2:3:4:5;',
    '  }',
    '}',
    '',
  ].join(eol);
  const edits = dhcpdService.format!(source, FORMAT);
  const formatted = applyEdits(source, edits);
  assert.equal(formatted, expected);
  assert.deepEqual(dhcpdService.format!(formatted, FORMAT), [], 'formatting twice changes nothing');
});

test('formatting keeps a statement the author broke over lines, and uses tabs when asked', () => {
  const source = 'if option a = "x" or\noption b = "y" {\nfilename "f";\n}\n';
  const out = applyEdits(source, dhcpdService.format!(source, { tabSize: 4, insertSpaces: false }));
  assert.equal(out, 'if option a = "x" or\n\toption b = "y" {\n\tfilename "f";\n}\n');
});

test('formatting leaves a file with an unclosed string alone', () => {
  assert.deepEqual(dhcpdService.format!('filename "x;\nnext-server 10.0.0.1;\n', FORMAT), []);
});

test('formatting every corpus file changes only the space between tokens, and is stable', () => {
  for (const file of readdirSync(corpus)) {
    const text = readFileSync(join(corpus, file), 'utf8');
    const formatted = applyEdits(text, dhcpdService.format!(text, FORMAT));
    const words = (t: string) => parseDhcpdConf(t).tree.tokens.map((k) => k.text);
    const comments = (t: string) => parseDhcpdConf(t).tree.comments.map((c) => c.text.trimEnd());
    assert.deepEqual(words(formatted), words(text), file);
    assert.deepEqual(comments(formatted), comments(text), file);
    assert.deepEqual(dhcpdService.format!(formatted, FORMAT), [], `${file}: a second format changes nothing`);
  }
});

async function fixes(source: string, code: string): Promise<{ text: string; actions: CodeAction[]; apply: (a: CodeAction) => string }> {
  const diagnostics = (await dhcpdService.validate(source)).filter((d) => d.code === code);
  assert.equal(diagnostics.length, 1, `one ${code}`);
  const uri = 'file:///farm/dhcpd.conf';
  const actions = dhcpdService.codeActions!(uri, source, diagnostics[0]!.range, diagnostics);
  return { text: source, actions, apply: (a) => applyEdits(source, a.edit!.changes![uri] as TextEdit[]) };
}

bothEols('quick fix: add the missing semicolon', async (eol) => {
  const { text } = marked('subnet 10.0.0.0 netmask 255.255.255.0 {\n  next-server 10.0.0.1\n  filename "a";\n}\n', eol);
  const { actions, apply } = await fixes(text, 'DHCP001');
  assert.equal(actions[0]?.title, 'Add the missing `;`');
  const fixed = apply(actions[0]!);
  assert.match(fixed, /next-server 10\.0\.0\.1;/);
  assert.deepEqual(await dhcpdService.validate(fixed), []);
});

bothEols('quick fix: define option arch code 93 at the top, or use pxe-system-type', async (eol) => {
  const { text } = marked('# farm\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  next-server 10.0.0.1;\n  if option arch = 00:07 { filename "a.efi"; } else { filename "b"; }\n}\n', eol);
  const { actions, apply } = await fixes(text, 'DHCP009');
  assert.deepEqual(actions.map((a) => a.title), ['Define `option arch code 93 = unsigned integer 16;` at the top', 'Use the predefined `pxe-system-type` (ISC DHCP 4.4+)']);
  const defined = apply(actions[0]!);
  assert.ok(defined.startsWith(`# farm${eol}option arch code 93 = unsigned integer 16;${eol}subnet`));
  assert.deepEqual(await dhcpdService.validate(defined), []);
  assert.deepEqual(await dhcpdService.validate(apply(actions[1]!)), []);
});

test('quick fix: rename to the nearest known name', async () => {
  const { actions, apply } = await fixes('subnet 10.0.0.0 netmask 255.255.255.0 {\n  next-sever 10.0.0.1;\n  filename "a";\n}\n', 'DHCP006');
  assert.equal(actions[0]?.title, 'Change to `next-server`');
  assert.deepEqual(await dhcpdService.validate(apply(actions[0]!)), []);
  const option = await fixes('option domain-name-server 10.0.0.1;\n', 'DHCP008');
  assert.equal(option.apply(option.actions[0]!), 'option domain-name-servers 10.0.0.1;\n');
});

test('quick fixes: next-server as a parameter, the subnet\'s network number, infinite', async () => {
  const nextServer = await fixes('option next-server 10.0.0.1;\nfilename "a";\n', 'DHCP010');
  assert.equal(nextServer.apply(nextServer.actions[0]!), 'next-server 10.0.0.1;\nfilename "a";\n');
  const subnet = await fixes('subnet 10.0.0.9 netmask 255.255.255.0 { }\n', 'DHCP014');
  assert.equal(subnet.apply(subnet.actions[0]!), 'subnet 10.0.0.0 netmask 255.255.255.0 { }\n');
  const lease = await fixes('max-lease-time -5;\n', 'DHCP023');
  assert.equal(lease.apply(lease.actions[0]!), 'max-lease-time infinite;\n');
});
