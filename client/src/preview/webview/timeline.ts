import type { FarmEvent } from '../../../../server/src/farm/events';
import { h } from './dom';

/** Rows kept per list; older ones scroll away so a long session does not slow the page down. */
const MAX_ROWS = 3000;

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

/**
 * A list of boot events: time since the session started, layer, node,
 * message, and, when a config line made the decision, a link to that line
 * (`reveal` opens it in the editor).
 */
export class Timeline {
  readonly element = h('ol', { class: 'timeline' });

  constructor(
    private readonly start: () => number,
    private readonly reveal: (file: string, line: number) => void,
  ) {}

  add(event: FarmEvent, node: string | undefined): void {
    const seconds = `+${Math.max(0, (event.time - this.start()) / 1000).toFixed(1)}s`;
    const row = h(
      'li',
      { 'data-layer': event.layer, 'data-kind': event.kind, 'data-level': event.level ?? 'info' },
      h('span', { class: 'time' }, seconds),
      h('span', { class: 'layer' }, event.layer),
      h('span', { class: 'node' }, node ?? event.node ?? ''),
      h('span', { class: 'message' }, event.message),
    );
    if (event.origin) {
      const { file, line } = event.origin;
      const link = h('a', { class: 'origin', href: '#', title: `Open ${file} at line ${line + 1}`, 'data-file': file, 'data-line': String(line) }, `${baseName(file)}:${line + 1}`);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        this.reveal(file, line);
      });
      row.append(link);
    }
    const follow = this.element.scrollHeight - this.element.scrollTop - this.element.clientHeight < 40;
    this.element.append(row);
    while (this.element.childElementCount > MAX_ROWS) this.element.firstElementChild?.remove();
    if (follow) this.element.scrollTop = this.element.scrollHeight;
  }

  clear(): void {
    this.element.replaceChildren();
  }

  /** Rows by layer, how many link to a config line, the last rows' text: the test read-out reads what is in the DOM. */
  counts(): { total: number; byLayer: Record<string, number>; links: number; last: string[] } {
    const byLayer: Record<string, number> = {};
    for (const row of Array.from(this.element.children)) {
      const layer = row.getAttribute('data-layer') ?? '?';
      byLayer[layer] = (byLayer[layer] ?? 0) + 1;
    }
    const last = Array.from(this.element.children)
      .slice(-12)
      .map((row) => Array.from(row.children, (cell) => cell.textContent).join(' '));
    return { total: this.element.childElementCount, byLayer, links: this.element.querySelectorAll('a.origin').length, last };
  }
}
