import { formatIpv4, hostRange, maskOf, parseIpv4, prefixLength, subnetContains, type Ipv4Subnet } from './ipv4';

/** What the private network needs to know from the user's dhcpd.conf (lines 0-based, as the lease contract's). */
export interface SubnetFacts {
  readonly file: string;
  /** The first `subnet ... netmask ...` declaration. */
  readonly subnet: { readonly address: string; readonly netmask: string; readonly line: number };
  /** `range` statements inside that subnet. */
  readonly ranges: readonly { readonly first: string; readonly last: string; readonly line: number }[];
  /** Every `fixed-address` in the file: taken by hosts, so not the server's. */
  readonly fixedAddresses: readonly { readonly address: string; readonly line: number }[];
  /** Every `next-server` in the file, in order. */
  readonly nextServers: readonly { readonly address: string; readonly line: number }[];
}

/** The farm's side of the private LAN. */
export interface AddressPlan {
  readonly serverAddress: string;
  readonly prefixLength: number;
  /** `192.168.67.0/24` */
  readonly subnet: string;
  /** Why this address, for the event log. */
  readonly because: string;
  readonly origin: { readonly file: string; readonly line: number };
  /** Things that will not stop the farm but will likely stop a boot. */
  readonly warnings: readonly { readonly message: string; readonly line: number }[];
}

/** A dhcpd.conf that cannot give the farm an address: the message names the file, the line and the fix. */
export class AddressPlanError extends Error {}

/** The fixed ULA prefix of every farm's private LAN (each farm has a network namespace of its own, so they never meet). */
export const farmUlaPrefix = 'fd6e:6266:6172:6d00::';
export const farmUlaPrefixLength = 64;
export const farmUlaAddress = `${farmUlaPrefix}1`;

/**
 * Picks the server's address on the private LAN: the `next-server` when it is
 * in the subnet (the VMs will fetch their boot files from it, so the farm must
 * be it); otherwise the lowest host address that no `range` hands out and no
 * host holds as its `fixed-address`.
 */
export function planAddresses(facts: SubnetFacts): AddressPlan {
  const where = (line: number) => `${facts.file}:${line + 1}`;
  const network = parseIpv4(facts.subnet.address);
  const mask = parseIpv4(facts.subnet.netmask);
  const length = mask === undefined ? undefined : prefixLength(mask);
  if (network === undefined || length === undefined) {
    throw new AddressPlanError(`${where(facts.subnet.line)}: "subnet ${facts.subnet.address} netmask ${facts.subnet.netmask}" is not an IPv4 network and contiguous netmask: write it like "subnet 192.168.67.0 netmask 255.255.255.0"`);
  }
  const subnet: Ipv4Subnet = { network, length };
  const hosts = hostRange(subnet);
  if ((network & ~maskOf(length)) >>> 0 !== 0) {
    throw new AddressPlanError(`${where(facts.subnet.line)}: ${facts.subnet.address} has host bits set for netmask ${facts.subnet.netmask}: the subnet address is ${formatIpv4((network & maskOf(length)) >>> 0)}`);
  }
  if (!hosts) {
    throw new AddressPlanError(`${where(facts.subnet.line)}: subnet ${facts.subnet.address}/${length} has no room for a server and clients: use a network address with a netmask of /30 or wider (e.g. 192.168.67.0 netmask 255.255.255.0)`);
  }
  const subnetText = `${formatIpv4(network)}/${length}`;
  const origin = { file: facts.file, line: facts.subnet.line };
  const ranges = facts.ranges.flatMap((r) => {
    const first = parseIpv4(r.first);
    const last = parseIpv4(r.last);
    return first === undefined || last === undefined ? [] : [{ first: Math.min(first, last), last: Math.max(first, last), line: r.line }];
  });
  const fixed = new Map(facts.fixedAddresses.flatMap((f) => {
    const address = parseIpv4(f.address);
    return address === undefined ? [] : [[address, f.line] as const];
  }));
  const inRange = (address: number) => ranges.find((r) => address >= r.first && address <= r.last);
  const warnings: { message: string; line: number }[] = [];

  for (const next of facts.nextServers) {
    const address = parseIpv4(next.address);
    if (address === undefined) {
      warnings.push({ line: next.line, message: `${where(next.line)}: next-server ${next.address} is not an IPv4 address: the private LAN has no DNS, so write the farm's address (e.g. ${formatIpv4(hosts.first)})` });
      continue;
    }
    if (!subnetContains(subnet, address)) {
      warnings.push({ line: next.line, message: `${where(next.line)}: next-server ${next.address} is outside subnet ${subnetText} (line ${facts.subnet.line + 1}): VMs on the private LAN cannot reach it; set it to an address in the subnet` });
      continue;
    }
    const range = inRange(address);
    if (range) warnings.push({ line: next.line, message: `${where(next.line)}: next-server ${next.address} lies inside the range on line ${range.line + 1}: the DHCP server may hand the farm's own address to a VM; move it out of the range` });
    return { serverAddress: next.address, prefixLength: length, subnet: subnetText, because: `next-server on ${where(next.line)}`, origin: { file: facts.file, line: next.line }, warnings };
  }

  for (let address = hosts.first; address <= hosts.last; address++) {
    if (fixed.has(address)) continue;
    const range = inRange(address);
    if (range) {
      address = range.last;
      continue;
    }
    const because = `the first address of subnet ${subnetText} (${where(facts.subnet.line)}) outside every range and fixed-address`;
    return { serverAddress: formatIpv4(address), prefixLength: length, subnet: subnetText, because, origin, warnings };
  }
  throw new AddressPlanError(`${where(facts.subnet.line)}: every address of subnet ${subnetText} is in a range or a fixed-address, so none is left for the farm's server: shrink a range by one address or set next-server to a free one`);
}
