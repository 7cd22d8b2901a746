import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ltsConfService } from '../../../server/src/lang/ltsconf/ltsConfLanguage';
import { ltsConfRules } from '../../../server/src/lang/ltsconf/ltsConfRules';
import { formatMessage } from '../../../server/src/lang/core/diagnostics';
import { assertDiagnostics, bothEols, marked } from '../../support/markers';
import { shell } from '../../support/shell';

async function expectCodes(source: string, codes: string[], eol: '\n' | '\r\n', only?: string[]) {
  const { text, ranges } = marked(source, eol);
  const diagnostics = await ltsConfService.validate(text, { shell });
  assertDiagnostics(diagnostics, codes, ranges, only ?? codes);
  return diagnostics;
}

bothEols('a setting before the first section is an error on that line', (eol) =>
  expectCodes('⟦SERVER = 10.0.0.1⟧\n[Default]\nSCREEN_07 = ldm\n', ['LTS001'], eol),
);

bothEols('an empty section is an error on its header', (eol) =>
  expectCodes('⟦[Default]⟧\n# nothing here\n[pc01]\nSCREEN_07 = ldm\n', ['LTS002'], eol),
);

bothEols('a line that is not KEY = VALUE is an error', (eol) =>
  expectCodes('[Default]\n⟦SCREEN_07 ldm⟧\n', ['LTS003'], eol),
);

bothEols('text after a section header is an error', (eol) =>
  expectCodes('[Default] ⟦extra⟧\nSCREEN_07 = ldm\n', ['LTS003'], eol),
);

bothEols('single quotes are not quotes in lts.conf', (eol) =>
  expectCodes("[Default]\nLDM_SESSION = ⟦'gnome-session'⟧\n", ['LTS004'], eol),
);

bothEols('a quoted value that swallows a trailing comment is flagged with its real value', async (eol) => {
  const diagnostics = await expectCodes('[Default]\nLDM_SESSION = ⟦"startxfce4" # "old"⟧\n', ['LTS005'], eol);
  assert.match(diagnostics.find((d) => d.code === 'LTS005')!.message, /`startxfce4" # "old`/);
});

bothEols('an unbalanced double quote is an error', (eol) =>
  expectCodes('[Default]\nLDM_SESSION = ⟦"startxfce4⟧\n', ['LTS006'], eol),
);

bothEols('= in an unquoted value must be quoted', (eol) =>
  expectCodes('[Default]\nLDM_SESSION = gnome-session --session⟦=⟧ubuntu\n', ['LTS007'], eol),
);

bothEols('a missing value is an error', (eol) => expectCodes('[Default]\nSCREEN_07 ⟦=⟧\n', ['LTS008'], eol));

bothEols('a key that is not a shell name is an error', (eol) => expectCodes('[Default]\n⟦LDM SESSION⟧ = x\n', ['LTS009'], eol));

bothEols('an unknown variable gets a did-you-mean from the catalog', async (eol) => {
  const diagnostics = await expectCodes('[Default]\n⟦LDM_LENGUAGE⟧ = de_DE.UTF-8\n', ['LTS010'], eol);
  assert.equal(diagnostics[0]!.message, formatMessage(ltsConfRules.LTS010.message, { key: 'LDM_LENGUAGE', suggestion: ' Did you mean `LDM_LANGUAGE`?' }));
});

bothEols('PREINIT_ needs the kvaps patch and names the upstream equivalent', async (eol) => {
  const diagnostics = await expectCodes('[Default]\n⟦PREINIT_00_TIME⟧ = "date"\n', ['LTS011'], eol);
  assert.match(diagnostics[0]!.message, /feature_preinit/);
  assert.match(diagnostics[0]!.message, /INIT_COMMAND_\*/);
});

bothEols('booleans: 1 and on are read as false; True/y/yes/N are fine', (eol) =>
  expectCodes('[Default]\nLDM_DIRECTX = ⟦1⟧\nLOCALDEV = True\nLDM_GUESTLOGIN = ⟦on⟧\nNBD_SWAP = n\nSOUND = Yes\n', ['LTS013', 'LTS013'], eol),
);

bothEols('numbers and enums are checked against the catalog', (eol) =>
  expectCodes('[Default]\nX_COLOR_DEPTH = ⟦23⟧\nX_RAMPERC = ⟦lots⟧\nX_RAMPERC = ⟦150⟧\n', ['LTS015', 'LTS014', 'LTS014'], eol, ['LTS014', 'LTS015']),
);

bothEols('LTSP_NBD_TO_RAM in the TFTP lts.conf has no effect, and must be lowercase', (eol) =>
  expectCodes('[Default]\n⟦LTSP_NBD_TO_RAM⟧ = ⟦True⟧\n', ['LTS016', 'LTS032'], eol),
);

bothEols('a key set twice in one section: the second is flagged, case-insensitively', (eol) =>
  expectCodes('[Default]\nMODULE_02 = netconsole\n⟦module_02⟧ = br_netfilter\n[pc01]\nMODULE_02 = x\n', ['LTS017'], eol),
);

bothEols('LIKE naming a missing section, with a suggestion', async (eol) => {
  const diagnostics = await expectCodes('[Default]\nSCREEN_07 = ldm\n[pc01]\nLIKE = ⟦workrs⟧\n[workers]\nSCREEN_07 = shell\n', ['LTS018'], eol);
  assert.match(diagnostics[0]!.message, /Did you mean `workers`/);
});

