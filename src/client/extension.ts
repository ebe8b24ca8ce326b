// The extension's entry point (bundled to dist/client.js). Builds the controller, registers the
// commands, starts the language server in the background, and returns the API for tests.

import * as vscode from 'vscode';
import type { AmlnetExtensionApi } from './api';
import { registerCommands } from './commands';
import { Controller, errorText, showErrorWithLog } from './controller';

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): AmlnetExtensionApi {
  const output = vscode.window.createOutputChannel('Azure ML Network', { log: true });
  context.subscriptions.push(output);
  try {
    controller = new Controller(context, output);
    context.subscriptions.push(controller, ...registerCommands(controller));
    void controller.start();
    return controller.api();
  } catch (err) {
    const message = `Azure ML Network could not start: ${errorText(err)}`;
    output.error(err instanceof Error && err.stack ? err.stack : message);
    void showErrorWithLog(message, output);
    throw err;
  }
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
