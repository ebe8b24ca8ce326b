// A folder's check as LSP diagnostics, per file: one per reported requirement verdict of each NSG
// in scope, one per rule finding, one per read problem and configuration error.

import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { NsgCheck } from '../core/check/check-model';
import type { SubnetFirewallCheck } from '../core/firewall/check-firewalls';
import { verdictAnchor, warningAnchor } from '../core/firewall/firewall-anchors';
import type { FirewallRuleRef, FirewallVerdict } from '../core/firewall/evaluate-firewall';
import type { RuleOrigin, SourceSpan } from '../core/model/workspace-model';
import type { RequirementVerdict } from '../core/verdict';
import type { FolderCheck } from './folder-state';
import type { Positions } from './positions';
import type { AmlnetSettings, DiagnosticSeverityName } from './protocol';

export const SOURCE = 'amlnet';
const DOCS = 'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall';
const MAX_RELATED = 12;

/** What a diagnostic stands for, carried in `data` so code actions find it again. */
export type DiagnosticData =
  | { readonly kind: 'requirement'; readonly nsg: string; readonly id: string }
  | { readonly kind: 'finding'; readonly nsg: string; readonly index: number }
  /** A firewall verdict of the subnet (by its model key). */
  | { readonly kind: 'firewall'; readonly subnet: string; readonly id: string }
  /** A route warning (forced tunnelling) of the subnet. */
  | { readonly kind: 'route-warning'; readonly subnet: string; readonly code: string }
  | { readonly kind: 'problem' };

const SEVERITY: Record<Exclude<DiagnosticSeverityName, 'none'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The severity setting for a verdict, or undefined when it is not reported. */
export function severityOf(v: RequirementVerdict, settings: AmlnetSettings): DiagnosticSeverity | undefined {
  let name: DiagnosticSeverityName;
  switch (v.verdict) {
    case 'blocked': name = settings.severity.blocked; break;
    case 'partial': name = settings.severity.partial; break;
    case 'unknown': name = settings.severity.unknown; break;
    case 'allowed-by-default':
      if (!settings.strict) return undefined;
      name = settings.severity.allowedByDefault;
      break;
    default: return undefined;
  }
  return name === 'none' ? undefined : SEVERITY[name];
}

/** The severity setting for a firewall verdict, or undefined when it is not reported. */
export function firewallSeverityOf(v: FirewallVerdict, settings: AmlnetSettings): DiagnosticSeverity | undefined {
  const name = v.verdict === 'blocked' ? settings.severity.blocked : v.verdict === 'partial' ? settings.severity.partial : v.verdict === 'unknown' ? settings.severity.unknown : 'none';
  return name === 'none' ? undefined : SEVERITY[name];
}

/** Where a subnet's firewall verdicts go: the firewall, else the route. */
function firewallLabel(check: SubnetFirewallCheck): string {
  if (check.firewall) return `Firewall ${check.firewall.name}${check.policy ? ` (policy ${check.policy.name})` : ''}`;
  const hop = check.route.nextHopIp;
  return `Next hop ${hop === undefined || typeof hop !== 'string' ? check.route.nextHopType ?? '?' : hop}`;
}

function ruleLabel(r: FirewallRuleRef): string {
  if (r.isDefault) return `the default deny of ${r.firewall}`;
  return `${r.kind} rule ${r.rule} in ${r.group ? `${r.group}/` : ''}${r.collection} (priority ${r.priority ?? 'unknown'}) of ${r.firewall}`;
}

