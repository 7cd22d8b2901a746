import { concatBytes } from '../../lang/dhcpd/lease/encodeValue';
/**
 * BOOTP/DHCP messages on the wire (RFC 951, RFC 2131, options per RFC 2132),
 * as plain data. Decoding never throws: a malformed datagram comes back as an
 * error value, because a DHCP server reads whatever anyone on the LAN sends.
 */

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

/** DHCP message types (option 53). */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

export const messageTypeNames: Readonly<Record<number, string>> = {
  1: 'DHCPDISCOVER',
  2: 'DHCPOFFER',
  3: 'DHCPREQUEST',
  4: 'DHCPDECLINE',
  5: 'DHCPACK',
  6: 'DHCPNAK',
  7: 'DHCPRELEASE',
  8: 'DHCPINFORM',
};

/** Option codes the server itself reads or writes. */
export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  HOST_NAME: 12,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  USER_CLASS: 77,
  CLIENT_ARCH: 93,
  END: 255,
} as const;

/** The broadcast bit of `flags` (RFC 2131 figure 2). */
export const BROADCAST_FLAG = 0x8000;

const MAGIC_COOKIE = 0x63825363;
/** Fixed BOOTP header up to and including the magic cookie. */
const HEADER_LENGTH = 240;
/** RFC 951's minimum BOOTP message; old PXE ROMs drop anything shorter. */
const MIN_MESSAGE_LENGTH = 300;

export interface DhcpOption {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface DhcpMessage {
  readonly op: number;
  readonly htype: number;
  readonly hlen: number;
  readonly hops: number;
  readonly xid: number;
  readonly secs: number;
  readonly flags: number;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  /** The full 16-byte field; the hardware address is its first `hlen` bytes. */
  readonly chaddr: Uint8Array;
  readonly sname: string;
  readonly file: string;
  /** In wire order; a code split over several instances (RFC 3396) is joined into one. */
  readonly options: readonly DhcpOption[];
}

export type DecodeResult = { readonly ok: true; readonly message: DhcpMessage } | { readonly ok: false; readonly error: string };

export function ipToString(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Dotted quad to 4 bytes, or undefined when it is not one. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** NUL-terminated (or field-filling) ASCII, as sname and file are stored. */
function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  const stop = end < 0 || end > start + length ? start + length : end;
  return buf.toString('latin1', start, stop);
}

/** Parses the options area; an error string when it runs past the end of the datagram. */
function decodeOptions(buf: Buffer, start: number): DhcpOption[] | string {
  const order: number[] = [];
  const parts = new Map<number, Uint8Array[]>();
  let i = start;
  while (i < buf.length) {
    const code = buf[i] as number;
    if (code === Opt.PAD) {
      i++;
      continue;
    }
    if (code === Opt.END) break;
    if (i + 1 >= buf.length) return `option ${code} at byte ${i} has no length byte`;
    const length = buf[i + 1] as number;
    if (i + 2 + length > buf.length) return `option ${code} at byte ${i} claims ${length} bytes but only ${buf.length - i - 2} remain`;
    const data = new Uint8Array(buf.subarray(i + 2, i + 2 + length));
    const seen = parts.get(code);
    if (seen) seen.push(data);
    else {
      parts.set(code, [data]);
      order.push(code);
    }
    i += 2 + length;
  }
  return order.map((code) => ({ code, data: concatBytes(parts.get(code) ?? []) }));
}

export function decodeMessage(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_LENGTH) return { ok: false, error: `datagram of ${buf.length} bytes is shorter than a BOOTP header (${HEADER_LENGTH})` };
  const op = buf[0] as number;
  if (op !== BOOTREQUEST && op !== BOOTREPLY) return { ok: false, error: `op ${op} is neither BOOTREQUEST (1) nor BOOTREPLY (2)` };
  const hlen = buf[2] as number;
  if (hlen > 16) return { ok: false, error: `hardware address length ${hlen} is over 16` };
  const cookie = buf.readUInt32BE(236);
  if (cookie !== MAGIC_COOKIE) return { ok: false, error: `no DHCP magic cookie (found 0x${cookie.toString(16).padStart(8, '0')})` };
  const options = decodeOptions(buf, HEADER_LENGTH);
  if (typeof options === 'string') return { ok: false, error: options };
  return {
    ok: true,
    message: {
      op,
      htype: buf[1] as number,
      hlen,
      hops: buf[3] as number,
      xid: buf.readUInt32BE(4),
      secs: buf.readUInt16BE(8),
      flags: buf.readUInt16BE(10),
      ciaddr: ipToString(buf, 12),
      yiaddr: ipToString(buf, 16),
      siaddr: ipToString(buf, 20),
      giaddr: ipToString(buf, 24),
      chaddr: new Uint8Array(buf.subarray(28, 44)),
      sname: cString(buf, 44, 64),
      file: cString(buf, 108, 128),
      options,
    },
  };
}

