import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import '../../server/src/lang/index';
import { validateAgainstKubernetesSchemas } from '../../server/src/host/kubernetesSchemas';
import { exportFarm } from '../../server/src/lang/kubernetes/exportManifests';
import { kubernetesService } from '../../server/src/lang/kubernetes/kubernetesLanguage';
import { cliSandbox } from '../support/cli';

const ltsConf = `[Default]
SCREEN_07 = ldm
RCFILE_01_JOIN = "kubeadm join --token 2a4576.504356e45fa3d365 10.0.0.1:6443"
`;

test('k8s export writes a ConfigMap, a Secret for the token and a host-network Deployment that validate', async () => {
  const box = cliSandbox('nbf-k8s-');
  box.file('lts.conf', ltsConf);
  box.file('dhcpd.conf', 'subnet 192.168.67.0 netmask 255.255.255.0 {\n  range 192.168.67.100 192.168.67.150;\n}\n');
  const run = box.cli('k8s', 'export', '.', '--image', 'registry.example.org/ltsp:2026.11', '--namespace', 'boot');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /ConfigMap ltsp-config, Secret ltsp-secrets, Deployment ltsp/);
  assert.match(run.stdout, /lts\.conf holds a `kubeadm join` token .*lts\.conf:3\)/);

  const text = readFileSync(join(box.dir, 'netboot-farm.k8s.yaml'), 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form manifests, checked field by field below
  const objects = parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
  assert.deepEqual(objects.map((o) => o.kind), ['ConfigMap', 'Secret', 'Deployment']);
  assert.deepEqual(Object.keys(objects[0]?.data), ['dhcpd.conf']);
  assert.equal(objects[1]?.stringData['lts.conf'], ltsConf);
  const pod = objects[2]?.spec.template.spec;
  assert.equal(pod.hostNetwork, true);
  assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'secrets', mountPath: '/var/lib/tftpboot/ltsp/amd64/lts.conf', subPath: 'lts.conf', readOnly: true }]);
  assert.deepEqual(await validateAgainstKubernetesSchemas(objects), []);
  // Our own checks find nothing to say about our own output, not even the embedded lts.conf's token (it is in a Secret now).
  const findings = (await kubernetesService.validate(text)).filter((d) => String(d.code).startsWith('K8S'));
  assert.deepEqual(findings.map((d) => d.message), []);
});

test('the schema validation rejects what the cluster would reject', async () => {
  const broken = exportFarm({ name: 'ltsp', image: 'x/ltsp:1', configs: [{ key: 'lts.conf', text: '[Default]\n' }] }).objects.map((o) => structuredClone(o));
  const deployment = broken.find((o) => o.kind === 'Deployment') as { spec: { replicas: unknown } };
  deployment.spec.replicas = 'one';
  const problems = await validateAgainstKubernetesSchemas(broken);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /apps\/v1\/Deployment "ltsp".*replicas/);
});

test('k8s export says what is missing instead of guessing an image or a config', () => {
  const box = cliSandbox('nbf-k8s-');
  const none = box.cli('k8s', 'export', '.');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /has no lts\.conf or ltsp\.conf/);
  box.file('lts.conf', '[Default]\n');
  const noImage = box.cli('k8s', 'export', '.');
  assert.equal(noImage.code, 1);
  assert.match(noImage.stderr, /Pass --image/);
  assert.equal(box.cli('k8s', 'deploy').code, 2);
});
