/**
 * The contract between `netboot-farm preview` (a long-lived boot session) and
 * whoever drives it: the VS Code panel, or a test. The session speaks JSON
 * lines: one `PreviewOutput` object per line on its stdout, one
 * `PreviewCommand` object per line on its stdin. Unlike `boot`, which stops
 * the VMs once they match `--expect`, a preview keeps them running until it
 * is told to stop, its stdin closes, or it gets SIGTERM/SIGINT; every way out
 * removes every VM, tap, namespace and file it made.
 *
 * Kept free of Node and VS Code imports so the webview side can share the
 * types.
 */
import type { FarmEvent } from './events';
import type { FarmStatus } from './protocol';
import type { BootStep } from './qemu/consoleMilestones';
import type { Firmware } from './qemu/qemuArgs';

export type PreviewNodeState = 'starting' | 'running' | 'stopped';

export interface PreviewNode {
  readonly name: string;
  readonly mac: string;
  readonly firmware: Firmware;
  readonly state: PreviewNodeState;
  /** Boot steps seen on this node's console since its last (re)start, in order. */
  readonly reached: readonly BootStep[];
  /** The VM's VNC server (a unix socket path), while the node runs. */
  readonly vnc?: string;
  /** Where this node's settings come from: its lts.conf section, when it has one. */
  readonly origin?: { readonly file: string; readonly line: number };
}

/** What the session prints, one per line on stdout. */
export type PreviewOutput =
  /** Every farm event (DHCP, TFTP, NBD, HTTP, console lines and milestones, VM lifecycle), as it happens. */
  | { readonly type: 'event'; readonly event: FarmEvent }
  /** After start-up and after every change to the set of nodes or their state. */
  | { readonly type: 'status'; readonly status: FarmStatus; readonly image: string; readonly nodes: readonly PreviewNode[] }
  /** The answer to a `screenshot` command: a PNG, base64-encoded. */
  | { readonly type: 'screenshot'; readonly node: string; readonly png: string }
  /** The answer to every command, by its id. */
  | { readonly type: 'reply'; readonly id: number; readonly ok: boolean; readonly error?: string }
  /** The last line the session prints; `ok` is false when it ended on an error (named in `reason`). */
  | { readonly type: 'ended'; readonly ok: boolean; readonly reason: string };

/** What the session reads, one per line on stdin. Unknown or malformed lines get a `reply` with `ok: false` (or are logged when they carry no id). */
export type PreviewCommand =
  | { readonly id: number; readonly command: 'reset'; readonly node: string }
  | { readonly id: number; readonly command: 'power-off'; readonly node: string }
  /** Boot a powered-off node again. */
  | { readonly id: number; readonly command: 'power-on'; readonly node: string }
  /** One more VM: the next lts.conf/dhcpd.conf node without a VM, or one with a generated MAC. */
  | { readonly id: number; readonly command: 'add-node'; readonly firmware?: Firmware }
  | { readonly id: number; readonly command: 'screenshot'; readonly node: string }
  /** Power everything off and end the session (`ended` follows the reply). */
  | { readonly id: number; readonly command: 'stop' };

export type PreviewCommandName = PreviewCommand['command'];
