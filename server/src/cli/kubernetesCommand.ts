import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { kubernetesService } from '../lang/kubernetes/kubernetesLanguage';
import { exportFarm, type FarmExportInput } from '../lang/kubernetes/exportManifests';
import { validateAgainstKubernetesSchemas } from '../host/kubernetesSchemas';
import type { CliCommand } from './command';
import { flag, parseArgs, UsageError } from './usage';

const configKeys = ['lts.conf', 'ltsp.conf', 'dhcpd.conf'] as const;

/**
 * `kubectl apply --dry-run=client` where kubectl is installed. Even a client
 * dry run asks a cluster which kinds exist, so without a reachable cluster it
 * cannot judge: that is reported as skipped, not as a failure of the manifests.
 */
async function kubectlDryRun(file: string): Promise<{ verdict: 'ok' | 'failed' | 'skipped'; output: string }> {
  const result = await execa('kubectl', ['apply', '--dry-run=client', '-f', file], { reject: false, stdin: 'ignore', timeout: 60_000 });
  const output = `${result.stdout}${result.stderr}`.trim();
  if ((result as { code?: string }).code === 'ENOENT') return { verdict: 'skipped', output: 'kubectl is not installed' };
  if (result.exitCode === 0) return { verdict: 'ok', output };
  if (/connection refused|no such host|i\/o timeout|couldn't get current server API group list/.test(output)) {
    return { verdict: 'skipped', output: 'kubectl reaches no cluster, and even --dry-run=client needs one to look up the kinds' };
  }
  return { verdict: 'failed', output };
}

export const kubernetesCommand: CliCommand = {
  name: 'k8s',
  summary: 'export the farm to Kubernetes manifests (ConfigMap, Secret, Deployment) and validate them',
  usage: 'k8s export [FOLDER] [--image IMAGE:TAG] [--name NAME] [--namespace NS] [--arch ARCH] [--out FILE]',
  async run(argv, io) {
    const [verb, ...rest] = argv;
    if (verb !== 'export') throw new UsageError('the only k8s subcommand is `export`');
    const args = parseArgs(rest, { values: ['image', 'name', 'namespace', 'arch', 'out'], booleans: [] });
    const [folderArg = '.', ...extra] = args.positionals;
    if (extra.length) throw new UsageError('give at most one folder');
    const folder = resolve(folderArg);
    const configs: FarmExportInput['configs'][number][] = [];
    for (const key of configKeys) {
      const path = join(folder, key);
      if (existsSync(path)) configs.push({ key, text: await readFile(path, 'utf8') });
    }
    if (!configs.some((c) => c.key !== 'dhcpd.conf')) {
      io.stderr(`netboot-farm k8s: ${folder} has no lts.conf or ltsp.conf to export; run it in the farm's folder, or create one with "Netboot Farm: New farm from template".\n`);
      return 1;
    }
    const image = flag(args, 'image');
    if (!image) {
      // A local build exports files into .netboot/ and pushes no image, so there is no tag to take from it.
      io.stderr('netboot-farm k8s: which image should the cluster run? Pass --image REGISTRY/NAME:TAG, the LTSP server image your registry holds.\n');
      return 1;
    }
    const result = exportFarm({ name: flag(args, 'name') ?? 'ltsp', image, namespace: flag(args, 'namespace'), arch: flag(args, 'arch'), configs });
    const schemaProblems = await validateAgainstKubernetesSchemas(result.objects);
    // Our own netboot checks on what we are about to write: errors here are bugs of the export, not the user's.
    const own = (await kubernetesService.validate(result.yaml)).filter((d) => d.severity === 1 && String(d.code).startsWith('K8S'));
    if (schemaProblems.length || own.length) {
      io.stderr(['netboot-farm k8s: the generated manifests do not validate:', ...schemaProblems, ...own.map((d) => `${d.code}: ${d.message}`)].join('\n') + '\n');
      return 1;
    }
    const out = resolve(flag(args, 'out') ?? join(folder, 'netboot-farm.k8s.yaml'));
    await writeFile(out, result.yaml);
    const lines = [`wrote ${out}: ${result.objects.map((o) => `${String(o.kind)} ${String((o.metadata as { name: string }).name)}`).join(', ')}`, 'valid against the Kubernetes API schemas (kubernetes-models)'];
    for (const s of result.secretKeys) lines.push(`${s.key} holds ${s.what} (${join(folder, s.key)}:${s.line + 1}): it went into the Secret, not the ConfigMap`);
    const kubectl = await kubectlDryRun(out);
    lines.push(
      kubectl.verdict === 'ok'
        ? 'kubectl apply --dry-run=client: ok'
        : kubectl.verdict === 'skipped'
          ? `skipped kubectl apply --dry-run=client: ${kubectl.output}`
          : `kubectl apply --dry-run=client FAILED:\n${kubectl.output}`,
    );
    io.stdout(lines.join('\n') + '\n');
    return kubectl.verdict === 'failed' ? 1 : 0;
  },
};
