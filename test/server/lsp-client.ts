// A minimal LSP client for tests: spawns the compiled server with `--stdio` and speaks JSON-RPC
// to it with vscode-jsonrpc, as an editor would. Waiting is always bounded: `waitFor` re-checks
// its condition on every message from the server and fails after a timeout; nothing sleeps.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, InitializeResult, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

export const SERVER = resolve(__dirname, '..', '..', 'src', 'server', 'server.js');
const WAIT_MS = 20000;

export interface ClientOptions {
  readonly folders: readonly string[];
  /** What `workspace/configuration` answers for section `amlnet` (read at each request). */
  settings?: unknown;
  readonly progress?: boolean;
  readonly configuration?: boolean;
  /** Declare no optional capability at all (no configuration pull, progress, workspace folder events). */
  readonly minimal?: boolean;
}

export class TestClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly logs: string[] = [];
  /** How many times the server pulled configuration. */
  configurationRequests = 0;
  private readonly waiters = new Set<() => void>();
  private readonly docs = new Map<string, TextDocument>();
  initializeResult!: InitializeResult;
  stderr = '';

  private constructor(readonly process: ChildProcess, readonly connection: MessageConnection, readonly options: ClientOptions) {}

  static async start(options: ClientOptions): Promise<TestClient> {
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new TestClient(child, connection, options);
    child.stderr!.on('data', (d: Buffer) => {
      client.stderr += d.toString();
    });
    connection.onNotification((method, params) => {
      client.notifications.push({ method, params });
      if (method === 'textDocument/publishDiagnostics') {
        const p = params as { uri: string; diagnostics: Diagnostic[] };
        client.diagnostics.set(p.uri, p.diagnostics);
      } else if (method === 'window/logMessage') {
        client.logs.push((params as { message: string }).message);
      }
      client.wake();
    });
    // $/progress is not passed to onNotification: it is for progress handlers, and ours are unhandled.
    connection.onUnhandledProgress((p) => {
      client.notifications.push({ method: '$/progress', params: p });
      client.wake();
    });
    connection.onRequest((method, params) => {
      client.notifications.push({ method, params });
      client.wake();
      if (method === 'workspace/configuration') {
        client.configurationRequests++;
        const items = (params as { items: { section?: string }[] }).items;
        return items.map((i) => (i.section === 'amlnet' ? client.options.settings ?? null : null));
      }
      return null;
    });
    connection.listen();
    const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${client.stderr.slice(-2000)}`))));
    exited.catch(() => undefined);
    client.initializeResult = await Promise.race([exited, connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: options.folders.map((f) => ({ uri: pathToFileURL(f).href, name: f })),
      initializationOptions: { debounceMs: 0 },
      capabilities: options.minimal ? {} : {
        workspace: {
          configuration: options.configuration ?? true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceFolders: true,
          codeLens: { refreshSupport: true },
        },
        window: { workDoneProgress: options.progress ?? true },
        textDocument: {
          publishDiagnostics: { relatedInformation: true },
          codeAction: { disabledSupport: true, dataSupport: true, isPreferredSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
          hover: { contentFormat: ['markdown'] },
          synchronization: { didSave: true },
        },
      },
    })]);
    await connection.sendNotification('initialized', {});
    return client;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first truthy value of `probe`, checked now and after each message; rejects after `ms`. */
  waitFor<T>(what: string, probe: () => T | undefined | false | null, ms = WAIT_MS): Promise<T> {
    return new Promise<T>((resolvePromise, reject) => {
      const cleanup = (): void => {
        this.waiters.delete(check);
        clearTimeout(timer);
      };
      const check = (): void => {
        let value: T | undefined | false | null;
        try {
          value = probe();
        } catch (e) {
          cleanup();
          reject(e);
          return;
        }
        if (value) {
          cleanup();
          resolvePromise(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; server stderr: ${this.stderr.slice(-2000)}; logs: ${this.logs.slice(-5).join(' | ')}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for a notification of `method` (after the `after`-th message) matching `test`. */
  waitForNotification<T>(method: string, test: (params: T) => boolean = () => true, after = 0): Promise<T> {
    return this.waitFor(method, () => this.notifications.slice(after).find((n) => n.method === method && test(n.params as T))?.params as T | undefined);
  }

  /** Waits until the diagnostics of `uri` satisfy `test`; returns them. */
  waitForDiagnostics(uri: string, test: (d: Diagnostic[]) => boolean, what = `diagnostics of ${uri}`): Promise<Diagnostic[]> {
    return this.waitFor(what, () => {
      const d = this.diagnostics.get(uri);
      return d && test(d) ? d : undefined;
    });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  async open(uri: string, text: string, languageId: string): Promise<void> {
    this.docs.set(uri, TextDocument.create(uri, languageId, 1, text));
    await this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  text(uri: string): string {
    return this.docs.get(uri)!.getText();
  }

  /** Sends edits as incremental changes (ranges in the current text) and applies them to the local copy. */
  async edit(uri: string, edits: readonly TextEdit[]): Promise<void> {
    const doc = this.docs.get(uri)!;
    // Last first, so each range still refers to the text the server has.
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    const version = doc.version + 1;
    const next = TextDocument.update(doc, sorted.map((e) => ({ range: e.range, text: e.newText })), version);
    this.docs.set(uri, next);
    await this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })) });
  }

  /** Applies a WorkspaceEdit's changes to open documents (all its files must be open). */
  async apply(edit: WorkspaceEdit): Promise<void> {
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) await this.edit(uri, edits);
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}
