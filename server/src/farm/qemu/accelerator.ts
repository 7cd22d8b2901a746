import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExeca } from '../build/execaLoader';
import type { Accelerator } from './qemuArgs';

/**
 * A 64 KiB BIOS whose reset vector runs two FPU instructions and writes 0x4b
 * to QEMU's isa-debug-exit port, which ends QEMU with status (0x4b << 1) | 1.
 * An accelerator that opens but cannot run guest code (nested KVM that
 * triple-faults, or stops at the first FPU instruction) never gets there.
 */
function probeBios(): Buffer {
  const bios = Buffer.alloc(64 * 1024);
  // fninit; fld1; mov al,0x4b; out 0xf4,al; hlt; jmp back to hlt
  Buffer.from([0xdb, 0xe3, 0xd9, 0xe8, 0xb0, 0x4b, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd]).copy(bios, 0xfff0);
  return bios;
}

export const probeExitCode = (0x4b << 1) | 1;

/** True when QEMU runs guest code with this accelerator: tried for real, not read from /dev. */
export async function acceleratorWorks(qemu: string, accel: Accelerator, timeoutMs = 10_000): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'nbf-accel-'));
  try {
    const bios = join(dir, 'probe.bin');
    await writeFile(bios, probeBios());
    const { execa } = await loadExeca();
    const args = ['-machine', 'pc', '-accel', accel, '-nodefaults', '-no-user-config', '-display', 'none', '-m', '16', '-bios', bios];
    args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04');
    const result = await execa(qemu, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' });
    return result.exitCode === probeExitCode;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let chosen: Promise<Accelerator> | undefined;

/** KVM where it really works, TCG otherwise; decided once per process. NBF_ACCEL=tcg|kvm skips the probe. */
export function chooseAccelerator(qemu: string): Promise<Accelerator> {
  const forced = process.env.NBF_ACCEL;
  if (forced === 'tcg' || forced === 'kvm') return Promise.resolve(forced);
  chosen ??= acceleratorWorks(qemu, 'kvm', 5_000).then((kvm) => (kvm ? 'kvm' : 'tcg'));
  return chosen;
}
