import * as assert from 'node:assert/strict';
import { isUnknown } from '../../src/core/maybe';
import { mapArmResources, mapSecurityRule, type ArmResourceJson } from '../../src/azure/map-arm';
import { armResources, FIREWALL_FIXTURE, FIXTURE, SUB_PROD } from './tenant';

const SUB = '/subscriptions/AAAA/resourceGroups/RG/providers';

describe('map-arm: ARM JSON into the model', () => {
  it('merges singular, plural and ASG fields of a rule, skipping the empty singular Azure returns beside a list', () => {
    const r = mapSecurityRule({
      name: 'r',
      properties: {
        priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp',
        sourceAddressPrefix: '', sourceAddressPrefixes: [], sourceApplicationSecurityGroups: [{ id: `${SUB}/Microsoft.Network/applicationSecurityGroups/asg-web` }],
        sourcePortRange: '*', sourcePortRanges: [],
        destinationAddressPrefixes: ['Storage.westeurope', '10.0.0.0/8'],
        destinationPortRange: '', destinationPortRanges: ['443', 445],
      },
    }, 0);
    assert.deepEqual(r, {
      name: 'r', priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp',
      sourceAddresses: [{ asg: 'asg-web' }], sourcePorts: ['*'],
      destinationAddresses: ['Storage.westeurope', '10.0.0.0/8'], destinationPorts: ['443', '445'],
    });
  });

  it('makes a rule without properties unknown in every field, with the reason', () => {
    const r = mapSecurityRule({ name: 'odd' }, 3);
    assert.ok(isUnknown(r.priority) && /rule odd without properties/.test(r.priority.unknown));
    assert.ok(isUnknown(r.destinationAddresses));
    assert.equal(mapSecurityRule(null, 3).name, 'securityRules[3]');
  });

  it('reads the fixture: only user rules (not defaultSecurityRules), links by id without case, options as Azure defaults them', () => {
    const model = mapArmResources(armResources(FIXTURE.subscriptions[0]));
    const train = model.nsgs.find((n) => n.name === 'nsg-train')!;
    assert.deepEqual(train.rules.map((r) => r.name), ['DenyStorageRange', 'AllowAmlIn', 'AllowAmlOut', 'AllowAadOut', 'AllowStorageOut', 'AllowWebAsg', 'DenyInternetOut']);
    assert.deepEqual(train.location, { kind: 'name', name: 'westeurope' });
    assert.equal(train.key, `/subscriptions/${SUB_PROD}/resourcegroups/rg-ml-prod/providers/microsoft.network/networksecuritygroups/nsg-train`);
    const subnet = model.subnets.find((s) => s.name === 'snet-train')!;
    assert.equal(subnet.nsg?.target, train.key);
    assert.deepEqual(subnet.addressPrefixes.value, ['10.1.1.0/24']);
    const compute = model.computes[0];
    assert.equal(compute.name, 'gpu-cluster');
    assert.equal(compute.subnet?.target, subnet.key);
    assert.equal(compute.publicIp.value, false);
    assert.equal(compute.workspace?.target, model.workspaces[0].key);
    assert.equal(model.workspaces[0].hbi.value, true);
    assert.deepEqual(model.vnets[0].subnets, model.subnets.map((s) => s.key));
    assert.deepEqual(model.problems, []);
  });

  it('gives a compute a public IP and a workspace no hbi unless Azure says otherwise', () => {
    const ws = `${SUB}/Microsoft.MachineLearningServices/workspaces/w`;
    const model = mapArmResources([
      { id: ws, name: 'w', type: 'Microsoft.MachineLearningServices/workspaces', location: 'West Europe', properties: {} },
      { id: `${ws}/computes/c`, name: 'c', type: 'microsoft.machinelearningservices/workspaces/computes', properties: { computeType: 'AmlCompute', properties: {} } },
      { id: `${ws}/computes/k`, name: 'k', type: 'microsoft.machinelearningservices/workspaces/computes', properties: { computeType: 'Kubernetes', properties: {} } },
    ]);
    assert.equal(model.workspaces[0].hbi.value, false);
    assert.deepEqual(model.workspaces[0].location.value, { kind: 'name', name: 'westeurope' });
    assert.equal(model.computes.find((c) => c.name === 'c')!.publicIp.value, true);
    assert.ok(isUnknown(model.computes.find((c) => c.name === 'k')!.publicIp.value));
  });

  it('leaves a link to something not read unresolved, naming the subscription that failed', () => {
    const vnet = (nsgSub: string) => ({
      id: `${SUB}/Microsoft.Network/virtualNetworks/v`, name: 'v', type: 'Microsoft.Network/virtualNetworks',
      properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 's', id: `${SUB}/Microsoft.Network/virtualNetworks/v/subnets/s`, properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: `/subscriptions/${nsgSub}/resourceGroups/x/providers/Microsoft.Network/networkSecurityGroups/n` } } }] },
    });
    const missing = mapArmResources([vnet('BBBB')]).subnets[0].nsg!;
    assert.equal(missing.target, undefined);
    assert.match(missing.unresolved!, /was not among the resources read/);
    const unread = mapArmResources([vnet('BBBB')], { unreadSubscriptions: new Map([['bbbb', 'HTTP 403 AuthorizationFailed']]) }).subnets[0].nsg!;
    assert.match(unread.unresolved!, /subscription bbbb that could not be read \(HTTP 403 AuthorizationFailed\)/);
  });

  it('does not depend on the order or repetition of rows, and reports rows without an id', () => {
    const rows: ArmResourceJson[] = armResources(FIXTURE.subscriptions[1]);
    const a = mapArmResources(rows);
    const b = mapArmResources([...rows].reverse().concat(rows.slice(0, 2), [{ name: 'no-id', type: 'Microsoft.Network/networkSecurityGroups' }]));
    assert.deepEqual(b.nsgs, a.nsgs);
    assert.deepEqual(b.subnets, a.subnets);
    assert.deepEqual(b.nics, a.nics);
    assert.equal(b.problems.length, 1);
    assert.match(b.problems[0].message, /without an id/);
    // The NIC with an NSG links to both its NSG and its subnet.
    assert.equal(a.nics[0].nsg?.target, a.nsgs.find((n) => n.name === 'nsg-dev-nic')!.key);
    assert.equal(a.nics[0].subnets[0].target, a.subnets[0].key);
  });

  it('reads firewalls and policies as the template readers do: private IP, classic collections, policy link, base policy, DNS proxy, groups as child resources', () => {
    const model = mapArmResources(armResources(FIREWALL_FIXTURE.subscriptions[0]));
    const byName = new Map(model.firewalls.map((f) => [f.name, f]));
    assert.deepEqual([...byName.keys()].sort(), ['fw-classic', 'fw-policy', 'fwp-base', 'fwp-ml']);
    const classic = byName.get('fw-classic')!;
    assert.equal(classic.kind, 'firewall');
    assert.deepEqual(classic.privateIp, { value: '10.10.0.4' });
    assert.deepEqual(classic.ruleCollections.map((c) => `${c.kind} ${c.name} ${String(c.priority.value)}`), ['application allow-packages 300', 'network deny-rstudio 100', 'network allow-aml 200']);
    assert.equal(classic.dnsProxy, undefined);
    const fw = byName.get('fw-policy')!;
    assert.equal(fw.policy?.target, byName.get('fwp-ml')!.key);
    const ml = byName.get('fwp-ml')!;
    assert.equal(ml.kind, 'firewall-policy');
    assert.deepEqual(ml.dnsProxy, { value: true });
    assert.equal(ml.basePolicy?.target, byName.get('fwp-base')!.key);
    assert.deepEqual(ml.ruleCollections.map((c) => `${c.group?.name}:${String(c.group?.priority.value)} ${c.kind} ${c.name} ${String(c.priority.value)}`), [
      'rcg-aml:200 FirewallPolicyFilterRuleCollection aml-network 100',
      'rcg-aml:200 FirewallPolicyFilterRuleCollection aml-apps 200',
    ]);
    assert.deepEqual(byName.get('fwp-base')!.ruleCollections.map((c) => c.name), ['deny-anaconda-org']);
  });

  it('reads DNS proxy written as text, a secured hub\'s private IP, and leaves out a policy whose groups could not be read (links to it say why)', () => {
    const fwId = `${SUB}/Microsoft.Network/azureFirewalls/fw-hub`;
    const policyId = `${SUB}/Microsoft.Network/firewallPolicies/fwp`;
    const model = mapArmResources([
      { id: fwId, name: 'fw-hub', type: 'Microsoft.Network/azureFirewalls', properties: { hubIPAddresses: { privateIPAddress: '10.100.0.132' }, additionalProperties: { 'Network.DNS.EnableProxy': 'True' }, firewallPolicy: { id: policyId } } },
      { id: policyId, name: 'fwp', type: 'microsoft.network/firewallpolicies', properties: {} },
      { id: `${policyId}/ruleCollectionGroups/g`, name: 'g', type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups', properties: { priority: 'high', ruleCollections: [{ name: 'c', priority: 100 }] } },
    ], { unreadPolicies: new Map([[policyId.toLowerCase(), 'HTTP 403 AuthorizationFailed: no']]) });
    assert.deepEqual(model.firewalls.map((f) => f.name), ['fw-hub']);
    const hub = model.firewalls[0];
    assert.deepEqual(hub.privateIp, { value: '10.100.0.132' });
    assert.deepEqual(hub.dnsProxy, { value: true });
    assert.equal(hub.policy?.target, undefined);
    assert.match(hub.policy?.unresolved ?? '', /the rule collection groups of firewall policy .*fwp could not be read \(HTTP 403 AuthorizationFailed: no\)/);

    const read = mapArmResources([
      { id: policyId, name: 'fwp', type: 'microsoft.network/firewallpolicies', properties: { dnsSettings: { enableProxy: 'maybe' } } },
      { id: `${policyId}/ruleCollectionGroups/g`, name: 'g', type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups', properties: { priority: 'high', ruleCollections: [{ name: 'c', priority: 100 }] } },
    ]);
    const p = read.firewalls[0];
    assert.ok(p.dnsProxy && isUnknown(p.dnsProxy.value));
    assert.ok(isUnknown(p.ruleCollections[0].group!.priority.value), 'a group priority that is not a number is unknown');
    assert.equal(p.ruleCollections[0].kind, 'unknown');
  });
});
