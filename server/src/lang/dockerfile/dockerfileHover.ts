import { Run } from 'dockerfile-ast';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver-types';
import { containsPosition } from '../core/text';
import { describeLtspCommand, lookupLtspCommand } from './ltspCommands';
import type { Fact } from './stageFacts';
import { parseDockerfile, stageLabel, usersOf, type DockerfileDocument, type Stage } from './stageGraph';

const line = (r: { start: { line: number } }) => r.start.line + 1;

/** What a stage does for the netboot image, from its facts, in the words of a summary. */
export function milestone(fact: Fact): string | undefined {
  switch (fact.kind) {
    case 'chrootCreate':
      return `creates a chroot (\`${fact.tool}\`${fact.dir ? ` in \`${fact.dir}\`` : ''})`;
    case 'kernel':
      return `installs a kernel (\`${fact.what}\`)`;
    case 'initramfs':
      return `builds an initramfs (\`${fact.tool}\`)`;
    case 'squashfs':
      return `makes the squashfs (\`${fact.tool}\`)`;
    default:
      return undefined;
  }
}

/** Markdown for a stage: its base, its role in the image build, and the stages on either side of it. */
export function describeStage(doc: DockerfileDocument, stage: Stage): string {
  const { graph } = doc;
  const title = stage.name ? `**stage \`${stage.name}\`**` : `**stage ${stage.index}** (unnamed)`;
  const lines = [`${title} · ${stage.index + 1} of ${graph.stages.length} · FROM \`${stage.base}\``, ''];
  if (graph.image?.stage === stage) lines.push(`Image stage: ${graph.image.why}.`);
  if (graph.final === stage) lines.push('Final stage: what `docker build` produces without `--target`.');
  const does = stage.facts.flatMap((f) => {
    const what = milestone(f);
    return what ? [`${what}, line ${line(f.range)}`] : [];
  });
  if (does.length) lines.push('', `Does: ${does.join('; ')}.`);
  const deps = stage.refs.filter((r) => r.target).map((r) => `\`${stageLabel(r.target!)}\` (${r.kind}, line ${line(r.range)})`);
  lines.push('', deps.length ? `Depends on: ${deps.join(', ')}` : 'Depends on no other stage.');
  const users = usersOf(graph, stage).map((r) => `\`${stageLabel(r.stage)}\` (${r.kind}, line ${line(r.range)})`);
  lines.push('', users.length ? `Used by: ${users.join(', ')}` : graph.final === stage ? 'Nothing uses it: it is the result.' : 'Nothing uses it: BuildKit skips it unless you build it with `--target`.');
  return lines.join('\n');
}

export function dockerfileHover(text: string, position: Position): Hover | null {
  const doc = parseDockerfile(text);
  for (const stage of doc.graph.stages) {
    if (stage.nameRange && containsPosition(stage.nameRange, position)) {
      return { contents: { kind: MarkupKind.Markdown, value: describeStage(doc, stage) }, range: stage.nameRange };
    }
  }
  const ref = doc.graph.refs.find((r) => r.target && containsPosition(r.range, position));
  if (ref) return { contents: { kind: MarkupKind.Markdown, value: describeStage(doc, ref.target!) }, range: ref.range };
  const run = doc.ast.getInstructions().find((i): i is Run => i instanceof Run && containsPosition(i.getRange(), position));
  const offset = doc.index.offsetAt(position);
  const command = run && doc.scripts.get(run)?.commands.find((c) => c.nameWord.start <= offset && offset <= c.nameWord.end && lookupLtspCommand(c.name));
  if (!command) return null;
  const info = lookupLtspCommand(command.name)!;
  const range = { start: doc.index.positionAt(command.nameWord.start), end: doc.index.positionAt(command.nameWord.end) };
  return { contents: { kind: MarkupKind.Markdown, value: describeLtspCommand(info) }, range };
}
