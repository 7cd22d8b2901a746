import * as vscode from 'vscode';
import type { BuildCommandArgs } from '../../../server/src/lang/dockerfile/buildCommands';
import type { CommandFactory } from '../context';
import { requireTrust } from '../trust';

/** What a build command did; returned so that callers (and tests) can tell a refusal from a run. */
export type BuildOutcome = 'refused-untrusted' | 'started';

/**
 * The code lenses' and the palette's build commands. Building runs the
 * Dockerfile's RUN steps, so an untrusted workspace may not. They open the
 * task picker, where the image-build tasks are.
 */
export function buildCommand(what: 'stage' | 'image'): CommandFactory {
  return () =>
    async (args?: BuildCommandArgs): Promise<BuildOutcome> => {
      const target = what === 'stage' && args?.stage ? `Building stage ${args.stage}` : 'Building the image';
      if (!requireTrust({ action: target, runs: "runs the Dockerfile's RUN steps with a container builder" })) return 'refused-untrusted';
      await vscode.commands.executeCommand('workbench.action.tasks.runTask');
      return 'started';
    };
}
