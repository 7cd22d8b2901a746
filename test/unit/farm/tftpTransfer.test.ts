import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, negotiateRead } from '../../../server/src/farm/tftp/negotiate';
import { DEFAULT_RETRANSMIT, ReadTransfer, type TransferAction, type TransferPlan, type TransferStats } from '../../../server/src/farm/tftp/transfer';
import { random } from '../../support/random';

const plan = (over: Partial<TransferPlan>): TransferPlan => ({ size: 2000, blockSize: 512, windowSize: 1, rolloverTo: 0, oack: [], ...over });
const blocks = (actions: TransferAction[]) => actions.map((a) => (a.kind === 'data' ? a.block : a.kind));

test('negotiation: blksize, tsize, windowsize, timeout, rollover; unknown options ignored', () => {
  const n = negotiateRead([['blksize', '1468'], ['tsize', '0'], ['windowsize', '16'], ['timeout', '3'], ['multicast', ''], ['utimeout', '1000']], 5000);
  assert.ok(n.ok);
  assert.deepEqual(n.value, { blockSize: 1468, windowSize: 16, rolloverTo: 0, timeoutSeconds: 3, oack: [['blksize', '1468'], ['tsize', '5000'], ['windowsize', '16'], ['timeout', '3']], blocks: 4 });
  const capped = negotiateRead([['blksize', '70000'], ['windowsize', '500']], 10, { ...DEFAULT_LIMITS, maxBlockSize: 1432, maxWindowSize: 32 });
  assert.ok(capped.ok);
  assert.deepEqual(capped.value.oack, [['blksize', '1432'], ['windowsize', '32']], 'a larger ask gets our maximum');
  const bad = negotiateRead([['blksize', '7'], ['tsize', 'x'], ['windowsize', '0'], ['timeout', '256'], ['rollover', '2']], 10);
  assert.ok(bad.ok);
  assert.deepEqual(bad.value.oack, [], 'invalid values are left out: no OACK');
  assert.equal(bad.value.blockSize, 512);
  const none = negotiateRead([], 1024);
  assert.ok(none.ok);
  assert.equal(none.value.blocks, 3, 'a size that is a multiple of the block size ends with an empty block');
});

test('negotiation: files past 65535 blocks wrap by default, or are refused with the blksize that fits', () => {
  const size = 40 * 1024 * 1024;
  const wrap = negotiateRead([], size);
  assert.ok(wrap.ok && wrap.value.blocks === 81921 && wrap.value.rolloverTo === 0);
  const refuse = negotiateRead([], size, { ...DEFAULT_LIMITS, rollover: 'refuse' });
  assert.equal(refuse.ok, false);
  assert.match((refuse as { message: string }).message, /81921 blocks of 512 bytes, more than 65535; ask blksize 641 or more/);
  const asked = negotiateRead([['rollover', '1']], size, { ...DEFAULT_LIMITS, rollover: 'refuse' });
  assert.ok(asked.ok && asked.value.rolloverTo === 1, 'a client that asked for rollover gets it');
  const fits = negotiateRead([['blksize', '641']], size, { ...DEFAULT_LIMITS, rollover: 'refuse' });
  assert.ok(fits.ok && fits.value.blocks <= 65535);
});

test('lockstep without options: DATA 1 at once, one block per ACK, the short block ends it', () => {
  const t = new ReadTransfer(plan({}));
  assert.deepEqual(t.start(0), [{ kind: 'data', block: 1, offset: 0, length: 512 }]);
  assert.deepEqual(blocks(t.ack(1, 1)), [2]);
  assert.deepEqual(t.ack(1, 1), [], 'a duplicate ACK is not answered (Sorcerer\'s Apprentice)');
  assert.deepEqual(blocks(t.ack(2, 2)), [3]);
  assert.deepEqual(t.ack(3, 3), [{ kind: 'data', block: 4, offset: 1536, length: 464 }]);
  assert.equal(t.state, 'running');
  assert.deepEqual(t.ack(4, 4), []);
  assert.equal(t.state, 'done');
});

