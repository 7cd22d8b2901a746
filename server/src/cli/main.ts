import { baseImageCommand, buildCommand } from './buildCommand';
import { bootCommand } from './bootCommand';
import { checkCommand } from './checkCommand';
import { dhcpCommand } from './dhcpCommand';
import { effectiveCommand } from './effectiveCommand';
import { imageCommand } from './imageCommand';
import { kubernetesCommand } from './kubernetesCommand';
import { previewCommand } from './previewCommand';
import { serveCommand } from './serveCommand';
import type { CliCommand, CliIo } from './command';
import { UsageError } from './usage';

/** Every subcommand; a later feature adds its command here. */
const commands: readonly CliCommand[] = [checkCommand, effectiveCommand, kubernetesCommand, buildCommand, baseImageCommand, serveCommand, imageCommand, bootCommand, previewCommand, dhcpCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return ['usage: netboot-farm <command> [options]', '', ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`), ''].join('\n');
}

/** Runs the CLI and returns its exit code: 0 ok, 1 findings/failure, 2 usage. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`netboot-farm: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`netboot-farm ${command.name}: ${error.message}\nusage: netboot-farm ${command.usage}\n`);
      return 2;
    }
    throw error;
  }
}
