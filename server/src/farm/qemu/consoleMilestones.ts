/**
 * The steps of a network boot as they show on a console, in order. A line
 * from the serial port (or SeaBIOS's debug port) is matched against them to
 * build the boot timeline and to say where a failed boot got stuck.
 */
export const bootSteps = ['firmware', 'bootloader', 'kernel', 'initramfs', 'root', 'marker'] as const;
export type BootStep = (typeof bootSteps)[number];

const patterns: readonly { readonly step: BootStep; readonly pattern: RegExp; readonly label: string }[] = [
  { step: 'firmware', pattern: /SeaBIOS \(version|BdsDxe: (loading|starting) Boot|>>Start PXE over IPv4/, label: 'firmware started' },
  {
    step: 'bootloader',
    pattern: /iPXE initialising devices|PXELINUX \d|netboot-farm: (GRUB|pxelinux|iPXE script) loaded|Welcome to GRUB/,
    label: 'bootloader running',
  },
  { step: 'kernel', pattern: /Linux version \d/, label: 'kernel started' },
  { step: 'initramfs', pattern: /netboot-farm: initramfs started|Run \/init as init process|Loading, please wait/, label: 'initramfs running' },
  { step: 'root', pattern: /netboot-farm: root mounted|Welcome to .*Debian|systemd\[1\]: Detected/, label: 'root mounted' },
  { step: 'marker', pattern: /netboot-farm: ready\b|\blogin:\s*$/, label: 'boot finished' },
];

export interface Milestone {
  readonly step: BootStep;
  readonly label: string;
}

/** The milestone a console line shows, if any. */
export function milestoneOf(line: string): Milestone | undefined {
  const hit = patterns.find((p) => p.pattern.test(line));
  return hit ? { step: hit.step, label: hit.label } : undefined;
}

/** The step that was due after the last one reached: where a stuck boot stopped. */
export function nextStep(reached: readonly BootStep[]): BootStep | undefined {
  const last = Math.max(-1, ...reached.map((s) => bootSteps.indexOf(s)));
  return bootSteps[last + 1];
}
