import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createShellChecker } from '../host/shellChecker';
import { startServer } from './server';

// The transport (IPC from VS Code, --stdio from other editors and the tests)
// is chosen by the command line, as vscode-languageserver reads it.
startServer(createConnection(ProposedFeatures.all), { shell: createShellChecker() });
