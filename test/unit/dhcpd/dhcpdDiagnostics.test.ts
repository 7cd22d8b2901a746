import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { formatMessage } from '../../../server/src/lang/core/diagnostics';
import { dhcpdService } from '../../../server/src/lang/dhcpd/dhcpdLanguage';
import { dhcpdRules } from '../../../server/src/lang/dhcpd/dhcpdRules';
import { assertDiagnostics, bothEols, marked } from '../../support/markers';

/** Every case names the codes it watches; any error it does not expect fails it too. */
async function expectCodes(source: string, codes: string[], eol: '\n' | '\r\n', only?: string[]): Promise<Diagnostic[]> {
  const { text, ranges } = marked(source, eol);
  const diagnostics = await dhcpdService.validate(text);
  assertDiagnostics(diagnostics, codes, ranges, only ?? codes);
  const unexpectedErrors = diagnostics.filter((d) => d.severity === 1 && !codes.includes(String(d.code)));
  assert.deepEqual(unexpectedErrors.map((d) => `${d.code} ${d.message}`), [], 'no other errors');
  return diagnostics;
}

const SUBNET = 'subnet 10.0.0.0 netmask 255.255.255.0 {\n';

bothEols('a valid PXE config has no diagnostics at all', async (eol) => {
  const { text } = marked(
    [
      'option arch code 93 = unsigned integer 16;',
      'option space ipxe;',
      'option ipxe.menu code 39 = unsigned integer 8;',
      'authoritative;',
      SUBNET + '  range 10.0.0.100 10.0.0.200;',
      '  next-server 10.0.0.1;',
      '  option routers 10.0.0.1;',
      '  option domain-name-servers 10.0.0.1, 8.8.8.8;',
      '  if exists ipxe.menu { filename "ltsp/ltsp.ipxe"; }',
      '  elsif option arch = 00:00 { filename "undionly.kpxe"; }',
      '  elsif option arch = 00:07 or option arch = 00:09 { filename "snponly.efi"; }',
      '}',
      'host pc01 { hardware ethernet 52:54:00:12:34:56; fixed-address 10.0.0.7; }',
      '',
    ].join('\n'),
    eol,
  );
  assert.deepEqual(await dhcpdService.validate(text), []);
});

bothEols('DHCP001: a missing semicolon points at the end of the statement', async (eol) => {
  const diagnostics = await expectCodes(SUBNET + '  next-server ⟦10.0.0.1⟧\n  filename "pxelinux.0";\n}\n', ['DHCP001'], eol);
  assert.equal(diagnostics[0]!.message, formatMessage(dhcpdRules.DHCP001.message, { what: '`next-server`' }));
  assert.deepEqual((diagnostics[0]!.data as { insertAt: unknown }).insertAt, { line: 1, character: 22 });
});

bothEols('DHCP001: a missing semicolon before a closing brace', (eol) =>
  expectCodes(SUBNET + '  range 10.0.0.2 ⟦10.0.0.3⟧\n\n  # c\n}\n', ['DHCP001'], eol),
);

bothEols('DHCP001: a missing semicolon at the end of the file', (eol) => expectCodes('option routers 10.0.0.1, ⟦10.0.0.2⟧', ['DHCP001'], eol));

bothEols('DHCP002: an unclosed brace points at the opening brace, not the end of the file', async (eol) => {
  const diagnostics = await expectCodes('shared-network farm ⟦{⟧\n' + SUBNET + '    range 10.0.0.5 10.0.0.9;\n  }\n', ['DHCP002'], eol);
  assert.match(diagnostics[0]!.message, /`shared-network farm`.*the end of the file/);
});

bothEols('DHCP002: a subnet left open before the next subnet is found there, and the rest still checked', async (eol) => {
  const diagnostics = await expectCodes(
    'subnet 10.0.0.0 netmask 255.255.255.0 ⟦{⟧\n  range 10.0.0.5 10.0.0.9;\nsubnet 10.0.1.0 netmask 255.255.255.0 {\n  range 10.0.1.5 ⟦10.0.2.9⟧;\n}\n',
    ['DHCP002', 'DHCP013'],
    eol,
  );
  assert.match(diagnostics[0]!.message, /`subnet` on line 3/);
});

bothEols('DHCP003: a word where a statement should start', (eol) => expectCodes('⟦"x"⟧;\noption routers 10.0.0.1;\n', ['DHCP003'], eol));

