/**
 * The dhcpd.conf syntax tree: what `parseDhcpdConf` returns and what every
 * other part reads (diagnostics, completion, formatting, and the lease
 * evaluator that answers DHCP requests in the farm).
 *
 * For the evaluator: you can rely on this tree. It is produced for ANY text
 * (the parser never throws) and it is stable:
 * - every node has `range`, an exact LSP range (0-based lines, UTF-16
 *   columns), so `range.start.line` is the config line a value came from;
 * - declarations keep their body in file order, so scope inheritance is a
 *   walk from the root down;
 * - `if`/`elsif`/`else` is one `IfStatement` with its branches in order;
 * - expressions are trees (`Expression`), with option names already split
 *   into space and name;
 * - option and parameter values are the raw tokens (`Token[]`, commas
 *   included) with their ranges and decoded text: the evaluator encodes them
 *   with the option's type, the checker validates them with the same type.
 * Where the text is broken, the affected node is still present as far as it
 * could be read (missing parts are `undefined`) and `problems` says why; a
 * statement that could not be read at all becomes an `ErrorStatement`.
 *
 * A tree from `parseDhcpdConf` never changes afterwards. The language
 * service's trees (reparse.ts) are edited in place by the next parse of the
 * same document: its untouched nodes are kept and moved, so use such a tree
 * before asking the service about a newer text.
 */
import type { Range } from 'vscode-languageserver-types';
import type { OptionType } from './optionTypes';

/** One lexical token. */
export interface Token {
  /**
   * word: a run of letters, digits and `-_.:/` (names, numbers, addresses,
   * `00:07` hex lists, `10.0.0.0/24`); string: a double-quoted string;
   * punct: one of `; , { } ( ) = != ~= ~~ : + - * / % & | ^`.
   */
  readonly kind: 'word' | 'string' | 'punct';
  /** The token as written (strings with their quotes). */
  readonly text: string;
  /** Strings: the decoded contents (escapes applied). Others: same as `text`. */
  readonly value: string;
  readonly range: Range;
  /** Offsets in the document: [start, end). */
  readonly start: number;
  readonly end: number;
  /** True for a string whose closing quote is missing. */
  readonly unterminated?: boolean;
}

/** A `#` comment, kept for folding and formatting. */
export interface Comment {
  readonly text: string;
  readonly range: Range;
  readonly start: number;
  readonly end: number;
}

/** `routers`, `ipxe.menu`, `agent.circuit-id`: split into space and name. */
export interface OptionName {
  /** Space as written; undefined means the default `dhcp` space. */
  readonly space?: string;
  readonly name: string;
  /** As written: `ipxe.menu`. */
  readonly text: string;
  readonly range: Range;
}

// ---------------------------------------------------------------- expressions

export type BinaryOperator = '=' | '!=' | '~=' | '~~' | 'and' | 'or' | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^';

/** dhcp-eval(5) expressions, data and boolean alike. */
export type Expression =
  | BinaryExpression
  | NotExpression
  | CallExpression
  | OptionExpression
  | ExistsExpression
  | KeywordExpression
  | StringLiteral
  | HexLiteral
  | NumberLiteral
  | VariableReference
  | ErrorExpression;

export interface BinaryExpression {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  /** Missing when the text ends after the operator. */
  readonly right: Expression;
  readonly range: Range;
}

export interface NotExpression {
  readonly kind: 'not';
  readonly operand: Expression;
  readonly range: Range;
}

/**
 * `substring(d, off, len)`, `suffix(d, len)`, `concat(a, b...)`,
 * `binary-to-ascii(base, width, sep, d)`, `encode-int(n, width)`,
 * `extract-int(d, width)`, `packet(off, len)`, `pick-first-value(...)`,
 * `reverse(width, d)`, `lcase(d)`, `ucase(d)`, `gethostname()`,
 * `defined(var)`, `config-option`... Any NAME( ... ) is read as a call.
 */
export interface CallExpression {
  readonly kind: 'call';
  readonly name: string;
  readonly nameRange: Range;
  readonly args: readonly Expression[];
  readonly range: Range;
}

/** `option NAME` (the client's option payload) or `config-option NAME` (the value this config sets). */
export interface OptionExpression {
  readonly kind: 'option';
  readonly source: 'option' | 'config-option';
  readonly option: OptionName;
  readonly range: Range;
}

