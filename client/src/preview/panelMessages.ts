/**
 * The messages between the preview panel (previewPanel.ts, in the extension
 * host) and its page (webview/main.ts, in the browser). Types only: both
 * bundles import them.
 */
import type { PreviewOutput } from '../../../server/src/farm/previewProtocol';
import type { BootOptions, PreviewRequest } from './previewSession';

export type SessionPhase = 'starting' | 'running' | 'ended';

/** What the page shows about the session as a whole. */
export interface SessionInfo {
  readonly phase: SessionPhase;
  readonly folder: string;
  readonly options: BootOptions;
  /** Why it ended, or a warning worth a line at the top. */
  readonly note?: string;
  readonly ok?: boolean;
}

export type ToPage =
  /** Outputs of the session in arrival order, batched so that a chatty console costs one message per tick. */
  | { readonly type: 'outputs'; readonly outputs: readonly PreviewOutput[] }
  /** A new session clears the page; later ones update its header. */
  | { readonly type: 'session'; readonly session: SessionInfo }
  /** Test read-out: the page answers with a `report` of what it has rendered. */
  | { readonly type: 'report-request'; readonly id: number }
  /** Test driver: the page clicks its own element matching `selector` and answers `clicked`. */
  | { readonly type: 'click'; readonly id: number; readonly selector: string };

export type FromPage =
  | { readonly type: 'ready' }
  | { readonly type: 'command'; readonly request: PreviewRequest }
  | { readonly type: 'boot'; readonly options: BootOptions }
  | { readonly type: 'stop' }
  | { readonly type: 'reveal'; readonly file: string; readonly line: number }
  | { readonly type: 'report'; readonly id: number; readonly report: PanelReport }
  | { readonly type: 'clicked'; readonly id: number; readonly found: boolean; readonly text?: string };

/** What the page has on screen, read back from its DOM and terminals (not from what it was sent). */
export interface PanelReport {
  /** One per VM tab, in order. */
  readonly tabs: readonly string[];
  /** The state badge each VM tab shows. */
  readonly nodeStates: Readonly<Record<string, string>>;
  /** Timeline rows in the DOM, by layer, how many of them link to a config line, and the text of the last few. */
  readonly timeline: { readonly total: number; readonly byLayer: Readonly<Record<string, number>>; readonly links: number; readonly last: readonly string[] };
  /** Each VM's terminal buffer as text. */
  readonly consoles: Readonly<Record<string, string>>;
  /** Screenshots each VM's screen view has shown. */
  readonly screens: Readonly<Record<string, number>>;
  /** The session line at the top of the page. */
  readonly header: string;
  /** Content-Security-Policy violations the page saw: any is a bug. */
  readonly cspViolations: readonly string[];
}
