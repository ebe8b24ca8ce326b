import type { FirewallVerdictKind } from '../firewall/evaluate-firewall';
import { firewallReport, firewallSummary, type ReportFirewallSubnet } from '../firewall/firewall-report';
import type { SourceSpan } from '../model/workspace-model';
import { regionText } from '../region';
import type { PortOutcome, RuleRef, VerdictKind } from '../verdict';
import type { CheckResult, NsgCheck, OptionOrigin, OptionValue } from './check-model';

// The JSON report of `amlnet check --format json`. Its shape is a public, documented interface
// (README "JSON output"): add fields, never rename or remove them; bump `version` if one must.

/** A place in a file, 1-based line and column as editors and CI logs show them. */
export interface ReportLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Turns a span into a file position; the caller holds the texts (core reads no files). */
export type Locate = (span: SourceSpan) => ReportLocation | undefined;

export interface ReportRule {
  readonly nsg: string;
  readonly rule: string;
  readonly priority: number | null;
  readonly access: 'Allow' | 'Deny' | null;
  readonly default: boolean;
  readonly file?: string;
  readonly line?: number;
}

export interface ReportPort {
  readonly protocol: PortOutcome['protocol'];
  readonly ports: string;
  readonly remote: string;
  readonly outcome: PortOutcome['outcome'];
  readonly detail: string;
  readonly decidedBy: readonly ReportRule[];
}

export interface ReportRequirement {
  readonly id: string;
  readonly direction: 'Inbound' | 'Outbound';
  readonly verdict: VerdictKind;
  readonly explanation: string;
  readonly ports: readonly ReportPort[];
  readonly decidedBy: readonly ReportRule[];
  readonly unknownBecause?: readonly string[];
  readonly docs: string;
  /** Suppressed in the source (`amlnet-disable-next-line`, ARM `metadata`): reported, never failing. Absent when not. */
  readonly suppressed?: true;
}

export interface ReportOption<T> {
  /** `null` for an option the template declares with a value known only at deployment (see `reason`). */
  readonly value: T;
  /** template, flag, config, setting or default. */
  readonly origin: OptionOrigin['kind'];
  /**
   * For template values: the element that declares it, and where. Also for a user value that
   * stands in for a template value known only at deployment: the element that declares that.
   */
  readonly from?: string;
  readonly file?: string;
  readonly line?: number;
  /**
   * Only when an element declares the option with a value known only at deployment: why, e.g.
   * "enableNodePublicIp: nodePublicIp is only known at deployment". With origin `template` the
   * value is then `null`; with a user origin the user's value stood in for it.
   */
  readonly reason?: string;
  /**
   * The region only: the NSG's location is known only at deployment (`value` is its text, e.g.
   * `location`) and the user's region, from `takenAsOrigin`, is taken as its value.
   */
  readonly takenAs?: string;
  readonly takenAsOrigin?: OptionOrigin['kind'];
}

export interface ReportFinding {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly rule: string;
  readonly message: string;
  readonly suggestion?: string;
  readonly file?: string;
  readonly line?: number;
  /** Suppressed in the source. Absent when not. */
  readonly suppressed?: true;
}

export interface ReportNsg {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  /**
   * The entry template (deployment) this NSG was read for, when several were read: two entries
   * calling one module give two NSGs written at the same place. Absent for a single deployment.
   */
  readonly deployment?: string;
  readonly inScope: boolean;
  readonly scopeReasons: readonly string[];
  readonly subnets: readonly { readonly vnet: string | null; readonly name: string; readonly file?: string; readonly line?: number }[];
  readonly options: {
    readonly publicIp: ReportOption<boolean | null>;
    readonly hbi: ReportOption<boolean | null>;
    readonly region: ReportOption<string | null>;
  };
  readonly requirements: readonly ReportRequirement[];
  readonly findings: readonly ReportFinding[];
}

export interface ReportProblem {
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly file: string;
  readonly line?: number;
}

export interface CheckReport {
  readonly version: 1;
  readonly tool: { readonly name: 'amlnet'; readonly version: string };
  readonly edition: string;
  readonly strict: boolean;
  /** Something in scope is blocked or partial (in strict mode, also allowed only by default). */
  readonly failing: boolean;
  readonly summary: Readonly<Record<VerdictKind, number>>;
  readonly nsgs: readonly ReportNsg[];
  readonly problems: readonly ReportProblem[];
  /** Subnets whose routes lead to a virtual appliance, with the firewall's verdicts (README "JSON output"). */
  readonly firewalls?: readonly ReportFirewallSubnet[];
  /** The firewall verdicts of subnets in scope, counted like `summary`. */
  readonly firewallSummary?: Readonly<Record<FirewallVerdictKind, number>>;
}

