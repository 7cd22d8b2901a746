import type { Diagnostic } from 'vscode-languageserver-types';
import { DiagnosticSink, type ServiceOptions } from '../core/diagnostics';
import { memoizeParse, type LanguageService } from '../core/service';
import { baseName, type LanguageEntry } from '../languages';
import { dhcpdCodeActions } from './dhcpdActions';
import { dhcpdCompletion } from './dhcpdCompletion';
import { dhcpdFolding } from './dhcpdFolding';
import { dhcpdCodeLenses } from './dhcpdLenses';
import { formatDhcpd } from './dhcpdFormat';
import { dhcpdHover } from './dhcpdHover';
import { dhcpdRules } from './dhcpdRules';
import { dhcpdSymbols } from './dhcpdSymbols';
import { dhcpdValidation } from './dhcpdValidation';
import { parseDhcpdConf } from './parser';

const parse = memoizeParse(parseDhcpdConf);

export const dhcpdService: LanguageService = {
  id: 'dhcpd',
  async validate(text: string, options: ServiceOptions = {}): Promise<Diagnostic[]> {
    const sink = new DiagnosticSink(dhcpdRules, options);
    dhcpdValidation(parse(text), sink, text);
    return sink.sorted();
  },
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