/** `exists NAME`: the client sent the option. */
export interface ExistsExpression {
  readonly kind: 'exists';
  readonly option: OptionName;
  readonly range: Range;
}

/** Value keywords without arguments: `hardware`, `known`, `static`, `leased-address`, `host-decl-name`, `null`, `true`, `false`... */
export interface KeywordExpression {
  readonly kind: 'keyword';
  readonly name: string;
  readonly range: Range;
}

export interface StringLiteral {
  readonly kind: 'string';
  /** Decoded text. */
  readonly value: string;
  readonly range: Range;
}

/** `00:07`, `1:0:c:29:aa:bb`: colon-separated hex bytes. */
export interface HexLiteral {
  readonly kind: 'hex';
  readonly bytes: readonly number[];
  readonly text: string;
  readonly range: Range;
}

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
  readonly range: Range;
}

/** A bare name that is not a keyword: a variable set with `set NAME = ...`. */
export interface VariableReference {
  readonly kind: 'variable';
  readonly name: string;
  readonly range: Range;
}

/** What stands where an expression could not be read. */
export interface ErrorExpression {
  readonly kind: 'error';
  readonly range: Range;
}

// ----------------------------------------------------------------- statements

export type Statement =
  | Declaration
  | IfStatement
  | SwitchStatement
  | CaseLabel
  | OptionStatement
  | OptionDefinition
  | OptionSpaceStatement
  | RangeStatement
  | PermissionStatement
  | MatchStatement
  | IncludeStatement
  | ExecutableStatement
  | Parameter
  | ErrorStatement;

export type DeclarationType =
  | 'shared-network'
  | 'subnet'
  | 'subnet6'
  | 'host'
  | 'group'
  | 'pool'
  | 'pool6'
  | 'class'
  | 'subclass'
  | 'failover-peer'
  | 'key'
  | 'zone'
  | 'on';

/** Everything with a `{ ... }` body, and `subclass` whose body is optional. */
export interface Declaration {
  readonly kind: 'declaration';
  readonly type: DeclarationType;
  /** The first keyword (`subnet`, `failover`...). */
  readonly keyword: Token;
  /**
   * The declared name: shared-network/host/class/key/zone/failover peer name,
   * subclass class name, group's optional name. Subnet: the address; subnet6:
   * the prefix. Strings are given decoded in `value`.
   */
  readonly name?: Token;
  /** subnet: the netmask address after `netmask`. */
  readonly netmask?: Token;
  /** Every header token between the keyword and `{` (or `;` for a body-less subclass). */
  readonly header: readonly Token[];
  /** subclass: the member data (`"PXEClient"`, `1:52:54:00:12:34:56`). */
  readonly data?: Token;
  /** The opening `{`, when there is one. */
  readonly open?: Token;
  /** The closing `}`; undefined when the block is never closed. */
  readonly close?: Token;
  readonly body: readonly Statement[];
  readonly range: Range;
}

export interface IfBranch {
  /** `if`, `elsif`, `else if` (the `else` token), or `else`. */
  readonly keyword: Token;
  /** Missing for `else`, or when it could not be read. */
  readonly condition?: Expression;
  readonly open?: Token;
  readonly close?: Token;
  readonly body: readonly Statement[];
  readonly range: Range;
}

export interface IfStatement {
  readonly kind: 'if';
  /** `if` first, then each `elsif` / `else if`, then `else` (condition undefined) if present. */
  readonly branches: readonly IfBranch[];
  readonly range: Range;
}

export interface SwitchStatement {
  readonly kind: 'switch';
  readonly keyword: Token;
  readonly expression?: Expression;
  readonly open?: Token;
  readonly close?: Token;
  /** Statements in order, with `CaseLabel`s where `case X:` / `default:` stand. */
  readonly body: readonly Statement[];
  readonly range: Range;
}

export interface CaseLabel {
  readonly kind: 'case';
  /** Undefined for `default:`. */
  readonly value?: Expression;
  readonly range: Range;
}

export type OptionModifier = 'option' | 'default' | 'supersede' | 'prepend' | 'append';

/** `option NAME VALUE...;`, `option NAME = EXPR;`, `supersede NAME VALUE;`... */
export interface OptionStatement {
  readonly kind: 'option';
  readonly modifier: OptionModifier;
  readonly keyword: Token;
  readonly option?: OptionName;
  /** The value tokens before `;` (commas included); empty when `expression` is used. */
  readonly values: readonly Token[];
  /** `option NAME = EXPR;` */
  readonly expression?: Expression;
  readonly semicolon?: Token;
  readonly range: Range;
}

