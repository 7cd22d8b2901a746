/**
 * One read transfer as a state machine, with no socket and no clock of its
 * own: it is fed the packets the client sends and the current time, and it
 * returns what to send. The socket side (server.ts) does the I/O, so that
 * loss, reordering, rollover and back-off are tested here with plain calls.
 *
 * Retransmission: the timeout adapts to the client as TCP's does (RFC 6298:
 * smoothed round-trip time plus four deviations, Karn's rule of not sampling
 * a retransmitted window), doubles on every consecutive timeout, and the
 * transfer gives up after a bounded number of them. Duplicate ACKs are
 * ignored rather than answered (RFC 1123's cure for the Sorcerer's
 * Apprentice); a client that acknowledges part of a window (RFC 7440: it
 * lost the block after) gets the window again from there.
 *
 * Spurious timeouts raise a floor under the timeout. A slow client (a TCG
 * guest, a loaded host) answers in a fraction of a millisecond most of the
 * time and in tens of milliseconds now and then, a spike the smoothed
 * estimate has forgotten by the next one. When every copy of a block the
 * timer resent is acknowledged, none was lost and the resend was for
 * nothing; the timeout then stays above twice the time that block took,
 * a floor that halves every couple of seconds (a host hiccup must not slow
 * loss recovery for good), so the client stops paying for duplicates while
 * a client on a lossy but steady link keeps its fast recovery. The floor is
 * capped (maxFloorMs) and halves at every loss that proves real (lossSeen),
 * so that a host both loaded and lossy does not wait a floor at every loss.
 */
import type { TftpOptions } from './packet';


/** How long the OACK waits for a repeated request or ACK 0 before the timer resends it (see tick). */
const OACK_SILENCE_MS = 6000;
/** A repeated request this soon after a timer-sent OACK crossed it on the wire (see requestRepeated). */
const OACK_CROSSING_MS = 2000;
export interface RetransmitPolicy {
  /** Before the first round-trip sample. */
  readonly initialRtoMs: number;
  readonly minRtoMs: number;
  readonly maxRtoMs: number;
  /** Consecutive timeouts tolerated before giving up ... */
  readonly maxRetries: number;
  /** ... provided the client has also been silent this long. */
  readonly giveUpAfterMs: number;
  /** A floor raised by a spurious timeout halves this often, so that one host hiccup does not slow loss recovery for good. */
  readonly floorHalfLifeMs: number;
  /**
   * The highest floor spurious timeouts may raise. A longer stall then costs
   * the client a duplicate or two; a higher floor would cost every real loss
   * that long, and a floor measured on a block that itself waited for our
   * timer would feed on itself (seen on a loaded host: 2 s per loss).
   */
  readonly maxFloorMs: number;
}

export const DEFAULT_RETRANSMIT: RetransmitPolicy = {
  initialRtoMs: 200,
  // A LAN answers in well under a millisecond; a few ms keep a lost packet
  // cheap, and a spurious resend only costs the client a duplicate it ignores.
  minRtoMs: 2,
  maxRtoMs: 2000,
  maxRetries: 10,
  // Longer than a client's usual 5 s timer, so its own retry can still reach us.
  giveUpAfterMs: 10000,
  floorHalfLifeMs: 2000,
  maxFloorMs: 100,
};

export interface TransferPlan {
  /** Bytes to send. */
  readonly size: number;
  readonly blockSize: number;
  readonly windowSize: number;
  readonly rolloverTo: 0 | 1;
  /** Options for an OACK; empty: start with DATA 1. */
  readonly oack: TftpOptions;
  /** Upper bound from the client's `timeout` option. */
  readonly timeoutSeconds?: number;
}

export type TransferAction =
  | { readonly kind: 'oack'; readonly options: TftpOptions }
  /** DATA with this on-the-wire block number, carrying `length` bytes of the file from `offset`. */
  | { readonly kind: 'data'; readonly block: number; readonly offset: number; readonly length: number }
  | { readonly kind: 'error'; readonly code: number; readonly message: string };

export type TransferState = 'running' | 'done' | 'failed';

