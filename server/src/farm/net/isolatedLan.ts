import { stat } from 'node:fs/promises';
import type { AddressPlan } from './addressPlan';
import { farmUlaAddress, farmUlaPrefix, farmUlaPrefixLength } from './addressPlan';
import { ip, ipBatch, linkNames } from './ip';
import { startRouterAdvertiser, type RouterAdvertiser } from './routerAdvertiser';

/** Every interface the farm makes starts with this: what the DHCP server's host-network guard accepts. */
export const farmInterfacePrefix = 'nbf';
/** The bridge every VM's tap joins; the farm's servers listen on its address. */
export const bridgeName = `${farmInterfacePrefix}0`;
/** Locally administered ("nbf" in ASCII); every farm has its own namespace, so they never meet. */
export const bridgeMac = '02:6e:62:66:00:01';
/** Taps are `nbf-tap0`, `nbf-tap1`... */
export const tapPrefix = `${farmInterfacePrefix}-tap`;

/** `lo` up: a fresh network namespace starts with it down, and 127.0.0.1 unreachable. */
export async function bringUpLoopback(): Promise<void> {
  await ip(['link', 'set', 'lo', 'up']);
}

/** Refused before touching anything: the farm is not alone in its network namespace. */
export class NotPrivateNamespaceError extends Error {}

/**
 * The private LAN inside the farm's own network namespace: `lo`, a bridge with
 * the server's address and an IPv6 ULA, router advertisements, and one tap per
 * VM. It never runs in a namespace that has any interface but `lo`, so it can
 * never add a bridge to the host or answer DHCP on a real network.
 */
export class IsolatedLan {
  private readonly taps = new Set<string>();
  private nextTap = 0;

  private constructor(
    readonly plan: AddressPlan,
    private readonly advertiser: RouterAdvertiser,
  ) {}

  /** Brings the LAN up; on failure whatever was made is taken down again. */
  static async up(plan: AddressPlan, log: (line: string) => void): Promise<IsolatedLan> {
    const foreign = (await linkNames()).filter((name) => name !== 'lo');
    if (foreign.length > 0) {
      throw new NotPrivateNamespaceError(`the farm's network namespace is not fresh: it has ${foreign.join(', ')}; the private LAN is only built in a namespace of its own (run the farm through its launcher)`);
    }
    await ipBatch([
      ['link', 'set', 'lo', 'up'],
      // A fixed address: a bridge without one takes its lowest port's MAC and changes it as taps come and go,
      // and a VM still booting then sends to a MAC that is gone (its GRUB stalls when another VM's tap is removed).
      ['link', 'add', bridgeName, 'address', bridgeMac, 'type', 'bridge', 'stp_state', '0'],
    ]);
    try {
      await ipBatch([
        ['addr', 'add', `${plan.serverAddress}/${plan.prefixLength}`, 'dev', bridgeName],
        // No duplicate address detection: nothing else can hold the address, and DAD would delay the RAs.
        ['addr', 'add', `${farmUlaAddress}/${farmUlaPrefixLength}`, 'dev', bridgeName, 'nodad'],
        ['link', 'set', bridgeName, 'up'],
      ]);
      // Taps need /dev/net/tun: try once now, so that a refusal means user-mode networking instead of a VM that cannot start.
      const probe = `${tapPrefix}probe`;
      await ipBatch([
        ['tuntap', 'add', 'dev', probe, 'mode', 'tap'],
        ['link', 'del', probe],
      ]).catch(async (error: Error) => {
        const mode = await stat('/dev/net/tun').then((s) => (s.mode & 0o777).toString(8), () => 'missing');
        throw new Error(`${error.message} (taps need read-write access to /dev/net/tun, which is ${mode === 'missing' ? 'missing: load the tun module' : `mode ${mode} here: a normal user needs 666`})`);
      });
    } catch (error) {
      await ip(['link', 'del', bridgeName]).catch(() => undefined);
      throw error;
    }
    const advertiser = await startRouterAdvertiser(bridgeName, farmUlaPrefix, farmUlaPrefixLength, log);
    return new IsolatedLan(plan, advertiser);
  }

  get routerAdvertisements(): { running: boolean; detail: string } {
    return { running: this.advertiser.running, detail: this.advertiser.detail };
  }

  /** The bridge's IPv6 ULA (CIDR). */
  get ipv6Address(): string {
    return `${farmUlaAddress}/${farmUlaPrefixLength}`;
  }

  get tapNames(): string[] {
    return [...this.taps];
  }

  /** A new tap on the bridge for one VM; QEMU opens it with `-netdev tap,ifname=NAME,script=no,downscript=no`. */
  async addTap(): Promise<string> {
    const name = `${tapPrefix}${this.nextTap++}`;
    try {
      await ipBatch([
        ['tuntap', 'add', 'dev', name, 'mode', 'tap'],
        ['link', 'set', name, 'master', bridgeName],
        ['link', 'set', name, 'up'],
      ]);
    } catch (error) {
      await ip(['link', 'del', name]).catch(() => undefined);
      throw error;
    }
    this.taps.add(name);
    return name;
  }

  async removeTap(name: string): Promise<void> {
    if (!this.taps.delete(name)) throw new Error(`no tap named ${name} on the farm's bridge (taps: ${this.tapNames.join(', ') || 'none'})`);
    await ip(['link', 'del', name]);
  }

  /** Stops the advertiser and removes the taps and the bridge. (A crash needs none of this: the namespace goes with the farm.) */
  async down(): Promise<void> {
    await this.advertiser.stop();
    for (const tap of this.tapNames) await this.removeTap(tap).catch(() => undefined);
    await ip(['link', 'del', bridgeName]).catch(() => undefined);
  }
}
