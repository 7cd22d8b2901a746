import { Terminal, type ITheme } from '@xterm/xterm';
import type { FarmEvent } from '../../../../server/src/farm/events';
import type { PreviewNode } from '../../../../server/src/farm/previewProtocol';
import type { PreviewRequest } from '../previewSession';
import { h } from './dom';
import { Timeline } from './timeline';

/** The terminal in VS Code's colours, read from the variables the webview host sets on <html>. */
function terminalTheme(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim() || undefined;
  const theme: ITheme = {};
  const background = v('--vscode-terminal-background') ?? v('--vscode-editor-background');
  const foreground = v('--vscode-terminal-foreground') ?? v('--vscode-editor-foreground');
  if (background) theme.background = background;
  if (foreground) theme.foreground = foreground;
  return theme;
}

function stateText(node: PreviewNode): string {
  if (node.state === 'stopped') return 'off';
  if (node.state === 'starting') return 'starting';
  const last = node.reached.at(-1);
  return last === 'marker' ? 'running' : `booting${last ? ` (${last})` : ''}`;
}

/**
 * One VM: its serial console in a real terminal (xterm.js: SeaBIOS, GRUB and
 * the kernel draw with escape sequences), its screen as QMP screenshots while
 * that view is shown, its own timeline, and its power buttons.
 */
export class VmTab {
  readonly tab: HTMLButtonElement;
  readonly page: HTMLElement;
  node: PreviewNode | undefined;
  screens = 0;
  private readonly terminal: Terminal;
  private readonly timeline: Timeline;
  private readonly badge = h('span', { class: 'badge' }, 'starting');
  private readonly details = h('span', { class: 'details' });
  private readonly power: HTMLButtonElement;
  private readonly consoleView = h('div', { class: 'console' });
  private readonly screenView = h('div', { class: 'screen', hidden: '' });
  private readonly image = h('img', { alt: 'The VM screen (QMP screenshot)' });
  private readonly screenNote = h('p', { class: 'note' }, 'Waiting for the first screenshot…');
  private view: 'console' | 'screen' = 'console';
  private selected = false;
  private lastShot = 0;

  constructor(
    readonly name: string,
    private readonly send: (request: PreviewRequest) => void,
    reveal: (file: string, line: number) => void,
    start: () => number,
  ) {
    this.tab = h('button', { class: 'tab', role: 'tab', 'data-tab': name }, name, ' ', this.badge);
    this.power = h('button', { 'data-action': 'power-off', 'data-node': name }, 'Power off');
    const reset = h('button', { 'data-action': 'reset', 'data-node': name }, 'Reset');
    const showConsole = h('button', { class: 'view selected', 'data-action': 'view-console', 'data-node': name }, 'Console');
    const showScreen = h('button', { class: 'view', 'data-action': 'view-screen', 'data-node': name }, 'Screen');
    this.power.addEventListener('click', () => this.send({ command: this.node?.state === 'stopped' ? 'power-on' : 'power-off', node: name }));
    reset.addEventListener('click', () => this.send({ command: 'reset', node: name }));
    showConsole.addEventListener('click', () => this.setView('console', showConsole, showScreen));
    showScreen.addEventListener('click', () => this.setView('screen', showScreen, showConsole));
    this.screenView.append(this.screenNote, this.image);
    this.timeline = new Timeline(start, reveal);
    this.page = h('section', { class: 'vm', role: 'tabpanel', 'data-node': name, hidden: '' }, h('div', { class: 'bar' }, showConsole, showScreen, reset, this.power, this.details), this.consoleView, this.screenView, this.timeline.element);
    this.terminal = new Terminal({ cols: 120, rows: 30, convertEol: true, disableStdin: true, scrollback: 10_000, fontSize: 12, theme: terminalTheme() });
    this.terminal.open(this.consoleView);
  }

  update(node: PreviewNode, reveal: (file: string, line: number) => void): void {
    this.node = node;
    const text = stateText(node);
    this.badge.textContent = text;
    this.badge.setAttribute('data-state', text.split(' ')[0]!);
    this.power.textContent = node.state === 'stopped' ? 'Power on' : 'Power off';
    this.power.setAttribute('data-action', node.state === 'stopped' ? 'power-on' : 'power-off');
    const steps = node.state === 'stopped' ? 'powered off' : node.reached.length ? `reached ${node.reached.join(' › ')}` : 'no boot step yet';
    this.details.replaceChildren([node.firmware.toUpperCase(), node.mac, steps].join(' · '));
    if (node.origin) {
      const { file, line } = node.origin;
      const link = h('a', { class: 'origin', href: '#', title: `Open ${file} at line ${line + 1}` }, `${file.split('/').at(-1)}:${line + 1}`);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        reveal(file, line);
      });
      this.details.append(' · settings from ', link);
    }
  }

  consoleLine(text: string): void {
    this.terminal.writeln(text);
  }

  event(event: FarmEvent): void {
    this.timeline.add(event, this.name);
  }

  screenshot(png: string): void {
    this.image.src = `data:image/png;base64,${png}`;
    this.screens++;
    this.screenNote.hidden = true;
  }

  select(selected: boolean): void {
    this.selected = selected;
    this.page.hidden = !selected;
    this.tab.classList.toggle('selected', selected);
    this.tab.setAttribute('aria-selected', String(selected));
    if (selected) this.pollScreen();
  }

  /** Asks for a screenshot when the screen is on view, the VM is on (booting or booted), and the last one is 2 s old. */
  pollScreen(): void {
    if (!this.selected || this.view !== 'screen' || document.visibilityState !== 'visible' || !this.node || this.node.state === 'stopped') return;
    if (Date.now() - this.lastShot < 1900) return;
    this.lastShot = Date.now();
    this.send({ command: 'screenshot', node: this.name });
  }

  /** The terminal's buffer as text, once everything written so far is parsed. */
  async consoleText(): Promise<string> {
    await new Promise<void>((resolve) => this.terminal.write('', resolve));
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }

  dispose(): void {
    this.terminal.dispose();
    this.tab.remove();
    this.page.remove();
  }

  private setView(view: 'console' | 'screen', on: HTMLElement, off: HTMLElement): void {
    this.view = view;
    on.classList.add('selected');
    off.classList.remove('selected');
    this.consoleView.hidden = view !== 'console';
    this.screenView.hidden = view !== 'screen';
    this.lastShot = 0;
    this.pollScreen();
  }
}
