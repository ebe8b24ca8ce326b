// Hover on an Azure Firewall rule (classic or in a policy's rule collection group): which Azure ML
// requirements it allows or blocks, for which subnets routed through it.

import type { SubnetFirewallCheck } from '../core/firewall/check-firewalls';
import type { FirewallRule } from '../core/firewall/firewall-rules';
import type { FirewallRuleRef } from '../core/firewall/evaluate-firewall';
import type { SourceSpan } from '../core/model/workspace-model';

export interface FirewallRuleAt {
  readonly rule: FirewallRule;
  readonly collection: string;
  readonly owner: string;
  readonly span: SourceSpan;
  /** The subnets whose firewall holds the rule. */
  readonly checks: readonly SubnetFirewallCheck[];
}

/** The firewall rule of `file` whose span holds `offset` (the innermost), with the subnet checks whose firewall holds it. */
export function firewallRuleAt(checks: readonly SubnetFirewallCheck[], file: string, offset: number): FirewallRuleAt | undefined {
  let best: Omit<FirewallRuleAt, 'checks'> | undefined;
  const holders: SubnetFirewallCheck[] = [];
  for (const c of checks) {
    for (const col of c.rules?.collections ?? []) {
      for (const r of col.rules) {
        const span = r.span;
        if (!span || span.file !== file || offset < span.start || offset > span.end) continue;
        if (!best || span.end - span.start < best.span.end - best.span.start) {
          best = { rule: r, collection: col.group ? `${col.group.name}/${col.name}` : col.name, owner: col.owner.name, span };
          holders.length = 0;
        }
        if (best.span.start === span.start && best.span.end === span.end && !holders.includes(c)) holders.push(c);
      }
    }
  }
  return best ? { ...best, checks: holders } : undefined;
}

function same(ref: FirewallRuleRef, span: SourceSpan): boolean {
  return !ref.isDefault && !!ref.span && ref.span.file === span.file && ref.span.start === span.start && ref.span.end === span.end;
}

/** The hover's Markdown for a firewall rule. */
export function firewallRuleHover(at: FirewallRuleAt): string {
  const lines = [`**Azure ML: ${at.rule.kind === 'unknown' ? '' : `${at.rule.kind} `}rule ${at.rule.name}** in ${at.collection} of ${at.owner}`, ''];
  for (const c of at.checks) {
    const effects: string[] = [];
    for (const v of c.verdicts) {
      const rows = v.breakdown.filter((b) => b.decidedBy.some((ref) => same(ref, at.span)));
      if (!rows.length) continue;
      const blocked = rows.filter((b) => b.outcome === 'blocked' || b.outcome === 'partial');
      const allowed = rows.filter((b) => b.outcome === 'allowed');
      const suppressed = c.suppressed?.requirements.has(v.id) ? ' (suppressed)' : '';
      const text = (rs: typeof rows) => rs.map((b) => `${b.protocol} ${b.ports} to ${b.target}`).join('; ');
      if (blocked.length) effects.push(`- **blocks** \`${v.id}\`${suppressed}: ${text(blocked)}`);
      else if (allowed.length) effects.push(`- ${allowed.length === v.breakdown.length ? 'meets' : 'partly meets'} \`${v.id}\`${suppressed}: ${text(allowed)}`);
    }
    lines.push(`For subnet ${c.subnet.name}${c.inScope ? '' : ' (not in scope)'}:`, '');
    lines.push(...(effects.length ? effects : ['Decides no Azure ML requirement.']), '');
  }
  return lines.join('\n').trimEnd();
}
