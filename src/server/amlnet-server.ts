// The language server's wiring: LSP messages in, folder checks out. Each handler is guarded (an
// exception is logged and answered with an empty result); the analysis itself lives in src/core,
// its conversion to LSP in the small modules beside this one.

import { basename, dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  CodeLensRefreshRequest,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type Hover,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_EDITION, listEditions, selectRequirements } from '../core/catalog/catalog';
import { selectionJson } from '../core/catalog/selection-json';
import { fixAllForFile, fixAllForNsg } from '../core/fix/fix-nsg';
import type { Reader } from '../core/read/read-workspace';
import { isTemplatePath } from '../host/template-files';
import { firewallRuleAt, firewallRuleHover } from './firewall-hover';
import { codeActions, firewallFixForFile, fixOptions, fixResult, FIX_ALL_KIND, unsuppressed, withFirewallFix } from './code-actions';
import { codeLenses, firewallCodeLenses } from './code-lens';
import { folderDiagnostics } from './diagnostics';
import { FolderState, nodeFs, type FolderCheck, type FolderFs } from './folder-state';
import { ruleAt, ruleHover } from './hover';
import { Positions } from './positions';
import {
  EditionsRequest,
  FixFileRequest,
  FixNsgRequest,
  ReportChangedNotification,
  ReportRequest,
  RequirementsRequest,
  type EditionsResult,
  type FixFileParams,
  type FixNsgParams,
  type FixResult,
  type ReportChangedParams,
  type ReportResult,
  type RequirementsParams,
} from './protocol';
import { emptyReport, folderReport, mergeReports, withUris } from './report';
import { folderCheckSettings, readSettings } from './settings';

/** `initializationOptions` the server reads (all optional). */
export interface AmlnetInitializationOptions {
  /** Milliseconds to wait after an edit before checking again (default 200; tests pass 0). */
  readonly debounceMs?: number;
}

export interface ServerOptions {
  /** The template readers of one folder (called once per folder: readers may keep per-folder state, such as Bicep trees). */
  readonly readers: () => readonly Reader[];
  readonly toolVersion: string;
  readonly fs?: FolderFs;
}

const DEFAULT_DEBOUNCE_MS = 200;

