import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { PreviewCommand, PreviewCommandName, PreviewOutput } from '../farm/previewProtocol';
import { startFarmSession, type FarmStartOptions } from '../farm/qemu/farmBoot';
import type { FarmSession } from '../farm/qemu/farmSession';
import type { CliCommand, CliIo } from './command';
import { flag, hasFlag, oneOf, parseArgs, UsageError } from './usage';

const commandNames: readonly PreviewCommandName[] = ['reset', 'power-off', 'power-on', 'add-node', 'screenshot', 'stop'];

/** One stdin line as a command, or what is wrong with it (with its id when it has a usable one). */
export function parsePreviewCommand(line: string): { readonly command: PreviewCommand } | { readonly error: string; readonly id?: number } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: `not JSON (${error instanceof Error ? error.message : String(error)}): send one object per line, e.g. {"id":1,"command":"reset","node":"node01"}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'a command is a JSON object, e.g. {"id":1,"command":"stop"}' };
  const fields = value as Record<string, unknown>;
  const id = fields.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { error: `"id" must be a whole number (got ${JSON.stringify(id) ?? 'nothing'})` };
  const name = fields.command;
  if (typeof name !== 'string' || !(commandNames as readonly string[]).includes(name)) {
    return { id, error: `unknown command ${JSON.stringify(name) ?? '(none)'}: the commands are ${commandNames.join(', ')}` };
  }
  const command = name as PreviewCommandName;
  switch (command) {
    case 'reset':
    case 'power-off':
    case 'power-on':
    case 'screenshot': {
      const node = fields.node;
      if (typeof node !== 'string' || node === '') return { id, error: `${command} needs "node": the node's name, as in the status line` };
      return { command: { id, command, node } };
    }
    case 'add-node': {
      const firmware = fields.firmware;
      if (firmware !== undefined && firmware !== 'bios' && firmware !== 'uefi') return { id, error: `add-node: "firmware" must be "bios" or "uefi" (got ${JSON.stringify(firmware)})` };
      return { command: { id, command, ...(firmware ? { firmware } : {}) } };
    }
    case 'stop':
      return { command: { id, command } };
  }
}