bothEols('DHCP003: subnet needs netmask (there is no CIDR form)', (eol) => expectCodes('subnet ⟦10.0.0.0/24⟧ { }\n', ['DHCP003'], eol));

bothEols('DHCP004: an unclosed string', (eol) => expectCodes('filename ⟦"pxelinux.0;⟧\n', ['DHCP004'], eol, ['DHCP004']));

bothEols('DHCP005: a closing brace that closes nothing', (eol) => expectCodes('authoritative;\n⟦}⟧\n', ['DHCP005'], eol));

bothEols('DHCP006: an unknown statement with a value, with did-you-mean', async (eol) => {
  const diagnostics = await expectCodes(SUBNET + '  ⟦next-sever⟧ 10.0.0.1;\n}\n', ['DHCP006'], eol);
  assert.equal(diagnostics[0]!.message, formatMessage(dhcpdRules.DHCP006.message, { name: 'next-sever', suggestion: ' Did you mean `next-server`?' }));
});

bothEols('DHCP007: a lone unknown word is a silent no-op (dhcpd accepts it)', async (eol) => {
  const diagnostics = await expectCodes('⟦authritative⟧;\n', ['DHCP007'], eol);
  assert.equal(diagnostics[0]!.severity, 2);
  assert.match(diagnostics[0]!.message, /Did you mean `authoritative`\?/);
});

bothEols('DHCP008: an unknown option, with did-you-mean', async (eol) => {
  const diagnostics = await expectCodes('option ⟦domain-name-server⟧ 10.0.0.1;\n', ['DHCP008'], eol);
  assert.match(diagnostics[0]!.message, /no option named domain-name-server in space dhcp.*Did you mean `domain-name-servers`\?/);
});

bothEols('DHCP008: an option used in an expression but never defined', (eol) =>
  expectCodes('if option ⟦pxelinux-magic⟧ = f1:00:74:7e { }\n', ['DHCP008'], eol),
);

bothEols('DHCP009: option architecture without its code 93 definition', async (eol) => {
  const diagnostics = await expectCodes(SUBNET + '  if option ⟦architecture⟧ = 00:07 { filename "a"; } else { filename "b"; }\n  next-server 10.0.0.1;\n}\n', ['DHCP009'], eol);
  assert.match(diagnostics[0]!.message, /option architecture code 93 = unsigned integer 16;/);
});

bothEols('DHCP009: a definition after the use does not count (dhcpd reads top to bottom)', (eol) =>
  expectCodes('if exists ⟦arch⟧ { }\noption arch code 93 = unsigned integer 16;\n', ['DHCP009'], eol),
);

bothEols('DHCP010: next-server written as an option', (eol) => expectCodes('option ⟦next-server⟧ 10.0.0.1;\n', ['DHCP010'], eol));

bothEols('DHCP011: wrong value types per option type', (eol) =>
  expectCodes(
    [
      'option routers ⟦"10.0.0.1"⟧;',
      'option routers ⟦10.0.0.300⟧;',
      'option domain-name ⟦example.org⟧;',
      'option ip-forwarding ⟦1⟧;',
      'option default-ip-ttl ⟦256⟧;',
      'option time-offset -5;',
      'option subnet-mask 255.255.255.0⟦,⟧ 255.255.0.0;',
      'option domain-search "a.example", ⟦b.example⟧;',
      'option static-routes 10.0.0.1 10.0.0.2, 10.0.1.1 10.0.1.2;',
      'option static-routes 10.0.0.1 10.0.0.2, ⟦10.0.1.1⟧;',
      'option dhcp-client-identifier 01:52:54:00:12:34:56;',
      'default-lease-time ⟦"1h"⟧;',
      'use-host-decl-names ⟦maybe⟧;',
      'ddns-update-style ⟦bogus⟧;',
      'host a { hardware ethernet ⟦52:54:00:12:34⟧; }',
      '',
    ]
      .join('\n'),
    ['DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011', 'DHCP011'],
    eol,
  ),
);

bothEols('DHCP011: the message names the option type and the fix', async (eol) => {
  const diagnostics = await expectCodes('option routers ⟦"10.0.0.1"⟧;\n', ['DHCP011'], eol);
  assert.equal(
    diagnostics[0]!.message,
    formatMessage(dhcpdRules.DHCP011.message, {
      value: '"10.0.0.1"',
      expected: 'an IPv4 address or host name',
      name: 'option routers',
      type: 'array of ip-address',
      fix: 'Write a dotted quad such as 192.168.0.1 (no quotes), or a host name.',
    }),
  );
});

