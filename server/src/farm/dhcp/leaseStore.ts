import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { LeaseState } from '../../lang/dhcpd/leaseTypes';

/**
 * The farm's leases, kept in a JSON file so that a restarted farm hands every
 * node the address it had (the boot timeline and lts.conf `[IP]` sections stay
 * right). The file is replaced atomically (write, fsync, rename): a crash
 * leaves either the old file or the new one, never half of one.
 */

export type LeaseBinding = 'offered' | 'bound' | 'released' | 'declined';

export interface StoredLease {
  readonly mac: string;
  readonly address: string;
  readonly binding: LeaseBinding;
  /** Milliseconds since the epoch after which the address is free again. */
  readonly expires: number;
}

interface LeaseFile {
  readonly version: 1;
  readonly leases: readonly StoredLease[];
}

/** How long an OFFER holds its address for the client that was offered it (dhcpd waits about as long). */
export const OFFER_HOLD_MS = 120_000;

export class LeaseStore implements LeaseState {
  /** One lease per address. */
  private readonly byAddress = new Map<string, StoredLease>();

  /**
   * `file` undefined keeps leases in memory only (`dhcp explain`, tests).
   * A missing file starts empty; an unreadable one is reported, not ignored,
   * since silently starting over would hand out addresses twice.
   */
  constructor(
    private readonly file: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    if (file === undefined) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const lease of parseLeaseFile(text, file)) this.byAddress.set(lease.address, lease);
  }

  /** A lease this store can hand back: not expired, or released/expired but remembered for the MAC. */
  private live(lease: StoredLease | undefined): lease is StoredLease {
    return lease !== undefined && lease.binding !== 'released' && lease.expires > this.now();
  }

  isTaken(address: string, mac: string): boolean {
    const lease = this.byAddress.get(address);
    if (!this.live(lease)) return false;
    return lease.binding === 'declined' || lease.mac !== normalizeMac(mac);
  }

  previousAddress(mac: string): string | undefined {
    const wanted = normalizeMac(mac);
    let best: StoredLease | undefined;
    for (const lease of this.byAddress.values()) {
      if (lease.mac === wanted && lease.binding !== 'declined' && (!best || lease.expires > best.expires)) best = lease;
    }
    return best?.address;
  }

  leaseOf(address: string): StoredLease | undefined {
    return this.byAddress.get(address);
  }

  all(): readonly StoredLease[] {
    return [...this.byAddress.values()];
  }

  /** Records a binding; the MAC's other leases are dropped, as a client holds one address per network. */
  record(mac: string, address: string, binding: LeaseBinding, seconds: number): StoredLease {
    const owner = normalizeMac(mac);
    if (binding !== 'declined') {
      for (const [key, lease] of this.byAddress) if (lease.mac === owner && key !== address) this.byAddress.delete(key);
    }
    // 0xffffffff is dhcpd's "infinite"; keep it finite enough for JSON and Date.
    const ms = seconds >= 0xffffffff ? 100 * 365 * 86400_000 : seconds * 1000;
    const lease: StoredLease = { mac: owner, address, binding, expires: this.now() + ms };
    this.byAddress.set(address, lease);
    this.save();
    return lease;
  }

  /** RELEASE: the address goes back to the pool but is remembered for this MAC. */
  release(mac: string, address: string): boolean {
    const lease = this.byAddress.get(address);
    if (!lease || lease.mac !== normalizeMac(mac)) return false;
    this.byAddress.set(address, { ...lease, binding: 'released', expires: this.now() });
    this.save();
    return true;
  }

  private save(): void {
    if (this.file === undefined) return;
    const body: LeaseFile = { version: 1, leases: this.all() };
    writeFileAtomically(this.file, JSON.stringify(body, null, 1) + '\n');
  }
}

export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().replace(/-/g, ':');
}

function writeFileAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

const BINDINGS: readonly string[] = ['offered', 'bound', 'released', 'declined'];

/** Reads a lease file; throws an Error naming the file and what is wrong with it. */
export function parseLeaseFile(text: string, file: string): StoredLease[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: the lease file is not JSON (${(error as Error).message}); move it away to start with no leases`);
  }
  const leases = (data as Partial<LeaseFile> | null)?.leases;
  if ((data as Partial<LeaseFile> | null)?.version !== 1 || !Array.isArray(leases)) {
    throw new Error(`${file}: not a netboot-farm lease file (expected {"version": 1, "leases": [...]}); move it away to start with no leases`);
  }
  return leases.map((lease: Partial<StoredLease>, i) => {
    if (typeof lease?.mac !== 'string' || typeof lease.address !== 'string' || typeof lease.expires !== 'number' || !BINDINGS.includes(lease.binding as string)) {
      throw new Error(`${file}: lease ${i + 1} is malformed (needs mac, address, binding and expires); fix or delete it`);
    }
    return { mac: normalizeMac(lease.mac), address: lease.address, binding: lease.binding as LeaseBinding, expires: lease.expires };
  });
}
