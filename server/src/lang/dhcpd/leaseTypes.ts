/**
 * The contract between the dhcpd.conf evaluator (pure, in lang/) and its users:
 * the farm's DHCP server, the `netboot-farm dhcp explain` command and the
 * editor. The evaluator answers "what would ISC dhcpd hand this client", each
 * value with the config line that produced it, so that a boot timeline can
 * point back at the line responsible.
 */

/** Where in the config a decision came from (0-based line, as LSP ranges are). */
export interface ConfigOrigin {
  readonly line: number;
  /** The file, when the value came from an `include`d snippet; absent for the main text. */
  readonly file?: string;
}

/** What the client asked, as the server sees it. */
export interface LeaseRequest {
  /** Client hardware address, `aa:bb:cc:dd:ee:ff`, any case. */
  readonly mac: string;
  /** Option 93, client system architecture: 0 BIOS, 7/9 EFI x64, ... */
  readonly arch?: number;
  /** Option 77 as text (`iPXE`). */
  readonly userClass?: string;
  /** Option 60 as text (`PXEClient:Arch:00000:UNDI:002001`). */
  readonly vendorClass?: string;
  /** Option 12. */
  readonly hostname?: string;
  /** Option 50, or ciaddr on a renewal. */
  readonly requestedAddress?: string;
  /** The address of the interface the request arrived on: picks the subnet. */
  readonly interfaceAddress: string;
  /** Option 55, the codes the client asked for (informational: dhcpd sends what it has). */
  readonly parameterRequestList?: readonly number[];
  /** Other raw options the client sent, by code, for `option foo` in expressions. */
  readonly rawOptions?: ReadonlyMap<number, Uint8Array>;
  /** Option 51: the lease time the client asked for, in seconds. */
  readonly requestedLeaseTime?: number;
  /** BOOTP htype (1 = Ethernet, the default), the first byte of `hardware` in expressions. */
  readonly hardwareType?: number;
  /** The whole request datagram, for `packet(offset, length)` in expressions. */
  readonly packet?: Uint8Array;
}

/** One option the answer carries, ready to put on the wire. */
export interface LeaseOption {
  readonly name: string;
  readonly code: number;
  /** The option's data type as the catalog spells it (`ip-address`, `text`, `array of ip-address`...). */
  readonly type: string;
  /** The value as written in the config (for display). */
  readonly text: string;
  /** The encoded option payload, without code and length bytes. */
  readonly data: Uint8Array;
  readonly origin: ConfigOrigin;
}

/** A scalar parameter of the answer (`next-server`, `filename`, lease times...). */
export interface LeaseValue<T> {
  readonly value: T;
  readonly origin: ConfigOrigin;
}

export interface LeaseOffer {
  readonly kind: 'offer';
  readonly address: LeaseValue<string>;
  readonly subnet: { readonly address: string; readonly netmask: string; readonly origin: ConfigOrigin };
  readonly sharedNetwork?: { readonly name: string; readonly origin: ConfigOrigin };
  readonly pool?: { readonly origin: ConfigOrigin };
  readonly host?: { readonly name: string; readonly origin: ConfigOrigin };
  /** Classes the client matched, in match order. */
  readonly classes: readonly { readonly name: string; readonly origin: ConfigOrigin }[];
  /** `if`/`elsif`/`else` branches taken, outermost first. */
  readonly branches: readonly { readonly condition: string; readonly origin: ConfigOrigin }[];
  readonly nextServer?: LeaseValue<string>;
  readonly filename?: LeaseValue<string>;
  readonly serverName?: LeaseValue<string>;
  /** Seconds; dhcpd's defaults (43200 / 86400) when the config sets none, with origin line -1. */
  readonly defaultLeaseTime: LeaseValue<number>;
  readonly maxLeaseTime: LeaseValue<number>;
  /** What dhcpd puts in option 51: the client's request or default-lease-time, capped by max- and raised to min-lease-time. */
  readonly leaseTime: LeaseValue<number>;
  /** True for a host's `fixed-address`, false for an address from a range. */
  readonly isStatic: boolean;
  /** `authoritative;` in scope: a REQUEST for a wrong address gets a NAK instead of silence. */
  readonly authoritative: boolean;
  /** `server-identifier` when the config sets one (otherwise the interface address is used). */
  readonly serverIdentifier?: LeaseValue<string>;
  /** Every option the config gives this client, by code; what goes on the wire also depends on the client's list (see optionsToSend). */
  readonly options: readonly LeaseOption[];
  /** What the evaluator could not do as dhcpd would (a DNS name it cannot resolve, an `include` it cannot read...). */
  readonly notes: readonly string[];
}

export interface LeaseRefusal {
  readonly kind: 'none';
  /** Why dhcpd would stay silent, worded for a user: "no subnet declaration for 10.0.0.1 ...". */
  readonly reason: string;
  readonly origin?: ConfigOrigin;
}

export type LeaseDecision = LeaseOffer | LeaseRefusal;

/** What the evaluator needs to know about addresses already handed out. */
export interface LeaseState {
  /** True when `address` is leased to a client other than `mac`. */
  isTaken(address: string, mac: string): boolean;
  /** The address this MAC held before, if any: dhcpd gives it back when it can. */
  previousAddress(mac: string): string | undefined;
}
