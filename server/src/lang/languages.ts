import type { LanguageService } from './core/service';

/**
 * The languages the service knows, with the file names each one claims.
 * Detection looks at the path only (no I/O), so the CLI, the language server
 * and the Kubernetes checks agree on what a file is.
 */
export interface LanguageEntry {
  readonly id: string;
  readonly title: string;
  /** True when a file (path with `/` separators) belongs to this language. */
  matches(path: string): boolean;
  readonly service: LanguageService;
}

const registry: LanguageEntry[] = [];

export function registerLanguage(entry: LanguageEntry): void {
  if (registry.some((e) => e.id === entry.id)) throw new Error(`language ${entry.id} registered twice`);
  registry.push(entry);
}

export function languageIds(): string[] {
  return registry.map((e) => e.id);
}

export function languageEntry(id: string): LanguageEntry | undefined {
  return registry.find((e) => e.id === id);
}

export function serviceFor(id: string): LanguageService | undefined {
  return languageEntry(id)?.service;
}

export function detectLanguage(path: string): string | undefined {
  const normalized = path.replace(/\\/g, '/');
  return registry.find((e) => e.matches(normalized))?.id;
}

export function baseName(path: string): string {
  const normalized = path.replace(/\\/g, '/');
  return normalized.slice(normalized.lastIndexOf('/') + 1);
}
