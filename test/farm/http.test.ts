// The HTTP file server against curl on loopback.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FarmEvent } from '../../server/src/farm/events';
import { HttpFileServer } from '../../server/src/farm/http/server';

const run = promisify(execFile);
const noCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0 ? false : 'curl is not installed';

const base = mkdtempSync(join(tmpdir(), 'nbf-http-'));
after(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'root');
mkdirSync(join(root, 'ltsp', 'x86_64'), { recursive: true });
const kernel = randomBytes(3 * 1024 * 1024 + 77);
writeFileSync(join(root, 'ltsp', 'x86_64', 'vmlinuz'), kernel);
writeFileSync(join(root, 'a file.txt'), 'spaced\n');
writeFileSync(join(root, 'empty'), '');
writeFileSync(join(base, 'secret'), 'outside the root\n');
symlinkSync(join(base, 'secret'), join(root, 'link-out'));
symlinkSync(join(root, 'a file.txt'), join(root, 'link-in'));
let ltsConf = '[Default]\nSCREEN_07 = xorg\n';

/** curl with its output as a Buffer and the status code, headers on stderr-free stdout with -D. */
async function curl(...args: string[]): Promise<{ status: number; body: Buffer; headers: string }> {
  const headersFile = join(base, `h-${Math.random()}`);
  const bodyFile = join(base, `b-${Math.random()}`);
  const { stdout } = await run('curl', ['-sS', '-o', bodyFile, '-D', headersFile, '-w', '%{http_code}', ...args]);
  const out = { status: Number(stdout), body: readFileSync(bodyFile), headers: readFileSync(headersFile, 'utf8') };
  rmSync(bodyFile);
  rmSync(headersFile);
  return out;
}

