import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { FarmEventSink } from '../events';
import { LeaseStore } from './leaseStore';
import { encodeMessage } from './packet';
import { addressedInterfaces, assertPrivateNetwork, HostNetworkError } from './privateNetwork';
import { DhcpResponder, type Reply } from './responder';

/**
 * The farm's DHCP server: the responder on UDP port 67 of the farm's private
 * network. It refuses to start anywhere else (see privateNetwork.ts).
 *
 * Two sockets, because of how Linux routes: clients without an address
 * broadcast, and only a socket bound to 0.0.0.0 hears those; but a reply to
 * 255.255.255.255 needs a socket bound to the interface's address, or the
 * kernel has no route for it (ENETUNREACH) in a namespace without a default
 * route.
 */
export interface DhcpServerOptions {
  readonly configText: string;
  readonly configFile: string;
  /** The farm interface's IPv4 address: selects the subnet, is the server identifier. */
  readonly interfaceAddress: string;
  /** Names of the farm's own interfaces start with this (e.g. `nbf`). */
  readonly farmPrefix: string;
  /** Where leases are kept across restarts; undefined keeps them in memory. */
  readonly leaseFile?: string;
  readonly events: FarmEventSink;
  /** 67 unless a test says otherwise. */
  readonly port?: number;
}

export class DhcpServer {
  private readonly sockets: Socket[] = [];

  private constructor(
    private readonly responder: DhcpResponder,
    private readonly interfaceName: string,
    private readonly events: FarmEventSink,
    private readonly sendSocket: Socket,
  ) {}

  static async start(options: DhcpServerOptions): Promise<DhcpServer> {
    const farm = assertPrivateNetwork(options.farmPrefix);
    const owner = farm.find((i) => i.addresses.some((a) => a.split('/')[0] === options.interfaceAddress));
    if (!owner) {
      const seen = addressedInterfaces().map((i) => `${i.name} ${i.addresses.join(' ')}`).join('; ');
      throw new HostNetworkError(`no farm interface (${options.farmPrefix}*) has the address ${options.interfaceAddress} (interfaces: ${seen || 'none'}); give it to the farm interface first`);
    }
    const leases = new LeaseStore(options.leaseFile);
    const responder = new DhcpResponder({ configText: options.configText, configFile: options.configFile, interfaceAddress: options.interfaceAddress, leases, events: options.events });
    const port = options.port ?? 67;
    const onError = (error: Error) => options.events({ time: Date.now(), layer: 'dhcp', kind: 'error', level: 'warning', message: `socket error: ${error.message}` });
    const listen = await bound(port, '0.0.0.0', onError);
    const send = await bound(port, options.interfaceAddress, onError).catch((error: unknown) => {
      listen.close();
      throw error;
    });
    const server = new DhcpServer(responder, owner.name, options.events, send);
    server.sockets.push(listen, send);
    for (const socket of server.sockets) socket.on('message', (datagram) => server.receive(datagram));
    options.events({ time: Date.now(), layer: 'dhcp', kind: 'listening', message: `DHCP server on ${owner.name} (${options.interfaceAddress}) port ${port}, config ${options.configFile}` });
    return server;
  }

  /** Re-reads the config: the farm passes the new text when dhcpd.conf changes. */
  updateConfig(configText: string): void {
    this.responder.updateConfig(configText);
  }

  private receive(datagram: Buffer): void {
    const reply = this.responder.handle(datagram);
    if (reply) void this.send(reply);
  }

  private async send(reply: Reply): Promise<void> {
    try {
      if (reply.to.hardwareAddress) await this.teachNeighbour(reply.to.address, reply.to.hardwareAddress);
      const bytes = encodeMessage(reply.message);
      await new Promise<void>((resolve, reject) => this.sendSocket.send(bytes, reply.to.port, reply.to.address, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      this.events({ time: Date.now(), layer: 'dhcp', kind: 'error', level: 'error', message: `could not send the reply to ${reply.to.address}: ${(error as Error).message}` });
    }
  }

  /**
   * A client without an address cannot answer ARP, so a unicast reply needs
   * the kernel told where the new address is (what dnsmasq does with SIOCSARP).
   */
  private teachNeighbour(address: string, mac: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ip = spawn('ip', ['neigh', 'replace', address, 'lladdr', mac, 'dev', this.interfaceName, 'nud', 'reachable'], { stdio: 'ignore' });
      ip.on('error', reject);
      ip.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ip neigh replace ${address} exited ${code}`))));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.length = 0;
  }
}

function bound(port: number, address: string, onError: (error: Error) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      socket.setBroadcast(true);
      // Errors after binding (ICMP unreachable and the like) are reported, not fatal.
      socket.on('error', onError);
      resolve(socket);
    });
  });
}
