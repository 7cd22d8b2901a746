import { access } from 'node:fs/promises';
import { MissingToolError } from '../image/hostTools';

/** Where Debian's packages put the firmware the VMs boot with. */
const OVMF_CODE = ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_CODE.fd'];
const OVMF_VARS = ['/usr/share/OVMF/OVMF_VARS_4M.fd', '/usr/share/OVMF/OVMF_VARS.fd'];
/** QEMU's virtio-net option ROM: iPXE, BIOS and EFI builds in one file. */
const IPXE_ROM = ['/usr/lib/ipxe/qemu/efi-virtio.rom', '/usr/share/qemu/efi-virtio.rom'];

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next
    }
  }
  return undefined;
}

export async function ovmfFiles(): Promise<{ code: string; vars: string }> {
  const code = await firstExisting(OVMF_CODE);
  const vars = await firstExisting(OVMF_VARS);
  if (!code || !vars) throw new MissingToolError('OVMF', 'ovmf', 'UEFI VMs boot with it');
  return { code, vars };
}

export async function checkIpxeRom(): Promise<void> {
  if (!(await firstExisting(IPXE_ROM))) throw new MissingToolError("QEMU's iPXE ROM", 'ipxe-qemu', 'VMs network-boot with it');
}
