import { MarkupKind, type Hover, type Position } from 'vscode-languageserver-types';
import type { ParseResult } from './ast';
import { dhcpdCatalog, qualifiedOptionName } from './dhcpdCatalog';
import { ARCHITECTURE_NAMES, OptionScope } from './dhcpdModel';
import { locate } from './dhcpdLocate';
import { evalWord } from './evalFunctions';
import { describeType } from './optionTypes';
import { describeParameterValue } from './valueCheck';

/** What a statement, parameter, option or function does; options with their code and type. */
export function dhcpdHover(parsed: ParseResult, position: Position): Hover | null {
  const at = locate(parsed, position);
  if (!at) return null;
  const markdown = (lines: string[], range: Hover['range']): Hover => ({ contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, ...(range ? { range } : {}) });
  switch (at.kind) {
    case 'statement': {
      const info = dhcpdCatalog.statement(at.name);
      if (!info) return null;
      return markdown([`**${info.name}**`, '', '```dhcpd', info.syntax, '```', '', info.doc], at.token.range);
    }
    case 'parameter': {
      const info = dhcpdCatalog.parameter(at.name);
      if (!info) return null;
      const range = { start: at.tokens[0]!.range.start, end: at.tokens[at.tokens.length - 1]!.range.end };
      const values = info.values ? `  \nValues: ${info.values.map((v) => '`' + v + '`').join(', ')}` : '';
      return markdown([`**${info.name}** · parameter · ${describeParameterValue(info)}`, '', info.doc, '', `\`${info.syntax}\`${values}`], range);
    }
    case 'permission': {
      const info = dhcpdCatalog.data.permissions.find((p) => p.name === at.phrase || (p.name.startsWith('members of') && at.phrase.startsWith('members of')));
      return info ? markdown([`**${info.name}** · ${info.verbs.join(' / ')}`, '', info.doc], at.token.range) : null;
    }
    case 'function': {
      const word = evalWord(at.name);
      return word ? markdown([`**${word.name}** · dhcp-eval(5)`, '', '`' + word.syntax + '`', '', word.doc], at.range) : null;
    }
    case 'option': {
      const scope = new OptionScope(parsed.tree);
      const known = scope.resolve(at.name);
      if (!known) {
        const note = ARCHITECTURE_NAMES.has(at.name.name.toLowerCase()) ? dhcpdCatalog.note('architecture') : at.name.name === 'next-server' ? dhcpdCatalog.note('next-server') : undefined;
        const lines = [`**option ${at.name.text}** · not defined`, ''];
        lines.push(note ? note.doc : 'Neither a predefined option nor defined in this file: define it with `option NAME code N = TYPE;` at the top.');
        return markdown(lines, at.name.range);
      }
      const lines = [`**option ${qualifiedOptionName(known.space, known.name)}** · code ${known.code} · \`${describeType(known.type)}\``, ''];
      if ('definition' in known && known.definition) {
        lines.push(`Defined on line ${known.definition.range.start.line + 1} of this file.`);
        const same = dhcpdCatalog.data.options.find((o) => o.space === known.space && o.code === known.code);
        if (same) lines.push('', `ISC DHCP also knows code ${known.code} as \`${same.name}\`: ${same.doc}`);
      } else if (known.info) {
        lines.push(known.info.doc);
        if (known.space !== 'dhcp') lines.push('', `Option space: \`${known.space}\``);
      }
      return markdown(lines, at.name.range);
    }
  }
}
