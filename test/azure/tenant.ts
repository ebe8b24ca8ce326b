// One description of a tenant, two renderings: the resources as ARM returns them from GET (for
// the local test server, with Azure's defaultSecurityRules, provisioning states and empty plural
// lists), and ARM templates that declare the same resources (for `amlnet check` over files). The
// end-to-end test compares the verdicts of both.

import type { ArmResource, TenantData } from './fake-arm-server';

/** A security rule's `properties` in the ARM template shape (singular or plural fields as written). */
export type RuleProps = Record<string, unknown>;

export interface NsgSpec {
  readonly name: string;
  readonly location: string;
  readonly rules: readonly { readonly name: string; readonly properties: RuleProps }[];
}

export interface SubnetSpec {
  readonly name: string;
  readonly prefix: string;
  readonly nsg?: string;
  readonly routeTable?: string;
}

export interface RouteSpec {
  readonly name: string;
  readonly prefix: string;
  readonly nextHopType: 'VirtualAppliance' | 'Internet' | 'None' | 'VnetLocal' | 'VirtualNetworkGateway';
  readonly nextHopIp?: string;
  /** Templates only: write the next hop as the private IP of this firewall, read with reference() (live: the IP). */
  readonly viaReference?: string;
}

export interface RouteTableSpec {
  readonly name: string;
  readonly location: string;
  readonly routes: readonly RouteSpec[];
}

/** A classic rule collection: rules in the ARM shape (`protocols`, `destinationAddresses`, `targetFqdns`, ...). */
export interface ClassicCollectionSpec {
  readonly name: string;
  readonly priority: number;
  readonly action: 'Allow' | 'Deny';
  readonly rules: readonly Record<string, unknown>[];
}

export interface FirewallSpec {
  readonly name: string;
  readonly location: string;
  /** The private IP Azure assigned (live); templates write it only when `ipInTemplate`. */
  readonly privateIp: string;
  readonly ipInTemplate?: boolean;
  /** `vnet/subnet` (AzureFirewallSubnet). */
  readonly subnet: string;
  readonly policy?: string;
  readonly dnsProxy?: boolean;
  readonly networkRuleCollections?: readonly ClassicCollectionSpec[];
  readonly applicationRuleCollections?: readonly ClassicCollectionSpec[];
}

export interface FirewallPolicySpec {
  readonly name: string;
  readonly location: string;
  readonly basePolicy?: string;
  readonly dnsProxy?: boolean;
  /** Rule collection groups (child resources), each with its rule collections in the ARM shape. */
  readonly groups: readonly { readonly name: string; readonly priority: number; readonly ruleCollections: readonly Record<string, unknown>[] }[];
}

export interface VnetSpec {
  readonly name: string;
  readonly location: string;
  readonly prefix: string;
  readonly subnets: readonly SubnetSpec[];
}

export interface ComputeSpec {
  readonly name: string;
  readonly type: 'AmlCompute' | 'ComputeInstance';
  /** `vnet/subnet` in the same subscription and resource group. */
  readonly subnet: string;
  readonly publicIp?: boolean;
}

export interface WorkspaceSpec {
  readonly name: string;
  readonly location: string;
  readonly hbi?: boolean;
  readonly computes: readonly ComputeSpec[];
}

export interface SubscriptionSpec {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly nsgs: readonly NsgSpec[];
  readonly vnets: readonly VnetSpec[];
  readonly workspaces: readonly WorkspaceSpec[];
  /** NICs with an NSG of their own, on `vnet/subnet`. */
  readonly nics?: readonly { readonly name: string; readonly subnet: string; readonly nsg?: string }[];
  readonly routeTables?: readonly RouteTableSpec[];
  readonly firewalls?: readonly FirewallSpec[];
  readonly firewallPolicies?: readonly FirewallPolicySpec[];
}

export interface TenantSpec {
  readonly subscriptions: readonly SubscriptionSpec[];
  /** Service tags and their prefixes, e.g. `Storage.WestEurope: ['20.60.0.0/16']`. */
  readonly serviceTags: Readonly<Record<string, readonly string[]>>;
}

const PLURAL: Record<string, string> = {
  sourceAddressPrefix: 'sourceAddressPrefixes',
  destinationAddressPrefix: 'destinationAddressPrefixes',
  sourcePortRange: 'sourcePortRanges',
  destinationPortRange: 'destinationPortRanges',
};

function rg(sub: SubscriptionSpec): string {
  return `/subscriptions/${sub.id}/resourceGroups/${sub.resourceGroup}`;
}

