import type * as vscode from 'vscode';
import { EXPLAIN_DHCP_COMMAND } from '../../server/src/lang/dhcpd/explainCommand';
import { BUILD_IMAGE_COMMAND, BUILD_STAGE_COMMAND } from '../../server/src/lang/dockerfile/buildCommands';
import { registerBuildTasks } from './buildTasks';
import { bootFarm } from './commands/bootFarm';
import { buildCommand } from './commands/build';
import { showEffectiveSettings } from './commands/effectiveSettings';
import { explainDhcp } from './commands/explainDhcp';
import { exportKubernetes } from './commands/exportKubernetes';
import { newFarm } from './commands/newFarm';
import { restartServer, showOutput } from './commands/restartServer';
import { showStageGraph } from './commands/stageGraph';
import { Ctx, SHOW_OUTPUT_COMMAND } from './context';
import { registerPreview } from './preview/previewController';

let ctx: Ctx | undefined;

/**
 * Thin on purpose: no parsing here (the server does it), one context that
 * owns everything, one line per feature. Activation only registers and starts
 * the language client; the server loads in its own process.
 */
export async function activate(context: vscode.ExtensionContext): Promise<Ctx> {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  ctx.registerCommand('netbootFarm.restartServer', restartServer);
  ctx.registerCommand(SHOW_OUTPUT_COMMAND, showOutput);
  ctx.registerCommand('netbootFarm.showEffectiveSettings', showEffectiveSettings);
  ctx.registerCommand('netbootFarm.showStageGraph', showStageGraph);
  ctx.registerCommand(BUILD_STAGE_COMMAND, buildCommand('stage'));
  ctx.registerCommand(BUILD_IMAGE_COMMAND, buildCommand('image'));
  ctx.registerCommand('netbootFarm.newFarm', newFarm);
  ctx.registerCommand('netbootFarm.bootFarm', bootFarm);
  ctx.registerCommand('netbootFarm.exportKubernetes', exportKubernetes);
  ctx.registerCommand(EXPLAIN_DHCP_COMMAND, explainDhcp);
  registerBuildTasks(ctx);
  registerPreview(ctx);
  await ctx.start();
  // The API the tests (and other extensions) get from `extension.exports`.
  return ctx;
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
