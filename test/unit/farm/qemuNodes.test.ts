import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatedMac, planNodes } from '../../../server/src/farm/qemu/farmNodes';

const file = join(__dirname, '..', '..', '..', 'examples', 'farm', 'lts.conf');
const ltsConf = { file, text: readFileSync(file, 'utf8') };

test("the example farm's nodes come from lts.conf's [MAC] sections, named by their HOSTNAME", () => {
  const nodes = planNodes({ ltsConf, count: 2, firmware: 'both' });
  assert.deepEqual(
    nodes.map((n) => [n.name, n.mac, n.firmware]),
    [
      ['node01', '52:54:00:00:00:01', 'bios'],
      ['node02', '52:54:00:00:00:02', 'uefi'],
    ],
  );
  assert.equal(ltsConf.text.split(/\r?\n/)[nodes[0]!.origin!.line], '[52:54:00:00:00:01]');
});

test('more nodes than sections get generated MACs; one firmware for all unless "both"', () => {
  const nodes = planNodes({ ltsConf, count: 3, firmware: 'uefi' });
  assert.deepEqual(nodes.map((n) => n.firmware), ['uefi', 'uefi', 'uefi']);
  assert.equal(nodes[2]!.mac, generatedMac(0));
  assert.match(nodes[2]!.mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
  assert.equal(nodes[2]!.origin, undefined);
  assert.deepEqual(planNodes({ firmware: 'bios' }).map((n) => n.mac), [generatedMac(0)], 'no lts.conf: one generated node');
});

test('a [MAC] section without HOSTNAME still names its node; sections that are not MACs are not nodes', () => {
  const text = '[default]\nSCREEN_07 = shell\n[AA:BB:CC:00:11:22]\nLDM_LANGUAGE = C\n[workers]\nHOSTNAME = nope\n';
  const nodes = planNodes({ ltsConf: { file: 'lts.conf', text }, count: 1, firmware: 'bios' });
  assert.deepEqual(nodes.map((n) => [n.name, n.mac]), [['node-1122', 'aa:bb:cc:00:11:22']]);
});
