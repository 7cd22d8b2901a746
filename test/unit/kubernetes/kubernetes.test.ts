import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import '../../../server/src/lang/index';
import { kubernetesService } from '../../../server/src/lang/kubernetes/kubernetesLanguage';
import { ltsConfService } from '../../../server/src/lang/ltsconf/ltsConfLanguage';
import { detectLanguage } from '../../../server/src/lang/languages';
import { applyEdits } from '../../support/edits';
import { assertDiagnostics, bothEols, marked } from '../../support/markers';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

test('YAML files are claimed by the Kubernetes checks', () => {
  assert.equal(detectLanguage('deploy/farm.yaml'), 'kubernetes');
  assert.equal(detectLanguage('k8s/ltsp.yml'), 'kubernetes');
  assert.equal(detectLanguage('lts.conf'), 'ltsconf');
});

test('the article\'s manifests: removed apiVersion, untagged images, and the lts.conf findings at their YAML lines', async () => {
  const diagnostics = await kubernetesService.validate(fixture('article-farm.yaml'));
  const found = diagnostics.map((d) => `${d.range.start.line + 1}:${d.code}`);
  // hostNetwork is set and the ConfigMap is linked into place by postStart: neither K8S001 nor K8S003.
  assert.deepEqual(found, ['7:K8S006', '23:K8S005', '34:K8S005', '49:LTS026', '51:LTS011', '59:LTS029']);
});

test('an lts.conf inside a ConfigMap gets the same diagnostics as in its own file, shifted to its YAML lines', async () => {
  const yaml = fixture('article-farm.yaml');
  const start = yaml.split('\n').findIndex((l) => l.includes('lts.conf: |')) + 1;
  const inner = yaml
    .split('\n')
    .slice(start)
    .map((l) => l.slice(4))
    .join('\n');
  const own = await ltsConfService.validate(inner);
  const embedded = (await kubernetesService.validate(yaml)).filter((d) => String(d.code).startsWith('LTS'));
  assert.ok(own.length >= 3, 'the fixture has findings of its own');
  assert.deepEqual(
    embedded.map((d) => ({ code: d.code, message: d.message, range: d.range })),
    own.map((d) => ({
      code: d.code,
      message: d.message,
      range: {
        start: { line: d.range.start.line + start, character: d.range.start.character + 4 },
        end: { line: d.range.end.line + start, character: d.range.end.character + 4 },
      },
    })),
  );
});

const tftpWithoutHostNetwork = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: boot
spec:
  selector:
    matchLabels: {app: boot}
  template:
    metadata:
      labels: {app: boot}
    spec:
      containers:
      - ⟦name: tftpd⟧
        image: example/ltsp:2024.1
        command: ["in.tftpd", "-L", "-s", "/srv/tftp"]
        volumeMounts:
        - name: cfg
          ⟦mountPath: /srv/tftp/ltsp/amd64⟧
        - name: cfg
          ⟦mountPath: /srv/tftp/lts.conf⟧
          subPath: lts.conf
      volumes:
      - name: cfg
        configMap:
          name: ltsp-config
      - ⟦name: other
        configMap:
          name: ltsp-cnfig⟧
---
apiVersion: v1
kind: Service
metadata:
  name: tftp
spec:
  ports:
  - ⟦port: 69
    protocol: UDP⟧
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ltsp-config
data:
  lts.conf: |
    [Default]
    SCREEN_07 = ldm
`;

bothEols('TFTP without hostNetwork, behind a Service, and lts.conf mounted where TFTP clients never look', async (eol) => {
  const { text, ranges } = marked(tftpWithoutHostNetwork, eol);
  const diagnostics = await kubernetesService.validate(text);
  assertDiagnostics(diagnostics, ['K8S001', 'K8S004', 'K8S003', 'K8S008', 'K8S002'], ranges);
  const k8s001 = diagnostics.find((d) => d.code === 'K8S001');
  assert.match(k8s001?.message ?? '', /`spec\.template\.spec`/);
  assert.match(diagnostics.find((d) => d.code === 'K8S003')?.message ?? '', /`\/srv\/tftp\/ltsp\/amd64\/lts\.conf`/);
});

test('quick fixes: hostNetwork, apiVersion, and a ConfigMap holding a token becomes a Secret', async () => {
  const uri = 'file:///farm.yaml';
  const broken = marked(tftpWithoutHostNetwork).text;
  const host = await fixAll(uri, broken, 'K8S001');
  assert.match(host, /\n {4}spec:\n {6}hostNetwork: true\n {6}containers:\n/);
  assert.deepEqual(
    (await kubernetesService.validate(host)).filter((d) => d.code === 'K8S001'),
    [],
  );

  const article = fixture('article-farm.yaml');
  const api = await fixAll(uri, article, 'K8S006');
  assert.match(api, /^apiVersion: apps\/v1$/m);

  const secret = await fixAll(uri, article, 'LTS029', /Secret/);
  assert.match(secret, /^kind: Secret\nmetadata:\n {2}name: ltsp-config\nstringData:\n {2}lts\.conf: \|/m);
  assert.match(secret, / {8}secret:\n {10}secretName: ltsp-config/);
  assert.doesNotMatch(secret, /configMap:/);
});

test('an embedded quick fix keeps the block scalar\'s indentation', async () => {
  const uri = 'file:///farm.yaml';
  const fixed = await fixAll(uri, fixture('article-farm.yaml'), 'LTS011');
  assert.match(fixed, /\n {4}INIT_COMMAND_00_TIME {16}= "ln -sf/);
});

test('hover and completion inside the embedded lts.conf come from the lts.conf catalog', () => {
  const { text, cursor } = marked(`apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  lts.conf: |
    [Default]
    LDM_DIRECTX = True
    SCREEN_0$0
`);
  assert.ok(cursor);
  const items = kubernetesService.complete?.(text, cursor) ?? [];
  assert.ok(items.some((i) => i.label.toString().startsWith('SCREEN_')), 'offers SCREEN_* variables');
  const hover = kubernetesService.hover?.(text, { line: 7, character: 6 });
  assert.match(JSON.stringify(hover?.contents ?? ''), /LDM_DIRECTX/);
  assert.equal(hover?.range?.start.line, 7);
  assert.equal(kubernetesService.hover?.(text, { line: 1, character: 3 }), null);
});

test('broken YAML is reported as such, with its position, and nothing else', async () => {
  const diagnostics = await kubernetesService.validate('kind: ConfigMap\ndata:\n  a: [1, 2\n');
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['K8S007'],
  );
  // Other YAML (CI workflows, compose files...) is not ours to judge.
  assert.deepEqual(await kubernetesService.validate('jobs:\n  a: [1, 2\n'), []);
});

async function fixAll(uri: string, text: string, code: string, title?: RegExp): Promise<string> {
  const diagnostics: Diagnostic[] = (await kubernetesService.validate(text)).filter((d) => d.code === code);
  assert.ok(diagnostics.length > 0, `expected a ${code} to fix`);
  const first = diagnostics[0] as Diagnostic;
  const actions = kubernetesService.codeActions?.(uri, text, first.range, [first]) ?? [];
  const action = actions.find((a) => !title || title.test(a.title));
  const edits: TextEdit[] = action?.edit?.changes?.[uri] ?? [];
  assert.ok(edits.length > 0, `a quick fix for ${code}: ${actions.map((a) => a.title).join(', ')}`);
  return applyEdits(text, edits);
}
