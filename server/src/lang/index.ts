/**
 * The pure language service: importing this module registers every language.
 * Each language folder exports a `LanguageEntry`; adding one is one line here.
 */
import { registerLanguage } from './languages';
import { ltsConfLanguage } from './ltsconf/ltsConfLanguage';
import { ltspConfLanguage } from './ltspconf/ltspConfLanguage';
import { dockerfileLanguage } from './dockerfile/dockerfileLanguage';
import { dhcpdLanguage } from './dhcpd/dhcpdLanguage';
import { kubernetesLanguage } from './kubernetes/kubernetesLanguage';

registerLanguage(ltsConfLanguage);
registerLanguage(ltspConfLanguage);
registerLanguage(dockerfileLanguage);
registerLanguage(dhcpdLanguage);
// Last: its embedded configs are found by asking the languages above which file names they claim.
registerLanguage(kubernetesLanguage);

export * from './languages';
export type { LanguageService } from './core/service';
export type { ServiceOptions, SeverityName, SeveritySetting } from './core/diagnostics';
