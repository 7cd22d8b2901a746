/**
 * The NBD wire format (NetworkBlockDevice/nbd doc/proto.md): constants, and
 * encode/decode of every message the farm's server and its test client use.
 * Pure Buffer code, no sockets. Decoders never throw: a short or malformed
 * input is a `{ ok: false }` result that says why.
 *
 * Only the fixed newstyle handshake and simple replies are spoken. 64-bit
 * sizes and offsets travel as JavaScript numbers: anything at or above 2^53
 * decodes as `Infinity`, which is out of range of every export.
 */

export const NBD_DEFAULT_PORT = 10809;

// Magic numbers.
export const NBDMAGIC = Buffer.from('NBDMAGIC', 'latin1');
export const IHAVEOPT = Buffer.from('IHAVEOPT', 'latin1');
/** 0x0003e889045565a9, the option reply magic, as its two 32-bit halves. */
const OPTION_REPLY_MAGIC_HI = 0x0003e889;
const OPTION_REPLY_MAGIC_LO = 0x045565a9;
export const NBD_REQUEST_MAGIC = 0x25609513;
export const NBD_SIMPLE_REPLY_MAGIC = 0x67446698;
export const NBD_STRUCTURED_REPLY_MAGIC = 0x668e33ef;

// Handshake flags (server) and client flags.
export const NBD_FLAG_FIXED_NEWSTYLE = 1 << 0;
export const NBD_FLAG_NO_ZEROES = 1 << 1;
export const NBD_FLAG_C_FIXED_NEWSTYLE = 1 << 0;
export const NBD_FLAG_C_NO_ZEROES = 1 << 1;

// Transmission flags.
export const NBD_FLAG_HAS_FLAGS = 1 << 0;
export const NBD_FLAG_READ_ONLY = 1 << 1;
export const NBD_FLAG_SEND_FLUSH = 1 << 2;
export const NBD_FLAG_SEND_FUA = 1 << 3;
export const NBD_FLAG_ROTATIONAL = 1 << 4;
export const NBD_FLAG_SEND_TRIM = 1 << 5;
export const NBD_FLAG_SEND_WRITE_ZEROES = 1 << 6;
export const NBD_FLAG_SEND_DF = 1 << 7;
export const NBD_FLAG_CAN_MULTI_CONN = 1 << 8;

// Options.
export const NBD_OPT_EXPORT_NAME = 1;
export const NBD_OPT_ABORT = 2;
export const NBD_OPT_LIST = 3;
export const NBD_OPT_STARTTLS = 5;
export const NBD_OPT_INFO = 6;
export const NBD_OPT_GO = 7;
export const NBD_OPT_STRUCTURED_REPLY = 8;
export const NBD_OPT_LIST_META_CONTEXT = 9;
export const NBD_OPT_SET_META_CONTEXT = 10;
export const NBD_OPT_EXTENDED_HEADERS = 11;

// Option replies; errors have bit 31 set.
export const NBD_REP_ACK = 1;
export const NBD_REP_SERVER = 2;
export const NBD_REP_INFO = 3;
const repError = (n: number) => (0x80000000 + n) >>> 0;
export const NBD_REP_ERR_UNSUP = repError(1);
export const NBD_REP_ERR_POLICY = repError(2);
export const NBD_REP_ERR_INVALID = repError(3);
export const NBD_REP_ERR_PLATFORM = repError(4);
export const NBD_REP_ERR_TLS_REQD = repError(5);
export const NBD_REP_ERR_UNKNOWN = repError(6);
export const NBD_REP_ERR_SHUTDOWN = repError(7);
export const NBD_REP_ERR_BLOCK_SIZE_REQD = repError(8);
export const NBD_REP_ERR_TOO_BIG = repError(9);

// Information types in NBD_REP_INFO (NBD_OPT_INFO / NBD_OPT_GO).
export const NBD_INFO_EXPORT = 0;
export const NBD_INFO_NAME = 1;
export const NBD_INFO_DESCRIPTION = 2;
export const NBD_INFO_BLOCK_SIZE = 3;

// Commands.
export const NBD_CMD_READ = 0;
export const NBD_CMD_WRITE = 1;
export const NBD_CMD_DISC = 2;
export const NBD_CMD_FLUSH = 3;
export const NBD_CMD_TRIM = 4;
export const NBD_CMD_CACHE = 5;
export const NBD_CMD_WRITE_ZEROES = 6;
export const NBD_CMD_BLOCK_STATUS = 7;

