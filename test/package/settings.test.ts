import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { BUILDERS, configurationContribution, DIAGNOSTIC_CATALOGS, NETWORK_MODES } from '../../client/src/settings';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test("package.json's settings are the ones client/src/settings.ts declares (else: node --import tsx scripts/sync-settings.ts)", () => {
  assert.deepEqual(manifest.contributes.configuration, JSON.parse(JSON.stringify(configurationContribution())));
});

function ruleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? ruleFiles(path) : name.endsWith('Rules.ts') ? [path] : [];
  });
}

test('every diagnostic catalog under server/src/lang is in the severity setting', async () => {
  const declared = new Set(Object.values(DIAGNOSTIC_CATALOGS));
  const files = ruleFiles(join(root, 'server', 'src', 'lang'));
  assert.ok(files.length >= 3);
  for (const file of files) {
    const catalogs = Object.values((await import(file)) as Record<string, unknown>).filter((v) => typeof v === 'object' && v !== null && Object.values(v).every((r) => typeof r === 'object' && r !== null && 'severity' in r && 'message' in r));
    assert.ok(catalogs.length > 0, `${relative(root, file)} exports no rule catalog`);
    for (const catalog of catalogs) assert.ok(declared.has(catalog as never), `${relative(root, file)}: add its catalog to DIAGNOSTIC_CATALOGS in client/src/settings.ts`);
  }
});

test('the severity setting knows every code and no other', () => {
  const severity = manifest.contributes.configuration.properties['netbootFarm.diagnostics.severity'];
  const codes: string[] = severity.propertyNames.enum;
  assert.ok(codes.includes('LTS010') && codes.includes('LTSP016') && codes.includes('DKR001'));
  assert.equal(new Set(codes).size, codes.length, 'a code is declared twice');
  assert.deepEqual(severity.additionalProperties.enum, ['error', 'warning', 'information', 'hint', 'off']);
});

test('the preview network modes and builders are the documented ones', () => {
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(properties['netbootFarm.preview.networkMode'].enum, ['auto', 'isolated', 'user']);
  assert.deepEqual(NETWORK_MODES, ['auto', 'isolated', 'user']);
  assert.deepEqual(properties['netbootFarm.build.builder'].enum, [...BUILDERS]);
  for (const [name, schema] of Object.entries(properties) as [string, { enum?: unknown[]; enumDescriptions?: unknown[]; default: unknown }][]) {
    if (schema.enumDescriptions) assert.equal(schema.enumDescriptions.length, schema.enum?.length, `${name}: one description per value`);
    if (schema.enum) assert.ok(schema.enum.includes(schema.default), `${name}: the default is one of its values`);
  }
});
