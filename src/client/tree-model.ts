// The Workspace view as data: the report grouped VNet > subnet > NSG > direction > requirement,
// with labels, descriptions, Markdown tooltips, icons and what a click reveals. The vscode-facing
// TreeDataProvider (workspace-view.ts) only turns these nodes into TreeItems, so everything the
// user reads here is unit-tested without an editor.

import type { ReportNsg, ReportOption, ReportRequirement, CheckReport, ReportProblem, ReportFinding } from '../core/check/check-report';
import type { NsgRef, ReportResult } from '../server/protocol';
import type { ReportFirewallSubnet } from '../core/firewall/firewall-report';
import { firewallNode, routeWarningNodes } from './firewall-tree';
import {
  computesOnSubnet,
  decidingTarget,
  defaultDisplayPath,
  escapeMarkdown,
  failingRequirements,
  markdownLink,
  nsgSummary,
  nsgTarget,
  portsAndTag,
  requirementFails,
  ruleText,
  verdictStyle,
  type DisplayPath,
  type Target,
} from './report-view';

export type NodeKind = 'loading' | 'message' | 'vnet' | 'subnet' | 'nsg' | 'direction' | 'requirement' | 'finding' | 'unattached' | 'problems' | 'problem'
  | 'firewall' | 'firewallRequirement' | 'routeWarning' | 'subscription';

/** One item of a tree view, independent of vscode. */
export interface TreeNode {
  /** Stable across refreshes (VS Code keeps expansion and selection by it); unique in the tree. */
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly description?: string;
  /** Markdown; user text in it is escaped. */
  readonly tooltip?: string;
  readonly contextValue: string;
  /** A codicon and a theme colour id. */
  readonly icon?: { readonly id: string; readonly color?: string };
  /** What a click reveals in the editor. */
  readonly target?: Target;
  /** What a screen reader says, when the icon carries meaning the label does not (the verdict). */
  readonly accessibilityLabel?: string;
  /** A command a click runs (with no arguments), when the click does not reveal a target. */
  readonly command?: string;
  /** The NSG the node is (or belongs to), for the fix commands. */
  readonly nsg?: NsgRef;
  /** undefined for a leaf; otherwise whether it starts expanded. */
  readonly expanded?: boolean;
  readonly children: readonly TreeNode[];
}

export interface WorkspaceTreeOptions {
  readonly onlyFailing: boolean;
  readonly displayPath?: DisplayPath;
}

// ---------------------------------------------------------------------------------------------
// Grouping, shared with the Markdown export

export interface SubnetGroup {
  readonly vnet: string | null;
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  /** Azure ML computes that use the subnet. */
  readonly computes: readonly string[];
  readonly nsgs: readonly ReportNsg[];
  /** The subnet's route through an appliance, with the firewall's verdicts (report `firewalls`). */
  readonly firewall?: ReportFirewallSubnet;
}

export interface VnetGroup {
  readonly name: string | null;
  readonly subnets: readonly SubnetGroup[];
}

export interface GroupedReport {
  readonly vnets: readonly VnetGroup[];
  /** NSGs on no subnet. */
  readonly unattached: readonly ReportNsg[];
}

const byName = (a: string | null, b: string | null): number => (a ?? '\uffff').localeCompare(b ?? '\uffff');