// Errors in replies (Linux errno values, as the protocol fixes them).
export const NBD_EPERM = 1;
export const NBD_EIO = 5;
export const NBD_ENOMEM = 12;
export const NBD_EINVAL = 22;
export const NBD_ENOSPC = 28;
export const NBD_EOVERFLOW = 75;
export const NBD_ENOTSUP = 95;
export const NBD_ESHUTDOWN = 108;

/** The protocol's limit on any string (export names, messages). */
export const NBD_MAX_STRING = 4096;
/** Sizes of the fixed parts. */
export const GREETING_LENGTH = 18;
export const OPTION_HEADER_LENGTH = 16;
export const OPTION_REPLY_HEADER_LENGTH = 20;
export const REQUEST_LENGTH = 28;
export const SIMPLE_REPLY_LENGTH = 16;

const TWO_32 = 2 ** 32;

export type Decoded<T> = ({ ok: true } & T) | { ok: false; reason: string };

/** Reads an unsigned 64-bit big-endian value; `Infinity` when it cannot be a safe integer. */
export function readU64(buf: Uint8Array, at: number): number {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const hi = view.readUInt32BE(at);
  const lo = view.readUInt32BE(at + 4);
  return hi >= 0x200000 ? Infinity : hi * TWO_32 + lo;
}

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32BE(Math.floor(value / TWO_32) >>> 0, at);
  buf.writeUInt32BE(value % TWO_32 >>> 0, at + 4);
}

const names = (table: Record<string, number>) => new Map(Object.entries(table).map(([k, v]) => [v, k]));
const optionNames = names({ NBD_OPT_EXPORT_NAME, NBD_OPT_ABORT, NBD_OPT_LIST, NBD_OPT_STARTTLS, NBD_OPT_INFO, NBD_OPT_GO, NBD_OPT_STRUCTURED_REPLY, NBD_OPT_LIST_META_CONTEXT, NBD_OPT_SET_META_CONTEXT, NBD_OPT_EXTENDED_HEADERS });
const commandNames = names({ NBD_CMD_READ, NBD_CMD_WRITE, NBD_CMD_DISC, NBD_CMD_FLUSH, NBD_CMD_TRIM, NBD_CMD_CACHE, NBD_CMD_WRITE_ZEROES, NBD_CMD_BLOCK_STATUS });
const replyNames = names({ NBD_REP_ACK, NBD_REP_SERVER, NBD_REP_INFO, NBD_REP_ERR_UNSUP, NBD_REP_ERR_POLICY, NBD_REP_ERR_INVALID, NBD_REP_ERR_PLATFORM, NBD_REP_ERR_TLS_REQD, NBD_REP_ERR_UNKNOWN, NBD_REP_ERR_SHUTDOWN, NBD_REP_ERR_BLOCK_SIZE_REQD, NBD_REP_ERR_TOO_BIG });
/** `NBD_OPT_GO`, or `option 42` for one this module does not know: for logs. */
export const optionName = (option: number) => optionNames.get(option) ?? `option ${option}`;
export const commandName = (type: number) => commandNames.get(type) ?? `command ${type}`;
export const replyName = (type: number) => replyNames.get(type) ?? `reply ${type}`;
export const isReplyError = (type: number) => type >= 0x80000000;

// ---- handshake -------------------------------------------------------------

/** S: NBDMAGIC, IHAVEOPT, 16-bit handshake flags. */
export function encodeGreeting(handshakeFlags: number): Buffer {
  const buf = Buffer.alloc(GREETING_LENGTH);
  NBDMAGIC.copy(buf, 0);
  IHAVEOPT.copy(buf, 8);
  buf.writeUInt16BE(handshakeFlags & 0xffff, 16);
  return buf;
}

export function decodeGreeting(buf: Uint8Array): Decoded<{ handshakeFlags: number }> {
  if (buf.length < GREETING_LENGTH) return { ok: false, reason: `greeting is ${buf.length} bytes, needs ${GREETING_LENGTH}` };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!b.subarray(0, 8).equals(NBDMAGIC)) return { ok: false, reason: 'not an NBD server (no NBDMAGIC)' };
  if (!b.subarray(8, 16).equals(IHAVEOPT)) return { ok: false, reason: 'not a newstyle NBD server (no IHAVEOPT)' };
  return { ok: true, handshakeFlags: b.readUInt16BE(16) };
}

export function encodeClientFlags(flags: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(flags >>> 0, 0);
  return buf;
}

/**
 * C: 32-bit client flags. A client that sets a flag the server did not offer
 * is refused (the protocol says the server MUST then drop the connection).
 */
