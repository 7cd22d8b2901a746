/**
 * The pure language service: importing this module registers every language.
 * Each language folder exports a `LanguageEntry`; adding one is one line here.
 */
import { registerLanguage } from './languages';
import { ltsConfLanguage } from './ltsconf/ltsConfLanguage';
import { ltspConfLanguage } from './ltspconf/ltspConfLanguage';

registerLanguage(ltsConfLanguage);
registerLanguage(ltspConfLanguage);

export * from './languages';
export type { LanguageService } from './core/service';
export type { ServiceOptions, SeverityName, SeveritySetting } from './core/diagnostics';