bothEols('DHCP011: a user-defined option is checked with its own type', (eol) =>
  expectCodes('option arch code 93 = unsigned integer 16;\noption ipxe-x code 200 = { unsigned integer 8, text };\noption arch ⟦70000⟧;\noption ipxe-x 1 "a";\noption ipxe-x 1 ⟦2⟧;\n', ['DHCP011', 'DHCP011'], eol),
);

bothEols('DHCP012: an option definition inside a block', (eol) =>
  expectCodes(SUBNET + '  ⟦option foo⟧ code 200 = text;\n}\n', ['DHCP012'], eol),
);

bothEols('DHCP013: a range outside its subnet', async (eol) => {
  const diagnostics = await expectCodes(SUBNET + '  range ⟦10.0.1.1⟧ 10.0.1.5;\n}\n', ['DHCP013'], eol);
  assert.match(diagnostics[0]!.message, /subnet 10\.0\.0\.0 netmask 255\.255\.255\.0.*from 10\.0\.0\.1 to 10\.0\.0\.254/);
});

bothEols('DHCP013: a pool range of a shared network must fall in one of its subnets', (eol) =>
  expectCodes('shared-network n {\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n  subnet 10.0.1.0 netmask 255.255.255.0 { }\n  pool { range 10.0.1.10 10.0.1.20; }\n  pool { range ⟦10.0.9.10⟧ 10.0.9.20; }\n}\n', ['DHCP013'], eol),
);

bothEols('DHCP014: a subnet address with host bits set', async (eol) => {
  const diagnostics = await expectCodes('subnet ⟦10.0.0.1⟧ netmask 255.255.255.0 { }\n', ['DHCP014'], eol);
  assert.match(diagnostics[0]!.message, /`subnet 10\.0\.0\.0 netmask 255\.255\.255\.0`/);
});

bothEols('DHCP011: a netmask that is not ones then zeros', (eol) => expectCodes('subnet 10.0.0.0 netmask ⟦255.0.255.0⟧ { }\n', ['DHCP011'], eol));

bothEols('DHCP015: overlapping subnets (a warning, as dhcpd gives)', (eol) =>
  expectCodes('subnet 10.0.0.0 netmask 255.255.0.0 { }\nsubnet ⟦10.0.3.0⟧ netmask 255.255.255.0 { }\nsubnet 10.1.0.0 netmask 255.255.255.0 { }\n', ['DHCP015'], eol),
);

bothEols('DHCP016: overlapping ranges', async (eol) => {
  const diagnostics = await expectCodes(SUBNET + '  range 10.0.0.5 10.0.0.20;\n  ⟦range⟧ 10.0.0.10 10.0.0.30;\n  range 10.0.0.40 10.0.0.50;\n}\n', ['DHCP016'], eol);
  assert.match(diagnostics[0]!.message, /line 2 \(10\.0\.0\.10–10\.0\.0\.20\)/);
});

bothEols('DHCP017 / DHCP018: two hosts with one MAC or one fixed address', (eol) =>
  expectCodes(
    'host a { hardware ethernet 52:54:00:12:34:56; fixed-address 10.0.0.7; }\nhost b { hardware ethernet ⟦52:54:0:12:34:56⟧; fixed-address ⟦10.0.0.7⟧; }\nhost c { hardware ethernet 52:54:00:12:34:57; fixed-address 10.0.0.8; }\n',
    ['DHCP017', 'DHCP018'],
    eol,
  ),
);

bothEols('DHCP019: a host nothing can match', (eol) =>
  expectCodes('host ⟦lost⟧ { filename "x"; next-server 10.0.0.1; }\nhost byid { option dhcp-client-identifier "pc"; }\n', ['DHCP019'], eol),
);

bothEols('DHCP020: filename without next-server in any enclosing scope', (eol) =>
  expectCodes(SUBNET + '  range 10.0.0.5 10.0.0.9;\n  ⟦filename⟧ "pxelinux.0";\n}\n' + 'subnet 10.0.1.0 netmask 255.255.255.0 {\n  next-server 10.0.1.1;\n  if known { filename "a"; }\n}\n', ['DHCP020'], eol),
);

bothEols('DHCP021: next-server without any filename', (eol) =>
  expectCodes(SUBNET + '  ⟦next-server⟧ 10.0.0.1;\n}\n', ['DHCP021'], eol),
);