/** A `file:` URI as a path, or undefined for other schemes and malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class AmlnetServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly folders = new Map<string, FolderState>();
  /** Folders of documents opened outside every workspace folder: only open documents are entries. */
  private readonly loose = new Map<string, FolderState>();
  private readonly timers = new Map<FolderState, NodeJS.Timeout>();
  private readonly published = new Map<FolderState, Map<string, string>>();
  private readonly positions = new WeakMap<FolderCheck, Positions>();
  private readonly warned = new Set<string>();
  private debounceMs = DEFAULT_DEBOUNCE_MS;
  private supportsConfiguration = false;
  private supportsProgress = false;
  private dynamicConfiguration = false;
  private disabledSupport = false;
  /** The client re-asks for CodeLenses on `workspace/codeLens/refresh` (lenses asked for while indexing came back empty). */
  private codeLensRefresh = false;
  private workspaceFolderEvents = false;
  private indexing = true;
  private version = 0;

  constructor(private readonly connection: Connection, private readonly options: ServerOptions) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => this.guard('initialized', undefined, () => this.initialized()));
    c.onDidChangeConfiguration((params) => this.guardAsync('didChangeConfiguration', undefined, () => this.configurationChanged(params.settings)));
    c.onDidChangeWatchedFiles((params) => this.guard('didChangeWatchedFiles', undefined, () => {
      for (const change of params.changes) this.fileChanged(change.uri, change.type);
    }));
    c.onCodeAction((params) => this.guard('codeAction', [] as CodeAction[], () => {
      const at = this.locate(params.textDocument.uri);
      if (!at) return [];
      const check = this.current(at.folder);
      if (!check) return [];
      const positions = this.positionsOf(at.folder, check);
      const start = positions.offsetAt(at.rel, params.range.start) ?? -1;
      const end = positions.offsetAt(at.rel, params.range.end) ?? -1;
      const nsgsAtRange = check.result.nsgs.filter((n) => n.nsg.span?.file === at.rel && n.nsg.span.start <= end && start <= n.nsg.span.end);
      return codeActions({
        check,
        file: at.rel,
        diagnostics: params.context.diagnostics,
        only: params.context.only,
        nsgsAtRange,
        positions,
        uriOf: (f) => at.folder.uriOf(f),
        disabledSupport: this.disabledSupport,
      });
    }));
    c.onHover((params) => this.guard('hover', null as Hover | null, () => {
      const at = this.locate(params.textDocument.uri);
      const check = at && this.current(at.folder);
      if (!at || !check) return null;
      const offset = this.positionsOf(at.folder, check).offsetAt(at.rel, params.position);
      if (offset === undefined) return null;
      const found = ruleAt(check.result.nsgs, at.rel, offset);
      if (!found) {
        // A firewall rule (classic, or in a policy's rule collection group).
        const fw = firewallRuleAt(check.result.firewalls ?? [], at.rel, offset);
        return fw ? { contents: { kind: 'markdown', value: firewallRuleHover(fw) }, range: this.positionsOf(at.folder, check).range(fw.span) } : null;
      }
      const range = this.positionsOf(at.folder, check).range(found.rule.origin!.span);
      return { contents: { kind: 'markdown', value: ruleHover(found.rule, found.checks) }, range };
    }));
    c.onCodeLens((params) => this.guard('codeLens', [] as CodeLens[], () => {
      const at = this.locate(params.textDocument.uri);
      const check = at && this.current(at.folder);
      if (!at || !check) return [];
      const positions = this.positionsOf(at.folder, check);
      const uriOf = (f: string): string => at.folder.uriOf(f);
      return [
        ...codeLenses(check.result.nsgs, at.rel, check.settings.strict, positions, uriOf),
        ...firewallCodeLenses(check.result.firewalls ?? [], at.rel, positions, uriOf),
      ];
    }));
    c.onRequest(ReportRequest, () => this.guard('report', this.emptyResult(), () => this.report()));
    c.onRequest(FixNsgRequest, (params: FixNsgParams) => this.guard('fixNsg', noFix('amlnet could not compute the fix'), () => this.fixNsg(params)));
    c.onRequest(FixFileRequest, (params: FixFileParams) => this.guard('fixFile', noFix('amlnet could not compute the fix'), () => this.fixFile(params)));
    c.onRequest(RequirementsRequest, (params: RequirementsParams | undefined) => this.guard('requirements', null, () => this.requirements(params)));
    c.onRequest(EditionsRequest, (params: RequirementsParams | undefined) => this.guard('editions', { editions: [], active: DEFAULT_EDITION } as EditionsResult, () => this.editions(params)));

    this.documents.onDidChangeContent((e) => this.guard('didChange', undefined, () => this.documentChanged(e.document)));
    this.documents.onDidClose((e) => this.guard('didClose', undefined, () => this.documentClosed(e.document)));
    this.documents.listen(c);
    c.listen();
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle

  private initialize(params: InitializeParams): InitializeResult {
    try {
      const caps = params.capabilities;
      this.supportsConfiguration = caps.workspace?.configuration === true;
      this.supportsProgress = caps.window?.workDoneProgress === true;
      this.dynamicConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
      this.disabledSupport = caps.textDocument?.codeAction?.disabledSupport === true;
      this.codeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
      this.workspaceFolderEvents = caps.workspace?.workspaceFolders === true;
      const init = params.initializationOptions as AmlnetInitializationOptions | undefined;
      if (typeof init?.debounceMs === 'number' && init.debounceMs >= 0) this.debounceMs = init.debounceMs;
      const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []);
      for (const f of folders) this.addFolder(f.uri);
    } catch (e) {
      this.log('initialize', e);
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        experimental: { amlnet: { processId: process.pid } },
      },
      serverInfo: { name: 'amlnet', version: this.options.toolVersion },
    };
  }

  private addFolder(uri: string): FolderState | undefined {
    const root = uriToPath(uri);
    if (!root || this.folders.has(root)) return undefined;
    const folder = new FolderState(root, this.options.readers(), true, this.options.fs ?? nodeFs);
    this.folders.set(root, folder);
    return folder;
  }

  private initialized(): void {
    if (this.dynamicConfiguration) {
      this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'amlnet' }).catch((e) => this.log('register', e));
    }
    void this.guardAsync('indexing', undefined, () => this.indexFolders([...this.folders.values()]));
    if (!this.workspaceFolderEvents) return;
    this.connection.workspace.onDidChangeWorkspaceFolders((e) => this.guardAsync('didChangeWorkspaceFolders', undefined, async () => {
      for (const f of e.removed) {
        const root = uriToPath(f.uri);
        const folder = root ? this.folders.get(root) : undefined;
        if (!folder || !root) continue;
        this.folders.delete(root);
        this.clearDiagnostics(folder);
      }
      const added = e.added.map((f) => this.addFolder(f.uri)).filter((f): f is FolderState => f !== undefined);
      await this.indexFolders(added);
    }));
  }

  /** Reads the folders' settings and files (with work-done progress when the client shows it), then checks them. */
  private async indexFolders(folders: readonly FolderState[]): Promise<void> {
    this.indexing = true;
    this.notifyChanged();
    let progress: Awaited<ReturnType<Connection['window']['createWorkDoneProgress']>> | undefined;
    if (this.supportsProgress && folders.length > 0) {
      try {
        progress = await this.connection.window.createWorkDoneProgress();
        progress.begin('Azure ML Network: indexing templates', 0, undefined, false);
      } catch (e) {
        this.log('workDoneProgress', e);
        progress = undefined;
      }
    }
    try {
      for (const folder of folders) {
        await this.loadSettings(folder);
        await folder.index((done, total) => progress?.report(total ? Math.round((done / total) * 100) : 100, `${done} of ${total} files`));
      }
    } finally {
      progress?.done();
      // Even if reading failed half-way: a server stuck "indexing" would show nothing forever.
      this.indexing = false;
    }
    for (const folder of [...this.folders.values(), ...this.loose.values()]) this.runCheck(folder);
  }

  private async loadSettings(folder: FolderState): Promise<void> {
    if (!this.supportsConfiguration) return;
    try {
      const [raw] = (await this.connection.workspace.getConfiguration([{ scopeUri: folder.uri, section: 'amlnet' }])) as unknown[];
      folder.setSettings(readSettings(raw));
    } catch (e) {
      this.log('workspace/configuration', e);
    }
  }

  private async configurationChanged(settings: unknown): Promise<void> {
    const all = [...this.folders.values(), ...this.loose.values()];
    if (this.supportsConfiguration) {
      for (const folder of all) await this.loadSettings(folder);
    } else {
      const raw = (settings as { amlnet?: unknown } | undefined)?.amlnet;
      for (const folder of all) folder.setSettings(readSettings(raw));
    }
    for (const folder of all) this.runCheck(folder);
  }

  // -------------------------------------------------------------------------------------------
  // Documents and files

  /** The folder and relative path of a URI: its workspace folder, else the folder of a loose document. */
  private locate(uri: string, createLoose = false): { folder: FolderState; rel: string } | undefined {
    const abs = uriToPath(uri);
    if (!abs) return undefined;
    let best: { folder: FolderState; rel: string } | undefined;
    for (const folder of this.folders.values()) {
      const rel = folder.relOf(abs);
      if (rel !== undefined && (!best || folder.root.length > best.folder.root.length)) best = { folder, rel };
    }
    if (best) return best;
    const dir = dirname(abs);
    let folder = this.loose.get(dir);
    if (!folder && createLoose) {
      folder = new FolderState(dir, this.options.readers(), false, this.options.fs ?? nodeFs);
      folder.indexed = true;
      this.loose.set(dir, folder);
      void this.loadSettings(folder).then(() => this.schedule(folder!, 0));
    }
    const rel = folder?.relOf(abs);
    return folder && rel !== undefined ? { folder, rel } : undefined;
  }

  private isOurs(folder: FolderState, rel: string): boolean {
    return folder.isTemplate(rel) || rel === folder.configRel();
  }

  private documentChanged(doc: TextDocument): void {
    const abs = uriToPath(doc.uri);
    const at = this.locate(doc.uri, abs !== undefined && isTemplatePath(basename(abs)));
    if (!at || !this.isOurs(at.folder, at.rel)) return;
    at.folder.setOpen(at.rel, doc.getText());
    this.schedule(at.folder);
  }

  private documentClosed(doc: TextDocument): void {
    const at = this.locate(doc.uri);
    if (!at || !this.isOurs(at.folder, at.rel)) return;
    at.folder.close(at.rel);
    this.schedule(at.folder);
  }

  private fileChanged(uri: string, type: FileChangeType): void {
    const abs = uriToPath(uri);
    if (!abs || !isAbsolute(abs)) return;
    for (const folder of [...this.folders.values(), ...this.loose.values()]) {
      const rel = folder.relOf(abs);
      if (rel === undefined) continue;
      folder.diskChanged(rel, type === FileChangeType.Created ? 'created' : type === FileChangeType.Deleted ? 'deleted' : 'changed');
      this.schedule(folder);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Checking

  private schedule(folder: FolderState, delay = this.debounceMs): void {
    const pending = this.timers.get(folder);
    if (pending) clearTimeout(pending);
    this.timers.set(folder, setTimeout(() => {
      this.timers.delete(folder);
      this.runCheck(folder);
    }, delay));
  }

  /** The folder's check, brought up to date first (a pending re-check runs now). */
  private current(folder: FolderState): FolderCheck | undefined {
    const pending = this.timers.get(folder);
    if (pending) {
      clearTimeout(pending);
      this.timers.delete(folder);
      this.runCheck(folder);
    }
    return folder.last;
  }

  private runCheck(folder: FolderState): void {
    if (!folder.indexed || this.indexing && !this.loose.has(folder.root)) return;
    if (![...this.folders.values(), ...this.loose.values()].includes(folder)) return;
    try {
      const check = folder.check();
      for (const w of check.checkSettings.warnings) this.warn(w);
      this.publish(folder, check);
      if (this.codeLensRefresh) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch((e: unknown) => this.log('codeLens/refresh', e));
    } catch (e) {
      this.log(`check of ${folder.root}`, e);
    }
    this.notifyChanged();
  }

  private notifyChanged(): void {
    this.version++;
    const params: ReportChangedParams = { version: this.version, state: this.indexing ? 'indexing' : 'ready' };
    void this.connection.sendNotification(ReportChangedNotification, params).catch((e) => this.log('reportChanged', e));
  }

  private positionsOf(folder: FolderState, check: FolderCheck): Positions {
    let p = this.positions.get(check);
    if (!p) {
      p = new Positions((rel) => check.texts.get(rel) ?? folder.textOf(rel), (rel) => folder.uriOf(rel), folder.lineIndexes);
      this.positions.set(check, p);
    }
    return p;
  }

  /** Sends the diagnostics that changed and clears those of files that no longer have any. */
  private publish(folder: FolderState, check: FolderCheck): void {
    const byFile = folderDiagnostics(check, this.positionsOf(folder, check));
    const next = new Map<string, Diagnostic[]>();
    for (const [rel, diagnostics] of byFile) next.set(folder.uriOf(rel), diagnostics);
    const before = this.published.get(folder) ?? new Map<string, string>();
    const after = new Map<string, string>();
    for (const uri of before.keys()) {
      if (!next.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((e) => this.log('publishDiagnostics', e));
    }
    for (const [uri, diagnostics] of next) {
      const json = JSON.stringify(diagnostics);
      after.set(uri, json);
      if (before.get(uri) !== json) void this.connection.sendDiagnostics({ uri, diagnostics }).catch((e) => this.log('publishDiagnostics', e));
    }
    this.published.set(folder, after);
  }

  private clearDiagnostics(folder: FolderState): void {
    for (const uri of this.published.get(folder)?.keys() ?? []) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.published.delete(folder);
  }

  // -------------------------------------------------------------------------------------------
  // Custom requests

  private emptyResult(): ReportResult {
    return { state: this.indexing ? 'indexing' : 'ready', version: this.version, templateCount: 0, report: emptyReport(this.options.toolVersion, DEFAULT_EDITION) };
  }

  private report(): ReportResult {
    if (this.indexing) return this.emptyResult();
    const reports = [];
    let templateCount = 0;
    let edition = DEFAULT_EDITION;
    for (const folder of [...this.folders.values(), ...this.loose.values()]) {
      const check = this.current(folder);
      if (!check) continue;
      if (reports.length === 0) edition = check.checkSettings.edition.name;
      templateCount += check.templateCount;
      reports.push(withUris(folderReport(check, this.positionsOf(folder, check), this.options.toolVersion), (f) => folder.uriOf(f)));
    }
    return { state: 'ready', version: this.version, templateCount, report: mergeReports(reports, this.options.toolVersion, edition) };
  }

  private fixNsg(ref: FixNsgParams): FixResult {
    const at = ref && typeof ref.uri === 'string' ? this.locate(ref.uri) : undefined;
    const check = at && this.current(at.folder);
    if (!at || !check) return noFix(`No template is indexed at ${String(ref?.uri)}`);
    const positions = this.positionsOf(at.folder, check);
    const candidates = check.result.nsgs.filter((n) => n.nsg.span?.file === at.rel && n.nsg.name.toLowerCase() === String(ref.name).toLowerCase());
    const nsg = candidates.find((n) => ref.line === undefined || positions.range(n.nsg.nameSpan ?? n.nsg.span!).start.line + 1 === ref.line) ?? candidates[0];
    if (!nsg) return noFix(`No NSG named ${String(ref.name)} is declared in this file`);
    return fixResult(fixAllForNsg(unsuppressed(nsg), check.texts, fixOptions(check)), positions, (f) => at.folder.uriOf(f));
  }

  private fixFile(params: FixFileParams): FixResult {
    const at = params && typeof params.uri === 'string' ? this.locate(params.uri) : undefined;
    const check = at && this.current(at.folder);
    if (!at || !check) return noFix(`No template is indexed at ${String(params?.uri)}`);
    const fix = fixAllForFile(check.result.nsgs.map(unsuppressed), check.texts, at.rel, fixOptions(check));
    const positions = this.positionsOf(at.folder, check);
    const uriOf = (f: string) => at.folder.uriOf(f);
    // The file's firewall fixes too (their edits never overlap the NSGs').
    return withFirewallFix(fixResult(fix, positions, uriOf), fix.rules.length, firewallFixForFile(check, at.rel), positions, uriOf);
  }

  private folderOf(params: RequirementsParams | undefined): FolderState | undefined {
    if (params && typeof params.uri === 'string') {
      const abs = uriToPath(params.uri);
      const root = abs && [...this.folders.keys()].find((r) => r === abs);
      if (root) return this.folders.get(root);
      const at = this.locate(params.uri);
      if (at) return at.folder;
    }
    return [...this.folders.values()][0] ?? [...this.loose.values()][0];
  }

  private folderSettings(folder: FolderState | undefined) {
    if (!folder) return { settings: folderCheckSettings(readSettings(undefined), undefined), config: undefined, configFile: undefined };
    const last = folder.last;
    if (last) return { settings: last.checkSettings, config: last.config, configFile: last.configFile };
    const { config, configFile } = folder.readConfig();
    return { settings: folderCheckSettings(folder.settings, config), config, configFile };
  }

  private requirements(params: RequirementsParams | undefined): unknown {
    const { settings, configFile, config } = this.folderSettings(this.folderOf(params));
    return selectionJson(selectRequirements(settings.edition, settings.options), config ? configFile : undefined);
  }

  private editions(params: RequirementsParams | undefined): EditionsResult {
    const { settings, config } = this.folderSettings(this.folderOf(params));
    return {
      editions: listEditions(config?.editions).map((e) => ({ name: e.name, title: e.title, isDefault: e.name === DEFAULT_EDITION })),
      active: settings.edition.name,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Errors

  private guard<T>(what: string, fallback: T, body: () => T): T {
    try {
      return body();
    } catch (e) {
      this.log(what, e);
      return fallback;
    }
  }

  private async guardAsync<T>(what: string, fallback: T, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (e) {
      this.log(what, e);
      return fallback;
    }
  }

  private log(what: string, e: unknown): void {
    // The error's message and stack only: never file contents.
    const text = e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}` : String(e);
    try {
      this.connection.console.error(`amlnet: ${what} failed: ${text.slice(0, 2000)}`);
    } catch {
      // The connection is gone: nothing to tell.
    }
  }

  private warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.connection.console.warn(message);
    this.connection.window.showWarningMessage(message);
  }
}

function noFix(title: string): FixResult {
  return { title, rules: [], skipped: [] };
}
