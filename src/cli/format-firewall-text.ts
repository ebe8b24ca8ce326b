import type { CheckReport } from '../core/check/check-report';
import type { ReportFirewallRequirement, ReportFirewallSubnet } from '../core/firewall/firewall-report';

// The firewall block of `amlnet check`'s text output: under a subnet whose route leads to a
// virtual appliance, the route, the firewall and each requirement's verdict through it.

/** A verdict's mark, as wide as the others (format-check-text.ts adds the NSGs' `allowed-by-default`). */
export const MARK: Record<ReportFirewallRequirement['verdict'], string> = {
  allowed: 'ok     ',
  blocked: 'BLOCKED',
  partial: 'PARTIAL',
  unknown: 'unknown',
  'not-applicable': 'n/a    ',
};

/** ` (file:line)`, or nothing without a file. */
export function at(file: string | undefined, line: number | undefined): string {
  return file ? ` (${file}${line ? `:${line}` : ''})` : '';
}

function places(rules: readonly { default: boolean; file?: string; line?: number }[]): string {
  const seen = [...new Set(rules.filter((d) => !d.default && d.file).map((d) => `${d.file}${d.line ? `:${d.line}` : ''}`))];
  return seen.length ? ` [${seen.join(', ')}]` : '';
}

/** The subnet's firewall block, or nothing when its routes lead to no appliance. */
export function firewallLines(report: CheckReport, vnet: string | null, subnet: string, indent: string, verbose: boolean): string[] {
  const s = (report.firewalls ?? []).find((f) => f.vnet === vnet && f.subnet === subnet);
  return s ? subnetFirewallLines(s, indent, verbose) : [];
}

export function subnetFirewallLines(s: ReportFirewallSubnet, indent: string, verbose: boolean): string[] {
  const lines: string[] = [];
  const r = s.route;
  const hop = `${r.nextHopType ?? 'next hop not known'}${r.nextHopIp ? ` ${r.nextHopIp}` : ''}`;
  const route = r.source === 'system' ? `system route to ${hop}` : r.source === 'user' ? `route ${r.name} to ${hop}${at(r.file, r.line)}` : `route not known (${(r.unknownBecause ?? []).join('; ')})`;
  const head = s.firewall
    ? `Firewall ${s.firewall.name}${s.firewall.policy ? ` (policy ${s.firewall.policy})` : ''}${at(s.firewall.file, s.firewall.line)}`
    : `Next hop ${r.nextHopIp ?? r.nextHopType ?? '?'}: ${s.firewallUnknown ?? 'not a firewall'}`;
  lines.push(`${indent}${head}${s.inScope ? '' : ' (not in scope: verdicts shown, not counted)'}`);
  const inner = `${indent}  `;
  lines.push(`${inner}0.0.0.0/0 via ${s.routeTable.name}: ${route}`);
  for (const w of s.warnings) lines.push(`${inner}warning ${w.code}: ${w.message}${at(w.file, w.line)}`);
  for (const q of s.requirements) {
    if (!verbose && q.verdict === 'not-applicable') continue;
    const split = q.ports.length > 1 && (q.verdict === 'partial' || q.verdict === 'unknown' || verbose);
    const together = q.combined && q.combined !== q.verdict ? ` With the NSG: ${q.combined}.` : '';
    lines.push(`${inner}${MARK[q.verdict]} ${q.id}${q.suppressed ? ' (suppressed)' : ''}: ${q.explanation}${together}${split ? '' : places(q.decidedBy)}`);
    if (split) for (const p of q.ports) lines.push(`${inner}          ${p.protocol} ${p.ports} to ${p.target}: ${p.outcome}${places(p.decidedBy)}`);
  }
  return lines;
}

/** Subnets with a firewall block that the NSG tree does not show (a subnet without an NSG). */
export function orphanFirewallLines(report: CheckReport, shown: ReadonlySet<string>, verbose: boolean): string[] {
  const rest = (report.firewalls ?? []).filter((f) => !shown.has(`${f.vnet ?? '?'}/${f.subnet}`));
  if (!rest.length) return [];
  const lines = ['Subnets without an NSG, routed through an appliance'];
  for (const s of rest) {
    lines.push(`  Subnet ${s.vnet ?? '?'}/${s.subnet}${at(s.file, s.line)}`);
    lines.push(...subnetFirewallLines(s, '    ', verbose));
  }
  lines.push('');
  return lines;
}
