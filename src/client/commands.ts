// The commands, as a table from id to handler. Handlers take what VS Code passes: a TreeNode
// from a view's context menu, an NsgRef from the server's CodeLens, a Uri from an editor menu,
// or nothing from the Command Palette (then they ask with a QuickPick or use the active editor).

import * as vscode from 'vscode';
import type { WorkspaceEdit as LspWorkspaceEdit } from 'vscode-languageclient/node';
import {
  EditionsRequest,
  FixFileRequest,
  FixNsgRequest,
  type EditionsResult,
  type FixFileParams,
  type FixResult,
  type NsgRef,
} from '../server/protocol';
import { nsgRefOf, targetOf } from './command-args';
import { COMMAND_IDS, DEFAULT_DOCS_URL, type CommandId } from './command-ids';
import { displayPath, errorText, showErrorWithLog, type Controller } from './controller';
import { markdownReport } from './markdown-report';
import { revealTarget } from './node-tree-provider';
import { parseRequirementsJson } from './requirements-model';
import { booleanOptionItems, cloudItems, regionSetting, validateRegion, type ChoiceItem } from './settings-model';
import { failingNsgs, findNsgNodes, nsgRef } from './tree-model';

type Handler = (ctrl: Controller, ...args: unknown[]) => unknown;

/**
 * The resource a command is about, for choosing the workspace folder its settings go to: the
 * argument's, else the folder the Requirements view shows (the active editor's, else the last).
 */
function resourceOf(arg: unknown, ctrl: Controller): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const ref = nsgRefOf(arg);
  if (ref) return vscode.Uri.parse(ref.uri);
  return ctrl.requirementsFolderUri() ?? vscode.window.activeTextEditor?.document.uri;
}

function folderFor(resource: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
  return (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
}

/**
 * Writes an `amlnet.*` setting in the folder's settings when there is a folder, else the user's.
 * `null` means "not set": the folder's value is removed, and written as null only if another
 * scope would still set it.
 */
async function writeSetting(key: string, value: unknown, resource: vscode.Uri | undefined): Promise<string> {
  const folder = folderFor(resource);
  const target = folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
  const config = vscode.workspace.getConfiguration('amlnet', folder?.uri);
  if (value === null) {
    await config.update(key, undefined, target);
    const after = vscode.workspace.getConfiguration('amlnet', folder?.uri).get(key);
    if (after !== null && after !== undefined) await config.update(key, null, target);
  } else {
    await config.update(key, value, target);
  }
  return folder ? `the settings of ${folder.name}` : 'your user settings';
}

function currentSetting<T>(key: string, resource: vscode.Uri | undefined): T | null {
  const v = vscode.workspace.getConfiguration('amlnet', folderFor(resource)?.uri).get<T | null>(key);
  return v === undefined ? null : v;
}

async function pickChoice<T>(title: string, items: readonly ChoiceItem<T>[], placeHolder: string): Promise<{ value: T } | undefined> {
  const picked = await vscode.window.showQuickPick(items.map((i) => ({ label: i.label, description: i.description, choice: i })), { title, placeHolder });
  return picked ? { value: picked.choice.value } : undefined;
}

function confirm(message: string): void {
  vscode.window.setStatusBarMessage(`$(check) ${message}`, 5000);
}

/** Applies a fix from the server: its LSP WorkspaceEdit converted by the client's converter. */
async function applyFix(ctrl: Controller, result: FixResult, what: string): Promise<void> {
  const skipped = result.skipped.map((s) => `${s.requirementId} (${s.nsg}): ${s.reason}`);
  if (!result.edit) {
    if (skipped.length > 0) void vscode.window.showWarningMessage(`Azure ML Network: nothing can be added to ${what}. ${skipped.join('; ')}`);
    else void vscode.window.showInformationMessage(`Azure ML Network: no Azure ML rules are missing in ${what}.`);
    return;
  }
  const edit = await ctrl.client.protocol2CodeConverter.asWorkspaceEdit(result.edit as LspWorkspaceEdit);
  const applied = await vscode.workspace.applyEdit(edit);
  if (!applied) {
    void vscode.window.showErrorMessage(`Azure ML Network: the edit "${result.title}" could not be applied (the file may have changed). Try again.`);
    return;
  }
  ctrl.output.info(`${result.title}: ${result.rules.map((r) => `${r.name} (${r.direction}, priority ${r.priority})`).join(', ')}`);
  if (skipped.length > 0) void vscode.window.showWarningMessage(`Azure ML Network: ${result.title}. Not fixed: ${skipped.join('; ')}`);
  else confirm(result.title);
}

async function pickFailingNsg(ctrl: Controller): Promise<NsgRef | undefined> {
  const result = ctrl.store.result;
  if (!result || result.state !== 'ready') {
    void vscode.window.showInformationMessage('Azure ML Network is still reading the templates. Try again when the Workspace view shows them.');
    return undefined;
  }
  const failing = failingNsgs(result.report).filter((e) => e.nsg.file);
  if (failing.length === 0) {
    void vscode.window.showInformationMessage('Azure ML Network: every NSG in scope meets its Azure ML requirements.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(failing.map((e) => ({
    label: `$(shield) ${e.nsg.name}`,
    description: `${e.failing.length} failing`,
    detail: `${displayPath(e.nsg.file ?? '')}${e.nsg.line !== undefined ? `:${e.nsg.line}` : ''} · ${e.failing.map((r) => r.id).join(', ')}`,
    ref: nsgRef(e.nsg),
  })), { title: 'Azure ML Network: Add Missing Rules to NSG', placeHolder: 'Pick an NSG with failing Azure ML requirements', matchOnDetail: true });
  return picked?.ref;
}

