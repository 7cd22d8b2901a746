import { isMap, isSeq, type YAMLMap } from 'yaml';
import type { Reporter } from '../core/diagnostics';
import { detectLanguage } from '../languages';
import type { KubernetesCode } from './kubernetesRules';
import { containerArgv, getPair, getPath, mapsIn, podSpecOf, podSpecPath, scalarText, type KubeObject, type ManifestFile } from './manifests';

/** What a container serves to booting clients, read from its command, image and ports. */
type BootService = 'TFTP' | 'DHCP';

const why: Record<BootService, string> = {
  TFTP: 'TFTP answers every request from a new ephemeral port, and neither the pod network nor Service NAT maps that port back to the booting client, so transfers never start.',
  DHCP: 'Booting clients find DHCP by broadcast on their own network segment, and broadcasts never reach a pod network.',
};

const servicePorts: Readonly<Record<number, BootService>> = { 69: 'TFTP', 67: 'DHCP' };

function bootServices(container: YAMLMap): BootService[] {
  const argv = containerArgv(container);
  const program = (argv[0] ?? '').replace(/.*\//, '');
  const image = scalarText(container.get('image', true)) ?? '';
  const found = new Set<BootService>();
  if (/^(in\.tftpd|tftpd|atftpd|tftpd-hpa)$/.test(program) || (!program && /tftp/i.test(image))) found.add('TFTP');
  if (/^(dhcpd|kea-dhcp4|udhcpd)$/.test(program) || (!program && /dhcp/i.test(image))) found.add('DHCP');
  if (program === 'dnsmasq' || (!program && /dnsmasq/.test(image))) {
    if (argv.some((a) => a.startsWith('--enable-tftp')) || !program) found.add('TFTP');
    if (argv.some((a) => a.startsWith('--dhcp-range')) || !program) found.add('DHCP');
  }
  if (program === 'netboot-farm' && argv.includes('serve')) {
    found.add('TFTP');
    found.add('DHCP');
  }
  for (const port of mapsIn(container.get('ports', true))) {
    const number = Number(scalarText(port.get('containerPort', true)));
    const protocol = scalarText(port.get('protocol', true)) ?? 'TCP';
    if (protocol.toUpperCase() === 'UDP' && servicePorts[number]) found.add(servicePorts[number]);
  }
  return [...found];
}

/** in.tftpd's options that take an argument; the root is the first bare word after them. */
const tftpdOptionsWithArgument = new Set([
  ...['-u', '-a', '-m', '-r', '-t', '-T', '-B', '-R', '-U', '-P', '-W'],
  ...['--user', '--address', '--map-file', '--refuse', '--timeout', '--retransmit', '--blocksize', '--port-range', '--umask', '--pidfile'],
]);

/** The folder a TFTP server container serves, when its command line says. */
function tftpRoot(container: YAMLMap): string | undefined {
  const argv = containerArgv(container);
  const program = (argv[0] ?? '').replace(/.*\//, '');
  if (program === 'dnsmasq') return argv.find((a) => a.startsWith('--tftp-root='))?.slice('--tftp-root='.length).replace(/,.*/, '');
  if (!/tftpd/.test(program)) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (tftpdOptionsWithArgument.has(word)) i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

const trimSlash = (path: string) => path.replace(/\/+$/, '');

export function checkManifests(file: ManifestFile, sink: Reporter<KubernetesCode>): void {
  const holders = configHolders(file.objects);
  for (const object of file.objects) {
    checkApiVersion(file, object, sink);
    if (object.kind === 'Service') checkService(file, object, sink);
    const spec = podSpecOf(object);
    if (spec) checkPodSpec(file, object, spec, holders, sink);
  }
}

function checkApiVersion(file: ManifestFile, object: KubeObject, sink: Reporter<KubernetesCode>): void {
  const pair = getPair(object.root, ['apiVersion']);
  const apiVersion = scalarText(pair?.value);
  if (!pair || !apiVersion || !['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'].includes(object.kind)) return;
  if (!/^(extensions\/v1beta1|apps\/v1beta[12])$/.test(apiVersion)) return;
  const selector = getPath(object.root, ['spec', 'selector']);
  const extra = selector ? '' : ', which also needs `spec.selector.matchLabels` equal to the pod template\'s labels';
  sink.report('K8S006', file.rangeOf(pair.value as never), { apiVersion, kind: object.kind, replacement: 'apps/v1', extra }, { replacement: 'apps/v1' });
}

function checkService(file: ManifestFile, object: KubeObject, sink: Reporter<KubernetesCode>): void {
  for (const port of mapsIn(getPath(object.root, ['spec', 'ports']))) {
    const protocol = (scalarText(port.get('protocol', true)) ?? 'TCP').toUpperCase();
    const number = Number(scalarText(port.get('targetPort', true)) ?? scalarText(port.get('port', true)));
    const server = servicePorts[number];
    if (protocol !== 'UDP' || !server) continue;
    sink.report('K8S002', file.rangeOf(port), { name: object.name, server, port: number, why: why[server] });
  }
}

interface Holder {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly keys: readonly string[];
}

function configHolders(objects: readonly KubeObject[]): Map<string, Holder> {
  const holders = new Map<string, Holder>();
  for (const object of objects) {
    if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') continue;
    const keys = ['data', 'stringData', 'binaryData'].flatMap((field) => {
      const data = object.root.get(field, true);
      return isMap(data) ? data.items.map((p) => scalarText(p.key) ?? '') : [];
    });
    holders.set(`${object.kind}/${object.name}`, { kind: object.kind, keys });
  }
  return holders;
}

interface VolumeSource {
  readonly holder: 'ConfigMap' | 'Secret';
  readonly name: string;
  /** key -> path inside the volume, from `items`; absent means every key under its own name. */
  readonly items?: ReadonlyMap<string, string>;
}

function volumeSources(spec: YAMLMap): Map<string, { source: VolumeSource; node: YAMLMap }> {
  const volumes = new Map<string, { source: VolumeSource; node: YAMLMap }>();
  for (const volume of mapsIn(spec.get('volumes', true))) {
    const name = scalarText(volume.get('name', true));
    const configMap = volume.get('configMap', true);
    const secret = volume.get('secret', true);
    const from = isMap(configMap) ? { holder: 'ConfigMap' as const, map: configMap, nameKey: 'name' } : isMap(secret) ? { holder: 'Secret' as const, map: secret, nameKey: 'secretName' } : undefined;
    if (!name || !from) continue;
    const items = from.map.get('items', true);
    const source: VolumeSource = {
      holder: from.holder,
      name: scalarText(from.map.get(from.nameKey, true)) ?? '',
      items: isSeq(items) ? new Map(mapsIn(items).map((i) => [scalarText(i.get('key', true)) ?? '', scalarText(i.get('path', true)) ?? ''])) : undefined,
    };
    volumes.set(name, { source, node: volume });
  }
  return volumes;
}

function checkPodSpec(file: ManifestFile, object: KubeObject, spec: YAMLMap, holders: Map<string, Holder>, sink: Reporter<KubernetesCode>): void {
  const containers = [...mapsIn(spec.get('initContainers', true)), ...mapsIn(spec.get('containers', true))];
  const hostNetwork = spec.get('hostNetwork') === true;
  const serving = containers.map((c) => ({ container: c, services: bootServices(c) }));
  for (const { container, services } of serving) {
    if (hostNetwork || services.length === 0) continue;
    const path = (podSpecPath(object.kind) ?? []).join('.');
    sink.report('K8S001', file.rangeOf(getPair(container, ['name']) ?? container), {
      kind: object.kind,
      name: object.name,
      container: scalarText(container.get('name', true)) ?? '?',
      server: services.join(' and '),
      why: services.map((s) => why[s]).join(' '),
      path: path ? ` (\`${path}\`)` : '',
    });
  }
  if (serving.some((s) => s.services.length > 0)) {
    for (const container of containers) {
      const image = scalarText(container.get('image', true));
      if (!image) continue;
      const tag = imageTag(image);
      if (tag === undefined || tag === 'latest') {
        sink.report('K8S005', file.rangeOf(getPair(container, ['image'])), { image, tag: tag === undefined ? 'no tag' : 'the tag `latest`' });
      }
    }
  }
  const volumes = volumeSources(spec);
  const known = [...holders.keys()];
  for (const [volume, { source, node }] of volumes) {
    if (known.length > 0 && !holders.has(`${source.holder}/${source.name}`)) {
      const sameKind = known.filter((k) => k.startsWith(`${source.holder}/`)).map((k) => `\`${k.slice(source.holder.length + 1)}\``);
      sink.report('K8S008', file.rangeOf(node), { volume, holder: source.holder, source: source.name, known: sameKind.length ? ` (it has ${sameKind.join(', ')})` : '' });
    }
  }
  const root = containers.map(tftpRoot).find((r) => r !== undefined);
  if (root) checkLtsConfMounts(file, containers, volumes, holders, trimSlash(root), sink);
}

function imageTag(image: string): string | undefined {
  if (image.includes('@')) return 'digest';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? undefined : last.slice(colon + 1);
}

function checkLtsConfMounts(
  file: ManifestFile,
  containers: readonly YAMLMap[],
  volumes: ReturnType<typeof volumeSources>,
  holders: Map<string, Holder>,
  root: string,
  sink: Reporter<KubernetesCode>,
): void {
  const bootFolder = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ltsp/[^/]+$`);
  // A postStart hook or command that links lts.conf into place (the article does this) is a deliberate layout.
  const linked = containers.some((c) => /\bln\b[^]*lts\.conf/.test(JSON.stringify(c.toJSON())));
  for (const container of containers) {
    for (const mount of mapsIn(container.get('volumeMounts', true))) {
      const volume = scalarText(mount.get('name', true)) ?? '';
      const mountPath = trimSlash(scalarText(mount.get('mountPath', true)) ?? '');
      const subPath = scalarText(mount.get('subPath', true));
      const from = volumes.get(volume)?.source;
      const holder = from ? holders.get(`${from.holder}/${from.name}`) : undefined;
      if (!from || !holder) continue;
      for (const key of holder.keys.filter((k) => detectLanguage(k) === 'ltsconf')) {
        const inVolume = from.items ? from.items.get(key) : key;
        if (inVolume === undefined) continue;
        if (!subPath && bootFolder.test(mountPath)) {
          sink.report('K8S004', file.rangeOf(getPair(mount, ['mountPath'])), { volume, path: mountPath, key });
          continue;
        }
        const path = subPath ? (subPath === inVolume ? mountPath : undefined) : `${mountPath}/${inVolume}`;
        if (path === undefined || linked || /\/ltsp\/[^/]+\/lts\.conf$/.test(path) && path.startsWith(`${root}/`)) continue;
        sink.report('K8S003', file.rangeOf(getPair(mount, ['mountPath'])), {
          key,
          holder: from.holder,
          source: from.name,
          path,
          container: scalarText(container.get('name', true)) ?? '?',
          expected: `${root}/ltsp/amd64/lts.conf`,
          root,
        });
      }
    }
  }
}
