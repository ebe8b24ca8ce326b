// The language client: starts dist/server.js over IPC for Bicep and ARM JSON files. Documents
// are selected by pattern and language id, never by contributing the `bicep` language, which
// the Bicep extension owns.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

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
    // The controller says once, with a "Show Log" action, that the server did not start; without
    // this handler the library would add two more notifications of its own.
    initializationFailedHandler: (error) => {
      output.error(`Initializing the language server failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
  };
  return { client: new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions), disposables: watchers };
}
