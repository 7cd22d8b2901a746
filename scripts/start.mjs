// `npm start`: the main job. Until the netboot preview exists, it checks the
// example farm's configuration with the CLI and shows what one node gets.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const run = (args) => spawnSync(node, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (!existsSync(join(root, 'dist', 'cli.js')) && run(['scripts/build.mjs']) !== 0) process.exit(1);
const cli = 'bin/netboot-farm.js';
let status = run([cli, 'check', 'examples/farm/lts.conf', 'examples/farm/ltsp.conf']);
for (const file of ['examples/farm/lts.conf', 'examples/farm/ltsp.conf']) {
  process.stdout.write(`\nWhat node01 (52:54:00:00:00:01) gets from ${file}:\n`);
  status = run([cli, 'effective', '--client', '52:54:00:00:00:01 192.168.67.21', file]) || status;
}
process.exitCode = status;
