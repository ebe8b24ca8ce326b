// What `activate` returns: a small API for the end-to-end tests (and other extensions that want
// to wait for the check). Types only.

import type { SnapshotNode } from './snapshot';

export type { SnapshotNode } from './snapshot';

export interface AmlnetExtensionApi {
  /** The Workspace view (`amlnet.workspace`) walked through its TreeDataProvider, collapsed items included. */
  workspaceTree(): Promise<SnapshotNode[]>;
  /** The Requirements view (`amlnet.requirements`), walked the same way. */
  requirementsTree(): Promise<SnapshotNode[]>;
  /** The language server's process id, as it reports it in `capabilities.experimental.amlnet.processId`. */
  serverProcessId(): number | undefined;
  /** Resolves once the first `ready` report has been shown in the Workspace view. */
  whenReady(): Promise<void>;
}
