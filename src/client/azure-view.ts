// The Azure view (`amlnet.azure`): signs in through VS Code, reads the subscriptions with
// readAzure (src/azure) in the extension host when the user asks (sign in, refresh; never at
// activation), checks them like templates and shows them with the Workspace view's nodes
// (azure-tree.ts). Fixes for live NSGs open generated text in an untitled editor; nothing is
// ever written to Azure.

import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { TokenCredential } from '@azure/core-auth';
import type { AzureReadResult } from '../azure/read-azure';
import { azScriptDocument, armDocument, bicepDocument, liveNsgTarget, planLiveRules, type LiveFixDocumentInput } from '../core/fix/live-snippets';
import type { Cloud } from '../core/requirement';
import { CONFIG_FILE_NAME, formatConfigError, parseConfig, type AmlnetConfig } from '../core/catalog/custom-config';
import { folderCheckSettings, readSettings } from '../server/settings';
import { configuredCloud, ensureSovereignEnvironment, StaticTokenCredential, VsCodeSessionCredential, authProviderFor } from './azure-credential';
import { azureTestHook, type AzureTestHook } from './azure-test-hook';
import { AZURE_VIEW_ID, buildAzureTree, checkLive, CONTEXT_AZURE_STATE_KEY, liveNsgCheck, type AzureViewState, type LiveCheck } from './azure-tree';
import { NodeTreeProvider } from './node-tree-provider';
import { failingRequirements } from './report-view';
import { snapshotTree, type SnapshotNode } from './snapshot';
import type { TreeNode } from './tree-model';

const AZURE_VIEW = AZURE_VIEW_ID;
/** `signedOut` | `idle` | `loading` | `ready` | `failed`: the view's welcome content and title actions use it. */
const CONTEXT_AZURE_STATE = CONTEXT_AZURE_STATE_KEY;

