import type { RuleCatalog } from '../core/diagnostics';

/**
 * Every diagnostic dhcpd.conf can get. Codes are stable (users turn them off
 * by code; tests assert these templates). Errors are what makes `dhcpd -t`
 * refuse the file; warnings are what dhcpd accepts but rarely means.
 */
export const dhcpdRules = {
  DHCP001: { severity: 'error', message: 'Missing `;` after {what}: dhcpd stops with "semicolon expected" at the next word. Add `;` at the end of the statement.' },
  DHCP002: { severity: 'error', message: 'This `{` of {what} is never closed: dhcpd reads on to {where} and stops. Add `}` where the {what} ends.' },
  DHCP003: { severity: 'error', message: 'Unexpected {found}: {expected}' },
  DHCP004: { severity: 'error', message: 'The string is never closed: dhcpd reads the rest of the file into it. Close it with `"` on this line.' },
  DHCP005: { severity: 'error', message: 'This `}` closes no block: dhcpd stops with "expecting a parameter or declaration". Remove it, or add the `{` it was meant to close.' },
  DHCP006: { severity: 'error', message: 'Unknown statement `{name}`: dhcpd takes it for a variable and stops with "semicolon expected".{suggestion}' },
  DHCP007: { severity: 'warning', message: '`{name};` is not a dhcpd statement: dhcpd reads it as a variable reference and ignores it, so it has no effect.{suggestion} Fix the name or remove the line.' },
  DHCP008: { severity: 'error', message: 'Unknown option `{name}`: dhcpd stops with "no option named {local} in space {space}".{suggestion} To use your own option, define it at the top of the file: `option {name} code N = TYPE;`.' },
  DHCP009: { severity: 'error', message: '`option {name}` is not predefined: dhcpd stops with "no option named {name} in space dhcp". Define it at the top of the file: `option {name} code 93 = unsigned integer 16;` (or use the predefined `pxe-system-type`).' },
  DHCP010: { severity: 'error', message: '`next-server` is a parameter, not an option: dhcpd stops with "unknown option dhcp.next-server". Write `next-server ADDRESS;` without `option`.' },
  DHCP011: { severity: 'error', message: '`{value}` is not {expected}: `{name}` takes {type}. {fix}' },
  DHCP012: { severity: 'error', message: 'Option definitions may not be scoped: dhcpd stops here. Move `{text}` to the top of the file, outside every block.' },
  DHCP013: { severity: 'error', message: 'Range address {address} is not in {subnet}: dhcpd stops with "bad range". Use addresses {inside}, or fix the subnet.' },
  DHCP014: { severity: 'error', message: 'Subnet {address} does not match netmask {netmask}: dhcpd stops with "bad subnet number/mask combination". Write the network number: `subnet {network} netmask {netmask}`.' },
  DHCP015: { severity: 'warning', message: 'Subnet {subnet} overlaps subnet {other} (line {line}): dhcpd warns and may answer a client from the wrong one. Make them disjoint.' },
  DHCP016: { severity: 'error', message: 'This range overlaps the range on line {line} ({overlap}): dhcpd stops with "lease {first} is declared twice". Make the ranges disjoint.' },
  DHCP017: { severity: 'warning', message: 'Hardware address {mac} is also declared by host `{other}` (line {line}): dhcpd answers with only one of them. Remove or fix one host.' },
  DHCP018: { severity: 'warning', message: 'Fixed address {address} is also given to host `{other}` (line {line}): two clients would fight over it. Give each host its own address.' },
  DHCP019: { severity: 'warning', message: 'Host `{name}` has no `hardware ethernet` (nor a client identifier){fixed}: dhcpd can never match it to a client. Add `hardware ethernet xx:xx:xx:xx:xx:xx;`.' },
  DHCP020: { severity: 'warning', message: '`filename` is set but no `next-server` applies here: dhcpd 4.x then sends 0.0.0.0 as the boot server (siaddr), and only some PXE ROMs fall back to the DHCP server itself. Add `next-server ADDRESS;` to this scope or an enclosing one.' },
  DHCP021: { severity: 'warning', message: '`next-server` is set but no `filename` is given anywhere: PXE clients learn where to fetch but not what. Add `filename "pxelinux.0";` (or your boot file).' },
  DHCP022: { severity: 'warning', message: 'This {chain} tests the client architecture but has no branch for {missing} clients and no `else`: they get {what}. Add `elsif option {option} = {value} {...}` or an `else` branch.' },
  DHCP023: { severity: 'warning', message: '`{value}` is not a lease time: dhcpd stores it as {unsigned} seconds. Use a positive number of seconds, or `infinite` (-1) for leases that never expire.' },
  DHCP024: { severity: 'error', message: '`{what}` is not allowed {where}: dhcpd stops with "{what} declarations not allowed here". {fix}' },
  DHCP025: { severity: 'error', message: 'No option space named `{space}`: dhcpd stops here. Declare it at the top of the file with `option space {space};`.{suggestion}' },
  DHCP026: { severity: 'error', message: '`{word}` cannot follow {verb}: dhcpd stops with "expecting allow/deny key".{suggestion} Use one of: {known}.' },
  DHCP027: { severity: 'error', message: 'Option code {code} is out of range for space {space}: codes go from 1 to {max}. Pick a code in range.' },
  DHCP028: { severity: 'error', message: 'Unknown option type `{type}`: dhcpd cannot read the definition. Use one of: unsigned integer 8|16|32, signed integer 8|16|32, boolean, ip-address, ip6-address, text, string, domain-name, domain-list, encapsulate SPACE, array of TYPE, { TYPE, ... }.' },
  DHCP029: { severity: 'warning', message: '`{name} = ...` sets a variable named {name}; it does not set the option, so the client never gets it. Write `option {name} {value};`.' },
  DHCP030: { severity: 'error', message: 'Cannot open `{path}`: there is no {resolved}. dhcpd stops with "Can\'t open {path}: No such file or directory" (it opens a relative path from its working directory, not from this file\'s folder). Create the file, or fix the path; an absolute path works wherever dhcpd runs.' },
  DHCP031: { severity: 'error', message: '`{path}` is already being read ({chain}): this include closes a cycle, and dhcpd would read the same files over and over. Remove the include that closes the cycle.' },
} as const satisfies RuleCatalog<string>;

export type DhcpdCode = keyof typeof dhcpdRules;
