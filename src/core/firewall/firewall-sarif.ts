/**
 * SARIF results for firewalls (appended to check/sarif.ts's run): blocked and partial verdicts of
 * subnets in scope are errors, unknown ones notes; forced tunnelling is a warning. Each result is
 * located at the subnet, with the deciding rules as related locations.
 */
import type { CheckReport } from '../check/check-report';
import { location } from '../check/sarif-location';
import type { ReportFirewallRule } from './firewall-report';

type Rule = { id: string; shortDescription: { text: string }; helpUri?: string; properties?: object };

function ruleText(r: ReportFirewallRule): string {
  if (r.default) return `the default deny of ${r.firewall}`;
  return `${r.kind} rule ${r.rule} in ${r.group ? `${r.group}/` : ''}${r.collection} (priority ${r.priority ?? 'unknown'}) of ${r.firewall}`;
}

/** The firewall results; adds the rules they use to `rules` (and `known`) on first use. */
export function firewallSarifResults(report: CheckReport, rules: Rule[], known: Set<string>, informationUri: string): object[] {
  const results: object[] = [];
  for (const s of report.firewalls ?? []) {
    if (!s.inScope) continue;
    const where = `${s.vnet ?? '?'}/${s.subnet}`;
    for (const w of s.warnings) {
      if (!known.has(w.code)) {
        rules.push({ id: w.code, shortDescription: { text: 'Forced tunnelling widens the VirtualNetwork service tag' }, helpUri: informationUri });
        known.add(w.code);
      }
      results.push({
        ruleId: w.code, level: 'warning', message: { text: w.message }, locations: location(w.file ?? s.file, w.line ?? s.line), properties: { subnet: where },
        ...(w.suppressed ? { suppressions: [{ kind: 'inSource' }] } : {}),
      });
    }
    for (const req of s.requirements) {
      const level = req.verdict === 'blocked' || req.verdict === 'partial' ? 'error' : req.verdict === 'unknown' ? 'note' : undefined;
      if (!level) continue;
      if (!known.has(req.id)) {
        rules.push({ id: req.id, shortDescription: { text: `Outbound access to ${req.target}` }, helpUri: req.docs || informationUri, properties: { edition: report.edition } });
        known.add(req.id);
      }
      const fw = s.firewall?.name ?? 'the next hop';
      results.push({
        ruleId: req.id,
        level,
        message: { text: `${where} through ${fw}: ${req.verdict}. ${req.explanation}` },
        locations: location(s.file, s.line),
        relatedLocations: req.decidedBy.filter((r) => !r.default).flatMap((r, i) => location(r.file, r.line, ruleText(r)).map((l) => ({ id: i, ...l }))),
        properties: { subnet: where, firewall: s.firewall?.name ?? null, verdict: req.verdict, ...(req.missing ? { missing: true } : {}) },
        ...(req.suppressed ? { suppressions: [{ kind: 'inSource' }] } : {}),
      });
    }
  }
  return results;
}
