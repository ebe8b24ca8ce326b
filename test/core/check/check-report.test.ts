import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv4 from 'ajv-draft-04';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel } from '../../../src/core/check/check-model';
import { buildReport, type Locate } from '../../../src/core/check/check-report';
import { buildSarif } from '../../../src/core/check/sarif';
import type { NsgModel, RuleModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import type { SecurityRule } from '../../../src/core/nsg';
import { regionNamed } from '../../../src/core/region';
import { outbound } from '../builders';

const FILE = 'infra/main.bicep';
// Offsets stand for lines in these tests: offset 100 is line 2, 200 line 3, ...
const locate: Locate = (span) => ({ file: span.file, line: Math.floor(span.start / 100) + 1, column: 1 });
const at = (line: number) => ({ file: FILE, start: (line - 1) * 100, end: (line - 1) * 100 + 5 });

function ruleAt(r: SecurityRule, line: number): RuleModel {
  return { ...r, origin: { span: at(line), style: 'inline', properties: {} } };
}

function sampleModel(denyInternet = true): WorkspaceModel {
  const nsg: NsgModel = {
    kind: 'nsg', key: 'k-nsg', name: 'nsg-compute', location: regionNamed('westeurope'), ruleStyle: 'inline', span: at(10), nameSpan: at(11),
    rules: [
      ruleAt(outbound('AllowStorage', 100, 'Allow', ['Storage.westeurope'], ['443']), 20),
      ruleAt(outbound('DenyInternet', 4000, 'Deny', ['Internet'], ['*'], { protocol: '*' }), 30),
      ruleAt(outbound('Typo', 200, 'Allow', ['Storag'], ['443']), 40),
    ].filter((r) => denyInternet || r.name !== 'DenyInternet'),
  };
  return {
    vnets: [{ kind: 'vnet', key: 'k-vnet', name: 'vnet-ml', addressPrefixes: { value: ['10.0.0.0/16'] }, subnets: ['k-snet'] }],
    subnets: [{ kind: 'subnet', key: 'k-snet', name: 'snet-compute', vnet: 'k-vnet', addressPrefixes: { value: ['10.0.1.0/24'] }, nsg: { target: 'k-nsg', text: 'nsg.id' }, delegations: [], nameSpan: at(5) }],
    nsgs: [nsg],
    nics: [], routeTables: [], firewalls: [],
    workspaces: [{ kind: 'aml-workspace', key: 'k-ws', name: 'mlw', hbi: { value: false, span: at(60) }, location: { value: regionNamed('westeurope') } }],
    computes: [{ kind: 'aml-compute', key: 'k-cc', name: 'cpu-cluster', computeType: { value: 'AmlCompute' }, workspace: { target: 'k-ws', text: 'mlw' }, subnet: { target: 'k-snet', text: 'snet.id' }, publicIp: { value: true, span: at(70) } }],
    problems: [{ file: 'infra/broken.bicep', severity: 'error', message: 'expected }', span: { file: 'infra/broken.bicep', start: 250, end: 251 } }],
  };
}

function run(strict = false, denyInternet = true) {
  const edition = getEdition('2022-09');
  const result = checkModel(sampleModel(denyInternet), { edition, options: defaultOptions(), origins: {}, scope: 'auto', strict });
  return { edition, report: buildReport(result, locate, '9.9.9') };
}

describe('check-report', () => {
  it('reports each NSG with its place, subnets, options and their origins', () => {
    const { report } = run();
    assert.equal(report.version, 1);
    assert.equal(report.failing, true);
    const nsg = report.nsgs[0];
    assert.deepEqual([nsg.name, nsg.file, nsg.line], ['nsg-compute', FILE, 11]);
    assert.deepEqual(nsg.subnets, [{ vnet: 'vnet-ml', name: 'snet-compute', file: FILE, line: 5 }]);
    assert.deepEqual(nsg.options.publicIp, { value: true, origin: 'template', from: 'cpu-cluster', file: FILE, line: 70 });
    assert.deepEqual(nsg.options.region, { value: 'westeurope', origin: 'template', from: 'nsg-compute', file: FILE, line: 10 });
    assert.deepEqual(nsg.scopeReasons, ['Azure ML compute cpu-cluster uses subnet snet-compute']);
  });

  it('gives each requirement its verdict, per-port breakdown and deciding rules with file:line', () => {
    const { report } = run();
    const storage = report.nsgs[0].requirements.find((r) => r.id === 'aml-out-storage')!;
    assert.equal(storage.verdict, 'allowed');
    assert.deepEqual(storage.decidedBy, [{ nsg: 'nsg-compute', rule: 'AllowStorage', priority: 100, access: 'Allow', default: false, file: FILE, line: 20 }]);
    const aad = report.nsgs[0].requirements.find((r) => r.id === 'aml-out-azure-active-directory')!;
    assert.equal(aad.verdict, 'blocked');
    assert.deepEqual(aad.ports.map((p) => [p.protocol, p.ports, p.outcome, p.decidedBy[0].rule, p.decidedBy[0].line]), [['Tcp', '80, 443', 'blocked', 'DenyInternet', 30]]);
    assert.equal(report.nsgs[0].requirements.find((r) => r.id === 'aml-in-vnet-batch')!.verdict, 'not-applicable');
    assert.deepEqual(report.nsgs[0].findings.map((f) => [f.code, f.line, f.suggestion]), [['amlnet-unknown-tag', 40, 'Storage']]);
    assert.equal(report.summary.allowed, 1);
    assert.equal(report.summary.blocked + report.summary.partial > 0, true);
    assert.deepEqual(report.problems, [{ severity: 'error', message: 'expected }', file: 'infra/broken.bicep', line: 3 }]);
  });

  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    const { edition, report } = run(true);
    const sarif = buildSarif(report, edition, 'https://example.invalid/amlnet') as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { region: { startLine: number } } }[]; relatedLocations: unknown[] }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // The official schema has a pattern that is not valid as a unicode regular expression.
    const ajv = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 1));
    const results = sarif.runs[0].results;
    const aad = results.find((r) => r.ruleId === 'aml-out-azure-active-directory')!;
    assert.equal(aad.level, 'error');
    assert.equal(aad.locations[0].physicalLocation.region.startLine, 11);
    assert.equal(aad.relatedLocations.length, 1);
    assert.ok(results.some((r) => r.ruleId === 'amlnet-unknown-tag' && r.level === 'error'));
    assert.ok(sarif.runs[0].tool.driver.rules.some((r) => r.id === 'aml-out-storage'));
    // Strict mode reports allowed-by-default as warnings; a plain run does not.
    const sarifOf = (strict: boolean) => buildSarif(run(strict, false).report, edition, 'https://example.invalid/amlnet') as typeof sarif;
    assert.ok(sarifOf(true).runs[0].results.some((r) => r.ruleId === 'aml-out-azure-monitor' && r.level === 'warning'));
    assert.ok(!sarifOf(false).runs[0].results.some((r) => r.level === 'warning'));
  });
});
