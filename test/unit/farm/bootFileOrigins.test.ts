/** A TFTP error for the file a DHCP answer named points at that dhcpd.conf line; other TFTP misses do not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BootFileOrigins } from '../../../server/src/farm/bootFileOrigins';
import type { FarmEvent } from '../../../server/src/farm/events';

const lease = (address: string, filename: string | undefined, line: number): FarmEvent => ({
  time: 1,
  layer: 'dhcp',
  kind: 'lease',
  node: '52:54:00:00:00:01',
  message: 'DHCPACK',
  origin: { file: '/farm/dhcpd.conf', line },
  data: { address, ...(filename ? { filename, filenameLine: line } : {}), addressLine: 30 },
});
const notFound = (address: string, path: string): FarmEvent => ({ time: 2, layer: 'tftp', kind: 'error', level: 'warning', node: address, message: `file not found: ${path}`, data: { path } });

test('the boot file a lease named: its TFTP error gets the filename line, level error and data.bootFile', () => {
  const origins = new BootFileOrigins();
  origins.annotate(lease('192.168.67.21', '/ltsp/amd64/missing.ipxe', 16));
  const event = origins.annotate(notFound('192.168.67.21', 'ltsp/amd64/missing.ipxe'));
  assert.deepEqual(event.origin, { file: '/farm/dhcpd.conf', line: 16 });
  assert.equal(event.level, 'error');
  assert.equal(event.data?.bootFile, true);
  assert.match(event.message, /^file not found: ltsp\/amd64\/missing\.ipxe: it is the boot file DHCP gave 192\.168\.67\.21$/);
});

test('other files, other clients, and a later lease without a file stay as they were', () => {
  const origins = new BootFileOrigins();
  origins.annotate(lease('192.168.67.21', 'pxelinux.0', 20));
  const probe = notFound('192.168.67.21', 'pxelinux.cfg/01-52-54-00-00-00-01');
  assert.equal(origins.annotate(probe), probe, 'PXELINUX probes are not the boot file');
  const other = notFound('192.168.67.22', 'pxelinux.0');
  assert.equal(origins.annotate(other), other, 'another client got no lease here');
  origins.annotate(lease('192.168.67.21', undefined, 30));
  const after = notFound('192.168.67.21', 'pxelinux.0');
  assert.equal(origins.annotate(after), after, 'the newer lease named no file');
});
