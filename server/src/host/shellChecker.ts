import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getProcessor, LangVariant } from 'sh-syntax';
import type { ShellSyntaxChecker } from '../lang/conf/shellCheck';

/**
 * Where mvdan/sh's WebAssembly build is: beside the bundle (dist/sh-syntax.wasm,
 * copied by the build) or, when running from source, in node_modules.
 */
function wasmPath(): string {
  const beside = join(__dirname, 'sh-syntax.wasm');
  if (existsSync(beside)) return beside;
  return createRequire(__filename).resolve('sh-syntax/main.wasm');
}

interface ShParseError {
  Text?: string;
  message?: string;
  Pos?: { Line: number; Col: number };
}

/** The real POSIX sh parser (dash is what runs LTSP's scripts), for the pure service. */
export function createShellChecker(): ShellSyntaxChecker {
  const processor = getProcessor(() => readFile(wasmPath()));
  return {
    async check(script) {
      try {
        await processor(script, { variant: LangVariant.LangPOSIX });
        return null;
      } catch (error) {
        const e = error as ShParseError;
        if (!e?.Pos) throw error;
        return { line: Math.max(0, e.Pos.Line - 1), column: Math.max(0, e.Pos.Col - 1), message: e.Text ?? e.message ?? String(error) };
      }
    },
  };
}
