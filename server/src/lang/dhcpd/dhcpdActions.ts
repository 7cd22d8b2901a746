import type { CodeAction, Diagnostic, Position, Range } from 'vscode-languageserver-types';
import { detectEol } from '../core/text';
import type { ParseResult } from './ast';
import { walkStatements } from './dhcpdModel';

/** Quick fixes for the diagnostics that have one obvious repair. */
export function dhcpdCodeActions(uri: string, parsed: ParseResult, text: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const fix = (title: string, diagnostic: Diagnostic, range: Range, newText: string, preferred = false) => {
    actions.push({ title, kind: 'quickfix', diagnostics: [diagnostic], isPreferred: preferred, edit: { changes: { [uri]: [{ range, newText }] } } });
  };
  const at = (p: Position): Range => ({ start: p, end: p });
  for (const d of diagnostics) {
    const data = (d.data ?? {}) as { insertAt?: Position; suggestions?: string[]; network?: string; name?: string };
    switch (String(d.code ?? '')) {
      case 'DHCP001':
        if (data.insertAt) fix('Add the missing `;`', d, at(data.insertAt), ';', true);
        break;
      case 'DHCP006':
      case 'DHCP007':
      case 'DHCP008':
        for (const [i, s] of (data.suggestions ?? []).entries()) fix(`Change to \`${s}\``, d, d.range, s, i === 0);
        break;
      case 'DHCP009': {
        const name = data.name ?? 'arch';
        const eol = detectEol(text);
        fix(`Define \`option ${name} code 93 = unsigned integer 16;\` at the top`, d, at(definitionPoint(parsed)), `option ${name} code 93 = unsigned integer 16;${eol}`, true);
        fix('Use the predefined `pxe-system-type` (ISC DHCP 4.4+)', d, d.range, 'pxe-system-type');
        break;
      }
      case 'DHCP010': {
        // Drop the `option ` in front of next-server.
        let keywordStart: Position | undefined;
        walkStatements(parsed.tree.statements, (s) => {
          if (s.kind === 'option' && s.option && s.option.range.start.line === d.range.start.line && s.option.range.start.character === d.range.start.character) keywordStart = s.keyword.range.start;
        });
        if (keywordStart) fix('Write `next-server` as a parameter', d, { start: keywordStart, end: d.range.start }, '', true);
        break;
      }
      case 'DHCP014':
        if (data.network) fix(`Use the network number ${data.network}`, d, d.range, data.network, true);
        break;
      case 'DHCP023':
        fix('Use `infinite`', d, d.range, 'infinite', true);
        break;
      default:
        break;
    }
  }
  return actions;
}

/** Where a new global definition goes: before the first statement (after a leading comment header). */
function definitionPoint(parsed: ParseResult): Position {
  const first = parsed.tree.statements[0];
  return first ? { line: first.range.start.line, character: 0 } : { line: 0, character: 0 };
}
