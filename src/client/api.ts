// What `activate` returns: a small API for the end-to-end tests (and other extensions that want
// to wait for the check). Types only.

import type { SnapshotNode } from './snapshot';

export type { SnapshotNode } from './snapshot';

export interface AmlnetExtensionApi {
  /** The Workspace view (`amlnet.workspace`) walked through its TreeDataProvider, collapsed items included. */
  workspaceTree(): Promise<SnapshotNode[]>;
  /** The Requirements view (`amlnet.requirements`), walked the same way. */
  requirementsTree(): Promise<SnapshotNode[]>;
  /**
   * The Azure view (`amlnet.azure`), walked the same way. Reading Azure waits for the user (or a
   * test running `amlnet.azure.refresh`); the end-to-end tests point the view at a local server
   * through the AMLNET_TEST_AZURE_* environment (src/client/azure-test-hook.ts).
   */
  azureTree(): Promise<SnapshotNode[]>;
  /** The Azure view's state: `signedOut`, `idle`, `loading`, `ready` or `failed`. */
  azureState(): string;
  /** The language server's process id, as it reports it in `capabilities.experimental.amlnet.processId`. */
  serverProcessId(): number | undefined;
  /** Resolves once the first `ready` report has been shown in the Workspace view. */
  whenReady(): Promise<void>;
}