const HANDLERS: Readonly<Record<CommandId, Handler>> = {
  'amlnet.refresh': (ctrl) => vscode.window.withProgress({ location: { viewId: 'amlnet.workspace' } }, () => ctrl.refresh()),

  'amlnet.fixNsg': async (ctrl, arg) => {
    const ref = nsgRefOf(arg) ?? (await pickFailingNsg(ctrl));
    if (!ref) return;
    const result = await ctrl.client.sendRequest<FixResult>(FixNsgRequest, ref);
    await applyFix(ctrl, result, `NSG ${ref.name}`);
  },

  'amlnet.fixFile': async (ctrl, arg) => {
    const ref = nsgRefOf(arg);
    const uri = arg instanceof vscode.Uri ? arg
      : typeof arg === 'string' && arg !== '' ? vscode.Uri.parse(arg)
        : ref ? vscode.Uri.parse(ref.uri) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Azure ML Network: open a Bicep or ARM template to add its missing rules.');
      return;
    }
    const params: FixFileParams = { uri: ctrl.client.code2ProtocolConverter.asUri(uri) };
    const result = await ctrl.client.sendRequest<FixResult>(FixFileRequest, params);
    await applyFix(ctrl, result, vscode.workspace.asRelativePath(uri, true));
  },

  'amlnet.switchEdition': async (ctrl, arg) => {
    const folder = folderFor(resourceOf(arg, ctrl));
    const editions = await ctrl.client.sendRequest<EditionsResult>(EditionsRequest, folder ? { uri: folder.uri.toString() } : {});
    const picked = await vscode.window.showQuickPick(editions.editions.map((e) => ({
      label: e.name,
      description: [e.name === editions.active ? 'active' : undefined, e.isDefault ? 'default' : undefined].filter(Boolean).join(' · '),
      detail: e.title,
      name: e.name,
    })), { title: 'Azure ML Network: Switch Requirement Edition', placeHolder: `Active: ${editions.active}. The edition decides which requirements apply.` });
    if (!picked || picked.name === editions.active) return;
    const where = await writeSetting('edition', picked.name, resourceOf(arg, ctrl));
    confirm(`Edition ${picked.name} (in ${where})`);
  },

  'amlnet.setRegion': async (ctrl, arg) => {
    const resource = resourceOf(arg, ctrl);
    const current = currentSetting<string>('options.region', resource);
    const text = await vscode.window.showInputBox({
      title: 'Azure ML Network: Set Region',
      prompt: 'The Azure ML workspace region, e.g. westeurope. Leave empty to take it from each NSG\'s location in the templates.',
      placeHolder: 'westeurope',
      value: current ?? '',
      validateInput: validateRegion,
    });
    if (text === undefined) return;
    const value = regionSetting(text);
    const where = await writeSetting('options.region', value, resource);
    confirm(`Region ${value ?? 'inferred'} (in ${where})`);
  },

  'amlnet.setPublicIp': async (ctrl, arg) => {
    const resource = resourceOf(arg, ctrl);
    const picked = await pickChoice('Azure ML Network: Public IP', booleanOptionItems('publicIp', currentSetting<boolean>('options.publicIp', resource)), 'Do the compute nodes have a public IP?');
    if (!picked) return;
    const where = await writeSetting('options.publicIp', picked.value, resource);
    confirm(`Public IP ${picked.value === null ? 'inferred' : picked.value ? 'yes' : 'no'} (in ${where})`);
  },

  'amlnet.setHbi': async (ctrl, arg) => {
    const resource = resourceOf(arg, ctrl);
    const picked = await pickChoice('Azure ML Network: HBI Workspace', booleanOptionItems('hbi', currentSetting<boolean>('options.hbi', resource)), 'Was the workspace created with the hbi_workspace flag?');
    if (!picked) return;
    const where = await writeSetting('options.hbi', picked.value, resource);
    confirm(`HBI ${picked.value === null ? 'inferred' : picked.value ? 'yes' : 'no'} (in ${where})`);
  },

  'amlnet.setCloud': async (ctrl, arg) => {
    const resource = resourceOf(arg, ctrl);
    const picked = await pickChoice('Azure ML Network: Cloud', cloudItems(currentSetting<string>('options.cloud', resource)), 'Which Azure cloud hosts the workspace?');
    if (!picked) return;
    const where = await writeSetting('options.cloud', picked.value, resource);
    confirm(`Cloud ${picked.value ?? 'default'} (in ${where})`);
  },

  'amlnet.showOnlyFailing': (ctrl) => ctrl.setOnlyFailing(true),
  'amlnet.showAll': (ctrl) => ctrl.setOnlyFailing(false),

  'amlnet.exportMarkdown': async (ctrl) => {
    const result = ctrl.store.result;
    if (!result || result.state !== 'ready') {
      void vscode.window.showInformationMessage('Azure ML Network is still reading the templates. Export again when the Workspace view shows them.');
      return;
    }
    const content = markdownReport(result.report, { onlyFailing: ctrl.onlyFailing, displayPath, ...(vscode.workspace.name ? { workspaceName: vscode.workspace.name } : {}) });
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.window.showTextDocument(document);
  },

  'amlnet.openDocs': async (ctrl) => {
    const docs = parseRequirementsJson(ctrl.requirementsJson)?.edition.docs;
    await vscode.env.openExternal(vscode.Uri.parse(docs && /^https:\/\//.test(docs) ? docs : DEFAULT_DOCS_URL));
  },

  'amlnet.showNsgInTree': async (ctrl, arg) => {
    const ref = nsgRefOf(arg);
    if (!ref) return;
    let nodes = findNsgNodes(ctrl.workspaceProvider.rootNodes, ref);
    if (nodes.length === 0 && ctrl.onlyFailing) {
      // The filter hides it: show everything rather than fail to find it.
      await ctrl.setOnlyFailing(false);
      nodes = findNsgNodes(ctrl.workspaceProvider.rootNodes, ref);
    }
    if (nodes.length === 0) {
      void vscode.window.showInformationMessage(`Azure ML Network: NSG ${ref.name} is not in the Workspace view yet.`);
      return;
    }
    await ctrl.workspaceView.reveal(nodes[0], { select: true, focus: true, expand: true });
  },

  'amlnet.openMatrix': (ctrl) => ctrl.matrix.show(),

  'amlnet.revealLocation': async (_ctrl, arg) => {
    const target = targetOf(arg);
    if (target) await revealTarget(target);
  },

  'amlnet.showLog': (ctrl) => ctrl.output.show(),

  'amlnet.azure.signIn': (ctrl) => ctrl.azure.signIn(),
  'amlnet.azure.signOut': (ctrl) => ctrl.azure.signOut(),
  'amlnet.azure.refresh': (ctrl) => ctrl.azure.refresh(false),
  'amlnet.azure.cancel': (ctrl) => ctrl.azure.cancel(),
  'amlnet.azure.pickSubscriptions': (ctrl) => ctrl.azure.pickSubscriptions(),
  'amlnet.azure.showFixCommands': (ctrl, arg) => ctrl.azure.showFix(arg, 'az'),
  'amlnet.azure.showFixBicep': (ctrl, arg) => ctrl.azure.showFix(arg, 'bicep'),
  'amlnet.azure.showFixArm': (ctrl, arg) => ctrl.azure.showFix(arg, 'arm'),
};

/** Registers every command; an error in one is logged and shown with a "Show Log" action. */
export function registerCommands(ctrl: Controller): vscode.Disposable[] {
  return COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await HANDLERS[id](ctrl, ...args);
    } catch (err) {
      const message = `Azure ML Network: ${id} failed: ${errorText(err)}`;
      ctrl.output.error(message);
      void showErrorWithLog(message, ctrl.output);
      return undefined;
    }
  }));
}
