import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Position, Range } from 'vscode-languageserver-types';

/**
 * A multi-document YAML file read as Kubernetes objects, with a way back from
 * every node to its place in the text. Only documents with a `kind` count as
 * objects; anything else in the file is left alone.
 */
export interface ManifestFile {
  readonly text: string;
  readonly objects: readonly KubeObject[];
  /** YAML syntax errors, so a broken file says why nothing else was checked. */
  readonly errors: readonly { readonly message: string; readonly range: Range }[];
  rangeOf(node: Node | Pair | null | undefined): Range;
  positionAt(offset: number): Position;
}

export interface KubeObject {
  readonly kind: string;
  readonly name: string;
  readonly document: Document.Parsed;
  readonly root: YAMLMap;
}

export function readManifests(text: string): ManifestFile {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, keepSourceTokens: true });
  const docs = Array.isArray(documents) ? documents : [];
  const positionAt = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(Math.min(offset, text.length));
    return { line: line - 1, character: col - 1 };
  };
  const rangeOf = (node: Node | Pair | null | undefined): Range => {
    const span = spanOf(node);
    if (!span) return { start: positionAt(0), end: positionAt(0) };
    // Collections end after their last line break; a range should end on its last character.
    let end = span[1];
    while (end > span[0] && /\s/.test(text[end - 1] ?? '')) end--;
    return { start: positionAt(span[0]), end: positionAt(end) };
  };
  const objects: KubeObject[] = [];
  const errors: { message: string; range: Range }[] = [];
  for (const document of docs) {
    for (const error of document.errors) {
      errors.push({ message: error.message.split('\n')[0] ?? error.message, range: { start: positionAt(error.pos[0]), end: positionAt(error.pos[1]) } });
    }
    const root = document.contents;
    if (!isMap(root)) continue;
    const kind = scalarText(root.get('kind', true));
    if (!kind) continue;
    objects.push({ kind, name: scalarText(getPath(root, ['metadata', 'name'])) ?? '', document, root });
  }
  return { text, objects, errors, rangeOf, positionAt };
}

function spanOf(node: Node | Pair | null | undefined): [number, number] | undefined {
  if (!node) return undefined;
  if ('range' in node && node.range) return [node.range[0], node.range[1]];
  if ('key' in node) {
    const key = spanOf(node.key as Node | null);
    const value = spanOf(node.value as Node | null);
    if (key && value) return [key[0], value[1]];
    return key ?? value;
  }
  return undefined;
}

export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** The node at a path of map keys, or undefined when any step is missing. */
export function getPath(root: unknown, path: readonly string[]): Node | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node.get(key, true);
  }
  return (node ?? undefined) as Node | undefined;
}

/** The pair (key and value) at the end of a path, for ranges that should cover the key. */
export function getPair(root: unknown, path: readonly string[]): Pair | undefined {
  const parent = path.length > 1 ? getPath(root, path.slice(0, -1)) : root;
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  return parent.items.find((p) => scalarText(p.key) === last) as Pair | undefined;
}

export function mapsIn(node: unknown): YAMLMap[] {
  return isSeq(node) ? node.items.filter((item): item is YAMLMap => isMap(item)) : [];
}

/** Kinds whose pods come from a template, with where the pod spec sits. */
const podSpecPaths: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export function podSpecPath(kind: string): readonly string[] | undefined {
  return podSpecPaths[kind];
}

export function podSpecOf(object: KubeObject): YAMLMap | undefined {
  const path = podSpecPath(object.kind);
  const spec = path ? getPath(object.root, path) : undefined;
  return isMap(spec) ? spec : undefined;
}

/** A container's command line: `command` then `args`, as the kubelet joins them. */
export function containerArgv(container: YAMLMap): string[] {
  const words = (key: string) => {
    const node = container.get(key, true);
    return isSeq(node) ? node.items.map((item) => scalarText(item) ?? '') : [];
  };
  return [...words('command'), ...words('args')];
}
