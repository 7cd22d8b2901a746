import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver-types';
import { LineIndex } from '../core/text';
import type { DeclarationType, ParseResult, Token } from './ast';
import { dhcpdCatalog, qualifiedOptionName } from './dhcpdCatalog';
import { OptionScope, walkStatements } from './dhcpdModel';
import { splitOptionName, FORBIDDEN_INSIDE } from './parser';
import { describeType } from './optionTypes';
import { HARDWARE_TYPES, describeParameterValue } from './valueCheck';

type Context = keyof typeof FORBIDDEN_INSIDE;

/** Declarations with a snippet, offered where the scope allows them. */
const DECLARATIONS: readonly { type: DeclarationType; snippet: string }[] = [
  { type: 'subnet', snippet: 'subnet ${1:192.168.67.0} netmask ${2:255.255.255.0} {\n\t$0\n}' },
  { type: 'shared-network', snippet: 'shared-network ${1:name} {\n\t$0\n}' },
  { type: 'host', snippet: 'host ${1:name} {\n\thardware ethernet ${2:52:54:00:12:34:56};\n\tfixed-address ${3:192.168.67.10};\n}' },
  { type: 'group', snippet: 'group {\n\t$0\n}' },
  { type: 'pool', snippet: 'pool {\n\trange ${1:192.168.67.100} ${2:192.168.67.200};\n\t$0\n}' },
  { type: 'class', snippet: 'class "${1:pxeclients}" {\n\tmatch if substring(option vendor-class-identifier, 0, 9) = "PXEClient";\n}' },
];

const EXECUTABLE: readonly { label: string; snippet: string; doc: string }[] = [
  { label: 'if', snippet: 'if ${1:exists user-class and option user-class = "iPXE"} {\n\t$0\n}', doc: 'if / elsif / else' },
  { label: 'option', snippet: 'option ', doc: 'option (set)' },
  { label: 'include', snippet: 'include "${1:/etc/dhcp/hosts.conf}";', doc: 'include' },
  { label: 'allow', snippet: 'allow ', doc: 'allow / deny / ignore' },
  { label: 'deny', snippet: 'deny ', doc: 'allow / deny / ignore' },
  { label: 'ignore', snippet: 'ignore ', doc: 'allow / deny / ignore' },
  { label: 'supersede', snippet: 'supersede ', doc: 'default / supersede / prepend / append' },
];

function statementDoc(name: string): { kind: 'markdown'; value: string } | undefined {
  const info = dhcpdCatalog.statement(name);
  return info ? { kind: MarkupKind.Markdown, value: `\`${info.syntax}\`\n\n${info.doc}` } : undefined;
}

/** The innermost block around an offset. */
function contextAt(parsed: ParseResult, offset: number): Context {
  let context: Context = 'global';
  let depth = -1;
  walkStatements(parsed.tree.statements, (s, ancestors) => {
    const open = (o: Token | undefined, close: Token | undefined) => o !== undefined && o.end <= offset && offset <= (close?.start ?? Infinity);
    if (s.kind === 'declaration' && open(s.open, s.close) && ancestors.length > depth) {
      context = s.type;
      depth = ancestors.length;
    } else if (s.kind === 'if') {
      for (const b of s.branches) if (open(b.open, b.close) && ancestors.length > depth) {
        context = 'if';
        depth = ancestors.length;
      }
    }
  });
  return context;
}

export function dhcpdCompletion(parsed: ParseResult, text: string, position: Position): CompletionItem[] {
  const offset = new LineIndex(text).offsetAt(position);
  const tokens = parsed.tree.tokens;
  let i = 0;
  while (i < tokens.length && tokens[i]!.end < offset) i++;
  // The word being typed (cursor inside or right after it) is not context.
  const current = tokens[i] && tokens[i]!.start < offset && tokens[i]!.kind === 'word' ? tokens[i] : undefined;
  const before = tokens.slice(0, i).filter((t) => t.end <= offset && t !== current);
  const prev = before[before.length - 1];
  const statementStart = (() => {
    let k = before.length - 1;
    while (k >= 0 && !(before[k]!.kind === 'punct' && [';', '{', '}'].includes(before[k]!.text))) k--;
    return before.slice(k + 1);
  })();
  if (!prev || (prev.kind === 'punct' && [';', '{', '}'].includes(prev.text))) return statements(contextAt(parsed, offset));
  const first = statementStart[0]?.value.toLowerCase();
  const prevWord = prev.kind === 'word' ? prev.value.toLowerCase() : '';
  if (['option', 'supersede', 'default', 'prepend', 'append', 'exists', 'config-option'].includes(prevWord)) return optionNames(parsed);
  if (['allow', 'deny', 'ignore'].includes(prevWord) && statementStart.length === 1) {
    return dhcpdCatalog.data.permissions
      .filter((p) => p.verbs.includes(prevWord) && !p.name.includes('<'))
      .map((p) => ({ label: p.name.replace('"class"', '"CLASS"'), kind: CompletionItemKind.EnumMember, documentation: p.doc }));
  }
  if (first && statementStart.length === 1) {
    const info = dhcpdCatalog.parameter(first);
    if (first === 'hardware') return HARDWARE_TYPES.map((h) => ({ label: h, kind: CompletionItemKind.EnumMember }));
    if (info?.value === 'flag') return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value }));
    if (info?.value === 'enum') return info.values!.map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
    if (info?.value === 'lease-time') return [{ label: 'infinite', kind: CompletionItemKind.Value, documentation: 'A lease that never expires.' }];
  }
  if (first === 'option' && statementStart.length === 2 && statementStart[1]!.kind === 'word') {
    const known = new OptionScope(parsed.tree).resolve({ ...splitOptionName(statementStart[1]!), range: { start: position, end: position } });
    if (known?.type.fields.length === 1 && known.type.fields[0]!.kind === 'boolean') return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value }));
  }
  return [];
}

