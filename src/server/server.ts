// The amlnet language server's entry: bundled to dist/server.js. Speaks LSP over IPC (the
// extension starts it with TransportKind.ipc) or stdio (`--stdio`, for tests and other editors).

// First: V8 settings for reading and checking large templates over and over (see runtime.ts).
import '../host/tuned-runtime';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { armTemplateReader } from '../core/arm/arm-template-reader';
import { createIncrementalBicepReader } from '../core/bicep/bicep-reader';
import { AmlnetServer } from './amlnet-server';
import { toolVersion } from '../host/tool-version';

const connection = createConnection(ProposedFeatures.all);
// A bug must not take the editor's diagnostics down with it: log, and keep serving.
const report = (what: string) => (e: unknown): void => {
  try {
    connection.console.error(`amlnet: ${what}: ${e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)}`.slice(0, 2000));
  } catch {
    // The connection is gone; the library ends the process when its input closes.
  }
};
process.on('uncaughtException', report('uncaught exception'));
process.on('unhandledRejection', report('unhandled rejection'));
// Each folder keeps its Bicep trees and per-statement results, so an edit re-reads only what it reaches.
const readers = () => [createIncrementalBicepReader(), armTemplateReader];
new AmlnetServer(connection, { readers, toolVersion: toolVersion() }).listen();
