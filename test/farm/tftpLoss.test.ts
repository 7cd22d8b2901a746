/**
 * 10% random loss both ways (iptables in a namespace the test creates; this
 * kernel has no netem): our server and atftp both run inside it, and an
 * 8 MiB file must still arrive byte-identical. The time is printed, not
 * asserted (performance lives in bench/). For comparison, dnsmasq + atftp
 * moved 0.6 MB of the same file in 200 s here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { netnsAvailable, stop } from '../support/netns';
import { createNamespace } from '../support/netns';
import { runClient } from './fixtures/tftpRun';
import { startServeMain } from './fixtures/tftpServeMain';

test('an 8 MiB file through 10% loss both ways, atftp in lockstep and with windowsize 16', { skip: netnsAvailable() ? false : 'needs root for ip netns' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-tftp-loss-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  mkdirSync(root);
  const file = randomBytes(8 * 1024 * 1024);
  writeFileSync(join(root, 'vmlinuz'), file);

  const ns = await createNamespace('tftploss');
  t.after(() => ns.remove());
  await ns.exec('iptables', ['-A', 'INPUT', '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', '0.1', '-j', 'DROP']);
  const server = await startServeMain(ns, ['--root', root, '--address', '127.0.0.1', '--port', '69']);
  t.after(() => stop(server.child));

  for (const options of [['blksize 1468'], ['blksize 1468', 'windowsize 16']]) {
    const local = join(dir, `got-${options.length}`);
    const r = await runClient('ip', ['netns', 'exec', ns.name, 'atftp', ...options.flatMap((o) => ['--option', o]), '-g', '-r', 'vmlinuz', '-l', local, '127.0.0.1', '69'], 120_000);
    assert.equal(r.exitCode, 0, `atftp ${options.join(', ')}: ${r.stderr.slice(-500)}`);
    assert.ok(readFileSync(local).equals(file), `atftp ${options.join(', ')}: the file differs`);
    t.diagnostic(`atftp ${options.join(', ')}: 8 MiB through 10% loss both ways in ${(r.ms / 1000).toFixed(1)} s`);
  }
  // atftp may leave before its final ACK (10% lost) reaches us: the server then
  // ends that transfer on its own give-up timer, about 10 s later.
  const ended = () => server.events().filter((e) => e.kind === 'transfer-done' || e.kind === 'transfer-failed');
  for (const until = Date.now() + 20_000; ended().length < 2 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 200));
  const done = server.events().filter((e) => e.kind === 'transfer-done');
  assert.equal(done.length, 2);
  assert.ok(done.every((e) => Number(e.data?.retransmittedPackets) > 0), 'packets were lost and resent');
});