bothEols('LIKE cycles are errors', (eol) =>
  expectCodes('[a]\n⟦LIKE = b⟧\n[b]\n⟦LIKE = a⟧\n', ['LTS019', 'LTS019'], eol),
);

bothEols('a section defined twice', (eol) => expectCodes('[pc01]\nSCREEN_07 = ldm\n[⟦PC01⟧]\nSCREEN_07 = shell\n', ['LTS020'], eol));

bothEols('a glob section after a wider glob never applies', (eol) =>
  expectCodes('[192.168.0.*]\nSCREEN_07 = ldm\n[⟦192.168.0.1*⟧]\nSCREEN_07 = shell\n[10.*]\nSCREEN_07 = ldm\n', ['LTS021'], eol),
);

bothEols('a MAC section with five bytes matches nobody', (eol) =>
  expectCodes('[⟦00:11:22:33:44⟧]\nSCREEN_07 = ldm\n[00:11:22:33:44:55]\nSCREEN_07 = ldm\n[00:11:22:*]\nSCREEN_07 = ldm\n', ['LTS031'], eol),
);

bothEols('FSTAB lines: fields, types, options, nofail', (eol) =>
  expectCodes(
    '[Default]\nFSTAB_1 = ⟦"server:/home /home nfs"⟧\nFSTAB_2 = "/dev/sda1 /data ⟦ext5⟧ nofail,⟦noatim⟧ 0 0"\nFSTAB_3 = "/dev/sdb1 /scratch ext4 ⟦defaults⟧ 0 0"\nFSTAB_4 = "tmpfs /tmp tmpfs defaults 0 0"\n',
    ['LTS022', 'LTS023', 'LTS024', 'LTS025'],
    eol,
  ),
);

bothEols('KEEP_SYSTEM_SERVICES: names LTSP removes, and duplicates', (eol) =>
  expectCodes('[Default]\nKEEP_SYSTEM_SERVICES = "ssh ⟦nfs-kernel-servr⟧ ⟦ssh⟧"\n', ['LTS026', 'LTS027'], eol),
);

bothEols('shell syntax errors in commands, found by the real parser', (eol) =>
  expectCodes('[Default]\nRCFILE_01 = "echo ok"\nRCFILE_02 = ⟦"if true; then echo x"⟧\nRCFILE_03 = "ls | wc -l"\nINIT_COMMAND_1 = ⟦"echo $(date"⟧\nRCFILE_04 = ⟦"echo hi &&"⟧\nRCFILE_05 = ⟦"ls |"⟧\n', ['LTS028', 'LTS028', 'LTS028', 'LTS028'], eol),
);

bothEols('secrets in plain text: a kubeadm join token', (eol) =>
  expectCodes('[Default]\nRCFILE_07 = "kubeadm join ⟦--token 2a4576.504356e45fa3d365⟧ 10.9.0.20:6443"\n', ['LTS029'], eol),
);

bothEols('a crontab line without the user field', (eol) =>
  expectCodes('[Default]\nCRONTAB_01 = ⟦"30 15 * * * poweroff"⟧\nCRONTAB_02 = "30 15 * * * root poweroff"\n', ['LTS030'], eol),
);

test('severities can be overridden per code, and turned off', async () => {
  const text = '[Default]\nLDM_LENGUAGE = x\n';
  const off = await ltsConfService.validate(text, { severity: { LTS010: 'off' } });
  assert.equal(off.filter((d) => d.code === 'LTS010').length, 0);
  const error = await ltsConfService.validate(text, { severity: { LTS010: 'error' } });
  assert.equal(error.find((d) => d.code === 'LTS010')?.severity, 1);
});

test('every rule message names a fix or a reason', () => {
  for (const [code, rule] of Object.entries(ltsConfRules)) assert.ok(rule.message.length > 30, `${code} is too terse`);
});

bothEols('escaped inner quotes are what the author meant: no swallowed-comment warning', (eol) =>
  expectCodes('[Default]\nRCFILE_1 = "echo \\"kernel.panic=1\\" >> /etc/sysctl.conf"\nRCFILE_2 = ⟦"a" "b"⟧\n', ['LTS005'], eol),
);

bothEols('an fstab line without its options field says so', async (eol) => {
  const diagnostics = await expectCodes('[Default]\nFSTAB_1 = ⟦"server:/home /home nfs 0 0"⟧\n', ['LTS022'], eol, ['LTS022', 'LTS024']);
  assert.match(diagnostics.find((d) => d.code === 'LTS022')!.message, /options field is missing/);
});

bothEols('an LTSP 20+ variable in lts.conf is named as such', async (eol) => {
  const diagnostics = await expectCodes('[Default]\n⟦IMAGE_TO_RAM⟧ = 1\n', ['LTS010'], eol);
  assert.match(diagnostics[0]!.message, /LTSP 20\+ ltsp\.conf variable/);
});

test('LIKE graphs that share parents are walked once (40 levels of two parents each)', async () => {
  const sections = Array.from({ length: 40 }, (_, i) => `[s${i}]\nSCREEN_07 = ldm\n${i < 38 ? `LIKE = s${i + 1}\nLIKE = s${i + 2}\n` : ''}`);
  const diagnostics = await ltsConfService.validate(sections.join(''));
  assert.deepEqual(diagnostics.filter((d) => d.severity === 1), []);
});