export function nsgId(sub: SubscriptionSpec, name: string): string {
  return `${rg(sub)}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
}

function vnetId(sub: SubscriptionSpec, name: string): string {
  return `${rg(sub)}/providers/Microsoft.Network/virtualNetworks/${name}`;
}

function routeTableId(sub: SubscriptionSpec, name: string): string {
  return `${rg(sub)}/providers/Microsoft.Network/routeTables/${name}`;
}

function firewallId(sub: SubscriptionSpec, name: string): string {
  return `${rg(sub)}/providers/Microsoft.Network/azureFirewalls/${name}`;
}

function policyId(sub: SubscriptionSpec, name: string): string {
  return `${rg(sub)}/providers/Microsoft.Network/firewallPolicies/${name}`;
}

/** Lists Azure returns empty on a GET when a rule does not use them. */
const NETWORK_RULE_LISTS = ['sourceIpGroups', 'destinationIpGroups', 'destinationFqdns'];
const APPLICATION_RULE_LISTS = ['sourceIpGroups', 'fqdnTags', 'targetUrls', 'webCategories', 'httpHeadersToInsert'];

/** A firewall rule as a GET returns it: the lists it does not use present and empty. */
function armGetFirewallRule(rule: Record<string, unknown>, kind: 'network' | 'application'): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rule };
  for (const k of kind === 'network' ? NETWORK_RULE_LISTS : APPLICATION_RULE_LISTS) if (!(k in out)) out[k] = [];
  if (kind === 'application' && !('terminateTLS' in out) && 'ruleType' in out) out.terminateTLS = false;
  return out;
}

function policyRuleKind(rule: Record<string, unknown>): 'network' | 'application' {
  return String(rule.ruleType).toLowerCase() === 'networkrule' ? 'network' : 'application';
}

function workspaceId(sub: SubscriptionSpec, name: string): string {
  return `${rg(sub)}/providers/Microsoft.MachineLearningServices/workspaces/${name}`;
}

function asgIds(value: unknown, sub: SubscriptionSpec): unknown {
  return Array.isArray(value) ? value.map((a: { name: string }) => ({ id: `${rg(sub)}/providers/Microsoft.Network/applicationSecurityGroups/${a.name}` })) : value;
}

/** The six default rules as Azure lists them in `defaultSecurityRules`. */
function defaultRules(id: string): unknown[] {
  const rule = (name: string, priority: number, direction: string, access: string, source: string, destination: string) => ({
    name,
    id: `${id}/defaultSecurityRules/${name}`,
    type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules',
    properties: {
      provisioningState: 'Succeeded', description: `Default rule ${name}`, protocol: '*', sourcePortRange: '*', destinationPortRange: '*',
      sourceAddressPrefix: source, destinationAddressPrefix: destination, access, priority, direction,
      sourcePortRanges: [], destinationPortRanges: [], sourceAddressPrefixes: [], destinationAddressPrefixes: [],
    },
  });
  return [
    rule('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
    rule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'),
    rule('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'),
    rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
    rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'),
    rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*'),
  ];
}

/** A rule as ARM's GET returns it: the plural lists present (empty) beside a singular value. */
function armGetRule(nsg: string, r: NsgSpec['rules'][number], sub: SubscriptionSpec): unknown {
  const props: Record<string, unknown> = { provisioningState: 'Succeeded' };
  for (const [k, v] of Object.entries(r.properties)) props[k] = /ApplicationSecurityGroups$/.test(k) ? asgIds(v, sub) : v;
  for (const plural of Object.values(PLURAL)) if (!(plural in props)) props[plural] = [];
  return { name: r.name, id: `${nsg}/securityRules/${r.name}`, etag: 'W/"1"', type: 'Microsoft.Network/networkSecurityGroups/securityRules', properties: props };
}

/** The resources of a subscription as ARM's list calls return them. */
export function armResources(sub: SubscriptionSpec): ArmResource[] {
  const out: ArmResource[] = [];
  for (const n of sub.nsgs) {
    const id = nsgId(sub, n.name);
    const subnets = sub.vnets.flatMap((v) => v.subnets.filter((s) => s.nsg === n.name).map((s) => ({ id: `${vnetId(sub, v.name)}/subnets/${s.name}` })));
    out.push({
      id, name: n.name, type: 'Microsoft.Network/networkSecurityGroups', location: n.location, etag: 'W/"1"',
      properties: {
        provisioningState: 'Succeeded', resourceGuid: '00000000-0000-0000-0000-000000000000',
        securityRules: n.rules.map((r) => armGetRule(id, r, sub)),
        defaultSecurityRules: defaultRules(id),
        ...(subnets.length ? { subnets } : {}),
      },
    });
  }
  for (const v of sub.vnets) {
    const id = vnetId(sub, v.name);
    out.push({
      id, name: v.name, type: 'Microsoft.Network/virtualNetworks', location: v.location, etag: 'W/"1"',
      properties: {
        provisioningState: 'Succeeded',
        addressSpace: { addressPrefixes: [v.prefix] },
        subnets: v.subnets.map((s) => ({
          name: s.name, id: `${id}/subnets/${s.name}`, etag: 'W/"1"', type: 'Microsoft.Network/virtualNetworks/subnets',
          properties: {
            provisioningState: 'Succeeded', addressPrefix: s.prefix, delegations: [],
            privateEndpointNetworkPolicies: 'Disabled', privateLinkServiceNetworkPolicies: 'Enabled',
            ...(s.nsg ? { networkSecurityGroup: { id: nsgId(sub, s.nsg) } } : {}),
            ...(s.routeTable ? { routeTable: { id: routeTableId(sub, s.routeTable) } } : {}),
          },
        })),
        virtualNetworkPeerings: [], enableDdosProtection: false,
      },
    });
  }
  for (const t of sub.routeTables ?? []) {
    const id = routeTableId(sub, t.name);
    const subnets = sub.vnets.flatMap((v) => v.subnets.filter((s) => s.routeTable === t.name).map((s) => ({ id: `${vnetId(sub, v.name)}/subnets/${s.name}` })));
    out.push({
      id, name: t.name, type: 'Microsoft.Network/routeTables', location: t.location, etag: 'W/"1"',
      properties: {
        provisioningState: 'Succeeded', resourceGuid: '00000000-0000-0000-0000-000000000000', disableBgpRoutePropagation: false,
        routes: t.routes.map((r) => ({
          name: r.name, id: `${id}/routes/${r.name}`, etag: 'W/"1"', type: 'Microsoft.Network/routeTables/routes',
          properties: { provisioningState: 'Succeeded', addressPrefix: r.prefix, nextHopType: r.nextHopType, ...(r.nextHopIp ? { nextHopIpAddress: r.nextHopIp } : {}), hasBgpOverride: false },
        })),
        ...(subnets.length ? { subnets } : {}),
      },
    });
  }
  for (const f of sub.firewalls ?? []) {
    const id = firewallId(sub, f.name);
    const [vnet, subnet] = f.subnet.split('/');
    const classic = (list: readonly ClassicCollectionSpec[] | undefined, kind: 'network' | 'application', field: string) => (list ?? []).map((c) => ({
      name: c.name, id: `${id}/${field}/${c.name}`, etag: 'W/"1"',
      properties: { provisioningState: 'Succeeded', priority: c.priority, action: { type: c.action }, rules: c.rules.map((r) => armGetFirewallRule(r, kind)) },
    }));
    out.push({
      id, name: f.name, type: 'Microsoft.Network/azureFirewalls', location: f.location, etag: 'W/"1"',
      properties: {
        provisioningState: 'Succeeded', sku: { name: 'AZFW_VNet', tier: 'Standard' }, threatIntelMode: 'Alert',
        additionalProperties: f.dnsProxy !== undefined ? { 'Network.DNS.EnableProxy': String(f.dnsProxy) } : {},
        ipConfigurations: [{
          name: 'ipconfig', id: `${id}/azureFirewallIpConfigurations/ipconfig`, etag: 'W/"1"', type: 'Microsoft.Network/azureFirewalls/azureFirewallIpConfigurations',
          properties: {
            provisioningState: 'Succeeded', privateIPAddress: f.privateIp, privateIPAllocationMethod: 'Dynamic',
            subnet: { id: `${vnetId(sub, vnet)}/subnets/${subnet}` },
            publicIPAddress: { id: `${rg(sub)}/providers/Microsoft.Network/publicIPAddresses/pip-${f.name}` },
          },
        }],
        networkRuleCollections: classic(f.networkRuleCollections, 'network', 'networkRuleCollections'),
        applicationRuleCollections: classic(f.applicationRuleCollections, 'application', 'applicationRuleCollections'),
        natRuleCollections: [],
        ...(f.policy ? { firewallPolicy: { id: policyId(sub, f.policy) } } : {}),
      },
    });
  }
  for (const p of sub.firewallPolicies ?? []) {
    const id = policyId(sub, p.name);
    out.push({
      id, name: p.name, type: 'Microsoft.Network/firewallPolicies', location: p.location, etag: 'W/"1"',
      properties: {
        provisioningState: 'Succeeded', sku: { tier: 'Standard' }, threatIntelMode: 'Alert',
        ...(p.dnsProxy !== undefined ? { dnsSettings: { servers: [], enableProxy: p.dnsProxy } } : {}),
        ...(p.basePolicy ? { basePolicy: { id: policyId(sub, p.basePolicy) } } : {}),
        ruleCollectionGroups: p.groups.map((g) => ({ id: `${id}/ruleCollectionGroups/${g.name}` })),
        firewalls: (sub.firewalls ?? []).filter((f) => f.policy === p.name).map((f) => ({ id: firewallId(sub, f.name) })),
        childPolicies: (sub.firewallPolicies ?? []).filter((c) => c.basePolicy === p.name).map((c) => ({ id: policyId(sub, c.name) })),
      },
    });
    for (const g of p.groups) {
      out.push({
        id: `${id}/ruleCollectionGroups/${g.name}`, name: g.name, type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups', etag: 'W/"1"',
        properties: {
          provisioningState: 'Succeeded', priority: g.priority,
          ruleCollections: g.ruleCollections.map((c) => ({ ...c, rules: ((c.rules as Record<string, unknown>[] | undefined) ?? []).map((r) => armGetFirewallRule(r, policyRuleKind(r))) })),
        },
      });
    }
  }
  for (const nic of sub.nics ?? []) {
    const [vnet, subnet] = nic.subnet.split('/');
    out.push({
      id: `${rg(sub)}/providers/Microsoft.Network/networkInterfaces/${nic.name}`, name: nic.name, type: 'Microsoft.Network/networkInterfaces', location: 'westeurope',
      properties: {
        provisioningState: 'Succeeded',
        ipConfigurations: [{ name: 'ipconfig1', properties: { privateIPAddress: '10.0.0.4', subnet: { id: `${vnetId(sub, vnet)}/subnets/${subnet}` } } }],
        ...(nic.nsg ? { networkSecurityGroup: { id: nsgId(sub, nic.nsg) } } : {}),
      },
    });
  }
  for (const w of sub.workspaces) {
    const id = workspaceId(sub, w.name);
    out.push({
      id, name: w.name, type: 'Microsoft.MachineLearningServices/workspaces', location: w.location,
      identity: { type: 'SystemAssigned' }, sku: { name: 'Basic', tier: 'Basic' },
      properties: { friendlyName: w.name, provisioningState: 'Succeeded', publicNetworkAccess: 'Enabled', ...(w.hbi !== undefined ? { hbiWorkspace: w.hbi } : {}) },
    });
    for (const c of w.computes) {
      const [vnet, subnet] = c.subnet.split('/');
      out.push({
        id: `${id}/computes/${c.name}`, name: c.name, type: 'Microsoft.MachineLearningServices/workspaces/computes', location: w.location,
        properties: {
          computeType: c.type, provisioningState: 'Succeeded', computeLocation: w.location, isAttachedCompute: false, disableLocalAuth: true,
          properties: {
            vmSize: 'STANDARD_DS3_V2',
            subnet: { id: `${vnetId(sub, vnet)}/subnets/${subnet}` },
            ...(c.publicIp !== undefined ? { enableNodePublicIp: c.publicIp } : {}),
            ...(c.type === 'AmlCompute' ? { scaleSettings: { minNodeCount: 0, maxNodeCount: 4 } } : {}),
          },
        },
      });
    }
  }
  return out;
}

/** Azure's Service Tags JSON (a ServiceTagsListResult) for the tags of the spec. */
export function serviceTagsJson(tags: TenantSpec['serviceTags']): unknown {
  return {
    name: 'Public', id: '/subscriptions/x/providers/Microsoft.Network/serviceTags/Public', type: 'Microsoft.Network/serviceTags', changeNumber: '1', cloud: 'Public',
    values: Object.entries(tags).map(([name, addressPrefixes]) => ({
      name, id: name, serviceTagChangeNumber: '1',
      properties: { changeNumber: '1', region: name.includes('.') ? name.split('.')[1].toLowerCase() : '', systemService: name.split('.')[0], addressPrefixes, state: 'GA' },
    })),
  };
}

export function tenantData(spec: TenantSpec): TenantData {
  return {
    subscriptions: spec.subscriptions.map((s) => ({ id: s.id, name: s.name })),
    resources: spec.subscriptions.flatMap(armResources),
    serviceTags: serviceTagsJson(spec.serviceTags),
  };
}

/** An ARM template that declares the subscription's resources (what `amlnet check` reads from files). */
export function armTemplate(sub: SubscriptionSpec): unknown {
  const resources: unknown[] = [];
  const asgRefs = (value: unknown) => Array.isArray(value)
    ? value.map((a: { name: string }) => ({ id: `[resourceId('Microsoft.Network/applicationSecurityGroups', '${a.name}')]` }))
    : value;
  for (const n of sub.nsgs) {
    resources.push({
      type: 'Microsoft.Network/networkSecurityGroups', apiVersion: '2023-09-01', name: n.name, location: n.location,
      properties: {
        securityRules: n.rules.map((r) => ({
          name: r.name,
          properties: Object.fromEntries(Object.entries(r.properties).map(([k, v]) => [k, /ApplicationSecurityGroups$/.test(k) ? asgRefs(v) : v])),
        })),
      },
    });
  }
  for (const v of sub.vnets) {
    resources.push({
      type: 'Microsoft.Network/virtualNetworks', apiVersion: '2023-09-01', name: v.name, location: v.location,
      dependsOn: v.subnets.filter((s) => s.nsg).map((s) => `[resourceId('Microsoft.Network/networkSecurityGroups', '${s.nsg!}')]`),
      properties: {
        addressSpace: { addressPrefixes: [v.prefix] },
        subnets: v.subnets.map((s) => ({
          name: s.name,
          properties: {
            addressPrefix: s.prefix,
            ...(s.nsg ? { networkSecurityGroup: { id: `[resourceId('Microsoft.Network/networkSecurityGroups', '${s.nsg}')]` } } : {}),
            ...(s.routeTable ? { routeTable: { id: `[resourceId('Microsoft.Network/routeTables', '${s.routeTable}')]` } } : {}),
          },
        })),
      },
    });
  }
  for (const t of sub.routeTables ?? []) {
    resources.push({
      type: 'Microsoft.Network/routeTables', apiVersion: '2023-09-01', name: t.name, location: t.location,
      properties: {
        routes: t.routes.map((r) => ({
          name: r.name,
          properties: {
            addressPrefix: r.prefix, nextHopType: r.nextHopType,
            ...(r.viaReference
              ? { nextHopIpAddress: `[reference(resourceId('Microsoft.Network/azureFirewalls', '${r.viaReference}'), '2023-09-01').ipConfigurations[0].properties.privateIPAddress]` }
              : r.nextHopIp ? { nextHopIpAddress: r.nextHopIp } : {}),
          },
        })),
      },
    });
  }
  for (const f of sub.firewalls ?? []) {
    const [vnet, subnet] = f.subnet.split('/');
    const classic = (list: readonly ClassicCollectionSpec[] | undefined) => (list ?? []).map((c) => ({ name: c.name, properties: { priority: c.priority, action: { type: c.action }, rules: c.rules } }));
    resources.push({
      type: 'Microsoft.Network/azureFirewalls', apiVersion: '2023-09-01', name: f.name, location: f.location,
      properties: {
        sku: { name: 'AZFW_VNet', tier: 'Standard' },
        ...(f.dnsProxy !== undefined ? { additionalProperties: { 'Network.DNS.EnableProxy': String(f.dnsProxy) } } : {}),
        ipConfigurations: [{
          name: 'ipconfig',
          properties: {
            ...(f.ipInTemplate ? { privateIPAddress: f.privateIp } : {}),
            subnet: { id: `[resourceId('Microsoft.Network/virtualNetworks/subnets', '${vnet}', '${subnet}')]` },
          },
        }],
        ...(f.networkRuleCollections ? { networkRuleCollections: classic(f.networkRuleCollections) } : {}),
        ...(f.applicationRuleCollections ? { applicationRuleCollections: classic(f.applicationRuleCollections) } : {}),
        ...(f.policy ? { firewallPolicy: { id: `[resourceId('Microsoft.Network/firewallPolicies', '${f.policy}')]` } } : {}),
      },
    });
  }
  for (const p of sub.firewallPolicies ?? []) {
    resources.push({
      type: 'Microsoft.Network/firewallPolicies', apiVersion: '2023-09-01', name: p.name, location: p.location,
      properties: {
        sku: { tier: 'Standard' },
        ...(p.dnsProxy !== undefined ? { dnsSettings: { enableProxy: p.dnsProxy } } : {}),
        ...(p.basePolicy ? { basePolicy: { id: `[resourceId('Microsoft.Network/firewallPolicies', '${p.basePolicy}')]` } } : {}),
      },
    });
    for (const g of p.groups) {
      resources.push({
        type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups', apiVersion: '2023-09-01', name: `${p.name}/${g.name}`,
        dependsOn: [`[resourceId('Microsoft.Network/firewallPolicies', '${p.name}')]`],
        properties: { priority: g.priority, ruleCollections: g.ruleCollections },
      });
    }
  }
  for (const nic of sub.nics ?? []) {
    const [vnet, subnet] = nic.subnet.split('/');
    resources.push({
      type: 'Microsoft.Network/networkInterfaces', apiVersion: '2023-09-01', name: nic.name, location: 'westeurope',
      properties: {
        ipConfigurations: [{ name: 'ipconfig1', properties: { subnet: { id: `[resourceId('Microsoft.Network/virtualNetworks/subnets', '${vnet}', '${subnet}')]` } } }],
        ...(nic.nsg ? { networkSecurityGroup: { id: `[resourceId('Microsoft.Network/networkSecurityGroups', '${nic.nsg}')]` } } : {}),
      },
    });
  }
  for (const w of sub.workspaces) {
    resources.push({
      type: 'Microsoft.MachineLearningServices/workspaces', apiVersion: '2024-04-01', name: w.name, location: w.location,
      properties: { friendlyName: w.name, ...(w.hbi !== undefined ? { hbiWorkspace: w.hbi } : {}) },
    });
    for (const c of w.computes) {
      const [vnet, subnet] = c.subnet.split('/');
      resources.push({
        type: 'Microsoft.MachineLearningServices/workspaces/computes', apiVersion: '2024-04-01', name: `${w.name}/${c.name}`, location: w.location,
        dependsOn: [`[resourceId('Microsoft.MachineLearningServices/workspaces', '${w.name}')]`],
        properties: {
          computeType: c.type,
          properties: {
            subnet: { id: `[resourceId('Microsoft.Network/virtualNetworks/subnets', '${vnet}', '${subnet}')]` },
            ...(c.publicIp !== undefined ? { enableNodePublicIp: c.publicIp } : {}),
          },
        },
      });
    }
  }
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources,
  };
}

// ---------------------------------------------------------------------------------------------
// The fixture the tests share

const rule = (name: string, priority: number, direction: string, access: string, protocol: string, rest: RuleProps) => ({
  name, properties: { priority, direction, access, protocol, sourcePortRange: '*', ...rest },
});

export const SUB_PROD = '11111111-1111-1111-1111-111111111111';
export const SUB_DEV = '22222222-2222-2222-2222-222222222222';
export const SUB_LOCKED = '33333333-3333-3333-3333-333333333333';

/**
 * Production: a compute cluster (No Public IP) on an NSG with singular, plural, ASG and CIDR
 * rules and a deny on Storage's prefix; an hbi workspace. Dev: a compute instance with a public IP
 * on an NSG that allows most of it. Locked: a subscription the sign-in may not read.
 */
export const FIXTURE: TenantSpec = {
  serviceTags: {
    'Storage.WestEurope': ['20.60.0.0/16'],
    Storage: ['20.60.0.0/16', '52.239.0.0/16'],
    AzureMachineLearning: ['20.43.0.0/24'],
    AzureActiveDirectory: ['20.190.128.0/18'],
  },
  subscriptions: [
    {
      id: SUB_PROD, name: 'Prod', resourceGroup: 'rg-ml-prod',
      nsgs: [
        {
          name: 'nsg-train', location: 'westeurope',
          rules: [
            rule('DenyStorageRange', 105, 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: '20.60.0.0/16', destinationPortRange: '*' }),
            rule('AllowAmlIn', 100, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'AzureMachineLearning', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '44224' }),
            rule('AllowAmlOut', 110, 'Outbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefixes: ['AzureMachineLearning'], destinationPortRanges: ['443', '18881'] }),
            rule('AllowAadOut', 115, 'Outbound', 'Allow', 'Tcp', { sourceAddressPrefixes: ['10.1.1.0/24', '10.1.2.0/24'], destinationAddressPrefix: 'AzureActiveDirectory', destinationPortRanges: ['80', '443'] }),
            rule('AllowStorageOut', 120, 'Outbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'Storage.westeurope', destinationPortRanges: ['443', '445'] }),
            rule('AllowWebAsg', 130, 'Outbound', 'Allow', 'Tcp', { sourceApplicationSecurityGroups: [{ name: 'asg-web' }], destinationAddressPrefix: 'AzureFrontDoor.FrontEnd', destinationPortRange: '443' }),
            rule('DenyInternetOut', 4000, 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' }),
          ],
        },
        { name: 'nsg-web', location: 'westeurope', rules: [rule('AllowHttps', 100, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'Internet', destinationAddressPrefix: '*', destinationPortRange: '443' })] },
      ],
      vnets: [{
        name: 'vnet-ml-prod', location: 'westeurope', prefix: '10.1.0.0/16',
        subnets: [{ name: 'snet-train', prefix: '10.1.1.0/24', nsg: 'nsg-train' }, { name: 'snet-web', prefix: '10.1.2.0/24', nsg: 'nsg-web' }],
      }],
      workspaces: [{ name: 'mlw-prod', location: 'westeurope', hbi: true, computes: [{ name: 'gpu-cluster', type: 'AmlCompute', subnet: 'vnet-ml-prod/snet-train', publicIp: false }] }],
    },
    {
      id: SUB_DEV, name: 'Dev', resourceGroup: 'rg-ml-dev',
      nsgs: [{
        name: 'nsg-dev', location: 'eastus',
        rules: [
          rule('AllowAmlIn', 100, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'AzureMachineLearning', destinationAddressPrefix: 'VirtualNetwork', destinationPortRanges: ['29876-29877', '44224'] }),
          rule('AllowBatchIn', 110, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'BatchNodeManagement', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '29876-29877' }),
          rule('AllowAllOut', 100, 'Outbound', 'Allow', '*', { sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: '*', destinationPortRange: '*' }),
        ],
      }, { name: 'nsg-dev-nic', location: 'eastus', rules: [rule('DenyRdpIn', 100, 'Inbound', 'Deny', 'Tcp', { sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: 3389 })] }],
      vnets: [{ name: 'vnet-ml-dev', location: 'eastus', prefix: '10.2.0.0/16', subnets: [{ name: 'snet-dev', prefix: '10.2.1.0/24', nsg: 'nsg-dev' }] }],
      nics: [{ name: 'nic-jumpbox', subnet: 'vnet-ml-dev/snet-dev', nsg: 'nsg-dev-nic' }],
      workspaces: [{ name: 'mlw-dev', location: 'eastus', computes: [{ name: 'ci-alice', type: 'ComputeInstance', subnet: 'vnet-ml-dev/snet-dev' }] }],
    },
    {
      id: SUB_LOCKED, name: 'Locked', resourceGroup: 'rg-locked',
      nsgs: [{ name: 'nsg-locked', location: 'westeurope', rules: [] }],
      vnets: [], workspaces: [],
    },
  ],
};

export const SUB_HUB = '44444444-4444-4444-4444-444444444444';

/**
 * A hub with two Azure Firewalls behind routes: a classic one (network collections with a Deny
 * before an Allow, an application collection) for a subnet with an NSG, and one with a Firewall
 * Policy whose base policy denies a package host, DNS proxy on, for a subnet without an NSG whose
 * route table also drops AzureMonitor and sends AzureMachineLearning to the Internet. In the
 * templates, that subnet's route reads the firewall's private IP with reference() (Azure assigns
 * it); live, the route holds the IP.
 */
export const FIREWALL_FIXTURE: TenantSpec = {
  serviceTags: FIXTURE.serviceTags,
  subscriptions: [{
    id: SUB_HUB, name: 'Hub', resourceGroup: 'rg-hub',
    nsgs: [{
      name: 'nsg-train', location: 'westeurope',
      rules: [
        rule('AllowAmlIn', 100, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'AzureMachineLearning', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '44224' }),
        rule('AllowBatchIn', 110, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'BatchNodeManagement', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '29876-29877' }),
        rule('AllowOut', 100, 'Outbound', 'Allow', '*', { sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'AzureCloud', destinationPortRange: '*' }),
      ],
    }],
    routeTables: [
      { name: 'rt-train', location: 'westeurope', routes: [{ name: 'default', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.10.0.4' }] },
      {
        name: 'rt-jobs', location: 'westeurope',
        routes: [
          { name: 'default', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.10.0.5', viaReference: 'fw-policy' },
          { name: 'monitor-drop', prefix: 'AzureMonitor', nextHopType: 'None' },
          { name: 'aml-direct', prefix: 'AzureMachineLearning', nextHopType: 'Internet' },
        ],
      },
    ],
    vnets: [{
      name: 'vnet-hub', location: 'westeurope', prefix: '10.10.0.0/16',
      subnets: [
        { name: 'AzureFirewallSubnet', prefix: '10.10.0.0/26' },
        { name: 'snet-train', prefix: '10.10.1.0/24', nsg: 'nsg-train', routeTable: 'rt-train' },
        { name: 'snet-jobs', prefix: '10.10.2.0/24', routeTable: 'rt-jobs' },
      ],
    }],
    firewalls: [
      {
        name: 'fw-classic', location: 'westeurope', privateIp: '10.10.0.4', ipInTemplate: true, subnet: 'vnet-hub/AzureFirewallSubnet',
        networkRuleCollections: [
          { name: 'deny-rstudio', priority: 100, action: 'Deny', rules: [{ name: 'deny-8787', protocols: ['TCP'], sourceAddresses: ['*'], destinationAddresses: ['AzureMachineLearning'], destinationPorts: ['8787'] }] },
          {
            name: 'allow-aml', priority: 200, action: 'Allow',
            rules: [
              { name: 'aml-tags-443', protocols: ['TCP'], sourceAddresses: ['10.10.1.0/24'], destinationAddresses: ['AzureActiveDirectory', 'AzureMachineLearning', 'AzureResourceManager', 'Storage.WestEurope', 'AzureFrontDoor.FrontEnd', 'MicrosoftContainerRegistry.westeurope', 'AzureFrontDoor.FirstParty'], destinationPorts: ['443'] },
              { name: 'aml-18881', protocols: ['TCP'], sourceAddresses: ['10.10.1.0/24'], destinationAddresses: ['AzureMachineLearning'], destinationPorts: ['18881', '8787'] },
            ],
          },
        ],
        applicationRuleCollections: [{
          name: 'allow-packages', priority: 300, action: 'Allow',
          rules: [
            { name: 'conda', protocols: [{ protocolType: 'Https', port: 443 }], sourceAddresses: ['*'], targetFqdns: ['*.anaconda.com', '*.anaconda.org'] },
            { name: 'pypi', protocols: [{ protocolType: 'Http', port: 80 }, { protocolType: 'Https', port: 443 }], sourceAddresses: ['*'], targetFqdns: ['pypi.org'] },
          ],
        }],
      },
      { name: 'fw-policy', location: 'westeurope', privateIp: '10.10.0.5', subnet: 'vnet-hub/AzureFirewallSubnet', policy: 'fwp-ml' },
    ],
    firewallPolicies: [
      {
        name: 'fwp-base', location: 'westeurope',
        groups: [{
          name: 'rcg-base', priority: 100,
          ruleCollections: [{
            ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'deny-anaconda-org', priority: 100, action: { type: 'Deny' },
            rules: [{ ruleType: 'ApplicationRule', name: 'no-anaconda-org', protocols: [{ protocolType: 'Https', port: 443 }], sourceAddresses: ['*'], targetFqdns: ['*.anaconda.org'] }],
          }],
        }],
      },
      {
        name: 'fwp-ml', location: 'westeurope', basePolicy: 'fwp-base', dnsProxy: true,
        groups: [{
          name: 'rcg-aml', priority: 200,
          ruleCollections: [
            {
              ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'aml-network', priority: 100, action: { type: 'Allow' },
              rules: [
                { ruleType: 'NetworkRule', name: 'aml-tags', ipProtocols: ['TCP'], sourceAddresses: ['10.10.2.0/24'], destinationAddresses: ['AzureActiveDirectory', 'AzureResourceManager', 'Storage.westeurope', 'AzureFrontDoor.FrontEnd', 'MicrosoftContainerRegistry.westeurope', 'AzureFrontDoor.FirstParty', 'BatchNodeManagement.westeurope'], destinationPorts: ['443'] },
                { ruleType: 'NetworkRule', name: 'pypi-fqdn', ipProtocols: ['TCP'], sourceAddresses: ['10.10.2.0/24'], destinationFqdns: ['pypi.org'], destinationPorts: ['443'] },
              ],
            },
            {
              ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'aml-apps', priority: 200, action: { type: 'Allow' },
              rules: [{ ruleType: 'ApplicationRule', name: 'conda', protocols: [{ protocolType: 'Https', port: 443 }], sourceAddresses: ['10.10.2.0/24'], targetFqdns: ['*.anaconda.com', 'repo.anaconda.org'] }],
            },
          ],
        }],
      },
    ],
    workspaces: [{
      name: 'mlw-hub', location: 'westeurope',
      computes: [
        { name: 'cpu-cluster', type: 'AmlCompute', subnet: 'vnet-hub/snet-train' },
        { name: 'jobs-cluster', type: 'AmlCompute', subnet: 'vnet-hub/snet-jobs', publicIp: false },
      ],
    }],
  }],
};

/** A generated tenant: `subscriptions` × (`nsgsPerSubscription` NSGs, a VNet per 5 NSGs, a workspace and a compute). */
export function generatedTenant(subscriptions: number, nsgsPerSubscription: number): TenantSpec {
  const subs: SubscriptionSpec[] = [];
  for (let s = 0; s < subscriptions; s++) {
    const id = `${s.toString(16).padStart(8, '0')}-0000-4000-8000-${'0'.repeat(12)}`;
    const nsgs: NsgSpec[] = [];
    const vnets: VnetSpec[] = [];
    for (let n = 0; n < nsgsPerSubscription; n++) {
      nsgs.push({
        name: `nsg-${s}-${n}`, location: n % 2 ? 'westeurope' : 'eastus',
        rules: [
          rule('AllowAmlIn', 100, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'AzureMachineLearning', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '44224' }),
          rule('AllowOut', 100, 'Outbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'AzureCloud', destinationPortRanges: ['443', '445', '8787', '18881'] }),
          rule('DenyRange', 200 + (n % 7), 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: `20.${60 + (n % 3)}.0.0/16`, destinationPortRange: '*' }),
          rule('DenyInternetOut', 4000, 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' }),
        ],
      });
      if (n % 5 === 0) vnets.push({ name: `vnet-${s}-${n / 5}`, location: 'westeurope', prefix: `10.${n / 5}.0.0/16`, subnets: [] });
      (vnets[vnets.length - 1].subnets as SubnetSpec[]).push({ name: `snet-${n}`, prefix: `10.${Math.floor(n / 5)}.${n % 5}.0/24`, nsg: `nsg-${s}-${n}` });
    }
    subs.push({
      id, name: `Subscription ${s}`, resourceGroup: 'rg-net', nsgs, vnets,
      workspaces: [{ name: `mlw-${s}`, location: 'westeurope', computes: [{ name: 'cluster', type: 'AmlCompute', subnet: `${vnets[0].name}/${vnets[0].subnets[0].name}` }] }],
    });
  }
  return { subscriptions: subs, serviceTags: FIXTURE.serviceTags };
}
