import { parseLtsConf } from '../../lang/ltsconf/ltsConfParser';
import { serviceFor } from '../../lang';
import type { Firmware } from './qemuArgs';

/** One VM to boot: its name, MAC and firmware, and the lts.conf line that named it (when one did). */
export interface NodePlan {
  readonly name: string;
  readonly mac: string;
  readonly firmware: Firmware;
  readonly origin?: { readonly file: string; readonly line: number };
}

const macPattern = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/** QEMU's locally administered prefix, then "nf" and a node number: never a real NIC's. */
export function generatedMac(index: number): string {
  return `52:54:00:6e:66:${(0x10 + index).toString(16).padStart(2, '0')}`;
}

/**
 * The VMs of a farm: first one per `[MAC]` section of lts.conf, named by the
 * HOSTNAME that section gives (the farm then gets exactly the settings the
 * file has for it), then generated MACs for any more nodes asked for.
 * `both` alternates BIOS and UEFI.
 */
export function planNodes(options: { readonly ltsConf?: { readonly file: string; readonly text: string }; readonly count?: number; readonly firmware: Firmware | 'both' }): NodePlan[] {
  const count = options.count ?? (options.firmware === 'both' ? 2 : 1);
  const firmwareOf = (index: number): Firmware => (options.firmware === 'both' ? (index % 2 === 0 ? 'bios' : 'uefi') : options.firmware);
  const nodes: NodePlan[] = [];
  if (options.ltsConf) {
    const { file, text } = options.ltsConf;
    const service = serviceFor('ltsconf');
    for (const section of parseLtsConf(text).sections) {
      if (nodes.length >= count) break;
      if (!macPattern.test(section.name)) continue;
      const mac = section.name.toLowerCase();
      if (nodes.some((n) => n.mac === mac)) continue;
      const hostname = service?.effectiveSettings?.(text, mac).settings.find((s) => s.key === 'HOSTNAME')?.value.split(/\s+/)[0];
      nodes.push({ name: hostname || `node-${mac.slice(-5).replace(':', '')}`, mac, firmware: firmwareOf(nodes.length), origin: { file, line: section.headerRange.start.line } });
    }
  }
  for (let index = 0; nodes.length < count; index++) {
    const mac = generatedMac(index);
    if (nodes.some((n) => n.mac === mac)) continue;
    nodes.push({ name: `vm${nodes.length + 1}`, mac, firmware: firmwareOf(nodes.length) });
  }
  return nodes;
}
