import { TextDocuments, TextDocumentSyncKind, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { includedFiles } from '../host/includedFiles';
import { detectLanguage, serviceFor, type LanguageService, type ServiceOptions } from '../lang';
import type { ShellSyntaxChecker } from '../lang/conf/shellCheck';
import { EffectiveSettingsRequest, SETTINGS_SECTION, StageGraphRequest, type ServerSettings } from '../protocol';

export interface ServerOptions {
  /** The shell parser; the real one unless a test passes another. */
  readonly shell?: ShellSyntaxChecker;
}

/**
 * Binds the pure language service to an LSP connection. Nothing here knows a
 * language: each request finds the service by the document's language id
 * (or, failing that, its file name) and hands it the text.
 */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = {};
  let canPullConfiguration = false;
  const pending = new Map<string, ReturnType<typeof setTimeout>>();

  const serviceOf = (doc: TextDocument): LanguageService | undefined => serviceFor(doc.languageId) ?? serviceFor(detectLanguage(doc.uri) ?? '');

  const serviceOptions = (): ServiceOptions => ({ severity: settings.diagnostics?.severity, shell: options.shell });

  // Files whose diagnostics a document's check published (dhcpd.conf includes), to clear when no longer included.
  const includedBy = new Map<string, Set<string>>();
  const files = includedFiles((uri) => documents.get(uri)?.getText());

  async function validate(doc: TextDocument): Promise<void> {
    const service = serviceOf(doc);
    if (!service) return;
    const version = doc.version;
    try {
      if (service.validateWithIncludes) {
        const results = await service.validateWithIncludes(doc.uri, doc.getText(), files, serviceOptions());
        if (documents.get(doc.uri)?.version !== version) return;
        const [own, ...included] = results;
        await connection.sendDiagnostics({ uri: doc.uri, version, diagnostics: own?.diagnostics ?? [] });
        const now = new Set(included.map((r) => r.document));
        for (const gone of includedBy.get(doc.uri) ?? []) if (!now.has(gone)) await connection.sendDiagnostics({ uri: gone, diagnostics: [] });
        includedBy.set(doc.uri, now);
        for (const r of included) await connection.sendDiagnostics({ uri: r.document, diagnostics: r.diagnostics });
        return;
      }
      const diagnostics = await service.validate(doc.getText(), serviceOptions());
      // A newer edit is already on its way: its result replaces this one.
      if (documents.get(doc.uri)?.version !== version) return;
      await connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
    } catch (error) {
      connection.console.error(`validation of ${doc.uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  function schedule(doc: TextDocument): void {
    clearTimeout(pending.get(doc.uri));
    // Coalesce a burst of edits that arrive in one tick; no fixed delay, so a keystroke is checked at once.
    pending.set(
      doc.uri,
      setTimeout(() => {
        pending.delete(doc.uri);
        void validate(doc);
      }, 0),
    );
  }

  async function loadSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    try {
      settings = ((await connection.workspace.getConfiguration(SETTINGS_SECTION)) as ServerSettings | null) ?? {};
    } catch {
      settings = {};
    }
  }

  connection.onInitialize((params): InitializeResult => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    const init = params.initializationOptions as ServerSettings | undefined;
    if (init) settings = init;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['=', '['] },
        hoverProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite'] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'netboot-farm' },
    };
  });

  connection.onInitialized(() => {
    void loadSettings().then(() => documents.all().forEach(schedule));
  });

  connection.onDidChangeConfiguration(async (change) => {
    const pushed = (change.settings as Record<string, ServerSettings> | null)?.[SETTINGS_SECTION];
    if (canPullConfiguration) await loadSettings();
    else if (pushed) settings = pushed;
    documents.all().forEach(schedule);
  });

  documents.onDidOpen((e) => schedule(e.document));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    clearTimeout(pending.get(e.document.uri));
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    for (const included of includedBy.get(e.document.uri) ?? []) void connection.sendDiagnostics({ uri: included, diagnostics: [] });
    includedBy.delete(e.document.uri);
  });

  const withDoc = <T>(uri: string, fallback: T, fn: (service: LanguageService, doc: TextDocument) => T | undefined): T => {
    const doc = documents.get(uri);
    const service = doc && serviceOf(doc);
    return (doc && service && fn(service, doc)) ?? fallback;
  };

  connection.onCompletion((p) => withDoc(p.textDocument.uri, [], (s, d) => s.complete?.(d.getText(), p.position)));
  connection.onHover((p) => withDoc(p.textDocument.uri, null, (s, d) => s.hover?.(d.getText(), p.position)));
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, [], (s, d) => s.symbols?.(d.getText())));
  connection.onFoldingRanges((p) => withDoc(p.textDocument.uri, [], (s, d) => s.folding?.(d.getText())));
  connection.onDocumentFormatting((p) => withDoc(p.textDocument.uri, [], (s, d) => s.format?.(d.getText(), p.options)));
  connection.onCodeAction((p) => withDoc(p.textDocument.uri, [], (s, d) => s.codeActions?.(p.textDocument.uri, d.getText(), p.range, p.context.diagnostics)));
  connection.onCodeLens((p) => withDoc(p.textDocument.uri, [], (s, d) => s.codeLenses?.(d.getText(), p.textDocument.uri)));
  connection.onRequest(EffectiveSettingsRequest.type, (p) => withDoc(p.uri, null, (s, d) => s.effectiveSettings?.(d.getText(), p.client)));
  connection.onRequest(StageGraphRequest.type, (p) => withDoc(p.uri, null, (s, d) => s.stageGraph?.(d.getText())));

  documents.listen(connection);
  connection.listen();
}