/** `option [SPACE.]NAME code N = TYPE;` */
export interface OptionDefinition {
  readonly kind: 'option-definition';
  readonly keyword: Token;
  readonly option: OptionName;
  readonly code?: number;
  readonly codeToken?: Token;
  /** The type; undefined when the type text could not be read. */
  readonly type?: OptionType;
  readonly typeTokens: readonly Token[];
  readonly semicolon?: Token;
  readonly range: Range;
}

/** `option space NAME [code width N] [length width N] [hash size N];` */
export interface OptionSpaceStatement {
  readonly kind: 'option-space';
  readonly keyword: Token;
  readonly name?: Token;
  readonly settings: readonly Token[];
  readonly semicolon?: Token;
  readonly range: Range;
}

/** `range [dynamic-bootp] LOW [HIGH];` (IPv4). */
export interface RangeStatement {
  readonly kind: 'range';
  readonly keyword: Token;
  readonly dynamicBootp: boolean;
  readonly low?: Token;
  /** Absent for a one-address range. */
  readonly high?: Token;
  readonly semicolon?: Token;
  readonly range: Range;
}

/** `allow|deny|ignore WORDS;` e.g. `allow members of "pxeclients";`, `deny unknown-clients;`. */
export interface PermissionStatement {
  readonly kind: 'permission';
  readonly verb: 'allow' | 'deny' | 'ignore';
  readonly keyword: Token;
  readonly words: readonly Token[];
  readonly semicolon?: Token;
  readonly range: Range;
}

/** `match if BOOL;`, `match DATA;`, `spawn with DATA;` inside a class. */
export interface MatchStatement {
  readonly kind: 'match';
  readonly form: 'match if' | 'match' | 'spawn with';
  readonly keyword: Token;
  readonly expression?: Expression;
  readonly semicolon?: Token;
  readonly range: Range;
}

export interface IncludeStatement {
  readonly kind: 'include';
  readonly keyword: Token;
  /** The decoded path. */
  readonly path?: Token;
  readonly semicolon?: Token;
  readonly range: Range;
}

/** `set NAME = EXPR;`, `unset NAME;`, `eval EXPR;`, `log(...)`, `execute(...)`, `return EXPR;`, `break;`, `NAME = EXPR;`. */
export interface ExecutableStatement {
  readonly kind: 'executable';
  readonly verb: 'set' | 'unset' | 'eval' | 'log' | 'execute' | 'return' | 'break' | 'parse-vendor-option';
  readonly keyword: Token;
  /** set/unset: the variable. */
  readonly variable?: Token;
  readonly expression?: Expression;
  readonly args: readonly Expression[];
  readonly semicolon?: Token;
  readonly range: Range;
}

/**
 * Every other `NAME VALUE...;`: server parameters (`next-server 10.0.0.1;`,
 * `filename "x";`, `hardware ethernet ...;`, `fixed-address a, b;`,
 * `authoritative;`, `not authoritative;`, `lease limit 3;`, `range6 ...;`)
 * and unknown names, which the checker reports.
 */
export interface Parameter {
  readonly kind: 'parameter';
  /** The parameter name: `next-server`, or `not authoritative` / `lease limit` for two-word forms. */
  readonly name: string;
  readonly nameTokens: readonly Token[];
  readonly values: readonly Token[];
  readonly semicolon?: Token;
  readonly range: Range;
}

/** Text that could not be read as a statement; skipped up to the next `;` or block. */
export interface ErrorStatement {
  readonly kind: 'error';
  readonly tokens: readonly Token[];
  readonly range: Range;
}

/** A syntax problem found while parsing; the checker turns it into a diagnostic. */
export interface ParseProblem {
  readonly code: 'DHCP001' | 'DHCP002' | 'DHCP003' | 'DHCP004' | 'DHCP005' | 'DHCP012' | 'DHCP028';
  readonly range: Range;
  readonly params: Readonly<Record<string, string | number>>;
  /** DHCP001: where `;` goes and the line dhcpd reports it on. */
  readonly data?: unknown;
}

export interface DhcpdConfig {
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  /** Every token in order (comments excluded). */
  readonly tokens: readonly Token[];
  /** Whole-document range. */
  readonly range: Range;
}

export interface ParseResult {
  readonly tree: DhcpdConfig;
  readonly problems: readonly ParseProblem[];
}
