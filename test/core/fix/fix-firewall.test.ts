/**
 * The fix guarantees for firewall fixes, as properties over every firewall fixture and over
 * mutated copies (random rules removed from the collections): the result re-parses with no new
 * errors, bytes outside the insertions are unchanged, collection priorities stay unique, a second
 * fix-all is a no-op, and a re-check shows every fixed requirement allowed.
 */
import * as assert from 'node:assert/strict';
import { fixAllFirewalls } from '../../../src/core/fix/fix-firewall';
import { applyEdits } from '../../../src/core/fix/text-edit';
import { mulberry32 as random } from '../../support/seeded-random';
import { checkFiles, findFirewallFixtures, firewallSettings, type FirewallFixture } from '../firewall/firewall-harness';
import { checkFirewallGuarantees } from './fix-firewall-harness';

const FIXTURES = findFirewallFixtures();

/** The fixture's files with some firewall rules removed (with the comma that separates them, in JSON). */
function mutate(f: FirewallFixture, seed: number): Map<string, string> {
  const rnd = random(seed);
  const { result, texts } = checkFiles([f.entry], firewallSettings(f.expected.options));
  const cuts = new Map<string, { start: number; end: number }[]>();
  const seen = new Set<string>();
  for (const c of result.firewalls ?? []) {
    for (const col of c.rules?.collections ?? []) {
      for (const r of col.rules) {
        if (!r.span || seen.has(`${r.span.file}@${r.span.start}`) || rnd() >= 0.4) continue;
        seen.add(`${r.span.file}@${r.span.start}`);
        const text = texts.get(r.span.file)!;
        let { start, end } = r.span;
        if (r.span.file.endsWith('.json')) {
          const after = /^\s*,/.exec(text.slice(end));
          if (after) end += after[0].length;
          else {
            const before = /,\s*$/.exec(text.slice(0, start));
            if (before) start -= before[0].length;
          }
        }
        cuts.set(r.span.file, [...(cuts.get(r.span.file) ?? []), { start, end }]);
      }
    }
  }
  const out = new Map<string, string>();
  for (const [file, list] of cuts) {
    let text = texts.get(file)!;
    const kept = list.sort((a, b) => a.start - b.start).filter((e, i, all) => i === 0 || all[i - 1].end <= e.start);
    for (const e of kept.reverse()) text = text.slice(0, e.start) + text.slice(e.end);
    out.set(file, text);
  }
  return out;
}

