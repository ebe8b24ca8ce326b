import * as assert from 'node:assert/strict';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel, type CheckSettings } from '../../../src/core/check/check-model';
import { buildReport } from '../../../src/core/check/check-report';
import { formatCheckText } from '../../../src/cli/format-check-text';
import { unknown } from '../../../src/core/maybe';
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

  describe('options known only at deployment', () => {
    const unknownIp = (name: string, subnetName: string): AmlComputeModel => ({ ...compute(name, subnetName, true), publicIp: { value: unknown('nodePublicIp is only known at deployment'), span: span(500) } });
    const unknownHbi: AmlWorkspaceModel = { ...workspace(false), hbi: { value: unknown('hbi is only known at deployment'), span: span(300) } };
    const denyAllIn = inbound('DenyAllIn', 4000, 'Deny', ['*'], ['*'], { protocol: '*' });
    const allowBatch = inbound('AllowBatch', 100, 'Allow', ['BatchNodeManagement'], ['29876-29877']);

    it('reports an unknown public IP as unknown, naming the compute and why, not as the default', () => {
      const result = checkModel(model({ nsgs: [nsgModel('nsg', [])], subnets: [subnet('compute', 'nsg')], computes: [unknownIp('cluster', 'compute')] }), settings());
      const o = result.nsgs[0].options.publicIp;
      assert.deepEqual(o, { value: undefined, origin: { kind: 'template', element: 'cluster', span: span(500) }, unknown: { element: 'cluster', span: span(500), reason: 'enableNodePublicIp: nodePublicIp is only known at deployment' } });
      const report = buildReport(result, (s) => ({ file: s.file, line: 3, column: 1 }), '0');
      assert.deepEqual(report.nsgs[0].options.publicIp, { value: null, origin: 'template', from: 'cluster', file: 'main.bicep', line: 3, reason: 'enableNodePublicIp: nodePublicIp is only known at deployment' });
      assert.match(formatCheckText(report), /public IP unknown \[from cluster \(main\.bicep:3\): enableNodePublicIp: nodePublicIp is only known at deployment\]/);
    });

    it('judges the rows of every value: a row that would fail is unknown and says why, a met row keeps its verdict', () => {
      const result = checkModel(model({ nsgs: [nsgModel('nsg', [allowBatch, denyAllIn])], subnets: [subnet('compute', 'nsg')], computes: [unknownIp('cluster', 'compute')] }), settings());
      const n = result.nsgs[0];
      const verdicts = Object.fromEntries(n.verdicts.filter((v) => v.direction === 'Inbound').map((v) => [v.id, v.verdict]));
      assert.deepEqual(verdicts, { 'aml-in-batch-node-management': 'allowed', 'aml-in-azure-machine-learning': 'unknown', 'aml-in-vnet-batch': 'unknown', 'aml-in-load-balancer': 'unknown' });
      const aml = n.verdicts.find((v) => v.id === 'aml-in-azure-machine-learning')!;
      assert.equal(aml.unknownBecause![0], 'it applies only for computes with a public IP, and cluster does not tell (enableNodePublicIp: nodePublicIp is only known at deployment)');
      assert.match(aml.explanation, /^Unknown: .*\. If it applies: Blocked: /);
      assert.equal(result.failing, false);
      // A row that applies whatever the value is judged as always: it still fails.
      const out = checkModel(model({ nsgs: [nsgModel('nsg', [denyAllOut])], subnets: [subnet('compute', 'nsg')], computes: [unknownIp('cluster', 'compute')] }), settings());
      assert.equal(verdictOf(out, 'nsg', 'aml-out-storage'), 'blocked');
      assert.equal(out.failing, true);
    });

    it('takes the value of a flag or setting the user gave, saying the template could not tell', () => {
      const result = checkModel(
        model({ nsgs: [nsgModel('nsg', [denyAllIn])], subnets: [subnet('compute', 'nsg')], computes: [unknownIp('cluster', 'compute')] }),
        settings({ options: { ...defaultOptions(), publicIp: false }, origins: { publicIp: 'flag' } }),
      );
      const n = result.nsgs[0];
      assert.deepEqual([n.options.publicIp.value, n.options.publicIp.origin, n.options.publicIp.unknown?.element], [false, { kind: 'flag' }, 'cluster']);
      assert.equal(verdictOf(result, 'nsg', 'aml-in-vnet-batch'), 'blocked');
      assert.equal(verdictOf(result, 'nsg', 'aml-in-batch-node-management'), 'not-applicable');
      const text = formatCheckText(buildReport(result, (s) => ({ file: s.file, line: 3, column: 1 }), '0'));
      assert.match(text, /public IP no \[flag, as cluster \(main\.bicep:3\) does not tell: enableNodePublicIp: nodePublicIp is only known at deployment\]/);
    });

    it('does not take the default as if the user had given it', () => {
      const result = checkModel(model({ nsgs: [nsgModel('nsg', [denyAllIn])], subnets: [subnet('compute', 'nsg')], computes: [unknownIp('cluster', 'compute')] }), settings());
      assert.equal(verdictOf(result, 'nsg', 'aml-in-batch-node-management'), 'unknown');
    });

    it('treats an unknown hbi flag the same way: the key vault row is unknown, not silently not applicable', () => {
      const kvDeny = outbound('DenyKeyVault', 100, 'Deny', ['AzureKeyVault'], ['443']);
      const result = checkModel(model({ nsgs: [nsgModel('nsg', [kvDeny])], subnets: [subnet('compute', 'nsg')], computes: [compute('cluster', 'compute', true)], workspaces: [unknownHbi] }), settings());
      assert.equal(result.nsgs[0].options.hbi.value, undefined);
      assert.equal(verdictOf(result, 'nsg', 'aml-out-key-vault'), 'unknown');
      assert.match(result.nsgs[0].verdicts.find((v) => v.id === 'aml-out-key-vault')!.unknownBecause![0], /only for an hbi workspace, and ws does not tell \(hbiWorkspace: hbi is only known at deployment\)/);
    });

    it('takes the hbi flag of the workspace the templates declare under the name of an existing one', () => {
      const existing: AmlWorkspaceModel = { ...unknownHbi, key: 'module.bicep#ws', hbi: { value: unknown('the workspace ws is declared `existing`: its settings are in Azure') } };
      const declaredWs: AmlWorkspaceModel = { ...workspace(true), key: 'main.bicep#declared' };
      const c: AmlComputeModel = { ...compute('cluster', 'compute', true), workspace: { target: 'module.bicep#ws', text: 'ws' } };
      const result = checkModel(model({ nsgs: [nsgModel('nsg', [])], subnets: [subnet('compute', 'nsg')], computes: [c], workspaces: [existing, declaredWs] }), settings());
      assert.equal(result.nsgs[0].options.hbi.value, true);
      assert.equal(verdictOf(result, 'nsg', 'aml-out-key-vault'), 'allowed-by-default');
      // A name made from a parameter may be any workspace: the flag stays unknown.
      const byParam = checkModel(model({
        nsgs: [nsgModel('nsg', [])],
        subnets: [subnet('compute', 'nsg')],
        computes: [c],
        workspaces: [{ ...existing, name: '{workspaceName}' }, { ...declaredWs, name: '{workspaceName}' }],
      }), settings());
      assert.equal(byParam.nsgs[0].options.hbi.value, undefined);
    });

    it('combines a known and an unknown compute: the known value applies for certain, the other may', () => {
      const result = checkModel(model({
        nsgs: [nsgModel('nsg', [denyAllIn])],
        subnets: [subnet('compute', 'nsg')],
        computes: [compute('with-ip', 'compute', true), unknownIp('maybe', 'compute')],
      }), settings());
      assert.equal(verdictOf(result, 'nsg', 'aml-in-batch-node-management'), 'blocked');
      assert.equal(verdictOf(result, 'nsg', 'aml-in-vnet-batch'), 'unknown');
      assert.equal(result.failing, true);
    });

    it('in strict mode, a row met only by default that may not apply is unknown (rows that apply still fail)', () => {
      const result = checkModel(model({ nsgs: [nsgModel('nsg', [])], subnets: [subnet('compute', 'nsg')], computes: [unknownIp('cluster', 'compute')] }), settings({ strict: true }));
      assert.equal(verdictOf(result, 'nsg', 'aml-in-vnet-batch'), 'unknown');
      assert.equal(verdictOf(result, 'nsg', 'aml-in-batch-node-management'), 'unknown');
      assert.equal(verdictOf(result, 'nsg', 'aml-out-storage'), 'allowed-by-default');
      assert.equal(result.failing, true);
    });
  });

  it('reports rule findings beside the verdicts', () => {
    const result = checkModel(model({ nsgs: [nsgModel('nsg', [outbound('A', 100, 'Allow', ['Storag'], ['443']), outbound('B', 100, 'Allow', ['Storage'], ['443'])])] }), settings());
    assert.deepEqual(result.nsgs[0].findings.map((f) => f.code), ['amlnet-unknown-tag', 'amlnet-duplicate-priority']);
  });
});