export function decodeClientFlags(buf: Uint8Array, offered: number): Decoded<{ fixedNewstyle: boolean; noZeroes: boolean }> {
  if (buf.length < 4) return { ok: false, reason: `client flags are ${buf.length} bytes, need 4` };
  const flags = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readUInt32BE(0);
  const unknown = flags & ~offered;
  if (unknown !== 0) return { ok: false, reason: `client set flags the server did not offer: 0x${(unknown >>> 0).toString(16)}` };
  return { ok: true, fixedNewstyle: (flags & NBD_FLAG_C_FIXED_NEWSTYLE) !== 0, noZeroes: (flags & NBD_FLAG_C_NO_ZEROES) !== 0 };
}

// ---- option haggling -------------------------------------------------------

export function encodeOptionRequest(option: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const buf = Buffer.alloc(OPTION_HEADER_LENGTH + data.length);
  IHAVEOPT.copy(buf, 0);
  buf.writeUInt32BE(option >>> 0, 8);
  buf.writeUInt32BE(data.length, 12);
  buf.set(data, OPTION_HEADER_LENGTH);
  return buf;
}

/** C: IHAVEOPT, 32-bit option, 32-bit length (the data follows, read separately). */
export function decodeOptionHeader(buf: Uint8Array): Decoded<{ option: number; length: number }> {
  if (buf.length < OPTION_HEADER_LENGTH) return { ok: false, reason: `option header is ${buf.length} bytes, needs ${OPTION_HEADER_LENGTH}` };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!b.subarray(0, 8).equals(IHAVEOPT)) return { ok: false, reason: 'option does not start with IHAVEOPT' };
  return { ok: true, option: b.readUInt32BE(8), length: b.readUInt32BE(12) };
}

export function encodeOptionReply(option: number, type: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const buf = Buffer.alloc(OPTION_REPLY_HEADER_LENGTH + data.length);
  buf.writeUInt32BE(OPTION_REPLY_MAGIC_HI, 0);
  buf.writeUInt32BE(OPTION_REPLY_MAGIC_LO, 4);
  buf.writeUInt32BE(option >>> 0, 8);
  buf.writeUInt32BE(type >>> 0, 12);
  buf.writeUInt32BE(data.length, 16);
  buf.set(data, OPTION_REPLY_HEADER_LENGTH);
  return buf;
}

/** The reply's header; its `length` bytes of data follow. */
export function decodeOptionReplyHeader(buf: Uint8Array): Decoded<{ option: number; type: number; length: number }> {
  if (buf.length < OPTION_REPLY_HEADER_LENGTH) return { ok: false, reason: `option reply header is ${buf.length} bytes, needs ${OPTION_REPLY_HEADER_LENGTH}` };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.readUInt32BE(0) !== OPTION_REPLY_MAGIC_HI || b.readUInt32BE(4) !== OPTION_REPLY_MAGIC_LO) return { ok: false, reason: 'bad option reply magic' };
  return { ok: true, option: b.readUInt32BE(8), type: b.readUInt32BE(12), length: b.readUInt32BE(16) };
}

/** An export name or message: UTF-8 without NUL, at most 4096 bytes. */
function decodeString(bytes: Uint8Array, what: string): Decoded<{ value: string }> {
  if (bytes.length > NBD_MAX_STRING) return { ok: false, reason: `${what} is ${bytes.length} bytes, the limit is ${NBD_MAX_STRING}` };
  if (bytes.includes(0)) return { ok: false, reason: `${what} contains a NUL byte` };
  const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (value.includes('\ufffd') && !Buffer.from(value, 'utf8').equals(bytes)) return { ok: false, reason: `${what} is not valid UTF-8` };
  return { ok: true, value };
}

/** NBD_OPT_EXPORT_NAME's data is the bare name. */
export function decodeExportName(data: Uint8Array): Decoded<{ name: string }> {
  const s = decodeString(data, 'export name');
  return s.ok ? { ok: true, name: s.value } : s;
}

/** NBD_OPT_INFO / NBD_OPT_GO data: 32-bit name length, name, 16-bit count, that many 16-bit info types. */
export function encodeInfoRequest(name: string, infos: readonly number[]): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const buf = Buffer.alloc(4 + nameBytes.length + 2 + 2 * infos.length);
  buf.writeUInt32BE(nameBytes.length, 0);
  nameBytes.copy(buf, 4);
  buf.writeUInt16BE(infos.length, 4 + nameBytes.length);
  infos.forEach((info, i) => buf.writeUInt16BE(info, 6 + nameBytes.length + 2 * i));
  return buf;
}

