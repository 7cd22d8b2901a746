import type { Position } from 'vscode-languageserver-types';
import { containsPosition } from '../core/text';
import type { Expression, OptionName, ParseResult, Statement, Token } from './ast';
import { expressionsOf, walkExpression, walkStatements } from './dhcpdModel';

/** What the word under a position is, for hover and quick navigation. */
export type Located =
  | { readonly kind: 'option'; readonly name: OptionName; readonly statement: Statement }
  | { readonly kind: 'parameter'; readonly name: string; readonly tokens: readonly Token[] }
  | { readonly kind: 'statement'; readonly name: string; readonly token: Token }
  | { readonly kind: 'permission'; readonly phrase: string; readonly token: Token }
  | { readonly kind: 'function'; readonly name: string; readonly range: Token['range'] };

const DECLARATION_STATEMENT: Record<string, string> = { 'failover-peer': 'failover peer' };

export function locate(parsed: ParseResult, position: Position): Located | undefined {
  let found: Located | undefined;
  const inside = (t: { range: Token['range'] } | undefined) => t !== undefined && containsPosition(t.range, position);
  walkStatements(parsed.tree.statements, (s) => {
    if (found || !(containsPosition(s.range, position) || s.kind === 'declaration' || s.kind === 'if' || s.kind === 'switch')) return;
    found = locateIn(s, inside, position);
  });
  return found;
}

function locateIn(s: Statement, inside: (t: { range: Token['range'] } | undefined) => boolean, position: Position): Located | undefined {
  switch (s.kind) {
    case 'parameter':
      if (s.nameTokens.some(inside)) return { kind: 'parameter', name: s.name, tokens: s.nameTokens };
      break;
    case 'option':
      if (s.option && inside(s.option)) return { kind: 'option', name: s.option, statement: s };
      if (inside(s.keyword)) return { kind: 'statement', name: s.modifier === 'option' ? 'option (set)' : 'default / supersede / prepend / append', token: s.keyword };
      break;
    case 'option-definition':
      if (inside(s.option)) return { kind: 'option', name: s.option, statement: s };
      if (inside(s.keyword)) return { kind: 'statement', name: 'option definition', token: s.keyword };
      break;
    case 'option-space':
      if (inside(s.keyword)) return { kind: 'statement', name: 'option space', token: s.keyword };
      break;
    case 'declaration':
      if (inside(s.keyword)) return { kind: 'statement', name: DECLARATION_STATEMENT[s.type] ?? s.type, token: s.keyword };
      break;
    case 'if':
      for (const b of s.branches) if (inside(b.keyword)) return { kind: 'statement', name: 'if / elsif / else', token: b.keyword };
      break;
    case 'range':
      if (inside(s.keyword)) return { kind: 'statement', name: 'range', token: s.keyword };
      break;
    case 'permission':
      if (inside(s.keyword)) return { kind: 'statement', name: 'allow / deny / ignore', token: s.keyword };
      if (s.words.some(inside)) return { kind: 'permission', phrase: s.words.map((w) => w.value.toLowerCase()).join(' '), token: s.words.find(inside)! };
      break;
    case 'match':
      if (inside(s.keyword)) return { kind: 'statement', name: s.form, token: s.keyword };
      break;
    case 'include':
      if (inside(s.keyword)) return { kind: 'statement', name: 'include', token: s.keyword };
      break;
    default:
      break;
  }
  let hit: Located | undefined;
  for (const e of expressionsOf(s)) {
    walkExpression(e, (x: Expression) => {
      if (hit) return;
      if ((x.kind === 'option' || x.kind === 'exists') && containsPosition(x.option.range, position)) hit = { kind: 'option', name: x.option, statement: s };
      else if (x.kind === 'call' && containsPosition(x.nameRange, position)) hit = { kind: 'function', name: x.name, range: x.nameRange };
      else if (x.kind === 'keyword' && containsPosition(x.range, position)) hit = { kind: 'function', name: x.name, range: x.range };
      else if ((x.kind === 'option' || x.kind === 'exists') && containsPosition(x.range, position)) hit = { kind: 'function', name: x.kind === 'exists' ? 'exists' : x.source, range: x.range };
    });
  }
  return hit;
}
