import type { RuleCatalog } from '../../server/src/lang/core/diagnostics';
import { dhcpdRules } from '../../server/src/lang/dhcpd/dhcpdRules';
import { dockerfileRules } from '../../server/src/lang/dockerfile/dockerfileRules';
import { kubernetesRules } from '../../server/src/lang/kubernetes/kubernetesRules';
import { ltsConfRules } from '../../server/src/lang/ltsconf/ltsConfRules';
import { ltspConfRules } from '../../server/src/lang/ltspconf/ltspConfRules';
import { SETTINGS_SECTION } from '../../server/src/protocol';

/**
 * Every `netbootFarm.*` setting, once. package.json's
 * `contributes.configuration` is generated from this module
 * (`node --import tsx scripts/sync-settings.ts`) and a test fails when the
 * two differ, so the settings UI, the client and the server cannot drift.
 */

/** Every diagnostic catalog; a test checks that no `*Rules.ts` under server/src/lang is missing. */
export const DIAGNOSTIC_CATALOGS: Readonly<Record<string, RuleCatalog<string>>> = {
  'lts.conf': ltsConfRules,
  'ltsp.conf': ltspConfRules,
  'dhcpd.conf': dhcpdRules,
  Dockerfile: dockerfileRules,
  Kubernetes: kubernetesRules,
};

export const NETWORK_MODES = ['auto', 'isolated', 'user'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];
export const BUILDERS = ['auto', 'docker', 'podman', 'buildah', 'native'] as const;
export type BuilderChoice = (typeof BUILDERS)[number];

interface SettingSchema {
  readonly type: 'string' | 'object' | 'boolean' | 'number';
  readonly default: unknown;
  readonly markdownDescription: string;
  readonly scope: 'machine' | 'machine-overridable' | 'window' | 'resource';
  readonly enum?: readonly string[];
  readonly enumDescriptions?: readonly string[];
  readonly propertyNames?: unknown;
  readonly additionalProperties?: unknown;
}

const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];

/** Every diagnostic code, so that a mistyped code in settings.json is flagged. */
export function diagnosticCodes(): string[] {
  return Object.values(DIAGNOSTIC_CATALOGS).flatMap((catalog) => Object.keys(catalog));
}

/** Setting keys below `netbootFarm.`, with their schema. Machine-scoped paths: a workspace may not pick the executables a build runs. */
export const SETTINGS = {
  'diagnostics.severity': {
    type: 'object',
    default: {},
    scope: 'resource',
    markdownDescription: 'Severity per diagnostic code, or `off`, e.g. `{ "LTS010": "off", "LTSP016": "error" }`. Every problem shows its code.',
    propertyNames: { enum: diagnosticCodes() },
    additionalProperties: { type: 'string', enum: SEVERITIES },
  },
  'build.builder': {
    type: 'string',
    default: 'auto',
    scope: 'machine-overridable',
    enum: BUILDERS,
    enumDescriptions: ['The first that works: docker (BuildKit), then podman, then buildah, then native.', 'Docker with BuildKit.', 'Podman.', 'Buildah.', 'No container tool: debootstrap, chroot and mksquashfs as LTSP does (root only; the Dockerfile subset documented in nativePlan.ts).'],
    markdownDescription: 'The container builder that builds the netboot image from the Dockerfile.',
  },
  'build.builderPath': {
    type: 'string',
    default: '',
    scope: 'machine',
    markdownDescription: 'Path to the builder executable. Empty: found on `PATH`.',
  },
  'build.stateDir': {
    type: 'string',
    default: '',
    scope: 'machine',
    markdownDescription: "Folder for the builder's container state (layers, images). Empty: a folder under the user's cache. It must not be inside the workspace.",
  },
  'preview.qemuPath': {
    type: 'string',
    default: '',
    scope: 'machine',
    markdownDescription: 'Path to `qemu-system-x86_64` for the boot preview. Empty: found on `PATH`.',
  },
  'preview.networkMode': {
    type: 'string',
    default: 'auto',
    scope: 'machine-overridable',
    enum: NETWORK_MODES,
    enumDescriptions: [
      'An isolated network when this machine allows one, else QEMU user-mode networking.',
      "A private network namespace with a bridge: the farm's own DHCP, TFTP and NBD servers, never on a host interface.",
      "QEMU user-mode networking: QEMU's DHCP, fed the values your dhcpd.conf gives; works without namespaces.",
    ],
    markdownDescription: 'How the preview VMs reach the farm.',
  },
  cacheDir: {
    type: 'string',
    default: '',
    scope: 'machine',
    markdownDescription: 'Folder for downloads and built artifacts shared between workspaces. Empty: `${XDG_CACHE_HOME:-~/.cache}/netboot-farm`.',
  },
  'trace.server': {
    type: 'string',
    default: 'off',
    scope: 'window',
    enum: ['off', 'messages', 'verbose'],
    markdownDescription: 'Logs the messages between VS Code and the language server in the Netboot Farm output.',
  },
} satisfies Record<string, SettingSchema>;

export type SettingKey = keyof typeof SETTINGS;

/** The full `netbootFarm.<key>` name. */
export function settingName(key: SettingKey): string {
  return `${SETTINGS_SECTION}.${key}`;
}

/** What package.json's `contributes.configuration` must be. */
export function configurationContribution(): { title: string; properties: Record<string, SettingSchema> } {
  const properties: Record<string, SettingSchema> = {};
  for (const [key, schema] of Object.entries(SETTINGS)) properties[settingName(key as SettingKey)] = schema;
  return { title: 'Netboot Farm', properties };
}
