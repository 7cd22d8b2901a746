// `include "FILE";` is followed: the files are checked together, as dhcpd reads
// them (in place of the include), and each finding is reported in the file and
// at the line it belongs to. The service reads nothing itself: the tests give
// it files in memory, and the host's reader and the CLI are tested on real files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { includedFiles } from '../../../server/src/host/includedFiles';
import { formatMessage } from '../../../server/src/lang/core/diagnostics';
import type { FileDiagnostics, IncludedFiles } from '../../../server/src/lang/core/service';
import { dhcpdService } from '../../../server/src/lang/dhcpd/dhcpdLanguage';
import { dhcpdRules } from '../../../server/src/lang/dhcpd/dhcpdRules';
import { cliSandbox } from '../../support/cli';

/** Files in memory under /etc/dhcp, resolved like the host does (relative to the including file's folder). */
function memoryFiles(files: Record<string, string>): IncludedFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    resolve: (from, path) => (path.startsWith('/') ? path : from.slice(0, from.lastIndexOf('/') + 1) + path),
    async read(name) {
      reads.push(name);
      return files[name];
    },
    describe: (name) => name.slice(name.lastIndexOf('/') + 1),
  };
}

function check(main: string, files: Record<string, string>): Promise<FileDiagnostics[]> {
  return dhcpdService.validateWithIncludes!('/etc/dhcp/dhcpd.conf', main, memoryFiles(files));
}

function of(results: FileDiagnostics[], document: string): Diagnostic[] {
  const found = results.find((r) => r.document === document);
  assert.ok(found, `${document} is among the checked files: ${results.map((r) => r.document).join(', ')}`);
  return found.diagnostics;
}

test('an included file is checked in place: options defined before it resolve, its own mistakes are reported at its own lines', async () => {
  const main = 'option arch code 93 = unsigned integer 16;\ninclude "hosts.conf";\n';
  const hosts = '# lab clients\nhost pc1 { hardware ethernet 52:54:00:00:00:01; option arch 7; }\nhost pc2 { hardwre ethernet 52:54:00:00:00:02; }\n';
  const results = await check(main, { '/etc/dhcp/hosts.conf': hosts });
  assert.deepEqual(results.map((r) => r.document), ['/etc/dhcp/dhcpd.conf', '/etc/dhcp/hosts.conf']);
  assert.deepEqual(of(results, '/etc/dhcp/dhcpd.conf'), []);
  const inHosts = of(results, '/etc/dhcp/hosts.conf');
  assert.deepEqual(inHosts.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['DHCP019', 2, 5], ['DHCP006', 2, 11]]);
  // Alone, hosts.conf knows no `arch`: the definition in the including file is what makes it valid.
  assert.ok((await dhcpdService.validate(hosts)).some((d) => d.code === 'DHCP009'));
});

test('checks across files: a MAC in two files is reported once, naming the other file and line', async () => {
  const main = 'include "a.conf";\nhost here { hardware ethernet 52:54:00:00:00:09; }\n';
  const results = await check(main, { '/etc/dhcp/a.conf': '\n\nhost there { hardware ethernet 52:54:00:00:00:09; }\n' });
  assert.deepEqual(of(results, '/etc/dhcp/a.conf'), []);
  const [duplicate, ...rest] = of(results, '/etc/dhcp/dhcpd.conf');
  assert.deepEqual(rest, []);
  assert.equal(duplicate!.code, 'DHCP017');
  assert.deepEqual(duplicate!.range.start, { line: 1, character: 30 });
  assert.equal(duplicate!.message, formatMessage(dhcpdRules.DHCP017.message, { mac: '52:54:00:00:00:09', other: 'there', line: '3 of a.conf' }));
});

test('an include inside a subnet is read in the subnet: its range is allowed there and checked against it', async () => {
  const main = 'subnet 10.0.0.0 netmask 255.255.255.0 {\n  include "pool.conf";\n}\n';
  const results = await check(main, { '/etc/dhcp/pool.conf': 'range 10.0.0.10 10.0.1.20;\n' });
  assert.deepEqual(of(results, '/etc/dhcp/pool.conf').map((d) => [d.code, d.range.start.line, d.range.start.character]), [['DHCP013', 0, 16]]);
});

test('a missing include is an error on its path, naming the file looked for and the fix', async () => {
  const main = 'authoritative;\ninclude "clients/lab.conf";\n';
  const files = memoryFiles({});
  const [own, ...others] = await dhcpdService.validateWithIncludes!('/etc/dhcp/dhcpd.conf', main, files);
  assert.deepEqual(others, []);
  assert.deepEqual(files.reads, ['/etc/dhcp/clients/lab.conf']);
  assert.equal(own!.diagnostics.length, 1);
  const d = own!.diagnostics[0]!;
  assert.equal(d.code, 'DHCP030');
  assert.deepEqual(d.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 26 } });
  assert.equal(d.message, formatMessage(dhcpdRules.DHCP030.message, { path: 'clients/lab.conf', resolved: '/etc/dhcp/clients/lab.conf' }));
});