export interface TransferStats {
  readonly blocks: number;
  readonly packetsSent: number;
  readonly retransmittedPackets: number;
  readonly timeouts: number;
  /** Smoothed round-trip time, ms (undefined before the first sample). */
  readonly srttMs: number | undefined;
  readonly rtoMs: number;
  /** ACKs for a block already acknowledged (never answered). */
  readonly duplicateAcks: number;
  /** Timer resends proven unneeded (every copy acknowledged), each raising the floor. */
  readonly spuriousTimeouts: number;
  /** The floor those raised under the timeout, ms (0: none). */
  readonly rtoFloorMs: number;
}

export class ReadTransfer {
  readonly blocks: number;
  private readonly policy: RetransmitPolicy;
  private readonly maxRto: number;
  private stateValue: TransferState = 'running';
  private failure: string | undefined;
  /** Highest block the client acknowledged, as an absolute count (0: only the OACK or nothing). */
  private acked = 0;
  /** Highest block sent in the current window (0: the OACK). */
  private sentUpTo = 0;
  private awaitingOack: boolean;
  /** When each block in flight was last sent, negative when it had been sent before (Karn: no sample). */
  private readonly sentAt: Float64Array;
  private readonly sentAtMask: number;
  /** When each block in flight first went out, and how often (timer resends flagged with +256). */
  private readonly firstSentAt: Float64Array;
  private readonly copies: Uint16Array;
  /** ACKs seen for the block last acknowledged, and when the first came. */
  private acksOfAcked = 0;
  private ackedAt = 0;
  private spuriousFloor = 0;
  private floorRaisedAt = 0;
  private highestFloor = 0;
  private duplicateAcks = 0;
  private spuriousTimeouts = 0;
  private oackSentAt = 0;
  private oackRetransmitted = false;
  /** The last OACK went out on the timer, not in answer to a repeated request. */
  private oackSentByTimer = false;
  private deadline = Infinity;
  private lastProgressAt = 0;
  private lastAckAt: number | undefined;
  private consecutiveTimeouts = 0;
  private srtt: number | undefined;
  private rttvar = 0;
  private rto: number;
  private backedOffRto: number;
  private packetsSent = 0;
  private retransmittedPackets = 0;
  private timeouts = 0;

  constructor(
    private readonly plan: TransferPlan,
    policy: RetransmitPolicy = DEFAULT_RETRANSMIT,
  ) {
    this.policy = policy;
    this.maxRto = plan.timeoutSeconds ? Math.min(policy.maxRtoMs, plan.timeoutSeconds * 1000) : policy.maxRtoMs;
    this.blocks = Math.floor(plan.size / plan.blockSize) + 1;
    this.awaitingOack = plan.oack.length > 0;
    // Room for the widest burst: a window plus eight windows of probe, within 32768.
    let ring = 1;
    while (ring < Math.min(32768, plan.windowSize * 9 + 1)) ring *= 2;
    this.sentAt = new Float64Array(ring);
    this.sentAtMask = ring - 1;
    this.firstSentAt = new Float64Array(ring);
    this.copies = new Uint16Array(ring);
    this.rto = Math.min(policy.initialRtoMs, this.maxRto);
    this.backedOffRto = this.rto;
  }

  get state(): TransferState {
    return this.stateValue;
  }
  /** Why the transfer failed, for the log. */
  get failureReason(): string | undefined {
    return this.failure;
  }
  /** When `tick` next has something to do (ms, same clock as the calls). */
  get nextDeadline(): number {
    return this.stateValue === 'running' ? this.deadline : Infinity;
  }
  /** True once every block has been sent at least once (a failure then is most likely a lost final ACK). */
  /** True once the client has acknowledged anything (the OACK or a block). */
  get heardFromClient(): boolean {
    return this.lastAckAt !== undefined;
  }
  get allSent(): boolean {
    return this.sentUpTo >= this.blocks;
  }
  get stats(): TransferStats {
    return {
      blocks: this.blocks,
      packetsSent: this.packetsSent,
      retransmittedPackets: this.retransmittedPackets,
      timeouts: this.timeouts,
      srttMs: this.srtt,
      rtoMs: this.rto,
      duplicateAcks: this.duplicateAcks,
      spuriousTimeouts: this.spuriousTimeouts,
      rtoFloorMs: this.highestFloor,
    };
  }

