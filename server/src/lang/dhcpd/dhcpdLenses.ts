import type { CodeLens } from 'vscode-languageserver-types';
import type { Statement } from './ast';
import { walkStatements } from './dhcpdModel';
import { EXPLAIN_DHCP_COMMAND, type ExplainDhcpArgs } from './explainCommand';

const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;

/**
 * One lens per `host` with an Ethernet address: what that node would get from
 * this file (address, next-server, filename, options, each with its line), as
 * the farm's DHCP server will answer it.
 */
export function dhcpdCodeLenses(statements: readonly Statement[], uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  walkStatements(statements, (statement) => {
    if (statement.kind !== 'declaration' || statement.type !== 'host') return;
    const hardware = statement.body.find((s) => s.kind === 'parameter' && s.name === 'hardware');
    const mac = hardware?.kind === 'parameter' ? hardware.values[1]?.value : undefined;
    if (!mac || !MAC.test(mac)) return;
    const args: ExplainDhcpArgs = { uri, mac, ...(statement.name ? { host: statement.name.value } : {}) };
    lenses.push({ range: statement.keyword.range, command: { title: 'Explain DHCP answer', command: EXPLAIN_DHCP_COMMAND, arguments: [args] } });
  });
  return lenses;
}
