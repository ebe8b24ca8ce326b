import * as assert from 'node:assert/strict';
import type { RelationEnv } from '../../../src/core/address-relation';
import { IpSet } from '../../../src/core/ip-range';
import { unknown } from '../../../src/core/maybe';
import type { FirewallModel, RouteModel, RouteTableModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import { regionNamed } from '../../../src/core/region';
import { applianceOf, defaultRoute, routeToTarget } from '../../../src/core/route/effective-route';

const env: RelationEnv = { context: { region: regionNamed('westeurope') }, regionAliases: new Map(), subnetPrefixes: IpSet.fromCidrs(['10.0.2.0/24']) };

function route(name: string, prefix: string, hop: string, ip?: string): RouteModel {
  return { name, addressPrefix: { value: prefix }, nextHopType: { value: hop }, ...(ip ? { nextHopIpAddress: { value: ip } } : {}) };
}

function table(...routes: RouteModel[]): RouteTableModel {
  return { kind: 'route-table', key: 'rt', name: 'rt', routes };
}

const storage = { kind: 'tag' as const, base: 'Storage', region: regionNamed('westeurope') };

describe('routes', () => {
  it('without a 0.0.0.0/0 route, Azure\'s system route sends it to the Internet', () => {
    assert.deepEqual([defaultRoute(undefined).source, defaultRoute(undefined).nextHopType], ['system', 'Internet']);
    assert.equal(defaultRoute(table(route('x', '10.9.0.0/16', 'VirtualAppliance', '10.0.1.4'))).source, 'system');
  });

  it('a user 0.0.0.0/0 route wins over the system route', () => {
    const d = defaultRoute(table(route('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.1.4')));
    assert.deepEqual([d.source, d.route?.name, d.nextHopType, d.nextHopIp], ['user', 'fw', 'VirtualAppliance', '10.0.1.4']);
  });

  it('a route with a prefix only known at deployment makes 0.0.0.0/0 unknown', () => {
    const t = table({ name: 'p', addressPrefix: { value: unknown('parameter prefix has no value') }, nextHopType: { value: 'Internet' } });
    assert.equal(defaultRoute(t).source, 'unknown');
  });

  it('a service-tag route holding the tag is longer than 0.0.0.0/0; the regional tag wins over the global one', () => {
    const t = table(route('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.1.4'), route('global', 'Storage', 'VirtualAppliance', '10.0.1.5'), route('regional', 'Storage.westeurope', 'Internet'));
    assert.equal(routeToTarget(t, storage, env).route?.name, 'regional');
    assert.equal(routeToTarget(table(route('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.1.4'), route('global', 'Storage', 'Internet')), storage, env).route?.name, 'global');
  });

  it('a public CIDR route that may hold part of the tag makes the route unknown; a private one does not', () => {
    assert.equal(routeToTarget(table(route('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.1.4'), route('pub', '20.0.0.0/8', 'Internet')), storage, env).source, 'unknown');
    assert.equal(routeToTarget(table(route('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.1.4'), route('onprem', '10.0.0.0/8', 'VirtualNetworkGateway')), storage, env).route?.name, 'fw');
  });
});

describe('next hops', () => {
  const m = (firewalls: FirewallModel[]): WorkspaceModel => ({ vnets: [], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls, problems: [] });
  const fwAt = (name: string, ip?: string, key = `main.bicep#${name}`): FirewallModel => ({ kind: 'firewall', key, name, ruleCollections: [], ...(ip ? { privateIp: { value: ip } } : {}) });

  it('finds the firewall by its private IP', () => {
    const a = applianceOf(m([fwAt('fw', '10.0.1.4')]), '10.0.1.4');
    assert.equal(a.kind === 'firewall' && a.firewall.name, 'fw');
  });

  it('an appliance that is no firewall declared here is unknown, and says so', () => {
    const a = applianceOf(m([fwAt('fw', '10.0.1.4')]), '10.0.5.4');
    assert.deepEqual(a, { kind: 'unknown', reason: 'next hop 10.0.5.4 is not a firewall declared here' });
  });

  it('finds the firewall a route refers to (Bicep symbol, ARM reference())', () => {
    const bicep = applianceOf(m([fwAt('firewall')]), unknown('firewall.properties.ipConfigurations[0].properties.privateIPAddress: the object has no property'), { file: 'main.bicep', start: 0, end: 1 });
    assert.equal(bicep.kind === 'firewall' && bicep.how, 'reference');
    const arm = applianceOf(m([fwAt('fw-hub', undefined, 'a.json#x')]), unknown("[reference(resourceId('Microsoft.Network/azureFirewalls', 'fw-hub')).ipConfigurations[0].properties.privateIPAddress] is only known at deployment"));
    assert.equal(arm.kind === 'firewall' && arm.firewall.name, 'fw-hub');
    // The ARM evaluator hands resourceId() back expanded.
    const expanded = applianceOf(m([fwAt('fw-ml', undefined, 'a.json#x'), fwAt('hub-fw-ml', undefined, 'a.json#y')]), unknown("reference(concat('/subscriptions/', subscription().subscriptionId, '/resourceGroups/', resourceGroup().name, '/providers/Microsoft.Network/azureFirewalls/fw-ml'), '2023-09-01').ipConfigurations[0].properties.privateIPAddress is only known at deployment"));
    assert.equal(expanded.kind === 'firewall' && expanded.firewall.name, 'fw-ml');
    assert.equal(applianceOf(m([fwAt('other')]), unknown('parameter nvaIp has no value')).kind, 'unknown');
  });
});