/** VNets and subnets sorted by name; an NSG on several subnets appears under each; a subnet routed through a firewall carries it. */
export function groupReport(nsgs: readonly ReportNsg[], firewalls: readonly ReportFirewallSubnet[] = []): GroupedReport {
  const vnets = new Map<string, { name: string | null; subnets: Map<string, { vnet: string | null; name: string; file?: string; line?: number; computes: string[]; nsgs: ReportNsg[]; firewall?: ReportFirewallSubnet }> }>();
  const unattached: ReportNsg[] = [];
  for (const nsg of nsgs) {
    if (nsg.subnets.length === 0) {
      unattached.push(nsg);
      continue;
    }
    for (const s of nsg.subnets) {
      const vkey = s.vnet ?? '\u0000';
      const vnet = vnets.get(vkey) ?? { name: s.vnet, subnets: new Map() };
      vnets.set(vkey, vnet);
      const skey = `${s.name}\u0000${s.file ?? ''}\u0000${s.line ?? ''}`;
      const subnet = vnet.subnets.get(skey) ?? { vnet: s.vnet, name: s.name, file: s.file, line: s.line, computes: [], nsgs: [] };
      vnet.subnets.set(skey, subnet);
      if (!subnet.nsgs.includes(nsg)) subnet.nsgs.push(nsg);
      for (const c of computesOnSubnet(nsg, s.name)) if (!subnet.computes.includes(c)) subnet.computes.push(c);
    }
  }
  for (const f of firewalls) {
    const vkey = f.vnet ?? '\u0000';
    const vnet = vnets.get(vkey) ?? { name: f.vnet, subnets: new Map() };
    vnets.set(vkey, vnet);
    const skey = `${f.subnet}\u0000${f.file ?? ''}\u0000${f.line ?? ''}`;
    const subnet = vnet.subnets.get(skey) ?? { vnet: f.vnet, name: f.subnet, file: f.file, line: f.line, computes: [], nsgs: [] };
    vnet.subnets.set(skey, subnet);
    subnet.firewall = f;
    for (const r of f.scopeReasons) {
      const m = /^Azure ML compute (.+) uses subnet (.+)$/.exec(r);
      if (m && m[2] === f.subnet && !subnet.computes.includes(m[1])) subnet.computes.push(m[1]);
    }
  }
  return {
    vnets: [...vnets.values()]
      .sort((a, b) => byName(a.name, b.name))
      .map((v) => ({ name: v.name, subnets: [...v.subnets.values()].sort((a, b) => byName(a.name, b.name)) })),
    unattached,
  };
}

// ---------------------------------------------------------------------------------------------
// Text

function where(uri: string | undefined, line: number | undefined, displayPath: DisplayPath): string {
  if (!uri) return '';
  return `${displayPath(uri)}${line !== undefined ? `:${line}` : ''}`;
}

/** Markdown-safe text inside a table cell. */
function cell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, ' ');
}

function optionText<T>(name: string, o: ReportOption<T>, show: (v: T) => string, displayPath: DisplayPath): string {
  const element = `${o.from ?? 'the template'}${o.file ? ` (${where(o.file, o.line, displayPath)})` : ''}`;
  const from = o.origin === 'template'
    ? `from ${element}${o.reason ? `: ${o.reason}` : ''}`
    : `${o.origin === 'default' ? 'default' : `from the ${o.origin}`}${o.reason ? `, as ${element} does not tell: ${o.reason}` : ''}`;
  // A symbolic NSG location the user's region stands for: "region resourceGroup().location = eastus ...".
  const taken = o.takenAs !== undefined ? ` = ${o.takenAs}` : '';
  const takenFrom = o.takenAs !== undefined ? `; ${o.takenAs} from the ${o.takenAsOrigin ?? 'setting'}` : '';
  return `${name} ${o.value === null ? 'unknown' : show(o.value)}${taken} ${from}${takenFrom}`;
}

export function requirementTooltip(nsg: ReportNsg, req: ReportRequirement, strict: boolean, displayPath: DisplayPath = defaultDisplayPath): string {
  const style = verdictStyle(req.verdict, strict);
  const out: string[] = [];
  out.push(`**${escapeMarkdown(req.id)}** · ${req.direction} · ${style.label}${nsg.inScope ? '' : ' (NSG not in scope)'}`);
  if (req.suppressed) out.push('', 'Suppressed in the template (`amlnet-disable-next-line`): reported, never failing.');
  out.push('', escapeMarkdown(req.explanation));
  if (req.ports.length > 0) {
    out.push('', '| Protocol | Ports | Remote | Outcome | Decided by |', '|---|---|---|---|---|');
    for (const p of req.ports) {
      const rules = p.decidedBy.map((r) => `${ruleText(r)}${r.file ? ` · ${where(r.file, r.line, displayPath)}` : ''}`).join('; ');
      out.push(`| ${cell(p.protocol.toUpperCase())} | ${cell(p.ports)} | ${cell(p.remote)} | ${cell(p.outcome)} | ${cell(rules || p.detail)} |`);
    }
  }
  // The table names each part's rules; without one (no breakdown), name the deciding rules here.
  const deciding = req.ports.length === 0 ? req.decidedBy : [];
  if (deciding.length > 0) {
    out.push('', `Deciding rule${deciding.length === 1 ? '' : 's'}: ${deciding.map((r) => `${escapeMarkdown(ruleText(r))}${r.file ? ` (${escapeMarkdown(where(r.file, r.line, displayPath))})` : ''}`).join('; ')}`);
  }
  if (req.unknownBecause && req.unknownBecause.length > 0) {
    out.push('', `Unknown because: ${req.unknownBecause.map(escapeMarkdown).join('; ')}`);
  }
  const docs = markdownLink('Azure ML documentation', req.docs);
  if (docs) out.push('', docs);
  return out.join('\n');
}

