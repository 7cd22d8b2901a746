// Where the time of a keystroke goes, without the LSP around it: the same
// typing as bench/lsp-latency.ts, replayed against the language service in
// this process (from source, with the real WebAssembly shell parser), timed
// per call to validate() and sampled by V8's CPU profiler. Run by
// bench/run.mjs when a p95 misses the goal (or with --profile); alone:
//
//   node --import tsx bench/profile.ts [--keystrokes 60] [--top 15] [--json OUT] [--keep-profile DIR] FILE...
//
// The keystrokes are replayed twice: timed without the profiler, then sampled
// (every 200 µs) by it; the profile's milliseconds are the slower second pass's.
//
// Hotspots are named by function and source file (tsx keeps both; its line
// numbers are not the source's, so they are left out).
import { Session } from 'node:inspector/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createShellChecker } from '../server/src/host/shellChecker';
import { serviceFor } from '../server/src/lang';
import { EditorBuffer, languageOf, plan, summarize, type Summary } from './keystrokes';
import { takeOption } from './args';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Hotspot {
  name: string;
  where: string;
  ms: number;
  share: number;
}

const root = join(__dirname, '..');

/** The file of a frame, relative to the project (tsx's line numbers are not the source's, so none). */
function where(url: string): string {
  if (url === '') return '';
  if (url.startsWith('wasm://')) return 'WebAssembly (sh-syntax)';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const rel = relative(root, path);
  return rel.startsWith('node_modules/') ? rel.split('/').slice(0, 2).join('/') : rel;
}

/** Self time per function, inclusive time per project function, self time per file. */
function analyse(profile: CpuProfile, top: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: CpuProfileNode) => {
    const { functionName, url } = n.callFrame;
    // All WebAssembly frames are one thing here: the shell parser.
    if (url.startsWith('wasm://')) return 'sh-syntax parser\u0000WebAssembly (sh-syntax)';
    return `${functionName || '(anonymous)'}\u0000${where(url)}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const perFile = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const leaf = byId.get(id);
    if (!leaf) return;
    const k = key(leaf);
    self.set(k, (self.get(k) ?? 0) + dt);
    const file = k.split('\u0000')[1] || leaf.callFrame.functionName;
    perFile.set(file, (perFile.get(file) ?? 0) + dt);
    const seen = new Set<string>();
    for (let node: CpuProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const nk = key(node);
      if (seen.has(nk)) continue;
      seen.add(nk);
      inclusive.set(nk, (inclusive.get(nk) ?? 0) + dt);
    }
  });
  const rank = (map: Map<string, number>, filter: (k: string) => boolean = () => true): Hotspot[] =>
    [...map]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => {
        const [name, at] = k.split('\u0000');
        return { name: name!, where: at ?? '', ms: Math.round(ms), share: Math.round((ms / total) * 1000) / 10 };
      });
  return {
    sampledMs: Math.round(total),
    selfTime: rank(self),
    inclusiveProjectTime: rank(inclusive, (k) => k.includes('server/src/')),
    selfTimeByFile: rank(new Map([...perFile].map(([f, ms]) => [`${f}\u0000`, ms]))).map((h) => ({ file: h.name, ms: h.ms, share: h.share })),
  };
}

interface FileProfile {
  file: string;
  language: string;
  coldValidateMs: number;
  keystrokes: Summary;
  keystrokesUnderProfiler: Summary;
  profile: ReturnType<typeof analyse>;
  profilePath?: string;
  error?: string;
}

async function profileFile(file: string, count: number, top: number, keep: string): Promise<FileProfile> {
  const text = readFileSync(file, 'utf8');
  const language = languageOf(file);
  const service = serviceFor(language)!;
  // One checker for the run, as the server keeps one for its life.
  const options = { shell: createShellChecker(), severity: { LTS024: 'off' as const } };
  const t0 = performance.now();
  await service.validate(text, options);
  const coldValidateMs = Math.round((performance.now() - t0) * 100) / 100;

  // Every version's text is made before the profiler starts, so the profile is the service's alone.
  const buffer = new EditorBuffer(text);
  const versions = plan(text, language, count).map((keystroke) => {
    keystroke.apply(buffer);
    return buffer.text();
  });
  const replay = async (): Promise<{ times: number[]; error?: string }> => {
    const times: number[] = [];
    try {
      for (const version of versions) {
        const start = performance.now();
        await service.validate(version, options);
        times.push(performance.now() - start);
      }
      return { times };
    } catch (e) {
      return { times, error: e instanceof Error ? e.message : String(e) };
    }
  };
  // Timed first without the profiler (sampling slows everything down), then replayed under it.
  const timed = await replay();
  // The keystrokes come back as new texts: the service's caches must not answer the second pass.
  options.shell = createShellChecker();
  await service.validate(text + '\n', options);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const profiled = await replay();
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  const error = timed.error ?? profiled.error;
  session.disconnect();
  let profilePath: string | undefined;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    profilePath = join(keep, `${basename(file)}.cpuprofile`);
    writeFileSync(profilePath, JSON.stringify(profile));
  }
  return {
    file,
    language,
    coldValidateMs,
    keystrokes: summarize(timed.times),
    keystrokesUnderProfiler: summarize(profiled.times),
    profile: analyse(profile, top),
    profilePath,
    ...(error ? { error } : {}),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => takeOption(args, name, fallback);
  const count = Number(option('keystrokes', '60'));
  const top = Number(option('top', '15'));
  const json = option('json', '');
  const keep = option('keep-profile', '');
  if (args.length === 0) {
    process.stderr.write('usage: node --import tsx bench/profile.ts [--keystrokes N] [--top N] [--json OUT] [--keep-profile DIR] FILE...\n');
    process.exitCode = 2;
    return;
  }
  const results: FileProfile[] = [];
  for (const file of args) {
    const r = await profileFile(file, count, top, keep);
    results.push(r);
    const k = r.keystrokes;
    process.stderr.write(`  in-process ${basename(file)}: cold validate ${r.coldValidateMs} ms; ${k.n} keystrokes p50 ${k.p50} ms, p95 ${k.p95} ms${r.error ? `; FAILED: ${r.error}` : ''}\n`);
  }
  if (json) writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  else process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}

void main();
