// Bundles the programs with esbuild: the VS Code client, the language server,
// the `netboot-farm` CLI and the farm process. `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');

// sh-syntax loads Go's WebAssembly runtime (vendors/wasm_exec.cjs) for its side
// effect of defining globalThis.Go, but its package.json does not list that
// file in "sideEffects", so esbuild would drop it and the parser would fail.
const keepGoRuntime = {
  name: 'keep-go-runtime',
  setup(b) {
    b.onResolve({ filter: /wasm_exec(\.cjs)?$/ }, (args) => ({ path: require.resolve(args.path, { paths: [args.resolveDir] }), sideEffects: true }));
  },
};

const common = {
  plugins: [keepGoRuntime],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const bundles = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['server/src/farm/main.ts'], outfile: 'dist/farm.js' },
  // The boot preview's page runs in the webview (a browser); its CSS (xterm's and its own) lands in dist/preview.css.
  { entryPoints: ['client/src/preview/webview/main.ts'], outfile: 'dist/preview.js', platform: 'browser', target: 'chrome120', format: 'iife', plugins: [] },
];

await mkdir(join(root, 'dist'), { recursive: true });
// The shell parser is WebAssembly; the bundles load it from beside themselves.
await copyFile(require.resolve('sh-syntax/main.wasm'), join(root, 'dist', 'sh-syntax.wasm'));

if (watch) {
  for (const options of bundles) await (await context({ ...common, ...options })).watch();
} else {
  await Promise.all(bundles.map((options) => build({ ...common, ...options })));
}
