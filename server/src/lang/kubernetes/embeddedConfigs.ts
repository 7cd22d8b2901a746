import { isMap, isScalar, Scalar } from 'yaml';
import type { Position, Range } from 'vscode-languageserver-types';
import { detectLanguage } from '../languages';
import { scalarText, type KubeObject, type ManifestFile } from './manifests';

/**
 * A config file that lives inside a ConfigMap or Secret (`data:` /
 * `stringData:` key named like the file), with the two-way position mapping
 * between the file's own text and the YAML around it. That mapping is what
 * lets an lts.conf inside a manifest get exactly the diagnostics, hover and
 * completion it gets in a file of its own, on the right YAML lines.
 */
export interface EmbeddedConfig {
  readonly object: KubeObject;
  readonly key: string;
  readonly languageId: string;
  readonly text: string;
  readonly keyRange: Range;
  /** Where a position of the embedded text is in the YAML file. */
  toYaml(position: Position): Position;
  /** The embedded position under a YAML position, or undefined when outside the value. */
  fromYaml(position: Position): Position | undefined;
  /** Set when lines cannot be mapped one to one (folded or escaped values): every range becomes the whole value. */
  readonly coarse?: Range;
}

const holders: Readonly<Record<string, readonly string[]>> = { ConfigMap: ['data'], Secret: ['stringData'] };

export function findEmbeddedConfigs(file: ManifestFile, ownLanguage: string): EmbeddedConfig[] {
  const found: EmbeddedConfig[] = [];
  for (const object of file.objects) {
    for (const holder of holders[object.kind] ?? []) {
      const data = object.root.get(holder, true);
      if (!isMap(data)) continue;
      for (const pair of data.items) {
        const key = scalarText(pair.key);
        const languageId = key ? detectLanguage(key) : undefined;
        if (!key || !languageId || languageId === ownLanguage || !isScalar(pair.value) || typeof pair.value.value !== 'string') continue;
        const mapping = mapScalar(file, pair.value as Scalar<string>);
        found.push({ object, key, languageId, text: pair.value.value, keyRange: file.rangeOf(pair.key as Scalar), ...mapping });
      }
    }
  }
  return found;
}

type Mapping = Pick<EmbeddedConfig, 'toYaml' | 'fromYaml' | 'coarse'>;

function mapScalar(file: ManifestFile, node: Scalar<string>): Mapping {
  const [start, end] = node.range ?? [0, 0];
  if (node.type === Scalar.BLOCK_LITERAL) return mapBlockLiteral(file, node, start, end) ?? clampTo(file, start, end);
  if (node.type === Scalar.PLAIN || node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE) {
    const quote = node.type === Scalar.PLAIN ? 0 : 1;
    const source = file.text.slice(start + quote, end - quote);
    // Escapes and folded line breaks move columns; then the whole value is the best place.
    if (source === node.value && !source.includes('\n')) {
      const origin = file.positionAt(start + quote);
      return {
        toYaml: (p) => ({ line: origin.line, character: origin.character + (p.line === 0 ? p.character : source.length) }),
        fromYaml: (p) =>
          p.line === origin.line && p.character >= origin.character && p.character <= origin.character + source.length
            ? { line: 0, character: p.character - origin.character }
            : undefined,
      };
    }
  }
  return clampTo(file, start, end);
}

/**
 * A `|` block: every content line sits on its own YAML line, shifted right by
 * the block's indentation. Checked against the parsed value, so an explicit
 * indentation indicator or tabs fall back to the coarse mapping, never to a
 * wrong one.
 */
function mapBlockLiteral(file: ManifestFile, node: Scalar<string>, start: number, end: number): Mapping | undefined {
  const header = file.positionAt(start);
  const lines = file.text.slice(0, end).split(/\r\n|\r|\n/);
  const first = header.line + 1;
  const body = lines.slice(first);
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  if (!Number.isFinite(indent)) return undefined;
  const content = body.map((l) => l.slice(indent));
  if (content.join('\n').replace(/\n+$/, '') !== node.value.replace(/\n+$/, '')) return undefined;
  return {
    toYaml: (p) => ({ line: first + p.line, character: p.character + indent }),
    fromYaml: (p) => (p.line >= first && p.line < first + content.length && p.character >= indent ? { line: p.line - first, character: p.character - indent } : undefined),
  };
}

function clampTo(file: ManifestFile, start: number, end: number): Mapping {
  const whole = { start: file.positionAt(start), end: file.positionAt(end) };
  return { toYaml: () => whole.start, fromYaml: () => undefined, coarse: whole };
}

export function mapRangeToYaml(config: EmbeddedConfig, range: Range): Range {
  return config.coarse ?? { start: config.toYaml(range.start), end: config.toYaml(range.end) };
}
