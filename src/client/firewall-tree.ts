// Firewalls in the Workspace view, the Markdown export and the matrix, as data: under each subnet
// whose route leads to an appliance, a firewall node with its requirement rows, and the route
// warnings (forced tunnelling). Pure (no vscode), unit-tested with tree-model.test.ts.

import type { ReportFirewallRequirement, ReportFirewallRule, ReportFirewallSubnet } from '../core/firewall/firewall-report';
import { defaultDisplayPath, escapeMarkdown, markdownLink, verdictStyle, type DisplayPath, type Target } from './report-view';
import type { TreeNode } from './tree-model';

/** Whether a firewall verdict counts as failing: in scope, blocked or partial, not suppressed. */
export function firewallRequirementFails(s: ReportFirewallSubnet, r: ReportFirewallRequirement): boolean {
  return s.inScope && r.suppressed !== true && (r.verdict === 'blocked' || r.verdict === 'partial');
}

export function failingFirewallRequirements(s: ReportFirewallSubnet): ReportFirewallRequirement[] {
  return s.requirements.filter((r) => firewallRequirementFails(s, r));
}

/** "via route default → 10.0.1.4", "via Azure's system route → Internet". */
export function routeText(s: ReportFirewallSubnet): string {
  const r = s.route;
  const hop = r.nextHopType === 'VirtualAppliance' ? (r.nextHopIp ?? 'an IP known at deployment') : (r.nextHopType ?? 'a next hop not known');
  if (r.source === 'system') return `via Azure's system route → ${hop}`;
  if (r.source === 'unknown') return 'via a route not known';
  return `via route ${r.name ?? '?'} → ${hop}`;
}

/** "Firewall fw-hub (via route default → 10.0.1.4)", or the next hop when it is not a firewall declared here. */
export function firewallLabel(s: ReportFirewallSubnet): string {
  if (s.firewall) return `Firewall ${s.firewall.name} (${routeText(s)})`;
  return `Next hop ${s.route.nextHopIp ?? s.route.nextHopType ?? 'not known'} (${routeText(s)})`;
}

/** A firewall rule as a tooltip names it: "network rule deny-8787 in deny-rstudio (priority 100, Deny)". */
export function firewallRuleText(r: ReportFirewallRule): string {
  if (r.default) return `the default deny of ${r.firewall}`;
  const where = `${r.group ? `${r.group}/` : ''}${r.collection}`;
  return `${r.kind} rule ${r.rule} in ${where} (priority ${r.priority ?? 'unknown'}, ${r.action})`;
}

/** "TCP 80, 443 · AzureActiveDirectory", "HTTPS 443 · *.anaconda.com". */
export function firewallPortsText(r: ReportFirewallRequirement): string {
  const groups = new Map<string, { protocol: string; target: string; ports: string[] }>();
  for (const p of r.ports) {
    const key = `${p.protocol}\u0000${p.target}`;
    const g = groups.get(key) ?? { protocol: p.protocol, target: p.target, ports: [] };
    for (const port of p.ports.split(',').map((x) => x.trim()).filter((x) => x !== '')) if (!g.ports.includes(port)) g.ports.push(port);
    groups.set(key, g);
  }
  const text = [...groups.values()].map((g) => `${g.protocol.toUpperCase()} ${g.ports.join(', ')} · ${g.target}`).join('; ');
  return text || r.target;
}

function ruleTarget(r: ReportFirewallRule): Target | undefined {
  return r.file ? { uri: r.file, ...(r.line !== undefined ? { line: r.line } : {}) } : undefined;
}

export function firewallTarget(s: ReportFirewallSubnet): Target | undefined {
  if (s.firewall?.file) return { uri: s.firewall.file, ...(s.firewall.line !== undefined ? { line: s.firewall.line } : {}) };
  if (s.route.file) return { uri: s.route.file, ...(s.route.line !== undefined ? { line: s.route.line } : {}) };
  return undefined;
}

/** The rule that decides a firewall verdict: a denying rule when something is blocked, else the first rule with a place, else the firewall. */
export function firewallDecidingTarget(s: ReportFirewallSubnet, r: ReportFirewallRequirement): Target | undefined {
  const rules = [...r.decidedBy, ...r.ports.flatMap((p) => p.decidedBy)];
  const deny = rules.find((x) => x.action === 'Deny' && !x.default && x.file);
  const any = rules.find((x) => !x.default && x.file);
  const chosen = deny ?? any;
  return (chosen && ruleTarget(chosen)) ?? firewallTarget(s);
}

function where(uri: string | undefined, line: number | undefined, displayPath: DisplayPath): string {
  if (!uri) return '';
  return `${displayPath(uri)}${line !== undefined ? `:${line}` : ''}`;
}

function cell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, ' ');
}

