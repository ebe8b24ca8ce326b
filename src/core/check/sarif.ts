import type { Edition } from '../requirement';
import type { CheckReport, ReportRule } from './check-report';
import { firewallSarifResults } from '../firewall/firewall-sarif';
import { location } from './sarif-location';

// SARIF 2.1.0 (OASIS), as GitHub code scanning and Azure DevOps read it. Requirement ids and
// rule-finding codes are the SARIF rule ids, so suppressions and dashboards key on the same codes
// as the editor's diagnostics.

type Level = 'error' | 'warning' | 'note';

function ruleText(r: ReportRule): string {
  return r.default ? `default rule ${r.rule} (${r.priority})` : `${r.rule} (priority ${r.priority ?? 'unknown'}) in ${r.nsg}`;
}

const FINDING_TEXT: Record<string, string> = {
  'amlnet-priority-range': 'Rule priority outside 100-4096',
  'amlnet-duplicate-priority': 'Two rules share a priority in one direction',
  'amlnet-duplicate-name': 'Two rules share a name',
  'amlnet-bad-port': 'Malformed port or port range',
  'amlnet-bad-protocol': 'Unknown protocol',
  'amlnet-bad-direction': 'Unknown direction',
  'amlnet-bad-access': 'Unknown access',
  'amlnet-bad-address': 'Malformed address prefix',
  'amlnet-unknown-tag': 'Unknown service tag',
  'amlnet-unknown-region': 'Unknown region in a regional service tag',
  'amlnet-multiple-tags': 'More than one service tag in a rule',
};

/** A SARIF 2.1.0 log of a check: failing and unknown verdicts of NSGs in scope, and rule findings. */
export function buildSarif(report: CheckReport, edition: Edition, informationUri: string): object {
  const rules: { id: string; shortDescription: { text: string }; helpUri?: string; properties?: object }[] = [
    ...edition.requirements.filter((r) => r.kind === 'service-tag').map((r) => ({
      id: r.id,
      shortDescription: { text: r.purpose },
      helpUri: r.docs || informationUri,
      properties: { edition: edition.name },
    })),
    ...Object.entries(FINDING_TEXT).map(([id, text]) => ({ id, shortDescription: { text } })),
  ];
  const known = new Set(rules.map((r) => r.id));
  const results: object[] = [];
  for (const nsg of report.nsgs) {
    if (!nsg.inScope) continue;
    for (const req of nsg.requirements) {
      let level: Level | undefined;
      if (req.verdict === 'blocked' || req.verdict === 'partial') level = 'error';
      else if (req.verdict === 'unknown') level = 'note';
      else if (req.verdict === 'allowed-by-default' && report.strict) level = 'warning';
      if (!level) continue;
      if (!known.has(req.id)) {
        // A custom requirement: describe it on first use.
        rules.push({ id: req.id, shortDescription: { text: req.explanation }, helpUri: req.docs || informationUri, properties: { edition: report.edition } });
        known.add(req.id);
      }
      results.push({
        ruleId: req.id,
        level,
        message: { text: `${nsg.name}: ${req.verdict}. ${req.explanation}` },
        locations: location(nsg.file, nsg.line),
        relatedLocations: req.decidedBy.filter((r) => !r.default).flatMap((r, i) => location(r.file, r.line, ruleText(r)).map((l) => ({ id: i, ...l }))),
        properties: { nsg: nsg.name, verdict: req.verdict },
        ...(req.suppressed ? { suppressions: [{ kind: 'inSource' }] } : {}),
      });
    }
    for (const f of nsg.findings) {
      results.push({
        ruleId: f.code,
        level: f.severity,
        message: { text: f.message },
        locations: location(f.file ?? nsg.file, f.line ?? nsg.line),
        properties: { nsg: nsg.name, rule: f.rule },
        ...(f.suppressed ? { suppressions: [{ kind: 'inSource' }] } : {}),
      });
    }
  }
  results.push(...firewallSarifResults(report, rules, known, informationUri));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'amlnet', version: report.tool.version, informationUri, rules } },
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: report.problems.map((p) => ({
          level: p.severity === 'info' ? 'note' : p.severity,
          message: { text: p.message },
          locations: location(p.file, p.line),
        })),
      }],
      results,
    }],
  };
}
