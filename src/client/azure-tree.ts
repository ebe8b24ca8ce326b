// The Azure view as data: live subscriptions checked like templates, grouped subscription > VNet
// > subnet > NSG > direction > requirement with the Workspace view's own node builders
// (tree-model.ts), so verdict icons, descriptions and tooltips are the same. No vscode import:
// unit-tested in test/client/azure-tree.test.ts.
//
// Live elements have no source text. So that the report can tell them apart (two VNets named
// `vnet` in two resource groups), each NSG, subnet, workspace and compute is given an empty span
// whose `file` is its resource id: the report's `file` fields are then resource ids, which the
// tree shows as "resource group X" and the fix commands use to find the NSG again. Nothing in the
// Azure view opens them as files (targets are dropped).

import type { SubscriptionStatus } from '../azure/read-azure';
import { subscriptionOf } from '../azure/map-arm';
import { checkModel, type CheckResult, type CheckSettings, type NsgCheck } from '../core/check/check-model';
import { buildReport, type CheckReport } from '../core/check/check-report';
import type { SourceSpan, WorkspaceModel } from '../core/model/workspace-model';
import { escapeMarkdown, failingRequirements } from './report-view';
import { reportNodes, type TreeNode } from './tree-model';

/** The view's id in package.json. */
export const AZURE_VIEW_ID = 'amlnet.azure';
/** The context key of the view's state (`AzureViewState['kind']`), for its welcome content and title actions. */
export const CONTEXT_AZURE_STATE_KEY = 'amlnet.azure.state';

/** A live read, checked. */
export interface LiveCheck {
  readonly result: CheckResult;
  /** `file` fields are resource ids (lower-cased, as the model's keys). */
  readonly report: CheckReport;
  readonly subscriptions: readonly SubscriptionStatus[];
  readonly via?: 'resource-graph' | 'per-subscription';
  readonly serviceTagsError?: string;
  readonly fallbackReason?: string;
}

/** What the Azure view shows. */
export type AzureViewState =
  | { readonly kind: 'signedOut'; readonly message?: string }
  /** Signed in (or a test endpoint is set) but nothing read yet: reading waits for the user. */
  | { readonly kind: 'idle' }
  | { readonly kind: 'loading'; readonly message?: string; readonly previous?: LiveCheck }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'ready'; readonly live: LiveCheck };

function resourceGroupOf(id: string): string | undefined {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
}

function liveSpan(key: string): SourceSpan {
  return { file: key, start: 0, end: 0 };
}

/**
 * The model with each element's resource id as its span's file, and VNets whose name another VNet
 * of the same subscription shares named with their resource group (`vnet (rg-a)`).
 */
export function locateLiveModel(model: WorkspaceModel): WorkspaceModel {
  const names = new Map<string, number>();
  const nameKey = (v: { key: string; name: string }) => `${subscriptionOf(v.key) ?? ''}|${v.name.toLowerCase()}`;
  for (const v of model.vnets) names.set(nameKey(v), (names.get(nameKey(v)) ?? 0) + 1);
  return {
    ...model,
    vnets: model.vnets.map((v) => ((names.get(nameKey(v)) ?? 0) > 1 ? { ...v, name: `${v.name} (${resourceGroupOf(v.key) ?? '?'})` } : v)),
    nsgs: model.nsgs.map((n) => (n.span ? n : { ...n, span: liveSpan(n.key) })),
    subnets: model.subnets.map((s) => (s.span ? s : { ...s, span: liveSpan(s.key) })),
    workspaces: model.workspaces.map((w) => (w.span ? w : { ...w, span: liveSpan(w.key) })),
    computes: model.computes.map((c) => (c.span ? c : { ...c, span: liveSpan(c.key) })),
  };
}

/** Checks a live model like templates; the report is the one the CLI's `check --azure` prints, with resource ids as files. */
export function checkLive(read: {
  readonly model: WorkspaceModel;
  readonly subscriptions: readonly SubscriptionStatus[];
  readonly via?: LiveCheck['via'];
  readonly serviceTagsError?: string;
  readonly fallbackReason?: string;
  /** Azure's service tags with their prefixes, as read: rules written with CIDRs are judged against them. */
  readonly serviceTags?: CheckSettings['serviceTags'];
}, settings: CheckSettings, toolVersion: string): LiveCheck {
  const result = checkModel(locateLiveModel(read.model), { ...settings, serviceTags: settings.serviceTags ?? read.serviceTags });
  return {
    result,
    report: buildReport(result, () => undefined, toolVersion),
    subscriptions: read.subscriptions,
    ...(read.via ? { via: read.via } : {}),
    ...(read.serviceTagsError ? { serviceTagsError: read.serviceTagsError } : {}),
    ...(read.fallbackReason ? { fallbackReason: read.fallbackReason } : {}),
  };
}

/** The check of the NSG a node of the Azure view stands for (its `nsg.uri` is the resource id). */
export function liveNsgCheck(live: LiveCheck, resourceId: string): NsgCheck | undefined {
  const key = resourceId.toLowerCase();
  return live.result.nsgs.find((n) => n.nsg.key === key);
}

/** How a resource id reads in tooltips: "resource group rg-ml" (a subscription: "subscription <id>"). */
export function azureDisplayPath(id: string): string {
  const rg = resourceGroupOf(id);
  if (rg) return `resource group ${rg}`;
  const sub = /^\/subscriptions\/([^/]+)\/?$/i.exec(id)?.[1];
  return sub ? `subscription ${sub}` : id;
}

