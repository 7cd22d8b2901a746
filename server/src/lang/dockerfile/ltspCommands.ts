import data from '../../../../schemas/ltsp-commands.json';

/**
 * The LTSP commands and build tools of schemas/ltsp-commands.json. The checks
 * ask this module what a program does (its roles), so that teaching them a new
 * chroot builder or squashfs tool is a data change.
 */
export type Role =
  | 'chroot-create'
  | 'chroot-enter'
  | 'kernel-install'
  | 'initramfs'
  | 'squashfs'
  | 'kernel-to-tftp'
  | 'ltsp-initrd'
  | 'boot-menu'
  | 'exports'
  | 'service-config'
  | 'ssh-keys'
  | 'info';

export interface LtspCommand {
  readonly name: string;
  readonly generation: '5' | '20+';
  readonly summary: string;
  readonly doc: string;
  readonly usage: string;
  readonly roles: readonly Role[];
  readonly produces: readonly string[];
  readonly skipOption?: string;
}

interface Tool {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly doc: string;
}

const catalog = data as { commands: LtspCommand[]; tools: Tool[] };

export const ltspCommands: readonly LtspCommand[] = catalog.commands;

const byName = new Map(catalog.commands.map((c) => [c.name, c]));
const toolRoles = new Map(catalog.tools.map((t) => [t.name, t.roles]));

/** `ltsp-chroot`, or `ltsp image` for the applet form. */
export function lookupLtspCommand(name: string): LtspCommand | undefined {
  return byName.get(name);
}

/** Roles of a command as run: an LTSP command name or a plain program name. */
export function rolesOf(name: string): readonly Role[] {
  return byName.get(name)?.roles ?? toolRoles.get(name) ?? [];
}

export function describeLtspCommand(command: LtspCommand): string {
  const lines = [`**${command.name}** · LTSP ${command.generation}`, '', command.doc, '', '```sh', command.usage, '```'];
  if (command.produces.length) lines.push('', `Writes: ${command.produces.map((p) => '`' + p + '`').join(', ')}`);
  return lines.join('\n');
}
