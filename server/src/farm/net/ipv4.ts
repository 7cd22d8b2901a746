/** IPv4 addresses as unsigned 32-bit numbers, for subnet arithmetic. */

/** `192.168.67.1` -> number, or undefined when the text is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    value = value * 256 + byte;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The prefix length of a contiguous netmask (`255.255.255.0` -> 24), or undefined for a mask with holes. */
export function prefixLength(netmask: number): number | undefined {
  for (let length = 0; length <= 32; length++) {
    if (maskOf(length) === netmask) return length;
  }
  return undefined;
}

export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff - (2 ** (32 - length) - 1)) >>> 0;
}

export interface Ipv4Subnet {
  readonly network: number;
  readonly length: number;
}

export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return (address & maskOf(subnet.length)) >>> 0 === subnet.network;
}

/** Addresses a host may take: not the network address nor the broadcast (a /31 or /32 has none to spare). */
export function hostRange(subnet: Ipv4Subnet): { first: number; last: number } | undefined {
  if (subnet.length >= 31) return undefined;
  const size = 2 ** (32 - subnet.length);
  return { first: subnet.network + 1, last: subnet.network + size - 2 };
}
