import * as assert from 'node:assert/strict';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel, type CheckSettings } from '../../../src/core/check/check-model';
import type { AmlComputeModel, AmlWorkspaceModel, NsgModel, RuleModel, SubnetModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import { regionNamed } from '../../../src/core/region';
import type { SecurityRule } from '../../../src/core/nsg';
import { inbound, outbound } from '../builders';

const span = (start: number) => ({ file: 'main.bicep', start, end: start + 10 });

function nsgModel(name: string, rules: SecurityRule[], location = regionNamed('westeurope')): NsgModel {
  return { kind: 'nsg', key: `main.bicep#${name}`, name, location, rules: rules as RuleModel[], ruleStyle: 'inline', span: span(0) };
}
function subnet(name: string, nsg?: string, prefixes: string[] = ['10.0.1.0/24']): SubnetModel {
  return { kind: 'subnet', key: `main.bicep#vnet/${name}`, name, vnet: 'main.bicep#vnet', addressPrefixes: { value: prefixes }, nsg: nsg ? { target: `main.bicep#${nsg}`, text: `${nsg}.id` } : undefined, delegations: [] };
}
function compute(name: string, subnetName: string, publicIp: boolean): AmlComputeModel {
  return { kind: 'aml-compute', key: `main.bicep#${name}`, name, computeType: { value: 'AmlCompute' }, workspace: { target: 'main.bicep#ws', text: 'ws' }, subnet: { target: `main.bicep#vnet/${subnetName}`, text: 'subnet.id' }, publicIp: { value: publicIp, span: span(500) } };
}
const workspace = (hbi: boolean): AmlWorkspaceModel => ({ kind: 'aml-workspace', key: 'main.bicep#ws', name: 'ws', hbi: { value: hbi, span: span(300) }, location: { value: regionNamed('westeurope') } });

function model(over: Partial<WorkspaceModel>): WorkspaceModel {
  return { vnets: [{ kind: 'vnet', key: 'main.bicep#vnet', name: 'vnet', addressPrefixes: { value: ['10.0.0.0/16'] }, subnets: [] }], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls: [], problems: [], ...over };
}
function settings(over: Partial<CheckSettings> = {}): CheckSettings {
  return { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'auto', strict: false, ...over };
}
const verdictOf = (m: ReturnType<typeof checkModel>, nsg: string, id: string) => m.nsgs.find((n) => n.nsg.name === nsg)!.verdicts.find((v) => v.id === id)!.verdict;

const denyAllOut = outbound('DenyAllOut', 4000, 'Deny', ['*'], ['*'], { sourceAddresses: ['*'], protocol: '*' });

describe('check-model', () => {
  it('puts NSGs in scope by compute subnet, by an AzureMachineLearning rule, or by a mark', () => {
    const result = checkModel(model({
      nsgs: [
        nsgModel('nsg-compute', []),
        nsgModel('nsg-tagged', [inbound('AllowAml', 100, 'Allow', ['AzureMachineLearning'], ['44224'])]),
        { ...nsgModel('nsg-marked', []), marked: true },
        nsgModel('nsg-other', []),
      ],
      subnets: [subnet('compute', 'nsg-compute'), subnet('web', 'nsg-other', ['10.0.2.0/24'])],
      computes: [compute('cluster', 'compute', true)],
    }), settings({ markedNsgs: [] }));
    const scope = Object.fromEntries(result.nsgs.map((n) => [n.nsg.name, [n.inScope, n.scopeReasons[0]]]));
    assert.deepEqual(scope['nsg-compute'], [true, 'Azure ML compute cluster uses subnet compute']);
    assert.deepEqual(scope['nsg-tagged'], [true, 'it has a rule with the AzureMachineLearning service tag']);
    assert.deepEqual(scope['nsg-marked'], [true, 'it is marked in the template (amlnet-check)']);
    assert.equal(scope['nsg-other'][0], false);
    const all = checkModel(model({ nsgs: [nsgModel('nsg-other', [])] }), settings({ scope: 'all' }));
    assert.equal(all.nsgs[0].inScope, true);
    const bySetting = checkModel(model({ nsgs: [nsgModel('nsg-other', [])] }), settings({ markedNsgs: ['NSG-OTHER'] }));
    assert.deepEqual(bySetting.nsgs[0].scopeReasons, ['it is marked in the settings']);
  });

  it('reads public IP from the compute and hbi from its workspace, saying where from', () => {
    const result = checkModel(model({
      nsgs: [nsgModel('nsg-compute', [])],
      subnets: [subnet('compute', 'nsg-compute')],
      computes: [compute('cluster', 'compute', false)],
      workspaces: [workspace(true)],
    }), settings());
    const n = result.nsgs[0];
    assert.deepEqual([n.options.publicIp.value, n.options.publicIp.origin], [false, { kind: 'template', element: 'cluster', span: span(500) }]);
    assert.deepEqual([n.options.hbi.value, n.options.hbi.origin.kind], [true, 'template']);
    assert.equal(verdictOf(result, 'nsg-compute', 'aml-in-batch-node-management'), 'not-applicable');
    assert.equal(verdictOf(result, 'nsg-compute', 'aml-in-vnet-batch'), 'allowed-by-default');
    assert.equal(verdictOf(result, 'nsg-compute', 'aml-out-key-vault'), 'allowed-by-default');
  });

  it('falls back to the user options, with their origin, when no template declares them', () => {
    const result = checkModel(model({ nsgs: [nsgModel('nsg', [])] }), settings({ options: { ...defaultOptions(), hbi: true }, origins: { hbi: 'flag' } }));
    assert.deepEqual(result.nsgs[0].options.hbi, { value: true, origin: { kind: 'flag' } });
    assert.deepEqual(result.nsgs[0].options.publicIp, { value: true, origin: { kind: 'default' } });
  });

  it('checks the requirements of every compute when computes on one NSG disagree', () => {
    const result = checkModel(model({
      nsgs: [nsgModel('nsg-compute', [])],
      subnets: [subnet('compute', 'nsg-compute')],
      computes: [compute('with-ip', 'compute', true), compute('without-ip', 'compute', false)],
    }), settings());
    assert.equal(verdictOf(result, 'nsg-compute', 'aml-in-batch-node-management'), 'blocked');
    assert.equal(verdictOf(result, 'nsg-compute', 'aml-in-vnet-batch'), 'allowed-by-default');
  });

  it("uses the NSG's own location over the region the user gave", () => {
    const rules = [outbound('AllowStorage', 100, 'Allow', ['Storage.westeurope'], ['443']), denyAllOut];
    const result = checkModel(model({ nsgs: [nsgModel('nsg', rules)] }), settings({ options: { ...defaultOptions(), region: 'westus' } }));
    assert.equal(verdictOf(result, 'nsg', 'aml-out-storage'), 'allowed');
    assert.deepEqual(result.nsgs[0].options.region.origin.kind, 'template');
  });

  it('fails only for NSGs in scope, and on allowed-by-default only when strict', () => {
    const blockedOutOfScope = checkModel(model({ nsgs: [nsgModel('nsg-other', [denyAllOut])] }), settings());
    assert.equal(blockedOutOfScope.failing, false);
    const blockedInScope = checkModel(model({ nsgs: [nsgModel('nsg-other', [denyAllOut])] }), settings({ scope: 'all' }));
    assert.equal(blockedInScope.failing, true);
    const defaults = checkModel(model({ nsgs: [nsgModel('nsg', [inbound('AllowAll', 100, 'Allow', ['*'], ['*'], { protocol: '*' })])] }), settings({ scope: 'all' }));
    assert.equal(defaults.failing, false);
    assert.equal(checkModel(model({ nsgs: [nsgModel('nsg', [inbound('AllowAll', 100, 'Allow', ['*'], ['*'], { protocol: '*' })])] }), settings({ scope: 'all', strict: true })).failing, true);
  });

  it('judges CIDR rules against the subnet prefix from the model', () => {
    const rules = [outbound('DenyFromCompute', 100, 'Deny', ['*'], ['*'], { sourceAddresses: ['10.0.1.0/24'], protocol: '*' })];
    const result = checkModel(model({ nsgs: [nsgModel('nsg', rules)], subnets: [subnet('compute', 'nsg')] }), settings());
    assert.equal(verdictOf(result, 'nsg', 'aml-out-storage'), 'blocked');
    const other = checkModel(model({ nsgs: [nsgModel('nsg', rules)], subnets: [subnet('compute', 'nsg', ['10.0.9.0/24'])] }), settings());
    assert.equal(verdictOf(other, 'nsg', 'aml-out-storage'), 'allowed-by-default');
  });

  it('reports rule findings beside the verdicts', () => {
    const result = checkModel(model({ nsgs: [nsgModel('nsg', [outbound('A', 100, 'Allow', ['Storag'], ['443']), outbound('B', 100, 'Allow', ['Storage'], ['443'])])] }), settings());
    assert.deepEqual(result.nsgs[0].findings.map((f) => f.code), ['amlnet-unknown-tag', 'amlnet-duplicate-priority']);
  });
});
