import type { CodeLens } from 'vscode-languageserver-types';
import { BUILD_IMAGE_COMMAND, BUILD_STAGE_COMMAND, type BuildCommandArgs } from './buildCommands';
import { parseDockerfile } from './stageGraph';

/**
 * "Build stage" and "Build image" above every named stage. The unnamed final
 * stage only gets "Build image": `--target` needs a name. A "Boot preview"
 * lens on the final stage waits for the preview to exist.
 */
export function dockerfileCodeLenses(text: string, uri: string): CodeLens[] {
  const { graph } = parseDockerfile(text);
  return graph.stages.flatMap((stage) => {
    if (!stage.name && stage !== graph.final) return [];
    const range = stage.from.getInstructionRange();
    const args: BuildCommandArgs = stage.name ? { uri, stage: stage.name } : { uri };
    const lenses: CodeLens[] = [{ range, command: { title: 'Build image', command: BUILD_IMAGE_COMMAND, arguments: [args] } }];
    if (stage.name) lenses.unshift({ range, command: { title: 'Build stage', command: BUILD_STAGE_COMMAND, arguments: [args] } });
    return lenses;
  });
}
