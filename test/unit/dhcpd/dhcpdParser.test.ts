// The dhcpd.conf tree is a contract: the lease evaluator walks it to answer
// DHCP requests. These tests pin its shape, its exact ranges and its
// recovery after errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Declaration, Expression, IfStatement, OptionDefinition, OptionStatement, Statement } from '../../../server/src/lang/dhcpd/ast';
import { describeType } from '../../../server/src/lang/dhcpd/optionTypes';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';
import { bothEols, marked } from '../../support/markers';

function only<K extends Statement['kind']>(statements: readonly Statement[], kind: K): Extract<Statement, { kind: K }> {
  const found = statements.filter((s) => s.kind === kind);
  assert.equal(found.length, 1, `one ${kind} statement`);
  return found[0] as Extract<Statement, { kind: K }>;
}

/** An expression as a compact string: the tree's shape, not its text. */
function show(e: Expression | undefined): string {
  if (!e) return '?';
  switch (e.kind) {
    case 'binary':
      return `(${show(e.left)} ${e.operator} ${show(e.right)})`;
    case 'not':
      return `(not ${show(e.operand)})`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'option':
      return `${e.source}[${e.option.space ?? ''}.${e.option.name}]`;
    case 'exists':
      return `exists[${e.option.space ?? ''}.${e.option.name}]`;
    case 'keyword':
      return e.name;
    case 'string':
      return JSON.stringify(e.value);
    case 'hex':
      return `hex[${e.bytes.join(',')}]`;
    case 'number':
      return String(e.value);
    case 'variable':
      return `$${e.name}`;
    case 'error':
      return '!';
  }
}

bothEols('declarations carry their header tokens, body and exact ranges', (eol) => {
  const { text, ranges } = marked('⟦subnet ⟦10.0.0.0⟧ netmask ⟦255.255.255.0⟧ ⟦{⟧\n  ⟦range 10.0.0.5 10.0.0.9;⟧\n⟦}⟧⟧\n', eol);
  const { tree, problems } = parseDhcpdConf(text);
  assert.deepEqual(problems, []);
  const subnet = tree.statements[0] as Declaration;
  assert.equal(subnet.kind, 'declaration');
  assert.equal(subnet.type, 'subnet');
  assert.deepEqual(
    [subnet.range, subnet.name?.range, subnet.netmask?.range, subnet.open?.range, subnet.body[0]?.range, subnet.close?.range],
    [ranges[0], ranges[1], ranges[2], ranges[3], ranges[4], ranges[5]],
  );
  const range = only(subnet.body, 'range');
  assert.equal(range.low?.value, '10.0.0.5');
  assert.equal(range.high?.value, '10.0.0.9');
  assert.equal(range.dynamicBootp, false);
});

bothEols('option statements keep value tokens with ranges, commas included', (eol) => {
  const { text, ranges } = marked('option ⟦domain-name-servers⟧ ⟦10.0.0.1⟧⟦,⟧ ⟦ns1.example.org⟧;\noption ipxe.no-pxedhcp 1;\n', eol);
  const { tree } = parseDhcpdConf(text);
  const [servers, ipxe] = tree.statements as OptionStatement[];
  assert.equal(servers!.option?.name, 'domain-name-servers');
  assert.equal(servers!.option?.space, undefined);
  assert.deepEqual([servers!.option?.range, ...servers!.values.map((v) => v.range)], ranges);
  assert.deepEqual(servers!.values.map((v) => v.kind), ['word', 'punct', 'word']);
  assert.deepEqual([ipxe!.option?.space, ipxe!.option?.name], ['ipxe', 'no-pxedhcp']);
});

test('strings are decoded; hex lists become bytes', () => {
  const { tree } = parseDhcpdConf('option domain-name "a \\"b\\" \\101";\nif option arch = 00:07 { }\n');
  assert.equal((tree.statements[0] as OptionStatement).values[0]?.value, 'a "b" A');
  const condition = (tree.statements[1] as IfStatement).branches[0]!.condition;
  assert.equal(show(condition), '(option[.arch] = hex[0,7])');
});

