/**
 * A farm whose dhcpd.conf names a boot file the TFTP tree does not have:
 * `netboot-farm boot` fails at once (not at its timeout) and says which file
 * is missing and which dhcpd.conf line handed it out.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bootSandbox, parseBootJson } from './bootCli';
import { copyExampleFarm } from './previewCli';

const sandbox = bootSandbox();

/** A copy of the example farm whose iPXE branch (the BIOS node's NIC ROM asks first) names missing.ipxe; the index of that line. */
function brokenFarm(name: string): { folder: string; dhcpdConf: string; index: number } {
  const folder = copyExampleFarm(join(sandbox.tmp, name));
  const dhcpdConf = join(folder, 'dhcpd.conf');
  const lines = readFileSync(dhcpdConf, 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes('filename "ltsp/amd64/boot.ipxe";'));
  assert.ok(index > 0, 'the example dhcpd.conf hands iPXE boot.ipxe');
  lines[index] = (lines[index] as string).replace('boot.ipxe', 'missing.ipxe');
  writeFileSync(dhcpdConf, lines.join('\n'));
  return { folder, dhcpdConf, index };
}

test('a dhcpd.conf filename the TFTP tree lacks: the boot fails naming the file and the filename line', { timeout: 600_000 }, async () => {
  const { folder, dhcpdConf, index } = brokenFarm('json');
  // The timeout is far beyond the failure: the boot must end on the missing file, not on time.
  const run = await sandbox.run(['boot', folder, '--headless', '--network', 'isolated', '--json', '--timeout', '500'], 560_000);
  const result = parseBootJson(run);
  assert.equal(run.code, 1, run.stderr.slice(-2000));
  assert.equal(result.ok, false);
  const origin = { file: dhcpdConf, line: index };

  // The DHCP answer says which line chose the file...
  const lease = result.events.find((e) => e.layer === 'dhcp' && e.kind === 'lease' && e.node === '52:54:00:00:00:01') as { origin?: unknown; message: string } | undefined;
  assert.ok(lease, 'node01 got a lease');
  assert.match(lease.message, /boot file ltsp\/amd64\/missing\.ipxe/);
  assert.deepEqual(lease.origin, origin);
  // ...and so does the TFTP server's error for it.
  const missing = result.events.find((e) => e.layer === 'tftp' && e.kind === 'error' && /missing\.ipxe/.test(e.message)) as { origin?: unknown; message: string; level?: string } | undefined;
  assert.ok(missing, `a TFTP error names missing.ipxe: ${JSON.stringify(result.events.filter((e) => e.layer === 'tftp'))}`);
  assert.match(missing.message, /file not found: ltsp\/amd64\/missing\.ipxe/);
  assert.deepEqual(missing.origin, origin);
  assert.equal(missing.level, 'error');
  // The node's verdict says it cannot boot and why, well before the timeout.
  const verdict = result.events.find((e) => e.kind === 'expect-failed' && e.node === 'node01') as { origin?: unknown; message: string } | undefined;
  assert.match(verdict?.message ?? '', /node01 cannot boot: file not found: ltsp\/amd64\/missing\.ipxe/);
  assert.deepEqual(verdict?.origin, origin);
  const node01 = result.nodes.find((n) => n.name === 'node01');
  assert.equal(node01?.matched, null);
  assert.deepEqual(sandbox.leftovers().filter((name) => name !== 'json'), []);
});

test('the timeline (without --json) shows the missing file with its dhcpd.conf line', { timeout: 600_000 }, async () => {
  const { folder, index } = brokenFarm('timeline');
  const line = index + 1;
  const run = await sandbox.run(['boot', folder, '--headless', '--network', 'isolated', '--timeout', '500'], 560_000);
  assert.equal(run.code, 1);
  assert.match(run.stdout, new RegExp(`tftp +ERROR file not found: ltsp/amd64/missing\\.ipxe .*\\(${join(folder, 'dhcpd.conf').replace(/[.]/g, '\\.')}:${line}\\)`));
  assert.match(run.stdout, /FAIL {2}node01 \(BIOS, 52:54:00:00:00:01\)/);
});