  /** The on-the-wire number of absolute block `n` (n >= 1). */
  wireBlock(n: number): number {
    if (n <= 65535) return n;
    return this.plan.rolloverTo === 0 ? n % 65536 : ((n - 1) % 65535) + 1;
  }

  start(now: number): TransferAction[] {
    this.lastProgressAt = now;
    if (this.awaitingOack) {
      this.oackSentAt = now;
      this.deadline = now + this.backedOffRto;
      this.packetsSent++;
      return [{ kind: 'oack', options: this.plan.oack }];
    }
    return this.sendWindow(1, now, false);
  }

  /**
   * The client repeated its request: our OACK was lost or is late. Answer it
   * again at once, unless the timer resent it a moment ago: then the request
   * crossed that OACK on the wire, and a second one would reach a client that
   * already took the first (atftp aborts on it).
   */
  requestRepeated(now: number): TransferAction[] {
    if (this.stateValue !== 'running' || !this.awaitingOack) return [];
    if (this.oackSentByTimer && now - this.oackSentAt < OACK_CROSSING_MS) return [];
    return this.resendOack(now, false);
  }

  private resendOack(now: number, byTimer: boolean): TransferAction[] {
    this.oackSentByTimer = byTimer;
    this.oackRetransmitted = true;
    this.oackSentAt = now;
    this.packetsSent++;
    this.retransmittedPackets++;
    return [{ kind: 'oack', options: this.plan.oack }];
  }

  /** The client acknowledged on-the-wire block `wire`. */
  ack(wire: number, now: number): TransferAction[] {
    if (this.stateValue !== 'running') return [];
    if (this.awaitingOack) {
      if (wire !== 0) return [];
      this.awaitingOack = false;
      if (!this.oackRetransmitted) this.sample(now - this.oackSentAt, now);
      this.progress(0, now);
      return this.sendWindow(1, now, false);
    }
    // What is in flight spans at most 32768 blocks (sendWindow), so one absolute block matches.
    let n = -1;
    for (let k = this.acked + 1; k <= this.sentUpTo; k++) {
      if (this.wireBlock(k) === wire) {
        n = k;
        break;
      }
    }
    // An old or duplicate ACK: the timer, not the duplicate, decides a resend.
    if (n < 0) {
      this.duplicate(wire, now);
      return [];
    }
    const sent = this.sentAt[n & this.sentAtMask]!;
    if (sent >= 0) this.sample(now - sent, now);
    else if (this.answeredResend(n, -sent, now)) this.lossSeen(now);
    this.progress(n, now);
    if (n >= this.blocks) {
      this.stateValue = 'done';
      this.deadline = Infinity;
      return [];
    }
    if (n < this.sentUpTo) {
      // The client stopped short of what we sent. Normally it saw a gap
      // (RFC 7440: block n+1 was lost) and we resend from there at once. But
      // when n+1 was itself just resent, the client may be answering a
      // duplicate while that copy is still on its way (atftp reports its
      // position on a duplicate): resending again would draw more duplicates
      // and feed on itself. Then only a copy a round trip old counts as lost.
      const next = this.sentAt[(n + 1) & this.sentAtMask]!;
      if (next >= 0 || now + next >= (this.srtt ?? this.rto) / 2) {
        if (next >= 0) this.lossSeen(now); // a gap in a window sent once: block n+1 was lost
        return this.sendWindow(n + 1, now, false);
      }
    }
    // Slide: keep a full window in flight past what the client has.
    return this.sendWindow(this.sentUpTo + 1, now, false, 0, n + this.plan.windowSize);
  }

  /** The client sent an ERROR (e.g. 8: it refused our options): the transfer ends. */
  clientError(code: number, message: string): void {
    if (this.stateValue !== 'running') return;
    this.stateValue = 'failed';
    this.failure = `the client sent error ${code}: ${message}`;
  }

