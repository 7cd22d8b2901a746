import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliSandbox } from '../support/cli';

// What `netboot-farm build` says before any builder runs: these need no container tool.
const { dir, cli, file } = cliSandbox('nbf-cli-build-');

test('build: no Dockerfile in the folder is a clear error naming the file', () => {
  const r = cli('build', dir);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `netboot-farm build: ${join(dir, 'Dockerfile')}: no such file (nor Containerfile): pass --file, or run in the folder that holds the Dockerfile\n`);
});

test('build: an unknown stage lists the stages there are; an unknown builder is a usage error', () => {
  file('Dockerfile', 'FROM localhost/debian:bookworm AS base\nRUN true\nFROM base AS image\nRUN true\n');
  const r = cli('build', dir, '--stage', 'imgae');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no stage "imgae" in the Dockerfile \(stages: base, image\)/);
  const u = cli('build', dir, '--builder', 'kaniko');
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--builder must be one of docker, podman, buildah, native \(got "kaniko"\)/);
});

test('build: a state folder inside the workspace is refused (layers would land in the repository)', () => {
  file('Dockerfile', 'FROM localhost/debian:bookworm\n');
  const r = cli('build', dir, '--state-dir', join(dir, 'state'), '--json');
  assert.equal(r.code, 1);
  const done = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; ok: boolean; message: string };
  assert.deepEqual([done.type, done.ok], ['done', false]);
  assert.match(done.message, /container state folder .*state is inside .*: builder layers would end up in the repository/);
});
