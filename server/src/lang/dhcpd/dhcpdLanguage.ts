import type { Diagnostic } from 'vscode-languageserver-types';
import { DiagnosticSink, type ServiceOptions } from '../core/diagnostics';
import type { LanguageService } from '../core/service';
import { baseName, type LanguageEntry } from '../languages';
import { dhcpdCodeActions } from './dhcpdActions';
import { dhcpdCompletion } from './dhcpdCompletion';
import { dhcpdFolding } from './dhcpdFolding';
import { dhcpdCodeLenses } from './dhcpdLenses';
import { formatDhcpd } from './dhcpdFormat';
import { dhcpdHover } from './dhcpdHover';
import { dhcpdRules } from './dhcpdRules';
import { dhcpdSymbols } from './dhcpdSymbols';
import { validateWithIncludes } from './dhcpdIncludes';
import { dhcpdValidation, newHostVerdicts } from './dhcpdValidation';
import { DhcpdParses } from './reparse';

// Each text is parsed from the previous text of its document: a keystroke re-reads the block it touched.
const parses = new DhcpdParses();
const parse = (text: string) => parses.parse(text);
const verdicts = newHostVerdicts();

export const dhcpdService: LanguageService = {
  id: 'dhcpd',
  async validate(text: string, options: ServiceOptions = {}): Promise<Diagnostic[]> {
    const sink = new DiagnosticSink(dhcpdRules, options);
    dhcpdValidation(parse(text), sink, text, verdicts);
    return sink.sorted();
  },
  validateWithIncludes: (document, text, files, options = {}) =>
    validateWithIncludes(document, text, files, options, (t, name) => parses.parse(t, name), verdicts),
  complete: (text, position) => dhcpdCompletion(parse(text), text, position),
  hover: (text, position) => dhcpdHover(parse(text), position),
  symbols: (text) => dhcpdSymbols(parse(text).tree),
  folding: (text) => dhcpdFolding(parse(text).tree),
  codeLenses: (text, uri) => dhcpdCodeLenses(parse(text).tree.statements, uri),
  format: (text, options) => formatDhcpd(text, parse(text), options),
  codeActions: (uri, text, _range, diagnostics) => dhcpdCodeActions(uri, parse(text), text, diagnostics),
};

/** `dhcpd.conf`, `dhcpd6.conf`, `dhcpd-lab.conf`, `farm.dhcpd.conf`. */
export function isDhcpdConfName(name: string): boolean {
  return name === 'dhcpd.conf' || /^dhcpd[^/]*\.conf$/.test(name) || name.endsWith('.dhcpd.conf');
}

export const dhcpdLanguage: LanguageEntry = {
  id: 'dhcpd',
  title: 'ISC dhcpd.conf',
  matches: (path) => isDhcpdConfName(baseName(path)),
  service: dhcpdService,
};