test('with options: the OACK is block 0, answered again when the client repeats its request, and by the timer only after a long silence', () => {
  const t = new ReadTransfer(plan({ oack: [['tsize', '2000']] }));
  assert.deepEqual(t.start(0), [{ kind: 'oack', options: [['tsize', '2000']] }]);
  assert.deepEqual(t.ack(1, 1), [], 'no block 1 before the OACK is acknowledged');
  // atftp aborts on an OACK it did not ask for again, so a timeout alone does not resend it...
  assert.deepEqual(t.tick(DEFAULT_RETRANSMIT.initialRtoMs), []);
  // ...but a repeated request (the first OACK was lost) is answered at once...
  assert.deepEqual(blocks(t.requestRepeated(300)), ['oack']);
  // ...and a client that never repeats itself still gets it again after 6 s of silence.
  let resent: string[] = [];
  for (let now = 400; now < 10_000 && resent.length === 0; now += 50) resent = blocks(t.tick(now)).map(String);
  assert.deepEqual(resent, ['oack']);
  // A repeated request right after that timer resend crossed it on the wire: a
  // second OACK would make atftp abort. A later repeat is answered again.
  const timerAt = 6300;
  assert.deepEqual(t.requestRepeated(timerAt + 1000), [], 'a request that crossed the timer OACK gets no second OACK');
  assert.deepEqual(blocks(t.requestRepeated(timerAt + 5000)), ['oack']);
  assert.deepEqual(blocks(t.ack(0, 10_000)), [1]);
  assert.deepEqual(t.requestRepeated(10_001), [], 'once acknowledged, a late repeat of the request is ignored');
});

test('client ERROR (e.g. 8, options refused) ends the transfer', () => {
  const t = new ReadTransfer(plan({ oack: [['blksize', '9000']] }));
  t.start(0);
  t.clientError(8, 'blksize refused');
  assert.equal(t.state, 'failed');
  assert.match(t.failureReason!, /error 8: blksize refused/);
  assert.deepEqual(t.tick(1e9), []);
});

test('windows: a full window per ACK; a partial ACK resends from the gap, or slides when that block was just resent', () => {
  const t = new ReadTransfer(plan({ size: 100, blockSize: 8, windowSize: 4 }));
  assert.deepEqual(blocks(t.start(0)), [1, 2, 3, 4]);
  assert.deepEqual(blocks(t.ack(4, 1)), [5, 6, 7, 8]);
  assert.deepEqual(blocks(t.ack(6, 3)), [7, 8, 9, 10], 'block 7 went out once and is missing: resent from there at once');
  assert.deepEqual(t.ack(6, 3.05), [], 'a duplicate ACK is not answered');
  assert.deepEqual(blocks(t.ack(7, 3.1)), [11], 'ACK 7 just after 8 was resent: 8 is on its way, the window only slides');
  assert.deepEqual(blocks(t.ack(11, 5)), [12, 13]);
  assert.deepEqual(t.ack(13, 6), []);
  assert.equal(t.state, 'done');
});

test('block numbers roll over to 0 (or to 1 when asked) past 65535', () => {
  for (const rolloverTo of [0, 1] as const) {
    const t = new ReadTransfer(plan({ size: 65537 * 8, blockSize: 8, windowSize: 8, rolloverTo }));
    let actions = t.start(0);
    const seen: number[] = [];
    let offset = 0;
    while (t.state === 'running') {
      const last = actions[actions.length - 1]!;
      assert.equal(last.kind, 'data');
      for (const a of actions) {
        if (a.kind !== 'data') continue;
        assert.equal(a.offset, offset, 'offsets are contiguous');
        offset += a.length;
        if (a.offset >= 65530 * 8) seen.push(a.block);
      }
      actions = t.ack((last as { block: number }).block, 1);
    }
    assert.equal(offset, 65537 * 8);
    assert.deepEqual(seen, rolloverTo === 0 ? [65531, 65532, 65533, 65534, 65535, 0, 1, 2] : [65531, 65532, 65533, 65534, 65535, 1, 2, 3]);
    assert.equal(t.blocks, 65538);
  }
});

