/**
 * The command behind the "Explain DHCP answer" lenses on `host` declarations,
 * shared by the language service (which puts it on the lenses) and the client
 * (which runs it). Kept free of imports so the client bundle does not pull in
 * the parser.
 */
export const EXPLAIN_DHCP_COMMAND = 'netbootFarm.explainDhcp';

export interface ExplainDhcpArgs {
  /** The dhcpd.conf. */
  readonly uri: string;
  /** The host's hardware address; absent when the command is run from the palette. */
  readonly mac?: string;
  readonly host?: string;
}
