// schemas/dhcpd.json is the only place the dhcpd.conf service learns names,
// codes and types from, so the data itself is checked: schema validity, no
// name or code claimed twice, every format readable, and the human spelling
// of each type saying the same thing as its ISC format code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { DhcpdCatalogData } from '../../../server/src/lang/dhcpd/dhcpdCatalog';
import { dhcpdCatalog } from '../../../server/src/lang/dhcpd/dhcpdCatalog';
import { describeType, parseFormat } from '../../../server/src/lang/dhcpd/optionTypes';
import { parseDhcpdConf } from '../../../server/src/lang/dhcpd/parser';

const schemasDir = join(import.meta.dirname, '..', '..', '..', 'schemas');
const readJson = (name: string): unknown => JSON.parse(readFileSync(join(schemasDir, name), 'utf8'));
const data = readJson('dhcpd.json') as DhcpdCatalogData;

test('dhcpd.json is valid against dhcpd.schema.json', () => {
  const validate = new Ajv({ allErrors: true }).compile(readJson('dhcpd.schema.json') as object);
  assert.ok(validate(data), JSON.stringify(validate.errors, null, 2));
});

test('dhcpd.schema.json rejects what it should', () => {
  const validate = new Ajv({ allErrors: true }).compile(readJson('dhcpd.schema.json') as object);
  const broken = structuredClone(data) as unknown as { options: { code: unknown; format: string }[]; parameters: { value: string; values?: string[] }[] };
  broken.options[0]!.code = 'twelve';
  assert.equal(validate(broken), false);
  const enumless = structuredClone(data) as unknown as typeof broken;
  const enumParameter = enumless.parameters.find((p) => p.value === 'enum')!;
  delete enumParameter.values;
  assert.equal(validate(enumless), false, 'an enum parameter needs its values');
});

test('dhcpd.json keeps every fact of the reference', () => {
  // The reference counts 30 statements, 113 parameters and 198 options; two of
  // its option rows are the same dhcp6 options under a second spelling.
  assert.equal(data.statements.length, 30);
  assert.equal(data.parameters.length, 113);
  assert.equal(data.options.length, 196);
  for (const name of ['routers', 'domain-name-servers', 'pxe-system-type', 'vendor-class-identifier', 'user-class', 'root-path']) {
    assert.ok(dhcpdCatalog.option(name), name);
  }
  for (const name of ['next-server', 'filename', 'hardware', 'fixed-address', 'default-lease-time', 'authoritative']) {
    assert.ok(dhcpdCatalog.parameter(name), name);
  }
  assert.equal(dhcpdCatalog.option('pxe-system-type')?.code, 93);
  assert.equal(dhcpdCatalog.option('architecture'), undefined, 'option architecture is not predefined');
  assert.equal(dhcpdCatalog.option('next-server'), undefined, 'next-server is a parameter, not an option');
  assert.equal(dhcpdCatalog.option('agent.circuit-id')?.code, 1);
});

test('dhcpd.json: option names and codes are unique within their space', () => {
  const names = new Set<string>();
  const codes = new Set<string>();
  for (const o of data.options) {
    const name = `${o.space}.${o.name}`;
    const code = `${o.space}#${o.code}`;
    assert.ok(!names.has(name), `${name} twice`);
    assert.ok(!codes.has(code), `${code} claimed twice`);
    names.add(name);
    codes.add(code);
    assert.ok(data.spaces.some((s) => s.name === o.space), `${name}: undeclared space`);
  }
  const parameterNames = data.parameters.map((p) => p.name);
  assert.equal(new Set(parameterNames).size, parameterNames.length);
});

test('dhcpd.json: each option type says what its ISC format code says', () => {
  for (const o of data.options) {
    const type = parseFormat(o.format);
    assert.ok(type, `${o.name}: unreadable format ${o.format}`);
    assert.equal(describeType(type), o.type, `${o.name} (${o.format})`);
  }
  for (const p of data.parameters) if (p.format) assert.ok(parseFormat(p.format), `${p.name}: unreadable format ${p.format}`);
});

test('dhcpd.json: definable types round-trip through the parser', () => {
  // What a user would write to define each catalog option again must parse
  // into the same type the catalog gives it.
  for (const o of data.options) {
    const type = parseFormat(o.format)!;
    if (type.fields.some((f) => f.kind === 'enumeration' || f.kind === 'lease-time' || f.optional || (f.kind === 'encapsulate' && !f.name))) continue;
    const { tree, problems } = parseDhcpdConf(`option x-${o.code} code ${o.code} = ${o.type};\n`);
    assert.deepEqual(problems, [], `${o.name}: ${o.type}`);
    const definition = tree.statements[0];
    assert.equal(definition?.kind, 'option-definition', o.name);
    if (definition?.kind === 'option-definition') assert.equal(definition.type && describeType(definition.type), o.type, o.name);
  }
});
