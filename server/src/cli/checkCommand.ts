import { readFile, stat } from 'node:fs/promises';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { includedFiles } from '../host/includedFiles';
import { createShellChecker } from '../host/shellChecker';
import { detectLanguage, languageIds, serviceFor } from '../lang';
import type { CliCommand } from './command';
import { formatReports, type FileReport } from './report';
import { flag, oneOf, parseArgs, UsageError } from './usage';

/** Reads one file given on the command line and tells its language, or explains why not. */
export async function readConfigFile(file: string, forced: string | undefined): Promise<{ language: string; text: string }> {
  const language = forced ?? detectLanguage(file);
  if (!language) {
    throw new UsageError(`cannot tell the language of ${file} from its name: pass --language (${languageIds().join(', ')})`);
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${file}: no such file`);
  return { language, text: await readFile(file, 'utf8') };
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check config files and print their diagnostics',
  usage: 'check [--format text|json|sarif] [--language ID] FILE...',
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['format', 'language'], booleans: [] });
    const format = oneOf(flag(args, 'format'), ['text', 'json', 'sarif'] as const, 'format', 'text');
    const forced = flag(args, 'language');
    if (forced !== undefined && !serviceFor(forced)) {
      throw new UsageError(`unknown language "${forced}" (known: ${languageIds().join(', ')})`);
    }
    if (args.positionals.length === 0) throw new UsageError('no file given');
    const reports: FileReport[] = [];
    const options = { shell: createShellChecker() };
    for (const file of args.positionals) {
      const { language, text } = await readConfigFile(file, forced);
      const service = serviceFor(language);
      if (service?.validateWithIncludes) {
        // dhcpd.conf: the files it includes are checked with it, each reported under its own name.
        for (const { document, diagnostics } of await service.validateWithIncludes(file, text, includedFiles(), options)) reports.push({ file: document, language, diagnostics });
        continue;
      }
      const diagnostics = await (service?.validate(text, options) ?? Promise.resolve([]));
      reports.push({ file, language, diagnostics });
    }
    io.stdout(formatReports(reports, format));
    const failed = reports.some((r) => r.diagnostics.some((d) => d.severity === DiagnosticSeverity.Error));
    return failed ? 1 : 0;
  },
};
