import type { RuleCatalog } from '../core/diagnostics';

/**
 * Every diagnostic lts.conf can get. Codes are stable: users turn them off by
 * code in their settings, and tests assert these very templates.
 */
export const ltsConfRules = {
  LTS001: { severity: 'error', message: '`{key}` is set before the first [section]: getltscfg rejects the whole file from here. Put it under a section such as [Default].' },
  LTS002: { severity: 'error', message: 'Section [{name}] is empty: getltscfg needs at least one KEY = VALUE per section and ignores the rest of the file. Add a setting or remove the header.' },
  LTS003: { severity: 'error', message: 'getltscfg cannot read {what} and silently ignores the rest of the file. Write `KEY = VALUE` or a `[section]` header.' },
  LTS004: { severity: 'error', message: 'Single quotes are not quotes in lts.conf: getltscfg passes `\'` through to the shell and the value breaks. Use double quotes: KEY = "value".' },
  LTS005: { severity: 'warning', message: 'This quoted value runs to the LAST `"` on the line, so it is `{value}`: a trailing comment or second string is swallowed. Move the comment to its own line.' },
  LTS006: { severity: 'error', message: 'The double quote is never closed: getltscfg stops here. Close it with `"` on this line.' },
  LTS007: { severity: 'error', message: 'An unquoted value cannot hold `{char}`: getltscfg stops here. Put the value in double quotes.' },
  LTS008: { severity: 'error', message: 'The value is missing: getltscfg would take the next line as the value. Write a value, `""` for empty, or `NONE` to unset.' },
  LTS009: { severity: 'error', message: '`{key}` is not a valid variable name: it is exported to the shell, which needs letters, digits and `_`. Rename it.' },
  LTS010: { severity: 'warning', message: 'Unknown variable `{key}`: LTSP exports it and ignores it.{suggestion}' },
  LTS011: { severity: 'warning', message: '`{key}` is not upstream LTSP: it needs {patch}, or it is silently ignored.{replacement}' },
  LTS012: { severity: 'warning', message: '`{key}` {status}.{replacement} Use the name the code reads, so the setting works on every LTSP 5 release.' },
  LTS013: { severity: 'warning', message: '`{value}` is read as {meaning} by LTSP\'s scripts, which only accept true/y/yes (any case) as true. Write `True` or `False`.' },
  LTS014: { severity: 'warning', message: '`{key}` takes a whole number{bounds}; `{value}` is not one.' },
  LTS015: { severity: 'warning', message: '`{value}` is not a value of `{key}`. Use one of: {values}.' },
  LTS016: { severity: 'warning', message: '`{key}` is read in the initramfs, before this lts.conf is fetched by TFTP, so it has no effect here. Set it in the image\'s initramfs or on the kernel command line (`ltsp.{lower}=...`).' },
  LTS017: { severity: 'warning', message: '`{key}` is already set on line {line} of this section; getltscfg keeps only the last one. Remove one of them.' },
  LTS018: { severity: 'error', message: 'LIKE = {name}: there is no section [{name}], so nothing is inherited. Add the section or fix the name.{suggestion}' },
  LTS019: { severity: 'error', message: 'LIKE forms a cycle: {cycle}. Remove one LIKE.' },
  LTS020: { severity: 'warning', message: 'Section [{name}] is defined again (first on line {line}); getltscfg only uses the first one. Merge them.' },
  LTS021: { severity: 'warning', message: 'Section [{name}] never applies: the earlier pattern [{by}] (line {line}) matches every client it would, and getltscfg uses only the first matching pattern. Move it above, or merge them.' },
  LTS022: { severity: 'warning', message: 'An fstab line has six fields (device, mount point, type, options, dump, pass); this one has {count}.{hint}' },
  LTS023: { severity: 'warning', message: 'Unknown file system type `{type}`.{suggestion}' },
  LTS024: { severity: 'information', message: 'Unknown mount option `{option}`.{suggestion}' },
  LTS025: { severity: 'hint', message: 'Add `nofail` to the options of `{device}`: without it a client whose disk or server is missing drops to an emergency shell at boot.' },
  LTS026: { severity: 'warning', message: '`{service}` is not a service that LTSP removes, so keeping it changes nothing. Names must match exactly: {known}.{suggestion}' },
  LTS027: { severity: 'warning', message: '`{service}` is listed twice. Remove one.' },
  LTS028: { severity: 'error', message: 'Shell syntax error in this command: {message}. The client runs it at boot and it fails there.' },
  LTS029: { severity: 'warning', message: 'This value holds {secret} in plain text: lts.conf is served by TFTP to anyone on the network. Keep secrets out of it (in Kubernetes, a Secret).' },
  LTS030: { severity: 'warning', message: 'A cron.d line needs five time fields, a user and a command (`30 15 * * * root poweroff`); this one has {count} fields. Add the user field.' },
  LTS031: { severity: 'warning', message: '[{name}] looks like a MAC address but is not one (six two-digit hex bytes separated by `:`), so no client will match it.' },
  LTS032: { severity: 'warning', message: '`{key}` must be the lowercase literal `true`: the initramfs compares it as text. Write `{key} = true`.' },
} as const satisfies RuleCatalog<string>;

export type LtsConfCode = keyof typeof ltsConfRules;
