import { Run } from 'dockerfile-ast';
import { CompletionItemKind, MarkupKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver-types';
import { comparePositions, splitLines } from '../core/text';
import { describeStage } from './dockerfileHover';
import { describeLtspCommand, ltspCommands } from './ltspCommands';
import { parseDockerfile, type DockerfileDocument, type Stage } from './stageGraph';

/** The stage the line belongs to; a FROM line belongs to the stage it starts. */
function stageAtLine(doc: DockerfileDocument, line: number): Stage | undefined {
  return doc.graph.stages.filter((s) => s.from.getRange().start.line <= line).pop();
}

function stageItems(doc: DockerfileDocument, line: number, replace: Range): CompletionItem[] {
  const current = stageAtLine(doc, line);
  // Only stages above can be used: offering a later one would invite the error it causes.
  const usable = doc.graph.stages.filter((s) => s.name && (!current || s.index < current.index));
  return usable.map((s) => ({
    label: s.name!,
    kind: CompletionItemKind.Module,
    detail: `stage ${s.index} · FROM ${s.base}`,
    documentation: { kind: MarkupKind.Markdown, value: describeStage(doc, s) },
    textEdit: { range: replace, newText: s.name! },
    sortText: String(1000 - s.index).padStart(4, '0'),
  }));
}

function commandItems(names: readonly { label: string; name: string }[], replace: Range): CompletionItem[] {
  return names.map(({ label, name }) => {
    const info = ltspCommands.find((c) => c.name === name)!;
    return {
      label,
      kind: CompletionItemKind.Function,
      detail: `${info.summary} · LTSP ${info.generation}`,
      documentation: { kind: MarkupKind.Markdown, value: describeLtspCommand(info) },
      textEdit: { range: replace, newText: label },
      filterText: label,
    };
  });
}

export function dockerfileComplete(text: string, position: Position): CompletionItem[] {
  const doc = parseDockerfile(text);
  const before = (splitLines(text)[position.line]?.text ?? '').slice(0, position.character);
  const replace = (typed: string): Range => ({ start: { line: position.line, character: position.character - typed.length }, end: position });
  const stageRef = /(?:--from=|--mount=\S*\bfrom=)([\w.-]*)$/.exec(before) ?? /^\s*FROM\s+(?:--\S+\s+)*([\w.-]*)$/i.exec(before);
  if (stageRef) return stageItems(doc, position.line, replace(stageRef[1]!));
  // By line, so that `RUN ` with nothing typed yet counts; on the first line, only after the keyword.
  const run = doc.ast.getInstructions().find((i) => i instanceof Run && i.getRange().start.line <= position.line && position.line <= i.getRange().end.line);
  if (!run || comparePositions(position, run.getInstructionRange().end) <= 0) return [];
  const applet = /\bltsp\s+([a-z-]*)$/.exec(before);
  if (applet) {
    const applets = ltspCommands.filter((c) => c.name.startsWith('ltsp ')).map((c) => ({ label: c.name.slice(5), name: c.name }));
    return commandItems(applets, replace(applet[1]!));
  }
  const word = /(?:^|[\s;&|(`'"])([\w-]*)$/.exec(before)?.[1] ?? '';
  return commandItems(ltspCommands.map((c) => ({ label: c.name, name: c.name })), replace(word));
}
