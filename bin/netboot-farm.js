#!/usr/bin/env node
'use strict';
// The CLI is bundled by `npm run build` (run by `npm ci` through `prepare`).
try {
  require('../dist/cli.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('netboot-farm: the CLI is not built yet; run `npm ci` (or `npm run build`) in the project folder\n');
    process.exit(2);
  }
  throw error;
}
