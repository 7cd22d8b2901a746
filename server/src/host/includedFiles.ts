import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IncludedFiles } from '../lang/core/service';

/**
 * Reads the files a config includes, for the language service (which does no
 * I/O). Names are paths, or `file:` URIs when the including document was
 * named by one (the editor's case). A relative include is taken from the
 * including file's folder; `open` gives the text of a file the editor holds,
 * unsaved changes included, before the disk is asked.
 */
export function includedFiles(open: (uri: string) => string | undefined = () => undefined): IncludedFiles {
  const isUri = (name: string) => name.startsWith('file:');
  const pathOf = (name: string) => (isUri(name) ? fileURLToPath(name) : name);
  return {
    resolve(from, path) {
      const target = isAbsolute(path) ? path : resolve(dirname(pathOf(from)), path);
      if (isUri(from)) return pathToFileURL(target).href;
      // A file named relatively on the command line has its includes named relatively too.
      return isAbsolute(from) ? target : relative(process.cwd(), target);
    },
    async read(name) {
      const held = isUri(name) ? open(name) : undefined;
      if (held !== undefined) return held;
      try {
        return await readFile(pathOf(name), 'utf8');
      } catch {
        // A directory, a missing file or one we may not read: dhcpd cannot read it either.
        return undefined;
      }
    },
    describe: (name) => basename(pathOf(name)),
  };
}
