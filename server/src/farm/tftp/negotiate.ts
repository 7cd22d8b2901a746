/**
 * Option negotiation for a read request (RFC 2347 framework; blksize RFC 2348;
 * tsize and timeout RFC 2349; windowsize RFC 7440; `rollover`, a de-facto
 * option from an expired draft that some clients send). Options the server
 * does not accept are left out of the OACK, as RFC 2347 says; when none is
 * accepted there is no OACK at all and the transfer starts with DATA 1.
 */
import { DEFAULT_BLOCK_SIZE, ErrorCode, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, type TftpOptions } from './packet';

export interface NegotiationLimits {
  /** Largest blksize granted (a client asking more gets this). Default 65464. */
  readonly maxBlockSize: number;
  /** Largest windowsize granted. Default 64. */
  readonly maxWindowSize: number;
  /**
   * What to do when a file needs more than 65535 blocks at the negotiated
   * blksize and the client did not send the `rollover` option:
   * `wrap` counts on from 0 after 65535, as tftpd-hpa, dnsmasq, atftp,
   * tftp-hpa, iPXE and PXELINUX all do; `refuse` answers ERROR 0 saying
   * which blksize would fit, for farms with old ROMs that hang on a wrap.
   */
  readonly rollover: 'wrap' | 'refuse';
}

export const DEFAULT_LIMITS: NegotiationLimits = { maxBlockSize: MAX_BLOCK_SIZE, maxWindowSize: 64, rollover: 'wrap' };

export interface Negotiated {
  readonly blockSize: number;
  readonly windowSize: number;
  /** The block number that follows 65535. */
  readonly rolloverTo: 0 | 1;
  /** Seconds from the `timeout` option: an upper bound on our retransmission timeout. */
  readonly timeoutSeconds?: number;
  /** The OACK's options; empty means no OACK. */
  readonly oack: TftpOptions;
  /** Blocks the file takes, counting the final short (possibly empty) one. */
  readonly blocks: number;
}

export type Negotiation = { readonly ok: true; readonly value: Negotiated } | { readonly ok: false; readonly code: number; readonly message: string };

/** A decimal integer with nothing around it; NaN for anything else. */
function integer(text: string): number {
  return /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
}

export function blocksFor(size: number, blockSize: number): number {
  return Math.floor(size / blockSize) + 1;
}

export function negotiateRead(requested: TftpOptions, size: number, limits: NegotiationLimits = DEFAULT_LIMITS): Negotiation {
  const oack: [string, string][] = [];
  let blockSize = DEFAULT_BLOCK_SIZE;
  let windowSize = 1;
  let rolloverTo: 0 | 1 = 0;
  let rolloverAsked = false;
  let timeoutSeconds: number | undefined;
  for (const [name, value] of requested) {
    const n = integer(value);
    switch (name) {
      case 'blksize':
        if (n >= MIN_BLOCK_SIZE) {
          blockSize = Math.min(n, limits.maxBlockSize, MAX_BLOCK_SIZE);
          oack.push([name, String(blockSize)]);
        }
        break;
      case 'tsize':
        // A client reading sends 0 and is told the size.
        if (n === 0) oack.push([name, String(size)]);
        break;
      case 'timeout':
        if (n >= 1 && n <= 255) {
          timeoutSeconds = n;
          oack.push([name, String(n)]);
        }
        break;
      case 'windowsize':
        if (n >= 1 && n <= 65535) {
          windowSize = Math.min(n, limits.maxWindowSize);
          oack.push([name, String(windowSize)]);
        }
        break;
      case 'rollover':
        if (n === 0 || n === 1) {
          rolloverTo = n;
          rolloverAsked = true;
          oack.push([name, String(n)]);
        }
        break;
      default:
        // Unknown options are ignored (RFC 2347), e.g. tftpd-hpa's utimeout or multicast.
        break;
    }
  }
  const blocks = blocksFor(size, blockSize);
  if (blocks > 65535 && limits.rollover === 'refuse' && !rolloverAsked) {
    const fits = Math.min(MAX_BLOCK_SIZE, Math.ceil((size + 1) / 65535));
    return {
      ok: false,
      code: ErrorCode.notDefined,
      message: `File needs ${blocks} blocks of ${blockSize} bytes, more than 65535; ask blksize ${fits} or more`,
    };
  }
  return { ok: true, value: { blockSize, windowSize, rolloverTo, timeoutSeconds, oack, blocks } };
}
