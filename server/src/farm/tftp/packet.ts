/**
 * TFTP packets as plain data, and their wire form: RFC 1350 (RRQ, WRQ, DATA,
 * ACK, ERROR), RFC 2347 (OACK and the option list after a request). Nothing
 * here touches a socket, so every byte layout is testable with a Buffer.
 *
 * `decodePacket` never throws: a datagram off the network is anything, and a
 * bad one is answered with an ERROR built from the reason returned here.
 */

export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 error codes, plus 8 from RFC 2347. */
export const ErrorCode = {
  notDefined: 0,
  fileNotFound: 1,
  accessViolation: 2,
  diskFull: 3,
  illegalOperation: 4,
  unknownTransferId: 5,
  fileExists: 6,
  noSuchUser: 7,
  optionRefused: 8,
} as const;

/** Option names are case-insensitive (RFC 2347): they are kept lower-cased, in the order sent. */
export type TftpOptions = ReadonlyArray<readonly [name: string, value: string]>;

export interface RequestPacket {
  readonly type: 'RRQ' | 'WRQ';
  /** The file name as sent, bytes mapped one-to-one to characters (latin1), so nothing is lost or invented. */
  readonly filename: string;
  /** Lower-cased: `octet`, `netascii` or `mail` when valid. */
  readonly mode: string;
  readonly options: TftpOptions;
}
export interface DataPacket {
  readonly type: 'DATA';
  readonly block: number;
  readonly data: Buffer;
}
export interface AckPacket {
  readonly type: 'ACK';
  readonly block: number;
}
export interface ErrorPacket {
  readonly type: 'ERROR';
  readonly code: number;
  readonly message: string;
}
export interface OackPacket {
  readonly type: 'OACK';
  readonly options: TftpOptions;
}
export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

export type DecodeResult = { readonly ok: true; readonly packet: TftpPacket } | { readonly ok: false; readonly reason: string };

/** Largest DATA payload RFC 2348 allows (65535 minus IP and UDP headers). */
export const MAX_BLOCK_SIZE = 65464;
export const MIN_BLOCK_SIZE = 8;
export const DEFAULT_BLOCK_SIZE = 512;

const fail = (reason: string): DecodeResult => ({ ok: false, reason });

/** Splits `buf` from `start` into NUL-terminated latin1 strings; null when the last one is unterminated. */
function nulStrings(buf: Buffer, start: number): string[] | null {
  const out: string[] = [];
  let at = start;
  while (at < buf.length) {
    const end = buf.indexOf(0, at);
    if (end < 0) return null;
    out.push(buf.toString('latin1', at, end));
    at = end + 1;
  }
  return out;
}

function decodeOptions(fields: string[], what: string): { options: [string, string][] } | { reason: string } {
  if (fields.length % 2 !== 0) return { reason: `${what}: option "${fields[fields.length - 1]}" has no value` };
  const options: [string, string][] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase();
    if (name === '') return { reason: `${what}: empty option name` };
    // RFC 2347 does not say what a repeated option means; the first one wins, as in tftpd-hpa.
    if (!options.some(([n]) => n === name)) options.push([name, fields[i + 1]!]);
  }
  return { options };
}

export function decodePacket(buf: Buffer): DecodeResult {
  if (buf.length < 2) return fail(`packet of ${buf.length} byte(s) is shorter than an opcode`);
  const opcode = buf.readUInt16BE(0);
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      const type = opcode === Opcode.RRQ ? 'RRQ' : 'WRQ';
      const fields = nulStrings(buf, 2);
      if (!fields) return fail(`${type}: the last field is not NUL-terminated`);
      if (fields.length < 2) return fail(`${type}: needs a file name and a mode`);
      const [filename, rawMode, ...rest] = fields as [string, string, ...string[]];
      if (filename === '') return fail(`${type}: empty file name`);
      const mode = rawMode.toLowerCase();
      if (mode !== 'octet' && mode !== 'netascii' && mode !== 'mail') return fail(`${type}: unknown transfer mode "${rawMode}"`);
      const options = decodeOptions(rest, type);
      if ('reason' in options) return fail(options.reason);
      return { ok: true, packet: { type, filename, mode, options: options.options } };
    }
    case Opcode.DATA:
      if (buf.length < 4) return fail('DATA: shorter than its 4-byte header');
      return { ok: true, packet: { type: 'DATA', block: buf.readUInt16BE(2), data: buf.subarray(4) } };
    case Opcode.ACK:
      // Some clients pad ACKs; the first four bytes are all that count.
      if (buf.length < 4) return fail('ACK: shorter than 4 bytes');
      return { ok: true, packet: { type: 'ACK', block: buf.readUInt16BE(2) } };
    case Opcode.ERROR: {
      if (buf.length < 4) return fail('ERROR: shorter than its 4-byte header');
      // A missing terminator is tolerated: the message is only ever logged.
      const end = buf.indexOf(0, 4);
      return { ok: true, packet: { type: 'ERROR', code: buf.readUInt16BE(2), message: buf.toString('latin1', 4, end < 0 ? buf.length : end) } };
    }
    case Opcode.OACK: {
      const fields = nulStrings(buf, 2);
      if (!fields) return fail('OACK: the last field is not NUL-terminated');
      const options = decodeOptions(fields, 'OACK');
      if ('reason' in options) return fail(options.reason);
      return { ok: true, packet: { type: 'OACK', options: options.options } };
    }
    default:
      return fail(`unknown opcode ${opcode}`);
  }
}

function strings(opcode: number, parts: readonly string[]): Buffer {
  let length = 2;
  for (const part of parts) length += Buffer.byteLength(part, 'latin1') + 1;
  const buf = Buffer.alloc(length);
  buf.writeUInt16BE(opcode, 0);
  let at = 2;
  for (const part of parts) {
    at += buf.write(part, at, 'latin1');
    buf[at++] = 0;
  }
  return buf;
}

/** The 4-byte DATA header; the payload is sent beside it (a gather write), never copied into it. */
export function encodeDataHeader(block: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt16BE(Opcode.DATA, 0);
  buf.writeUInt16BE(block & 0xffff, 2);
  return buf;
}

export function encodePacket(packet: TftpPacket): Buffer {
  switch (packet.type) {
    case 'RRQ':
    case 'WRQ':
      return strings(Opcode[packet.type], [packet.filename, packet.mode, ...packet.options.flat()]);
    case 'DATA':
      return Buffer.concat([encodeDataHeader(packet.block), packet.data]);
    case 'ACK': {
      const buf = Buffer.alloc(4);
      buf.writeUInt16BE(Opcode.ACK, 0);
      buf.writeUInt16BE(packet.block & 0xffff, 2);
      return buf;
    }
    case 'ERROR': {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(Opcode.ERROR, 0);
      head.writeUInt16BE(packet.code & 0xffff, 2);
      return Buffer.concat([head, strings(0, [packet.message]).subarray(2)]);
    }
    case 'OACK':
      return strings(Opcode.OACK, packet.options.flat());
  }
}

/** The value of option `name` (already lower-case), if the peer sent it. */
export function optionValue(options: TftpOptions, name: string): string | undefined {
  return options.find(([n]) => n === name)?.[1];
}