export function firewallRequirementTooltip(s: ReportFirewallSubnet, r: ReportFirewallRequirement, displayPath: DisplayPath = defaultDisplayPath): string {
  const style = verdictStyle(r.verdict, false);
  const through = s.firewall ? `firewall ${s.firewall.name}` : 'the next hop';
  const out: string[] = [];
  out.push(`**${escapeMarkdown(r.id)}** · outbound through ${escapeMarkdown(through)} · ${style.label}${r.missing ? ' (no rule allows it)' : ''}${s.inScope ? '' : ' (subnet not in scope)'}`);
  if (r.suppressed) out.push('', 'Suppressed in the template (`amlnet-disable-next-line`): reported, never failing.');
  out.push('', escapeMarkdown(r.explanation));
  if (r.nsgVerdict && r.combined) out.push('', `With the NSG (${escapeMarkdown(r.nsgVerdict)}): ${escapeMarkdown(r.combined)}.`);
  if (r.ports.length > 0) {
    out.push('', '| Protocol | Ports | Destination | Outcome | Decided by |', '|---|---|---|---|---|');
    for (const p of r.ports) {
      const rules = p.decidedBy.map((x) => `${firewallRuleText(x)}${x.file ? ` · ${where(x.file, x.line, displayPath)}` : ''}`).join('; ');
      out.push(`| ${cell(p.protocol)} | ${cell(p.ports)} | ${cell(p.target)} | ${cell(p.outcome)} | ${cell(rules || p.detail)} |`);
    }
  }
  if (r.unknownBecause && r.unknownBecause.length > 0) out.push('', `Unknown because: ${r.unknownBecause.map(escapeMarkdown).join('; ')}`);
  const docs = markdownLink('Azure ML documentation', r.docs);
  if (docs) out.push('', docs);
  return out.join('\n');
}

function requirementNode(parentId: string, s: ReportFirewallSubnet, r: ReportFirewallRequirement, displayPath: DisplayPath): TreeNode {
  const style = verdictStyle(r.verdict, false);
  const fails = firewallRequirementFails(s, r);
  const reason = /^Not (?:applicable|through a firewall): (.*?)\.?$/.exec(r.explanation)?.[1];
  const ports = firewallPortsText(r);
  const description = r.verdict === 'not-applicable' && reason ? `not through the firewall: ${reason}` : `${ports}${r.missing ? ' · missing' : ''}`;
  const target = firewallDecidingTarget(s, r);
  let tooltip: string | undefined;
  return Object.defineProperty({
    id: `${parentId}/req:${r.id}`,
    kind: 'firewallRequirement',
    label: r.id,
    description: r.suppressed ? `${description} · suppressed` : description,
    accessibilityLabel: `${r.id}: ${style.label}${fails ? ', failing' : ''}${r.suppressed ? ', suppressed' : ''}${s.inScope ? '' : ', subnet not in scope'}. ${description}`,
    contextValue: fails ? 'firewallRequirement.failing' : 'firewallRequirement',
    icon: { id: style.icon, color: r.suppressed || !s.inScope ? 'disabledForeground' : style.color },
    ...(target ? { target } : {}),
    children: [],
  } as TreeNode, 'tooltip', { get: () => (tooltip ??= firewallRequirementTooltip(s, r, displayPath)), enumerable: true, configurable: false });
}

export function firewallTooltip(s: ReportFirewallSubnet, displayPath: DisplayPath = defaultDisplayPath): string {
  const out: string[] = [];
  const fw = s.firewall;
  out.push(fw
    ? `**Firewall ${escapeMarkdown(fw.name)}**${fw.policy ? ` · policy ${escapeMarkdown(fw.policy)}` : ''}${fw.file ? ` · ${escapeMarkdown(where(fw.file, fw.line, displayPath))}` : ''}`
    : `**Next hop ${escapeMarkdown(s.route.nextHopIp ?? s.route.nextHopType ?? 'not known')}**`);
  out.push('', `Subnet ${escapeMarkdown(s.subnet)} sends 0.0.0.0/0 through route table ${escapeMarkdown(s.routeTable.name)} ${escapeMarkdown(routeText(s))}${fw?.foundBy === 'reference' ? ' (the route refers to the firewall)' : fw?.foundBy === 'ip' ? ' (the firewall\'s private IP)' : ''}.`);
  if (s.firewallUnknown) out.push('', `Not judged: ${escapeMarkdown(s.firewallUnknown)}`);
  const failing = failingFirewallRequirements(s).length;
  const counted = s.requirements.filter((r) => r.verdict !== 'not-applicable');
  const met = counted.filter((r) => r.verdict === 'allowed').length;
  out.push('', `${met} of ${counted.length} requirements through it allowed${failing ? `, ${failing} failing` : ''}.`);
  out.push('', s.inScope ? `In scope: ${s.scopeReasons.map(escapeMarkdown).join('; ')}.` : `Not in scope: ${s.scopeReasons.map(escapeMarkdown).join('; ')}. Its verdicts are shown but do not count.`);
  out.push('', 'Outbound traffic must pass the NSG and the firewall.');
  return out.join('\n');
}