/** A copy of a node (keeping lazy tooltips lazy) with its id prefixed and no reveal target. */
function rebase(node: TreeNode, prefix: string): TreeNode {
  const descriptors = Object.getOwnPropertyDescriptors(node) as Record<string, PropertyDescriptor>;
  delete descriptors.target;
  descriptors.id = { value: `${prefix}${node.id}`, enumerable: true };
  descriptors.children = { value: node.children.map((c) => rebase(c, prefix)), enumerable: true };
  return Object.defineProperties({}, descriptors) as TreeNode;
}

function message(id: string, label: string, icon: { id: string; color?: string }, description?: string, tooltip?: string): TreeNode {
  return { id, kind: 'message', label, ...(description ? { description } : {}), ...(tooltip ? { tooltip } : {}), contextValue: 'message', icon, children: [] };
}

function subscriptionReport(report: CheckReport, id: string): CheckReport {
  const sub = id.toLowerCase();
  const mine = (file: string | undefined) => file !== undefined && subscriptionOf(file) === sub;
  const nsgs = report.nsgs.filter((n) => mine(n.file));
  return {
    ...report,
    nsgs,
    failing: nsgs.some((n) => failingRequirements(n, report.strict).length > 0),
    // A failed subscription is its own node; its problem is not repeated under it.
    problems: report.problems.filter((p) => mine(p.file) && !/^\/subscriptions\/[^/]+$/i.test(p.file)),
    ...(report.firewalls ? { firewalls: report.firewalls.filter((f) => mine(f.file)) } : {}),
  };
}

function subscriptionNode(s: SubscriptionStatus, live: LiveCheck): TreeNode {
  const id = `azure/sub:${s.id.toLowerCase()}`;
  const title = s.name === s.id ? s.id : s.name;
  if (s.state === 'error') {
    const error = s.error ?? 'could not be read';
    return {
      id,
      kind: 'subscription',
      label: title,
      description: error,
      tooltip: `**${escapeMarkdown(title)}** · ${escapeMarkdown(s.id)}\n\nCould not be read: ${escapeMarkdown(error)}`,
      accessibilityLabel: `Subscription ${title}: could not be read. ${error}`,
      contextValue: 'subscription.error',
      icon: { id: 'error', color: 'problemsErrorIcon.foreground' },
      children: [],
    };
  }
  const report = subscriptionReport(live.report, s.id);
  const failing = report.nsgs.reduce((n, nsg) => n + failingRequirements(nsg, report.strict).length, 0);
  const children = reportNodes(report, { onlyFailing: false, displayPath: azureDisplayPath }).map((n) => rebase(n, `${id}/`));
  if (report.nsgs.length === 0) children.unshift(message(`${id}/no-nsgs`, 'No network security groups found', { id: 'info' }));
  const nsgCount = `${report.nsgs.length} NSG${report.nsgs.length === 1 ? '' : 's'}`;
  return {
    id,
    kind: 'subscription',
    label: title,
    description: failing > 0 ? `${failing} failing · ${nsgCount}` : nsgCount,
    tooltip: `**${escapeMarkdown(title)}** · ${escapeMarkdown(s.id)}\n\n${nsgCount} read${live.via ? ` ${live.via === 'resource-graph' ? 'through Azure Resource Graph' : 'per subscription'}` : ''}${failing > 0 ? `; ${failing} failing requirement${failing === 1 ? '' : 's'}` : ''}.`,
    contextValue: failing > 0 ? 'subscription.failing' : 'subscription',
    icon: { id: 'azure', ...(failing > 0 ? { color: 'problemsErrorIcon.foreground' } : {}) },
    expanded: failing > 0,
    children,
  };
}

export const AZURE_LOADING_LABEL = 'Reading Azure…';

/**
 * The Azure view's roots. Signed out or not read yet: empty, so the view's welcome content (sign
 * in, read) shows. Each subscription is a node; one that could not be read says why and the
 * others are still shown.
 */
export function buildAzureTree(state: AzureViewState): TreeNode[] {
  switch (state.kind) {
    case 'signedOut':
    case 'idle':
      return [];
    case 'loading':
      return [
        { id: 'azure/loading', kind: 'loading', label: AZURE_LOADING_LABEL, ...(state.message ? { description: state.message } : {}), contextValue: 'loading', icon: { id: 'loading~spin' }, children: [] },
        ...(state.previous ? buildAzureTree({ kind: 'ready', live: state.previous }) : []),
      ];
    case 'failed':
      return [message('azure/failed', 'Azure could not be read', { id: 'error', color: 'problemsErrorIcon.foreground' }, state.message, escapeMarkdown(state.message))];
    case 'ready': {
      const { live } = state;
      const out: TreeNode[] = [];
      if (live.subscriptions.length === 0) out.push(message('azure/no-subscriptions', 'No subscriptions to read', { id: 'info' }, 'this sign-in can read none (or the filter excludes them all)'));
      if (live.serviceTagsError) {
        out.push(message('azure/service-tags', 'Service tags could not be read', { id: 'warning', color: 'problemsWarningIcon.foreground' }, live.serviceTagsError,
          `Service tags could not be read (${escapeMarkdown(live.serviceTagsError)}): rules written with CIDRs are judged unknown against tags.`));
      }
      const sorted = [...live.subscriptions].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      for (const s of sorted) out.push(subscriptionNode(s, live));
      return out;
    }
  }
}