describe('HTTP file server with curl', { skip: noCurl }, () => {
  const events: FarmEvent[] = [];
  let server: HttpFileServer;
  let url = '';
  before(async () => {
    server = new HttpFileServer({
      root,
      address: '127.0.0.1',
      port: 0,
      virtualFiles: new Map([['ltsp/lts.conf', () => ltsConf]]),
      events: (e) => events.push(e),
    });
    const { port } = await server.start();
    url = `http://127.0.0.1:${port}`;
  });
  after(() => server.stop());

  test('a full download is byte-identical, with Content-Length and Accept-Ranges', async () => {
    const r = await curl(`${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(kernel));
    assert.match(r.headers, new RegExp(`content-length: ${kernel.length}\\r\\n`, 'i'));
    assert.match(r.headers, /accept-ranges: bytes/i);
    const done = events.filter((e) => e.kind === 'request' && e.data?.path === 'ltsp/x86_64/vmlinuz');
    assert.equal(done.at(-1)?.data?.bytes, kernel.length);
    assert.equal(done.at(-1)?.data?.status, 200);
  });

  test('range requests: 206 with Content-Range, suffix and open-ended; 416 past the end', async () => {
    const r = await curl('-r', '1000-1999', `${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(r.status, 206);
    assert.ok(r.body.equals(kernel.subarray(1000, 2000)));
    assert.match(r.headers, new RegExp(`content-range: bytes 1000-1999/${kernel.length}`, 'i'));
    const suffix = await curl('-r', '-100', `${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(suffix.status, 206);
    assert.ok(suffix.body.equals(kernel.subarray(kernel.length - 100)));
    const open = await curl('-H', `Range: bytes=${kernel.length - 5}-`, `${url}/ltsp/x86_64/vmlinuz`);
    assert.ok(open.body.equals(kernel.subarray(kernel.length - 5)));
    const past = await curl('-r', `${kernel.length}-`, `${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(past.status, 416);
    assert.match(past.headers, new RegExp(`content-range: bytes \\*/${kernel.length}`, 'i'));
    // Several ranges are not served as multipart: the whole file comes back, as RFC 9110 allows.
    const several = await curl('-r', '0-1,5-6', `${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(several.status, 200);
    assert.equal(several.body.length, kernel.length);
  });

  test('HEAD gives the headers and no body', async () => {
    const r = await curl('-I', `${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(r.status, 200);
    // With -I curl writes the headers where the body would go: nothing else may be there.
    assert.equal(r.body.toString(), r.headers);
    assert.equal(events.filter((e) => e.data?.method === 'HEAD').at(-1)?.data?.bytes, 0);
    assert.match(r.headers, new RegExp(`content-length: ${kernel.length}`, 'i'));
    const ranged = await curl('-I', '-r', '0-9', `${url}/ltsp/x86_64/vmlinuz`);
    assert.equal(ranged.status, 206);
    assert.match(ranged.headers, /content-length: 10\r\n/i);
  });

  test('a virtual file is made at each request (the live lts.conf)', async () => {
    assert.equal((await curl(`${url}/ltsp/lts.conf`)).body.toString(), ltsConf);
    ltsConf = '[Default]\nSCREEN_07 = ldm\n';
    const r = await curl(`${url}/ltsp/lts.conf`);
    assert.equal(r.body.toString(), ltsConf);
    assert.match(r.headers, /content-type: text\/plain/i);
  });

  test('encoded names, empty files and links inside the root are served', async () => {
    assert.equal((await curl(`${url}/a%20file.txt`)).body.toString(), 'spaced\n');
    assert.equal((await curl(`${url}/link-in`)).body.toString(), 'spaced\n');
    const empty = await curl(`${url}/empty`);
    assert.equal(empty.status, 200);
    assert.equal(empty.body.length, 0);
  });

  test('traversal is refused, however it is spelt, and logged', async () => {
    for (const path of ['/../secret', '/ltsp/../../secret', '/%2e%2e/secret', '/%2E%2E%2Fsecret', '/ltsp/%252e%252e/%252e%252e/secret', '/..%5csecret', '/a%00b', '/link-out']) {
      const r = await curl('--path-as-is', `${url}${path}`);
      assert.equal(r.status, 403, path);
      assert.doesNotMatch(r.body.toString(), /outside the root\n$/, `${path} leaked the file`);
      assert.ok(events.some((e) => e.kind === 'request' && e.data?.target === path && e.data?.status === 403 && e.level === 'warning'), `${path}: no event`);
    }
    // Without --path-as-is curl resolves the dots itself: it still gets nothing from outside.
    assert.equal((await curl(`${url}/../secret`)).status, 404);
  });

  test('missing files, directories, bad encoding, other methods', async () => {
    const missing = await curl(`${url}/ltsp/x86_64/initrd.img`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.toString(), /ltsp\/x86_64\/initrd.img does not exist/);
    assert.equal((await curl(`${url}/ltsp`)).status, 404);
    assert.equal((await curl(`${url}/`)).status, 404);
    assert.equal((await curl(`${url}/%E0%A4%A`)).status, 400);
    const post = await curl('-X', 'POST', '-d', 'x', `${url}/empty`);
    assert.equal(post.status, 405);
    assert.match(post.headers, /allow: GET, HEAD/i);
  });

  test('garbage on the socket gets a 400, and the server keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: server.address!.port });
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
      socket.end('\x00\x01GARBAGE / HTTP/9\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1.1 400/);
    assert.ok((await curl(`${url}/ltsp/x86_64/vmlinuz`)).body.equals(kernel));
  });
});

test('stop() closes the port and open connections; a missing root is a clear error', async () => {
  const server = new HttpFileServer({ root, address: '127.0.0.1', port: 0 });
  const { port } = await server.start();
  const idle = connect({ host: '127.0.0.1', port });
  await new Promise((r) => idle.once('connect', r));
  const closed = new Promise((r) => idle.once('close', r));
  idle.resume();
  await server.stop();
  await closed;
  await assert.rejects(
    new Promise((resolve, reject) => connect({ host: '127.0.0.1', port }).once('connect', resolve).once('error', reject)),
    /ECONNREFUSED/,
  );
  await assert.rejects(new HttpFileServer({ root: join(base, 'nope'), address: '127.0.0.1', port: 0 }).start(), /the HTTP root .*nope cannot be served: ENOENT/);
});
