/**
 * Where a firewall verdict or route warning belongs in the source: the editor's diagnostic goes
 * there, and a suppression comment above it (or above the firewall, its policy, the route, the
 * route table or the subnet) silences it (check/suppression.ts).
 */
import type { SourceSpan } from '../model/workspace-model';
import type { RouteWarning, SubnetFirewallCheck } from './check-firewalls';
import type { FirewallVerdict } from './evaluate-firewall';

/**
 * The place of a failing firewall verdict: the first rule that denies it, else the route that drops
 * it, else the firewall (blocked by its default deny, or judged against it), else the route that
 * carries the traffic, else the route table, else the subnet.
 */
export function verdictAnchor(check: SubnetFirewallCheck, v: FirewallVerdict): SourceSpan | undefined {
  const deny = v.decidedBy.find((r) => !r.isDefault && r.action === 'Deny' && r.span);
  if (deny?.span) return deny.span;
  const dropped = v.breakdown.find((b) => b.outcome === 'blocked' && b.routeSpan);
  if (dropped?.routeSpan) return dropped.routeSpan;
  if (check.firewall) return check.firewall.nameSpan ?? check.firewall.span;
  return check.route.route?.span ?? check.routeTable.nameSpan ?? check.routeTable.span ?? check.subnet.nameSpan ?? check.subnet.span;
}

/** The place of a route warning: its route, else the route table. */
export function warningAnchor(check: SubnetFirewallCheck, w: RouteWarning): SourceSpan | undefined {
  return w.span ?? check.routeTable.nameSpan ?? check.routeTable.span;
}

/** Declarations above which a suppression comment counts for the subnet's firewall verdicts and warnings. */
export function firewallDeclarations(check: SubnetFirewallCheck): SourceSpan[] {
  const out: (SourceSpan | undefined)[] = [
    check.firewall?.span, check.firewall?.nameSpan, check.policy?.span, check.policy?.nameSpan,
    check.route.route?.span, check.routeTable.span, check.routeTable.nameSpan, check.subnet.span, check.subnet.nameSpan,
  ];
  return out.filter((s): s is SourceSpan => s !== undefined);
}
