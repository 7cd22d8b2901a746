import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompletionItem } from 'vscode-languageserver-types';
import { ltsConfService } from '../../../server/src/lang/ltsconf/ltsConfLanguage';
import { convertLtsToLtsp } from '../../../server/src/lang/ltsconf/ltsToLtsp';
import { ltspConfService } from '../../../server/src/lang/ltspconf/ltspConfLanguage';
import { applyEdits } from '../../support/edits';
import { bothEols, marked } from '../../support/markers';
import { shell } from '../../support/shell';

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

bothEols('completion offers variable names with docs at the start of a line', (eol) => {
  const { text, cursor } = marked('[Default]\nLDM_$0\n', eol);
  const items = ltsConfService.complete!(text, cursor!);
  const item = items.find((i) => i.label === 'LDM_LANGUAGE');
  assert.ok(item, 'LDM_LANGUAGE offered');
  assert.equal(item.insertText, 'LDM_LANGUAGE = ');
  assert.match(JSON.stringify(item.documentation), /LDM_LANGUAGE/);
  assert.ok(labels(items).includes('FSTAB_01') || labels(items).some((l) => String(l).startsWith('FSTAB_')), 'families offered by example');
});

bothEols('completion offers booleans, enum values and section names for LIKE', (eol) => {
  const bool = marked('[Default]\nLOCALDEV = $0\n', eol);
  assert.deepEqual(labels(ltsConfService.complete!(bool.text, bool.cursor!)), ['True', 'False']);
  const enumCase = marked('[Default]\nX_COLOR_DEPTH = $0\n', eol);
  assert.ok(labels(ltsConfService.complete!(enumCase.text, enumCase.cursor!)).includes('24'));
  const like = marked('[Default]\nSCREEN_07 = ldm\n[pc01]\nLIKE = $0\n[workers]\nSCREEN_07 = shell\n', eol);
  assert.deepEqual(labels(ltsConfService.complete!(like.text, like.cursor!)), ['Default', 'workers']);
});

bothEols('hover explains a variable from the catalog, and a section', (eol) => {
  const { text, cursor } = marked('[Default]\nLTSP_NBD$0_TO_RAM = true\n', eol);
  const hover = ltsConfService.hover!(text, cursor!);
  assert.ok(hover);
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /\*\*LTSP_NBD_TO_RAM\*\*/);
  assert.match(value, /LTSP 5/);
  assert.deepEqual(hover.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 15 } });
  const section = marked('[work$0ers]\nSCREEN_07 = ldm\n[pc01]\nLIKE = workers\n', eol);
  assert.match((ltsConfService.hover!(section.text, section.cursor!)!.contents as { value: string }).value, /Used by LIKE in: \[pc01\]/);
});

bothEols('formatting aligns = per section and never changes a value', (eol) => {
  const { text } = marked('[Default]\nSCREEN_07=ldm   \nKEEP_SYSTEM_SERVICES    =   "ssh  cron"\n[pc01]\n  LIKE = Default\n', eol);
  const formatted = applyEdits(text, ltsConfService.format!(text, { tabSize: 2, insertSpaces: true }));
  assert.equal(formatted, ['[Default]', 'SCREEN_07            = ldm', 'KEEP_SYSTEM_SERVICES = "ssh  cron"', '[pc01]', 'LIKE = Default', ''].join(eol));
  assert.deepEqual(ltsConfService.format!(formatted, { tabSize: 2, insertSpaces: true }), [], 'formatting is idempotent');
});

bothEols('ltsp.conf formatting removes spaces around =, as its man page asks', (eol) => {
  const { text } = marked('[clients]\nHOSTNAME = pc01\nX_MODES=\'"1024x768"\'\n', eol);
  const formatted = applyEdits(text, ltspConfService.format!(text, { tabSize: 2, insertSpaces: true }));
  assert.equal(formatted, ['[clients]', 'HOSTNAME=pc01', 'X_MODES=\'"1024x768"\'', ''].join(eol));
});

bothEols('symbols are sections with their keys; folding covers sections', (eol) => {
  const { text } = marked('[Default]\nSCREEN_07 = ldm\n\n[pc01]\nLIKE = Default\nHOSTNAME = pc01\n', eol);
  const symbols = ltsConfService.symbols!(text);
  assert.deepEqual(symbols.map((s) => [s.name, s.children?.map((c) => c.name)]), [['[Default]', ['SCREEN_07']], ['[pc01]', ['LIKE', 'HOSTNAME']]]);
  assert.deepEqual(ltsConfService.folding!(text).map((f) => [f.startLine, f.endLine]), [[0, 1], [3, 5]]);
});

