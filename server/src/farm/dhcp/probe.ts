import { createSocket } from 'node:dgram';
import { buildRequest, decodeMessage, type DhcpMessage, type DhcpOption, encodeMessage, findOption, MessageType, messageTypeOf, Opt, parseIpv4 } from './packet';

/**
 * A DHCP client for checking a server from the client's side: it sends a
 * DISCOVER shaped like a PXE ROM's or iPXE's (option 93, user class, vendor
 * class, a parameter request list) and, if asked, the REQUEST that follows.
 * It sets the broadcast bit so that an ordinary UDP socket on port 68 hears
 * the answers; the client's interface needs no address, only a route for
 * the broadcast (`ip route add default dev IF`).
 */
export interface ProbeOptions {
  readonly mac: string;
  readonly arch?: number;
  readonly userClass?: string;
  readonly vendorClass?: string;
  readonly parameterRequestList?: readonly number[];
  /** More options to send as they are (iPXE's 175 feature list, a client identifier...). */
  readonly extraOptions?: readonly DhcpOption[];
  /** Also send the REQUEST for the offered address and wait for the ACK/NAK. */
  readonly request?: boolean;
  readonly timeoutMs?: number;
  readonly serverPort?: number;
  readonly clientPort?: number;
  readonly server?: string;
}

export interface ProbeResult {
  readonly offer?: DhcpMessage;
  readonly ack?: DhcpMessage;
}

/** PXE ROMs and iPXE ask for these (and more); without a list dhcpd falls back to its default set. */
export const PXE_PARAMETER_REQUEST_LIST: readonly number[] = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203];

function clientOptions(options: ProbeOptions): DhcpOption[] {
  const ascii = (s: string) => new TextEncoder().encode(s);
  const out: DhcpOption[] = [];
  if (options.arch !== undefined) out.push({ code: Opt.CLIENT_ARCH, data: Uint8Array.of((options.arch >> 8) & 0xff, options.arch & 0xff) });
  if (options.vendorClass !== undefined) out.push({ code: Opt.VENDOR_CLASS, data: ascii(options.vendorClass) });
  if (options.userClass !== undefined) out.push({ code: Opt.USER_CLASS, data: ascii(options.userClass) });
  if (options.parameterRequestList) out.push({ code: Opt.PARAMETER_REQUEST_LIST, data: Uint8Array.from(options.parameterRequestList) });
  out.push(...(options.extraOptions ?? []));
  return out;
}

export function probeDhcp(options: ProbeOptions): Promise<ProbeResult> {
  const xid = (Math.random() * 0xffffffff) >>> 0;
  const serverPort = options.serverPort ?? 67;
  const target = options.server ?? '255.255.255.255';
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  return new Promise<ProbeResult>((resolve, reject) => {
    let offer: DhcpMessage | undefined;
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish(offer ? { offer } : {}), options.timeoutMs ?? 5000);
    const send = (message: DhcpMessage) => socket.send(encodeMessage(message), serverPort, target, (error) => error && (clearTimeout(timer), socket.close(), reject(error)));
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on('message', (datagram) => {
      const decoded = decodeMessage(datagram);
      if (!decoded.ok || decoded.message.xid !== xid || decoded.message.op !== 2) return;
      const type = messageTypeOf(decoded.message);
      if (type === MessageType.OFFER && !offer) {
        offer = decoded.message;
        if (!options.request) return finish({ offer });
        const serverId = findOption(offer, Opt.SERVER_ID);
        send(
          buildRequest({
            mac: options.mac,
            xid,
            flags: 0x8000,
            options: [
              { code: Opt.MESSAGE_TYPE, data: Uint8Array.of(MessageType.REQUEST) },
              { code: Opt.REQUESTED_ADDRESS, data: parseIpv4(offer.yiaddr) as Uint8Array },
              ...(serverId ? [{ code: Opt.SERVER_ID, data: serverId }] : []),
              ...clientOptions(options),
            ],
          }),
        );
      } else if ((type === MessageType.ACK || type === MessageType.NAK) && offer) {
        finish({ offer, ack: decoded.message });
      }
    });
    socket.bind(options.clientPort ?? 68, () => {
      socket.setBroadcast(true);
      send(buildRequest({ mac: options.mac, xid, flags: 0x8000, options: [{ code: Opt.MESSAGE_TYPE, data: Uint8Array.of(MessageType.DISCOVER) }, ...clientOptions(options)] }));
    });
  });
}

/** A reply as JSON-friendly data: hex payloads by option code. */
export function describeReply(message: DhcpMessage): Record<string, unknown> {
  return {
    type: messageTypeOf(message),
    yiaddr: message.yiaddr,
    siaddr: message.siaddr,
    ciaddr: message.ciaddr,
    sname: message.sname,
    file: message.file,
    flags: message.flags,
    options: Object.fromEntries(message.options.map((o) => [String(o.code), Buffer.from(o.data).toString('hex')])),
    optionOrder: message.options.map((o) => o.code),
  };
}
