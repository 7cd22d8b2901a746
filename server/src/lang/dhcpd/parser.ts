import type { Position, Range } from 'vscode-languageserver-types';
import type {
  BinaryOperator,
  CaseLabel,
  Declaration,
  DeclarationType,
  DhcpdConfig,
  ExecutableStatement,
  Expression,
  IfBranch,
  IfStatement,
  MatchStatement,
  OptionDefinition,
  OptionModifier,
  OptionName,
  OptionStatement,
  Parameter,
  ParseProblem,
  ParseResult,
  Statement,
  SwitchStatement,
  Token,
} from './ast';
import { hexBytes, integerValue, lexDhcpdConf, type LexResult } from './lexer';
import { anchorProblem, type Reuse, type StatementMemo } from './parseMemo';
import { dhcpdCatalog } from './dhcpdCatalog';
import { parseTypeTokens } from './typeSyntax';

/**
 * dhcpd.conf's grammar (dhcpd.conf(5), dhcp-options(5), dhcp-eval(5); ISC's
 * server/confpars.c and common/parse.c) as a recursive descent over tokens.
 * It never throws and always returns a tree: after an error it skips to the
 * next `;` or block and goes on, so one mistake does not hide the next.
 */
export function parseDhcpdConf(text: string): ParseResult {
  return new Parser(lexDhcpdConf(text)).parse().result;
}

/**
 * Parses tokens that an edit left mostly as they were: statements whose
 * tokens the edit did not touch are taken from `reuse` (see reparse.ts), the
 * rest parsed as `parseDhcpdConf` would. Also returns the memo for the next edit.
 */
export function parseTokens(lexed: LexResult, reuse?: Reuse): { result: ParseResult; memo: StatementMemo } {
  return new Parser(lexed, reuse).parse();
}

/** Where a block is, for the rules that say which declarations it may hold. */
export type Context = DeclarationType | 'global' | 'if' | 'switch';

const DECLARATION_KEYWORDS: Record<string, DeclarationType> = {
  'shared-network': 'shared-network',
  subnet: 'subnet',
  subnet6: 'subnet6',
  host: 'host',
  group: 'group',
  pool: 'pool',
  pool6: 'pool6',
  class: 'class',
  subclass: 'subclass',
  zone: 'zone',
  on: 'on',
};

const SCOPING: readonly DeclarationType[] = ['shared-network', 'subnet', 'subnet6', 'pool', 'pool6', 'host', 'group', 'class'];
const NOT_INSIDE_EXECUTABLE: readonly DeclarationType[] = SCOPING;

/**
 * Declarations a block cannot hold (confpars.c: "... declarations not allowed
 * here"). The parser uses it to tell a missing `}` from misplaced nesting; the
 * checker reports the nesting itself.
 */
export const FORBIDDEN_INSIDE: Readonly<Record<Context, readonly DeclarationType[]>> = {
  global: [],
  group: [],
  'shared-network': ['shared-network'],
  subnet: ['shared-network', 'subnet', 'subnet6'],
  subnet6: ['shared-network', 'subnet', 'subnet6'],
  pool: ['shared-network', 'subnet', 'subnet6', 'pool', 'pool6', 'host', 'group', 'class'],
  pool6: ['shared-network', 'subnet', 'subnet6', 'pool', 'pool6', 'host', 'group', 'class'],
  host: ['shared-network', 'subnet', 'subnet6', 'pool', 'pool6', 'host', 'group', 'class'],
  class: ['shared-network', 'subnet', 'subnet6', 'pool', 'pool6', 'host', 'group', 'class'],
  subclass: NOT_INSIDE_EXECUTABLE,
  'failover-peer': NOT_INSIDE_EXECUTABLE,
  key: NOT_INSIDE_EXECUTABLE,
  zone: NOT_INSIDE_EXECUTABLE,
  on: NOT_INSIDE_EXECUTABLE,
  if: NOT_INSIDE_EXECUTABLE,
  switch: NOT_INSIDE_EXECUTABLE,
};

const GRAMMAR_KEYWORDS = [
  'include', 'shared-network', 'subnet', 'subnet6', 'range', 'range6', 'prefix6', 'host', 'group', 'pool', 'pool6', 'class',
  'subclass', 'match', 'spawn', 'lease', 'if', 'elsif', 'else', 'switch', 'case', 'option', 'default', 'supersede', 'prepend',
  'append', 'allow', 'deny', 'ignore', 'on', 'failover', 'key', 'zone', 'log', 'execute', 'parse-vendor-option', 'set', 'unset',
  'eval', 'return', 'break', 'not', 'hardware', 'fixed-address', 'authoritative',
];

/** Words that start a statement: when one opens a new line, the previous statement lacks its `;`. */
export const STATEMENT_STARTERS: ReadonlySet<string> = new Set([...GRAMMAR_KEYWORDS, ...dhcpdCatalog.data.parameters.map((p) => p.name.split(' ')[0]!)]);

