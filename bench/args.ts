/** Takes `--name value` out of an argument list (so the rest are file names), or gives the fallback. */
export function takeOption(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = args[at + 1] ?? fallback;
  args.splice(at, 2);
  return value;
}
