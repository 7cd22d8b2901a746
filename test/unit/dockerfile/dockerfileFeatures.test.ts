import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SymbolKind, type CompletionItem, type MarkupContent } from 'vscode-languageserver-types';
import { detectLanguage } from '../../../server/src/lang';
import { BUILD_IMAGE_COMMAND, BUILD_STAGE_COMMAND } from '../../../server/src/lang/dockerfile/buildCommands';
import { dockerfileService } from '../../../server/src/lang/dockerfile/dockerfileLanguage';
import { bothEols, marked } from '../../support/markers';

const STAGES = 'FROM ubuntu:16.04 AS ltsp-base\nRUN apt-get -y install ltsp-server nbd-server\nFROM ltsp-base AS basesystem\nRUN debootstrap xenial /opt/ltsp/amd64\nRUN ltsp-chroot apt-get -y install linux-generic\nFROM basesystem AS builder\nRUN ltsp-chroot make\n';

function complete(source: string, eol: '\n' | '\r\n'): CompletionItem[] {
  const { text, cursor } = marked(source, eol);
  return dockerfileService.complete!(text, cursor!);
}

function hover(source: string, eol: '\n' | '\r\n') {
  const { text, cursor, ranges } = marked(source, eol);
  const result = dockerfileService.hover!(text, cursor!);
  return { value: (result?.contents as MarkupContent | undefined)?.value ?? '', range: result?.range, expected: ranges[0] };
}

bothEols('--from= completes the stages above, nearest first, replacing what is typed', (eol) => {
  const items = complete(`${STAGES}FROM basesystem AS image\nCOPY --from=bu$0 /x /x\n`, eol);
  const nearestFirst = [...items].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
  assert.deepEqual(nearestFirst.map((i) => i.label), ['builder', 'basesystem', 'ltsp-base']);
  const edit = nearestFirst[0]!.textEdit as { range: { start: { character: number }; end: { character: number } } };
  assert.deepEqual([edit.range.start.character, edit.range.end.character], [12, 14]);
  assert.match((items.find((i) => i.label === 'basesystem')!.documentation as MarkupContent).value, /Used by: `builder` \(FROM, line 6\)/);
});

bothEols('FROM and RUN --mount from= complete stages above only', (eol) => {
  assert.deepEqual(complete(`${STAGES}FROM $0\n`, eol).map((i) => i.label).sort(), ['basesystem', 'builder', 'ltsp-base']);
  assert.deepEqual(complete('FROM a AS one\nRUN --mount=type=cache,from=$0\nFROM b AS two\n', eol).map((i) => i.label), []);
  assert.deepEqual(complete('FROM a AS one\nFROM b AS two\nRUN --mount=type=bind,from=o$0\n', eol).map((i) => i.label), ['one']);
});

bothEols('RUN completes the LTSP commands with their docs; after `ltsp ` the applets', (eol) => {
  const items = complete('FROM x\nRUN apt-get -y update && ltsp-up$0\n', eol);
  const image = items.find((i) => i.label === 'ltsp-update-image')!;
  assert.match(image.detail!, /LTSP 5/);
  assert.match((image.documentation as MarkupContent).value, /\/opt\/ltsp\/images/);
  assert.ok(items.some((i) => i.label === 'ltsp image'));
  const applets = complete('FROM x\nRUN ltsp i$0\n', eol).map((i) => i.label);
  assert.deepEqual(applets.filter((a) => a.startsWith('i')).sort(), ['image', 'info', 'initrd', 'ipxe']);
  assert.deepEqual(complete('FROM x\nRUN ltsp-chroot apt-get -y install \\\n  linux-generic && ltsp-$0\n', eol).length > 0, true);
  assert.deepEqual(complete('FROM x\nLABEL a=$0\n', eol), []);
});

bothEols('hover on a stage name tells its role and who uses it', (eol) => {
  const { value, range, expected } = hover(`${STAGES}FROM ⟦base$0system⟧ AS image\nRUN ltsp-update-image\nFROM ltsp-base\nCOPY --from=image /opt/ltsp/images /opt/ltsp/images\n`, eol);
  assert.deepEqual(range, expected);
  assert.match(value, /\*\*stage `basesystem`\*\* · 2 of 5 · FROM `ltsp-base`/);
  assert.match(value, /creates a chroot \(`debootstrap` in `\/opt\/ltsp\/amd64`\), line 4; installs a kernel \(`linux-generic`\), line 5/);
  assert.match(value, /Used by: `builder` \(FROM, line 6\), `image` \(FROM, line 8\)/);
  const image = hover(`${STAGES}FROM basesystem AS ⟦im$0age⟧\nRUN ltsp-update-image\nFROM ltsp-base\nCOPY --from=image /opt/ltsp/images /opt/ltsp/images\n`, eol);
  assert.deepEqual(image.range, image.expected);
  assert.match(image.value, /Image stage: it makes the squashfs \(`ltsp-update-image`, line 9\)\./);
  const copied = hover(`${STAGES}FROM ltsp-base\nCOPY --from=⟦buil$0der⟧ /x /x\n`, eol);
  assert.deepEqual(copied.range, copied.expected);
  assert.match(copied.value, /Used by: `stage 3` \(COPY --from, line 9\)/);
});

