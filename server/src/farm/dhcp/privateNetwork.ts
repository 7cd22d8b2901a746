import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/**
 * The DHCP server binds 0.0.0.0:67 (clients without an address broadcast, and
 * only a wildcard socket sees those). On a real LAN that would answer every
 * machine on it: an outage. So the server starts only where every interface
 * with an address is either loopback or one of the farm's own (its name
 * starts with the farm's prefix): that is, inside the farm's private network
 * namespace.
 */
export class HostNetworkError extends Error {}

export interface InterfaceAddresses {
  readonly name: string;
  readonly addresses: readonly string[];
}

/**
 * The interfaces of this network namespace that have at least one address,
 * up or down: `ip -j addr` sees them all, where Node's networkInterfaces()
 * lists only running ones (an interface that comes up later would slip by).
 */
export function addressedInterfaces(): InterfaceAddresses[] {
  const ip = spawnSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8', timeout: 10_000 });
  if (ip.status === 0) {
    try {
      const links = JSON.parse(ip.stdout) as { ifname?: string; addr_info?: { local?: string; prefixlen?: number }[] }[];
      return links
        .map((l) => ({ name: l.ifname ?? '?', addresses: (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`) }))
        .filter((i) => i.addresses.length > 0);
    } catch {
      // fall through to what Node can see
    }
  }
  return Object.entries(networkInterfaces())
    .map(([name, infos]) => ({ name, addresses: (infos ?? []).map((i) => i.cidr ?? i.address) }))
    .filter((i) => i.addresses.length > 0);
}

/** Throws HostNetworkError naming the foreign interfaces, or returns the farm's own. */
export function assertPrivateNetwork(farmPrefix: string, interfaces: readonly InterfaceAddresses[] = addressedInterfaces()): InterfaceAddresses[] {
  if (!farmPrefix) throw new HostNetworkError('the farm interface prefix must not be empty: it is what tells the farm network from a real one');
  const foreign = interfaces.filter((i) => i.name !== 'lo' && !i.name.startsWith(farmPrefix));
  if (foreign.length > 0) {
    const list = foreign.map((i) => `${i.name} (${i.addresses.join(', ')})`).join('; ');
    throw new HostNetworkError(
      `refusing to start the DHCP server: this network namespace has interfaces outside the farm: ${list}. ` +
        `A DHCP server here would answer machines on a real network. Run it inside the farm's network namespace ` +
        `(e.g. \`ip netns exec NAME ...\`), where only lo and interfaces named ${farmPrefix}* have addresses.`,
    );
  }
  return interfaces.filter((i) => i.name !== 'lo');
}
