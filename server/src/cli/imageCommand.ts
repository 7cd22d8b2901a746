import { resolve } from 'node:path';
import { defaultCacheDir, prepareExampleImage } from '../farm/image/exampleImage';
import type { CliCommand } from './command';
import { flag, hasFlag, parseArgs, UsageError } from './usage';

export const imageCommand: CliCommand = {
  name: 'image',
  summary: 'build the small example image (Debian kernel, busybox initramfs and root) used by `boot`',
  usage: 'image example [--out DIR] [--force]',
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['out'], booleans: ['force'] });
    const [what, ...extra] = args.positionals;
    if (what !== 'example' || extra.length) throw new UsageError('the only image this command builds is "example"');
    const out = flag(args, 'out');
    try {
      const image = await prepareExampleImage({ ...(out ? { out: resolve(out) } : {}), force: hasFlag(args, 'force'), log: (line) => io.stderr(`netboot-farm: ${line}\n`) });
      io.stdout(`${image.dir}\n`);
      return 0;
    } catch (error) {
      io.stderr(`netboot-farm image: ${error instanceof Error ? error.message : String(error)}\n(the example image goes to ${out ?? defaultCacheDir()})\n`);
      return 1;
    }
  },
};