bothEols('hover on LTSP commands in RUN, heredocs and sh -c included', (eol) => {
  const chroot = hover('FROM x\nRUN ⟦ltsp-ch$0root⟧ apt-get -y install x\n', eol);
  assert.deepEqual(chroot.range, chroot.expected);
  assert.match(chroot.value, /\*\*ltsp-chroot\*\* · LTSP 5/);
  const applet = hover('FROM x\nRUN <<EOF\nset -e\nsh -c "⟦ltsp im$0age⟧ /"\nEOF\n', eol);
  assert.deepEqual(applet.range, applet.expected);
  assert.match(applet.value, /\*\*ltsp image\*\* · LTSP 20\+[\s\S]*\/srv\/ltsp\/images/);
  assert.equal(hover('FROM x\nRUN apt-g$0et update\n', eol).value, '');
});

bothEols('document symbols: one per stage with its dependencies and image steps', (eol) => {
  const { text, ranges } = marked(`⟦FROM ubuntu:16.04 AS ltsp-base\nRUN apt-get -y install ltsp-server⟧\n⟦FROM ltsp-base AS image\nRUN debootstrap xenial /opt/ltsp/amd64\nRUN ltsp-chroot apt-get -y install linux-generic\nRUN ltsp-update-image⟧\n⟦FROM ltsp-base\nCOPY --from=image /opt/ltsp/images /opt/ltsp/images⟧\n`, eol);
  const symbols = dockerfileService.symbols!(text);
  assert.deepEqual(symbols.map((s) => [s.name, s.detail, s.kind, s.range]), [
    ['ltsp-base', 'FROM ubuntu:16.04', SymbolKind.Module, ranges[0]],
    ['image', 'FROM ltsp-base · image stage', SymbolKind.Module, ranges[1]],
    ['stage 2', 'FROM ltsp-base · final stage', SymbolKind.Module, ranges[2]],
  ]);
  assert.deepEqual(symbols[1]!.children!.map((c) => [c.name, c.detail ?? '']), [
    ['ltsp-base', 'FROM'],
    ['creates a chroot (debootstrap in /opt/ltsp/amd64)', ''],
    ['installs a kernel (linux-generic)', ''],
    ['makes the squashfs (ltsp-update-image)', ''],
  ]);
  assert.deepEqual(symbols[2]!.children!.map((c) => [c.name, c.detail]), [['ltsp-base', 'FROM'], ['image', 'COPY --from']]);
});

bothEols('code lenses: build stage and build image on named stages, build image on an unnamed final stage', (eol) => {
  const { text, ranges } = marked('⟦FROM⟧ debian:12 AS base\nRUN true\nFROM debian:12\n⟦FROM⟧ base\n', eol);
  const lenses = dockerfileService.codeLenses!(text, 'file:///w/Dockerfile');
  assert.deepEqual(
    lenses.map((l) => [l.range, l.command?.title, l.command?.command, l.command?.arguments]),
    [
      [ranges[0], 'Build stage', BUILD_STAGE_COMMAND, [{ uri: 'file:///w/Dockerfile', stage: 'base' }]],
      [ranges[0], 'Build image', BUILD_IMAGE_COMMAND, [{ uri: 'file:///w/Dockerfile', stage: 'base' }]],
      [ranges[1], 'Build image', BUILD_IMAGE_COMMAND, [{ uri: 'file:///w/Dockerfile' }]],
    ],
  );
});

test('Dockerfiles are detected by name, and nothing else is', () => {
  for (const path of ['Dockerfile', '/w/Dockerfile', 'C:\\w\\Dockerfile.ltsp', 'build/ltsp.Dockerfile', 'x.dockerfile', 'Containerfile', 'Containerfile.arm64']) {
    assert.equal(detectLanguage(path), 'dockerfile', path);
  }
  for (const path of ['dockerfile.md', 'Dockerfiles/README', 'lts.conf', 'my-Dockerfile.txt']) assert.notEqual(detectLanguage(path), 'dockerfile', path);
});
