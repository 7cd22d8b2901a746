import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
// Defines globalThis.Go, the runtime the WebAssembly build of mvdan/sh needs.
import 'sh-syntax/vendors/wasm_exec.cjs';
import { LangVariant } from 'sh-syntax';
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

/** The exports of sh-syntax's main.wasm that a parse needs. */
interface ShExports {
  memory: WebAssembly.Memory;
  wasmAlloc(size: number): number;
  wasmFree(pointer: number): void;
  process(...args: (number | boolean)[]): number;
}

interface ShParseError {
  Text: string;
  Pos: { Line: number; Col: number };
}

// Node has WebAssembly, but TypeScript declares it only in the DOM library,
// which a server has no business loading: the little used here is declared here.
declare namespace WebAssembly {
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
  type Imports = Record<string, Record<string, unknown>>;
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Imports);
    readonly exports: Record<string, unknown>;
  }
}

declare const Go: new () => { importObject: WebAssembly.Imports; run(instance: WebAssembly.Instance): Promise<void> };

/**
 * Input bytes one instance may parse before it is replaced. The TinyGo build
 * never gives memory back, and an instance that has parsed about 300 KB
 * fails with "memory access out of bounds" (measured: 33 calls of 10 KB,
 * 3 of 100 KB); a fresh instance costs about 20 ms.
 */
const BYTES_PER_INSTANCE = 128 * 1024;

/**
 * The parser, kept alive between calls. sh-syntax's own `processor` starts a
 * new instance for every call (about 20 ms, the Go runtime's start-up);
 * reusing one makes a small parse take well under a millisecond, which is
 * what lets every keystroke be checked.
 */
class ShellParser {
  private static module: WebAssembly.Module | undefined;
  private exports: ShExports | undefined;
  private bytes = 0;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private instance(size: number): ShExports {
    if (this.exports && this.bytes + size <= BYTES_PER_INSTANCE) return this.exports;
    ShellParser.module ??= new WebAssembly.Module(readFileSync(wasmPath()));
    const go = new Go();
    const instance = new WebAssembly.Instance(ShellParser.module, go.importObject);
    // run() settles only when Go's main exits; the exports work while it is parked.
    void go.run(instance);
    this.exports = instance.exports as unknown as ShExports;
    this.bytes = 0;
    return this.exports;
  }

  private put(exports: ShExports, bytes: Uint8Array): number {
    const pointer = exports.wasmAlloc(bytes.byteLength);
    new Uint8Array(exports.memory.buffer).set(bytes, pointer);
    return pointer;
  }

  /** The first syntax error of a POSIX sh script, or null. */
  parse(script: string): ShParseError | null {
    const text = this.encoder.encode(script);
    try {
      return this.parseOnce(text);
    } catch (error) {
      // A trap leaves the instance unusable: start a fresh one and try once more.
      if (!(error instanceof Error) || error.name !== 'RuntimeError') throw error;
      this.exports = undefined;
      return this.parseOnce(text);
    }
  }

  private parseOnce(text: Uint8Array): ShParseError | null {
    const exports = this.instance(text.byteLength);
    this.bytes += text.byteLength;
    const name = this.encoder.encode('');
    const stop = this.encoder.encode('');
    const namePointer = this.put(exports, name);
    const textPointer = this.put(exports, text);
    const stopPointer = this.put(exports, stop);
    // The argument order of sh-syntax's exported `process` (lib/index: getProcessor):
    // file name, text, print, keepComments, variant, stopAt, recoverErrors, then printer flags.
    // Printing is asked for because its reply is small: the AST as JSON is six
    // times the script and costs more than the parse (measured: 21 ms against 50 ms for 10 KB).
    const result = exports.process(
      namePointer, name.byteLength, name.byteLength,
      textPointer, text.byteLength, text.byteLength,
      true, false, LangVariant.LangPOSIX,
      stopPointer, stop.byteLength, stop.byteLength,
      0, false, 2, true, true, true, false, false, false, false,
    );
    exports.wasmFree(namePointer);
    exports.wasmFree(textPointer);
    exports.wasmFree(stopPointer);
    const bytes = new Uint8Array(exports.memory.buffer).subarray(result);
    const json = this.decoder.decode(bytes.subarray(0, bytes.indexOf(0)));
    const reply = JSON.parse(json) as { parseError?: ShParseError | null; message?: string };
    if (reply.parseError) return reply.parseError;
    if (reply.message) return { Text: reply.message, Pos: { Line: 1, Col: 1 } };
    return null;
  }
}

/** The real POSIX sh parser (dash is what runs LTSP's scripts), for the pure service. */
export function createShellChecker(): ShellSyntaxChecker {
  const parser = new ShellParser();
  return {
    async check(script) {
      const error = parser.parse(script);
      if (!error) return null;
      return { line: Math.max(0, error.Pos.Line - 1), column: Math.max(0, error.Pos.Col - 1), message: error.Text };
    },
  };
}