export type SnippetKind = 'az' | 'bicep' | 'arm';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class AzureView implements vscode.Disposable {
  readonly provider: NodeTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  private state: AzureViewState = { kind: 'signedOut' };
  private loading: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Set only by the end-to-end tests' environment (azure-test-hook.ts). */
  readonly testHook: AzureTestHook | undefined;
  private checkedSession = false;
  /** The last read, checked again when the edition or options change. */
  private lastRead: AzureReadResult | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly output: vscode.LogOutputChannel) {
    this.testHook = azureTestHook(process.env, (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    });
    if (this.testHook) {
      this.output.warn(`Azure view: test hook active (AMLNET_TEST_AZURE_*), reading ${this.testHook.endpoint} with a static token`);
      this.state = { kind: 'idle' };
    }
    this.provider = new NodeTreeProvider(() => buildAzureTree(this.state));
    this.view = vscode.window.createTreeView(AZURE_VIEW, { treeDataProvider: this.provider, showCollapseAll: true });
    this.disposables.push(this.provider, this.view);
    // Whether a session exists is asked (silently) when the view is first shown, not at activation.
    this.disposables.push(this.view.onDidChangeVisibility((e) => {
      if (e.visible) void this.checkSession();
    }));
    this.disposables.push(vscode.authentication.onDidChangeSessions((e) => {
      if (!this.testHook && e.provider.id === authProviderFor(configuredCloud())) {
        this.checkedSession = false;
        if (this.view.visible) void this.checkSession();
      }
    }));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      // Edition, options, scope, strictness, custom requirements: check what was read again, without reading Azure again.
      const recheck = ['edition', 'scope', 'strict', 'options', 'markedNsgs', 'customRequirementsFile'].some((k) => e.affectsConfiguration(`amlnet.${k}`));
      if (recheck) void this.recheck();
      if (e.affectsConfiguration('amlnet.azure.cloud') && !this.testHook) {
        this.loading?.abort();
        this.checkedSession = false;
        this.lastRead = undefined;
        this.setState({ kind: 'signedOut' });
        if (this.view.visible) void this.checkSession();
      }
    }));
    // `.amlnet.json` (or the custom requirements file) saved in the editor or changed on disk.
    this.disposables.push(vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.toString() === this.configUri()?.toString()) void this.recheck();
    }));
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, CONFIG_FILE_NAME));
      this.disposables.push(watcher, watcher.onDidChange(() => void this.recheck()), watcher.onDidCreate(() => void this.recheck()), watcher.onDidDelete(() => void this.recheck()));
    }
    this.setState(this.state);
    if (this.view.visible) void this.checkSession();
  }

  /** Checks the last read again (settings or `.amlnet.json` changed), without reading Azure again. */
  private async recheck(): Promise<void> {
    const read = this.lastRead;
    if (!read || this.state.kind !== 'ready') return;
    const live = await this.check(read, this.cloud());
    // A read or a sign-out since then wins.
    if (this.lastRead === read && this.state.kind === 'ready') this.setState({ kind: 'ready', live });
  }

  get live(): LiveCheck | undefined {
    return this.state.kind === 'ready' ? this.state.live : this.state.kind === 'loading' ? this.state.previous : undefined;
  }

  get viewState(): AzureViewState['kind'] {
    return this.state.kind;
  }

  private setState(state: AzureViewState): void {
    this.state = state;
    this.provider.refresh();
    void vscode.commands.executeCommand('setContext', CONTEXT_AZURE_STATE, state.kind);
    const live = this.live;
    if (live) {
      const failing = live.report.nsgs.reduce((n, nsg) => n + failingRequirements(nsg, live.report.strict).length, 0);
      this.view.badge = failing > 0 ? { value: failing, tooltip: `${failing} failing Azure ML requirement${failing === 1 ? '' : 's'} in Azure` } : undefined;
      this.view.description = `${this.cloud()} · edition ${live.report.edition}`;
    } else {
      this.view.badge = undefined;
      this.view.description = state.kind === 'signedOut' ? undefined : this.cloud();
    }
    this.view.message = state.kind === 'signedOut' && state.message ? state.message : undefined;
  }

  private cloud(): Cloud {
    return configuredCloud();
  }

  /** Signed in already? Then the view offers to read; otherwise to sign in. Never reads Azure. */
  private async checkSession(): Promise<void> {
    if (this.testHook || this.checkedSession || this.state.kind !== 'signedOut') return;
    this.checkedSession = true;
    try {
      const cloud = this.cloud();
      if (await ensureSovereignEnvironment(cloud, false)) return;
      const account = await VsCodeSessionCredential.account(cloud);
      if (account && this.state.kind === 'signedOut') this.setState({ kind: 'idle' });
    } catch (err) {
      this.output.warn(`Azure view: could not ask VS Code for a session: ${errorText(err)}`);
    }
  }

  /** `amlnet.azure.signIn`: VS Code's sign-in (if needed), then read. */
  async signIn(): Promise<void> {
    await this.refresh(true);
  }

  /** `amlnet.azure.signOut`: VS Code owns the session; say where to sign out, and forget what was read. */
  async signOut(): Promise<void> {
    this.loading?.abort();
    this.lastRead = undefined;
    if (!this.testHook) this.setState({ kind: 'signedOut' });
    const provider = authProviderFor(this.cloud()) === 'microsoft' ? 'Microsoft' : 'Microsoft Sovereign Cloud';
    await vscode.window.showInformationMessage(
      `Azure ML Network keeps no token: it uses your ${provider} account in VS Code. To sign out, open the Accounts menu (the person icon in the Activity Bar), pick the account and choose Sign Out. The Azure view has been cleared.`,
    );
  }

  /** `amlnet.azure.cancel`: stops a read in progress. */
  cancel(): void {
    this.loading?.abort();
  }

  private async connection(interactive: boolean): Promise<{ credential: TokenCredential; endpoint?: string; ca?: string } | { problem: string }> {
    if (this.testHook) return { credential: new StaticTokenCredential(this.testHook.token), endpoint: this.testHook.endpoint, ca: this.testHook.ca };
    const cloud = this.cloud();
    const problem = await ensureSovereignEnvironment(cloud, interactive);
    if (problem) return { problem };
    return { credential: new VsCodeSessionCredential(cloud, interactive) };
  }

  /** Reads the subscriptions again (`interactive`: the user may be asked to sign in). */
  async refresh(interactive = false): Promise<void> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    const connection = await this.connection(interactive);
    if (this.loading !== abort) return;
    if ('problem' in connection) {
      this.loading = undefined;
      this.setState({ kind: 'signedOut', message: connection.problem });
      return;
    }
    const cloud = this.cloud();
    const previous = this.live;
    this.setState({ kind: 'loading', ...(previous ? { previous } : {}) });
    const config = vscode.workspace.getConfiguration('amlnet');
    const filter = (config.get<unknown[]>('azure.subscriptions') ?? []).filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
    await vscode.window.withProgress({ location: { viewId: AZURE_VIEW }, title: 'Reading Azure', cancellable: true }, async (_progress, token) => {
      const cancelled = token.onCancellationRequested(() => abort.abort());
      try {
        // Loaded when first used: the Azure SDKs are not needed to start the extension.
        const { readAzure, AzureSignInError, describeError } = await import('../azure/read-azure.js');
        let read: AzureReadResult;
        try {
          read = await readAzure({
            credential: connection.credential,
            cloud,
            ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
            ...(connection.ca ? { ca: connection.ca } : {}),
            ...(filter.length > 0 ? { subscriptions: filter } : {}),
            signal: abort.signal,
            onProgress: (message: string) => {
              if (this.loading === abort) this.setState({ kind: 'loading', message, ...(previous ? { previous } : {}) });
            },
          });
        } catch (err) {
          if (this.loading !== abort) return;
          if (abort.signal.aborted) {
            this.setState(previous ? { kind: 'ready', live: previous } : { kind: 'idle' });
            return;
          }
          if (err instanceof AzureSignInError) {
            this.output.info(`Azure view: not signed in to ${cloud}: ${err.message}`);
            this.setState({ kind: 'signedOut', ...(interactive ? { message: `Signing in to ${cloud} did not complete: ${err.message}` } : {}) });
            return;
          }
          const message = describeError(err, 60_000, abort.signal);
          this.output.error(`Azure view: reading ${cloud} failed: ${message}`);
          this.setState({ kind: 'failed', message });
          return;
        }
        if (this.loading !== abort) return;
        this.lastRead = read;
        const live = await this.check(read, cloud);
        if (this.loading !== abort) return;
        this.output.info(`Azure view: read ${read.subscriptions.filter((s) => s.state === 'ok').length} of ${read.subscriptions.length} subscriptions in ${cloud} ${read.via === 'resource-graph' ? 'through Resource Graph' : 'per subscription'} (${read.requests} requests)${read.fallbackReason ? `; ${read.fallbackReason}` : ''}`);
        for (const s of read.subscriptions) if (s.state === 'error') this.output.warn(`Azure view: subscription ${s.name} (${s.id}) could not be read: ${s.error ?? 'error'}`);
        this.setState({ kind: 'ready', live });
      } finally {
        cancelled.dispose();
        if (this.loading === abort) this.loading = undefined;
      }
    });
  }

  private async check(read: AzureReadResult, cloud: Cloud): Promise<LiveCheck> {
    return checkLive(read, await this.checkSettings(cloud), String((this.context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0'));
  }

  /**
   * The check settings as the Workspace view has them for the first folder: its `amlnet.*` settings
   * over its `.amlnet.json` (edition, options, custom requirements and editions), with the cloud read.
   */
  private async checkSettings(cloud: Cloud) {
    const settings = readSettings(this.rawSettings());
    const config = await this.readConfig(settings.customRequirementsFile);
    const folder = folderCheckSettings({ ...settings, options: { ...settings.options, cloud } }, config);
    for (const w of folder.warnings) this.output.warn(`Azure view: ${w}`);
    return folder.check;
  }

  private rawSettings() {
    const c = vscode.workspace.getConfiguration('amlnet', vscode.workspace.workspaceFolders?.[0]?.uri);
    return { edition: c.get('edition'), scope: c.get('scope'), strict: c.get('strict'), options: c.get('options'), markedNsgs: c.get('markedNsgs'), customRequirementsFile: c.get('customRequirementsFile') };
  }

  /** The first folder's `.amlnet.json`, or the file `amlnet.customRequirementsFile` names (relative to the folder, or absolute). */
  private configUri(custom = readSettings(this.rawSettings()).customRequirementsFile): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    if (!custom) return vscode.Uri.joinPath(folder.uri, CONFIG_FILE_NAME);
    return isAbsolute(custom) ? vscode.Uri.file(custom) : vscode.Uri.joinPath(folder.uri, custom);
  }

  /**
   * The config as the language server reads it: the editor's text when the file is open, else the
   * file (1 MB at most). A file that cannot be read or is invalid is left out, and said in the log
   * (its errors are shown in the file itself by the language server).
   */
  private async readConfig(custom: string | null): Promise<AmlnetConfig | undefined> {
    const uri = this.configUri(custom);
    if (!uri) return undefined;
    const name = vscode.workspace.asRelativePath(uri, false);
    let text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText();
    if (text === undefined) {
      try {
        if ((await vscode.workspace.fs.stat(uri)).size > 1024 * 1024) {
          this.output.warn(`Azure view: ${name} is larger than 1 MB: not read`);
          return undefined;
        }
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch (err) {
        if (custom) this.output.warn(`Azure view: cannot read the custom requirements file (amlnet.customRequirementsFile) ${name}: ${errorText(err)}`);
        return undefined;
      }
    }
    try {
      const parsed = parseConfig(text, name);
      if (parsed.config) return parsed.config;
      this.output.warn(`Azure view: ${name} is not applied: ${parsed.errors.map(formatConfigError).join('; ')}`);
    } catch (err) {
      this.output.warn(`Azure view: ${name} is not applied: ${errorText(err)}`);
    }
    return undefined;
  }

  private fixOptions() {
    const c = vscode.workspace.getConfiguration('amlnet', vscode.workspace.workspaceFolders?.[0]?.uri);
    const settings = readSettings({ fix: c.get('fix') });
    return {
      namePrefix: settings.fix.ruleNamePrefix,
      priorityStart: settings.fix.priorityStart,
      priorityStep: settings.fix.priorityStep,
      includeAllowedByDefault: this.live?.report.strict === true,
    };
  }

  /** `amlnet.azure.pickSubscriptions`: a multi-select QuickPick of the subscriptions read, written to `amlnet.azure.subscriptions`. */
  async pickSubscriptions(): Promise<void> {
    const config = vscode.workspace.getConfiguration('amlnet');
    const current = new Set((config.get<unknown[]>('azure.subscriptions') ?? []).filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase()));
    const known = this.live?.subscriptions ?? [];
    if (known.length === 0) {
      void vscode.window.showInformationMessage('Azure ML Network: read your subscriptions first (Refresh in the Azure view), then pick which to show.');
      return;
    }
    const items = known.map((s) => ({ label: s.name, description: s.id, picked: current.size === 0 || current.has(s.id.toLowerCase()), id: s.id }));
    // Subscriptions in the filter that the last read did not list (it only read the filter's).
    for (const id of current) if (!known.some((s) => s.id.toLowerCase() === id)) items.push({ label: id, description: 'in the filter', picked: true, id });
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Azure ML Network: Subscriptions to Check', placeHolder: 'Pick the subscriptions the Azure view reads (all picked: every subscription you can read)' });
    if (!picked) return;
    const all = picked.length === items.length;
    await config.update('azure.subscriptions', all ? [] : picked.map((p) => p.id), vscode.ConfigurationTarget.Global);
    await this.refresh(false);
  }

  /**
   * `amlnet.azure.showFixCommands` (and the Bicep and ARM variants): on a live NSG node, every
   * missing rule of the NSG; on a failing requirement node, that requirement's.
   */
  async showFix(arg: unknown, kind: SnippetKind): Promise<void> {
    const node = arg as Partial<TreeNode> | undefined;
    const live = this.live;
    const ref = node?.nsg;
    if (!live || !ref || !ref.uri) {
      void vscode.window.showInformationMessage('Azure ML Network: run this on an NSG or a failing requirement in the Azure view.');
      return;
    }
    const check = liveNsgCheck(live, ref.uri);
    const target = liveNsgTarget(ref.uri);
    if (!check || !target) {
      void vscode.window.showWarningMessage(`Azure ML Network: NSG ${ref.name} is no longer in the Azure view. Refresh it and try again.`);
      return;
    }
    const requirementIds = node.kind === 'requirement' && typeof node.label === 'string' ? [node.label] : undefined;
    const plan = planLiveRules(check, { ...this.fixOptions(), ...(requirementIds ? { requirementIds } : {}) });
    // The resource group as Azure spells it is not kept (keys are lower-cased); ARM compares it without case.
    const input: LiveFixDocumentInput = { target, plan, what: requirementIds ? `${requirementIds[0]} on NSG ${check.nsg.name}` : `NSG ${check.nsg.name}` };
    const [language, content] = kind === 'az' ? ['shellscript', azScriptDocument(input)] : kind === 'bicep' ? ['bicep', bicepDocument(input)] : ['json', armDocument(input)];
    // Without the Bicep extension there is no `bicep` language: plain text then.
    const known = (await vscode.languages.getLanguages()).includes(language);
    const document = await vscode.workspace.openTextDocument({ language: known ? language : 'plaintext', content });
    await vscode.window.showTextDocument(document, { preview: false });
    if (plan.skipped.length > 0) {
      void vscode.window.showWarningMessage(`Azure ML Network: not fixed: ${plan.skipped.map((s) => `${s.requirementId} (${s.reason})`).join('; ')}`);
    } else if (plan.rules.length === 0) {
      void vscode.window.showInformationMessage(`Azure ML Network: no Azure ML rules are missing in ${check.nsg.name}.`);
    }
  }

  /** The view as plain data, for the end-to-end tests. */
  snapshot(): Promise<SnapshotNode[]> {
    return snapshotTree(this.provider);
  }

  dispose(): void {
    this.loading?.abort();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
