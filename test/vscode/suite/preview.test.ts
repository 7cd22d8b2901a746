import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { BootOutcome } from '../../../client/src/commands/bootFarm';
import type { PreviewState } from '../../../client/src/preview/previewController';
import { netbootFarm, workspaceFolder } from '../support/editor';
import { screenshot } from '../support/screenshot';

const STATE = 'netbootFarm.preview.state';
const CLICK = 'netbootFarm.preview.click';
/** A TCG boot takes ~20 s on an idle machine and several times that when other VMs compete for the cores. */
const BOOT_MS = 300_000;

async function state(): Promise<PreviewState> {
  const s = await vscode.commands.executeCommand<PreviewState>(STATE);
  assert.ok(s, `${STATE} returned nothing`);
  return s;
}

/** Polls the page's own account of what it shows until `done` holds; fails with the last account. */
async function waitForPage(what: string, done: (s: PreviewState) => boolean, timeoutMs = BOOT_MS): Promise<PreviewState> {
  const deadline = Date.now() + timeoutMs;
  let last: PreviewState | undefined;
  while (Date.now() < deadline) {
    last = await state();
    if (done(last)) return last;
    if (last.session && !last.session.running) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const consoles = Object.entries(last?.page?.consoles ?? {}).map(([n, text]) => `--- ${n}:\n${text.split('\n').slice(-15).join('\n')}`);
  assert.fail(`${what}: not seen within ${timeoutMs / 1000} s (or the session ended). Last state:\n${JSON.stringify({ ...last, page: { ...last?.page, consoles: undefined } }, null, 1)}\n${consoles.join('\n')}`);
}

async function click(selector: string): Promise<string> {
  const clicked = await vscode.commands.executeCommand<{ found: boolean; text?: string }>(CLICK, selector);
  assert.ok(clicked?.found, `the page has no ${selector}`);
  return clicked.text ?? '';
}

/** The processes below `pid` (by parent pid, from /proc): QEMU, the farm process, its helpers. */
function descendants(pid: number): { pid: number; name: string }[] {
  const children = new Map<number, { pid: number; name: string }[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), { pid: Number(entry), name }]);
    } catch {
      // Gone while we looked.
    }
  }
  const out: { pid: number; name: string }[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c.pid)));
  walk(pid);
  return out;
}