test('an include cycle is reported where it closes, and the files are read once', async () => {
  const files = memoryFiles({ '/etc/dhcp/a.conf': 'include "b.conf";\n', '/etc/dhcp/b.conf': 'authoritative;\ninclude "/etc/dhcp/a.conf";\n' });
  const results = await dhcpdService.validateWithIncludes!('/etc/dhcp/dhcpd.conf', 'include "a.conf";\n', files);
  assert.deepEqual(files.reads, ['/etc/dhcp/a.conf', '/etc/dhcp/b.conf']);
  const cycle = of(results, '/etc/dhcp/b.conf');
  assert.deepEqual(cycle.map((d) => [d.code, d.range.start.line]), [['DHCP031', 1]]);
  assert.equal(cycle[0]!.message, formatMessage(dhcpdRules.DHCP031.message, { path: '/etc/dhcp/a.conf', chain: 'dhcpd.conf → a.conf → b.conf → a.conf' }));
});

test('an include without its `;` is reported, not followed', async () => {
  const files = memoryFiles({ '/etc/dhcp/a.conf': 'authoritative;\n' });
  const results = await dhcpdService.validateWithIncludes!('/etc/dhcp/dhcpd.conf', 'include "a.conf"\n', files);
  assert.deepEqual(files.reads, []);
  assert.deepEqual(results.map((r) => [r.document, r.diagnostics.map((d) => d.code)]), [['/etc/dhcp/dhcpd.conf', ['DHCP001']]]);
});

test('without includes, the result is the plain check of the document', async () => {
  const text = 'host a { hardwre ethernet 52:54:00:00:00:01; }\nsubnet 10.0.0.1 netmask 255.255.255.0 { }\n';
  assert.deepEqual(await check(text, {}), [{ document: '/etc/dhcp/dhcpd.conf', diagnostics: await dhcpdService.validate(text) }]);
});

test('the host reads includes relative to the including file, by path or by file URI, and prefers the editor\'s text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbf-include-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'clients'));
  writeFileSync(join(dir, 'clients', 'lab.conf'), 'on disk\n');
  const files = includedFiles((uri) => (uri.endsWith('/open.conf') ? 'in the editor\n' : undefined));
  const main = join(dir, 'dhcpd.conf');
  assert.equal(files.resolve(main, 'clients/lab.conf'), join(dir, 'clients', 'lab.conf'));
  assert.equal(files.resolve(main, '/etc/dhcp/x.conf'), '/etc/dhcp/x.conf');
  assert.equal(await files.read(files.resolve(main, 'clients/lab.conf')), 'on disk\n');
  assert.equal(await files.read(join(dir, 'nothing.conf')), undefined);
  assert.equal(await files.read(join(dir, 'clients')), undefined, 'a folder is no file');
  const uri = pathToFileURL(main).href;
  assert.equal(files.resolve(uri, 'clients/lab.conf'), pathToFileURL(join(dir, 'clients', 'lab.conf')).href);
  assert.equal(await files.read(files.resolve(uri, 'clients/lab.conf')), 'on disk\n');
  assert.equal(await files.read(files.resolve(uri, 'open.conf')), 'in the editor\n');
  assert.equal(files.describe(uri), 'dhcpd.conf');
});

test('netboot-farm check follows includes and reports each file under its own name', () => {
  const { cli, file, dir } = cliSandbox('nbf-check-include-');
  mkdirSync(join(dir, 'conf.d'));
  file('conf.d/hosts.conf', '\nhost pc1 { hardwre ethernet 52:54:00:00:00:01; }\n');
  file('dhcpd.conf', 'include "conf.d/hosts.conf";\ninclude "conf.d/gone.conf";\n');
  const r = cli('check', 'dhcpd.conf');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^dhcpd\.conf:2:9: error DHCP030 Cannot open `conf\.d\/gone\.conf`: there is no conf\.d\/gone\.conf\./m);
  assert.match(r.stdout, /^conf\.d\/hosts\.conf:2:12: error DHCP006 Unknown statement `hardwre`/m);
  assert.match(r.stdout, /2 file\(s\) checked/);
  file('conf.d/gone.conf', 'authoritative;\n');
  file('conf.d/hosts.conf', 'host pc1 { hardware ethernet 52:54:00:00:00:01; }\n');
  const fixed = cli('check', 'dhcpd.conf');
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
});