export function nsgTooltip(nsg: ReportNsg, strict: boolean, displayPath: DisplayPath = defaultDisplayPath): string {
  const s = nsgSummary(nsg, strict);
  const out: string[] = [];
  out.push(`**${escapeMarkdown(nsg.name)}**${nsg.file ? ` · ${escapeMarkdown(where(nsg.file, nsg.line, displayPath))}` : ''}`);
  out.push('', `${s.met} of ${s.total} requirements met${s.failing > 0 ? `, ${s.failing} failing` : ''}${strict ? ' (strict mode)' : ''}.`);
  out.push('', nsg.inScope ? `In scope: ${nsg.scopeReasons.map(escapeMarkdown).join('; ')}.` : `Not in scope: ${nsg.scopeReasons.map(escapeMarkdown).join('; ')}. Its verdicts are shown but do not count.`);
  out.push('', `Options: ${[
    optionText('public IP', nsg.options.publicIp, (v) => (v ? 'yes' : 'no'), displayPath),
    optionText('hbi', nsg.options.hbi, (v) => (v ? 'yes' : 'no'), displayPath),
    optionText('region', nsg.options.region, (v) => v ?? 'not set', displayPath),
  ].map(escapeMarkdown).join('; ')}.`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Nodes

export function nsgRef(nsg: ReportNsg): NsgRef {
  return { uri: nsg.file ?? '', name: nsg.name, ...(nsg.line !== undefined ? { line: nsg.line } : {}) };
}

/** ` · deployed by dev.bicep` for an NSG written in a module that several entry templates call. */
function deployedBy(nsg: ReportNsg, displayPath: (file: string) => string): string {
  return nsg.deployment !== undefined && nsg.deployment !== nsg.file ? ` · deployed by ${displayPath(nsg.deployment)}` : '';
}

function nsgKey(nsg: ReportNsg): string {
  // Two entries calling one module give two NSGs written at the same place.
  return `${nsg.file ?? ''}#${nsg.name}#${nsg.line ?? ''}${nsg.deployment !== undefined ? `#${nsg.deployment}` : ''}`;
}

/**
 * Sets a node's tooltip to be built on first read: VS Code asks for the TreeItems of visible nodes
 * only, so a workspace of a thousand NSGs does not build thirteen thousand Markdown tooltips.
 */
function lazyTooltip(node: TreeNode, build: () => string): TreeNode {
  let cached: string | undefined;
  return Object.defineProperty(node, 'tooltip', { get: () => (cached ??= build()), enumerable: true, configurable: false });
}

function requirementNode(parentId: string, nsg: ReportNsg, req: ReportRequirement, strict: boolean, displayPath: DisplayPath): TreeNode {
  const style = verdictStyle(req.verdict, strict);
  const fails = requirementFails(nsg, req, strict);
  const ports = portsAndTag(req);
  const target = decidingTarget(nsg, req);
  const reason = /^Not applicable: (.*?)\.?$/.exec(req.explanation)?.[1];
  const description = ports !== '' ? ports : reason ? `not applicable: ${reason}` : style.label.toLowerCase();
  return lazyTooltip({
    id: `${parentId}/req:${req.id}`,
    kind: 'requirement',
    label: req.id,
    description: req.suppressed ? `${description} · suppressed` : description,
    accessibilityLabel: `${req.id}: ${style.label}${fails ? ', failing' : ''}${req.suppressed ? ', suppressed' : ''}${nsg.inScope ? '' : ', NSG not in scope'}. ${description}`,
    contextValue: fails ? 'requirement.failing' : 'requirement',
    // Verdicts of an NSG out of scope or suppressed do not count: same shape, muted colour.
    icon: { id: style.icon, color: req.suppressed || !nsg.inScope ? 'disabledForeground' : style.color },
    ...(target ? { target } : {}),
    nsg: nsgRef(nsg),
    children: [],
  }, () => requirementTooltip(nsg, req, strict, displayPath));
}

function findingNode(parentId: string, nsg: ReportNsg, f: ReportFinding, index: number, displayPath: DisplayPath): TreeNode {
  const tooltip = [`**${escapeMarkdown(f.code)}** on rule ${escapeMarkdown(f.rule)}`, '', escapeMarkdown(f.message)];
  if (f.suggestion) tooltip.push('', `Did you mean ${escapeMarkdown(f.suggestion)}?`);
  if (f.file) tooltip.push('', escapeMarkdown(where(f.file, f.line, displayPath)));
  return {
    id: `${parentId}/finding:${index}`,
    kind: 'finding',
    label: f.rule,
    description: f.suppressed ? `${f.message} · suppressed` : f.message,
    tooltip: tooltip.join('\n'),
    contextValue: 'finding',
    icon: f.severity === 'error' ? { id: 'error', color: 'problemsErrorIcon.foreground' } : { id: 'warning', color: 'problemsWarningIcon.foreground' },
    ...(f.file ? { target: { uri: f.file, ...(f.line !== undefined ? { line: f.line } : {}) } } : {}),
    nsg: nsgRef(nsg),
    children: [],
  };
}

function nsgNode(parentId: string, nsg: ReportNsg, strict: boolean, options: WorkspaceTreeOptions): TreeNode | undefined {
  const displayPath = options.displayPath ?? defaultDisplayPath;
  const id = `${parentId}/nsg:${nsgKey(nsg)}`;
  const failing = failingRequirements(nsg, strict);
  const children: TreeNode[] = [];
  for (const direction of ['Inbound', 'Outbound'] as const) {
    const reqs = nsg.requirements
      .filter((r) => r.direction === direction)
      .filter((r) => !options.onlyFailing || requirementFails(nsg, r, strict));
    if (reqs.length === 0) continue;
    const dirId = `${id}/${direction}`;
    const dirFailing = reqs.filter((r) => requirementFails(nsg, r, strict)).length;
    const counted = reqs.filter((r) => r.verdict !== 'not-applicable').length;
    children.push({
      id: dirId,
      kind: 'direction',
      label: direction,
      description: dirFailing > 0 ? `${dirFailing} failing` : `${counted} requirement${counted === 1 ? '' : 's'}`,
      contextValue: 'direction',
      icon: { id: direction === 'Inbound' ? 'arrow-down' : 'arrow-up' },
      nsg: nsgRef(nsg),
      expanded: dirFailing > 0,
      children: reqs.map((r) => requirementNode(dirId, nsg, r, strict, displayPath)),
    });
  }
  const findings = nsg.findings
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !options.onlyFailing || (f.severity === 'error' && f.suppressed !== true));
  children.push(...findings.map(({ f, i }) => findingNode(id, nsg, f, i, displayPath)));
  if (options.onlyFailing && children.length === 0) return undefined;

  const s = nsgSummary(nsg, strict);
  const target = nsgTarget(nsg);
  const contextValue = !nsg.inScope ? 'nsg.outOfScope' : failing.length > 0 ? 'nsg.failing' : 'nsg';
  return lazyTooltip({
    id,
    kind: 'nsg',
    label: nsg.name,
    description: `${!nsg.inScope ? 'not in scope' : failing.length > 0 ? `${failing.length} failing · ${s.met} of ${s.total} met` : `${s.met} of ${s.total} met`}${deployedBy(nsg, displayPath)}`,
    contextValue,
    icon: {
      id: 'shield',
      color: !nsg.inScope ? 'disabledForeground' : failing.length > 0 ? 'problemsErrorIcon.foreground' : 'testing.iconPassed',
    },
    ...(target ? { target } : {}),
    nsg: nsgRef(nsg),
    expanded: failing.length > 0,
    children,
  }, () => nsgTooltip(nsg, strict, displayPath));
}

function subnetNode(parentId: string, subnet: SubnetGroup, strict: boolean, options: WorkspaceTreeOptions): TreeNode | undefined {
  const displayPath = options.displayPath ?? defaultDisplayPath;
  const id = `${parentId}/subnet:${subnet.name}#${subnet.file ?? ''}#${subnet.line ?? ''}`;
  const children = subnet.nsgs.map((n) => nsgNode(id, n, strict, options)).filter((n): n is TreeNode => n !== undefined);
  if (subnet.firewall) {
    const fw = firewallNode(id, subnet.firewall, options.onlyFailing, displayPath);
    if (fw) children.push(fw);
    // A warning is not a failure: with only failing rows shown, it stays beside them but brings no subnet in.
    if (!options.onlyFailing || children.length > 0) children.push(...routeWarningNodes(id, subnet.firewall, options.onlyFailing, displayPath));
  }
  if (options.onlyFailing && children.length === 0) return undefined;
  const compute = subnet.computes.length > 0;
  const tooltip = [`**Subnet ${escapeMarkdown(subnet.name)}**${subnet.file ? ` · ${escapeMarkdown(where(subnet.file, subnet.line, displayPath))}` : ''}`];
  if (compute) tooltip.push('', `Used by Azure ML compute ${subnet.computes.map(escapeMarkdown).join(', ')}.`);
  return {
    id,
    kind: 'subnet',
    label: subnet.name,
    ...(compute ? { description: `Azure ML compute: ${subnet.computes.join(', ')}` } : {}),
    tooltip: tooltip.join('\n'),
    contextValue: compute ? 'subnet.compute' : 'subnet',
    icon: compute ? { id: 'server-process', color: 'charts.blue' } : { id: 'layers' },
    ...(subnet.file ? { target: { uri: subnet.file, ...(subnet.line !== undefined ? { line: subnet.line } : {}) } } : {}),
    expanded: true,
    children,
  };
}

function problemNodes(problems: readonly ReportProblem[], displayPath: DisplayPath): TreeNode | undefined {
  if (problems.length === 0) return undefined;
  return {
    id: 'problems',
    kind: 'problems',
    label: 'Problems reading templates',
    description: String(problems.length),
    contextValue: 'problems',
    icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
    expanded: false,
    children: problems.map((p, i) => ({
      id: `problems/${i}`,
      kind: 'problem' as const,
      label: p.message,
      description: where(p.file, p.line, displayPath),
      tooltip: `${escapeMarkdown(p.message)}\n\n${escapeMarkdown(where(p.file, p.line, displayPath))}`,
      contextValue: 'problem',
      icon: p.severity === 'error'
        ? { id: 'error', color: 'problemsErrorIcon.foreground' }
        : p.severity === 'warning' ? { id: 'warning', color: 'problemsWarningIcon.foreground' } : { id: 'info', color: 'problemsInfoIcon.foreground' },
      target: { uri: p.file, ...(p.line !== undefined ? { line: p.line } : {}) },
      children: [],
    })),
  };
}

export const LOADING_LABEL = 'Reading templates…';

function loadingNode(result: ReportResult | undefined): TreeNode {
  return {
    id: 'loading',
    kind: 'loading',
    label: LOADING_LABEL,
    ...(result && result.templateCount > 0 ? { description: `${result.templateCount} so far` } : {}),
    contextValue: 'loading',
    icon: { id: 'loading~spin' },
    children: [],
  };
}

function messageNode(id: string, label: string, icon: { id: string; color?: string }, description?: string): TreeNode {
  return { id, kind: 'message', label, ...(description ? { description } : {}), contextValue: 'message', icon, children: [] };
}

/** The nodes of a report (VNets, NSGs not on a subnet, problems), as the Workspace view shows them; also the Azure view, per subscription. */
export function reportNodes(report: CheckReport, options: WorkspaceTreeOptions): TreeNode[] {
  const displayPath = options.displayPath ?? defaultDisplayPath;
  const strict = report.strict;
  const grouped = groupReport(report.nsgs, report.firewalls ?? []);
  const out: TreeNode[] = [];
  for (const vnet of grouped.vnets) {
    const id = `vnet:${vnet.name ?? ''}`;
    const children = vnet.subnets.map((s) => subnetNode(id, s, strict, options)).filter((n): n is TreeNode => n !== undefined);
    if (options.onlyFailing && children.length === 0) continue;
    out.push({
      id,
      kind: 'vnet',
      label: vnet.name ?? 'VNet not known',
      description: `${vnet.subnets.length} subnet${vnet.subnets.length === 1 ? '' : 's'}`,
      contextValue: 'vnet',
      icon: { id: 'type-hierarchy-sub' },
      expanded: true,
      children,
    });
  }
  if (grouped.unattached.length > 0) {
    const id = 'unattached';
    const children = grouped.unattached.map((n) => nsgNode(id, n, strict, options)).filter((n): n is TreeNode => n !== undefined);
    if (!options.onlyFailing || children.length > 0) {
      out.push({
        id,
        kind: 'unattached',
        label: 'NSGs not attached to a subnet',
        description: String(grouped.unattached.length),
        tooltip: 'These NSGs are on no subnet in the templates (perhaps on a NIC, or attached elsewhere).',
        contextValue: 'unattached',
        icon: { id: 'debug-disconnect' },
        expanded: true,
        children,
      });
    }
  }
  const problems = problemNodes(report.problems, displayPath);
  if (problems) out.push(problems);
  return out;
}

/**
 * The Workspace view's roots. While the server is indexing there is always a loading item;
 * when it is ready but found no templates the result is empty, so the view's welcome shows.
 */
export function buildWorkspaceTree(result: ReportResult | undefined, options: WorkspaceTreeOptions): TreeNode[] {
  if (!result) return [loadingNode(undefined)];
  if (result.state === 'indexing') {
    return [loadingNode(result), ...(result.report.nsgs.length > 0 ? reportNodes(result.report, options) : [])];
  }
  if (result.templateCount === 0 && result.report.nsgs.length === 0 && result.report.problems.length === 0) return [];
  const nodes = reportNodes(result.report, options);
  if (result.report.nsgs.length === 0) {
    nodes.unshift(messageNode('no-nsgs', 'No network security groups found', { id: 'info' }, `${result.templateCount} template${result.templateCount === 1 ? '' : 's'} read`));
  } else if (options.onlyFailing && !nodes.some((n) => n.kind !== 'problems')) {
    nodes.unshift(messageNode('all-met', 'Every requirement in scope is met', { id: 'pass', color: 'testing.iconPassed' }, 'showing only failing'));
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Lookups

function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  const decode = (u: string): string => {
    try {
      return decodeURIComponent(u);
    } catch {
      return u;
    }
  };
  return decode(a).toLowerCase() === decode(b).toLowerCase();
}

/** Every node in the tree, depth first, with its parent. */
export function walk(nodes: readonly TreeNode[], visit: (node: TreeNode, parent: TreeNode | undefined) => void, parent?: TreeNode): void {
  for (const n of nodes) {
    visit(n, parent);
    walk(n.children, visit, n);
  }
}

/** The NSG nodes for a reference (an NSG on two subnets has two), best match first: same line, then same name and file. */
export function findNsgNodes(nodes: readonly TreeNode[], ref: NsgRef): TreeNode[] {
  const found: TreeNode[] = [];
  walk(nodes, (n) => {
    if (n.kind === 'nsg' && n.nsg && n.nsg.name === ref.name && sameUri(n.nsg.uri, ref.uri)) found.push(n);
  });
  if (ref.line === undefined) return found;
  return [...found.filter((n) => n.nsg?.line === ref.line), ...found.filter((n) => n.nsg?.line !== ref.line)];
}

/** NSGs in scope with failing requirements, for the "Add missing rules" pick list. */
export function failingNsgs(report: CheckReport): { readonly nsg: ReportNsg; readonly failing: readonly ReportRequirement[] }[] {
  return report.nsgs
    .map((nsg) => ({ nsg, failing: failingRequirements(nsg, report.strict) }))
    .filter((e) => e.failing.length > 0);
}
