/**
 * The boot preview page (bundled to dist/preview.js for the browser). It
 * shows what the extension relays from `netboot-farm preview` and turns
 * button clicks into PreviewCommands; it keeps no farm logic of its own.
 */
import '@xterm/xterm/css/xterm.css';
import './preview.css';
import type { FarmEvent } from '../../../../server/src/farm/events';
import type { FarmStatus } from '../../../../server/src/farm/protocol';
import type { PreviewNode, PreviewOutput } from '../../../../server/src/farm/previewProtocol';
import type { FromPage, PanelReport, SessionInfo, ToPage } from '../panelMessages';
import type { BootOptions, PreviewRequest } from '../previewSession';
import { h, select } from './dom';
import { Timeline } from './timeline';
import { VmTab } from './vmTab';

declare function acquireVsCodeApi(): { postMessage(message: FromPage): void };

// xterm.js adds <style> elements of its own; the page's CSP only lets styles
// with the page's nonce apply, so every <style> made here carries it.
const nonce = document.currentScript?.nonce ?? '';
const createElement = document.createElement.bind(document);
document.createElement = ((tag: string, options?: ElementCreationOptions) => {
  const element = createElement(tag, options);
  if (tag.toLowerCase() === 'style') element.nonce = nonce;
  return element;
}) as typeof document.createElement;

const cspViolations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'}`));

const vscode = acquireVsCodeApi();
const post = (message: FromPage) => vscode.postMessage(message);
const send = (request: PreviewRequest) => post({ type: 'command', request });
const reveal = (file: string, line: number) => post({ type: 'reveal', file, line });

let sessionStart = Date.now();
const start = () => sessionStart;
let session: SessionInfo | undefined;
let status: FarmStatus | undefined;
let image = '';
const tabs = new Map<string, VmTab>();
/** MAC or IP address -> node name, so that server events land in the VM's tab. */
const names = new Map<string, string>();
let selected = 'timeline';

const firmware = select('firmware', ['bios', 'uefi', 'both'], 'bios');
const network = select('network', ['auto', 'isolated', 'user'], 'auto');
const nodes = h('input', { type: 'number', min: '1', max: '32', name: 'nodes', 'data-control': 'nodes', placeholder: 'auto', title: 'How many VMs; empty: one per lts.conf [MAC] section asked for' });
const bootButton = h('button', { 'data-action': 'boot', class: 'primary', title: 'Stop the VMs and boot again with these settings' }, 'Boot');
const addButton = h('button', { 'data-action': 'add-node', title: 'One more VM: the next lts.conf node without one, or a generated MAC' }, 'Add node');
const stopButton = h('button', { 'data-action': 'stop', title: 'Power every VM off and stop the farm' }, 'Stop');
const header = h('p', { class: 'session' }, 'Waiting for the farm…');
const farmTab = h('button', { class: 'tab selected', role: 'tab', 'data-tab': 'timeline' }, 'Timeline');
const tabBar = h('nav', { class: 'tabs', role: 'tablist' }, farmTab);
const timeline = new Timeline(start, reveal);
const farmPage = h('section', { class: 'farm', role: 'tabpanel' }, timeline.element);

bootButton.addEventListener('click', () => {
  const count = Number(nodes.value);
  const options: BootOptions = {
    firmware: firmware.value as BootOptions['firmware'],
    network: network.value as BootOptions['network'],
    ...(nodes.value && Number.isInteger(count) ? { nodes: count } : {}),
    ...(session?.options.exampleImage ? { exampleImage: true } : {}),
  };
  post({ type: 'boot', options });
});
addButton.addEventListener('click', () => send(firmware.value === 'both' ? { command: 'add-node' } : { command: 'add-node', firmware: firmware.value as 'bios' | 'uefi' }));
stopButton.addEventListener('click', () => post({ type: 'stop' }));
farmTab.addEventListener('click', () => choose('timeline'));

document.getElementById('app')!.append(
  h('header', {}, h('div', { class: 'controls' }, h('label', {}, 'Firmware ', firmware), h('label', {}, 'Network ', network), h('label', {}, 'Nodes ', nodes), bootButton, addButton, stopButton), header),
  tabBar,
  farmPage,
);

function choose(name: string): void {
  selected = tabs.has(name) ? name : 'timeline';
  farmTab.classList.toggle('selected', selected === 'timeline');
  farmPage.hidden = selected !== 'timeline';
  for (const [tabName, tab] of tabs) tab.select(tabName === selected);
}

