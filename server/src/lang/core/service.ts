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
 * The files a document pulls in (dhcpd.conf `include "FILE";`), read by the
 * host: the language service does no I/O. Names are URIs in the editor and
 * paths on the command line; the host knows which.
 */
export interface IncludedFiles {
  /** Where `path`, written in `from`, points (relative paths: from `from`'s folder). */
  resolve(from: string, path: string): string;
  /** The text of the file, or undefined when there is none. */
  read(name: string): Promise<string | undefined>;
  /** How to name the file in a message (its base name, usually). */
  describe(name: string): string;
}

/** Diagnostics of one file, found while checking another that includes it (or of that file itself). */
export interface FileDiagnostics {
  readonly document: string;
  readonly diagnostics: Diagnostic[];
}

/**
 * What a language offers. Every method takes plain text and returns plain LSP
 * data: no connection, no file system, no process. `uri` is only used to build
 * workspace edits in code actions.
 */
export interface LanguageService {
  readonly id: string;
  validate(text: string, options?: ServiceOptions): Promise<Diagnostic[]>;
  /**
   * Diagnostics of a document checked together with the files it includes,
   * as the program reading it would see them: the document's own first, then
   * each included file's, under its own name.
   */
  validateWithIncludes?(document: string, text: string, files: IncludedFiles, options?: ServiceOptions): Promise<FileDiagnostics[]>;
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