  /** Abort from the server side (stop, shutdown); returns the ERROR to send. */
  abort(message: string): TransferAction[] {
    if (this.stateValue !== 'running') return [];
    this.stateValue = 'failed';
    this.failure = message;
    return [{ kind: 'error', code: 0, message }];
  }

  tick(now: number): TransferAction[] {
    if (this.stateValue !== 'running' || now < this.deadline) return [];
    this.consecutiveTimeouts++;
    this.timeouts++;
    if (this.consecutiveTimeouts > this.policy.maxRetries && now - this.lastProgressAt >= this.policy.giveUpAfterMs) {
      this.stateValue = 'failed';
      const waitingFor = this.awaitingOack ? 'the ACK of our OACK' : `the ACK of block ${this.acked + 1}`;
      this.failure = `no answer after ${this.consecutiveTimeouts - 1} retransmissions over ${Math.round(now - this.lastProgressAt)} ms, waiting for ${waitingFor}`;
      return [{ kind: 'error', code: 0, message: 'Timed out' }];
    }
    this.backedOffRto = Math.min(this.backedOffRto * 2, this.maxRto);
    if (this.awaitingOack) {
      this.deadline = now + this.backedOffRto;
      // Clients repeat their request (OACK lost) or their ACK 0 (ACK lost) on
      // their own timers, and both are answered at once (requestRepeated, ack).
      // An OACK the client did not ask for again makes atftp abort ("unexpected
      // OACK"), so the timer only resends it after a silence longer than the
      // clients' own timeouts (atftp: 5 s), for a client that never repeats.
      if (now - this.oackSentAt < OACK_SILENCE_MS) return [];
      return this.resendOack(now, true);
    }
    // From the second silent timeout on, blocks after the window go too, one
    // more window's worth per timeout: atftp acknowledges a duplicate only
    // once until its own (5 s) timer fires, so once its ACK and that one extra
    // ACK are lost, resending what it already has draws no answer. A block it
    // has not seen yet always does. A client that lacks the window ignores
    // blocks it did not expect (RFC 1350), so probing costs it nothing.
    // Deliberate deviation: a lockstep client then sees blocks ahead of its ACK.
    const probe = this.consecutiveTimeouts >= 2 ? this.plan.windowSize * Math.min(this.consecutiveTimeouts - 1, 8) : 0;
    return this.sendWindow(this.acked + 1, now, true, probe);
  }

  /**
   * A duplicate of the last ACK. When the timer resent that block and each
   * copy has now been acknowledged, the client had it all along: the timeout
   * was too short for this client, so it gets a floor of twice what the
   * block took.
   */
  private duplicate(wire: number, now: number): void {
    this.duplicateAcks++;
    if (this.acked === 0 || wire !== this.wireBlock(this.acked)) return;
    const slot = this.acked & this.sentAtMask;
    const copies = this.copies[slot]!;
    if (copies < 256 + 2 || ++this.acksOfAcked !== (copies & 255)) return;
    // The copies sat in the client's queue together: their ACKs come about as
    // far apart as we sent them. A later one reports its position (atftp
    // does on a block it did not expect) and answers no copy.
    const sentOver = Math.abs(this.sentAt[slot]!) - this.firstSentAt[slot]!;
    if (now - this.ackedAt > sentOver + (this.srtt ?? 0)) return;
    this.spuriousTimeouts++;
    this.spuriousFloor = Math.min(this.maxRto, this.policy.maxFloorMs, Math.max(this.floorAt(now), 2 * (this.ackedAt - this.firstSentAt[slot]!)));
    this.floorRaisedAt = now;
    this.highestFloor = Math.max(this.highestFloor, this.spuriousFloor);
    this.rto = Math.max(this.rto, this.spuriousFloor);
    this.backedOffRto = Math.max(this.backedOffRto, this.rto);
  }

