// The language client: starts dist/server.js over IPC for Bicep and ARM JSON files. Documents
// are selected by pattern and language id, never by contributing the `bicep` language, which
// the Bicep extension owns.

import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, TransportKind, type ErrorHandler, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export const CLIENT_ID = 'amlnet';
export const CLIENT_NAME = 'Azure ML Network';

/** Which documents the server sees: Bicep by extension, ARM candidates by language (the server checks `$schema`). */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', pattern: '**/*.bicep' },
  { scheme: 'file', pattern: '**/*.bicepparam' },
  { scheme: 'file', language: 'json' },
  { scheme: 'file', language: 'jsonc' },
  { scheme: 'file', language: 'arm-template' },
];

/** Restarts allowed within the window before the client gives up (and says so in the log). */
export const MAX_RESTARTS = 4;
export const RESTART_WINDOW_MS = 3 * 60 * 1000;

/**
 * Keeps the server running. The library's default handler shuts the client down when a write to a
 * server that just died fails (EPIPE), so the server would not come back; here a failed write is
 * only logged, and a closed connection restarts the server, at most MAX_RESTARTS times within
 * RESTART_WINDOW_MS (a server that crashes at every start is not restarted forever).
 */
export function restartingErrorHandler(output: Pick<vscode.LogOutputChannel, 'error' | 'warn'>, now: () => number = Date.now): ErrorHandler {
  const restarts: number[] = [];
  return {
    error: (error, _message, count) => {
      output.warn(`Connection to the language server: ${error.message} (${count ?? 1})`);
      return { action: ErrorAction.Continue, handled: true };
    },
    closed: () => {
      const t = now();
      while (restarts.length && t - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) {
        output.error(`The language server stopped ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60000} minutes: it will not be restarted. Run "Developer: Reload Window" to try again.`);
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      restarts.push(t);
      output.warn('The language server stopped; restarting it.');
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

/**
 * The client (not started). `amlnet.trace.server` is read by vscode-languageclient itself from
 * `<id>.trace.server`; the watchers are returned so the caller disposes them.
 */
export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): { client: LanguageClient; disposables: vscode.Disposable[] } {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const watchers = [
    vscode.workspace.createFileSystemWatcher('**/*.{bicep,bicepparam,json,jsonc}'),
    vscode.workspace.createFileSystemWatcher('**/.amlnet.json'),
  ];
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    // Settings are pulled by the server (workspace/configuration), which registers for their changes itself.
    synchronize: { fileEvents: watchers },
    outputChannel: output,
    errorHandler: restartingErrorHandler(output),
    // The controller says once, with a "Show Log" action, that the server did not start; without
    // this handler the library would add two more notifications of its own.
    initializationFailedHandler: (error) => {
      output.error(`Initializing the language server failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
  };
  return { client: new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions), disposables: watchers };
}
