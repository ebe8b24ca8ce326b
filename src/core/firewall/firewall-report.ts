/**
 * The `firewalls` array of the JSON report (README "JSON output"): per subnet whose routes lead
 * to a virtual appliance, the route, the firewall, the warnings and the requirement verdicts.
 * Fields are only ever added.
 */
import type { Locate } from '../check/check-report';
import { isUnknown } from '../maybe';
import type { SourceSpan } from '../model/workspace-model';
import { regionText } from '../region';
import type { VerdictKind } from '../verdict';
import type { SubnetFirewallCheck } from './check-firewalls';
import type { FirewallOutcome, FirewallRuleRef, FirewallVerdictKind } from './evaluate-firewall';

export interface ReportFirewallRule {
  readonly firewall: string;
  readonly group?: string;
  readonly groupPriority?: number;
  readonly collection: string;
  readonly priority: number | null;
  readonly rule: string;
  readonly action: 'Allow' | 'Deny';
  /** `network`, `application`, or `default` for the default deny. */
  readonly kind: FirewallRuleRef['kind'];
  readonly default: boolean;
  readonly file?: string;
  readonly line?: number;
}

export interface ReportFirewallPort {
  readonly protocol: string;
  readonly ports: string;
  readonly target: string;
  readonly outcome: FirewallOutcome['outcome'];
  readonly detail: string;
  readonly decidedBy: readonly ReportFirewallRule[];
}

export interface ReportFirewallRequirement {
  readonly id: string;
  /** `service-tag` (outbound) or `host`. */
  readonly kind: 'service-tag' | 'host';
  readonly target: string;
  readonly verdict: FirewallVerdictKind;
  readonly explanation: string;
  /** Blocked only by the default deny: no rule allows it. Absent otherwise. */
  readonly missing?: true;
  readonly ports: readonly ReportFirewallPort[];
  readonly decidedBy: readonly ReportFirewallRule[];
  readonly unknownBecause?: readonly string[];
  readonly docs: string;
  /** Service-tag rows on a subnet with an NSG: the NSG's verdict, and both together. */
  readonly nsgVerdict?: VerdictKind;
  readonly combined?: VerdictKind;
  /** Suppressed in the source (`amlnet-disable-next-line`, ARM `metadata`): reported, never failing. Absent when not. */
  readonly suppressed?: true;
}

export interface ReportFirewallSubnet {
  readonly vnet: string | null;
  readonly subnet: string;
  readonly file?: string;
  readonly line?: number;
  readonly inScope: boolean;
  readonly scopeReasons: readonly string[];
  readonly region: string | null;
  readonly routeTable: { readonly name: string; readonly file?: string; readonly line?: number };
  /** The route for 0.0.0.0/0: a user route of the table or Azure's system route. */
  readonly route: {
    readonly source: 'user' | 'system' | 'unknown';
    readonly name: string | null;
    readonly nextHopType: string | null;
    readonly nextHopIp: string | null;
    readonly unknownBecause?: readonly string[];
    readonly file?: string;
    readonly line?: number;
  };
  /** The Azure Firewall the route reaches (null when none can be told), with its policy. */
  readonly firewall: { readonly name: string; readonly policy: string | null; readonly foundBy: 'ip' | 'reference' | null; readonly file?: string; readonly line?: number } | null;
  /** Why the appliance is not a firewall amlnet can judge. */
  readonly firewallUnknown?: string;
  readonly warnings: readonly { readonly code: string; readonly message: string; readonly file?: string; readonly line?: number; readonly suppressed?: true }[];
  readonly requirements: readonly ReportFirewallRequirement[];
}

function where(span: SourceSpan | undefined, locate: Locate): { file?: string; line?: number } {
  if (!span) return {};
  const loc = locate(span);
  return loc ? { file: loc.file, line: loc.line } : { file: span.file };
}

function ruleOf(r: FirewallRuleRef, locate: Locate): ReportFirewallRule {
  return {
    firewall: r.firewall,
    ...(r.group !== undefined ? { group: r.group } : {}),
    ...(r.groupPriority !== undefined ? { groupPriority: r.groupPriority } : {}),
    collection: r.collection,
    priority: r.priority ?? null,
    rule: r.rule,
    action: r.action,
    kind: r.kind,
    default: r.isDefault,
    ...where(r.span, locate),
  };
}

/** The report's `firewalls` array. */
export function firewallReport(checks: readonly SubnetFirewallCheck[], locate: Locate): ReportFirewallSubnet[] {
  return checks.map((c) => {
    return {
      vnet: c.vnet?.name ?? null,
      subnet: c.subnet.name,
      ...where(c.subnet.nameSpan ?? c.subnet.span, locate),
      inScope: c.inScope,
      scopeReasons: c.scopeReasons,
      region: c.region && !(c.region.kind === 'symbol' && c.region.text === '<region>') ? regionText(c.region) : null,
      routeTable: { name: c.routeTable.name, ...where(c.routeTable.nameSpan ?? c.routeTable.span, locate) },
      route: {
        source: c.route.source,
        name: c.route.route?.name ?? null,
        nextHopType: c.route.nextHopType ?? null,
        nextHopIp: c.route.nextHopIp === undefined ? null : isUnknown(c.route.nextHopIp) ? null : c.route.nextHopIp,
        ...(c.route.unknownBecause ? { unknownBecause: c.route.unknownBecause } : {}),
        ...where(c.route.route?.span, locate),
      },
      firewall: c.firewall
        ? { name: c.firewall.name, policy: c.policy?.name ?? null, foundBy: c.firewallFoundBy ?? null, ...where(c.firewall.nameSpan ?? c.firewall.span, locate) }
        : null,
      ...(c.firewallUnknown ? { firewallUnknown: c.firewallUnknown } : {}),
      warnings: c.warnings.map((w) => ({ code: w.code, message: w.message, ...where(w.span, locate), ...(c.suppressed?.warnings.has(w.code) ? { suppressed: true as const } : {}) })),
      requirements: c.verdicts.map((v) => ({
        id: v.id,
        kind: v.kind,
        target: v.target,
        verdict: v.verdict,
        explanation: v.explanation,
        ...(v.missing ? { missing: true as const } : {}),
        ports: v.breakdown.map((b) => ({ protocol: b.protocol, ports: b.ports, target: b.target, outcome: b.outcome, detail: b.detail, decidedBy: b.decidedBy.map((r) => ruleOf(r, locate)) })),
        decidedBy: v.decidedBy.map((r) => ruleOf(r, locate)),
        ...(v.unknownBecause ? { unknownBecause: v.unknownBecause } : {}),
        docs: v.spec.docs,
        ...(v.nsgVerdict ? { nsgVerdict: v.nsgVerdict } : {}),
        ...(v.combined ? { combined: v.combined } : {}),
        ...(c.suppressed?.requirements.has(v.id) ? { suppressed: true as const } : {}),
      })),
    };
  });
}

/** Firewall verdicts of subnets in scope, counted per verdict (the report's `firewallSummary`). */
export function firewallSummary(subnets: readonly ReportFirewallSubnet[]): Record<FirewallVerdictKind, number> {
  const out: Record<FirewallVerdictKind, number> = { allowed: 0, blocked: 0, partial: 0, unknown: 0, 'not-applicable': 0 };
  for (const s of subnets) if (s.inScope) for (const r of s.requirements) out[r.verdict]++;
  return out;
}