function tabFor(name: string): VmTab {
  let tab = tabs.get(name);
  if (!tab) {
    tab = new VmTab(name, send, reveal, start);
    const chosen = name;
    tab.tab.addEventListener('click', () => choose(chosen));
    tabBar.append(tab.tab);
    document.getElementById('app')!.append(tab.page);
    tabs.set(name, tab);
    // The first VM's console is what people want to see while it boots.
    if (tabs.size === 1) choose(name);
  }
  return tab;
}

/** The VM an event is about: servers name clients by MAC (DHCP) or address (TFTP, NBD, HTTP). */
function nodeName(event: FarmEvent): string | undefined {
  if (!event.node) return undefined;
  const name = tabs.has(event.node) ? event.node : names.get(event.node.toLowerCase());
  // A lease ties the address to the MAC, and so the later transfers to the VM.
  const address = event.data?.address;
  if (name && event.layer === 'dhcp' && typeof address === 'string') names.set(address, name);
  return name;
}

function showHeader(): void {
  if (!session) return;
  const where = session.folder.split('/').at(-1) ?? session.folder;
  const parts: string[] = [];
  if (session.phase === 'starting') parts.push(`Starting ${where}…`);
  else if (session.phase === 'ended') parts.push(`${session.ok ? 'Stopped' : 'Failed'}: ${session.note ?? ''}`);
  else parts.push(`${where}: ${status?.state ?? 'running'}`);
  if (status?.network) parts.push(`network ${status.network.mode}${status.network.subnet ? ` ${status.network.subnet}` : ''}${status.network.reason ? ` (${status.network.reason})` : ''}`);
  if (status?.servers.length) parts.push(status.servers.map((s) => `${s.name} ${s.address}:${s.port}/${s.transport}`).join(', '));
  if (image) parts.push(`image ${image}`);
  header.textContent = parts.join(' · ');
  header.setAttribute('data-phase', session.phase);
  const live = session.phase !== 'ended';
  addButton.disabled = !live;
  stopButton.disabled = !live;
}

function onStatus(next: { status: FarmStatus; image: string; nodes: readonly PreviewNode[] }): void {
  status = next.status;
  image = next.image;
  for (const node of next.nodes) {
    names.set(node.mac.toLowerCase(), node.name);
    tabFor(node.name).update(node, reveal);
  }
  showHeader();
}

function onOutput(output: PreviewOutput): void {
  if (output.type === 'status') onStatus(output);
  else if (output.type === 'screenshot') tabs.get(output.node)?.screenshot(output.png);
  else if (output.type === 'event') {
    const event = output.event;
    const name = nodeName(event);
    if (event.layer === 'console' && event.kind === 'line') {
      if (event.node) tabFor(event.node).consoleLine(event.message);
      return;
    }
    timeline.add(event, name);
    if (name) tabs.get(name)?.event(event);
  }
}

function onSession(next: SessionInfo): void {
  if (next.phase === 'starting') {
    for (const tab of tabs.values()) tab.dispose();
    tabs.clear();
    names.clear();
    timeline.clear();
    status = undefined;
    image = '';
    sessionStart = Date.now();
    choose('timeline');
    if (next.options.firmware) firmware.value = next.options.firmware;
    if (next.options.network) network.value = next.options.network;
    nodes.value = next.options.nodes !== undefined ? String(next.options.nodes) : '';
  }
  session = next;
  showHeader();
}

async function report(): Promise<PanelReport> {
  const consoles: Record<string, string> = {};
  const screens: Record<string, number> = {};
  const nodeStates: Record<string, string> = {};
  for (const [name, tab] of tabs) {
    consoles[name] = await tab.consoleText();
    screens[name] = tab.screens;
    nodeStates[name] = tab.tab.querySelector('.badge')?.textContent ?? '';
  }
  return { tabs: [...tabs.keys()], nodeStates, timeline: timeline.counts(), consoles, screens, header: header.textContent ?? '', cspViolations: [...cspViolations] };
}

function click(selector: string): { found: boolean; text?: string } {
  let element: Element | null = null;
  try {
    element = document.querySelector(selector);
  } catch {
    return { found: false };
  }
  if (!(element instanceof HTMLElement)) return { found: false };
  element.click();
  return { found: true, text: element.textContent ?? '' };
}

window.addEventListener('message', (e: MessageEvent<ToPage>) => {
  const message = e.data;
  if (message.type === 'outputs') message.outputs.forEach(onOutput);
  else if (message.type === 'session') onSession(message.session);
  else if (message.type === 'report-request') void report().then((r) => post({ type: 'report', id: message.id, report: r }));
  else if (message.type === 'click') post({ type: 'clicked', id: message.id, ...click(message.selector) });
});

setInterval(() => tabs.get(selected)?.pollScreen(), 500);
post({ type: 'ready' });
