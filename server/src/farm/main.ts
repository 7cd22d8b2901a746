/**
 * The farm process (`dist/farm.js`): one farm, driven over JSON-RPC on
 * stdin/stdout (protocol.ts). Its launcher (launch.ts) starts it as PID 1 of
 * fresh PID, mount and network namespaces, so that when it ends, however it
 * ends, the kernel kills every process it started and removes its network.
 *
 * stdout carries the protocol and nothing else: logs go to stderr, and so
 * does anything that calls console.log.
 */
import { parseArgs } from 'node:util';
import { createMessageConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Farm } from './farm';
import { FarmAddTapRequest, FarmEventNotification, FarmRemoveTapRequest, FarmStartRequest, FarmStatusRequest, FarmStopRequest } from './protocol';

// Anything that prints to stdout would corrupt the protocol stream.
console.log = console.error;
console.info = console.error;
const log = (line: string) => process.stderr.write(`[farm] ${line}\n`);

const { values } = parseArgs({ options: { namespaced: { type: 'boolean', default: false }, 'no-namespace': { type: 'string' } } });
// The launcher says it made the namespaces; PID 1 is the proof that the PID namespace at least is ours.
const namespaced = values.namespaced === true && process.pid === 1;
if (values.namespaced && !namespaced) log(`--namespaced given but this process is pid ${process.pid}, not 1: treating the network as the host's`);

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
const farm = new Farm({
  namespaced,
  ...(values['no-namespace'] ? { namespaceRefusal: values['no-namespace'] } : {}),
  events: (event) => void connection.sendNotification(FarmEventNotification.type, event).catch(() => undefined),
  log,
});

/** A failed request answers with the farm's own message (vscode-jsonrpc would otherwise wrap it in "Request ... failed with message"). */
const answer =
  <P, R>(handler: (params: P) => Promise<R> | R) =>
  async (params: P): Promise<R> => {
    try {
      return await handler(params);
    } catch (error) {
      throw new ResponseError(ErrorCodes.InternalError, error instanceof Error ? error.message : String(error));
    }
  };
connection.onRequest(FarmStartRequest.type, answer((config) => farm.start(config)));
connection.onRequest(FarmStopRequest.type, answer(() => farm.stop()));
connection.onRequest(FarmStatusRequest.type, answer(() => farm.status()));
connection.onRequest(FarmAddTapRequest.type, answer(async ({ node }) => ({ tap: await farm.addTap(node) })));
connection.onRequest(FarmRemoveTapRequest.type, answer(({ tap }) => farm.removeTap(tap)));

let exiting = false;
/** Stops the farm and exits. As PID 1 of its namespace, this process going also ends every process still inside. */
async function shutdown(why: string, code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  log(`${why}: stopping`);
  const deadline = setTimeout(() => {
    log('stopping took over 10 s: exiting anyway');
    process.exit(code || 1);
  }, 10_000);
  try {
    await farm.stop();
  } catch (error) {
    log(`stop failed: ${String(error)}`);
  }
  clearTimeout(deadline);
  process.exit(code);
}

// The client going away (its end of stdin closed) ends the farm: nothing runs unowned.
connection.onClose(() => void shutdown('the client closed the connection', 0));
// PID 1 gets no default signal handling: without these, SIGTERM would be ignored.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(`got ${signal}`, 0));
process.on('uncaughtException', (error) => {
  log(`internal error: ${error.stack ?? error.message}`);
  void shutdown('internal error', 1);
});
process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

connection.listen();
log(`ready (pid ${process.pid}, ${namespaced ? 'in namespaces of its own' : `no namespaces${values['no-namespace'] ? `: ${values['no-namespace']}` : ''}`})`);