/** A list of related information, at most MAX_RELATED long, with no span and message twice; `add` skips a missing span. */
function relatedList(positions: Positions): { out: DiagnosticRelatedInformation[]; add: (span: SourceSpan | undefined, message: string) => void } {
  const out: DiagnosticRelatedInformation[] = [];
  const seen = new Set<string>();
  const add = (span: SourceSpan | undefined, message: string): void => {
    if (!span || out.length >= MAX_RELATED) return;
    const key = `${span.file}|${span.start}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ location: positions.location(span), message });
  };
  return { out, add };
}

function firewallRelated(check: SubnetFirewallCheck, v: FirewallVerdict | undefined, positions: Positions): DiagnosticRelatedInformation[] {
  const { out, add } = relatedList(positions);
  for (const ref of v?.decidedBy ?? []) {
    if (ref.action === 'Allow') continue;
    const span = ref.span ?? (ref.isDefault ? (check.firewall?.nameSpan ?? check.firewall?.span) : undefined);
    add(span, `${ref.isDefault ? 'No rule allows it' : 'Blocks it'}: ${ruleLabel(ref)}`);
  }
  const r = check.route.route;
  if (r) add(r.span, `Route ${r.name} of ${check.routeTable.name} sends ${check.route.destination} from subnet ${check.subnet.name} to ${check.route.nextHopType ?? 'a next hop not known'}${typeof check.route.nextHopIp === 'string' ? ` ${check.route.nextHopIp}` : ''}`);
  if (check.firewall && v) add(check.firewall.nameSpan ?? check.firewall.span, `Firewall ${check.firewall.name}${check.firewallFoundBy === 'reference' ? ', which the route refers to' : ', whose private IP the route names'}`);
  add(check.subnet.nameSpan ?? check.subnet.span, `Subnet ${check.subnet.name} uses route table ${check.routeTable.name}`);
  return out;
}

/** The diagnostics of one subnet's firewall check: failing verdicts, and route warnings. */
function firewallDiagnostics(check: SubnetFirewallCheck, settings: AmlnetSettings, positions: Positions, add: (file: string, d: Diagnostic) => void): void {
  if (!check.inScope) return;
  for (const w of check.warnings) {
    if (check.suppressed?.warnings.has(w.code)) continue;
    const anchor = warningAnchor(check, w);
    if (!anchor) continue;
    const data: DiagnosticData = { kind: 'route-warning', subnet: check.subnet.key, code: w.code };
    add(anchor.file, {
      range: positions.firstLine(anchor),
      severity: DiagnosticSeverity.Warning,
      source: SOURCE,
      code: w.code,
      message: w.message,
      relatedInformation: firewallRelated(check, undefined, positions),
      data,
    });
  }
  for (const v of check.verdicts) {
    if (check.suppressed?.requirements.has(v.id)) continue;
    const severity = firewallSeverityOf(v, settings);
    if (severity === undefined) continue;
    const anchor = verdictAnchor(check, v);
    if (!anchor) continue;
    const data: DiagnosticData = { kind: 'firewall', subnet: check.subnet.key, id: v.id };
    const together = v.combined && v.combined !== v.verdict ? ` With the NSG: ${v.combined}.` : '';
    add(anchor.file, {
      range: positions.firstLine(anchor),
      severity,
      source: SOURCE,
      code: v.id,
      codeDescription: { href: v.spec.docs || DOCS },
      message: `${firewallLabel(check)} for subnet ${check.subnet.name} (outbound ${v.id}): ${v.explanation}${together}`,
      relatedInformation: firewallRelated(check, v, positions),
      data,
    });
  }
}

/** Where an NSG's requirement diagnostics go: its `securityRules` key, else its name, else its first line. */
export function nsgAnchor(check: NsgCheck): SourceSpan | undefined {
  return check.nsg.securityRulesSpan ?? check.nsg.nameSpan ?? check.nsg.span;
}

export function ruleOrigin(o: unknown): RuleOrigin | undefined {
  const r = o as RuleOrigin | undefined;
  return r && typeof r === 'object' && r.span && typeof r.span.start === 'number' ? r : undefined;
}

function related(check: NsgCheck, v: RequirementVerdict, positions: Positions): DiagnosticRelatedInformation[] {
  const { out, add } = relatedList(positions);
  for (const ref of v.decidedBy) {
    if (ref.isDefault || ref.access === 'Allow') continue;
    add(ruleOrigin(ref.origin)?.span, `${ref.access === 'Deny' ? 'Blocks' : 'May block'} ${v.id}: rule ${ref.name} (priority ${ref.priority ?? 'unknown'}) in ${ref.nsg}`);
  }
  const subnetName = (key: string | undefined) => check.subnets.find((s) => s.key === key)?.name ?? '?';
  for (const c of check.computes) add(c.nameSpan ?? c.span, `Azure ML compute ${c.name} uses subnet ${subnetName(c.subnet?.target)}, which puts ${check.nsg.name} in scope`);
  for (const s of check.subnets) add(s.nameSpan ?? s.span, `Subnet ${s.name} uses ${check.nsg.name}`);
  return out;
}

/** A span as a diagnostic range: short spans whole, the whole declaration only by its first line. */
function anchorRange(check: NsgCheck, positions: Positions) {
  const n = check.nsg;
  if (n.securityRulesSpan) return positions.range(n.securityRulesSpan);
  if (n.nameSpan) return positions.firstLine(n.nameSpan);
  return n.span ? positions.firstLine(n.span) : undefined;
}

/** The diagnostics of one NSG check, by the file they belong to. */
function nsgDiagnostics(check: NsgCheck, settings: AmlnetSettings, positions: Positions, add: (file: string, d: Diagnostic) => void): void {
  if (!check.inScope) return;
  const anchor = nsgAnchor(check);
  const range = anchorRange(check, positions);
  // A module's NSG: two entries calling the module give two diagnostics here, told apart by this.
  const deployment = check.nsg.deployment;
  const deployedBy = deployment !== undefined && deployment !== anchor?.file ? `deployed by ${deployment}; ` : '';
  if (anchor && range) {
    for (const v of check.verdicts) {
      if (check.suppressed?.requirements.has(v.id)) continue;
      const severity = severityOf(v, settings);
      if (severity === undefined) continue;
      const data: DiagnosticData = { kind: 'requirement', nsg: check.nsg.key, id: v.id };
      add(anchor.file, {
        range,
        severity,
        source: SOURCE,
        code: v.id,
        codeDescription: { href: v.spec.docs || DOCS },
        message: `${check.nsg.name} (${deployedBy}${v.direction.toLowerCase()} ${v.id}): ${v.explanation}`,
        relatedInformation: related(check, v, positions),
        data,
      });
    }
  }
  check.findings.forEach((f, index) => {
    if (check.suppressed?.findings.has(index)) return;
    const origin = ruleOrigin(f.origin);
    const span = origin?.properties?.[f.property] ?? origin?.span ?? anchor;
    if (!span) return;
    const data: DiagnosticData = { kind: 'finding', nsg: check.nsg.key, index };
    add(span.file, {
      range: span === origin?.span || span === anchor ? positions.firstLine(span) : positions.range(span),
      severity: f.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: SOURCE,
      code: f.code,
      message: f.message,
      data,
    });
  });
}

/** Every diagnostic of a folder's check, by relative path (files with none are absent). */
export function folderDiagnostics(check: FolderCheck, positions: Positions): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  const seen = new Set<string>();
  const add = (file: string, d: Diagnostic): void => {
    const key = `${file}|${d.range.start.line}:${d.range.start.character}|${String(d.code)}|${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = out.get(file) ?? [];
    list.push(d);
    out.set(file, list);
  };
  for (const n of check.result.nsgs) nsgDiagnostics(n, check.settings, positions, add);
  for (const f of check.result.firewalls ?? []) firewallDiagnostics(f, check.settings, positions, add);
  for (const p of check.result.problems) {
    add(p.file, {
      range: p.span ? positions.firstLine(p.span) : positions.lineRange(p.file, 1),
      severity: p.severity === 'error' ? DiagnosticSeverity.Error : p.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
      source: SOURCE,
      message: p.message,
      data: { kind: 'problem' } satisfies DiagnosticData,
    });
  }
  for (const e of check.configErrors) {
    add(e.file, {
      range: positions.lineRange(e.file, e.line, e.column),
      severity: DiagnosticSeverity.Error,
      source: SOURCE,
      code: 'amlnet-config',
      message: e.path ? `${e.path}: ${e.message}` : e.message,
      data: { kind: 'problem' } satisfies DiagnosticData,
    });
  }
  return out;
}
