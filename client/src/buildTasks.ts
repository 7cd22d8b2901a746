import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseEventLine, renderBuildEvent, stepTitle, terminalLines, type BuildEvent } from '../../server/src/farm/build/buildEvents';
import { BUILD_TASK_TYPE, buildTaskArgs, buildTaskLabel, type BuildTaskDefinition } from '../../server/src/farm/build/buildTaskDefinition';
import { SETTINGS_SECTION, StageGraphRequest } from '../../server/src/protocol';
import type { Ctx } from './context';
import { requireTrust } from './trust';

const DOCKERFILES = '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,Dockerfile.*}';

/**
 * Runs `dist/cli.js build --json` in a child process and renders its events:
 * the builder's output in the terminal, `[N/M] STEP i/k` in a notification,
 * failures as diagnostics on the Dockerfile. No build logic lives here.
 */
class BuildTerminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly done = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.done.event;
  private child: ChildProcess | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly definition: BuildTaskDefinition,
    private readonly folder: vscode.WorkspaceFolder,
    private readonly problems: vscode.DiagnosticCollection,
  ) {}

  open(): void {
    const what = this.definition.stage ? `Building stage ${this.definition.stage}` : 'Building the image';
    if (!requireTrust({ action: what, runs: "runs the Dockerfile's RUN steps with a container builder" })) {
      this.write.fire(terminalLines(`${what} runs the Dockerfile's RUN steps, which an untrusted workspace may not do: trust the workspace first.`));
      this.done.fire(1);
      return;
    }
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, this.folder.uri);
    const args = buildTaskArgs(this.definition, this.folder.uri.fsPath, { builder: config.get<string>('build.builder'), stateDir: config.get<string>('build.stateDir') || undefined });
    const cli = this.ctx.extension.asAbsolutePath(path.join('dist', 'cli.js'));
    const dockerfile = vscode.Uri.file(path.resolve(this.folder.uri.fsPath, this.definition.dockerfile));
    this.problems.delete(dockerfile);
    // The extension host is Electron; this makes it run the CLI as plain Node.
    const child = spawn(process.execPath, [cli, ...args], { cwd: this.folder.uri.fsPath, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: what, cancellable: true }, (progress, token) =>
      new Promise<void>((resolve) => {
        token.onCancellationRequested(() => this.close());
        let shown = 0;
        const diagnostics: vscode.Diagnostic[] = [];
        const onEvent = (event: BuildEvent) => {
          const text = renderBuildEvent(event, (file) => path.relative(this.folder.uri.fsPath, file) || file);
          if (text !== undefined) this.write.fire(terminalLines(text));
          if (event.type === 'step') {
            const percent = event.total ? Math.floor((100 * event.done) / event.total) : shown;
            progress.report({ message: stepTitle(event).slice(0, 120), increment: Math.max(0, percent - shown) });
            shown = Math.max(shown, percent);
          } else if (event.type === 'problem') {
            const r = event.problem.range;
            const d = new vscode.Diagnostic(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), event.problem.message, vscode.DiagnosticSeverity.Error);
            d.code = event.problem.code;
            d.source = 'netboot-farm build';
            diagnostics.push(d);
            this.problems.set(vscode.Uri.file(event.problem.file), diagnostics);
          }
        };
        let pending = '';
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) onEvent(parseEventLine(line));
        });
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.write.fire(terminalLines(chunk.trimEnd())));
        child.on('close', (code) => {
          if (pending.trim()) onEvent(parseEventLine(pending));
          this.child = undefined;
          this.done.fire(code ?? 1);
          resolve();
        });
        child.on('error', (error) => this.write.fire(terminalLines(`netboot-farm: cannot start the build: ${error.message}`)));
      }),
    );
  }

  /** The terminal was closed or the task terminated: the CLI stops the builder and removes its containers. */
  close(): void {
    this.child?.kill('SIGTERM');
  }

  handleInput(data: string): void {
    // Ctrl+C in the task terminal cancels, as in a shell.
    if (data === '\x03') this.close();
  }
}

/** A task per Dockerfile stage that does LTSP work, and one for the whole image. */
async function tasksFor(ctx: Ctx, uri: vscode.Uri, folder: vscode.WorkspaceFolder, problems: vscode.DiagnosticCollection): Promise<vscode.Task[]> {
  const client = ctx.client;
  if (!client) return [];
  // Opening the document hands it to the language server, which owns the stage parsing.
  await vscode.workspace.openTextDocument(uri);
  const view = await client.sendRequest(StageGraphRequest.type, { uri: uri.toString() }).catch(() => null);
  const ltspStages = view?.stages.filter((s) => s.produces.length > 0 || s.roles.includes('image')) ?? [];
  if (!view || ltspStages.length === 0) return [];
  const dockerfile = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  const definitions: BuildTaskDefinition[] = [
    { type: BUILD_TASK_TYPE, dockerfile },
    ...ltspStages.filter((s) => !/^stage \d+$/.test(s.label)).map((s): BuildTaskDefinition => ({ type: BUILD_TASK_TYPE, dockerfile, stage: s.label })),
  ];
  return definitions.map((d) => makeTask(ctx, d, folder, problems));
}

function makeTask(ctx: Ctx, definition: BuildTaskDefinition, folder: vscode.WorkspaceFolder, problems: vscode.DiagnosticCollection): vscode.Task {
  const task = new vscode.Task(definition, folder, buildTaskLabel(definition), 'netboot-farm', new vscode.CustomExecution(async () => new BuildTerminal(ctx, definition, folder, problems)));
  task.group = definition.stage ? undefined : vscode.TaskGroup.Build;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** Registers the `netboot-farm-build` task provider; extension.ts calls this once. */
export function registerBuildTasks(ctx: Ctx): void {
  const problems = vscode.languages.createDiagnosticCollection('netboot-farm-build');
  ctx.push(
    problems,
    vscode.tasks.registerTaskProvider(BUILD_TASK_TYPE, {
      async provideTasks() {
        const tasks: vscode.Task[] = [];
        for (const uri of await vscode.workspace.findFiles(DOCKERFILES, '{**/node_modules/**,**/.netboot/**}', 50)) {
          const folder = vscode.workspace.getWorkspaceFolder(uri);
          if (folder) tasks.push(...(await tasksFor(ctx, uri, folder, problems)));
        }
        return tasks;
      },
      resolveTask(task) {
        const definition = task.definition as BuildTaskDefinition;
        const folder = task.scope && typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
        if (!folder || typeof definition.dockerfile !== 'string') return undefined;
        return makeTask(ctx, definition, folder, problems);
      },
    }),
  );
}

/**
 * Runs the build task of a Dockerfile (one stage, or the whole image): what
 * the "Build stage" / "Build image" code lenses can call instead of opening
 * the task picker. False when no such task exists (no LTSP stages, unnamed stage).
 */
export async function runBuildTask(uri: vscode.Uri, stage?: string): Promise<boolean> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return false;
  const dockerfile = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  const tasks = await vscode.tasks.fetchTasks({ type: BUILD_TASK_TYPE });
  const task = tasks.find((t) => {
    const d = t.definition as BuildTaskDefinition;
    return d.dockerfile === dockerfile && (d.stage ?? undefined) === stage && (t.scope as vscode.WorkspaceFolder | undefined)?.uri.toString() === folder.uri.toString();
  });
  if (!task) return false;
  await vscode.tasks.executeTask(task);
  return true;
}
