import type { LeaseOption } from '../leaseTypes';

/**
 * Which of the options a config gives a client go into the reply, and in
 * what order, as ISC dhcpd 4.4 chooses (common/options.c cons_options,
 * checked against dhcpd 4.4.3 by test/farm/dhcpRealClients.test.ts):
 * - first, when configured: renewal (58) and rebinding (59) times and
 *   subnet-selection (118), requested or not;
 * - a client with a parameter request list (55) gets the subnet mask (first,
 *   unless it asked for it elsewhere in the list) and what it asked for, in
 *   its order;
 * - a client without one gets subnet mask, routers, DNS servers and host
 *   name, then every other option the config sets. (dhcpd lists those in its
 *   hash table's order; here they follow by code.)
 * The message type, server identifier and lease time are the server's own
 * and come before all of these.
 */

/** Sent whenever the config sets them (after 53, 54 and 51). */
const ALWAYS_FIRST: readonly number[] = [58, 59, 118];
/** dhcpd's default priority list (common/tables.c): for clients without option 55. */
export const DEFAULT_PRIORITY_LIST: readonly number[] = [1, 3, 6, 12, 81];
/** What the server fills in itself; a config value for them is not copied. */
const SERVER_OWNED = new Set([50, 51, 52, 53, 54, 55, 57, 61]);

export function optionsToSend(options: readonly LeaseOption[], parameterRequestList: readonly number[] | undefined): LeaseOption[] {
  const byCode = new Map(options.filter((o) => !SERVER_OWNED.has(o.code)).map((o) => [o.code, o]));
  let order: readonly number[];
  if (parameterRequestList && parameterRequestList.length > 0) {
    order = [...ALWAYS_FIRST, ...(parameterRequestList.includes(1) ? [] : [1]), ...parameterRequestList];
  } else {
    const rest = [...byCode.keys()].filter((c) => !ALWAYS_FIRST.includes(c) && !DEFAULT_PRIORITY_LIST.includes(c)).sort((a, b) => a - b);
    order = [...ALWAYS_FIRST, ...DEFAULT_PRIORITY_LIST, ...rest];
  }
  const out: LeaseOption[] = [];
  const seen = new Set<number>();
  for (const code of order) {
    const option = byCode.get(code);
    if (!option || seen.has(code)) continue;
    seen.add(code);
    out.push(option);
  }
  return out;
}
