// Everything the extension holds while it runs: the language client, the report store, the two
// views, the matrix and the filter. `activate` builds one and the commands (commands.ts) act on
// it. Rendering decisions live in the pure modules (tree-model, requirements-model, matrix-html).

import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import {
  ReportChangedNotification,
  ReportRequest,
  RequirementsRequest,
  type ReportChangedParams,
  type ReportResult,
  type RequirementsParams,
} from '../server/protocol';
import type { AmlnetExtensionApi } from './api';
import { AzureView } from './azure-view';
import { createLanguageClient } from './language-client';
import { MatrixPanel } from './matrix-panel';
import { NodeTreeProvider } from './node-tree-provider';
import { ReportStore } from './report-store';
import { buildRequirementsTree, type OptionSettings } from './requirements-model';
import { snapshotTree } from './snapshot';
import { buildWorkspaceTree, failingNsgs, type TreeNode } from './tree-model';

export const WORKSPACE_VIEW = 'amlnet.workspace';
export const REQUIREMENTS_VIEW = 'amlnet.requirements';

/** Context keys the package.json `when` clauses use. */
export const CONTEXT_ONLY_FAILING = 'amlnet.onlyFailing';
/** `starting` | `indexing` | `ready` | `noTemplates` | `failed`. */
export const CONTEXT_STATE = 'amlnet.state';

const ONLY_FAILING_KEY = 'amlnet.onlyFailing';

export class Controller implements vscode.Disposable {
  readonly client: LanguageClient;
  readonly store: ReportStore;
  readonly workspaceProvider: NodeTreeProvider;
  readonly workspaceView: vscode.TreeView<TreeNode>;
  readonly requirementsProvider: NodeTreeProvider;
  readonly requirementsView: vscode.TreeView<TreeNode>;
  readonly matrix: MatrixPanel;
  /** The Azure view: live subscriptions, read only when the user asks. */
  readonly azure: AzureView;
  private readonly disposables: vscode.Disposable[] = [];
  private requirements: unknown = undefined;
  /** The folder the Requirements view describes (see requirementsFolder). */
  private requirementsFolderValue: vscode.WorkspaceFolder | undefined;
  private onlyFailingValue: boolean;
  private indexingProgress: (() => void) | undefined;