  /**
   * Whether the ACK of a resent block answered the resend: it came about one
   * round trip after it, having made us wait far longer before. An ACK held up
   * by a stall lands at any moment after the resend, rarely that soon.
   */
  private answeredResend(n: number, lastSent: number, now: number): boolean {
    const waited = lastSent - this.firstSentAt[n & this.sentAtMask]!;
    const answer = now - lastSent;
    return waited > 0 && answer <= 2 * (this.srtt ?? 0) + this.policy.minRtoMs && waited >= 4 * answer;
  }

  /**
   * Packets really are being lost: a floor raised by spurious timeouts (host
   * jitter) now costs a wait at every loss, while spurious resends only cost
   * duplicates. It halves at each such loss, so on a loaded and lossy link
   * the timeout follows the round-trip time again within a few losses, and a
   * later spurious resend raises it anew.
   */
  private lossSeen(now: number): void {
    const floor = this.floorAt(now);
    if (floor === 0) return;
    this.spuriousFloor = floor / 2;
    this.floorRaisedAt = now;
    this.rto = Math.min(this.maxRto, Math.max(this.policy.minRtoMs, this.spuriousFloor, this.srtt === undefined ? this.policy.initialRtoMs : this.srtt + 4 * this.rttvar));
    // Called on progress, when no timeout is pending: nothing to keep backed off.
    this.backedOffRto = this.rto;
  }

  private progress(n: number, now: number): void {
    this.acksOfAcked = 1;
    this.ackedAt = now;
    this.lastAckAt = now;
    this.acked = n;
    this.consecutiveTimeouts = 0;
    this.backedOffRto = this.rto;
    this.lastProgressAt = now;
  }

  /** The floor spurious timeouts raised, decayed to `now`. */
  private floorAt(now: number): number {
    return this.spuriousFloor * 0.5 ** ((now - this.floorRaisedAt) / this.policy.floorHalfLifeMs);
  }

  /** RFC 6298 section 2, with the clock granularity folded into minRtoMs. */
  private sample(rtt: number, now: number): void {
    const r = Math.max(0, rtt);
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.min(this.maxRto, Math.max(this.policy.minRtoMs, this.floorAt(now), this.srtt + 4 * this.rttvar));
  }

  /**
   * Sends blocks `from` .. `from + windowSize + extra - 1` (or up to `until`
   * when given), never past the last block, and re-arms the timer on the
   * oldest block still unacknowledged.
   */
  private sendWindow(from: number, now: number, retransmission: boolean, extra = 0, until?: number): TransferAction[] {
    // Half the block-number space at most, so that an ACK's 16-bit number names one block.
    const widest = Math.min(this.plan.windowSize + extra, 32768, this.sentAtMask + 1);
    const to = Math.min(until ?? from + widest - 1, from + widest - 1, this.blocks);
    const actions: TransferAction[] = [];
    for (let n = from; n <= to; n++) {
      const offset = (n - 1) * this.plan.blockSize;
      actions.push({ kind: 'data', block: this.wireBlock(n), offset, length: Math.max(0, Math.min(this.plan.blockSize, this.plan.size - offset)) });
      const resent = retransmission || n <= this.sentUpTo;
      const slot = n & this.sentAtMask;
      if (n > this.sentUpTo) {
        this.firstSentAt[slot] = now;
        this.copies[slot] = 1;
      } else {
        // Low byte: copies sent (saturating); bit 8: the timer resent it.
        const c = this.copies[slot]!;
        this.copies[slot] = (c & 256) | (retransmission ? 256 : 0) | Math.min(255, (c & 255) + 1);
      }
      if (resent) this.retransmittedPackets++;
      // Karn: a block sent twice gives no clean round-trip sample; the time is
      // kept, negated (the clock starts above 0 so that -0 never happens).
      this.sentAt[n & this.sentAtMask] = resent ? -now : now;
    }
    this.packetsSent += actions.length;
    this.sentUpTo = Math.max(this.sentUpTo, to);
    if (this.acked < this.sentUpTo) this.deadline = Math.abs(this.sentAt[(this.acked + 1) & this.sentAtMask]!) + this.backedOffRto;
    return actions;
  }
}
