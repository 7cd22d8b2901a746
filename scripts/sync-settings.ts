// Writes package.json's contributes.configuration from client/src/settings.ts,
// the one place settings are declared. test/package/settings.test.ts fails
// when they differ.   node --import tsx scripts/sync-settings.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationContribution } from '../client/src/settings';

const file = join(import.meta.dirname, '..', 'package.json');
const manifest = JSON.parse(readFileSync(file, 'utf8'));
manifest.contributes.configuration = configurationContribution();
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`${file}: contributes.configuration has ${Object.keys(manifest.contributes.configuration.properties).length} settings\n`);