bothEols('effective settings follow getltscfg: exact section, then glob, then Default, with LIKE', (eol) => {
  const { text } = marked(
    '[Default]\nSCREEN_07 = ldm\nSOUND = True\nX_COLOR_DEPTH = 16\n[52:54:00:*]\nX_COLOR_DEPTH = 24\nSOUND = False\n[pc01]\nLIKE = kiosk\nSOUND = NONE\n[kiosk]\nSCREEN_07 = kiosk\n[52:54:00:00:00:01]\nSCREEN_07 = shell\n',
    eol,
  );
  const result = ltsConfService.effectiveSettings!(text, '52:54:00:00:00:01 10.0.0.5 pc01');
  assert.deepEqual(result.sections, ['Default', '52:54:00:*', 'kiosk', 'pc01']);
  const byKey = Object.fromEntries(result.settings.map((s) => [s.key, [s.value, s.range.start.line]]));
  // [pc01] is the first exact match (hostname before MAC), so [52:54:00:00:00:01] is not used.
  assert.deepEqual(byKey, { SCREEN_07: ['kiosk', 11], X_COLOR_DEPTH: ['24', 5] });
});

bothEols('ltsp.conf effective settings: clients, common, MAC, IP, then the hostname set on the way', (eol) => {
  const { text } = marked(
    '[clients]\nIMAGE_TO_RAM=0\nX_MODES=a\n[common]\nX_MODES=b\n[52:54:00:*]\nHOSTNAME=pc01\nINCLUDE=monitors\n[52:54:00:00:00:01]\nIMAGE_TO_RAM=5\n[pc01]\nIMAGE_TO_RAM=1\n[monitors]\nX_MODES=c\n',
    eol,
  );
  const result = ltspConfService.effectiveSettings!(text, '52:54:00:00:00:01');
  assert.deepEqual(result.sections, ['clients', 'common', '52:54:00:*', 'monitors', 'pc01']);
  const byKey = Object.fromEntries(result.settings.map((s) => [s.key, s.value]));
  assert.deepEqual(byKey, { HOSTNAME: 'pc01', IMAGE_TO_RAM: '1', X_MODES: 'c' });
});

test('quick fixes: misspelt key, single quotes, PREINIT to INIT_COMMAND', async () => {
  const text = "[Default]\nLDM_LENGUAGE = x\nLDM_SESSION = 'startxfce4'\nPREINIT_00_TIME = \"date\"\n";
  const diagnostics = await ltsConfService.validate(text, { shell });
  const actions = ltsConfService.codeActions!('file:///w/lts.conf', text, diagnostics[0]!.range, diagnostics);
  const titles = actions.map((a) => a.title);
  assert.ok(titles.includes('Change to LDM_LANGUAGE'), titles.join(', '));
  assert.ok(titles.includes('Use double quotes'));
  assert.ok(titles.includes('Replace with INIT_COMMAND_00_TIME'), titles.join(', '));
  const fixed = actions.filter((a) => a.isPreferred).reduce((t, a) => applyEdits(t, a.edit!.changes!['file:///w/lts.conf']!), text);
  assert.equal(fixed, '[Default]\nLDM_LANGUAGE = x\nLDM_SESSION = "startxfce4"\nINIT_COMMAND_00_TIME = "date"\n');
  const after = await ltsConfService.validate(fixed, { shell });
  assert.deepEqual(after.filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.code), []);
});

test('an lts.conf converts to an ltsp.conf that validates without errors', async () => {
  const text = '# farm\n[Default]\nLDM_SESSION = "startxfce4"\nLOCALDEV = True\nRCFILE_01 = "echo hi"\nFSTAB_1 = "server:/home /home nfs defaults,nofail 0 0"\n[pc01]\nLIKE = Default\n';
  const converted = convertLtsToLtsp(text);
  assert.match(converted, /^\[clients\]$/m);
  assert.match(converted, /^INCLUDE=clients$/m);
  assert.match(converted, /^POST_INIT_01="echo hi"$/m);
  assert.match(converted, /^# farm$/m);
  const diagnostics = await ltspConfService.validate(converted, { shell });
  assert.deepEqual(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`), []);
  const actions = ltsConfService.codeActions!('file:///w/lts.conf', text, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []);
  assert.ok(actions.some((a) => a.kind === 'refactor.rewrite' && JSON.stringify(a.edit).includes('file:///w/ltsp.conf')));
});

test('ltsp.conf quick fixes: misspelt key, missing INCLUDE target, True for a flag, unquoted space, nofail', async () => {
  const uri = 'file:///w/ltsp.conf';
  const text = '[clients]\nIMAGE_TO_RAMM=1\nINCLUDE=monitr\nIMAGE_TO_RAM=True\nX_MODES=1024x768 800x600\nFSTAB_HOME="server:/home /home nfs defaults 0 0"\n[monitor]\nX_MODES=a\n';
  const diagnostics = await ltspConfService.validate(text, { shell });
  const actions = ltspConfService.codeActions!(uri, text, diagnostics[0]!.range, diagnostics);
  const fixed = actions.filter((a) => a.isPreferred).reduce((t, a) => applyEdits(t, a.edit!.changes![uri]!), text);
  assert.equal(fixed, '[clients]\nIMAGE_TO_RAM=1\nINCLUDE=monitor\nIMAGE_TO_RAM=1\nX_MODES="1024x768 800x600"\nFSTAB_HOME="server:/home /home nfs defaults,nofail 0 0"\n[monitor]\nX_MODES=a\n');
});
