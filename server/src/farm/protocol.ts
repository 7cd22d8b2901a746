/**
 * The farm process's JSON-RPC protocol (vscode-jsonrpc over its stdin/stdout).
 * Declared once here and imported by every side: the farm process
 * (farm/main.ts), its launcher (farm/launch.ts, used by the CLI and the VS Code
 * client) and the tests.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { FarmEvent } from './events';

/**
 * How the VMs reach the servers.
 * - `isolated`: a private LAN (bridge `nbf0` and one tap per VM) in the farm's
 *   own network namespace, addressed from the user's dhcpd.conf subnet; our
 *   DHCP server answers the VMs.
 * - `user`: QEMU user-mode networking (QEMU's own DHCP); the servers listen on
 *   127.0.0.1 on free ports. The fallback where namespaces or taps are refused.
 */
export type NetworkMode = 'isolated' | 'user';

import type { NbdExportConfig } from './nbd/exports';
export type { NbdExportConfig };

/**
 * What `farm/start` is asked to serve. Only `folder` is required: every path
 * left out is looked up in the folder (see farm.ts, `resolveFarmConfig`).
 */
export interface FarmConfig {
  /** The workspace folder holding the farm's configs; relative paths are resolved against it. */
  readonly folder: string;
  /** A built image folder (its manifest.json names the TFTP tree, the squashfs and the lts.conf path); default `FOLDER/.netboot`. */
  readonly image?: string;
  readonly dhcpdConf?: string;
  readonly ltsConf?: string;
  readonly tftpRoot?: string;
  readonly httpRoot?: string;
  readonly nbdExports?: readonly NbdExportConfig[];
  /** Where DHCP leases are kept between runs. */
  readonly leaseFile?: string;
  /** `auto` (the default) takes `isolated` where the farm may build it and `user` otherwise. */
  readonly network?: NetworkMode | 'auto';
}

/** The private network as it was brought up. */
export interface NetworkStatus {
  readonly mode: NetworkMode;
  /** Why the farm is in `user` mode, in words for people (absent in `isolated` mode). */
  readonly reason?: string;
  /** True when the farm runs in namespaces of its own (its network and processes go when it goes). */
  readonly namespaced: boolean;
  /** `isolated`: the bridge the taps join. */
  readonly bridge?: string;
  /** The address the servers listen on: the bridge's address, or 127.0.0.1. */
  readonly serverAddress: string;
  /** `isolated`: the subnet taken from dhcpd.conf, e.g. `192.168.67.0/24`. */
  readonly subnet?: string;
  /** `isolated`: the bridge's IPv6 ULA, advertised to the VMs by router advertisements. */
  readonly ipv6Address?: string;
  /** `isolated`: the running router advertiser (`radvd`), or why there is none. */
  readonly routerAdvertisements?: { readonly running: boolean; readonly detail: string };
  /** The dhcpd.conf line the subnet (and so the server address) came from. */
  readonly origin?: { readonly file: string; readonly line: number };
}

export type FarmServerName = 'dhcp' | 'tftp' | 'nbd' | 'http';

export interface ServerStatus {
  readonly name: FarmServerName;
  readonly address: string;
  readonly port: number;
  /** Protocol for display and URLs (`udp`, `tcp`). */
  readonly transport: 'udp' | 'tcp';
}

export type FarmState = 'idle' | 'starting' | 'running' | 'stopping';

export interface FarmStatus {
  readonly state: FarmState;
  readonly network?: NetworkStatus;
  readonly servers: readonly ServerStatus[];
  /** Servers the farm does not run, each with the reason (not built yet, not needed in user mode, no config...). */
  readonly missing: readonly { readonly name: FarmServerName; readonly reason: string }[];
  /** Taps created for VMs and not yet removed. */
  readonly taps: readonly string[];
}

/** Client -> farm: bring up the network and the servers. Answers the status once running; fails with a message naming the bad file/line. */
export namespace FarmStartRequest {
  export const method = 'farm/start';
  export const type = new RequestType<FarmConfig, FarmStatus, void>(method);
}

/** Client -> farm: stop every server, VM and helper and take the network down. The farm process exits afterwards. */
export namespace FarmStopRequest {
  export const method = 'farm/stop';
  export const type = new RequestType0<FarmStatus, void>(method);
}

/** Client -> farm: the current status. */
export namespace FarmStatusRequest {
  export const method = 'farm/status';
  export const type = new RequestType0<FarmStatus, void>(method);
}

/** Client -> farm: a tap on the private bridge for one VM (`isolated` mode only). */
export namespace FarmAddTapRequest {
  export const method = 'farm/addTap';
  export const type = new RequestType<{ readonly node?: string }, { readonly tap: string }, void>(method);
}

/** Client -> farm: remove a tap made by `farm/addTap`. */
export namespace FarmRemoveTapRequest {
  export const method = 'farm/removeTap';
  export const type = new RequestType<{ readonly tap: string }, void, void>(method);
}

/** Farm -> client: everything that happens (FarmEvent). In `user` mode every event's data carries `network: 'user'`. */
export namespace FarmEventNotification {
  export const method = 'farm/event';
  export const type = new NotificationType<FarmEvent>(method);
}
