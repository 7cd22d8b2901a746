import type { LanguageService } from '../core/service';
import { baseName, type LanguageEntry } from '../languages';
import { dockerfileCodeLenses } from './dockerfileCodeLens';
import { dockerfileComplete } from './dockerfileCompletion';
import { dockerfileHover } from './dockerfileHover';
import { dockerfileSymbols } from './dockerfileSymbols';
import { validateDockerfile } from './dockerfileValidation';
import { stageGraphView } from './stageGraphView';

export const dockerfileService: LanguageService = {
  id: 'dockerfile',
  validate: validateDockerfile,
  complete: dockerfileComplete,
  hover: dockerfileHover,
  symbols: dockerfileSymbols,
  codeLenses: dockerfileCodeLenses,
  stageGraph: stageGraphView,
};

/** The names Docker, Podman and VS Code's own Dockerfile language use. */
export function isDockerfileName(name: string): boolean {
  return /^(Dockerfile|Containerfile)(\..+)?$/.test(name) || /\.(dockerfile|Dockerfile)$/.test(name);
}

export const dockerfileLanguage: LanguageEntry = {
  id: 'dockerfile',
  title: 'Dockerfile (LTSP image stages)',
  matches: (path) => isDockerfileName(baseName(path)),
  service: dockerfileService,
};