bothEols('DHCP022: an architecture chain that leaves BIOS clients out', async (eol) => {
  const diagnostics = await expectCodes(
    'option arch code 93 = unsigned integer 16;\n' + SUBNET + '  next-server 10.0.0.1;\n  ⟦if⟧ option arch = 00:07 { filename "a.efi"; }\n  elsif option arch = 00:09 { filename "a.efi"; }\n}\n',
    ['DHCP022'],
    eol,
  );
  assert.match(diagnostics[0]!.message, /BIOS \(arch 0\)/);
  assert.match(diagnostics[0]!.message, /elsif option arch = 00:00/);
});

bothEols('DHCP022: x86-64 UEFI sends 7 or 9; testing one of them is not enough', async (eol) => {
  const diagnostics = await expectCodes(
    'option arch code 93 = unsigned integer 16;\n' + SUBNET + '  next-server 10.0.0.1;\n  ⟦if⟧ option pxe-system-type = 00:00 { filename "pxelinux.0"; }\n  elsif option arch = 00:07 { filename "a.efi"; }\n}\n',
    ['DHCP022'],
    eol,
  );
  assert.match(diagnostics[0]!.message, /arch 9/);
});

bothEols('DHCP022: an else branch, or a filename outside the chain, covers the rest', (eol) =>
  expectCodes(
    'option arch code 93 = unsigned integer 16;\n' + SUBNET + '  next-server 10.0.0.1;\n  if option arch = 00:07 { filename "a.efi"; } else { filename "pxelinux.0"; }\n}\nsubnet 10.0.1.0 netmask 255.255.255.0 {\n  next-server 10.0.1.1;\n  filename "pxelinux.0";\n  if option arch = 00:07 { filename "a.efi"; }\n}\n',
    [],
    eol,
    ['DHCP022'],
  ),
);

bothEols('DHCP023: negative lease times other than -1', (eol) =>
  expectCodes('default-lease-time -1;\nmax-lease-time ⟦-600⟧;\nmin-lease-time infinite;\n', ['DHCP023'], eol),
);

bothEols('DHCP024: declarations where dhcpd does not allow them', (eol) =>
  expectCodes('⟦range⟧ 10.0.0.1 10.0.0.5;\nhost a { hardware ethernet 52:54:00:12:34:56; ⟦host⟧ b { hardware ethernet 52:54:00:12:34:57; } }\n', ['DHCP024', 'DHCP024'], eol),
);

bothEols('DHCP025: an option space used before it is declared', (eol) =>
  expectCodes('option ⟦ipxe⟧.menu code 39 = unsigned integer 8;\noption space ipxe;\noption ipxe.no-pxedhcp code 176 = unsigned integer 8;\n', ['DHCP025'], eol),
);

bothEols('DHCP026: an unknown allow/deny keyword', (eol) =>
  expectCodes('allow ⟦bootpp⟧;\ndeny unknown-clients;\npool { allow members of "pxe"; deny dynamic bootp clients; }\n', ['DHCP026'], eol, ['DHCP026']),
);

bothEols('DHCP027: an option code out of range', (eol) => expectCodes('option big code ⟦300⟧ = text;\n', ['DHCP027'], eol));

bothEols('DHCP028: an unknown option type', (eol) => expectCodes('option x code 200 = ⟦unsigned integer 12⟧;\n', ['DHCP028'], eol));

bothEols('DHCP029: NAME = value sets a variable, not the option', (eol) =>
  expectCodes('option option-129 code 129 = text;\n⟦option-129⟧ = "initrd=x";\n', ['DHCP029'], eol),
);

test('severity overrides apply per code, and off drops the diagnostic', async () => {
  const text = 'authritative;\n';
  const [warning] = await dhcpdService.validate(text);
  assert.equal(warning?.code, 'DHCP007');
  const raised = await dhcpdService.validate(text, { severity: { DHCP007: 'error' } });
  assert.equal(raised[0]?.severity, 1);
  assert.deepEqual(await dhcpdService.validate(text, { severity: { DHCP007: 'off' } }), []);
});

test('one mistake does not hide the next: errors on several lines are all reported', async () => {
  const text = 'option routers 10.0.0.1\nnext-sever 10.0.0.2;\noption domain-name 1.2.3.4;\nsubnet 10.0.0.1 netmask 255.255.255.0 {\n  range 10.0.9.1 10.0.9.2;\n}\n';
  const diagnostics = await dhcpdService.validate(text);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 1).map((d) => `${d.range.start.line}:${d.code}`),
    ['0:DHCP001', '1:DHCP006', '2:DHCP011', '3:DHCP014', '4:DHCP013'],
  );
});