test('timeouts: resend, back off exponentially, probe ahead, then give up with an ERROR', () => {
  const policy = { ...DEFAULT_RETRANSMIT, initialRtoMs: 100, maxRtoMs: 1000, maxRetries: 3, giveUpAfterMs: 2000 };
  const t = new ReadTransfer(plan({ size: 5000 }), policy);
  t.start(0);
  assert.deepEqual(t.tick(99), [], 'nothing before the deadline');
  assert.equal(t.nextDeadline, 100);
  assert.deepEqual(blocks(t.tick(100)), [1]);
  assert.equal(t.nextDeadline, 300, 'the timeout doubled');
  assert.deepEqual(blocks(t.tick(300)), [1, 2], 'second silent timeout: the next block goes too');
  assert.equal(t.nextDeadline, 700);
  assert.deepEqual(blocks(t.tick(700)), [1, 2, 3]);
  assert.equal(t.nextDeadline, 1500);
  assert.deepEqual(blocks(t.tick(1500)), [1, 2, 3, 4]);
  assert.equal(t.nextDeadline, 2500, 'capped at maxRtoMs');
  assert.deepEqual(t.tick(2500), [{ kind: 'error', code: 0, message: 'Timed out' }]);
  assert.equal(t.state, 'failed');
  assert.match(t.failureReason!, /no answer after 4 retransmissions .* waiting for the ACK of block 1/);
  // A probed block acknowledged is progress like any other.
  const u = new ReadTransfer(plan({ size: 5000 }), policy);
  u.start(0);
  u.tick(100);
  u.tick(300);
  assert.deepEqual(blocks(u.ack(2, 301)), [3], 'the client had block 1; ACK 2 moves on to 3');
});

test('the timeout adapts to the round-trip time (RFC 6298) and ignores retransmitted samples (Karn)', () => {
  const fast = new ReadTransfer(plan({ size: 512 * 40 }));
  let now = 0;
  fast.start(now);
  for (let b = 1; b <= 20; b++) fast.ack(b, (now += 0.2));
  assert.equal(fast.stats.rtoMs, DEFAULT_RETRANSMIT.minRtoMs, 'a sub-millisecond LAN: the floor');
  const slow = new ReadTransfer(plan({ size: 512 * 40 }));
  now = 0;
  slow.start(now);
  for (let b = 1; b <= 20; b++) slow.ack(b, (now += 50));
  assert.ok(slow.stats.srttMs! > 45 && slow.stats.rtoMs >= 50 && slow.stats.rtoMs < 200, `srtt ${slow.stats.srttMs}, rto ${slow.stats.rtoMs}`);
  const karn = new ReadTransfer(plan({ size: 512 * 40 }));
  karn.start(0);
  karn.tick(DEFAULT_RETRANSMIT.initialRtoMs);
  karn.ack(1, 1500);
  assert.equal(karn.stats.srttMs, undefined, 'an ACK after a retransmission is no sample');
});

test('the client timeout option caps our retransmission timeout', () => {
  const t = new ReadTransfer(plan({ timeoutSeconds: 1 }), { ...DEFAULT_RETRANSMIT, initialRtoMs: 5000, maxRtoMs: 8000 });
  t.start(0);
  assert.equal(t.nextDeadline, 1000);
});

/**
 * A simulated client on a link that loses `loss` of the packets each way, with
 * atftp's habits: it ACKs at the end of each window, ACKs a duplicate once,
 * repeats its last ACK after 5 s without news, and dallies after the last
 * block (RFC 1350). Virtual time, 0.2 ms each way.
 */
