// `npm start`: the main job. It checks the example farm's configuration, shows
// what one node gets from it, then builds the small example image (cached) and
// boots the example farm headless: node01 by BIOS and node02 by UEFI, in QEMU,
// printing the boot timeline. Extra arguments go to `netboot-farm boot`
// (e.g. `npm start -- --network user`). Last, in a terminal, it opens the
// example farm in a real VS Code with the extension loaded (code-server in
// the browser; it prints the address) until Ctrl+C; `--no-vscode` skips that.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const run = (args) => spawnSync(node, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const built = ['cli.js', 'farm.js'].every((file) => existsSync(join(root, 'dist', file)));
if (!built && run(['scripts/build.mjs']) !== 0) process.exit(1);
const cli = 'bin/netboot-farm.js';
let status = run([cli, 'check', 'examples/farm/lts.conf', 'examples/farm/ltsp.conf', 'examples/farm/dhcpd.conf']);
for (const file of ['examples/farm/lts.conf', 'examples/farm/ltsp.conf']) {
  process.stdout.write(`\nWhat node01 (52:54:00:00:00:01) gets from ${file}:\n`);
  status = run([cli, 'effective', '--client', '52:54:00:00:00:01 192.168.67.21', file]) || status;
}

const args = process.argv.slice(2);
const vscode = !args.includes('--no-vscode') && process.stdin.isTTY && process.stdout.isTTY;
process.stdout.write('\nBooting the example farm (examples/farm): node01 by BIOS, node02 by UEFI\n');
status = run([cli, 'boot', 'examples/farm', '--headless', '--firmware', 'both', ...args.filter((a) => a !== '--no-vscode')]) || status;
if (vscode) {
  process.stdout.write('\nOpening the example farm in VS Code (code-server, with Netboot Farm loaded); Ctrl+C ends it.\n');
  run(['scripts/open-in-vscode.mjs', 'examples/farm']);
}
process.exitCode = status;