interface Ending {
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * Runs one preview session: JSON lines out (events, status, replies, and a
 * last `ended`), commands in. It ends on `stop`, when `input` closes, on
 * SIGTERM/SIGINT, or when the farm process dies; every way out stops every VM
 * and the farm before `ended` is printed.
 */
export async function runPreview(options: FarmStartOptions, io: CliIo, input: Readable): Promise<number> {
  let closed = false;
  const out = (output: PreviewOutput) => {
    if (!closed) io.stdout(JSON.stringify(output) + '\n');
  };
  let session: FarmSession | undefined;
  // Status lines are built one after the other, so they come out in the order of the changes.
  let statusChain = Promise.resolve();
  const sendStatus = () => {
    statusChain = statusChain
      .then(async () => {
        if (!session || closed) return;
        const status = await session.refreshStatus();
        out({ type: 'status', status, image: session.image.dir, nodes: session.nodes() });
      })
      .catch(() => undefined);
  };

  let endWith!: (ending: Ending) => void;
  const ending = new Promise<Ending>((resolve) => (endWith = resolve));
  const onSignal = (signal: NodeJS.Signals) => endWith({ ok: true, reason: `stopped by ${signal}` });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that went away (EPIPE) ends the session instead of the process.
  const onOutputError = () => {
    closed = true;
    endWith({ ok: false, reason: 'stdout closed' });
  };
  process.stdout.on('error', onOutputError);

  const started = startFarmSession({ ...options, onEvent: (event) => out({ type: 'event', event }), onNodesChanged: sendStatus }).then((s) => {
    session = s;
    void s.died.then((reason) => endWith({ ok: false, reason }));
    sendStatus();
    return s;
  });
  started.catch((error: unknown) => endWith({ ok: false, reason: error instanceof Error ? error.message : String(error) }));

  const reply = (id: number, error?: unknown) => out({ type: 'reply', id, ok: error === undefined, ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}) });
  const perform = async (command: PreviewCommand) => {
    const s = await started.catch(() => undefined);
    if (!s) throw new Error('the session did not start (see the ended line)');
    switch (command.command) {
      case 'reset':
        return s.reset(command.node);
      case 'power-off':
        return s.powerOff(command.node);
      case 'power-on':
        return s.powerOn(command.node);
      case 'add-node':
        await s.addNode(command.firmware);
        return;
      case 'screenshot': {
        const png = await s.screenshot(command.node);
        out({ type: 'screenshot', node: command.node, png: png.toString('base64') });
        return;
      }
      case 'stop':
        endWith({ ok: true, reason: `stopped by the stop command (id ${command.id})` });
        return;
    }
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const parsed = parsePreviewCommand(line);
    if ('error' in parsed) {
      if (parsed.id !== undefined) reply(parsed.id, parsed.error);
      else io.stderr(`netboot-farm preview: ignored input line ${JSON.stringify(line.slice(0, 200))}: ${parsed.error}\n`);
      return;
    }
    const command = parsed.command;
    perform(command).then(
      () => reply(command.id),
      (error: unknown) => reply(command.id, error),
    );
  });
  lines.on('close', () => endWith({ ok: true, reason: 'stdin closed' }));

  try {
    const asked = await ending;
    // A start that fails is how the session ended, even if a stop was asked for meanwhile (stdin closed at once).
    const startError = await started.then(
      (s) => s.stop().then(
        () => undefined,
        () => undefined,
      ),
      (error: unknown) => error,
    );
    const end = startError === undefined ? asked : { ok: false, reason: startError instanceof Error ? startError.message : String(startError) };
    await statusChain;
    out({ type: 'ended', ok: end.ok, reason: end.reason });
    closed = true;
    return end.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onOutputError);
    lines.close();
    input.destroy();
  }
}

export const previewCommand: CliCommand = {
  name: 'preview',
  summary: "boot the folder's farm in QEMU and keep it running; JSON-lines commands on stdin, events and status on stdout",
  usage: 'preview [FOLDER] [--nodes N] [--firmware bios|uefi|both] [--headless] [--network auto|isolated|user] [--image DIR] [--example-image]',
  async run(argv, io) {
    let options: FarmStartOptions;
    try {
      const args = parseArgs(argv, { values: ['nodes', 'firmware', 'network', 'image'], booleans: ['headless', 'example-image'] });
      if (args.positionals.length > 1) throw new UsageError('give at most one folder');
      const nodesText = flag(args, 'nodes');
      const nodes = nodesText === undefined ? undefined : Number(nodesText);
      if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > 32)) throw new UsageError(`--nodes must be a whole number from 1 to 32 (got "${nodesText}")`);
      const imageText = flag(args, 'image');
      if (imageText !== undefined && hasFlag(args, 'example-image')) throw new UsageError('give either --image DIR or --example-image, not both');
      options = {
        folder: resolve(args.positionals[0] ?? '.'),
        ...(nodes !== undefined ? { nodes } : {}),
        firmware: oneOf(flag(args, 'firmware'), ['bios', 'uefi', 'both'] as const, 'firmware', 'bios'),
        headless: hasFlag(args, 'headless'),
        network: oneOf(flag(args, 'network'), ['auto', 'isolated', 'user'] as const, 'network', 'auto'),
        exampleImage: hasFlag(args, 'example-image'),
        // An LTSP 20+ tree or a build export, instead of FOLDER/.netboot (as for boot).
        ...(imageText !== undefined ? { image: resolve(imageText) } : {}),
        onEvent: () => undefined,
      };
    } catch (error) {
      // Whoever reads the JSON lines learns why nothing started; the usage text goes to stderr.
      if (error instanceof UsageError) io.stdout(JSON.stringify({ type: 'ended', ok: false, reason: `usage: ${error.message}` } satisfies PreviewOutput) + '\n');
      throw error;
    }
    return runPreview(options, io, process.stdin);
  },
};
