import type { StageGraphView } from '../../server/src/lang/dockerfile/stageGraphView';

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const BOX_WIDTH = 380;
const LINE = 16;
const GAP = 28;
const MARGIN_LEFT = 140;

/**
 * The "Show stage graph" page: stages top to bottom in file order (a stage can
 * only use stages above it), each box listing what it makes for the netboot
 * image, and an arc on the left for every FROM / COPY --from / RUN --mount
 * from= edge. It is drawn here, not in the page, so that the page needs no
 * script but the one that reports clicks; the Content-Security-Policy allows
 * nothing else (no network, no inline code without the nonce).
 */
export function renderStageGraph(view: StageGraphView, options: { nonce: string; cspSource: string; title: string }): string {
  const heights = view.stages.map((s) => LINE * (2 + s.produces.length) + 12);
  const tops: number[] = [];
  let y = 20;
  for (const h of heights) {
    tops.push(y);
    y += h + GAP;
  }
  const boxes = view.stages.map((stage, i) => {
    const top = tops[i]!;
    const roles = stage.roles.map((r) => (r === 'image' ? 'image stage' : 'final stage'));
    const lines = [
      `<text x="${MARGIN_LEFT + 10}" y="${top + LINE + 2}" class="name">${escapeHtml(stage.label)}</text>`,
      `<text x="${MARGIN_LEFT + 10}" y="${top + 2 * LINE + 2}" class="base">FROM ${escapeHtml(stage.base)}${roles.length ? ' · ' + escapeHtml(roles.join(', ')) : ''}</text>`,
      ...stage.produces.map((p, k) => `<text x="${MARGIN_LEFT + 18}" y="${top + (3 + k) * LINE + 2}" class="makes">${escapeHtml(p)}</text>`),
    ];
    const role = stage.roles.length ? ` ${stage.roles.join(' ')}` : '';
    return `<g class="stage${role}" data-line="${stage.line}" tabindex="0"><title>Line ${stage.line + 1}: click to open</title><rect x="${MARGIN_LEFT}" y="${top}" width="${BOX_WIDTH}" height="${heights[i]}" rx="6"/>${lines.join('')}</g>`;
  });
  const edges = view.edges.map((edge) => {
    const from = tops[edge.from];
    const to = tops[edge.to];
    if (from === undefined || to === undefined) return '';
    const y1 = from + heights[edge.from]! / 2;
    const y2 = to + heights[edge.to]! / 2;
    const bend = Math.max(20, MARGIN_LEFT - 20 - Math.min(100, Math.abs(edge.to - edge.from) * 20));
    const dashed = edge.kind === 'FROM' ? '' : ' dashed';
    return `<path class="edge${dashed}" d="M ${MARGIN_LEFT} ${y1} C ${bend} ${y1}, ${bend} ${y2}, ${MARGIN_LEFT - 6} ${y2}" marker-end="url(#arrow)"><title>${escapeHtml(edge.kind)}</title></path>`;
  });
  const height = y + 10;
  const empty = view.stages.length === 0 ? '<p>No stages: this Dockerfile has no FROM.</p>' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${options.cspSource} 'nonce-${options.nonce}'; script-src 'nonce-${options.nonce}';">
<title>${escapeHtml(options.title)}</title>
<style nonce="${options.nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, #888); }
  .image rect { stroke: var(--vscode-charts-green, green); stroke-width: 2; }
  .final rect { stroke: var(--vscode-charts-blue, blue); stroke-width: 2; }
  .stage { cursor: pointer; }
  .name { font-weight: bold; fill: var(--vscode-foreground); }
  .base, .makes { fill: var(--vscode-descriptionForeground); font-size: 12px; }
  .edge { fill: none; stroke: var(--vscode-foreground); stroke-width: 1.2; }
  .dashed { stroke-dasharray: 4 3; }
  .legend { font-size: 12px; color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<p class="legend">${view.stages.length} stage(s) · solid arrow: FROM · dashed arrow: COPY --from / RUN --mount from= · green: image stage · blue: final stage</p>
${empty}<svg width="${MARGIN_LEFT + BOX_WIDTH + 20}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>
${edges.join('\n')}
${boxes.join('\n')}
</svg>
<script nonce="${options.nonce}">
  const vscode = acquireVsCodeApi();
  for (const stage of document.querySelectorAll('.stage')) {
    const reveal = () => vscode.postMessage({ command: 'reveal', line: Number(stage.getAttribute('data-line')) });
    stage.addEventListener('click', reveal);
    stage.addEventListener('keydown', (e) => { if (e.key === 'Enter') reveal(); });
  }
</script>
</body>
</html>
`;
}
