import type { RuleCatalog } from '../core/diagnostics';

/** Every diagnostic ltsp.conf can get, with stable codes. */
export const ltspConfRules = {
  LTSP001: { severity: 'warning', message: '`{key}` is set before the first [section]: LTSP evaluates it on the server and on every client. Put it under [server], [clients] or [common].' },
  LTSP002: { severity: 'error', message: 'ini2sh copies `{text}` into the section pattern, and the generated shell breaks. Keep a [section] header alone on its line.' },
  LTSP003: { severity: 'warning', message: 'An indented assignment is not recognised: the shell runs `{key}` as a command. Start the line at column 0, or write {key}=value without spaces.' },
  LTSP004: { severity: 'error', message: 'The quote {quote} is never closed: the rest of the file becomes part of this value and `ltsp` fails with a shell error. Close it.' },
  LTSP005: { severity: 'error', message: 'Unquoted space in the value of `{key}`: the shell runs `{command}` as a command with {key} set only for it. Quote the value: {key}="...".' },
  LTSP006: { severity: 'error', message: '{what}' },
  LTSP007: { severity: 'warning', message: 'Unknown variable `{key}`: LTSP sets it and nothing reads it.{suggestion}' },
  LTSP008: { severity: 'warning', message: '`{key}` {status}.{replacement} Use the name current LTSP reads, or the setting does nothing.' },
  LTSP009: { severity: 'error', message: '`{key}` is not a valid shell variable name: the line runs as a command. Use letters, digits and `_`, not starting with a digit.' },
  LTSP010: { severity: 'warning', message: '`{key}={value}` turns it {effect}: LTSP tests this flag for {test}. Write `{key}=0` or `{key}=1`.' },
  LTSP011: { severity: 'warning', message: '`{key}` takes a whole number{bounds}; `{value}` is not one.' },
  LTSP012: { severity: 'warning', message: '`{value}` is not a value of `{key}`. Use one of: {values}.' },
  LTSP013: { severity: 'warning', message: '`{key}` is already set on line {line} of this section; the last one wins. Remove one of them.' },
  LTSP014: { severity: 'error', message: 'INCLUDE={name}: there is no section [{name}], so the client fails with "section_{fn}: not found". Add the section or fix the name.{suggestion}' },
  LTSP015: { severity: 'error', message: 'INCLUDE={name} calls `section_{name}`, but ini2sh names that section\'s function `section_{fn}`: characters other than letters, digits and `_` break INCLUDE. Rename the section, e.g. [{fn}].' },
  LTSP016: { severity: 'warning', message: 'Section [{name}] never applies to {what}: the earlier section [{by}] (line {line}) matches first, and LTSP runs only the first match. Move it above, or INCLUDE one from the other.' },
  LTSP017: { severity: 'warning', message: 'Section [{name}] has the same shell function as [{other}] (line {line}), `section_{fn}`: only the later one survives. Rename one.' },
  LTSP018: { severity: 'information', message: '`{key}` takes effect in [{scope}]; here in [{section}] it {effect}.' },
  LTSP019: { severity: 'warning', message: 'An fstab line has six fields (device, mount point, type, options, dump, pass); this one has {count}.{hint}' },
  LTSP020: { severity: 'warning', message: 'Unknown file system type `{type}`.{suggestion}' },
  LTSP021: { severity: 'information', message: 'Unknown mount option `{option}`.{suggestion}' },
  LTSP022: { severity: 'hint', message: 'Add `nofail` to the options of `{device}`: without it a client whose disk or server is missing drops to an emergency shell at boot.' },
  LTSP023: { severity: 'warning', message: '`{service}` is not a known name for `{key}`. Known: {known}.{suggestion}' },
  LTSP024: { severity: 'warning', message: '`{service}` is listed twice. Remove one.' },
  LTSP025: { severity: 'error', message: 'Shell syntax error: {message}. `ltsp` evaluates this file as shell and stops here. Fix the line.' },
  LTSP026: { severity: 'warning', message: 'This value holds {secret} in plain text, and ltsp.conf is copied into ltsp.img for every client. Keep secrets out of it (in Kubernetes, a Secret).' },
  LTSP027: { severity: 'warning', message: 'A cron.d line needs five time fields, a user and a command (`30 15 * * * root poweroff`); this one has {count} fields. Add the user field.' },
  LTSP028: { severity: 'error', message: 'Shell syntax error in this hook: {message}. LTSP evaluates the value when the hook runs on the client, and it fails there.' },
} as const satisfies RuleCatalog<string>;

export type LtspConfCode = keyof typeof ltspConfRules;
