import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dhcpdService } from '../../../server/src/lang/dhcpd/dhcpdLanguage';
import { EXPLAIN_DHCP_COMMAND } from '../../../server/src/lang/dhcpd/explainCommand';

test('every host with an Ethernet address gets an "Explain DHCP answer" lens on its keyword', () => {
  const text = `subnet 192.168.67.0 netmask 255.255.255.0 {
  host node01 { hardware ethernet 52:54:00:00:00:01; fixed-address 192.168.67.21; }
  group {
    host node02 {
      hardware ethernet 52:54:00:00:00:02;
    }
  }
  host anonymous { fixed-address 192.168.67.30; }
  host broken { hardware ethernet 52:54:zz; }
}
`;
  const lenses = dhcpdService.codeLenses?.(text, 'file:///farm/dhcpd.conf') ?? [];
  assert.deepEqual(
    lenses.map((l) => ({ line: l.range.start.line, character: l.range.start.character, command: l.command?.command, args: l.command?.arguments })),
    [
      { line: 1, character: 2, command: EXPLAIN_DHCP_COMMAND, args: [{ uri: 'file:///farm/dhcpd.conf', mac: '52:54:00:00:00:01', host: 'node01' }] },
      { line: 3, character: 4, command: EXPLAIN_DHCP_COMMAND, args: [{ uri: 'file:///farm/dhcpd.conf', mac: '52:54:00:00:00:02', host: 'node02' }] },
    ],
  );
});