export function decodeInfoRequest(data: Uint8Array): Decoded<{ name: string; infos: number[] }> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < 6) return { ok: false, reason: `request is ${b.length} bytes, needs at least 6` };
  const nameLength = b.readUInt32BE(0);
  if (nameLength > b.length - 6) return { ok: false, reason: `name length ${nameLength} runs past the ${b.length}-byte option` };
  const name = decodeString(b.subarray(4, 4 + nameLength), 'export name');
  if (!name.ok) return name;
  const count = b.readUInt16BE(4 + nameLength);
  const expected = 6 + nameLength + 2 * count;
  if (b.length !== expected) return { ok: false, reason: `${count} information requests need ${expected} bytes, the option has ${b.length}` };
  const infos: number[] = [];
  for (let i = 0; i < count; i++) infos.push(b.readUInt16BE(6 + nameLength + 2 * i));
  return { ok: true, name: name.value, infos };
}

/** NBD_REP_SERVER data (one per export in NBD_OPT_LIST): 32-bit name length, name, description. */
export function encodeServerEntry(name: string, description = ''): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const descriptionBytes = Buffer.from(description, 'utf8');
  const buf = Buffer.alloc(4 + nameBytes.length + descriptionBytes.length);
  buf.writeUInt32BE(nameBytes.length, 0);
  nameBytes.copy(buf, 4);
  descriptionBytes.copy(buf, 4 + nameBytes.length);
  return buf;
}

export function decodeServerEntry(data: Uint8Array): Decoded<{ name: string; description: string }> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < 4) return { ok: false, reason: 'server entry shorter than 4 bytes' };
  const nameLength = b.readUInt32BE(0);
  if (nameLength > b.length - 4) return { ok: false, reason: `name length ${nameLength} runs past the ${b.length}-byte reply` };
  return { ok: true, name: b.toString('utf8', 4, 4 + nameLength), description: b.toString('utf8', 4 + nameLength) };
}

/** NBD_INFO_EXPORT: 16-bit type, 64-bit size, 16-bit transmission flags. */
export function encodeInfoExport(size: number, transmissionFlags: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16BE(NBD_INFO_EXPORT, 0);
  writeU64(buf, size, 2);
  buf.writeUInt16BE(transmissionFlags & 0xffff, 10);
  return buf;
}

/** NBD_INFO_BLOCK_SIZE: 16-bit type, then minimum, preferred and maximum sizes (32 bits each). */
export function encodeInfoBlockSize(minimum: number, preferred: number, maximum: number): Buffer {
  const buf = Buffer.alloc(14);
  buf.writeUInt16BE(NBD_INFO_BLOCK_SIZE, 0);
  buf.writeUInt32BE(minimum, 2);
  buf.writeUInt32BE(preferred, 6);
  buf.writeUInt32BE(maximum, 10);
  return buf;
}

/** NBD_INFO_NAME and NBD_INFO_DESCRIPTION: 16-bit type, then the string. */
export function encodeInfoString(type: typeof NBD_INFO_NAME | typeof NBD_INFO_DESCRIPTION, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const buf = Buffer.alloc(2 + bytes.length);
  buf.writeUInt16BE(type, 0);
  bytes.copy(buf, 2);
  return buf;
}

export type Info =
  | { type: typeof NBD_INFO_EXPORT; size: number; transmissionFlags: number }
  | { type: typeof NBD_INFO_BLOCK_SIZE; minimum: number; preferred: number; maximum: number }
  | { type: typeof NBD_INFO_NAME | typeof NBD_INFO_DESCRIPTION; value: string }
  | { type: number; raw: Buffer };

/** The data of one NBD_REP_INFO reply. */
export function decodeInfo(data: Uint8Array): Decoded<{ info: Info }> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < 2) return { ok: false, reason: 'information reply shorter than 2 bytes' };
  const type = b.readUInt16BE(0);
  switch (type) {
    case NBD_INFO_EXPORT:
      if (b.length !== 12) return { ok: false, reason: `NBD_INFO_EXPORT is ${b.length} bytes, must be 12` };
      return { ok: true, info: { type, size: readU64(b, 2), transmissionFlags: b.readUInt16BE(10) } };
    case NBD_INFO_BLOCK_SIZE:
      if (b.length !== 14) return { ok: false, reason: `NBD_INFO_BLOCK_SIZE is ${b.length} bytes, must be 14` };
      return { ok: true, info: { type, minimum: b.readUInt32BE(2), preferred: b.readUInt32BE(6), maximum: b.readUInt32BE(10) } };
    case NBD_INFO_NAME:
    case NBD_INFO_DESCRIPTION:
      return { ok: true, info: { type, value: b.toString('utf8', 2) } };
    default:
      return { ok: true, info: { type, raw: Buffer.from(b.subarray(2)) } };
  }
}

