/**
 * `node --import tsx server/src/farm/tftp/serveMain.ts --root DIR [--address A]
 * [--port N] [--virtual REQUEST_PATH=FILE]...`: the TFTP server alone, for
 * tests that run it inside a network namespace and for bench/tftp.mjs.
 * Prints one JSON line `{"listening":{address,port}}`, then every FarmEvent as
 * a JSON line; SIGTERM or SIGINT stops it cleanly. A virtual file is re-read
 * from FILE at every request, as the farm does with the workspace's lts.conf.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TftpServer, type VirtualFileProvider } from './server';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    address: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '69' },
    virtual: { type: 'string', multiple: true, default: [] },
    quiet: { type: 'boolean', default: false },
  },
});
if (!values.root) {
  process.stderr.write('usage: serveMain.ts --root DIR [--address A] [--port N] [--virtual REQUEST_PATH=FILE]... [--quiet]\n');
  process.exit(2);
}
const virtualFiles = new Map<string, VirtualFileProvider>();
for (const spec of values.virtual) {
  const at = spec.indexOf('=');
  if (at <= 0) {
    process.stderr.write(`--virtual ${spec}: expected REQUEST_PATH=FILE\n`);
    process.exit(2);
  }
  const file = spec.slice(at + 1);
  virtualFiles.set(spec.slice(0, at), () => readFile(file));
}
const print = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');
const server = new TftpServer({
  root: values.root,
  address: values.address,
  port: Number(values.port),
  virtualFiles,
  // --quiet keeps only what goes wrong, so a benchmark does not time the logging.
  events: (event) => (values.quiet && !event.level ? undefined : print(event)),
});
const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.start().then(
  (where) => print({ listening: where }),
  (error: unknown) => {
    process.stderr.write(`tftp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
