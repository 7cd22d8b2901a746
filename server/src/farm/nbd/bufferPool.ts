/**
 * Reply buffers, reused once the kernel has taken their bytes. A busy client
 * asks for the same sizes over and over (nbdcopy 256 KiB, the kernel up to
 * its max_sectors), and a fresh large buffer each time is a fresh mmap whose
 * pages fault in one by one: reusing them halved the server's CPU time per
 * byte in bench/nbd.mjs. Payload sizes are rounded up to powers of two (plus
 * a fixed headroom for the reply header) so that odd lengths share buffers;
 * what waits here is capped.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private held = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly largest: number,
    /** Bytes in front of every payload (the reply header). */
    private readonly headroom: number,
  ) {}

  private classOf(size: number): number {
    const payload = Math.max(4096, size - this.headroom);
    return 2 ** Math.ceil(Math.log2(payload)) + this.headroom;
  }

  /** Bytes waiting in the pool. */
  get bytes(): number {
    return this.held;
  }

  /** A buffer of at least `size` bytes (uninitialised): use `subarray(0, size)`, give back the whole one. */
  take(size: number): Buffer {
    const capacity = this.classOf(size);
    if (capacity > this.largest) return Buffer.allocUnsafeSlow(size);
    const buf = this.free.get(capacity)?.pop();
    if (buf) {
      this.held -= capacity;
      return buf;
    }
    return Buffer.allocUnsafeSlow(capacity);
  }

  give(buf: Buffer): void {
    const capacity = buf.length;
    if (capacity > this.largest || this.classOf(capacity) !== capacity) return;
    if (this.held + capacity > this.maxBytes) return;
    let list = this.free.get(capacity);
    if (!list) this.free.set(capacity, (list = []));
    list.push(buf);
    this.held += capacity;
  }
}
