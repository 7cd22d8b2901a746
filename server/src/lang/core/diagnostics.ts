import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type Range } from 'vscode-languageserver-types';
import type { ShellSyntaxChecker } from '../conf/shellCheck';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = SeverityName | 'off';

/**
 * One entry of a language's diagnostic catalog. The message is a template:
 * `{name}` placeholders are filled from the report's parameters, so tests can
 * assert the catalog's own wording and a change of words happens in one place.
 */
export interface DiagnosticRule {
  readonly severity: SeverityName;
  readonly message: string;
  readonly tags?: readonly ('unnecessary' | 'deprecated')[];
}

export type RuleCatalog<Code extends string> = Readonly<Record<Code, DiagnosticRule>>;

/** Options every language service accepts; they come from the user's settings. */
export interface ServiceOptions {
  /** Per-code severity overrides, e.g. `{ "LTS012": "off" }`. */
  readonly severity?: Readonly<Record<string, SeveritySetting>>;
  /** Checks shell code in values; the host injects it (it loads WebAssembly). */
  readonly shell?: ShellSyntaxChecker;
}

const severityValue: Record<SeverityName, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const SOURCE = 'netboot-farm';

export function formatMessage(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/** Where checks report; a DiagnosticSink, or a recorder that replays later. */
export interface Reporter<Code extends string> {
  report(code: Code, range: Range, params?: Readonly<Record<string, string | number>>, data?: unknown): void;
}

/**
 * Collects diagnostics for one document from one rule catalog, applying the
 * user's severity overrides (and dropping the codes turned `off`).
 */
export class DiagnosticSink<Code extends string> implements Reporter<Code> {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly catalog: RuleCatalog<Code>,
    private readonly options: ServiceOptions = {},
  ) {}

  report(code: Code, range: Range, params: Readonly<Record<string, string | number>> = {}, data?: unknown): void {
    const rule = this.catalog[code];
    const setting = this.options.severity?.[code] ?? rule.severity;
    if (setting === 'off') return;
    const diagnostic: Diagnostic = {
      range,
      severity: severityValue[setting] ?? severityValue[rule.severity],
      code,
      source: SOURCE,
      message: formatMessage(rule.message, params),
    };
    if (rule.tags?.length) {
      diagnostic.tags = rule.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
    }
    if (data !== undefined) diagnostic.data = data;
    this.diagnostics.push(diagnostic);
  }

  /** Diagnostics in document order, which is what every consumer wants. */
  sorted(): Diagnostic[] {
    return [...this.diagnostics].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
  }
}

export function severityName(severity: DiagnosticSeverity | undefined): SeverityName {
  switch (severity) {
    case DiagnosticSeverity.Warning:
      return 'warning';
    case DiagnosticSeverity.Information:
      return 'information';
    case DiagnosticSeverity.Hint:
      return 'hint';
    default:
      return 'error';
  }
}
