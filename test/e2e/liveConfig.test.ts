/**
 * The loop an admin lives in: boot a node, change lts.conf, reset the node,
 * see the change on its console. The farm serves the workspace's lts.conf
 * live (read at every TFTP request), so no restart of anything is needed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bootSandbox } from './bootCli';
import { copyExampleFarm, PreviewClient } from './previewCli';

const sandbox = bootSandbox();
const BOOT_MS = 300_000;

for (const network of ['isolated', 'user'] as const) {
  test(`${network} network: an edit to node01's [MAC] section of lts.conf shows on its console after a reset`, { timeout: 900_000 }, async (t) => {
    const folder = copyExampleFarm(join(sandbox.tmp, network));
    const ltsConf = join(folder, 'lts.conf');
    const preview = PreviewClient.start([folder, '--headless', '--network', network], sandbox.tmp);
    t.after(() => preview.dispose());

    await preview.consoleLine('node01', /netboot-farm: ready hostname=node01 role=worker/, BOOT_MS);

    // HOSTNAME is set only in node01's [52:54:00:00:00:01] section; the marker prints it.
    const text = readFileSync(ltsConf, 'utf8');
    const edited = text.replace(/(\[52:54:00:00:00:01\]\nHOSTNAME\s*=\s*)node01\n/, '$1edited01\n');
    assert.notEqual(edited, text, 'the example lts.conf has node01 in its [MAC] section');
    writeFileSync(ltsConf, edited);

    const mark = preview.mark();
    const reset = await preview.send({ command: 'reset', node: 'node01' });
    assert.equal(reset.ok, true, reset.error);
    const ready = await preview.consoleLine('node01', /netboot-farm: ready /, BOOT_MS, mark);
    assert.match(ready.message, /netboot-farm: ready hostname=edited01 role=worker ip=/);
    if (network === 'isolated') {
      // The farm's own TFTP server handed out the live file after the edit.
      const served = await preview.event('lts.conf served after the edit', (e) => e.layer === 'tftp' && e.kind === 'transfer-start' && /lts\.conf/.test(e.message), 1000, mark);
      assert.equal(served.data?.virtual, true);
    }

    assert.equal((await preview.send({ command: 'stop' })).ok, true);
    assert.equal(await preview.exited, 0);
    assert.deepEqual(sandbox.leftovers().filter((name) => !['isolated', 'user'].includes(name)), [], 'every VM folder and user-mode TFTP tree is removed');
  });
}
