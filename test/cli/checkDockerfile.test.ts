import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliSandbox } from '../support/cli';

const root = join(__dirname, '..', '..');
const { dir, cli, file } = cliSandbox('nbf-cli-docker-');

test('check: a Dockerfile is recognised by its name and checked', () => {
  const path = file('Dockerfile', 'FROM debian:12 AS build\nRUN make\nFROM debian:12\nCOPY --from=buidl /out /out\n');
  const r = cli('check', path);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /Dockerfile:4:13: error DKR002 `COPY --from=buidl` names no stage/);
  assert.match(r.stdout, /Did you mean `build`\?/);
});

test('check: Containerfile and *.dockerfile names, JSON output with LSP ranges', () => {
  const path = file('image.dockerfile', 'FROM debian:12\nRUNN true\n');
  const r = cli('check', '--format', 'json', path, file('Containerfile', 'FROM debian:12\nRUN true\n'));
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { file: string; diagnostics: { code: string; range: unknown }[] }[];
  assert.deepEqual(report.map((f) => f.file), [path, join(dir, 'Containerfile')]);
  assert.deepEqual(report[0]!.diagnostics.map((d) => [d.code, d.range]), [['DKR001', { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } }]]);
  assert.deepEqual(report[1]!.diagnostics, []);
});

test('check --language dockerfile: the article Dockerfile passes, warnings do not fail', () => {
  const path = join(dir, '01-kubernetes-Dockerfile');
  copyFileSync(join(root, 'test', 'corpus', 'dockerfile', '01-kubernetes-Dockerfile'), path);
  assert.equal(cli('check', path).code, 2, 'the corpus name is not a Dockerfile name');
  const r = cli('check', '--language', 'dockerfile', path);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const warned = file('Dockerfile.ltsp', 'FROM debian:12 AS image\nRUN debootstrap bookworm /rootfs\nRUN chroot /rootfs apt-get install -y linux-image-amd64\n');
  const w = cli('check', warned);
  assert.equal(w.code, 0, w.stdout);
  assert.match(w.stdout, /warning DKR012 No stage makes a squashfs image/);
});
