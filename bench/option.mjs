/**
 * Takes `--NAME VALUE` out of argv (so what remains can be checked for
 * leftovers) and returns VALUE, or `fallback` when the option is absent.
 */
export function takeOption(argv, name, fallback) {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = argv[at + 1];
  argv.splice(at, 2);
  return value ?? fallback;
}