/** Words of dhcp-eval(5) that are values on their own. */
const VALUE_KEYWORDS = new Set(['hardware', 'known', 'static', 'leased-address', 'host-decl-name', 'null', 'true', 'false', 'client-state', 'lease-time', 'filename', 'server-name', 'ddns-fwd-name', 'ddns-rev-name', 'gethostname']);

/** Bare words that are values, not statement names. */
const VALUE_WORDS = new Set(['true', 'false', 'on', 'off', 'infinite', 'ethernet', 'token-ring', 'fddi', 'infiniband', 'dynamic-bootp']);

const NOTHING_RECORDED: StatementMemo = new Map();

const COMPARISON: readonly string[] = ['=', '!=', '~=', '~~'];
const ARITHMETIC: readonly string[] = ['+', '-', '*', '/', '%', '&', '|', '^'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function span(from: Range, to: Range): Range {
  return { start: from.start, end: to.end };
}

class Parser {
  private readonly tokens: Token[];
  private readonly comments;
  private readonly problems: ParseProblem[] = [];
  private pos = 0;
  /** suffixCloses[i]: `}` minus `{` from token i to the end; tells a missing `}` from misplaced nesting. Made when first asked. */
  private suffix: Int32Array | undefined;
  private depth = 0;
  private readonly end: Position;

  // What the statement being parsed depends on, so that a later edit can tell whether it still reads the same:
  /** The furthest token index looked at. */
  private look = -1;
  /** Whether it looked at the end of the file, or before its own first token, or at the braces after it. */
  private touchedEnd = false;
  private lookedBehind = false;
  private usedTail = false;
  private frameStart = 0;
  /** The statements recorded inside the statement being parsed (at the top: the whole file's). */
  private recorded: StatementMemo | undefined;
  /** The same statement's record in the previous parse, whose inner records may be reused. */
  private oldParent: StatementMemo | undefined;

  constructor(
    lexed: LexResult,
    private readonly reuse?: Reuse,
  ) {
    this.tokens = lexed.tokens;
    this.comments = lexed.comments;
    this.end = lexed.end;
    this.oldParent = reuse?.memo;
    for (const t of this.tokens) if (t.unterminated) this.problem('DHCP004', t.range, {});
  }

  private suffixCloses(i: number): number {
    if (!this.suffix) {
      const suffix = new Int32Array(this.tokens.length + 1);
      for (let j = this.tokens.length - 1; j >= 0; j--) {
        const t = this.tokens[j]!;
        suffix[j] = suffix[j + 1]! + (t.kind === 'punct' ? (t.text === '}' ? 1 : t.text === '{' ? -1 : 0) : 0);
      }
      this.suffix = suffix;
    }
    return this.suffix[i]!;
  }

  parse(): { result: ParseResult; memo: StatementMemo } {
    const statements: Statement[] = [];
    while (!this.atEnd()) {
      statements.push(...this.statements('global'));
      const stray = this.peek();
      if (stray && this.isPunct(stray, '}')) {
        this.problem('DHCP005', stray.range, {});
        this.pos++;
      }
    }
    const tree: DhcpdConfig = {
      statements,
      comments: this.comments,
      tokens: this.tokens,
      range: { start: { line: 0, character: 0 }, end: this.endRange().end },
    };
    return { result: { tree, problems: this.problems }, memo: this.recorded ?? new Map() };
  }

  // ------------------------------------------------------------ token helpers

  private peek(offset = 0): Token | undefined {
    const i = this.pos + offset;
    if (i > this.look) {
      this.look = i;
      if (i >= this.tokens.length) this.touchedEnd = true;
    }
    return this.tokens[i];
  }

  private atEnd(): boolean {
    if (this.pos >= this.tokens.length) {
      this.touchedEnd = true;
      return true;
    }
    if (this.pos > this.look) this.look = this.pos;
    return false;
  }

  private next(): Token {
    if (this.pos > this.look) this.look = this.pos;
    return this.tokens[this.pos++]!;
  }

  private previous(): Token | undefined {
    if (this.pos - 1 < this.frameStart) this.lookedBehind = true;
    return this.tokens[this.pos - 1];
  }

  private isPunct(t: Token | undefined, text: string): boolean {
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  private isWord(t: Token | undefined, word?: string): boolean {
    return t !== undefined && t.kind === 'word' && (word === undefined || t.value.toLowerCase() === word);
  }

  private endRange(): Range {
    this.touchedEnd = true;
    const last = this.tokens[this.tokens.length - 1];
    return last ? { start: last.range.end, end: this.end } : { start: this.end, end: this.end };
  }

  private problem(code: ParseProblem['code'], range: Range, params: Record<string, string | number>, data?: unknown): ParseProblem {
    const problem = data === undefined ? { code, range, params } : { code, range, params, data };
    this.problems.push(problem);
    return problem;
  }

  private describe(t: Token | undefined): string {
    if (!t) return 'end of file';
    return t.kind === 'string' ? `string ${t.text.length > 30 ? t.text.slice(0, 30) + '…' : t.text}` : `\`${t.text}\``;
  }

  private unexpected(expected: string): void {
    const t = this.peek();
    this.problem('DHCP003', t ? t.range : this.endRange(), { found: this.describe(t), expected });
  }

  /** A token on a later line that starts a statement: the one before it lacks its `;`. */
  private startsNewStatement(t: Token, after: Token | undefined): boolean {
    return after !== undefined && t.range.start.line > after.range.end.line && t.kind === 'word' && STATEMENT_STARTERS.has(t.value.toLowerCase());
  }

  /**
   * A name opening a new line after a complete value (no comma pending) reads
   * as the next statement, even a misspelt one: values do not run on that way.
   */
  private startsUnknownStatement(t: Token): boolean {
    const last = this.previous();
    if (!last || t.range.start.line <= last.range.end.line || this.isPunct(last, ',') || t.kind !== 'word') return false;
    return /^[A-Za-z][A-Za-z0-9_-]*$/.test(t.value) && !VALUE_WORDS.has(t.value.toLowerCase());
  }

  /**
   * Consumes the `;` that ends a statement, or reports it missing at the
   * statement's last token (dhcpd reports the next word, often a line later).
   */
  private semicolon(what: string): Token | undefined {
    const t = this.peek();
    if (this.isPunct(t, ';')) return this.next();
    const last = this.previous();
    // An unclosed string already explains the missing `;` (DHCP004).
    if (last && !last.unterminated) {
      const dhcpdLine = t ? t.range.start.line : last.range.end.line;
      anchorProblem(this.problem('DHCP001', last.range, { what }, { insertAt: last.range.end, dhcpdLine }), t ?? last, t ? 'start' : 'end');
    }
    // Junk on the same line belongs to this statement: skip it up to its `;`.
    if (t && last && t.range.start.line === last.range.end.line && !this.isPunct(t, '{') && !this.isPunct(t, '}')) this.skipStatement();
    return undefined;
  }

  /** Value tokens up to `;` (consumed), stopping early where a `;` is evidently missing. */
  private values(what: string): { values: Token[]; semicolon?: Token } {
    const values: Token[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || this.isPunct(t, '{') || this.isPunct(t, '}') || this.startsNewStatement(t, this.previous()) || (values.length > 0 && this.startsUnknownStatement(t))) {
        const semicolon = this.semicolon(what);
        return semicolon ? { values, semicolon } : { values };
      }
      if (this.isPunct(t, ';')) return { values, semicolon: this.next() };
      values.push(this.next());
    }
  }

  /** Error recovery: skip to after the next `;`, over whole blocks, stopping before a `}` that closes ours. */
  private skipStatement(): Token[] {
    const skipped: Token[] = [];
    let depth = 0;
    while (!this.atEnd()) {
      const t = this.peek()!;
      if (this.isPunct(t, '}') && depth === 0) break;
      skipped.push(this.next());
      if (this.isPunct(t, '{')) depth++;
      else if (this.isPunct(t, '}')) {
        depth--;
        if (depth === 0) break;
      } else if (this.isPunct(t, ';') && depth === 0) break;
    }
    return skipped;
  }

  private rangeFrom(first: Token): Range {
    const last = this.previous() ?? first;
    return span(first.range, last.end >= first.end ? last.range : first.range);
  }

  // --------------------------------------------------------------- statements

  /** Statements of one block, up to its `}` (not consumed), the end of file, or a missing `}`. */
  private statements(context: Context): Statement[] {
    const body: Statement[] = [];
    while (!this.atEnd()) {
      const t = this.peek()!;
      if (this.isPunct(t, '}')) break;
      if (context !== 'global' && this.blockLacksClose(t, context)) break;
      // `elsif`/`else` inside a block: the branch before it was never closed.
      if (context !== 'global' && (this.isWord(t, 'elsif') || this.isWord(t, 'else'))) break;
      const before = this.pos;
      body.push(this.recordedStatement(t, context));
      if (this.pos === before) {
        // Defensive: a statement must consume something, or the loop would spin.
        const stuck = this.next();
        body.push({ kind: 'error', tokens: [stuck], range: stuck.range });
      }
    }
    return body;
  }

  /**
   * One statement, taken from the previous parse when it would read the same
   * (same first token, place and nesting, and nothing it looked at changed),
   * else parsed; blocks and top-level statements are recorded for the next parse.
   */
  private recordedStatement(first: Token, context: Context): Statement {
    const start = this.pos;
    const old = this.oldParent?.get(first) ?? this.reuse?.anywhere(first);
    if (old && old.context === context && old.depth === this.depth && this.reuse!.unchanged(start, old.window) && (old.tail === undefined || old.tail === this.suffixCloses(start))) {
      if (start + old.window - 1 > this.look) this.look = start + old.window - 1;
      if (old.tail !== undefined) this.usedTail = true;
      this.pos = start + old.consumed;
      for (let i = 0; i < old.problems.length; i++) this.problems.push((old.problems[i] = this.reuse!.refresh(old.problems[i]!)));
      (this.recorded ??= new Map()).set(first, old);
      return old.node;
    }
    const saved = { look: this.look, end: this.touchedEnd, behind: this.lookedBehind, tail: this.usedTail, frameStart: this.frameStart, recorded: this.recorded, oldParent: this.oldParent };
    const problemsBefore = this.problems.length;
    this.look = start;
    this.touchedEnd = false;
    this.lookedBehind = false;
    this.usedTail = false;
    this.frameStart = start;
    this.recorded = undefined;
    this.oldParent = old?.inner;
    const node = this.statement(context);
    // Leaves inside blocks are cheap to read again; blocks and top-level statements are worth remembering.
    const worthIt = context === 'global' || node.kind === 'declaration' || node.kind === 'if' || node.kind === 'switch';
    if (worthIt && !this.touchedEnd && !this.lookedBehind) {
      (saved.recorded ??= new Map()).set(first, {
        node,
        context,
        depth: this.depth,
        consumed: this.pos - start,
        window: this.look - start + 1,
        ...(this.usedTail ? { tail: this.suffixCloses(start) } : {}),
        problems: this.problems.slice(problemsBefore),
        inner: this.recorded ?? NOTHING_RECORDED,
      });
    }
    this.look = Math.max(saved.look, this.look);
    this.touchedEnd ||= saved.end;
    this.lookedBehind = saved.behind;
    this.usedTail ||= saved.tail;
    this.frameStart = saved.frameStart;
    this.recorded = saved.recorded;
    this.oldParent = saved.oldParent;
    return node;
  }

  /**
   * A declaration this block cannot hold, with too few `}` left in the file to
   * close every open block: the block was never closed, and this declaration
   * belongs to an outer scope.
   */
  private blockLacksClose(t: Token, context: Context): boolean {
    if (t.kind !== 'word') return false;
    const type = DECLARATION_KEYWORDS[t.value.toLowerCase()];
    if (!type || !FORBIDDEN_INSIDE[context].includes(type)) return false;
    this.usedTail = true;
    return this.suffixCloses(this.pos) < this.depth;
  }

  private statement(context: Context): Statement {
    const t = this.peek()!;
    if (t.kind !== 'word') {
      this.unexpected(context === 'global' ? 'expected a parameter or declaration, such as `subnet ... { }` or `option routers ...;`.' : 'expected a parameter or declaration, or `}` to close the block.');
      const tokens = this.skipStatement();
      if (tokens.length === 0) tokens.push(this.next());
      return { kind: 'error', tokens, range: span(tokens[0]!.range, tokens[tokens.length - 1]!.range) };
    }
    const word = t.value.toLowerCase();
    const nextToken = this.peek(1);
    if (word === 'elsif' || word === 'else') {
      this.unexpected(`\`${t.value}\` must follow the \`}\` of an \`if\` branch.`);
      this.next();
      return { kind: 'error', tokens: [t], range: t.range };
    }
    switch (word) {
      case 'include':
        return this.include();
      case 'if':
        return this.ifStatement(context);
      case 'switch':
        return this.switchStatement(context);
      case 'case':
        if (context === 'switch') return this.caseLabel();
        break;
      case 'default':
        if (this.isPunct(nextToken, ':')) return this.caseLabel();
        return this.optionStatement('default');
      case 'option':
        return this.optionLike();
      case 'supersede':
      case 'prepend':
      case 'append':
        return this.optionStatement(word);
      case 'range':
        return this.rangeStatement();
      case 'allow':
      case 'deny':
      case 'ignore':
        return this.permission(word);
      case 'match':
      case 'spawn':
        return this.matchStatement();
      case 'set':
      case 'unset':
      case 'eval':
      case 'return':
      case 'break':
      case 'log':
      case 'execute':
      case 'parse-vendor-option':
        return this.executable(word);
      case 'failover':
        if (this.isWord(nextToken, 'peer') && this.headerOpensBlock()) return this.declaration('failover-peer', context);
        break;
      case 'key':
        if (this.headerOpensBlock()) return this.declaration('key', context);
        break;
      default: {
        const type = DECLARATION_KEYWORDS[word];
        if (type) return this.declaration(type, context);
      }
    }
    // `NAME = EXPR;` assigns a variable (ISC reads it as `set`).
    if (this.isPunct(nextToken, '=') && !STATEMENT_STARTERS.has(word)) return this.executable('set');
    return this.parameter();
  }

  /** True when the header from here reaches `{` before `;` or `}`. */
  private headerOpensBlock(): boolean {
    for (let i = this.pos + 1; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (i > this.look) this.look = i;
      if (this.isPunct(t, '{')) return true;
      if (this.isPunct(t, ';') || this.isPunct(t, '}')) return false;
    }
    this.touchedEnd = true;
    return false;
  }

  private include(): Statement {
    const keyword = this.next();
    const path = this.peek()?.kind === 'string' ? this.next() : undefined;
    if (!path) this.unexpected('`include` needs a file name in double quotes: `include "/etc/dhcp/hosts.conf";`.');
    const semicolon = path ? this.semicolon('`include`') : this.skipToSemicolon();
    return { kind: 'include', keyword, ...(path ? { path } : {}), ...(semicolon ? { semicolon } : {}), range: this.rangeFrom(keyword) };
  }

  private skipToSemicolon(): Token | undefined {
    const skipped = this.skipStatement();
    const last = skipped[skipped.length - 1];
    return last && this.isPunct(last, ';') ? last : undefined;
  }

  private parameter(): Parameter {
    const first = this.next();
    const nameTokens = [first];
    const lower = first.value.toLowerCase();
    if ((lower === 'not' && this.isWord(this.peek(), 'authoritative')) || (lower === 'lease' && this.isWord(this.peek(), 'limit')) || (lower === 'failover' && this.isWord(this.peek(), 'peer'))) {
      nameTokens.push(this.next());
    }
    const name = nameTokens.length === 1 ? lower : nameTokens.map((n) => n.value.toLowerCase()).join(' ');
    const { values, semicolon } = this.values(`\`${name}\``);
    const node: Mutable<Parameter> = { kind: 'parameter', name, nameTokens, values, range: first.range };
    if (semicolon) node.semicolon = semicolon;
    node.range = this.rangeFrom(first);
    return node;
  }

  private rangeStatement(): Statement {
    const keyword = this.next();
    let dynamicBootp = false;
    if (this.isWord(this.peek(), 'dynamic-bootp')) {
      this.next();
      dynamicBootp = true;
    }
    const { values, semicolon } = this.values('`range`');
    const [low, high, ...extra] = values;
    if (!low) this.problem('DHCP003', semicolon?.range ?? keyword.range, { found: this.describe(semicolon), expected: '`range` needs the first and last address: `range 10.0.0.100 10.0.0.200;`.' });
    else if (extra.length > 0) this.problem('DHCP003', extra[0]!.range, { found: this.describe(extra[0]), expected: '`range` takes at most two addresses, the first and the last.' });
    return {
      kind: 'range',
      keyword,
      dynamicBootp,
      ...(low ? { low } : {}),
      ...(high ? { high } : {}),
      ...(semicolon ? { semicolon } : {}),
      range: this.rangeFrom(keyword),
    };
  }

  private permission(verb: 'allow' | 'deny' | 'ignore'): Statement {
    const keyword = this.next();
    const { values, semicolon } = this.values(`\`${verb}\``);
    return { kind: 'permission', verb, keyword, words: values, ...(semicolon ? { semicolon } : {}), range: this.rangeFrom(keyword) };
  }

  private matchStatement(): MatchStatement {
    const keyword = this.next();
    let form: MatchStatement['form'] = 'match';
    if (keyword.value.toLowerCase() === 'spawn') {
      form = 'spawn with';
      if (this.isWord(this.peek(), 'with')) this.next();
      else this.unexpected('write `spawn with DATA;`.');
    } else if (this.isWord(this.peek(), 'if')) {
      this.next();
      form = 'match if';
    }
    const expression = this.expression();
    const semicolon = this.semicolon(`\`${form}\``);
    return { kind: 'match', form, keyword, expression, ...(semicolon ? { semicolon } : {}), range: this.rangeFrom(keyword) };
  }

  private executable(verb: ExecutableStatement['verb']): ExecutableStatement {
    const keyword = this.next();
    let variable: Token | undefined;
    let expression: Expression | undefined;
    const args: Expression[] = [];
    if (verb === 'set' && keyword.value.toLowerCase() !== 'set') {
      // `NAME = EXPR;`: the keyword is the variable itself.
      variable = keyword;
      this.next();
      expression = this.expression();
    } else if (verb === 'set') {
      if (this.isWord(this.peek())) variable = this.next();
      else this.unexpected('write `set NAME = EXPRESSION;`.');
      if (this.isPunct(this.peek(), '=')) {
        this.next();
        expression = this.expression();
      } else this.unexpected('expected `=` after the variable name.');
    } else if (verb === 'unset') {
      if (this.isWord(this.peek())) variable = this.next();
      else this.unexpected('write `unset NAME;`.');
    } else if (verb === 'eval' || verb === 'return') {
      expression = this.expression();
    } else if (verb === 'log' || verb === 'execute') {
      if (this.isPunct(this.peek(), '(')) {
        this.next();
        args.push(...this.argumentList());
      } else this.unexpected(`write \`${verb} (...);\`.`);
    }
    const semicolon = this.semicolon(`\`${keyword.value}\``);
    return {
      kind: 'executable',
      verb,
      keyword,
      ...(variable ? { variable } : {}),
      ...(expression ? { expression } : {}),
      args,
      ...(semicolon ? { semicolon } : {}),
      range: this.rangeFrom(keyword),
    };
  }

  private caseLabel(): CaseLabel {
    const keyword = this.next();
    let value: Expression | undefined;
    if (keyword.value.toLowerCase() === 'case') value = this.expression();
    if (this.isPunct(this.peek(), ':')) this.next();
    else this.unexpected('a case label ends with `:`.');
    return { kind: 'case', ...(value ? { value } : {}), range: this.rangeFrom(keyword) };
  }

  // ------------------------------------------------------------------ options

  private optionName(): OptionName | undefined {
    const t = this.peek();
    if (!t || t.kind !== 'word') {
      this.unexpected('expected an option name, such as `routers` or `ipxe.menu`.');
      return undefined;
    }
    this.next();
    return splitOptionName(t);
  }

  /** `option` starts a setting, a definition or a space declaration. */
  private optionLike(): Statement {
    const keyword = this.peek()!;
    if (this.isWord(this.peek(1), 'space')) {
      this.next();
      this.next();
      const name = this.isWord(this.peek()) ? this.next() : undefined;
      if (!name) this.unexpected('write `option space NAME;`.');
      const { values, semicolon } = this.values('`option space`');
      return { kind: 'option-space', keyword, ...(name ? { name } : {}), settings: values, ...(semicolon ? { semicolon } : {}), range: this.rangeFrom(keyword) };
    }
    if (this.isWord(this.peek(2), 'code')) return this.optionDefinition();
    return this.optionStatement('option');
  }

  private optionDefinition(): OptionDefinition {
    const keyword = this.next();
    const option = splitOptionName(this.next());
    this.next(); // `code`
    let code: number | undefined;
    let codeToken: Token | undefined;
    if (this.isWord(this.peek()) && integerValue(this.peek()!.value) !== undefined) {
      codeToken = this.next();
      code = integerValue(codeToken.value);
    } else this.unexpected('write `option NAME code NUMBER = TYPE;`.');
    if (this.isPunct(this.peek(), '=')) this.next();
    else this.unexpected('expected `=` and the option\'s type, e.g. `= unsigned integer 16`.');
    const typeTokens: Token[] = [];
    let braces = 0;
    let semicolon: Token | undefined;
    for (;;) {
      const t = this.peek();
      if (!t || (this.isPunct(t, '}') && braces === 0) || (braces === 0 && this.startsNewStatement(t, this.previous()))) {
        semicolon = this.semicolon('the option definition');
        break;
      }
      if (this.isPunct(t, ';')) {
        semicolon = this.next();
        break;
      }
      if (this.isPunct(t, '{')) braces++;
      if (this.isPunct(t, '}')) braces--;
      typeTokens.push(this.next());
    }
    const type = typeTokens.length > 0 ? parseTypeTokens(typeTokens) : undefined;
    if (typeTokens.length > 0 && !type) {
      this.problem('DHCP028', span(typeTokens[0]!.range, typeTokens[typeTokens.length - 1]!.range), { type: typeTokens.map((t) => t.text).join(' ') });
    }
    return {
      kind: 'option-definition',
      keyword,
      option,
      ...(code !== undefined ? { code } : {}),
      ...(codeToken ? { codeToken } : {}),
      ...(type ? { type } : {}),
      typeTokens,
      ...(semicolon ? { semicolon } : {}),
      range: this.rangeFrom(keyword),
    };
  }

  private optionStatement(modifier: OptionModifier): OptionStatement {
    const keyword = this.next();
    if (modifier !== 'option' && this.isWord(this.peek(), 'option')) this.next(); // `supersede option x ...` is accepted too
    const option = this.optionName();
    // Built property by property: object spreads here were a large share of reading a 20,000-line file.
    const node: Mutable<OptionStatement> = { kind: 'option', modifier, keyword, values: [], range: keyword.range };
    let semicolon: Token | undefined;
    if (!option) semicolon = this.skipToSemicolon();
    else {
      node.option = option;
      if (this.isPunct(this.peek(), '=')) {
        this.next();
        node.expression = this.expression();
        semicolon = this.semicolon(`\`option ${option.text}\``);
      } else {
        const read = this.values(`\`option ${option.text}\``);
        node.values = read.values;
        semicolon = read.semicolon;
      }
    }
    if (semicolon) node.semicolon = semicolon;
    node.range = this.rangeFrom(keyword);
    return node;
  }

  // ------------------------------------------------------------- declarations

  private declaration(type: DeclarationType, context: Context): Statement {
    const keyword = this.next();
    const header: Token[] = [];
    // The header runs to `{`; `subclass "c" data;` and a header cut short by a new statement end without one.
    for (;;) {
      const t = this.peek();
      if (!t || this.isPunct(t, '{') || this.isPunct(t, ';') || this.isPunct(t, '}')) break;
      if (header.length > 0 && this.startsNewStatement(t, this.previous()) && type !== 'on') break;
      header.push(this.next());
    }
    const names = header.filter((t) => !(t.kind === 'word' && ['peer', 'state'].includes(t.value.toLowerCase())));
    const fields: { name?: Token; netmask?: Token; data?: Token } = {};
    if (type === 'subnet') {
      if (header[0]) fields.name = header[0];
      const maskAt = header.findIndex((t) => this.isWord(t, 'netmask'));
      if (maskAt >= 0 && header[maskAt + 1]) fields.netmask = header[maskAt + 1]!;
      else if (header.length > 0 || this.isPunct(this.peek(), '{')) this.problem('DHCP003', (header[1] ?? header[0] ?? keyword).range, { found: this.describe(header[1]), expected: 'an IPv4 subnet needs `netmask`: `subnet 10.0.0.0 netmask 255.255.255.0 { }` (no CIDR form).' });
    } else if (type === 'subclass') {
      if (header[0]) fields.name = header[0];
      if (header[1]) fields.data = header[1];
    } else if (type !== 'group' || names.length > 0) {
      const name = type === 'on' ? header[0] : names[0];
      if (name) fields.name = name;
    }
    if (!fields.name && !['group', 'pool', 'pool6', 'on'].includes(type)) {
      this.problem('DHCP003', (this.peek() ?? keyword).range, { found: this.describe(this.peek()), expected: `\`${keyword.value}\` needs a name: ${syntaxOf(type)}.` });
    }
    const node: Mutable<Declaration> = { kind: 'declaration', type, keyword, header, body: [], range: keyword.range };
    if (fields.name) node.name = fields.name;
    if (fields.netmask) node.netmask = fields.netmask;
    if (fields.data) node.data = fields.data;
    void context;
    if (this.isPunct(this.peek(), ';') && type === 'subclass') this.next();
    else if (!this.isPunct(this.peek(), '{')) {
      this.unexpected(`expected \`{\` to open the ${keyword.value} block: ${syntaxOf(type)}.`);
      if (this.isPunct(this.peek(), ';')) this.next();
    } else {
      const block = this.block(type, `\`${keyword.value}${fields.name ? ' ' + fields.name.text : ''}\``);
      node.open = block.open;
      if (block.close) node.close = block.close;
      node.body = block.body;
    }
    node.range = this.rangeFrom(keyword);
    return node;
  }

  /** `{ statements }` with the opening brace current. */
  private block(context: Context, what: string): { open: Token; close?: Token; body: Statement[] } {
    const open = this.next();
    this.depth++;
    const body = this.statements(context);
    this.depth--;
    if (this.isPunct(this.peek(), '}')) return { open, close: this.next(), body };
    const t = this.peek();
    const where = t ? `\`${t.text}\` on line ${t.range.start.line + 1}` : 'the end of the file';
    const problem = this.problem('DHCP002', open.range, { what, where }, { dhcpdLine: t ? t.range.start.line : this.endRange().start.line });
    if (t) anchorProblem(problem, t, 'start');
    return { open, body };
  }

  private ifStatement(context: Context): IfStatement {
    const branches: IfBranch[] = [];
    const first = this.peek()!;
    let keyword = this.next();
    let isElse = false;
    const inner: Context = context === 'switch' ? 'switch' : 'if';
    for (;;) {
      const condition = isElse ? undefined : this.expression();
      const label = isElse ? 'else' : keyword.value.toLowerCase() === 'else' ? 'else if' : keyword.value;
      if (!this.isPunct(this.peek(), '{')) {
        this.unexpected(`expected \`{\` to open the \`${label}\` branch.`);
        branches.push({ keyword, ...(condition ? { condition } : {}), body: [], range: this.rangeFrom(keyword) });
        break;
      }
      const block = this.block(inner, `\`${label}\``);
      branches.push({ keyword, ...(condition ? { condition } : {}), ...block, range: this.rangeFrom(keyword) });
      if (isElse) break;
      const t = this.peek();
      if (this.isWord(t, 'elsif')) {
        keyword = this.next();
      } else if (this.isWord(t, 'else')) {
        keyword = this.next();
        // `else if` is `elsif`: the branch keeps the `else` token.
        if (this.isWord(this.peek(), 'if')) this.next();
        else isElse = true;
      } else break;
    }
    return { kind: 'if', branches, range: this.rangeFrom(first) };
  }

  private switchStatement(context: Context): SwitchStatement {
    const keyword = this.next();
    const expression = this.expression();
    void context;
    if (!this.isPunct(this.peek(), '{')) {
      this.unexpected('expected `{` to open the switch.');
      return { kind: 'switch', keyword, expression, body: [], range: this.rangeFrom(keyword) };
    }
    const block = this.block('switch', '`switch`');
    return { kind: 'switch', keyword, expression, ...block, range: this.rangeFrom(keyword) };
  }

  // -------------------------------------------------------------- expressions

  private expression(): Expression {
    return this.orExpression();
  }

  private errorExpression(expected: string): Expression {
    const t = this.peek();
    this.unexpected(expected);
    const range = t ? t.range : this.endRange();
    // Consume a token that can never continue anything, so the caller does not stall on it.
    if (t && !this.isPunct(t, ';') && !this.isPunct(t, '{') && !this.isPunct(t, '}') && !this.isPunct(t, ')') && !this.isPunct(t, ',')) this.next();
    return { kind: 'error', range };
  }

  private binaryChain(operators: readonly string[], operand: () => Expression, words: boolean): Expression {
    let left = operand();
    for (;;) {
      const t = this.peek();
      const op = t && (words ? t.kind === 'word' && operators.includes(t.value.toLowerCase()) : t.kind === 'punct' && operators.includes(t.text));
      if (!op) return left;
      this.next();
      const right = operand();
      left = { kind: 'binary', operator: (words ? t.value.toLowerCase() : t.text) as BinaryOperator, left, right, range: span(left.range, right.range) };
    }
  }

  private orExpression(): Expression {
    return this.binaryChain(['or'], () => this.andExpression(), true);
  }

  private andExpression(): Expression {
    return this.binaryChain(['and'], () => this.comparison(), true);
  }

  private comparison(): Expression {
    return this.binaryChain(COMPARISON, () => this.arithmetic(), false);
  }

  private arithmetic(): Expression {
    return this.binaryChain(ARITHMETIC, () => this.unary(), false);
  }

  private unary(): Expression {
    const t = this.peek();
    if (!t) return this.errorExpression('expected an expression.');
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.value, range: t.range };
    }
    if (this.isPunct(t, '(')) {
      this.next();
      const inner = this.expression();
      if (this.isPunct(this.peek(), ')')) this.next();
      else this.unexpected('expected `)`.');
      return { ...inner, range: span(t.range, this.previous()!.range) } as Expression;
    }
    if (t.kind !== 'word') return this.errorExpression('expected an expression, such as `option vendor-class-identifier` or `"PXEClient"`.');
    const word = t.value.toLowerCase();
    if (word === 'not') {
      this.next();
      const operand = this.unary();
      return { kind: 'not', operand, range: span(t.range, operand.range) };
    }
    if (word === 'option' || word === 'config-option') {
      this.next();
      const name = this.optionName();
      if (!name) return { kind: 'error', range: t.range };
      return { kind: 'option', source: word, option: name, range: span(t.range, name.range) };
    }
    if (word === 'exists') {
      this.next();
      const name = this.optionName();
      if (!name) return { kind: 'error', range: t.range };
      return { kind: 'exists', option: name, range: span(t.range, name.range) };
    }
    if (this.isPunct(this.peek(1), '(')) {
      this.next();
      this.next();
      const args = this.argumentList();
      return { kind: 'call', name: word, nameRange: t.range, args, range: span(t.range, this.previous()!.range) };
    }
    this.next();
    const bytes = hexBytes(t.value);
    if (bytes) return { kind: 'hex', bytes, text: t.value, range: t.range };
    const number = integerValue(t.value);
    if (number !== undefined) return { kind: 'number', value: number, range: t.range };
    if (VALUE_KEYWORDS.has(word)) return { kind: 'keyword', name: word, range: t.range };
    return { kind: 'variable', name: t.value, range: t.range };
  }

  /** Arguments after `(` up to and including `)`. */
  private argumentList(): Expression[] {
    const args: Expression[] = [];
    if (this.isPunct(this.peek(), ')')) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.expression());
      const t = this.peek();
      if (this.isPunct(t, ',')) {
        this.next();
        continue;
      }
      if (this.isPunct(t, ')')) {
        this.next();
        return args;
      }
      this.unexpected('expected `,` or `)` in the argument list.');
      return args;
    }
  }
}

