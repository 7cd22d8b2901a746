import { join, resolve } from 'node:path';
import type { FarmEvent } from '../farm/events';
import { launchFarm } from '../farm/launch';
import type { FarmStatus } from '../farm/protocol';
import type { CliCommand } from './command';
import { flag, hasFlag, oneOf, parseArgs, UsageError } from './usage';

/** One event as a line: time, layer, node, message, and the config line that made the decision. */
export function formatFarmEvent(event: FarmEvent): string {
  const time = new Date(event.time).toISOString().slice(11, 23);
  const level = event.level === 'error' ? 'ERROR ' : event.level === 'warning' ? 'warning: ' : '';
  const node = event.node ? `${event.node}: ` : '';
  // Origins are 0-based lines, as in the lease contract; people count from 1.
  const origin = event.origin ? `  (${event.origin.file}:${event.origin.line + 1})` : '';
  return `${time} ${event.layer.padEnd(7)} ${level}${node}${event.message}${origin}`;
}

/** What runs where, for people: the network and each server's address. */
export function formatFarmStatus(status: FarmStatus): string {
  const lines: string[] = [];
  const net = status.network;
  if (net?.mode === 'isolated') lines.push(`network: private LAN ${net.subnet} on ${net.bridge}, farm at ${net.serverAddress} (in its own namespaces)`);
  if (net?.mode === 'user') lines.push(`network: QEMU user mode, servers on ${net.serverAddress} (${net.reason})`);
  for (const server of status.servers) lines.push(`  ${server.name.padEnd(5)} ${server.transport} ${server.address}:${server.port}`);
  for (const missing of status.missing) lines.push(`  ${missing.name.padEnd(5)} not running: ${missing.reason}`);
  return lines.join('\n') + '\n';
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: "run a folder's farm (DHCP, TFTP, NBD, HTTP on a private network) until Ctrl-C",
  usage: 'serve [FOLDER] [--image DIR] [--network auto|isolated|user] [--no-namespaces] [--json] [--verbose]',
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['image', 'network'], booleans: ['json', 'no-namespaces', 'verbose'] });
    if (args.positionals.length > 1) throw new UsageError(`one folder at most (got ${args.positionals.join(', ')})`);
    const folder = resolve(args.positionals[0] ?? '.');
    const network = oneOf(flag(args, 'network'), ['auto', 'isolated', 'user'] as const, 'network', 'auto');
    const image = flag(args, 'image');
    const json = hasFlag(args, 'json');
    const verbose = hasFlag(args, 'verbose');
    // The farm's own log is kept for when it fails; --verbose shows it as it comes.
    const recentLog: string[] = [];
    const farm = await launchFarm({
      farmScript: join(__dirname, 'farm.js'),
      isolation: hasFlag(args, 'no-namespaces') ? 'none' : 'auto',
      onEvent: (event) => io.stdout(json ? `${JSON.stringify(event)}\n` : `${formatFarmEvent(event)}\n`),
      onLog: (line) => {
        if (verbose) io.stderr(`${line}\n`);
        recentLog.push(line);
        if (recentLog.length > 20) recentLog.shift();
      },
    });
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      if (!json) io.stderr('stopping the farm...\n');
      void farm.close();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const status = await farm.start({ folder, network, ...(image ? { image: resolve(image) } : {}) });
      if (!json) io.stderr(`${formatFarmStatus(status)}serving ${folder}: Ctrl-C stops the farm\n`);
      const end = await farm.exited;
      if (stopping) return 0;
      io.stderr(`netboot-farm serve: the farm process ended on its own (${end.signal ?? `exit ${end.code}`})\n${tail(recentLog, verbose)}`);
      return 1;
    } catch (error) {
      if (stopping) return 0;
      io.stderr(`netboot-farm serve: ${error instanceof Error ? error.message : String(error)}\n${tail(recentLog, verbose)}`);
      await farm.close();
      return 1;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

function tail(lines: readonly string[], alreadyShown: boolean): string {
  return alreadyShown || lines.length === 0 ? '' : `the farm's last log lines:\n${lines.map((l) => `  ${l}\n`).join('')}`;
}