test('expressions: precedence of or < and < comparison, not binds tightly, calls nest', () => {
  const { tree, problems } = parseDhcpdConf(
    'if substring(option vendor-class-identifier, 0, 9) = "PXEClient" and not known or exists user-class { }\n' +
      'if binary-to-ascii(16, 8, "-", substring(hardware, 0, 4)) = "1-0-3-93" { }\n' +
      'if (option agent.circuit-id ~~ "^eth") and suffix(option host-name, 3) != "lab" { }\n' +
      'if packet(24, 4) = 00:00:00:00 and config-option routers = 10:0:0:1 { }\n',
  );
  assert.deepEqual(problems, []);
  const conditions = tree.statements.map((s) => show((s as IfStatement).branches[0]!.condition));
  assert.deepEqual(conditions, [
    '(((substring(option[.vendor-class-identifier], 0, 9) = "PXEClient") and (not known)) or exists[.user-class])',
    '(binary-to-ascii(16, 8, "-", substring(hardware, 0, 4)) = "1-0-3-93")',
    '((option[agent.circuit-id] ~~ "^eth") and (suffix(option[.host-name], 3) != "lab"))',
    '((packet(24, 4) = hex[0,0,0,0]) and (config-option[.routers] = hex[16,0,0,1]))',
  ]);
});

test('if / elsif / else if / else form one statement with ordered branches', () => {
  const { tree, problems } = parseDhcpdConf('if exists ipxe.menu { filename "a"; } elsif option arch = 00:00 { filename "b"; } else if known { } else { filename "c"; }\n');
  assert.deepEqual(problems, []);
  const chain = only(tree.statements, 'if');
  assert.deepEqual(
    chain.branches.map((b) => [b.keyword.value, show(b.condition), b.body.length]),
    [
      ['if', 'exists[ipxe.menu]', 1],
      ['elsif', '(option[.arch] = hex[0,0])', 1],
      ['else', 'known', 0],
      ['else', '?', 1],
    ],
  );
});

test('option definitions: scalars, arrays, records and encapsulation', () => {
  const source = [
    'option arch code 93 = unsigned integer 16;',
    'option space ipxe code width 1 length width 1;',
    'option ipxe.bus-id code 177 = string;',
    'option ipxe-encap-opts code 175 = encapsulate ipxe;',
    'option routes code 121 = array of { ip-address, ip-address };',
    'option slp code 78 = { boolean, array of ip-address };',
    'option search code 119 = domain-list compressed;',
  ].join('\n');
  const { tree, problems } = parseDhcpdConf(source);
  assert.deepEqual(problems, []);
  const definitions = tree.statements.filter((s): s is OptionDefinition => s.kind === 'option-definition');
  assert.deepEqual(
    definitions.map((d) => [d.option.text, d.code, d.type && describeType(d.type)]),
    [
      ['arch', 93, 'unsigned integer 16'],
      ['ipxe.bus-id', 177, 'string'],
      ['ipxe-encap-opts', 175, 'encapsulate ipxe'],
      ['routes', 121, 'array of { ip-address, ip-address }'],
      ['slp', 78, '{ boolean, array of ip-address }'],
      ['search', 119, 'domain-list compressed'],
    ],
  );
  const space = only(tree.statements, 'option-space');
  assert.equal(space.name?.value, 'ipxe');
  assert.deepEqual(space.settings.map((t) => t.value), ['code', 'width', '1', 'length', 'width', '1']);
});

test('classes, subclasses, pools with permissions, switch, include, keys, failover, zones and events', () => {
  const source = [
    'include "/etc/dhcp/hosts.conf";',
    'class "pxe" { match if substring(option vendor-class-identifier, 0, 9) = "PXEClient"; lease limit 4; }',
    'class "by-mac" { match hardware; spawn with option dhcp-client-identifier; }',
    'subclass "by-mac" 1:52:54:00:12:34:56;',
    'subclass "by-mac" 1:52:54:00:12:34:57 { filename "x"; }',
    'key dhcp-update { algorithm hmac-md5; secret "c2VjcmV0"; }',
    'zone example.org. { primary 127.0.0.1; key dhcp-update; }',
    'failover peer "dhcp" { primary; address 10.0.0.1; peer address 10.0.0.2; }',
    'shared-network lab { pool { failover peer "dhcp"; allow members of "pxe"; deny unknown-clients; range 10.0.0.10 10.0.0.20; } }',
    'on commit { set ip = binary-to-ascii(10, 8, ".", leased-address); log(info, concat("leased ", ip)); }',
    'switch (option dhcp-message-type) { case 1: filename "a"; break; default: filename "b"; }',
    'group { host a { hardware ethernet 0:1:2:3:4:5; } }',
  ].join('\n');
  const { tree, problems } = parseDhcpdConf(source);
  assert.deepEqual(problems, []);
  const kinds = tree.statements.map((s) => (s.kind === 'declaration' ? s.type : s.kind));
  assert.deepEqual(kinds, ['include', 'class', 'class', 'subclass', 'subclass', 'key', 'zone', 'failover-peer', 'shared-network', 'on', 'switch', 'group']);
  assert.equal(only(tree.statements, 'include').path?.value, '/etc/dhcp/hosts.conf');
  const pxe = tree.statements[1] as Declaration;
  assert.equal(pxe.name?.value, 'pxe');
  assert.equal(only(pxe.body, 'match').form, 'match if');
  assert.equal(only(pxe.body, 'parameter').name, 'lease limit');
  const member = tree.statements[3] as Declaration;
  assert.deepEqual([member.name?.value, member.data?.value, member.body.length], ['by-mac', '1:52:54:00:12:34:56', 0]);
  const pool = ((tree.statements[8] as Declaration).body[0] as Declaration).body;
  assert.deepEqual(
    pool.map((s) => (s.kind === 'permission' ? `${s.verb} ${s.words.map((w) => w.value).join(' ')}` : s.kind === 'parameter' ? s.name : s.kind)),
    ['failover peer', 'allow members of pxe', 'deny unknown-clients', 'range'],
  );
  const events = (tree.statements[9] as Declaration).body;
  assert.deepEqual(events.map((s) => (s.kind === 'executable' ? s.verb : s.kind)), ['set', 'log']);
  const labels = only(tree.statements, 'switch').body.map((s) => (s.kind === 'case' ? `case ${show(s.value)}` : s.kind));
  assert.deepEqual(labels, ['case 1', 'parameter', 'executable', 'case ?', 'parameter']);
});

