import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleLines } from '../../../server/src/farm/qemu/consoleLines';
import { milestoneOf, nextStep } from '../../../server/src/farm/qemu/consoleMilestones';

test('console lines of a real boot map to the boot steps', () => {
  const cases: [string, string | undefined][] = [
    ['SeaBIOS (version 1.16.2-debian-1.16.2-1)', 'firmware'],
    ['BdsDxe: loading Boot0001 "UEFI PXEv4 (MAC:525400000002)" from PciRoot(0x0)/Pci(0x2,0x0)', 'firmware'],
    ['netboot-farm: GRUB loaded', 'bootloader'],
    ['PXELINUX 6.04 PXE 20190226 Copyright (C) 1994-2015 H. Peter Anvin et al', 'bootloader'],
    ['[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12)', 'kernel'],
    ['[    6.607406] Run /init as init process', 'initramfs'],
    ['netboot-farm: root mounted: squashfs over NBD with a tmpfs overlay', 'root'],
    ['netboot-farm: ready hostname=node01 role=worker ip=192.168.67.21', 'marker'],
    ['Debian GNU/Linux 12 node01 ttyS0', undefined],
    ['node01 login: ', 'marker'],
    ['[    8.541821] e1000: Intel(R) PRO/1000 Network Driver', undefined],
  ];
  for (const [line, step] of cases) assert.equal(milestoneOf(line)?.step, step, line);
});

test('the stuck step is the one after the last step reached', () => {
  assert.equal(nextStep([]), 'firmware');
  assert.equal(nextStep(['firmware', 'kernel']), 'initramfs');
  assert.equal(nextStep(['kernel', 'firmware']), 'initramfs');
  assert.equal(nextStep(['firmware', 'bootloader', 'kernel', 'initramfs', 'root', 'marker']), undefined);
});

test('console bytes become lines: CRLF, split chunks, escape sequences, and a prompt without newline', () => {
  const lines: string[] = [];
  const console = new ConsoleLines((line) => lines.push(line), 3);
  console.push('\x1b[2J\x1b[01;01HBdsDxe: loa');
  console.push('ding Boot0001\r\nnetboot-farm: ini');
  assert.deepEqual(lines, ['BdsDxe: loading Boot0001']);
  console.push('tramfs started\n\r\n\nnode01 login: ');
  assert.deepEqual(lines, ['BdsDxe: loading Boot0001', 'netboot-farm: initramfs started']);
  assert.equal(console.pending(), 'node01 login: ');
  assert.deepEqual(console.last(2), ['netboot-farm: initramfs started', 'node01 login: ']);
  for (const n of [1, 2, 3, 4]) console.push(`line ${n}\n`);
  assert.deepEqual(console.last(10), ['line 2', 'line 3', 'line 4'], 'only the last lines are kept');
});