/** The reply to NBD_OPT_EXPORT_NAME: 64-bit size, 16-bit flags, 124 zeroes unless NO_ZEROES was agreed. */
export function encodeExportNameReply(size: number, transmissionFlags: number, noZeroes: boolean): Buffer {
  const buf = Buffer.alloc(noZeroes ? 10 : 134);
  writeU64(buf, size, 0);
  buf.writeUInt16BE(transmissionFlags & 0xffff, 8);
  return buf;
}

// ---- transmission ----------------------------------------------------------

/**
 * A request. The 64-bit handle is opaque: it is kept as two 32-bit halves, so
 * that decoding allocates nothing and the reply echoes it bit for bit.
 */
export interface NbdRequest {
  readonly flags: number;
  readonly type: number;
  readonly handleHi: number;
  readonly handleLo: number;
  /** `Infinity` when the client sent a value at or above 2^53. */
  readonly offset: number;
  readonly length: number;
}

export function encodeRequest(type: number, handle: number, offset: number, length: number, flags = 0): Buffer {
  const buf = Buffer.alloc(REQUEST_LENGTH);
  buf.writeUInt32BE(NBD_REQUEST_MAGIC, 0);
  buf.writeUInt16BE(flags, 4);
  buf.writeUInt16BE(type, 6);
  writeU64(buf, handle, 8);
  writeU64(buf, offset, 16);
  buf.writeUInt32BE(length >>> 0, 24);
  return buf;
}

/** Decodes the 28-byte request at `at` (a WRITE's data follows it and is not part of it). */
export function decodeRequest(buf: Buffer, at = 0): Decoded<{ request: NbdRequest }> {
  if (at < 0 || buf.length - at < REQUEST_LENGTH) return { ok: false, reason: `request is ${Math.max(0, buf.length - at)} bytes, needs ${REQUEST_LENGTH}` };
  const magic = buf.readUInt32BE(at);
  if (magic !== NBD_REQUEST_MAGIC) return { ok: false, reason: `bad request magic 0x${magic.toString(16)}` };
  return {
    ok: true,
    request: {
      flags: buf.readUInt16BE(at + 4),
      type: buf.readUInt16BE(at + 6),
      handleHi: buf.readUInt32BE(at + 8),
      handleLo: buf.readUInt32BE(at + 12),
      offset: readU64(buf, at + 16),
      length: buf.readUInt32BE(at + 24),
    },
  };
}

/** Writes a simple reply header into `buf` at `at` (the server reads file data in right after it). */
export function writeSimpleReplyHeader(buf: Buffer, at: number, error: number, handleHi: number, handleLo: number): void {
  buf.writeUInt32BE(NBD_SIMPLE_REPLY_MAGIC, at);
  buf.writeUInt32BE(error >>> 0, at + 4);
  buf.writeUInt32BE(handleHi >>> 0, at + 8);
  buf.writeUInt32BE(handleLo >>> 0, at + 12);
}

export function encodeSimpleReply(error: number, handleHi: number, handleLo: number): Buffer {
  const buf = Buffer.alloc(SIMPLE_REPLY_LENGTH);
  writeSimpleReplyHeader(buf, 0, error, handleHi, handleLo);
  return buf;
}

/** A simple reply's header; for a successful READ, the data follows. The handle comes back as one number (exact below 2^53). */
export function decodeSimpleReply(buf: Uint8Array): Decoded<{ error: number; handle: number }> {
  if (buf.length < SIMPLE_REPLY_LENGTH) return { ok: false, reason: `reply is ${buf.length} bytes, needs ${SIMPLE_REPLY_LENGTH}` };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = b.readUInt32BE(0);
  if (magic === NBD_STRUCTURED_REPLY_MAGIC) return { ok: false, reason: 'structured reply where a simple reply was expected' };
  if (magic !== NBD_SIMPLE_REPLY_MAGIC) return { ok: false, reason: `bad reply magic 0x${magic.toString(16)}` };
  return { ok: true, error: b.readUInt32BE(4), handle: readU64(b, 8) };
}
