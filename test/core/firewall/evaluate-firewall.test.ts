import * as assert from 'node:assert/strict';
import type { RelationEnv } from '../../../src/core/address-relation';
import { evaluateFlow, flowsOf, type FirewallEnv, type FirewallOutcome, type FlowTarget } from '../../../src/core/firewall/evaluate-firewall';
import { firewallRules } from '../../../src/core/firewall/firewall-rules';
import { requiredHost } from '../../../src/core/firewall/fqdn';
import { IpSet } from '../../../src/core/ip-range';
import { unknown } from '../../../src/core/maybe';
import type { FirewallModel, RuleCollectionModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import { regionNamed } from '../../../src/core/region';

// Rule processing as the Azure Firewall docs give it: network rules before application rules,
// inherited rule collection groups first, then group priority, then collection priority; rules
// are terminating; anything unmatched is denied.

const SUBNET = ['10.0.2.0/24'];
const relation: RelationEnv = { context: { region: regionNamed('westeurope'), subnetPrefixes: SUBNET }, regionAliases: new Map(), subnetPrefixes: IpSet.fromCidrs(SUBNET) };
const env: FirewallEnv = { relation };

function model(firewalls: FirewallModel[]): WorkspaceModel {
  return { vnets: [], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls, problems: [] };
}

function classic(name: string, kind: 'network' | 'application', priority: number | undefined, action: string, rules: object[]): RuleCollectionModel {
  return { name, kind, priority: { value: priority ?? unknown('parameter p has no value') }, raw: { name, properties: { priority, action: { type: action }, rules } } };
}

function policyCollection(group: string, groupPriority: number, name: string, priority: number | undefined, action: string, rules: object[]): RuleCollectionModel {
  return {
    name, kind: 'FirewallPolicyFilterRuleCollection', priority: { value: priority ?? unknown('parameter p has no value') },
    raw: { ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name, priority, action: { type: action }, rules },
    group: { name: group, priority: { value: groupPriority } },
  };
}

function fw(collections: RuleCollectionModel[], extra: Partial<FirewallModel> = {}): FirewallModel {
  return { kind: 'firewall', key: 'fw', name: 'fw', ruleCollections: collections, ...extra };
}

const net = (name: string, dest: string[], ports: string[], extra: object = {}) => ({ name, protocols: ['TCP'], sourceAddresses: SUBNET, destinationAddresses: dest, destinationPorts: ports, ...extra });
const app = (name: string, fqdns: string[], extra: object = {}) => ({ name, protocols: [{ protocolType: 'Https', port: 443 }], sourceAddresses: ['*'], targetFqdns: fqdns, ...extra });
const tag = (base: string, region?: string): FlowTarget => ({ kind: 'address', target: { kind: 'tag', base, ...(region ? { region: regionNamed(region) } : {}) } });

function host(text: string): FlowTarget {
  const h = requiredHost(text);
  return { kind: 'name', set: h.parts[0].set, label: h.parts[0].label, regionUnknown: h.regionUnknown };
}

function judge(m: WorkspaceModel, f: FirewallModel, target: FlowTarget, ports = ['443'], l7?: 'Https'): FirewallOutcome[] {
  const rules = firewallRules(m, f);
  return flowsOf(['TCP'], ports, target, rules, l7).map((flow) => evaluateFlow(rules, flow, env));
}

function one(m: WorkspaceModel, f: FirewallModel, target: FlowTarget, l7?: 'Https'): FirewallOutcome {
  const rows = judge(m, f, target, ['443'], l7);
  assert.equal(rows.length, 1);
  return rows[0];
}

describe('firewall engine: order', () => {
  it('classic collections run by priority: an Allow at 200 comes before a Deny at 300', () => {
    const f = fw([classic('deny', 'network', 300, 'Deny', [net('d', ['*'], ['*'])]), classic('allow', 'network', 200, 'Allow', [net('a', ['Storage.westeurope'], ['443'])])]);
    const o = one(model([f]), f, tag('Storage', 'westeurope'));
    assert.equal(o.outcome, 'allowed');
    assert.deepEqual(o.decidedBy.map((r) => r.rule), ['a']);
  });

  it('network rules come before application rules whatever the priorities', () => {
    const f = fw([classic('apps', 'application', 100, 'Allow', [app('pypi', ['pypi.org'])]), classic('deny', 'network', 65000, 'Deny', [net('all', ['*'], ['443'])])]);
    const o = one(model([f]), f, host('pypi.org'), 'Https');
    assert.equal(o.outcome, 'blocked');
    assert.deepEqual(o.decidedBy.map((r) => `${r.kind}:${r.rule}`), ['network:all']);
  });

  it('policies: group priority before collection priority', () => {
    const f = fw([
      policyCollection('late', 200, 'allow', 100, 'Allow', [{ ruleType: 'ApplicationRule', ...app('a', ['*.anaconda.org']) }]),
      policyCollection('early', 100, 'deny', 500, 'Deny', [{ ruleType: 'ApplicationRule', ...app('d', ['*.anaconda.org']) }]),
    ]);
    const p: FirewallModel = { kind: 'firewall-policy', key: 'p', name: 'p', ruleCollections: f.ruleCollections };
    const firewall = fw([], { policy: { target: 'p', text: 'p.id' } });
    assert.equal(one(model([p, firewall]), firewall, host('*.anaconda.org'), 'Https').outcome, 'blocked');
  });

  it('policies: the base policy\'s groups come first, whatever their priority', () => {
    const base: FirewallModel = { kind: 'firewall-policy', key: 'base', name: 'base', ruleCollections: [policyCollection('g', 65000, 'deny', 65000, 'Deny', [{ ruleType: 'ApplicationRule', ...app('d', ['pypi.org']) }])] };
    const child: FirewallModel = { kind: 'firewall-policy', key: 'child', name: 'child', basePolicy: { target: 'base', text: 'base.id' }, ruleCollections: [policyCollection('g', 100, 'allow', 100, 'Allow', [{ ruleType: 'ApplicationRule', ...app('a', ['pypi.org']) }])] };
    const firewall = fw([], { policy: { target: 'child', text: 'child.id' } });
    const o = one(model([base, child, firewall]), firewall, host('pypi.org'), 'Https');
    assert.equal(o.outcome, 'blocked');
    assert.equal(o.decidedBy[0].firewall, 'base');
  });

  it('nothing matches: blocked by the default deny, named', () => {
    const f = fw([classic('allow', 'network', 200, 'Allow', [net('a', ['Storage.westeurope'], ['443'])])]);
    const o = one(model([f]), f, tag('AzureMonitor'));
    assert.equal(o.outcome, 'blocked');
    assert.deepEqual(o.decidedBy.map((r) => [r.rule, r.isDefault]), [['default deny', true]]);
  });

  it('a source that does not hold the compute subnet does not match', () => {
    const f = fw([classic('allow', 'network', 200, 'Allow', [net('a', ['*'], ['443'], { sourceAddresses: ['10.9.0.0/16'] })])]);
    assert.equal(one(model([f]), f, tag('AzureMonitor')).outcome, 'blocked');
  });

  it('ports: each run of ports is judged whole, cut where rules cut', () => {
    const f = fw([classic('allow', 'network', 200, 'Allow', [net('a', ['*'], ['8704-8706'])])]);
    const rows = judge(model([f]), f, tag('AzureMonitor'), ['8704-8710']);
    assert.deepEqual(rows.map((r) => [r.ports, r.outcome]), [['8704-8706', 'allowed'], ['8707-8710', 'blocked']]);
  });
});

describe('firewall engine: what cannot be known', () => {
  it('an Allow collection of unknown priority before a Deny: unknown', () => {
    const f = fw([classic('deny', 'network', 300, 'Deny', [net('d', ['*'], ['*'])]), classic('allow', 'network', undefined, 'Allow', [net('a', ['*'], ['443'])])]);
    const o = one(model([f]), f, tag('AzureMonitor'));
    assert.equal(o.outcome, 'unknown');
  });

  it('a destination only known at deployment: unknown, with the reason', () => {
    const f = fw([classic('allow', 'network', 200, 'Allow', [{ name: 'a', protocols: ['TCP'], sourceAddresses: ['*'], destinationAddresses: 'PARAM', destinationPorts: ['443'] }])]);
    // A raw string where a list is expected stands in for a value of the wrong shape.
    const o = one(model([f]), f, tag('AzureMonitor'));
    assert.equal(o.outcome, 'unknown');
    assert.ok(o.unknownBecause?.some((r) => r.includes('destinationAddresses')), JSON.stringify(o.unknownBecause));
  });

  it('FQDNs in network rules need DNS proxy: unknown without it, judged with it', () => {
    const rules = [net('r', [], ['443'], { destinationFqdns: ['cloud.r-project.org'] })];
    const off = fw([classic('allow', 'network', 200, 'Allow', rules)]);
    assert.equal(one(model([off]), off, host('cloud.r-project.org'), 'Https').outcome, 'unknown');
    const on = fw([classic('allow', 'network', 200, 'Allow', rules)], { dnsProxy: { value: true } });
    assert.equal(one(model([on]), on, host('cloud.r-project.org'), 'Https').outcome, 'allowed');
  });

  it('a service tag never holds a third party\'s host; a Microsoft host may be in one', () => {
    const f = fw([classic('allow', 'network', 200, 'Allow', [net('a', ['Storage'], ['443'])])]);
    assert.equal(one(model([f]), f, host('pypi.org'), 'Https').outcome, 'blocked');
    assert.equal(one(model([f]), f, host('vscode.blob.core.windows.net'), 'Https').outcome, 'unknown');
  });

  it('application rules on a service tag: * matches HTTPS on 443, a named host may or may not', () => {
    const star = fw([classic('apps', 'application', 200, 'Allow', [app('all', ['*'])])]);
    assert.equal(one(model([star]), star, tag('AzureMonitor')).outcome, 'allowed');
    const named = fw([classic('apps', 'application', 200, 'Allow', [app('ms', ['*.monitor.azure.com'])])]);
    assert.equal(one(model([named]), named, tag('AzureMonitor')).outcome, 'unknown');
  });

  it('a rule that cannot be read may match: unknown, never skipped', () => {
    const f = fw([
      policyCollection('g', 100, 'deny', 100, 'Deny', [{ ruleType: 'SomethingNew', name: 'x' }]),
      policyCollection('g', 100, 'allow', 200, 'Allow', [{ ruleType: 'NetworkRule', ...net('a', ['*'], ['443']), ipProtocols: ['TCP'] }]),
    ]);
    const p: FirewallModel = { kind: 'firewall-policy', key: 'p', name: 'p', ruleCollections: f.ruleCollections };
    const firewall = fw([], { policy: { target: 'p', text: 'p.id' } });
    const o = one(model([p, firewall]), firewall, tag('AzureMonitor'));
    assert.equal(o.outcome, 'unknown');
    assert.ok(o.unknownBecause?.some((r) => r.includes('rule x of collection deny')), JSON.stringify(o.unknownBecause));
  });

  it('a policy that is not declared: every outcome unknown', () => {
    const firewall = fw([], { policy: { text: 'missing.id', ref: { type: 'microsoft.network/firewallpolicies', name: 'missing' } } });
    assert.equal(one(model([firewall]), firewall, tag('AzureMonitor')).outcome, 'unknown');
  });
});
