/**
 * Requests and notifications between the VS Code client and the language
 * server beyond LSP itself, declared once and imported by both sides.
 */
import { RequestType } from 'vscode-jsonrpc';
import type { EffectiveSettings } from './lang/conf/effective';
import type { StageGraphView } from './lang/dockerfile/stageGraphView';

/** Client → server: the merged settings one client gets from an lts.conf or ltsp.conf. */
export namespace EffectiveSettingsRequest {
  export const method = 'netbootFarm/effectiveSettings';
  export interface Params {
    readonly uri: string;
    /** A MAC, IP and/or hostname, separated by spaces or commas. */
    readonly client: string;
  }
  export const type = new RequestType<Params, EffectiveSettings | null, void>(method);
}

/** Client → server: a Dockerfile's stage graph, for the "Show stage graph" panel. */
export namespace StageGraphRequest {
  export const method = 'netbootFarm/stageGraph';
  export interface Params {
    readonly uri: string;
  }
  export const type = new RequestType<Params, StageGraphView | null, void>(method);
}

/** The settings section the server reads (`netbootFarm.*`). */
export const SETTINGS_SECTION = 'netbootFarm';

export interface ServerSettings {
  readonly diagnostics?: { readonly severity?: Record<string, 'error' | 'warning' | 'information' | 'hint' | 'off'> };
}
