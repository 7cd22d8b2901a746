import { serviceFor } from '../lang';
import { readConfigFile } from './checkCommand';
import type { CliCommand } from './command';
import { flag, oneOf, parseArgs, UsageError } from './usage';

export const effectiveCommand: CliCommand = {
  name: 'effective',
  summary: 'print the settings one client gets from an lts.conf or ltsp.conf',
  usage: 'effective --client "MAC IP HOSTNAME" [--format text|json] [--language ID] FILE',
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['client', 'format', 'language'], booleans: [] });
    const client = flag(args, 'client');
    if (!client) throw new UsageError('--client is required: a MAC, an IP and/or a hostname');
    const format = oneOf(flag(args, 'format'), ['text', 'json'] as const, 'format', 'text');
    const [file, ...extra] = args.positionals;
    if (!file || extra.length) throw new UsageError('give exactly one file');
    const { language, text } = await readConfigFile(file, flag(args, 'language'));
    const service = serviceFor(language);
    if (!service?.effectiveSettings) throw new UsageError(`${language} has no per-client settings`);
    const result = service.effectiveSettings(text, client);
    if (format === 'json') {
      io.stdout(JSON.stringify(result, null, 2) + '\n');
      return 0;
    }
    const lines = [`sections applied, in order: ${result.sections.map((s) => `[${s}]`).join(' ') || '(none)'}`];
    for (const s of result.settings) lines.push(`${s.key}=${s.value}    # ${file}:${s.range.start.line + 1}${s.section ? ` [${s.section}]` : ''}`);
    io.stdout(lines.join('\n') + '\n');
    return 0;
  },
};
