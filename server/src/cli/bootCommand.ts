import { resolve } from 'node:path';
import type { FarmEvent } from '../farm/events';
import { bootFarm, type FarmBootResult } from '../farm/qemu/farmBoot';
import type { CliCommand, CliIo } from './command';
import { flag, hasFlag, oneOf, parseArgs, UsageError } from './usage';

const DEFAULT_EXPECT = 'netboot-farm: ready|login:';

/** One timeline line: seconds since the boot began, the node, the layer, the message. */
export function timelineLine(event: FarmEvent, start: number): string {
  const seconds = `+${((event.time - start) / 1000).toFixed(1)}s`.padStart(8);
  const level = event.level === 'error' ? 'ERROR ' : event.level === 'warning' ? 'warn  ' : '';
  const origin = event.origin ? `  (${event.origin.file}:${event.origin.line + 1})` : '';
  return `${seconds}  ${(event.node ?? '').padEnd(17)} ${event.layer.padEnd(7)} ${level}${event.message}${origin}`;
}

/** Console lines and the farm's own log are in the VM consoles and stderr; the timeline keeps the steps. */
function onTimeline(event: FarmEvent, verbose: boolean): boolean {
  if (verbose) return true;
  return !(event.layer === 'console' && event.kind === 'line') && !(event.layer === 'farm' && event.kind === 'log') && !(event.layer === 'build' && event.kind === 'log');
}

function summary(result: FarmBootResult, expect: RegExp): string {
  const lines = ['', `network: ${result.status.network?.mode ?? 'unknown'}${result.status.network?.reason ? ` (${result.status.network.reason})` : ''}; image: ${result.image.dir}`];
  for (const r of result.results) {
    const who = `${r.node.name} (${r.node.firmware.toUpperCase()}, ${r.node.mac})`;
    if (r.matched !== undefined) {
      lines.push(`ok    ${who}: matched ${expect} in ${r.seconds.toFixed(1)} s: ${r.matched.trim()}`);
    } else {
      lines.push(`FAIL  ${who}: no match for ${expect} after ${r.seconds.toFixed(1)} s; reached ${r.reached.join(' > ') || 'nothing'}; stuck before: ${r.stuckAt}`);
      lines.push(`      last console lines:`, ...r.lastLines.map((l) => `      | ${l}`));
    }
  }
  return lines.join('\n') + '\n';
}

export const bootCommand: CliCommand = {
  name: 'boot',
  summary: "boot the folder's farm in QEMU VMs and print the timeline",
  usage: 'boot [FOLDER] [--nodes N] [--firmware bios|uefi|both] [--headless] [--expect REGEX] [--timeout SECONDS] [--network auto|isolated|user] [--image DIR] [--example-image] [--verbose] [--json]',
  async run(argv, io: CliIo) {
    const args = parseArgs(argv, { values: ['nodes', 'firmware', 'expect', 'timeout', 'network', 'image'], booleans: ['headless', 'json', 'example-image', 'verbose'] });
    if (args.positionals.length > 1) throw new UsageError('give at most one folder');
    const folder = resolve(args.positionals[0] ?? '.');
    const nodesText = flag(args, 'nodes');
    const nodes = nodesText === undefined ? undefined : Number(nodesText);
    if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > 32)) throw new UsageError(`--nodes must be a whole number from 1 to 32 (got "${nodesText}")`);
    const timeoutText = flag(args, 'timeout') ?? '240';
    const timeoutSeconds = Number(timeoutText);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout must be a number of seconds (got "${timeoutText}")`);
    let expect: RegExp;
    try {
      expect = new RegExp(flag(args, 'expect') ?? DEFAULT_EXPECT);
    } catch (error) {
      throw new UsageError(`--expect is not a regular expression: ${error instanceof Error ? error.message : String(error)}`);
    }
    const imageText = flag(args, 'image');
    if (imageText !== undefined && hasFlag(args, 'example-image')) throw new UsageError('give either --image DIR or --example-image, not both');
    const imageDir = imageText === undefined ? undefined : resolve(imageText);
    const json = hasFlag(args, 'json');
    const verbose = hasFlag(args, 'verbose');
    const events: FarmEvent[] = [];
    const start = Date.now();
    const controller = new AbortController();
    const abort = () => controller.abort();
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    try {
      const result = await bootFarm({
        folder,
        ...(nodes !== undefined ? { nodes } : {}),
        firmware: oneOf(flag(args, 'firmware'), ['bios', 'uefi', 'both'] as const, 'firmware', 'bios'),
        headless: hasFlag(args, 'headless'),
        expect,
        timeoutSeconds,
        network: oneOf(flag(args, 'network'), ['auto', 'isolated', 'user'] as const, 'network', 'auto'),
        exampleImage: hasFlag(args, 'example-image'),
        // An LTSP 20+ tree (ltsp image/kernel/initrd/ipxe) or a build export, instead of FOLDER/.netboot.
        ...(imageDir !== undefined ? { image: imageDir } : {}),
        signal: controller.signal,
        onEvent(event) {
          events.push(event);
          if (!json && onTimeline(event, verbose)) io.stdout(timelineLine(event, start) + '\n');
        },
      });
      if (json) {
        io.stdout(
          JSON.stringify(
            {
              ok: result.ok,
              network: result.status.network,
              image: result.image.dir,
              nodes: result.results.map((r) => ({ ...r.node, matched: r.matched ?? null, reached: r.reached, stuckAt: r.stuckAt ?? null, seconds: r.seconds, lastLines: r.lastLines })),
              events,
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        io.stdout(summary(result, expect));
      }
      return result.ok ? 0 : 1;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      io.stderr(`netboot-farm boot: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    } finally {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    }
  },
};
