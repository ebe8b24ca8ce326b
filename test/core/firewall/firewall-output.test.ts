import * as assert from 'node:assert/strict';
import { formatCheckText } from '../../../src/cli/format-check-text';
import { buildReport, type Locate } from '../../../src/core/check/check-report';
import { buildSarif } from '../../../src/core/check/sarif';
import { combineVerdicts } from '../../../src/core/firewall/evaluate-firewall';
import { LineIndex } from '../../../src/core/text/line-index';
import { checkFirewallGuarantees } from '../fix/fix-firewall-harness';
import { checkFiles, findFirewallFixtures, firewallSettings } from './firewall-harness';

// The firewall part of the outputs: the JSON report's `firewalls` array, the text block under the
// subnet, SARIF results for firewall failures, and `failing` (the exit code) counting them.

function reportOf(name: string) {
  const f = findFirewallFixtures().find((x) => x.name === name)!;
  const settings = firewallSettings(f.expected.options);
  const { result, texts } = checkFiles([f.entry], settings);
  const locate: Locate = (span) => {
    const { line, character } = new LineIndex(texts.get(span.file)!).positionAt(span.start);
    return { file: span.file, line: line + 1, column: character + 1 };
  };
  return { report: buildReport(result, locate, '0.0.0'), settings, result };
}

