import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { zipEntries, type ZipEntry } from './zipEntries';

const root = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'nbf-vsix-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let entries: ZipEntry[] = [];
let files: string[] = [];
let vsixSize = 0;

before(() => {
  if (!existsSync(join(root, 'dist', 'client.js'))) {
    const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
  }
  const vsix = join(scratch, 'netboot-farm.vsix');
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // Everything the extension runs is bundled by esbuild: no node_modules in the package.
  const packed = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--out', vsix], { cwd: root, encoding: 'utf8' });
  assert.equal(packed.status, 0, `vsce package failed:\n${packed.stdout}\n${packed.stderr}`);
  entries = zipEntries(vsix);
  files = entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
  vsixSize = statSync(vsix).size;
});

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (statSync(join(root, dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

test('the .vsix holds the bundles, the data they read and the example farm, and nothing else', () => {
  const expected = [
    'package.json',
    'readme.md',
    'dist/client.js',
    'dist/server.js',
    'dist/sh-syntax.wasm',
    'dist/cli.js',
    'dist/farm.js',
    'dist/preview.js',
    'dist/preview.css',
    ...filesUnder('syntaxes').filter((f) => f.endsWith('.json')),
    ...filesUnder('snippets'),
    ...filesUnder('walkthrough'),
    ...filesUnder('examples/farm'),
  ].map((f) => relative(root, join(root, f)));
  assert.deepEqual([...files].sort(), [...new Set(expected)].sort());
});

test('no dependency, source, test or source map is packaged', () => {
  const leaked = files.filter((f) => /(^|\/)node_modules\/|\.ts$|\.map$|^(test|server|client|scripts|bench)\//.test(f));
  assert.deepEqual(leaked, []);
});

test('every file package.json points at is in the package', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const c = manifest.contributes;
  const referenced: string[] = [
    manifest.main,
    ...c.languages.flatMap((l: { configuration?: string }) => (l.configuration ? [l.configuration] : [])),
    ...c.grammars.map((g: { path: string }) => g.path),
    ...c.snippets.map((s: { path: string }) => s.path),
    ...c.walkthroughs.flatMap((w: { steps: { media: { markdown?: string } }[] }) => w.steps.flatMap((s) => (s.media.markdown ? [s.media.markdown] : []))),
  ].map((p) => p.replace(/^\.\//, ''));
  assert.ok(referenced.length >= 8, referenced.join(', '));
  assert.deepEqual(referenced.filter((p) => !files.includes(p)), []);
});

test('the package stays small: under 2 MB on disk, 8 MB unpacked', () => {
  const unpacked = entries.reduce((sum, e) => sum + e.size, 0);
  assert.ok(vsixSize < 2 * 1024 * 1024, `${vsixSize} bytes`);
  assert.ok(unpacked < 8 * 1024 * 1024, `${unpacked} bytes unpacked`);
});