function simulate(opts: { size: number; blockSize: number; windowSize: number; loss: number; seed: number; stallChance?: number }): { ms: number; received: number; stats: TransferStats } {
  const rnd = random(opts.seed);
  const t = new ReadTransfer(plan({ size: opts.size, blockSize: opts.blockSize, windowSize: opts.windowSize }));
  type Msg = { at: number; to: 'client' | 'server'; action?: TransferAction; ack?: number };
  const queue: Msg[] = [];
  let now = 0;
  // A loaded host: now and then a packet waits 20 to 60 ms (a process not
  // scheduled), and everything after it in the same direction waits too.
  const lastAt = { client: 0, server: 0 };
  const deliverAt = (to: 'client' | 'server') => {
    let at = now + 0.2;
    if (opts.stallChance && rnd() < opts.stallChance) at += 20 + 40 * rnd();
    lastAt[to] = Math.max(at, lastAt[to]);
    return lastAt[to];
  };
  const toClient = (actions: TransferAction[]) => {
    for (const action of actions) if (rnd() >= opts.loss) queue.push({ at: deliverAt('client'), to: 'client', action });
  };
  const toServer = (ack: number) => {
    if (rnd() >= opts.loss) queue.push({ at: deliverAt('server'), to: 'server', ack });
  };
  let expected = 1;
  let inWindow = 0;
  let received = 0;
  let extraAcked = -1;
  let lastNews = 0;
  let clientDone = false;
  const wire = (n: number) => n % 65536;
  toClient(t.start(0));
  while (t.state === 'running' && now < 600_000) {
    if (queue.length === 0 && t.nextDeadline === Infinity) break;
    queue.sort((a, b) => a.at - b.at);
    const next = queue[0];
    const tickAt = Math.max(now, Math.min(t.nextDeadline, clientDone ? Infinity : lastNews + 5000));
    if (next && next.at <= tickAt) {
      queue.shift();
      now = next.at;
      if (next.to === 'server') toClient(t.ack(next.ack!, now));
      else if (next.action?.kind === 'data' && clientDone) {
        // RFC 1350's dally: the final DATA again means our final ACK was lost.
        toServer(wire(expected - 1));
      } else if (next.action?.kind === 'data') {
        lastNews = now;
        if (next.action.block === wire(expected)) {
          received += next.action.length;
          expected++;
          inWindow++;
          const last = next.action.length < opts.blockSize;
          if (inWindow === opts.windowSize || last) {
            inWindow = 0;
            toServer(wire(expected - 1));
            if (last) clientDone = true;
          }
        } else if (extraAcked !== expected - 1) {
          extraAcked = expected - 1;
          inWindow = 0;
          toServer(wire(expected - 1));
        }
      }
    } else {
      now = tickAt;
      if (now >= lastNews + 5000 && !clientDone) {
        lastNews = now;
        extraAcked = -1;
        toServer(wire(expected - 1));
      }
      toClient(t.tick(now));
    }
  }
  assert.equal(t.state, 'done', `transfer ${t.state} at ${now} ms: ${t.failureReason}`);
  return { ms: now, received, stats: t.stats };
}

test('10% loss both ways: an 8 MiB file arrives whole, in seconds of virtual time', (t) => {
  for (const [blockSize, windowSize] of [[512, 1], [1468, 1], [1468, 16]] as const) {
    const size = 8 * 1024 * 1024;
    const r = simulate({ size, blockSize, windowSize, loss: 0.1, seed: blockSize + windowSize });
    assert.equal(r.received, size);
    t.diagnostic(`blksize ${blockSize} windowsize ${windowSize}: ${(r.ms / 1000).toFixed(1)} s of virtual time`);
    assert.ok(r.ms < 30_000, `blksize ${blockSize} windowsize ${windowSize}: ${Math.round(r.ms)} ms of virtual time`);
    // Loss on a steady link is no reason to slow down: the floor is for jitter.
    assert.equal(r.stats.spuriousTimeouts, 0, `blksize ${blockSize} windowsize ${windowSize}: a lost packet taken for a spurious timeout`);
  }
});