describe('firewall output', () => {
  it('JSON: a firewalls entry per subnet, with the route, the firewall, the deciding rules and their lines', () => {
    const { report } = reportOf('arm-classic-rules');
    assert.equal(report.firewalls?.length, 1);
    const s = report.firewalls![0];
    assert.deepEqual([s.vnet, s.subnet, s.inScope, s.region], ['vnet-ml', 'snet-training', true, 'westeurope']);
    assert.deepEqual(s.route, { source: 'user', name: 'default-to-firewall', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.1.4', file: 'test/fixtures/firewall/arm-classic-rules.json', line: 41 });
    assert.deepEqual(s.firewall, { name: 'fw-ml', policy: null, foundBy: 'ip', file: 'test/fixtures/firewall/arm-classic-rules.json', line: 75 });
    assert.deepEqual(s.warnings.map((w) => [w.code, w.line]), [['amlnet-forced-tunnel', 41]]);
    const aml = s.requirements.find((r) => r.id === 'aml-out-azure-machine-learning')!;
    assert.equal(aml.verdict, 'partial');
    // In the fixture, deny-8787 is written on line 96, aml-tags-443 starts on line 106, aml-18881 on 113.
    assert.deepEqual(aml.decidedBy.map((r) => [r.collection, r.rule, r.priority, r.action, r.line]), [
      ['allow-aml', 'aml-tags-443', 200, 'Allow', 106],
      ['deny-rstudio', 'deny-8787', 100, 'Deny', 96],
      ['allow-aml', 'aml-18881', 200, 'Allow', 113],
    ]);
    const conda = s.requirements.find((r) => r.id === 'aml-host-anaconda-com')!;
    assert.deepEqual([conda.kind, conda.target, conda.verdict, conda.missing], ['host', 'anaconda.com', 'blocked', true]);
    assert.deepEqual(conda.decidedBy.map((r) => [r.rule, r.kind, r.default]), [['default deny', 'default', true]]);
    assert.equal(report.failing, true);
    assert.deepEqual(report.firewallSummary, { allowed: 8, blocked: 2, partial: 2, unknown: 0, 'not-applicable': 0 });
    // The NSG and the firewall together: the NSG allows Azure Monitor only by default, the firewall
    // blocks it; Storage passes both, the NSG only by default. Host rows have no NSG verdict.
    const row = (id: string) => s.requirements.find((r) => r.id === id)!;
    assert.deepEqual([row('aml-out-azure-monitor').nsgVerdict, row('aml-out-azure-monitor').combined], ['allowed-by-default', 'blocked']);
    assert.deepEqual([row('aml-out-storage').nsgVerdict, row('aml-out-storage').combined], ['allowed-by-default', 'allowed-by-default']);
    assert.equal(row('aml-host-pypi-org').combined, undefined);
  });

  it('combines the NSG and the firewall: either blocking blocks; a route past the firewall leaves the NSG', () => {
    assert.equal(combineVerdicts('allowed', 'blocked'), 'blocked');
    assert.equal(combineVerdicts('blocked', 'allowed'), 'blocked');
    assert.equal(combineVerdicts('partial', 'unknown'), 'partial');
    assert.equal(combineVerdicts('allowed', 'unknown'), 'unknown');
    assert.equal(combineVerdicts('allowed-by-default', 'allowed'), 'allowed-by-default');
    assert.equal(combineVerdicts('allowed', 'allowed'), 'allowed');
    assert.equal(combineVerdicts('blocked', 'not-applicable'), 'blocked');
    assert.equal(combineVerdicts('not-applicable', 'partial'), 'partial');
  });

  it('the check fails on a firewall failure alone, and passes once the firewall allows everything', () => {
    // bicep-wildcards declares no NSG: only its firewall can fail the check.
    const f = findFirewallFixtures().find((x) => x.name === 'bicep-wildcards')!;
    const settings = firewallSettings(f.expected.options);
    const before = checkFiles([f.entry], settings);
    assert.deepEqual([before.result.nsgs.length, before.result.failing], [0, true]);
    const fixed = checkFirewallGuarantees(f.entry, settings);
    assert.deepEqual(fixed.failures, []);
    const again = checkFiles([f.entry], settings, new Map(fixed.after));
    assert.equal(again.result.failing, false);
  });

  it('text: a firewall block under the subnet, after its NSG', () => {
    const { report } = reportOf('arm-classic-rules');
    const text = formatCheckText(report);
    const lines = text.split('\n');
    const subnet = lines.indexOf('  Subnet snet-training');
    const block = lines.findIndex((l) => l.startsWith('    Firewall fw-ml (test/fixtures/firewall/arm-classic-rules.json:75)'));
    assert.ok(subnet >= 0 && block > subnet, text);
    assert.ok(lines.includes('      0.0.0.0/0 via rt-training: route default-to-firewall to VirtualAppliance 10.0.1.4 (test/fixtures/firewall/arm-classic-rules.json:41)'), text);
    assert.ok(lines.some((l) => l.startsWith('      BLOCKED aml-host-anaconda-com: Missing: no rule allows it')), text);
    assert.ok(lines.some((l) => l.startsWith('      warning amlnet-forced-tunnel: Forced tunnelling: route default-to-firewall')), text);
    assert.match(text, /Firewalls: 1 subnet in scope routed through an appliance: 8 allowed, 2 blocked, 2 partial, 0 unknown\./);
  });

  it('text: a subnet without an NSG gets its own section', () => {
    const text = formatCheckText(reportOf('arm-appliance-not-firewall').report);
    assert.match(text, /Subnets without an NSG, routed through an appliance\n {2}Subnet vnet-spoke\/snet-ci .*\n {4}Next hop 10\.3\.0\.4: route to-nva \(0\.0\.0\.0\/0 to VirtualAppliance 10\.3\.0\.4\): next hop 10\.3\.0\.4 is not a firewall declared here/);
  });

  it('SARIF: errors for blocked and partial firewall verdicts, notes for unknown, a warning for forced tunnelling', () => {
    const { report, settings } = reportOf('arm-classic-rules');
    const sarif = buildSarif(report, settings.edition, 'https://example.test') as { runs: { results: { ruleId: string; level: string; properties: { subnet?: string } }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    const fw = sarif.runs[0].results.filter((r) => r.properties.subnet === 'vnet-ml/snet-training').map((r) => `${r.level} ${r.ruleId}`);
    assert.deepEqual(fw.sort(), [
      'error aml-host-anaconda-com',
      'error aml-out-azure-active-directory',
      'error aml-out-azure-machine-learning',
      'error aml-out-azure-monitor',
      'warning amlnet-forced-tunnel',
    ]);
    const ids = new Set(sarif.runs[0].tool.driver.rules.map((r) => r.id));
    for (const id of ['aml-host-anaconda-com', 'amlnet-forced-tunnel']) assert.ok(ids.has(id), id);
  });
});
