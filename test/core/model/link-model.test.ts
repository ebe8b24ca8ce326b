import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { linkModel, parseResourceId } from '../../../src/core/model/link-model';
import type { NsgModel, SubnetModel, WorkspaceModel } from '../../../src/core/model/workspace-model';

const nsg = (key: string, name: string): NsgModel => ({ kind: 'nsg', key, name, rules: [], ruleStyle: 'none' });
const subnet = (key: string, name: string, vnet: string, nsgRef?: { type: string; name: string }): SubnetModel => ({
  kind: 'subnet', key, name, vnet, addressPrefixes: { value: ['10.0.1.0/24'] }, delegations: [],
  nsg: nsgRef ? { text: `resourceId('${nsgRef.type}', '${nsgRef.name}')`, ref: nsgRef } : undefined,
});
const empty: WorkspaceModel = { vnets: [], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls: [], problems: [] };

describe('link-model', () => {
  it('reads resource ids into type, name and parent', () => {
    assert.deepEqual(parseResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a'), { type: 'microsoft.network/networksecuritygroups', name: 'nsg-a', parent: undefined });
    assert.deepEqual(parseResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/compute'), { type: 'microsoft.network/virtualnetworks/subnets', name: 'compute', parent: 'vnet' });
    assert.deepEqual(parseResourceId('Microsoft.Network/networkSecurityGroups/nsg-a'), { type: 'microsoft.network/networksecuritygroups', name: 'nsg-a', parent: undefined });
    assert.equal(parseResourceId('/subscriptions/s/resourceGroups/rg'), undefined);
    assert.equal(parseResourceId(''), undefined);
  });

  it('reads any id as a plain split of it would (random ids)', () => {
    // The plain reading: lowercase to find the last `/providers/`, split the rest, types and names alternate.
    const reference = (id: string): ReturnType<typeof parseResourceId> => {
      const i = id.toLowerCase().lastIndexOf('/providers/');
      const parts = (i >= 0 ? id.slice(i + 11) : id).replace(/^\/+/, '').split('/');
      if (parts.length < 3 || parts.length % 2 === 0) return undefined;
      const types = parts.filter((_, k) => k === 0 || k % 2 === 1);
      const names = parts.filter((_, k) => k > 0 && k % 2 === 0);
      if (names.includes('')) return undefined;
      return { type: types.join('/').toLowerCase(), name: names[names.length - 1], parent: names.length > 1 ? names[names.length - 2] : undefined };
    };
    const segment = fc.constantFrom('', 'providers', 'Providers', 'PROVIDERS', 'provider', 'Microsoft.Network', 'subnets', 'a', 'x\x0f', 'vnet-1');
    fc.assert(fc.property(fc.array(segment, { maxLength: 12 }), fc.boolean(), (segments, lead) => {
      const id = (lead ? '/' : '') + segments.join('/');
      assert.deepEqual(parseResourceId(id), reference(id), id);
    }), { numRuns: 3000, seed: 11 });
    assert.deepEqual(parseResourceId('/a/PROVIDERS/x/Providers//Microsoft.Network/virtualNetworks/v/subnets/s'), { type: 'microsoft.network/virtualnetworks/subnets', name: 's', parent: 'v' });
    // Not `/providers/`: the character after the word is not a slash.
    assert.equal(parseResourceId('/providers\x0fMicrosoft.Network/networkSecurityGroups/n')?.type, 'providers\x0fmicrosoft.network/networksecuritygroups');
  });

  it('links a subnet to an NSG declared in another file, by type and name, without case', () => {
    const model = linkModel({
      ...empty,
      vnets: [{ kind: 'vnet', key: 'a.json#vnet', name: 'vnet', addressPrefixes: { value: [] }, subnets: ['a.json#vnet/compute'] }],
      subnets: [subnet('a.json#vnet/compute', 'compute', 'a.json#vnet', { type: 'Microsoft.Network/networkSecurityGroups', name: 'NSG-Compute' })],
      nsgs: [nsg('b.bicep#nsg', 'nsg-compute')],
    });
    assert.equal(model.subnets[0].nsg!.target, 'b.bicep#nsg');
  });

  it('keeps a reason when nothing or several things match', () => {
    const none = linkModel({ ...empty, subnets: [subnet('s', 'compute', 'v', { type: 'Microsoft.Network/networkSecurityGroups', name: 'missing' })] });
    assert.equal(none.subnets[0].nsg!.target, undefined);
    assert.match(none.subnets[0].nsg!.unresolved!, /no networkSecurityGroups named missing/);
    const two = linkModel({ ...empty, nsgs: [nsg('a#n', 'dup'), nsg('b#n', 'dup')], subnets: [subnet('s', 'compute', 'v', { type: 'Microsoft.Network/networkSecurityGroups', name: 'dup' })] });
    assert.match(two.subnets[0].nsg!.unresolved!, /2 resources named dup match/);
  });

  it('copies elements and links as a spread would: every own key, in order, replaced in place or added at the end', () => {
    const link = { unresolved: 'not yet', text: 'id', ref: { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-a' } };
    const s = { ...subnet('s', 'compute', 'v'), extra: 1, nsg: link };
    const fw = { kind: 'firewall' as const, key: 'f', name: 'fw', ruleCollections: [], basePolicy: { text: 'b', ref: { type: 'Microsoft.Network/firewallPolicies', name: 'p' } } };
    const model = linkModel({ ...empty, subnets: [s], nsgs: [nsg('n', 'nsg-a')], firewalls: [fw] });
    const linked = model.subnets[0];
    assert.deepEqual(Object.keys(linked), Object.keys({ ...s, nsg: 1, routeTable: 1 }));
    assert.deepEqual(Object.keys(linked.nsg!), ['unresolved', 'text', 'ref', 'target']);
    assert.deepEqual(linked.nsg, { ...link, target: 'n', unresolved: undefined });
    assert.deepEqual(Object.keys(model.firewalls[0]), [...Object.keys(fw), 'policy']);
    assert.deepEqual(model.firewalls[0].basePolicy, { ...fw.basePolicy, unresolved: 'no firewallPolicies named p is declared in the files read' });
  });

  it('hands back an element whose links the reader resolved (every link key present), and copies one that lacks a key', () => {
    const resolved = { ...subnet('s', 'compute', 'v'), nsg: { text: 'nsg.id', target: 'n' }, routeTable: undefined };
    const nic = { kind: 'nic' as const, key: 'nic', name: 'nic', nsg: undefined, subnets: [{ text: 's.id', target: 's' }] };
    const lacking = subnet('t', 'other', 'v');
    const model = linkModel({ ...empty, subnets: [resolved, lacking], nics: [nic], nsgs: [nsg('n', 'nsg-a')] });
    assert.equal(model.subnets[0], resolved);
    assert.equal(model.nics[0], nic);
    assert.notEqual(model.subnets[1], lacking);
    assert.deepEqual(Object.keys(model.subnets[1]), Object.keys({ ...lacking, nsg: 1, routeTable: 1 }));
  });

  it('tells subnets of different VNets apart by their parent', () => {
    const model = linkModel({
      ...empty,
      vnets: [{ kind: 'vnet', key: 'v1', name: 'vnet-a', addressPrefixes: { value: [] }, subnets: [] }, { kind: 'vnet', key: 'v2', name: 'vnet-b', addressPrefixes: { value: [] }, subnets: [] }],
      subnets: [subnet('s1', 'compute', 'v1'), subnet('s2', 'compute', 'v2')],
      computes: [{ kind: 'aml-compute', key: 'c', name: 'cluster', computeType: { value: 'AmlCompute' }, publicIp: { value: true }, subnet: { text: 'id', ref: { type: 'Microsoft.Network/virtualNetworks/subnets', name: 'compute', parent: 'vnet-b' } } }],
    });
    assert.equal(model.computes[0].subnet!.target, 's2');
  });
});

describe('link-model: several deployments', () => {
  const NSG = 'Microsoft.Network/networkSecurityGroups';
  const inDeployment = <E extends object>(e: E, deployment: string): E => ({ ...e, deployment });

  it('links to the element of the same deployment when several deployments declare the name', () => {
    const model = linkModel({
      ...empty,
      nsgs: [inDeployment(nsg('dev>n', 'nsg-ml'), 'dev.bicep'), inDeployment(nsg('prod>n', 'nsg-ml'), 'prod.bicep')],
      subnets: [
        inDeployment(subnet('dev>s', 'compute', 'dev>v', { type: NSG, name: 'nsg-ml' }), 'dev.bicep'),
        inDeployment(subnet('prod>s', 'compute', 'prod>v', { type: NSG, name: 'NSG-ML' }), 'prod.bicep'),
      ],
    });
    assert.deepEqual(model.subnets.map((s) => s.nsg!.target), ['dev>n', 'prod>n']);
    assert.deepEqual(model.subnets.map((s) => s.nsg!.unresolved), [undefined, undefined]);
  });

  it('links to the one element another deployment declares when its own declares none (a VNet in another file)', () => {
    const model = linkModel({
      ...empty,
      nsgs: [inDeployment(nsg('network.json#n', 'nsg-ml'), 'network.json')],
      subnets: [inDeployment(subnet('compute.json#s', 'compute', 'v', { type: NSG, name: 'nsg-ml' }), 'compute.json')],
    });
    assert.equal(model.subnets[0].nsg!.target, 'network.json#n');
  });

  it('leaves a link unresolved, naming the deployments, when only several other deployments declare the name', () => {
    const model = linkModel({
      ...empty,
      nsgs: [inDeployment(nsg('dev>n', 'nsg-ml'), 'dev.bicep'), inDeployment(nsg('prod>n', 'nsg-ml'), 'prod.bicep')],
      subnets: [inDeployment(subnet('ops#s', 'compute', 'v', { type: NSG, name: 'nsg-ml' }), 'ops.bicep')],
    });
    assert.equal(model.subnets[0].nsg!.target, undefined);
    assert.equal(model.subnets[0].nsg!.unresolved, '2 resources named nsg-ml are declared by other deployments (dev.bicep, prod.bicep) and none by this one (ops.bicep); amlnet cannot tell which one is meant');
  });

  it('still says a name is ambiguous within one deployment', () => {
    const model = linkModel({
      ...empty,
      nsgs: [inDeployment(nsg('a#n1', 'dup'), 'a.bicep'), inDeployment(nsg('a#n2', 'dup'), 'a.bicep'), inDeployment(nsg('b#n', 'dup'), 'b.bicep')],
      subnets: [inDeployment(subnet('a#s', 'compute', 'v', { type: NSG, name: 'dup' }), 'a.bicep')],
    });
    assert.match(model.subnets[0].nsg!.unresolved!, /^2 resources named dup match/);
  });
});
