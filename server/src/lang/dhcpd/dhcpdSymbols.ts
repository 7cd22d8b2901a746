import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver-types';
import type { Declaration, DeclarationType, DhcpdConfig, Statement } from './ast';

/** The declaration tree, for the outline and breadcrumbs. */
export function dhcpdSymbols(tree: DhcpdConfig): DocumentSymbol[] {
  return symbolsOf(tree.statements);
}

const KINDS: Record<DeclarationType, SymbolKind> = {
  'shared-network': SymbolKind.Namespace,
  subnet: SymbolKind.Module,
  subnet6: SymbolKind.Module,
  host: SymbolKind.Object,
  group: SymbolKind.Package,
  pool: SymbolKind.Array,
  pool6: SymbolKind.Array,
  class: SymbolKind.Class,
  subclass: SymbolKind.Class,
  'failover-peer': SymbolKind.Interface,
  key: SymbolKind.Key,
  zone: SymbolKind.Namespace,
  on: SymbolKind.Event,
};

function declarationName(d: Declaration): string {
  const header = d.header.map((t) => t.text).join(' ');
  return header ? `${d.keyword.value} ${header}` : d.keyword.value;
}

function selection(d: { keyword: { range: Range }; name?: { range: Range } }): Range {
  return { start: d.keyword.range.start, end: (d.name ?? d.keyword).range.end };
}

function symbolsOf(statements: readonly Statement[]): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const s of statements) {
    if (s.kind === 'declaration') {
      out.push({ name: declarationName(s), kind: KINDS[s.type], range: s.range, selectionRange: selection(s), children: symbolsOf(s.body) });
    } else if (s.kind === 'if') {
      // Branches hold hosts' boot files; list them so the outline shows where a filename comes from.
      for (const b of s.branches) {
        const children = symbolsOf(b.body);
        const label = b.condition ? `${b.keyword.value.toLowerCase() === 'else' ? 'else if' : b.keyword.value}` : 'else';
        out.push({ name: label, kind: SymbolKind.Boolean, range: b.range, selectionRange: b.keyword.range, children });
      }
    } else if (s.kind === 'option-definition') {
      out.push({ name: `option ${s.option.text}`, detail: s.code !== undefined ? `code ${s.code}` : undefined, kind: SymbolKind.Constant, range: s.range, selectionRange: s.option.range } as DocumentSymbol);
    } else if (s.kind === 'option-space' && s.name) {
      out.push({ name: `option space ${s.name.value}`, kind: SymbolKind.Namespace, range: s.range, selectionRange: s.name.range });
    }
  }
  return out;
}
