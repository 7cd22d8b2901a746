/**
 * The QEMU command line for one VM, as a pure function of its description,
 * so the flags can be read and tested without starting anything.
 */
export type Firmware = 'bios' | 'uefi';
export type Accelerator = 'kvm' | 'tcg';

export type VmNetwork =
  /** A tap on the farm's private bridge; QEMU must run in the farm's network namespace to open it. */
  | { readonly mode: 'tap'; readonly tap: string }
  /** QEMU user-mode networking: its own DHCP hands out bootFile and its TFTP serves tftpRoot; 10.0.2.2 is the host's loopback. */
  | { readonly mode: 'user'; readonly tftpRoot: string; readonly bootFile: string };

export interface FirmwareFiles {
  /** UEFI: OVMF's code, mapped read-only. */
  readonly ovmfCode?: string;
  /** UEFI: this VM's private copy of OVMF's variable store. */
  readonly ovmfVars?: string;
}

export interface VmSockets {
  readonly serial: string;
  readonly qmp: string;
  /** SeaBIOS's debug port (BIOS only): the firmware prints there, not on the serial port. */
  readonly debugcon?: string;
  readonly vnc?: string;
}

export interface VmSpec {
  readonly name: string;
  readonly mac: string;
  readonly firmware: Firmware;
  readonly accel: Accelerator;
  readonly memoryMiB: number;
  readonly network: VmNetwork;
  /**
   * `ipxe`: QEMU's iPXE option ROM does the network boot (it sends user-class
   * "iPXE"). `firmware`: the firmware's own PXE, as on real UEFI machines
   * (OVMF's network stack; SeaBIOS has none, so BIOS always uses iPXE).
   */
  readonly pxe: 'ipxe' | 'firmware';
}

export function qemuArgs(spec: VmSpec, sockets: VmSockets, firmware: FirmwareFiles): string[] {
  const args = ['-name', spec.name, '-nodefaults', '-no-user-config', '-no-reboot'];
  args.push('-machine', spec.firmware === 'uefi' ? 'q35' : 'pc', '-accel', spec.accel);
  if (spec.accel === 'kvm') args.push('-cpu', 'host');
  args.push('-m', String(spec.memoryMiB), '-smp', '1');
  if (spec.firmware === 'uefi') {
    if (!firmware.ovmfCode || !firmware.ovmfVars) throw new Error('UEFI needs the OVMF code and a private variable store');
    args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${firmware.ovmfCode}`);
    args.push('-drive', `if=pflash,format=raw,unit=1,file=${firmware.ovmfVars}`);
  }
  // QEMU connects to our listening socket, so not a byte of early output is lost.
  args.push('-chardev', `socket,id=serial0,path=${sockets.serial}`, '-serial', 'chardev:serial0');
  if (sockets.debugcon && spec.firmware === 'bios') {
    args.push('-chardev', `socket,id=debugcon0,path=${sockets.debugcon}`, '-device', 'isa-debugcon,iobase=0x402,chardev=debugcon0');
  }
  args.push('-qmp', `unix:${sockets.qmp},server=on,wait=off`);
  args.push('-vga', 'std', '-display', 'none');
  if (sockets.vnc) args.push('-vnc', `unix:${sockets.vnc}`);
  const net = spec.network;
  if (net.mode === 'tap') {
    args.push('-netdev', `tap,id=net0,ifname=${net.tap},script=no,downscript=no`);
  } else {
    args.push('-netdev', `user,id=net0,tftp=${net.tftpRoot},bootfile=${net.bootFile}`);
  }
  const rom = spec.pxe === 'firmware' && spec.firmware === 'uefi' ? ',romfile=' : '';
  args.push('-device', `virtio-net-pci,netdev=net0,mac=${spec.mac},bootindex=1${rom}`);
  return args;
}
