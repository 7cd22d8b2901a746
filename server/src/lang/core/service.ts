import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  FormattingOptions,
  Hover,
  Position,
  Range,
  TextEdit,
} from 'vscode-languageserver-types';
import type { EffectiveSettings } from '../conf/effective';
import type { StageGraphView } from '../dockerfile/stageGraphView';
import type { ServiceOptions } from './diagnostics';

/**
 * What a language offers. Every method takes plain text and returns plain LSP
 * data: no connection, no file system, no process. `uri` is only used to build
 * workspace edits in code actions.
 */
export interface LanguageService {
  readonly id: string;
  validate(text: string, options?: ServiceOptions): Promise<Diagnostic[]>;
  complete?(text: string, position: Position): CompletionItem[];
  hover?(text: string, position: Position): Hover | null;
  format?(text: string, options: FormattingOptions): TextEdit[];
  symbols?(text: string): DocumentSymbol[];
  folding?(text: string): FoldingRange[];
  codeActions?(uri: string, text: string, range: Range, diagnostics: readonly Diagnostic[]): CodeAction[];
  /** Lenses whose commands act on the document; `uri` only goes into their arguments. */
  codeLenses?(text: string, uri: string): CodeLens[];
  /** The merged settings one client gets: `client` is a MAC, IP and/or hostname. */
  effectiveSettings?(text: string, client: string): EffectiveSettings;
  /** A Dockerfile's stages and the edges between them. */
  stageGraph?(text: string): StageGraphView;
}

/**
 * Keeps the parse of the most recent texts, so that validation, completion,
 * hover and the rest share one parse per document version.
 */
export function memoizeParse<T>(parse: (text: string) => T, size = 2): (text: string) => T {
  const cache = new Map<string, T>();
  return (text: string) => {
    const hit = cache.get(text);
    if (hit !== undefined) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const tree = parse(text);
    cache.set(text, tree);
    if (cache.size > size) cache.delete(cache.keys().next().value as string);
    return tree;
  };
}
