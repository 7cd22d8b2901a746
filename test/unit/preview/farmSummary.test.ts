import assert from 'node:assert/strict';
import { test } from 'node:test';
import { farmSummary } from '../../../client/src/preview/farmSummary';
import type { PreviewNode } from '../../../server/src/farm/previewProtocol';

const node = (name: string, state: PreviewNode['state'], reached: PreviewNode['reached'] = []): PreviewNode => ({ name, mac: '52:54:00:00:00:01', firmware: 'bios', state, reached });

test('the status bar names the one node still booting, else counts running VMs', () => {
  assert.equal(farmSummary([node('node01', 'starting')]), 'node01 booting');
  assert.equal(farmSummary([node('node01', 'running', ['firmware', 'bootloader', 'kernel'])]), 'node01 booting');
  assert.equal(farmSummary([node('node01', 'running', ['firmware', 'bootloader', 'kernel', 'initramfs', 'root', 'marker'])]), '1 VM running');
  assert.equal(farmSummary([node('a', 'running', ['marker']), node('b', 'running', ['marker'])]), '2 VMs running');
  assert.equal(farmSummary([node('a', 'running', ['marker']), node('b', 'starting')]), 'b booting, 1 VM running');
  assert.equal(farmSummary([node('a', 'starting'), node('b', 'running', ['kernel'])]), '2 VMs booting');
  assert.equal(farmSummary([node('a', 'stopped', ['marker']), node('b', 'running', ['marker'])]), '1 VM running');
  assert.equal(farmSummary([node('a', 'stopped'), node('b', 'stopped')]), '2 VMs powered off');
  assert.equal(farmSummary([]), 'no VMs');
});
