import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import { formatMessage } from '../../../server/src/lang/core/diagnostics';
import { dockerfileService } from '../../../server/src/lang/dockerfile/dockerfileLanguage';
import { dockerfileRules } from '../../../server/src/lang/dockerfile/dockerfileRules';
import { assertDiagnostics, bothEols, marked } from '../../support/markers';

const GRAPH = ['DKR001', 'DKR002', 'DKR003', 'DKR004', 'DKR005', 'DKR006', 'DKR007'];

async function expectCodes(source: string, codes: string[], eol: '\n' | '\r\n', only: string[] = GRAPH) {
  const { text, ranges } = marked(source, eol);
  const diagnostics = await dockerfileService.validate(text);
  assertDiagnostics(diagnostics, codes, ranges, only);
  return diagnostics;
}

bothEols('a misspelt instruction is an error with a suggestion', async (eol) => {
  const diagnostics = await expectCodes('FROM debian:12\n⟦RUNN⟧ echo hi\nrun echo ok\n', ['DKR001'], eol);
  assert.equal(diagnostics[0]!.message, formatMessage(dockerfileRules.DKR001.message, { keyword: 'RUNN', suggestion: ' Did you mean `RUN`?' }));
  assert.equal(diagnostics[0]!.severity, DiagnosticSeverity.Error);
});

bothEols('COPY --from naming no stage, with the stages above as suggestions', async (eol) => {
  const diagnostics = await expectCodes('FROM debian:12 AS builder\nRUN make\nFROM debian:12\nCOPY --from=⟦buildr⟧ /out /out\n', ['DKR002'], eol, ['DKR002']);
  assert.equal(
    diagnostics.find((d) => d.code === 'DKR002')!.message,
    formatMessage(dockerfileRules.DKR002.message, {
      via: 'COPY --from=',
      name: 'buildr',
      consequence: ', so Docker would pull an image called `buildr` instead',
      suggestion: ' Did you mean `builder`?',
      stages: '`builder`',
    }),
  );
});

bothEols('RUN --mount from= naming no stage, and an out-of-range stage index', async (eol) => {
  const diagnostics = await expectCodes('FROM debian:12 AS a\nFROM a\nRUN --mount=type=cache,from=⟦cache⟧,target=/var/cache/apt true\nCOPY --from=⟦5⟧ /x /x\n', ['DKR002', 'DKR002'], eol);
  assert.match(diagnostics[1]!.message, /the file has 2 stage\(s\), counted from 0\. Name/);
});

bothEols('image references, indexes and variables after --from are not stage names', (eol) =>
  expectCodes('ARG BASE=debian:12\nFROM ${BASE} AS a\nFROM debian:12\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\nCOPY --from=ghcr.io/x/y /y /y\nCOPY --from=0 /a /a\nCOPY --from=$STAGE /b /b\n', [], eol),
);

bothEols('stage names compare without case', (eol) => expectCodes('FROM debian:12 AS Builder\nRUN make\nFROM debian:12\nCOPY --from=builder /out /out\n', [], eol));

bothEols('COPY --from and RUN --mount from= naming a stage defined below', (eol) =>
  expectCodes('FROM debian:12 AS first\nCOPY --from=⟦second⟧ /a /a\nRUN --mount=from=⟦second⟧,target=/m true\nFROM debian:12 AS second\nFROM debian:12\nCOPY --from=first /a /a\n', ['DKR003', 'DKR003'], eol),
);

bothEols('FROM naming a stage defined below, and FROM a misspelt stage above', async (eol) => {
  const diagnostics = await expectCodes('FROM ⟦base⟧ AS app\nFROM debian:12 AS base\nFROM ⟦bsae⟧ AS other\nFROM app\nCOPY --from=other /x /x\n', ['DKR004', 'DKR002'], eol);
  assert.match(diagnostics.find((d) => d.code === 'DKR004')!.message, /defined below \(line 2\)/);
  assert.match(diagnostics.find((d) => d.code === 'DKR002')!.message, /Did you mean `base`\?/);
});

bothEols('a duplicate stage name, ignoring case, is an error on the second', (eol) =>
  expectCodes('FROM debian:12 AS build\nFROM debian:12 AS ⟦BUILD⟧\nFROM debian:12\nCOPY --from=build /a /a\n', ['DKR005'], eol),
);

bothEols('stages that name each other form a cycle; a stage built FROM itself too', async (eol) => {
  const diagnostics = await expectCodes('FROM ⟦b⟧ AS a\nFROM debian:12 AS b\nCOPY --from=a /x /x\nFROM ⟦c⟧ AS c\nFROM b\nCOPY --from=c /y /y\n', ['DKR006', 'DKR006'], eol);
  assert.match(diagnostics[0]!.message, /a → b → a/);
  assert.match(diagnostics[1]!.message, /c → c/);
});

bothEols('a stage nothing uses is a hint, greyed out; the final stage and used stages are not', async (eol) => {
  const diagnostics = await expectCodes('FROM debian:12 AS ⟦docs⟧\nFROM debian:12 AS deps\nFROM deps AS build\nFROM debian:12\nCOPY --from=build /a /a\n', ['DKR007'], eol);
  assert.equal(diagnostics[0]!.severity, DiagnosticSeverity.Hint);
  assert.deepEqual(diagnostics[0]!.tags, [DiagnosticTag.Unnecessary]);
});

bothEols('an unnamed stage used by index is used', (eol) => expectCodes('FROM debian:12\nRUN make\nFROM debian:12\nCOPY --from=0 /a /a\n', [], eol));

bothEols('RUN heredocs parse: their lines are not instructions', (eol) =>
  expectCodes('FROM debian:12\nRUN <<EOF\nset -e\nFROMAGE=1\napt-get update\nEOF\nCOPY <<-CONF /etc/x.conf\n\tRUNNING=yes\nCONF\n⟦RUNN⟧ x\n', ['DKR001'], eol),
);

test('severities can be overridden per code, and turned off', async () => {
  const text = 'FROM debian:12 AS unused\nFROM debian:12\n';
  assert.equal((await dockerfileService.validate(text, { severity: { DKR007: 'off' } })).length, 0);
  assert.equal((await dockerfileService.validate(text, { severity: { DKR007: 'warning' } }))[0]?.severity, DiagnosticSeverity.Warning);
});

test('every rule message names a fix or a reason', () => {
  for (const [code, rule] of Object.entries(dockerfileRules)) assert.ok(rule.message.length > 60, `${code} is too terse`);
});

test('an empty file, comments only, or a half-typed line give no crash', async () => {
  for (const text of ['', '# just a comment\n', 'FROM', 'FROM debian AS', 'RUN <<EOF\n', 'COPY --from=', 'FROM x\nRUN ltsp-chroot', '\r\n\r\n', 'FROM a\nRUN ["sh", "-c", "ltsp-chroot true"\n']) {
    await dockerfileService.validate(text);
  }
});
