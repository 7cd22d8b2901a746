import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { escapeHtml, renderStageGraph } from '../../../client/src/stageGraphHtml';
import { stageGraphView } from '../../../server/src/lang/dockerfile/stageGraphView';

const article = readFileSync(join(__dirname, '..', '..', 'corpus', 'dockerfile', '01-kubernetes-Dockerfile'), 'utf8');

test("the article's Dockerfile: five stages, the image and final stages, and what each makes", () => {
  const view = stageGraphView(article);
  assert.deepEqual(view.stages.map((s) => s.label), ['ltsp-base', 'basesystem', 'builder', 'ltsp-image', 'stage 4']);
  assert.deepEqual(view.stages.find((s) => s.roles.includes('final'))?.label, 'stage 4');
  const image = view.stages.find((s) => s.roles.includes('image'));
  assert.ok(image, 'an image stage is found');
  assert.ok(view.stages.some((s) => s.produces.some((p) => p.startsWith('makes the squashfs'))), JSON.stringify(view.stages.map((s) => s.produces)));
  const named = (i: number) => view.stages[i]!.label;
  assert.deepEqual(
    view.edges.map((e) => `${named(e.from)} -${e.kind}-> ${named(e.to)}`),
    ['ltsp-base -FROM-> basesystem', 'basesystem -FROM-> builder', 'basesystem -FROM-> ltsp-image', 'builder -COPY --from-> ltsp-image', 'ltsp-base -FROM-> stage 4', 'ltsp-image -COPY --from-> stage 4', 'ltsp-image -COPY --from-> stage 4', 'ltsp-image -COPY --from-> stage 4'],
  );
});

test('the stage graph page has a strict CSP, escapes names, and draws every stage and edge', () => {
  const view = stageGraphView('FROM debian:12 AS base\nFROM base AS b<i>x</i>\n');
  const html = renderStageGraph(view, { nonce: 'abc123', cspSource: 'vscode-webview://x', title: 'Stages of <Dockerfile>' });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src vscode-webview:\/\/x 'nonce-abc123'; script-src 'nonce-abc123';">/);
  assert.equal((html.match(/<script nonce="abc123">/g) ?? []).length, 1, 'the only script carries the nonce');
  assert.doesNotMatch(html, /<script(?! nonce="abc123")/);
  assert.doesNotMatch(html, /b<i>x<\/i>/, 'stage names are escaped');
  assert.match(html, /b&lt;i&gt;x&lt;\/i&gt;/);
  assert.equal((html.match(/<g class="stage/g) ?? []).length, 2);
  assert.equal((html.match(/<path class="edge/g) ?? []).length, 1);
  assert.match(html, /data-line="1"/);
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
