// "Export a Markdown report": the Workspace view as a document, grouped the same way (VNet >
// subnet > NSG) with the same filter, for a pull request or a ticket. Pure; unit-tested.

import type { CheckReport, ReportNsg } from '../core/check/check-report';
import {
  decidingTarget,
  defaultDisplayPath,
  escapeMarkdown,
  nsgSummary,
  portsAndTag,
  requirementFails,
  VERDICTS,
  verdictStyle,
  type DisplayPath,
} from './report-view';
import { groupReport } from './tree-model';
import { firewallMarkdown } from './firewall-tree';

export interface MarkdownReportOptions {
  readonly onlyFailing: boolean;
  readonly displayPath?: DisplayPath;
  /** Shown under the title, e.g. the workspace folder's name. */
  readonly workspaceName?: string;
}

function cell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, ' ');
}

function nsgSection(nsg: ReportNsg, strict: boolean, options: MarkdownReportOptions, level: number): string[] {
  const displayPath = options.displayPath ?? defaultDisplayPath;
  const reqs = nsg.requirements.filter((r) => !options.onlyFailing || requirementFails(nsg, r, strict));
  if (options.onlyFailing && reqs.length === 0) return [];
  const s = nsgSummary(nsg, strict);
  const out: string[] = [];
  const file = nsg.file ? ` (${cell(`${displayPath(nsg.file)}${nsg.line !== undefined ? `:${nsg.line}` : ''}`)})` : '';
  out.push(`${'#'.repeat(level)} NSG ${cell(nsg.name)}${file}`, '');
  out.push(nsg.inScope
    ? `${s.met} of ${s.total} requirements met${s.failing > 0 ? `, **${s.failing} failing**` : ''}. In scope: ${nsg.scopeReasons.map(cell).join('; ')}.`
    : `Not in scope (${nsg.scopeReasons.map(cell).join('; ')}): verdicts shown for information.`);
  out.push('');
  out.push('| Requirement | Direction | Verdict | Ports and tag | Explanation | Deciding rule |');
  out.push('|---|---|---|---|---|---|');
  for (const r of reqs) {
    const target = decidingTarget(nsg, r);
    const rule = target ? `${displayPath(target.uri)}${target.line !== undefined ? `:${target.line}` : ''}` : '';
    const verdict = verdictStyle(r.verdict, strict).label;
    out.push(`| ${cell(r.id)} | ${r.direction} | ${requirementFails(nsg, r, strict) ? `**${verdict}**` : verdict} | ${cell(portsAndTag(r))} | ${cell(r.explanation)} | ${cell(rule)} |`);
  }
  out.push('');
  return out;
}

/** The report as Markdown, in the Workspace view's order and filter. */
export function markdownReport(report: CheckReport, options: MarkdownReportOptions): string {
  const strict = report.strict;
  const out: string[] = [];
  out.push('# Azure ML network report', '');
  if (options.workspaceName) out.push(`Workspace: ${cell(options.workspaceName)}`, '');
  out.push(`Edition ${cell(report.edition)}${strict ? ', strict mode' : ''}; ${report.failing ? '**requirements in scope are not met**' : 'every requirement in scope is met'}.${options.onlyFailing ? ' Showing only failing requirements.' : ''}`, '');
  out.push(`| ${VERDICTS.map((v) => verdictStyle(v, strict).label).join(' | ')} |`);
  out.push(`|${VERDICTS.map(() => '---:').join('|')}|`);
  out.push(`| ${VERDICTS.map((v) => String(report.summary[v] ?? 0)).join(' | ')} |`, '');
  const fws = (report.firewalls ?? []).filter((f) => f.inScope);
  if (fws.length > 0 && report.firewallSummary) {
    const f = report.firewallSummary;
    out.push(`Firewalls: ${fws.length} subnet${fws.length === 1 ? '' : 's'} in scope routed through an appliance: ${f.allowed} allowed, ${f.blocked} blocked, ${f.partial} partial, ${f.unknown} unknown.`, '');
  }

  const grouped = groupReport(report.nsgs, report.firewalls ?? []);
  let shown = 0;
  for (const vnet of grouped.vnets) {
    const subnets: string[] = [];
    for (const subnet of vnet.subnets) {
      const nsgs = subnet.nsgs.flatMap((n) => nsgSection(n, strict, options, 4));
      if (subnet.firewall) nsgs.push(...firewallMarkdown(subnet.firewall, options.onlyFailing, 4, options.displayPath));
      if (nsgs.length === 0) continue;
      const compute = subnet.computes.length > 0 ? ` (Azure ML compute: ${subnet.computes.map(cell).join(', ')})` : '';
      subnets.push(`### Subnet ${cell(subnet.name)}${compute}`, '', ...nsgs);
    }
    if (subnets.length === 0) continue;
    out.push(`## VNet ${cell(vnet.name ?? 'not known')}`, '', ...subnets);
    shown++;
  }
  const unattached = grouped.unattached.flatMap((n) => nsgSection(n, strict, options, 3));
  if (unattached.length > 0) {
    out.push('## NSGs not attached to a subnet', '', ...unattached);
    shown++;
  }
  if (shown === 0) out.push(report.nsgs.length === 0 ? 'No network security groups were found.' : 'Every requirement in scope is met.', '');

  if (report.problems.length > 0) {
    const displayPath = options.displayPath ?? defaultDisplayPath;
    out.push('## Problems reading templates', '');
    for (const p of report.problems) out.push(`- ${p.severity}: ${cell(p.message)} (${cell(`${displayPath(p.file)}${p.line !== undefined ? `:${p.line}` : ''}`)})`);
    out.push('');
  }
  return out.join('\n');
}