/** The firewall node of a subnet (undefined when only failing rows are shown and none fails). */
export function firewallNode(parentId: string, s: ReportFirewallSubnet, onlyFailing: boolean, displayPath: DisplayPath = defaultDisplayPath): TreeNode | undefined {
  const id = `${parentId}/firewall:${s.firewall?.name ?? s.route.nextHopIp ?? s.route.nextHopType ?? '?'}`;
  const rows = s.requirements.filter((r) => !onlyFailing || firewallRequirementFails(s, r));
  if (onlyFailing && rows.length === 0) return undefined;
  const failing = failingFirewallRequirements(s).length;
  const counted = s.requirements.filter((r) => r.verdict !== 'not-applicable');
  const met = counted.filter((r) => r.verdict === 'allowed').length;
  const target = firewallTarget(s);
  let tooltip: string | undefined;
  return Object.defineProperty({
    id,
    kind: 'firewall',
    label: firewallLabel(s),
    description: !s.inScope ? 'not in scope' : failing > 0 ? `${failing} failing · ${met} of ${counted.length} allowed` : !s.firewall ? 'not a firewall amlnet can judge' : `${met} of ${counted.length} allowed`,
    contextValue: !s.inScope ? 'firewall.outOfScope' : failing > 0 ? 'firewall.failing' : 'firewall',
    icon: { id: 'flame', color: !s.inScope ? 'disabledForeground' : failing > 0 ? 'problemsErrorIcon.foreground' : s.firewall ? 'testing.iconPassed' : 'descriptionForeground' },
    ...(target ? { target } : {}),
    expanded: failing > 0,
    children: rows.map((r) => requirementNode(id, s, r, displayPath)),
  } as TreeNode, 'tooltip', { get: () => (tooltip ??= firewallTooltip(s, displayPath)), enumerable: true, configurable: false });
}

/** The route warnings of a subnet (forced tunnelling), as nodes under it. Suppressed ones are left out when only failing rows are shown. */
export function routeWarningNodes(parentId: string, s: ReportFirewallSubnet, onlyFailing: boolean, displayPath: DisplayPath = defaultDisplayPath): TreeNode[] {
  if (!s.inScope && onlyFailing) return [];
  return s.warnings.filter((w) => !onlyFailing || w.suppressed !== true).map((w, i) => ({
    id: `${parentId}/warning:${w.code}:${i}`,
    kind: 'routeWarning' as const,
    label: w.code === 'amlnet-forced-tunnel' ? 'Forced tunnelling' : w.code,
    description: `${s.routeTable.name}${w.code === 'amlnet-forced-tunnel' ? ': VirtualNetwork holds 0.0.0.0/0' : ''}${w.suppressed ? ' · suppressed' : ''}`,
    tooltip: `**${escapeMarkdown(w.code)}**\n\n${escapeMarkdown(w.message)}${w.file ? `\n\n${escapeMarkdown(where(w.file, w.line, displayPath))}` : ''}`,
    contextValue: 'routeWarning',
    icon: { id: 'warning', color: w.suppressed || !s.inScope ? 'disabledForeground' : 'problemsWarningIcon.foreground' },
    ...(w.file ? { target: { uri: w.file, ...(w.line !== undefined ? { line: w.line } : {}) } } : {}),
    children: [],
  }));
}

/** A subnet's firewall as a Markdown section for the export (empty when filtered and nothing fails). */
export function firewallMarkdown(s: ReportFirewallSubnet, onlyFailing: boolean, level: number, displayPath: DisplayPath = defaultDisplayPath): string[] {
  const rows = s.requirements.filter((r) => !onlyFailing || firewallRequirementFails(s, r));
  if (onlyFailing && rows.length === 0) return [];
  const out: string[] = [];
  const place = s.firewall?.file ? ` (${cell(where(s.firewall.file, s.firewall.line, displayPath))})` : '';
  out.push(`${'#'.repeat(level)} ${cell(firewallLabel(s))}${place}`, '');
  const failing = failingFirewallRequirements(s).length;
  const counted = s.requirements.filter((r) => r.verdict !== 'not-applicable');
  const met = counted.filter((r) => r.verdict === 'allowed').length;
  out.push(s.inScope
    ? `${met} of ${counted.length} requirements through it allowed${failing > 0 ? `, **${failing} failing**` : ''}. Outbound traffic must pass the NSG and the firewall.`
    : `Not in scope (${s.scopeReasons.map(cell).join('; ')}): verdicts shown for information.`);
  if (s.firewallUnknown) out.push('', `Not judged: ${cell(s.firewallUnknown)}`);
  for (const w of s.warnings) if (!onlyFailing || w.suppressed !== true) out.push('', `Warning ${cell(w.code)}${w.suppressed ? ' (suppressed)' : ''}: ${cell(w.message)}`);
  out.push('', '| Requirement | Verdict | Ports and destination | Explanation | Deciding rule |', '|---|---|---|---|---|');
  for (const r of rows) {
    const target = firewallDecidingTarget(s, r);
    const rule = target ? `${displayPath(target.uri)}${target.line !== undefined ? `:${target.line}` : ''}` : '';
    const verdict = `${verdictStyle(r.verdict, false).label}${r.suppressed ? ' (suppressed)' : ''}`;
    out.push(`| ${cell(r.id)} | ${firewallRequirementFails(s, r) ? `**${verdict}**` : verdict} | ${cell(firewallPortsText(r))} | ${cell(r.explanation)} | ${cell(rule)} |`);
  }
  out.push('');
  return out;
}
