import type { Diagnostic } from 'vscode-languageserver-types';
import { severityName } from '../lang/core/diagnostics';

export interface FileReport {
  readonly file: string;
  readonly language: string;
  readonly diagnostics: Diagnostic[];
}

export type ReportFormat = 'text' | 'json' | 'sarif';

/** `file:line:col: severity CODE message`, 1-based like compilers print. */
export function formatText(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const report of reports) {
    for (const d of report.diagnostics) {
      const severity = severityName(d.severity);
      if (severity === 'error') errors++;
      if (severity === 'warning') warnings++;
      lines.push(`${report.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${severity} ${d.code ?? ''} ${d.message}`);
    }
  }
  lines.push(`${reports.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)`);
  return lines.join('\n') + '\n';
}

/** The JSON shape promised to scripts: LSP ranges (0-based) and severities. */
export function formatJson(reports: readonly FileReport[]): string {
  const out = reports.map((r) => ({
    file: r.file,
    diagnostics: r.diagnostics.map((d) => ({ range: d.range, severity: d.severity, code: d.code, message: d.message })),
  }));
  return JSON.stringify(out, null, 2) + '\n';
}

const sarifLevel = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** SARIF 2.1.0, for code-scanning uploads. SARIF regions are 1-based. */
export function formatSarif(reports: readonly FileReport[]): string {
  const rules = new Map<string, { id: string }>();
  const results = reports.flatMap((r) =>
    r.diagnostics.map((d) => {
      const id = String(d.code ?? 'netboot-farm');
      rules.set(id, { id });
      return {
        ruleId: id,
        level: sarifLevel[severityName(d.severity)],
        message: { text: d.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: r.file },
              region: {
                startLine: d.range.start.line + 1,
                startColumn: d.range.start.character + 1,
                endLine: d.range.end.line + 1,
                endColumn: d.range.end.character + 1,
              },
            },
          },
        ],
      };
    }),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'netboot-farm', informationUri: 'https://example.invalid/netboot-farm', rules: [...rules.values()] } }, results }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

export function formatReports(reports: readonly FileReport[], format: ReportFormat): string {
  if (format === 'json') return formatJson(reports);
  if (format === 'sarif') return formatSarif(reports);
  return formatText(reports);
}
