import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPLAIN_DHCP_COMMAND, type ExplainDhcpArgs } from '../../../server/src/lang/dhcpd/explainCommand';
import { netbootFarm, openFile } from '../support/editor';

const CONFIG = `option arch code 93 = unsigned integer 16;
subnet 192.168.67.0 netmask 255.255.255.0 {
  next-server 192.168.67.1;
  if option arch = 00:07 {
    filename "grub/core.efi";
  } else {
    filename "pxelinux.0";
  }
  host node01 {
    hardware ethernet 52:54:00:00:00:01;
    fixed-address 192.168.67.21;
  }
}
`;

interface Explained {
  readonly decision: { readonly kind: string; readonly address?: { value: string; at: string }; readonly filename?: { value: string; at: string } };
}

describe('Explain DHCP answer', () => {
  before(() => netbootFarm());

  it('the host lens runs the evaluator and names the lines behind the answer, per firmware', async () => {
    const editor = await openFile('explain/dhcpd.conf', CONFIG);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    const lens = lenses.find((l) => l.command?.command === EXPLAIN_DHCP_COMMAND);
    assert.ok(lens?.command, 'a lens on the host');
    assert.equal(lens.range.start.line, 8);
    const args = lens.command.arguments?.[0] as ExplainDhcpArgs;
    const bios = await vscode.commands.executeCommand<Explained>(EXPLAIN_DHCP_COMMAND, args, 'BIOS PXE');
    assert.equal(bios.decision.kind, 'offer');
    assert.equal(bios.decision.address?.value, '192.168.67.21');
    assert.equal(bios.decision.filename?.value, 'pxelinux.0');
    assert.match(bios.decision.filename?.at ?? '', /dhcpd\.conf:7$/);
    const uefi = await vscode.commands.executeCommand<Explained>(EXPLAIN_DHCP_COMMAND, args, 'UEFI x64 PXE');
    assert.equal(uefi.decision.filename?.value, 'grub/core.efi');
    assert.match(uefi.decision.filename?.at ?? '', /dhcpd\.conf:5$/);
  });
});