function writeIp(buf: Buffer, offset: number, text: string): void {
  const bytes = parseIpv4(text);
  if (!bytes) throw new RangeError(`not an IPv4 address: "${text}"`);
  buf.set(bytes, offset);
}

/**
 * Encodes a message; options longer than 255 bytes are split into several
 * instances (RFC 3396). Throws only on values the caller built wrongly (an
 * address that is not one, a file name that does not fit), never on data
 * that came off the wire.
 */
export function encodeMessage(message: DhcpMessage): Buffer {
  const optionBytes = message.options.reduce((n, o) => n + o.data.length + 2 * Math.max(1, Math.ceil(o.data.length / 255)), 0);
  const length = Math.max(MIN_MESSAGE_LENGTH, HEADER_LENGTH + optionBytes + 1);
  const buf = Buffer.alloc(length);
  buf[0] = message.op;
  buf[1] = message.htype;
  buf[2] = message.hlen;
  buf[3] = message.hops;
  buf.writeUInt32BE(message.xid >>> 0, 4);
  buf.writeUInt16BE(message.secs & 0xffff, 8);
  buf.writeUInt16BE(message.flags & 0xffff, 10);
  writeIp(buf, 12, message.ciaddr);
  writeIp(buf, 16, message.yiaddr);
  writeIp(buf, 20, message.siaddr);
  writeIp(buf, 24, message.giaddr);
  buf.set(message.chaddr.subarray(0, 16), 28);
  for (const [field, offset, size] of [
    [message.sname, 44, 64],
    [message.file, 108, 128],
  ] as const) {
    const bytes = Buffer.from(field, 'latin1');
    if (bytes.length > size) throw new RangeError(`"${field}" does not fit the ${size}-byte BOOTP field`);
    buf.set(bytes, offset);
  }
  buf.writeUInt32BE(MAGIC_COOKIE, 236);
  let at = HEADER_LENGTH;
  for (const option of message.options) {
    let rest = option.data;
    do {
      const chunk = rest.subarray(0, 255);
      buf[at++] = option.code;
      buf[at++] = chunk.length;
      buf.set(chunk, at);
      at += chunk.length;
      rest = rest.subarray(chunk.length);
    } while (rest.length > 0);
  }
  buf[at] = Opt.END;
  return buf;
}

export function findOption(message: DhcpMessage, code: number): Uint8Array | undefined {
  return message.options.find((o) => o.code === code)?.data;
}

export function messageTypeOf(message: DhcpMessage): number | undefined {
  const data = findOption(message, Opt.MESSAGE_TYPE);
  return data?.length === 1 ? data[0] : undefined;
}

/** The client's hardware address as `aa:bb:cc:dd:ee:ff`. */
export function hardwareAddress(message: DhcpMessage): string {
  return [...message.chaddr.subarray(0, message.hlen)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** `aa:bb:..` (or `aa-bb-..`) to bytes, or undefined. */
export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.trim().split(/[:-]/);
  if (parts.length < 1 || parts.length > 16 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export const ZERO_ADDRESS = '0.0.0.0';

/** A request skeleton for tests, tools and clients: a BOOTREQUEST from `mac` with the given options. */
export function buildRequest(init: { mac: string; xid: number; options: readonly DhcpOption[]; flags?: number; ciaddr?: string }): DhcpMessage {
  const mac = parseMac(init.mac);
  if (!mac) throw new RangeError(`not a MAC address: "${init.mac}"`);
  const chaddr = new Uint8Array(16);
  chaddr.set(mac);
  return {
    op: BOOTREQUEST,
    htype: 1,
    hlen: mac.length,
    hops: 0,
    xid: init.xid,
    secs: 0,
    flags: init.flags ?? 0,
    ciaddr: init.ciaddr ?? ZERO_ADDRESS,
    yiaddr: ZERO_ADDRESS,
    siaddr: ZERO_ADDRESS,
    giaddr: ZERO_ADDRESS,
    chaddr,
    sname: '',
    file: '',
    options: init.options,
  };
}
