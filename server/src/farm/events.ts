/**
 * Everything that happens in a farm is one of these events: the boot timeline
 * in the panel, the CLI's `boot` output and the tests all read the same stream.
 * `origin` points at the config line that made the decision, when one did.
 */
export type FarmLayer = 'farm' | 'net' | 'dhcp' | 'tftp' | 'http' | 'nbd' | 'vm' | 'console' | 'build';

export interface FarmEvent {
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  readonly layer: FarmLayer;
  /** A short machine-readable kind: `lease`, `transfer-start`, `transfer-done`, `error`, `milestone`... */
  readonly kind: string;
  /** One line for people. */
  readonly message: string;
  /** The VM (by name) or client (by MAC or address) the event concerns. */
  readonly node?: string;
  readonly origin?: { readonly file: string; readonly line: number };
  readonly level?: 'info' | 'warning' | 'error';
  /** Layer-specific details (file name, bytes, options, export name...). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export type FarmEventSink = (event: FarmEvent) => void;