function where(span: SourceSpan | undefined, locate: Locate): { file?: string; line?: number } {
  if (!span) return {};
  const loc = locate(span);
  return loc ? { file: loc.file, line: loc.line } : { file: span.file };
}

function origin(span: unknown): SourceSpan | undefined {
  // Rules from templates carry a RuleOrigin; the engine passes it back untouched.
  const o = span as { span?: SourceSpan } | undefined;
  return o && typeof o === 'object' && o.span && typeof o.span.start === 'number' ? o.span : undefined;
}

function rule(ref: RuleRef, locate: Locate): ReportRule {
  return {
    nsg: ref.nsg,
    rule: ref.name,
    priority: ref.priority ?? null,
    access: ref.access ?? null,
    default: ref.isDefault,
    ...where(origin(ref.origin), locate),
  };
}

function option<T, U>(o: OptionValue<T>, show: (v: T) => U, locate: Locate): ReportOption<U> {
  const base = { value: show(o.value), origin: o.origin.kind };
  const reason = o.unknown ? { reason: o.unknown.reason } : {};
  if (o.origin.kind !== 'template') return o.unknown ? { ...base, from: o.unknown.element, ...where(o.unknown.span, locate), ...reason } : base;
  const takenAs = o.takenAs ? { takenAs: o.takenAs.value, takenAsOrigin: o.takenAs.origin.kind } : {};
  return { ...base, from: o.origin.element, ...where(o.origin.span, locate), ...reason, ...takenAs };
}

function nsgReport(n: NsgCheck, locate: Locate): ReportNsg {
  const vnetName = (key: string | undefined) => n.vnets.find((v) => v.key === key)?.name ?? null;
  return {
    name: n.nsg.name,
    ...where(n.nsg.nameSpan ?? n.nsg.span, locate),
    ...(n.nsg.deployment !== undefined ? { deployment: where({ file: n.nsg.deployment, start: 0, end: 0 }, locate).file ?? n.nsg.deployment } : {}),
    inScope: n.inScope,
    scopeReasons: n.scopeReasons,
    subnets: n.subnets.map((s) => ({ vnet: vnetName(s.vnet), name: s.name, ...where(s.nameSpan ?? s.span, locate) })),
    options: {
      publicIp: option(n.options.publicIp, (v) => v ?? null, locate),
      hbi: option(n.options.hbi, (v) => v ?? null, locate),
      region: option(n.options.region, (v) => (v ? regionText(v) : null), locate),
    },
    requirements: n.verdicts.map((v) => ({
      id: v.id,
      direction: v.direction,
      verdict: v.verdict,
      explanation: v.explanation,
      ports: v.breakdown.map((b) => ({
        protocol: b.protocol,
        ports: b.ports,
        remote: b.remote,
        outcome: b.outcome,
        detail: b.detail,
        decidedBy: b.decidedBy.map((r) => rule(r, locate)),
      })),
      decidedBy: v.decidedBy.map((r) => rule(r, locate)),
      ...(v.unknownBecause ? { unknownBecause: v.unknownBecause } : {}),
      docs: v.spec.docs,
      ...(n.suppressed?.requirements.has(v.id) ? { suppressed: true as const } : {}),
    })),
    findings: n.findings.map((f, i) => ({
      code: f.code,
      severity: f.severity,
      rule: f.rule,
      message: f.message,
      ...(f.suggestion ? { suggestion: f.suggestion } : {}),
      ...where(origin(f.origin), locate),
      ...(n.suppressed?.findings.has(i) ? { suppressed: true as const } : {}),
    })),
  };
}

/** The stable JSON report of a check. */
export function buildReport(result: CheckResult, locate: Locate, toolVersion: string): CheckReport {
  const firewalls = firewallReport(result.firewalls ?? [], locate);
  const summary: Record<VerdictKind, number> = { allowed: 0, 'allowed-by-default': 0, blocked: 0, partial: 0, unknown: 0, 'not-applicable': 0 };
  for (const n of result.nsgs) if (n.inScope) for (const v of n.verdicts) summary[v.verdict]++;
  return {
    version: 1,
    tool: { name: 'amlnet', version: toolVersion },
    edition: result.edition.name,
    strict: result.strict,
    failing: result.failing,
    summary,
    nsgs: result.nsgs.map((n) => nsgReport(n, locate)),
    problems: result.problems.map((p) => ({ severity: p.severity, message: p.message, ...where(p.span, locate), file: p.file })),
    firewalls,
    firewallSummary: firewallSummary(firewalls),
  };
}
