import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ltspConfService } from '../../../server/src/lang/ltspconf/ltspConfLanguage';
import { ltspConfShellChunks } from '../../../server/src/lang/ltspconf/ltspShellScript';
import { parseLtspConf } from '../../../server/src/lang/ltspconf/ltspConfParser';
import { assertDiagnostics, bothEols, marked } from '../../support/markers';
import { shell } from '../../support/shell';

async function expectCodes(source: string, codes: string[], eol: '\n' | '\r\n', only?: string[]) {
  const { text, ranges } = marked(source, eol);
  const diagnostics = await ltspConfService.validate(text, { shell });
  assertDiagnostics(diagnostics, codes, ranges, only ?? codes);
  return diagnostics;
}

bothEols('a setting before the first section is evaluated everywhere: a warning', (eol) =>
  expectCodes('⟦NAT⟧=1\n[clients]\nIMAGE_TO_RAM=1\n', ['LTSP001'], eol),
);

bothEols('text after a section header breaks the generated shell', (eol) =>
  expectCodes('[clients] ⟦# all of them⟧\nIMAGE_TO_RAM=1\n', ['LTSP002'], eol),
);

bothEols('an indented assignment with spaces runs as a command', (eol) =>
  expectCodes('[clients]\n  ⟦IMAGE_TO_RAM = 1⟧\n', ['LTSP003'], eol),
);

bothEols('an unclosed quote swallows the rest of the file', (eol) =>
  expectCodes('[clients]\nFSTAB_HOME=⟦"⟧server:/home /home nfs defaults 0 0\n[pc01]\nHOSTNAME=pc01\n', ['LTSP004'], eol, ['LTSP004', 'LTSP025']),
);

bothEols('an unquoted space runs the second word as a command', (eol) =>
  expectCodes('[clients]\nX_MODES=1024x768 ⟦800x600⟧\n', ['LTSP005'], eol),
);

bothEols('multi-line quoted values are one value', async (eol) => {
  const { text } = marked('[clients]\nCRONTAB_BACKUP="\n0 1 * * * root /backup.sh\n"\nHOSTNAME=pc\n', eol);
  const doc = parseLtspConf(text);
  const entries = doc.sections[0]!.entries;
  assert.deepEqual(entries.map((e) => e.key), ['CRONTAB_BACKUP', 'HOSTNAME']);
  assert.equal(entries[0]!.value, '\n0 1 * * * root /backup.sh\n');
  assert.deepEqual(entries[0]!.valueRange, { start: { line: 1, character: 15 }, end: { line: 3, character: 1 } });
});

bothEols('[default] and LIKE= are LTSP 5 habits that do nothing here', (eol) =>
  expectCodes('[⟦default⟧]\nIMAGE_TO_RAM=1\n[pc01]\n⟦LIKE⟧=default\n', ['LTSP006', 'LTSP006'], eol),
);

bothEols('an unknown variable gets a suggestion', async (eol) => {
  const diagnostics = await expectCodes('[clients]\n⟦IMAGE_TO_RAMM⟧=1\n', ['LTSP007'], eol);
  assert.match(diagnostics[0]!.message, /IMAGE_TO_RAM/);
});

bothEols('a name starting with a digit is not a variable', (eol) => expectCodes('[clients]\n⟦1X⟧=1\n', ['LTSP009'], eol));

bothEols('True turns an opt-in flag off', async (eol) => {
  const diagnostics = await expectCodes('[clients]\nIMAGE_TO_RAM=⟦True⟧\nIMAGE_TO_RAM=1\n', ['LTSP010'], eol);
  assert.match(diagnostics[0]!.message, /OFF/);
});

bothEols('a key set twice in one section', (eol) =>
  expectCodes('[clients]\nHOSTNAME=a\n⟦HOSTNAME⟧=b\n', ['LTSP013'], eol),
);

bothEols('INCLUDE of a missing section', (eol) =>
  expectCodes('[clients]\nINCLUDE=⟦crt_monitr⟧\n[crt_monitor]\nX_HORIZSYNC="28.0-87.0"\n', ['LTSP014'], eol),
);

bothEols('INCLUDE of a section whose name has a dash cannot call its function', (eol) =>
  expectCodes('[clients]\nINCLUDE=⟦crt-monitor⟧\n[crt-monitor]\nX_HORIZSYNC="28.0-87.0"\n', ['LTSP015'], eol),
);

bothEols('a MAC section after a glob that covers it never applies', (eol) =>
  expectCodes('[b8:27:eb:*|dc:a6:32:*]\nHOSTNAME=pi\n[⟦b8:27:eb:00:00:01⟧]\nHOSTNAME=pi1\n', ['LTSP016'], eol),
);

bothEols('two sections with the same shell function', (eol) =>
  expectCodes('[pc-01]\nHOSTNAME=a\n[⟦pc_01⟧]\nHOSTNAME=b\n', ['LTSP017'], eol),
);

bothEols('a server-only variable in [clients] is never read', (eol) =>
  expectCodes('[clients]\n⟦NAT⟧=1\n', ['LTSP018'], eol),
);

bothEols('FSTAB_ lines get the fstab checks', (eol) =>
  expectCodes('[clients]\nFSTAB_HOME="server:/home /home nfs ⟦defaults⟧ 0 0"\n', ['LTSP022'], eol),
);

bothEols('the whole file is checked as the shell that ini2sh makes of it', (eol) =>
  expectCodes('[clients]\nHOSTNAME=pc\n⟦if test -e /x; then⟧\n[pc01]\nHOSTNAME=pc01\n', ['LTSP025'], eol),
);

bothEols('POST_INIT_ values are shell code again when the hook runs, checked after quote removal', (eol) =>
  expectCodes('[clients]\nPOST_INIT_X=⟦"echo \'unclosed"⟧\nPOST_INIT_Y="echo \'closed\'"\n', ['LTSP028'], eol, ['LTSP025', 'LTSP028']),
);

bothEols('a value that breaks the file itself is reported once, as a file error', (eol) =>
  expectCodes('[clients]\n⟦POST_INIT_X="echo $(date"⟧\n', ['LTSP025'], eol, ['LTSP025', 'LTSP028']),
);

bothEols('secrets in plain text', (eol) =>
  expectCodes('[clients]\nPOST_INIT_JOIN="kubeadm join ⟦--token abcdef.0123456789abcdef⟧ 10.0.0.1:6443"\n', ['LTSP026'], eol),
);

test('the ini2sh-like shell is one chunk per section, one line per input line', () => {
  const text = '# c\n[clients]\nA = 1\nINCLUDE=x\nB="two\nlines"\n[pc01]\nHOSTNAME=pc01\n';
  assert.deepEqual(ltspConfShellChunks(parseLtspConf(text)), [
    { startLine: 0, text: '# c' },
    { startLine: 1, text: ':\nA=1\n:\nB="two\nlines"' },
    { startLine: 6, text: ':\nHOSTNAME=pc01\n' },
  ]);
});

bothEols('a shell error in one section does not hide one in the next', (eol) =>
  expectCodes('[clients]\n⟦fi⟧\n[pc01]\nHOSTNAME=pc01\n⟦done⟧\n', ['LTSP025', 'LTSP025'], eol),
);

bothEols('an LTSP 5 variable in ltsp.conf is named as such; a stray LIKE is reported once', async (eol) => {
  const diagnostics = await expectCodes('[clients]\n⟦LOCALDEV⟧=1\n⟦LIKE⟧=clients\n', ['LTSP007', 'LTSP006'], eol);
  assert.match(diagnostics[0]!.message, /LTSP 5 lts\.conf variable/);
});
