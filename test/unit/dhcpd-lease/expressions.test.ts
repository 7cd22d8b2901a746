import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expression, IfStatement } from '../../../server/src/lang/dhcpd/ast';
import { evaluate, evaluateBoolean, evaluateData, type EvalContext } from '../../../server/src/lang/dhcpd/lease/expressions';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';

/** The condition of `if EXPR { }`, as the parser reads it. */
function expr(text: string): Expression {
  const { tree, problems } = parseDhcpdConf(`if ${text} { }`);
  assert.deepEqual(problems, [], text);
  return ((tree.statements[0] as IfStatement).branches[0]?.condition) as Expression;
}

const client = new Map<string, Uint8Array>([
  ['vendor-class-identifier', new TextEncoder().encode('PXEClient:Arch:00007')],
  ['arch', Uint8Array.of(0, 7)],
]);
const ctx: EvalContext = {
  clientOption: (o) => client.get(o.name),
  configOption: () => undefined,
  hardware: Uint8Array.of(1, 0x52, 0x54, 0, 0x12, 0x34, 0x56),
  packet: Uint8Array.of(1, 1, 6, 0),
  known: true,
  isStatic: false,
  variables: new Map(),
};
const bool = (t: string) => evaluateBoolean(expr(t), ctx);
const text = (t: string) => {
  const d = evaluateData(expr(t), ctx);
  return d && Buffer.from(d).toString('latin1');
};

test('comparisons with nulls behave as in dhcpd: two nulls are equal, a null and a value are not', () => {
  assert.equal(bool('option missing-one = option missing-two'), true);
  assert.equal(bool('option missing-one = "x"'), false);
  assert.equal(bool('option missing-one != "x"'), true);
  assert.equal(bool('option arch = 00:07'), true);
  assert.equal(bool('option arch = 00:09'), false);
  assert.equal(bool('exists arch and not exists missing'), true);
  assert.equal(bool('option arch = 00:09 or known'), true);
  // dhcpd treats a false left side of `and` as "cannot evaluate", so its negation is not true either.
  assert.equal(bool('option arch = 00:09 and known'), undefined);
  assert.equal(bool('not (option arch = 00:09 and known)'), undefined);
  assert.equal(bool('not known'), false);
});

test('data functions', () => {
  assert.equal(text('substring(option vendor-class-identifier, 0, 9)'), 'PXEClient');
  assert.equal(text('substring(option vendor-class-identifier, 100, 9)'), '', 'past the end is empty, not null');
  assert.equal(text('suffix(option vendor-class-identifier, 5)'), '00007');
  assert.equal(text('concat("a", "b", "c")'), 'abc');
  assert.equal(text('concat("a", option missing)'), undefined, 'concat with a null is null');
  assert.equal(text('binary-to-ascii(16, 8, ":", substring(hardware, 1, 6))'), '52:54:0:12:34:56');
  assert.equal(text('binary-to-ascii(10, 16, ".", option arch)'), '7');
  assert.equal(text('ucase("pxe")'), 'PXE');
  assert.equal(text('lcase("PXE")'), 'pxe');
  assert.deepEqual([...(evaluateData(expr('encode-int(258, 16)'), ctx) ?? [])], [1, 2]);
  assert.deepEqual([...(evaluateData(expr('reverse(1, 01:02:03)'), ctx) ?? [])], [3, 2, 1]);
  assert.deepEqual([...(evaluateData(expr('packet(0, 3)'), ctx) ?? [])], [1, 1, 6]);
  assert.equal(text('pick-first-value(option missing, "fallback")'), 'fallback');
  assert.deepEqual(evaluate(expr('extract-int(option arch, 16)'), ctx), { kind: 'number', value: 7 });
  assert.equal(bool('extract-int(option arch, 16) = 7'), true);
});

test('regular expressions: ~= is case-sensitive, ~~ is not; a broken pattern matches nothing', () => {
  assert.equal(bool('option vendor-class-identifier ~= "^PXEClient:Arch:0000[79]$"'), true);
  assert.equal(bool('option vendor-class-identifier ~= "^pxeclient"'), false);
  assert.equal(bool('option vendor-class-identifier ~~ "^pxeclient"'), true);
  assert.equal(bool('option vendor-class-identifier ~= "(("'), undefined);
});
