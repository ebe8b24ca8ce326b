// The amlnet language server's entry: bundled to dist/server.js. Speaks LSP over IPC (the
// extension starts it with TransportKind.ipc) or stdio (`--stdio`, for tests and other editors).

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { armTemplateReader } from '../core/arm/arm-template-reader';
import { createBicepReader } from '../core/bicep/bicep-reader';
import { AmlnetServer } from './amlnet-server';
import { BicepTrees } from './bicep-trees';
import { toolVersion } from './tool-version';

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
// Each folder keeps its Bicep trees, so an edit re-parses only the statements it touches.
const readers = () => [createBicepReader({ parse: new BicepTrees().parse }), armTemplateReader];
new AmlnetServer(connection, { readers, toolVersion: toolVersion() }).listen();
