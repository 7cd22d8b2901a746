import type { PreviewNode } from '../../../server/src/farm/previewProtocol';
import { bootSteps } from '../../../server/src/farm/qemu/consoleMilestones';

const FINAL_STEP = bootSteps[bootSteps.length - 1]!;

function vms(count: number): string {
  return `${count} VM${count === 1 ? '' : 's'}`;
}

/**
 * The farm in a few words for the status bar: who is still booting, else
 * how many VMs run. A node is booting from power-on until its console shows
 * the last boot step (the marker), so "running" means "booted".
 */
export function farmSummary(nodes: readonly PreviewNode[]): string {
  const on = nodes.filter((n) => n.state !== 'stopped');
  if (on.length === 0) return nodes.length === 0 ? 'no VMs' : `${vms(nodes.length)} powered off`;
  const booting = on.filter((n) => n.state === 'starting' || !n.reached.includes(FINAL_STEP));
  const booted = on.length - booting.length;
  if (booting.length === 0) return `${vms(booted)} running`;
  const who = booting.length === 1 ? `${booting[0]!.name} booting` : `${vms(booting.length)} booting`;
  return booted > 0 ? `${who}, ${vms(booted)} running` : who;
}
