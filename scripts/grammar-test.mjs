// Runs the TextMate grammar unit tests: every test/grammar/*.ltsconf.test and
// *.ltspconf.test / *.dhcpd.test file against syntaxes/ltsconf.tmLanguage.json,
// syntaxes/ltspconf.tmLanguage.json and syntaxes/dhcpd.tmLanguage.json, with vscode-tmgrammar-test.
// Exits non-zero when an assertion fails or a file cannot be run.
// Extra arguments go to vscode-tmgrammar-test (e.g. `--compact`).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const grammars = ['syntaxes/ltsconf.tmLanguage.json', 'syntaxes/ltspconf.tmLanguage.json', 'syntaxes/dhcpd.tmLanguage.json'];
const testDir = 'test/grammar';

const tool = join(root, 'node_modules', 'vscode-tmgrammar-test');
const { bin } = JSON.parse(readFileSync(join(tool, 'package.json'), 'utf8'));
const unitBin = join(tool, typeof bin === 'string' ? bin : bin['vscode-tmgrammar-test']);

const tests = readdirSync(join(root, testDir))
  .filter((name) => name.endsWith('.ltsconf.test') || name.endsWith('.ltspconf.test') || name.endsWith('.dhcpd.test'))
  .sort()
  .map((name) => `${testDir}/${name}`);
if (tests.length === 0) {
  console.error(`no grammar tests found in ${testDir}`);
  process.exit(1);
}

// Count assertions the way vscode-tmgrammar-test parses them: each run of
// carets on a `#   ^^^ scope` line is one, and so is each `# <-- scope` line.
let assertions = 0;
for (const file of tests) {
  const lines = readFileSync(join(root, file), 'utf8').split(/\r?\n/).slice(1);
  for (const line of lines) {
    if (/^#\s*\^/.test(line)) assertions += line.match(/\^+/g).length;
    else if (/^#\s*<~*-+/.test(line)) assertions += 1;
  }
}

// --config points at package.json explicitly so the run does not depend on the
// caller's working directory; the -g grammars are loaded whatever it lists.
const args = [unitBin, '--config', join(root, 'package.json'), ...grammars.flatMap((g) => ['-g', g]), ...process.argv.slice(2), ...tests];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`could not run vscode-tmgrammar-test: ${result.error.message}`);
  process.exit(1);
}
const ok = result.status === 0;
console.log(`${ok ? 'grammar tests passed' : 'grammar tests FAILED'}: ${tests.length} files, ${assertions} assertions`);
process.exitCode = ok ? 0 : 1;
