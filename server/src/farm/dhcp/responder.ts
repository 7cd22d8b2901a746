import type { DhcpdConfig } from '../../lang/dhcpd/ast';
import { evaluateLease } from '../../lang/dhcpd/lease/evaluateLease';
import { optionsToSend } from '../../lang/dhcpd/lease/replyOptions';
import type { LeaseDecision, LeaseOffer, LeaseRequest } from '../../lang/dhcpd/leaseTypes';
import { parseDhcpdConf } from '../../lang/dhcpd/parser';
import type { FarmEvent, FarmEventSink } from '../events';
import { OFFER_HOLD_MS, type LeaseStore } from './leaseStore';
import {
  BOOTREPLY,
  BOOTREQUEST,
  BROADCAST_FLAG,
  decodeMessage,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  type DhcpMessage,
  type DhcpOption,
  findOption,
  hardwareAddress,
  ipToString,
  MessageType,
  messageTypeNames,
  messageTypeOf,
  Opt,
  parseIpv4,
  ZERO_ADDRESS,
} from './packet';

/**
 * The DHCP server's decisions, without sockets: a datagram in, at most one
 * reply (with where RFC 2131 section 4.1 says it goes) out, and an event for
 * every decision naming the dhcpd.conf line that made it. It never throws on
 * what arrives from the network.
 */

export interface Destination {
  readonly address: string;
  readonly port: number;
  /** Unicast to a client that has no address yet: the caller must teach the kernel its MAC first. */
  readonly hardwareAddress?: string;
}

export interface Reply {
  readonly message: DhcpMessage;
  readonly to: Destination;
}

export interface ResponderOptions {
  readonly configText: string;
  /** Named in every event, so the timeline can open the line. */
  readonly configFile: string;
  /** The farm interface's address: it picks the subnet and is the server identifier. */
  readonly interfaceAddress: string;
  readonly leases: LeaseStore;
  readonly events: FarmEventSink;
  readonly now?: () => number;
}

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder('latin1').decode(bytes) : undefined);