const statementItems = new Map<Context, CompletionItem[]>();

/** The statements a scope allows; the list depends only on the scope, so it is built once per kind. */
function statements(context: Context): CompletionItem[] {
  let items = statementItems.get(context);
  if (!items) {
    items = buildStatements(context);
    statementItems.set(context, items);
  }
  return items.map((item) => ({ ...item }));
}

function buildStatements(context: Context): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const d of DECLARATIONS) {
    if (FORBIDDEN_INSIDE[context].includes(d.type)) continue;
    const doc = statementDoc(d.type);
    items.push({ label: d.type, kind: CompletionItemKind.Module, insertText: d.snippet, insertTextFormat: InsertTextFormat.Snippet, ...(doc ? { documentation: doc } : {}) });
  }
  if (context === 'subnet' || context === 'pool') items.push({ label: 'range', kind: CompletionItemKind.Keyword, insertText: 'range ${1:192.168.67.100} ${2:192.168.67.200};', insertTextFormat: InsertTextFormat.Snippet, ...optionalDoc('range') });
  if (context === 'class') {
    items.push({ label: 'match if', kind: CompletionItemKind.Keyword, insertText: 'match if ${1:substring(option vendor-class-identifier, 0, 9) = "PXEClient"};', insertTextFormat: InsertTextFormat.Snippet, ...optionalDoc('match if') });
    items.push({ label: 'spawn with', kind: CompletionItemKind.Keyword, insertText: 'spawn with ${1:option dhcp-client-identifier};', insertTextFormat: InsertTextFormat.Snippet, ...optionalDoc('spawn with') });
  }
  if (context === 'global') items.push({ label: 'option space', kind: CompletionItemKind.Keyword, insertText: 'option space ${1:ipxe};', insertTextFormat: InsertTextFormat.Snippet, ...optionalDoc('option space') });
  for (const e of EXECUTABLE) items.push({ label: e.label, kind: CompletionItemKind.Keyword, insertText: e.snippet, insertTextFormat: InsertTextFormat.Snippet, ...optionalDoc(e.doc) });
  for (const p of dhcpdCatalog.data.parameters) {
    if (p.name === 'not authoritative') continue;
    items.push({ label: p.name, kind: CompletionItemKind.Property, detail: describeParameterValue(p), documentation: { kind: MarkupKind.Markdown, value: `\`${p.syntax}\`\n\n${p.doc}` } });
  }
  return items;
}

function optionalDoc(name: string): { documentation?: { kind: 'markdown'; value: string } } {
  const doc = statementDoc(name);
  return doc ? { documentation: doc } : {};
}

function optionNames(parsed: ParseResult): CompletionItem[] {
  const scope = new OptionScope(parsed.tree);
  const items: CompletionItem[] = [];
  for (const d of scope.definitions()) {
    const name = qualifiedOptionName(d.known.space, d.known.name);
    items.push({ label: name, kind: CompletionItemKind.Variable, detail: `code ${d.known.code} · ${describeType(d.known.type)}`, documentation: `Defined on line ${d.definition.range.start.line + 1}.`, sortText: `0${name}` });
  }
  for (const o of dhcpdCatalog.options()) {
    if (o.space === 'dhcp6') continue;
    const name = qualifiedOptionName(o.space, o.name);
    items.push({ label: name, kind: CompletionItemKind.Field, detail: `code ${o.code} · ${describeType(o.type)}`, ...(o.info ? { documentation: o.info.doc } : {}), sortText: `${o.space === 'dhcp' ? 1 : 2}${name}` });
  }
  for (const space of scope.definedSpaces()) items.push({ label: `${space}.`, kind: CompletionItemKind.Module, detail: 'option space', sortText: `3${space}` });
  return items;
}