  constructor(readonly context: vscode.ExtensionContext, readonly output: vscode.LogOutputChannel) {
    const { client, disposables } = createLanguageClient(context, output);
    this.client = client;
    this.disposables.push(...disposables);
    this.onlyFailingValue = context.workspaceState.get<boolean>(ONLY_FAILING_KEY, false);

    this.store = new ReportStore(
      () => this.client.sendRequest<ReportResult>(ReportRequest),
      (err) => this.output.error(`amlnet/report failed: ${errorText(err)}`),
    );
    this.workspaceProvider = new NodeTreeProvider(() => this.store.state === 'failed' ? [] : buildWorkspaceTree(this.store.result, {
      onlyFailing: this.onlyFailingValue,
      displayPath: displayPath,
    }));
    this.requirementsProvider = new NodeTreeProvider(() => this.store.state === 'failed' ? [] : buildRequirementsTree(this.requirements, this.optionSettings()));
    this.workspaceView = vscode.window.createTreeView(WORKSPACE_VIEW, { treeDataProvider: this.workspaceProvider, showCollapseAll: true });
    this.requirementsView = vscode.window.createTreeView(REQUIREMENTS_VIEW, { treeDataProvider: this.requirementsProvider, showCollapseAll: true });
    this.matrix = new MatrixPanel(context.extensionUri, this.store, () => this.onlyFailingValue);
    this.disposables.push(this.workspaceProvider, this.workspaceView, this.requirementsProvider, this.requirementsView, this.matrix);
    this.azure = new AzureView(context, output);
    this.disposables.push(this.azure);
    this.disposables.push(this.store.onDidChange(() => this.reportChanged()));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('amlnet')) this.requirementsProvider.refresh();
    }));
    // In a multi-root workspace the Requirements view describes the active editor's folder.
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor(() => {
      if (this.requirementsFolder()?.uri.toString() !== this.requirementsFolderValue?.uri.toString() && this.client.isRunning()) void this.refreshRequirements();
    }));
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => {
      if (this.client.isRunning()) void this.refreshRequirements();
    }));
    void vscode.commands.executeCommand('setContext', CONTEXT_ONLY_FAILING, this.onlyFailingValue);
    this.reportChanged();
  }

  /** Starts the language server; on failure the views say so and an error offers the log. */
  async start(): Promise<void> {
    this.disposables.push(this.client.onNotification(ReportChangedNotification, (_params: ReportChangedParams) => {
      void this.refresh();
    }));
    this.disposables.push(this.client.onDidChangeState((e) => {
      // A restarted server (after a crash) counts versions from zero and must be asked again.
      if (e.oldState === State.Starting && e.newState === State.Running) {
        this.store.serverRestarted();
        void this.refresh();
      }
    }));
    try {
      await this.client.start();
    } catch (err) {
      const message = `The Azure ML Network language server could not start: ${errorText(err)}`;
      this.output.error(message);
      this.store.fail(message);
      void showErrorWithLog(message, this.output);
      return;
    }
    await this.refresh();
  }

  /** Asks the server for the report and the requirement catalog again. */
  async refresh(): Promise<void> {
    // Stopped or restarting: the state change to Running asks again.
    if (!this.client.isRunning()) return;
    await Promise.all([this.store.refresh(), this.refreshRequirements()]);
  }

  /**
   * The folder whose settings and `.amlnet.json` the Requirements view shows: the active editor's
   * folder, else the one it showed last (an editor outside the workspace, or none, changes
   * nothing), else the first.
   */
  private requirementsFolder(): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const uri = vscode.window.activeTextEditor?.document.uri;
    const active = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    const last = folders.find((f) => f.uri.toString() === this.requirementsFolderValue?.uri.toString());
    return active ?? last ?? folders[0];
  }

  /** The folder the Requirements view describes, for the commands that change its settings. */
  requirementsFolderUri(): vscode.Uri | undefined {
    return this.requirementsFolder()?.uri;
  }

  private async refreshRequirements(): Promise<void> {
    const folder = this.requirementsFolder();
    this.requirementsFolderValue = folder;
    const params: RequirementsParams = folder ? { uri: folder.uri.toString() } : {};
    let requirements: unknown;
    try {
      requirements = await this.client.sendRequest<unknown>(RequirementsRequest, params);
    } catch (err) {
      this.output.error(`amlnet/requirements failed: ${errorText(err)}`);
      requirements = { invalid: true };
    }
    // Another folder was asked for meanwhile: its answer wins.
    if (this.requirementsFolderValue !== folder) return;
    this.requirements = requirements;
    this.requirementsView.description = folder && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? folder.name : undefined;
    this.requirementsProvider.refresh();
  }

  /** The last `amlnet/requirements` answer (unknown JSON until parsed). */
  get requirementsJson(): unknown {
    return this.requirements;
  }

  get onlyFailing(): boolean {
    return this.onlyFailingValue;
  }

  async setOnlyFailing(value: boolean): Promise<void> {
    this.onlyFailingValue = value;
    await this.context.workspaceState.update(ONLY_FAILING_KEY, value);
    await vscode.commands.executeCommand('setContext', CONTEXT_ONLY_FAILING, value);
    this.workspaceProvider.refresh();
    this.updateViewText();
    this.matrix.render();
  }

  /** The user's option settings for the folder the Requirements view describes. */
  optionSettings(): OptionSettings {
    const config = vscode.workspace.getConfiguration('amlnet', (this.requirementsFolderValue ?? vscode.workspace.workspaceFolders?.[0])?.uri);
    const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
    return {
      publicIp: orNull(config.get<boolean | null>('options.publicIp')),
      hbi: orNull(config.get<boolean | null>('options.hbi')),
      region: orNull(config.get<string | null>('options.region')),
      cloud: orNull(config.get<string | null>('options.cloud')),
    };
  }

  private reportChanged(): void {
    this.workspaceProvider.refresh();
    this.requirementsProvider.refresh();
    this.updateViewText();
    const state = this.store.state;
    const result = this.store.result;
    const context = state === 'ready' && result && result.templateCount === 0 && result.report.nsgs.length === 0 ? 'noTemplates' : state;
    void vscode.commands.executeCommand('setContext', CONTEXT_STATE, context);
    if (state === 'indexing' && !this.indexingProgress) {
      void vscode.window.withProgress({ location: { viewId: WORKSPACE_VIEW } }, () => new Promise<void>((resolve) => {
        this.indexingProgress = resolve;
      }));
    } else if (state !== 'indexing' && this.indexingProgress) {
      this.indexingProgress();
      this.indexingProgress = undefined;
    }
  }

  private updateViewText(): void {
    const report = this.store.result?.report;
    if (!report) {
      this.workspaceView.description = undefined;
      this.workspaceView.badge = undefined;
      return;
    }
    this.workspaceView.description = `edition ${report.edition}${report.strict ? ' · strict' : ''}`;
    const failing = failingNsgs(report).reduce((n, e) => n + e.failing.length, 0);
    this.workspaceView.badge = failing > 0 ? { value: failing, tooltip: `${failing} failing Azure ML requirement${failing === 1 ? '' : 's'}` } : undefined;
    this.workspaceView.message = this.onlyFailingValue && report.nsgs.length > 0 ? 'Showing only failing requirements.' : undefined;
  }

  /** The API `activate` returns (see api.ts). */
  api(): AmlnetExtensionApi {
    return {
      workspaceTree: () => snapshotTree(this.workspaceProvider),
      requirementsTree: () => snapshotTree(this.requirementsProvider),
      azureTree: () => this.azure.snapshot(),
      azureState: () => this.azure.viewState,
      serverProcessId: () => {
        const experimental = this.client.initializeResult?.capabilities.experimental as { amlnet?: { processId?: unknown } } | undefined;
        const pid = experimental?.amlnet?.processId;
        return typeof pid === 'number' ? pid : undefined;
      },
      whenReady: () => this.store.whenReady(),
    };
  }

  async stop(): Promise<void> {
    if (this.client.isRunning()) await this.client.stop();
  }

  dispose(): void {
    // deactivate() stops the client and waits; this covers a dispose without it.
    if (this.client.isRunning()) void this.client.stop().catch((err: unknown) => this.output.error(`Stopping the language server: ${errorText(err)}`));
    this.indexingProgress?.();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}

/** A report URI as a workspace-relative path. */
export function displayPath(uri: string): string {
  try {
    return vscode.workspace.asRelativePath(vscode.Uri.parse(uri), true);
  } catch {
    return uri;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A non-modal error with a "Show Log" action. */
export async function showErrorWithLog(message: string, output: vscode.OutputChannel): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice === 'Show Log') output.show();
}