/** What the evaluator needs to know of a request. */
export function leaseRequestOf(message: DhcpMessage, interfaceAddress: string, raw?: Uint8Array): LeaseRequest {
  const arch = findOption(message, Opt.CLIENT_ARCH);
  const requested = findOption(message, Opt.REQUESTED_ADDRESS);
  const leaseTime = findOption(message, Opt.LEASE_TIME);
  const prl = findOption(message, Opt.PARAMETER_REQUEST_LIST);
  const userClass = text(findOption(message, Opt.USER_CLASS));
  const vendorClass = text(findOption(message, Opt.VENDOR_CLASS));
  const hostname = text(findOption(message, Opt.HOST_NAME));
  return {
    mac: hardwareAddress(message),
    interfaceAddress,
    hardwareType: message.htype,
    rawOptions: new Map(message.options.map((o) => [o.code, o.data])),
    ...(arch && arch.length >= 2 ? { arch: ((arch[0] as number) << 8) | (arch[1] as number) } : {}),
    ...(userClass !== undefined ? { userClass } : {}),
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(requested?.length === 4 ? { requestedAddress: ipToString(requested) } : message.ciaddr !== ZERO_ADDRESS ? { requestedAddress: message.ciaddr } : {}),
    ...(leaseTime?.length === 4 ? { requestedLeaseTime: new DataView(leaseTime.buffer, leaseTime.byteOffset, 4).getUint32(0) } : {}),
    ...(prl ? { parameterRequestList: [...prl] } : {}),
    ...(raw ? { packet: raw } : {}),
  };
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export class DhcpResponder {
  private config: DhcpdConfig;
  private configText: string;
  private readonly serverId: Uint8Array;

  constructor(private readonly options: ResponderOptions) {
    const id = parseIpv4(options.interfaceAddress);
    if (!id) throw new Error(`the interface address "${options.interfaceAddress}" is not an IPv4 address`);
    this.serverId = id;
    this.configText = options.configText;
    this.config = parseDhcpdConf(options.configText).tree;
  }

  /** The farm passes the new text whenever the user saves dhcpd.conf. */
  updateConfig(configText: string): void {
    if (configText === this.configText) return;
    this.configText = configText;
    this.config = parseDhcpdConf(configText).tree;
    this.emit({ kind: 'config', message: `re-read ${this.options.configFile}` });
  }

  private emit(event: Omit<FarmEvent, 'time' | 'layer'>): void {
    try {
      this.options.events({ time: (this.options.now ?? Date.now)(), layer: 'dhcp', ...event });
    } catch {
      // A failing listener must not take the server down.
    }
  }

  private origin(line: number | undefined): { file: string; line: number } | undefined {
    return line === undefined || line < 0 ? undefined : { file: this.options.configFile, line };
  }

  /** Handles one datagram; never throws. */
  handle(datagram: Buffer): Reply | undefined {
    try {
      return this.handleUnsafe(datagram);
    } catch (error) {
      this.emit({ kind: 'error', level: 'error', message: `internal error on a ${datagram.length}-byte datagram: ${(error as Error).message}` });
      return undefined;
    }
  }

  private handleUnsafe(datagram: Buffer): Reply | undefined {
    const decoded = decodeMessage(datagram);
    if (!decoded.ok) {
      this.emit({ kind: 'bad-packet', level: 'warning', message: `ignored a malformed datagram: ${decoded.error}` });
      return undefined;
    }
    const message = decoded.message;
    if (message.op !== BOOTREQUEST) return undefined;
    const type = messageTypeOf(message);
    const mac = hardwareAddress(message);
    if (message.hlen === 0 || type === undefined) {
      this.emit({ kind: 'ignored', node: mac, message: type === undefined ? `BOOTP request from ${mac} ignored: the preview answers DHCP only` : `request without a hardware address ignored` });
      return undefined;
    }
    // A relayed request belongs to the relay's network, as dhcpd picks the subnet by giaddr.
    const network = message.giaddr !== ZERO_ADDRESS ? message.giaddr : this.options.interfaceAddress;
    const request = leaseRequestOf(message, network, new Uint8Array(datagram));
    switch (type) {
      case MessageType.DISCOVER:
        return this.discover(message, request);
      case MessageType.REQUEST:
        return this.request(message, request);
      case MessageType.RELEASE:
        this.release(message);
        return undefined;
      case MessageType.DECLINE:
        this.decline(message);
        return undefined;
      case MessageType.INFORM:
        return this.inform(message, request);
      default:
        this.emit({ kind: 'ignored', node: mac, message: `${messageTypeNames[type] ?? `message type ${type}`} from ${mac} ignored: servers do not answer it` });
        return undefined;
    }
  }

  private evaluate(request: LeaseRequest): LeaseDecision {
    return evaluateLease(this.config, request, this.options.leases);
  }

  private refused(kind: string, mac: string, decision: Extract<LeaseDecision, { kind: 'none' }>): undefined {
    const origin = this.origin(decision.origin?.line);
    this.emit({ kind, node: mac, level: 'warning', message: `no answer to ${mac}: ${decision.reason}`, ...(origin ? { origin } : {}) });
    return undefined;
  }

  /** Event data that lets the timeline show where each value came from. */
  private describe(offer: LeaseOffer): Record<string, unknown> {
    const at = (o: { origin: { line: number } }) => o.origin.line;
    return {
      address: offer.address.value,
      addressLine: at(offer.address),
      subnet: `${offer.subnet.address}/${offer.subnet.netmask}`,
      ...(offer.host ? { host: offer.host.name, hostLine: at(offer.host) } : {}),
      ...(offer.nextServer ? { nextServer: offer.nextServer.value, nextServerLine: at(offer.nextServer) } : {}),
      ...(offer.filename ? { filename: offer.filename.value, filenameLine: at(offer.filename) } : {}),
      classes: offer.classes.map((c) => c.name),
      branches: offer.branches.map((b) => ({ condition: b.condition, line: b.origin.line })),
      options: offer.options.map((o) => ({ name: o.name, code: o.code, value: o.text, line: o.origin.line })),
      leaseTime: offer.leaseTime.value,
      ...(offer.notes.length ? { notes: offer.notes } : {}),
    };
  }

  /** The line that decided most: the file name (what boots), else the address. */
  private decidingLine(offer: LeaseOffer): number {
    return offer.filename?.origin.line ?? offer.address.origin.line;
  }

  /**
   * An infinite lease (0xffffffff) goes out as dhcpd 4.4 sends it: the
   * seconds left until its end of time, 2038-01-19 (MAX_TIME, 0x7fffffff).
   */
  private wireLeaseTime(seconds: number): number {
    if (seconds < 0xffffffff) return seconds;
    return Math.max(0, 0x7fffffff - Math.floor((this.options.now ?? Date.now)() / 1000));
  }

  private reply(request: DhcpMessage, type: number, offer: LeaseOffer | undefined, extra: { yiaddr?: string; ciaddr?: string; leaseTime?: boolean } = {}): Reply {
    const serverId = offer?.serverIdentifier ? (parseIpv4(offer.serverIdentifier.value) ?? this.serverId) : this.serverId;
    const options: DhcpOption[] = [
      { code: Opt.MESSAGE_TYPE, data: Uint8Array.of(type) },
      { code: Opt.SERVER_ID, data: serverId },
    ];
    if (offer && extra.leaseTime !== false) options.push({ code: Opt.LEASE_TIME, data: u32(this.wireLeaseTime(offer.leaseTime.value)) });
    if (offer) {
      const prl = findOption(request, Opt.PARAMETER_REQUEST_LIST);
      // Without option 57 a client only promises to take 576-byte IP datagrams (RFC 2131 2):
      // like dhcpd, leave out what does not fit rather than send what the client drops.
      const maxSize = findOption(request, Opt.MAX_MESSAGE_SIZE);
      const limit = Math.max(576, maxSize?.length === 2 ? ((maxSize[0] as number) << 8) | (maxSize[1] as number) : 0) - 28;
      let used = 240 + 1 + options.reduce((n, o) => n + 2 + o.data.length, 0);
      for (const o of optionsToSend(offer.options, prl ? [...prl] : undefined)) {
        const size = o.data.length + 2 * Math.max(1, Math.ceil(o.data.length / 255));
        if (used + size > limit) {
          this.emit({ kind: 'option-dropped', node: hardwareAddress(request), level: 'warning', message: `option ${o.name} (${o.code}) left out: the reply would exceed the client's ${limit + 28}-byte limit`, ...(this.origin(o.origin.line) ? { origin: this.origin(o.origin.line) } : {}) });
          continue;
        }
        used += size;
        options.push({ code: o.code, data: o.data });
      }
    }
    const clip = (s: string | undefined, size: number) => {
      const bytes = new TextEncoder().encode(s ?? '');
      return bytes.length < size ? new TextDecoder('latin1').decode(bytes) : '';
    };
    const message: DhcpMessage = {
      op: BOOTREPLY,
      htype: request.htype,
      hlen: request.hlen,
      hops: 0,
      xid: request.xid,
      secs: 0,
      flags: request.flags,
      ciaddr: extra.ciaddr ?? ZERO_ADDRESS,
      yiaddr: extra.yiaddr ?? ZERO_ADDRESS,
      siaddr: type === MessageType.NAK ? ZERO_ADDRESS : (offer?.nextServer?.value ?? ZERO_ADDRESS),
      giaddr: request.giaddr,
      chaddr: request.chaddr,
      sname: type === MessageType.NAK ? '' : clip(offer?.serverName?.value, 64),
      file: type === MessageType.NAK ? '' : clip(offer?.filename?.value, 128),
      options,
    };
    return { message, to: this.destination(request, message, type) };
  }

  /** RFC 2131 4.1: relay, then ciaddr, then broadcast bit, else unicast to the new address at the client's MAC. */
  private destination(request: DhcpMessage, reply: DhcpMessage, type: number): Destination {
    if (request.giaddr !== ZERO_ADDRESS) return { address: request.giaddr, port: DHCP_SERVER_PORT };
    if (type === MessageType.NAK) return { address: '255.255.255.255', port: DHCP_CLIENT_PORT };
    if (request.ciaddr !== ZERO_ADDRESS) return { address: request.ciaddr, port: DHCP_CLIENT_PORT };
    if ((request.flags & BROADCAST_FLAG) !== 0 || reply.yiaddr === ZERO_ADDRESS || request.htype !== 1 || request.hlen !== 6) {
      return { address: '255.255.255.255', port: DHCP_CLIENT_PORT };
    }
    return { address: reply.yiaddr, port: DHCP_CLIENT_PORT, hardwareAddress: hardwareAddress(request) };
  }

  private discover(message: DhcpMessage, request: LeaseRequest): Reply | undefined {
    const mac = request.mac;
    const decision = this.evaluate(request);
    if (decision.kind === 'none') return this.refused('no-lease', mac, decision);
    this.options.leases.record(mac, decision.address.value, 'offered', OFFER_HOLD_MS / 1000);
    const origin = this.origin(this.decidingLine(decision));
    this.emit({
      kind: 'offer',
      node: mac,
      message: `DHCPOFFER ${decision.address.value} to ${mac}${decision.filename ? `, boot file ${decision.filename.value}` : ''}${decision.nextServer ? ` from ${decision.nextServer.value}` : ''}`,
      ...(origin ? { origin } : {}),
      data: this.describe(decision),
    });
    return this.reply(message, MessageType.OFFER, decision, { yiaddr: decision.address.value });
  }

  private request(message: DhcpMessage, request: LeaseRequest): Reply | undefined {
    const mac = request.mac;
    const serverId = findOption(message, Opt.SERVER_ID);
    const requested = request.requestedAddress;
    if (serverId && !(serverId.length === 4 && serverId.every((b, i) => b === this.serverId[i]))) {
      // The client took another server's offer: ours is free again.
      const offered = this.options.leases.previousAddress(mac);
      if (offered && this.options.leases.leaseOf(offered)?.binding === 'offered') this.options.leases.release(mac, offered);
      this.emit({ kind: 'ignored', node: mac, message: `DHCPREQUEST from ${mac} is for server ${serverId.length === 4 ? ipToString(serverId) : '?'}, not this one` });
      return undefined;
    }
    if (!requested) {
      this.emit({ kind: 'ignored', node: mac, level: 'warning', message: `DHCPREQUEST from ${mac} names no address (neither option 50 nor ciaddr)` });
      return undefined;
    }
    const decision = this.evaluate(request);
    if (decision.kind === 'none') {
      // dhcpd NAKs a client asking for an address it cannot give only when authoritative; it cannot tell here.
      return this.refused('no-lease', mac, decision);
    }
    if (decision.address.value !== requested) {
      const origin = this.origin(decision.address.origin.line);
      this.emit({
        kind: decision.authoritative ? 'nak' : 'ignored',
        node: mac,
        level: 'warning',
        message: `DHCPREQUEST for ${requested} from ${mac}: this client gets ${decision.address.value}; ${decision.authoritative ? 'DHCPNAK' : 'no answer (the config is not authoritative)'}`,
        ...(origin ? { origin } : {}),
      });
      return decision.authoritative ? this.reply(message, MessageType.NAK, undefined) : undefined;
    }
    this.options.leases.record(mac, requested, 'bound', decision.leaseTime.value);
    const origin = this.origin(this.decidingLine(decision));
    this.emit({
      kind: 'lease',
      node: mac,
      message: `DHCPACK ${requested} to ${mac} for ${decision.leaseTime.value === 0xffffffff ? 'ever' : `${decision.leaseTime.value} s`}${decision.filename ? `, boot file ${decision.filename.value}` : ''}`,
      ...(origin ? { origin } : {}),
      data: this.describe(decision),
    });
    return this.reply(message, MessageType.ACK, decision, { yiaddr: requested, ciaddr: message.ciaddr });
  }

  private release(message: DhcpMessage): void {
    const mac = hardwareAddress(message);
    const released = this.options.leases.release(mac, message.ciaddr);
    this.emit({ kind: 'release', node: mac, message: released ? `DHCPRELEASE of ${message.ciaddr} by ${mac}` : `DHCPRELEASE of ${message.ciaddr} by ${mac}: not its lease, ignored` });
  }

  private decline(message: DhcpMessage): void {
    const mac = hardwareAddress(message);
    const requested = findOption(message, Opt.REQUESTED_ADDRESS);
    if (requested?.length !== 4) {
      this.emit({ kind: 'ignored', node: mac, level: 'warning', message: `DHCPDECLINE from ${mac} without option 50 ignored` });
      return;
    }
    const address = ipToString(requested);
    // dhcpd abandons a declined address for abandon-lease-time (a day by default).
    this.options.leases.record(mac, address, 'declined', 86400);
    this.emit({ kind: 'decline', node: mac, level: 'warning', message: `DHCPDECLINE of ${address} by ${mac}: another machine uses it; it is not handed out for a day` });
  }

  private inform(message: DhcpMessage, request: LeaseRequest): Reply | undefined {
    const mac = request.mac;
    if (message.ciaddr === ZERO_ADDRESS) {
      this.emit({ kind: 'ignored', node: mac, level: 'warning', message: `DHCPINFORM from ${mac} without ciaddr ignored` });
      return undefined;
    }
    // The client has its address; evaluate as if it held it, for its options.
    const decision = this.evaluate({ ...request, requestedAddress: message.ciaddr });
    if (decision.kind === 'none') return this.refused('no-lease', mac, decision);
    const origin = this.origin(this.decidingLine(decision));
    this.emit({ kind: 'inform', node: mac, message: `DHCPACK (inform) to ${mac} at ${message.ciaddr}`, ...(origin ? { origin } : {}), data: this.describe(decision) });
    return this.reply(message, MessageType.ACK, decision, { ciaddr: message.ciaddr, leaseTime: false });
  }
}
