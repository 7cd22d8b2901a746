import type { DhcpdConfig, Statement } from '../../lang/dhcpd/ast';
import type { SubnetFacts } from './addressPlan';

/**
 * Reads what the private network needs from a parsed dhcpd.conf: the first
 * subnet with its ranges, and every fixed-address and next-server in the file.
 * Returns undefined when the config declares no IPv4 subnet.
 */
export function subnetFacts(tree: DhcpdConfig, file: string): SubnetFacts | undefined {
  let subnet: SubnetFacts['subnet'] | undefined;
  const ranges: { first: string; last: string; line: number }[] = [];
  const fixedAddresses: { address: string; line: number }[] = [];
  const nextServers: { address: string; line: number }[] = [];

  const visit = (statements: readonly Statement[], inFirstSubnet: boolean): void => {
    for (const statement of statements) {
      switch (statement.kind) {
        case 'declaration': {
          const isFirst = statement.type === 'subnet' && subnet === undefined && statement.name !== undefined && statement.netmask !== undefined;
          if (isFirst) subnet = { address: statement.name!.value, netmask: statement.netmask!.value, line: statement.range.start.line };
          visit(statement.body, inFirstSubnet || isFirst);
          break;
        }
        case 'if':
          for (const branch of statement.branches) visit(branch.body, inFirstSubnet);
          break;
        case 'switch':
          visit(statement.body, inFirstSubnet);
          break;
        case 'range':
          if (inFirstSubnet && statement.low) {
            ranges.push({ first: statement.low.value, last: (statement.high ?? statement.low).value, line: statement.range.start.line });
          }
          break;
        case 'parameter': {
          const values = statement.values.filter((t) => t.kind !== 'punct');
          if (statement.name === 'fixed-address') {
            for (const value of values) fixedAddresses.push({ address: value.value, line: value.range.start.line });
          } else if (statement.name === 'next-server' && values[0]) {
            nextServers.push({ address: values[0].value, line: statement.range.start.line });
          }
          break;
        }
        default:
          break;
      }
    }
  };
  visit(tree.statements, false);
  return subnet && { file, subnet, ranges, fixedAddresses, nextServers };
}