describe('firewall fixes', () => {
  it('adds the missing rules of the fixtures to the right collections, in the file\'s style', () => {
    const f = FIXTURES.find((x) => x.name === 'arm-classic-rules')!;
    const { result, texts } = checkFiles([f.entry], firewallSettings(f.expected.options));
    const fix = fixAllFirewalls(result.firewalls ?? [], texts);
    // TCP 80 to AzureActiveDirectory and AzureMonitor into the Allow network collection (200, after
    // nothing that denies them); anaconda.com into the Allow application collection.
    assert.deepEqual(fix.rules.map((r) => `${r.kind} ${r.collection}/${r.rule}`).sort(), [
      'application allow-packages/aml-host-anaconda-com',
      'network allow-aml/aml-out-azure-active-directory',
      'network allow-aml/aml-out-azure-monitor',
    ]);
    // 8787 to AzureMachineLearning is denied at priority 100: no collection can come before it.
    assert.deepEqual(fix.skipped.map((s) => `${s.requirementId}: ${s.reason}`), ['aml-out-azure-machine-learning: no free collection priority before 100']);
    const text = applyEdits(texts.get(f.entry)!, fix.edits);
    assert.match(text, /\n {16}\{\n {18}"name": "aml-host-anaconda-com",\n {18}"protocols": \[\n {20}\{\n {22}"protocolType": "Https",\n {22}"port": 443\n {20}\}\n {18}\],\n {18}"sourceAddresses": \["10\.0\.2\.0\/24"\],\n {18}"targetFqdns": \["anaconda\.com"\]\n {16}\}/);
  });

  it('says why it cannot fix: a deny in the base policy, a route that drops, no firewall', () => {
    const reasons = (name: string) => {
      const f = FIXTURES.find((x) => x.name === name)!;
      const { result, texts } = checkFiles([f.entry], firewallSettings(f.expected.options));
      return fixAllFirewalls(result.firewalls ?? [], texts).skipped.map((s) => `${s.requirementId}: ${s.reason}`);
    };
    assert.ok(reasons('bicep-policy-groups').includes('aml-host-wildcard-anaconda-org: denied by no-anaconda-org of base policy fwp-base, which comes before every rule of fwp-ml'));
    assert.ok(reasons('arm-appliance-not-firewall').some((r) => r.startsWith('aml-out-azure-active-directory: no firewall to add a rule to')));
  });

  it('adds a network rule collection list to a classic firewall that has none (Bicep)', () => {
    const f = FIXTURES.find((x) => x.name === 'bicep-wildcards')!;
    const report = checkFirewallGuarantees(f.entry, firewallSettings(f.expected.options));
    assert.deepEqual(report.failures, []);
    assert.equal(report.skipped, 0);
    assert.match(report.after.get(f.entry)!, /\n {4}networkRuleCollections: \[\n {6}\{\n {8}name: 'AllowAzureMLNetwork'\n {8}properties: \{\n {10}priority: 300\n/);
  });
});

describe('firewall fixes for TCP and UDP host rows', () => {
  it('adds a network rule with the destination FQDN when DNS proxy is on (UDP 5831 to <region>.tundra.azureml.ms)', () => {
    const f = FIXTURES.find((x) => x.name === 'arm-policy-2025')!;
    const settings = firewallSettings(f.expected.options);
    const { texts } = checkFiles([f.entry], settings);
    const text = texts.get(f.entry)!;
    // Without the fixture's `aml-udp` and `tundra` rules, nothing allows UDP 5831 (an unknown
    // verdict would not be fixed: only blocked and partial ones are).
    let cut = text;
    for (const name of ['aml-udp', 'tundra']) {
      const start = cut.lastIndexOf('{', cut.indexOf(`"name": "${name}"`));
      const end = cut.indexOf(']', cut.indexOf('"destinationPorts"', start)) + 1;
      const close = cut.indexOf('}', end) + 1;
      cut = cut.slice(0, start) + cut.slice(close).replace(/^,\s*/, '');
    }
    assert.ok(!cut.includes('"tundra"') && !cut.includes('"aml-udp"'));
    const report = checkFirewallGuarantees(f.entry, settings, new Map([[f.entry, cut]]));
    assert.deepEqual(report.failures, []);
    const after = report.after.get(f.entry)!;
    // In the order of the collection's first rule (destinationFqdns, which it lacks, last).
    assert.match(after, /"name": "aml-host-region-tundra-azureml-ms",\n\s+"ipProtocols": \["UDP"\],\n\s+"sourceAddresses": \["10\.5\.1\.0\/24"\],\n\s+"destinationPorts": \["5831"\],\n\s+"destinationFqdns": \["westeurope\.tundra\.azureml\.ms"\]\n/);
    // A wildcard host on TCP cannot be a network rule FQDN: said, not written.
    assert.ok(report.fix.skipped.some((k) => k.requirementId === 'aml-host-wildcard-instances-azureml-ms' && k.reason.includes('take no wildcards')));
  });
});

const totals = { runs: 0, fixed: 0, rules: 0, skipped: 0 };
after(() => console.log(`      firewall fix properties: ${totals.runs} workspaces, ${totals.fixed} requirements fixed, ${totals.rules} rules added, ${totals.skipped} skipped`));

describe('firewall fix guarantees over the fixtures', () => {
  for (const f of FIXTURES) {
    it(f.name, () => {
      const report = checkFirewallGuarantees(f.entry, firewallSettings(f.expected.options));
      totals.runs++;
      totals.fixed += report.fixed;
      totals.rules += report.rulesAdded;
      totals.skipped += report.skipped;
      assert.deepEqual(report.failures, []);
    });
  }
});

describe('firewall fix guarantees over mutated fixtures', () => {
  for (const f of FIXTURES) {
    it(`${f.name}: 8 mutations`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const texts = mutate(f, seed * 7919 + f.name.length);
        const report = checkFirewallGuarantees(f.entry, firewallSettings(f.expected.options), texts);
        totals.runs++;
        totals.fixed += report.fixed;
        totals.rules += report.rulesAdded;
        totals.skipped += report.skipped;
        assert.deepEqual(report.failures, [], `seed ${seed}`);
      }
    });
  }
});
