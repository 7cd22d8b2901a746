/**
 * Bytes received but not yet parsed. Messages are taken whole once enough
 * has arrived; a message that lies inside one received chunk is returned as a
 * view of it, without copying.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Removes and returns the next `n` bytes; the caller checks `length` first. */
  take(n: number): Buffer {
    if (n > this.total) throw new RangeError(`take(${n}) with ${this.total} bytes queued`);
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(n - filled, chunk.length - this.head);
      chunk.copy(out, filled, this.head, this.head + part);
      filled += part;
      this.advance(part);
    }
    return out;
  }

  /** Drops up to `n` bytes; returns how many were dropped. */
  skip(n: number): number {
    let skipped = 0;
    while (skipped < n && this.total > 0) {
      const chunk = this.chunks[0]!;
      const part = Math.min(n - skipped, chunk.length - this.head);
      this.advance(part);
      skipped += part;
    }
    return skipped;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.total = 0;
  }

  private advance(n: number): void {
    this.head += n;
    this.total -= n;
    if (this.head === this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