test('case labels take strings, hex and numbers; the colon after a string is the label\'s', () => {
  const { tree, problems } = parseDhcpdConf(
    'switch (option user-class) {\n  case "iPXE":\n    filename "ipxe";\n  case "gPXE" :\n    break;\n  case 00:07:\n    break;\n  case 3:\n  default:\n    filename "x";\n}\n',
  );
  assert.deepEqual(problems, []);
  const body = only(tree.statements, 'switch').body;
  const labels = body.map((s) => (s.kind === 'case' ? `case ${show(s.value)}` : s.kind));
  assert.deepEqual(labels, ['case "iPXE"', 'parameter', 'case "gPXE"', 'executable', 'case hex[0,7]', 'executable', 'case 3', 'case ?', 'parameter']);
  assert.deepEqual(body[0]!.range.end, { line: 1, character: 14 }, 'the label ends after its colon');
});

test('a case label without its colon is still reported', () => {
  const { problems } = parseDhcpdConf('switch (option user-class) {\n  case "iPXE"\n    filename "ipxe";\n}\n');
  assert.deepEqual(problems.map((p) => `${p.range.start.line}:${p.code}`), ['2:DHCP003']);
});

test('comments are kept outside the statements, with ranges', () => {
  const { tree } = parseDhcpdConf('# header\nauthoritative; # trailing\n');
  assert.deepEqual(tree.comments.map((c) => [c.text, c.range.start.line, c.range.start.character]), [['# header', 0, 0], ['# trailing', 1, 15]]);
  assert.equal(tree.statements.length, 1);
});

test('recovery: after an error the parser keeps reading statements', () => {
  const { tree, problems } = parseDhcpdConf('option routers 10.0.0.1\nnext-server 10.0.0.2;\n= = ;\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.5 10.0.0.9\n}\nhost a { hardware ethernet 0:1:2:3:4:5; }\n');
  assert.deepEqual(problems.map((p) => `${p.range.start.line}:${p.code}`), ['0:DHCP001', '2:DHCP003', '4:DHCP001']);
  assert.deepEqual(
    tree.statements.map((s) => (s.kind === 'declaration' ? s.type : s.kind)),
    ['option', 'parameter', 'error', 'subnet', 'host'],
  );
  const subnet = tree.statements[3] as Declaration;
  assert.ok(subnet.close, 'the subnet still closes');
});

test('an unclosed block reports its opening brace and still yields the statements read', () => {
  const { tree, problems } = parseDhcpdConf('shared-network lab {\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    range 10.0.0.5 10.0.0.9;\n  }\n');
  assert.deepEqual(problems.map((p) => [p.code, p.range.start.line, p.range.start.character]), [['DHCP002', 0, 19]]);
  const lab = tree.statements[0] as Declaration;
  assert.equal(lab.close, undefined);
  assert.equal((lab.body[0] as Declaration).type, 'subnet');
});

test('empty and whitespace-only documents are fine', () => {
  for (const text of ['', '\n\n', '   # only a comment\r\n']) {
    const { tree, problems } = parseDhcpdConf(text);
    assert.deepEqual([tree.statements.length, problems.length], [0, 0]);
  }
});