test('10% loss both ways on a loaded host (stalls of 20-60 ms): spurious timeouts do not hold back loss recovery', (t) => {
  for (const [blockSize, windowSize] of [[1468, 1], [1468, 16]] as const) {
    const size = 8 * 1024 * 1024;
    const r = simulate({ size, blockSize, windowSize, loss: 0.1, seed: 11 + windowSize, stallChance: 0.01 });
    assert.equal(r.received, size);
    t.diagnostic(`blksize ${blockSize} windowsize ${windowSize}: ${(r.ms / 1000).toFixed(1)} s of virtual time, ${r.stats.spuriousTimeouts} spurious timeouts, highest floor ${r.stats.rtoFloorMs.toFixed(1)} ms`);
    assert.ok(r.ms < 15_000, `blksize ${blockSize} windowsize ${windowSize}: ${Math.round(r.ms)} ms of virtual time`);
  }
});

/**
 * A client like iPXE in a TCG guest on a loaded host: it answers every DATA
 * (duplicates too) with its highest block in order, usually 0.3 ms after,
 * but now and then its CPU stalls for 20 to 60 ms, delaying that answer and
 * every one queued behind it. No packet is lost, so every resend is spurious.
 */
function jitteryClient(opts: { size: number; blockSize: number; stallChance: number; seed: number }) {
  const rnd = random(opts.seed);
  const t = new ReadTransfer(plan({ size: opts.size, blockSize: opts.blockSize, oack: [['blksize', String(opts.blockSize)]] }));
  const acks: { at: number; block: number }[] = [];
  let now = 0;
  let busyUntil = 0;
  let have = 0;
  let received = 0;
  let stalls = 0;
  let answeredDuplicates = 0;
  let highestAck = -1;
  const toClient = (actions: TransferAction[]) => {
    for (const action of actions) {
      // The guest handles packets one at a time, in order.
      let at = Math.max(now + 0.1, busyUntil) + 0.1;
      if (rnd() < opts.stallChance) {
        at += 20 + 40 * rnd();
        stalls++;
      }
      busyUntil = at;
      if (action.kind === 'data' && action.block === have + 1) {
        have++;
        received += action.length;
      }
      acks.push({ at: at + 0.1, block: have });
    }
  };
  toClient(t.start(0));
  while (t.state === 'running' && now < 600_000) {
    acks.sort((a, b) => a.at - b.at);
    const next = acks[0];
    if (next && next.at <= t.nextDeadline) {
      acks.shift();
      now = next.at;
      const actions = t.ack(next.block, now);
      if (next.block <= highestAck && actions.length > 0) answeredDuplicates++;
      highestAck = Math.max(highestAck, next.block);
      toClient(actions);
    } else {
      now = t.nextDeadline;
      toClient(t.tick(now));
    }
  }
  return { t, received, stalls, answeredDuplicates, ms: now };
}

test('a slow, jittery client (TCG guest): no duplicate ACK is answered, and a spurious resend raises a floor under the timeout', (t) => {
  const size = 8 * 1024 * 1024;
  const r = jitteryClient({ size, blockSize: 1432, stallChance: 0.03, seed: 7 });
  const s = r.t.stats;
  t.diagnostic(`${(r.ms / 1000).toFixed(1)} s, ${r.stalls} stalls, ${s.retransmittedPackets} packets resent, ${s.spuriousTimeouts} spurious timeouts, floor ${s.rtoFloorMs.toFixed(1)} ms, ${s.duplicateAcks} duplicate ACKs`);
  assert.equal(r.t.state, 'done');
  assert.equal(r.received, size);
  assert.equal(r.answeredDuplicates, 0, 'a duplicate ACK never draws a resend');
  assert.ok(r.stalls > 30, `the client stalled ${r.stalls} times`);
  assert.ok(s.spuriousTimeouts >= 1 && s.rtoFloorMs >= 40, `spurious ${s.spuriousTimeouts}, floor ${s.rtoFloorMs} ms`);
  assert.ok(s.rtoFloorMs <= DEFAULT_RETRANSMIT.maxFloorMs, `the floor (${s.rtoFloorMs} ms) stays under its cap`);
  // Without the floor, each stall drew about ten resends and as many duplicate ACKs.
  assert.ok(s.retransmittedPackets <= r.stalls / 10, `${s.retransmittedPackets} packets resent to a client that lost none (${r.stalls} stalls)`);
});
