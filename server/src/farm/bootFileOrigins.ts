/**
 * The TFTP server knows nothing of dhcpd.conf, yet when a client cannot get
 * the boot file its DHCP answer named, the fix is either in the TFTP tree or
 * on that `filename` line. The farm passes every event through here: a lease
 * remembers which file each address was told to fetch, and a TFTP error for
 * that very file gets the line as its origin (and `data.bootFile`: the client
 * cannot boot).
 */
import type { FarmEvent } from './events';
import { normalizeRequestPath } from './rootPath';

interface BootFile {
  readonly path: string;
  readonly origin: { readonly file: string; readonly line: number };
}

export class BootFileOrigins {
  private readonly byAddress = new Map<string, BootFile>();

  annotate(event: FarmEvent): FarmEvent {
    if (event.layer === 'dhcp' && event.kind === 'lease') this.remember(event);
    if (event.layer !== 'tftp' || event.kind !== 'error' || !event.node || event.origin) return event;
    const bootFile = this.byAddress.get(event.node);
    if (!bootFile || event.data?.path !== bootFile.path) return event;
    // PXELINUX's probes for optional files are warnings; the file DHCP named is what the client boots, so this one is fatal.
    return { ...event, level: 'error', message: `${event.message}: it is the boot file DHCP gave ${event.node}`, origin: bootFile.origin, data: { ...event.data, bootFile: true } };
  }

  private remember(event: FarmEvent): void {
    const { address, filename, filenameLine } = event.data ?? {};
    if (typeof address !== 'string' || !event.origin) return;
    const normal = typeof filename === 'string' ? normalizeRequestPath(filename) : undefined;
    if (!normal?.ok || typeof filenameLine !== 'number') {
      this.byAddress.delete(address);
      return;
    }
    this.byAddress.set(address, { path: normal.path, origin: { file: event.origin.file, line: filenameLine } });
  }
}