/** Still running: there, with the same name (pids are reused), and not a zombie waiting to be reaped. */
function alive(p: { pid: number; name: string }): boolean {
  try {
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === p.name && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The processes of `list` still alive after they had `ms` to exit (a killed QEMU takes a moment to go). */
async function survivors(list: { pid: number; name: string }[], ms = 15_000): Promise<{ pid: number; name: string }[]> {
  const deadline = Date.now() + ms;
  while (list.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  return list.filter(alive);
}

describe('boot preview', function () {
  this.timeout(BOOT_MS + 120_000);
  let folder: vscode.Uri;

  before(async () => {
    const ctx = await netbootFarm();
    folder = vscode.Uri.joinPath(workspaceFolder(), 'preview-farm');
    // The example farm as a user would have it: its configs, no build output or leases.
    cpSync(join(ctx.extension.extensionPath, 'examples', 'farm'), folder.fsPath, { recursive: true, filter: (src) => !basename(src).startsWith('.') });
    assert.ok(existsSync(join(folder.fsPath, 'lts.conf')));
  });

  after(async () => {
    // Whatever failed above, the VMs, taps and namespaces go.
    await vscode.commands.executeCommand('netbootFarm.stopFarm');
  });

  // The example image powers itself off after its ready marker, so the test
  // asserts on what stays: terminal text, timeline rows, the final states.
  it('boots a real VM and shows its console, screen, timeline and status', async () => {
    // The command returns once the farm reports its first status; the page is watched meanwhile, so a hang shows what it had.
    const outcome = vscode.commands.executeCommand<BootOutcome>('netbootFarm.bootFarm', folder);
    await waitForPage('a tab for node01', (s) => s.page?.tabs.includes('node01') === true);
    await click('[data-action="view-screen"][data-node="node01"]');
    // The screen view asks for a QMP screenshot every 2 s while the VM is on, which it is for the whole boot.
    await waitForPage('a QMP screenshot of node01 in the screen view', (s) => (s.page?.screens.node01 ?? 0) > 0);
    await screenshot('preview-screen');
    await click('[data-action="view-console"][data-node="node01"]');

    const booted = await waitForPage('node01 printing its ready marker in the panel terminal', (s) => /netboot-farm: ready hostname=node01/.test(s.page?.consoles.node01 ?? ''));
    assert.equal(await outcome, 'started');
    const page = booted.page!;
    assert.deepEqual(page.tabs, ['node01']);
    // Firmware, kernel and the example image's own lines went through the terminal.
    assert.match(page.consoles.node01!, /Linux version \d/);
    assert.match(page.consoles.node01!, /netboot-farm: root mounted/);
    assert.deepEqual(page.cspViolations, [], 'the page broke its own Content-Security-Policy');

    const timeline = await waitForPage('DHCP, TFTP and NBD rows in the timeline', (s) => ['dhcp', 'tftp', 'nbd', 'vm'].every((layer) => (s.page?.timeline.byLayer[layer] ?? 0) > 0));
    assert.ok(timeline.page!.timeline.links > 0, 'DHCP answers link to the dhcpd.conf lines that made them');
    // Console milestones are timeline rows; the console's plain lines are only in the terminal.
    assert.ok((timeline.page!.timeline.byLayer.console ?? 0) >= 4, JSON.stringify(timeline.page!.timeline));
    await screenshot('preview');

    // The guest powers itself off after the marker: the panel and the status bar end up saying so.
    const off = await waitForPage('node01 off after its own power-off', (s) => s.page?.nodeStates.node01 === 'off' && /: 1 VM powered off$/.test(s.statusBar));
    assert.equal(off.session?.running, true, 'the session outlives its VMs');
  });

  it('a timeline link opens the config line that made the decision', async () => {
    const link = await click('.farm a.origin');
    const match = /^(.+):(\d+)$/.exec(link);
    assert.ok(match, `link text ${link}`);
    const [, file, line] = match;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && basename(vscode.window.activeTextEditor?.document.uri.fsPath ?? '') !== file) await new Promise((r) => setTimeout(r, 200));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(editor.document.uri.fsPath, join(folder.fsPath, file!));
    assert.equal(editor.selection.start.line, Number(line) - 1);
  });

  it('powers the VM on and off from the panel, then stops the farm and leaves nothing running', async () => {
    const before = await state();
    const pid = before.session?.pid;
    assert.ok(pid && before.session?.running, 'the session runs');
    const vmRows = before.page!.timeline.byLayer.vm ?? 0;

    await click('[data-action="power-on"][data-node="node01"]');
    // A boot takes tens of seconds under TCG: the page shows it on for all of them.
    const on = await waitForPage('node01 on again', (s) => s.page?.nodeStates.node01 !== 'off' && (s.page?.timeline.byLayer.vm ?? 0) > vmRows, 60_000);
    assert.match(on.statusBar, /: node01 booting$/);
    let processes = descendants(pid);
    for (const deadline = Date.now() + 30_000; !processes.some((p) => p.name.startsWith('qemu-system')) && Date.now() < deadline; processes = descendants(pid)) await new Promise((r) => setTimeout(r, 300));
    const qemu = processes.filter((p) => p.name.startsWith('qemu-system'));
    assert.equal(qemu.length, 1, `one QEMU below the session: ${JSON.stringify(processes)}`);

    await click('[data-action="power-off"][data-node="node01"]');
    const off = await waitForPage('node01 shown as off', (s) => s.page?.nodeStates.node01 === 'off', 60_000);
    assert.match(off.statusBar, /: 1 VM powered off$/);
    assert.deepEqual(await survivors(qemu), [], 'QEMU is gone after power-off');
    // Powered off mid-boot: the second boot never reached its marker.
    assert.equal(off.page!.consoles.node01!.match(/netboot-farm: ready hostname=node01/g)?.length, 1);

    await vscode.commands.executeCommand('netbootFarm.stopFarm');
    const stopped = await state();
    assert.equal(stopped.session?.running, false);
    assert.equal(stopped.session?.end?.ok, true, JSON.stringify(stopped.session?.end));
    assert.deepEqual(await survivors(processes), [], 'every process the session started has exited');
    assert.doesNotMatch(stopped.statusBar, /VM|booting/);
    assert.match(stopped.page!.header, /^Stopped: /);
  });
});