/** `ipxe.menu` -> space `ipxe`, name `menu`. */
export function splitOptionName(t: Token): OptionName {
  const dot = t.value.indexOf('.');
  if (dot > 0 && dot < t.value.length - 1 && !/^[0-9.]+$/.test(t.value)) {
    return { space: t.value.slice(0, dot), name: t.value.slice(dot + 1), text: t.value, range: t.range };
  }
  return { name: t.value, text: t.value, range: t.range };
}

function syntaxOf(type: DeclarationType): string {
  const syntax: Record<DeclarationType, string> = {
    'shared-network': '`shared-network NAME { ... }`',
    subnet: '`subnet 10.0.0.0 netmask 255.255.255.0 { ... }`',
    subnet6: '`subnet6 2001:db8::/64 { ... }`',
    host: '`host NAME { hardware ethernet ...; }`',
    group: '`group { ... }`',
    pool: '`pool { range ...; }`',
    pool6: '`pool6 { range6 ...; }`',
    class: '`class "NAME" { match if ...; }`',
    subclass: '`subclass "CLASS" VALUE;`',
    'failover-peer': '`failover peer "NAME" { ... }`',
    key: '`key NAME { algorithm ...; secret ...; }`',
    zone: '`zone NAME { primary ADDRESS; }`',
    on: '`on commit { ... }`',
  };
  return syntax[type];
}
