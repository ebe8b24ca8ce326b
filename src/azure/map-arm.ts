// Azure resources as Azure Resource Manager returns them (GET, list, and Azure Resource Graph
// rows: `{ id, name, type, location, properties }`, the property shapes of ARM templates) into the
// model the template readers produce. Pure: no SDK, no I/O, so it is tested on plain objects.

import { unknown, type Maybe } from '../core/maybe';
import type { AddressEntry } from '../core/nsg';
import { regionNamed } from '../core/region';
import type {
  AmlComputeModel,
  AmlWorkspaceModel,
  FirewallModel,
  Link,
  NicModel,
  NsgModel,
  ReadProblem,
  RouteModel,
  RouteTableModel,
  RuleCollectionModel,
  RuleModel,
  SubnetModel,
  VnetModel,
  WorkspaceModel,
} from '../core/model/workspace-model';

/** One resource as ARM (or a Resource Graph row) returns it. Everything is optional: Azure is read defensively. */
export interface ArmResourceJson {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly type?: unknown;
  readonly location?: unknown;
  readonly properties?: unknown;
  readonly [other: string]: unknown;
}

export const RESOURCE_TYPES = {
  nsg: 'microsoft.network/networksecuritygroups',
  vnet: 'microsoft.network/virtualnetworks',
  nic: 'microsoft.network/networkinterfaces',
  routeTable: 'microsoft.network/routetables',
  workspace: 'microsoft.machinelearningservices/workspaces',
  compute: 'microsoft.machinelearningservices/workspaces/computes',
  firewall: 'microsoft.network/azurefirewalls',
  firewallPolicy: 'microsoft.network/firewallpolicies',
  /** Child resources of a policy: not in Resource Graph's `resources` table, listed per policy (read-azure.ts). */
  ruleCollectionGroup: 'microsoft.network/firewallpolicies/rulecollectiongroups',
} as const;

export interface MapOptions {
  /**
   * Subscriptions (lower-case ids) that could not be read, with why: a link into one of them is
   * reported as unresolved for that reason rather than as missing.
   */
  readonly unreadSubscriptions?: ReadonlyMap<string, string>;
  /**
   * Firewall policies (lower-case ids) whose rule collection groups could not be read, with why:
   * such a policy is left out, so a firewall using it (or a policy basing on it) is judged
   * `unknown` rather than by its default deny alone.
   */
  readonly unreadPolicies?: ReadonlyMap<string, string>;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function list(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The key of a live element: its resource id, lower-cased (ARM ids compare without case). */
export function keyOf(id: string): string {
  return id.toLowerCase();
}

/** The subscription id in a resource id, lower-cased. */
export function subscriptionOf(id: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1]?.toLowerCase();
}

function lastSegment(id: string): string {
  const parts = id.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? id;
}

function maybeString(v: unknown, what: string): Maybe<string> {
  return typeof v === 'string' ? v : unknown(`Azure returned no ${what}`);
}

function maybeNumber(v: unknown, what: string): Maybe<number> {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return unknown(`Azure returned no ${what}`);
}

function addressEntries(props: Json, side: 'source' | 'destination'): AddressEntry[] {
  const single = props[`${side}AddressPrefix`];
  const plural = list(props[`${side}AddressPrefixes`]) ?? [];
  const asgs = list(props[`${side}ApplicationSecurityGroups`]) ?? [];
  const out: AddressEntry[] = [];
  // Azure returns "" or nothing for the singular when the plural or ASGs are used.
  if (typeof single === 'string' && !(single === '' && plural.length + asgs.length > 0)) out.push(single);
  for (const p of plural) out.push(typeof p === 'string' ? p : unknown(`Azure returned a ${side} address prefix that is not a string`));
  for (const a of asgs) {
    const id = str(obj(a)?.id);
    out.push({ asg: id ? lastSegment(id) : '?' });
  }
  return out;
}

function portEntries(props: Json, side: 'source' | 'destination'): Maybe<string>[] {
  const single = props[`${side}PortRange`];
  const plural = list(props[`${side}PortRanges`]) ?? [];
  const out: Maybe<string>[] = [];
  const entry = (v: unknown): Maybe<string> => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : unknown(`Azure returned a ${side} port range that is not a string`));
  if ((typeof single === 'string' || typeof single === 'number') && !(single === '' && plural.length > 0)) out.push(entry(single));
  for (const p of plural) out.push(entry(p));
  return out;
}

/** One security rule from `{ name, properties }` (the ARM shape of `securityRules[]`). */
export function mapSecurityRule(rule: unknown, index: number): RuleModel {
  const r = obj(rule) ?? {};
  const name = str(r.name) ?? `securityRules[${index}]`;
  const props = obj(r.properties);
  if (!props) {
    const u = unknown(`Azure returned rule ${name} without properties`);
    return { name, priority: u, direction: u, access: u, protocol: u, sourceAddresses: u, sourcePorts: u, destinationAddresses: u, destinationPorts: u };
  }
  return {
    name,
    priority: maybeNumber(props.priority, `priority for rule ${name}`),
    direction: maybeString(props.direction, `direction for rule ${name}`),
    access: maybeString(props.access, `access for rule ${name}`),
    protocol: maybeString(props.protocol, `protocol for rule ${name}`),
    sourceAddresses: addressEntries(props, 'source'),
    sourcePorts: portEntries(props, 'source'),
    destinationAddresses: addressEntries(props, 'destination'),
    destinationPorts: portEntries(props, 'destination'),
  };
}

function stringList(values: readonly unknown[], what: string): { value: Maybe<readonly string[]> } {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
  }
  return { value: out.length ? out : unknown(`Azure returned no ${what}`) };
}

interface Pending {
  readonly id: string;
  readonly type: string;
  readonly r: ArmResourceJson;
}

/**
 * Maps ARM resources into a linked model. Links are by resource id (lower-cased); a link to an
 * element not among the resources stays unresolved with the reason. The defaults Azure lists in
 * `defaultSecurityRules` are not copied: the engine adds the six default rules itself. Lists are
 * sorted by key, so the model does not depend on the order Azure pages through.
 */
export function mapArmResources(resources: Iterable<ArmResourceJson>, options: MapOptions = {}): WorkspaceModel {
  const problems: ReadProblem[] = [];
  const pending: Pending[] = [];
  const seen = new Set<string>();
  for (const r of resources) {
    const id = str(r.id);
    const type = str(r.type)?.toLowerCase();
    if (!id || !type) {
      problems.push({ file: id ?? '(Azure)', severity: 'warning', message: `Azure returned a resource without ${id ? 'a type' : 'an id'}; it is skipped` });
      continue;
    }
    const key = keyOf(id);
    if (seen.has(`${type}|${key}`)) continue; // paging can repeat a row when the data changes between pages
    seen.add(`${type}|${key}`);
    pending.push({ id, type, r });
  }

  const vnets: VnetModel[] = [];
  const subnets: SubnetModel[] = [];
  const nsgs: NsgModel[] = [];
  const nics: NicModel[] = [];
  const routeTables: RouteTableModel[] = [];
  const workspaces: AmlWorkspaceModel[] = [];
  const computes: AmlComputeModel[] = [];
  const firewalls: FirewallModel[] = [];
  const policies: FirewallModel[] = [];
  const groups: { policyKey: string; key: string; collections: RuleCollectionModel[] }[] = [];

  for (const { id, type, r } of pending) {
    const key = keyOf(id);
    const name = str(r.name) ?? lastSegment(id);
    const props = obj(r.properties) ?? {};
    switch (type) {
      case RESOURCE_TYPES.nsg: {
        const rules = (list(props.securityRules) ?? []).map(mapSecurityRule);
        const location = str(r.location);
        nsgs.push({
          kind: 'nsg',
          key,
          name,
          location: location ? regionNamed(location) : unknown(`Azure returned no location for NSG ${name}`),
          rules,
          ruleStyle: rules.length ? 'inline' : 'none',
        });
        break;
      }
      case RESOURCE_TYPES.vnet: {
        const subnetKeys: string[] = [];
        for (const [i, s] of (list(props.subnets) ?? []).entries()) {
          const so = obj(s) ?? {};
          const sp = obj(so.properties) ?? {};
          const subnetName = str(so.name) ?? `subnets[${i}]`;
          const subnetKey = keyOf(str(so.id) ?? `${id}/subnets/${subnetName}`);
          subnetKeys.push(subnetKey);
          subnets.push({
            kind: 'subnet',
            key: subnetKey,
            name: subnetName,
            vnet: key,
            addressPrefixes: stringList([sp.addressPrefix, sp.addressPrefixes], `address prefix for subnet ${subnetName}`),
            nsg: idLink(sp.networkSecurityGroup),
            routeTable: idLink(sp.routeTable),
            delegations: (list(sp.delegations) ?? [])
              .map((d) => str(obj(obj(d)?.properties)?.serviceName) ?? str(obj(d)?.name))
              .filter((d): d is string => d !== undefined),
          });
        }
        vnets.push({
          kind: 'vnet',
          key,
          name,
          addressPrefixes: stringList([obj(props.addressSpace)?.addressPrefixes], `address space for VNet ${name}`),
          subnets: subnetKeys,
        });
        break;
      }
      case RESOURCE_TYPES.nic: {
        const subnetLinks: Link[] = [];
        for (const c of list(props.ipConfigurations) ?? []) {
          const l = idLink(obj(obj(c)?.properties)?.subnet);
          if (l) subnetLinks.push(l);
        }
        nics.push({ kind: 'nic', key, name, nsg: idLink(props.networkSecurityGroup), subnets: subnetLinks });
        break;
      }
      case RESOURCE_TYPES.routeTable: {
        const routes: RouteModel[] = (list(props.routes) ?? []).map((route, i) => {
          const ro = obj(route) ?? {};
          const rp = obj(ro.properties) ?? {};
          const routeName = str(ro.name) ?? `routes[${i}]`;
          return {
            name: routeName,
            addressPrefix: { value: maybeString(rp.addressPrefix, `address prefix for route ${routeName}`) },
            nextHopType: { value: maybeString(rp.nextHopType, `next hop type for route ${routeName}`) },
            ...(rp.nextHopIpAddress !== undefined ? { nextHopIpAddress: { value: maybeString(rp.nextHopIpAddress, `next hop address for route ${routeName}`) } } : {}),
          };
        });
        routeTables.push({ kind: 'route-table', key, name, routes });
        break;
      }
      case RESOURCE_TYPES.workspace: {
        const location = str(r.location);
        const hbi = props.hbiWorkspace;
        workspaces.push({
          kind: 'aml-workspace',
          key,
          name,
          // Azure creates a workspace without the hbi flag unless it is set.
          hbi: { value: hbi === undefined || hbi === null ? false : typeof hbi === 'boolean' ? hbi : unknown(`Azure returned hbiWorkspace ${JSON.stringify(hbi)} for workspace ${name}`) },
          location: { value: location ? regionNamed(location) : unknown(`Azure returned no location for workspace ${name}`) },
        });
        break;
      }
      case RESOURCE_TYPES.compute: {
        const computeName = lastSegment(id);
        const computeType = maybeString(props.computeType, `computeType for compute ${computeName}`);
        const inner = obj(props.properties) ?? {};
        const publicIpValue = inner.enableNodePublicIp;
        const hasNodes = typeof computeType === 'string' && /^(AmlCompute|ComputeInstance)$/i.test(computeType);
        const publicIp: Maybe<boolean> = typeof publicIpValue === 'boolean'
          ? publicIpValue
          : hasNodes
            ? true // Azure gives the nodes a public IP unless it is turned off.
            : unknown(`a ${typeof computeType === 'string' ? computeType : 'compute of unknown type'} has no enableNodePublicIp setting`);
        const workspaceId = id.replace(/\/computes\/[^/]+$/i, '');
        computes.push({
          kind: 'aml-compute',
          key,
          name: computeName,
          computeType: { value: computeType },
          workspace: workspaceId !== id ? { target: keyOf(workspaceId), text: workspaceId } : undefined,
          subnet: idLink(inner.subnet) ?? idLink({ id: obj(inner.aksNetworkingConfiguration)?.subnetId }),
          publicIp: { value: publicIp },
        });
        break;
      }
      case RESOURCE_TYPES.firewall: {
        const firstIp = obj(obj(list(props.ipConfigurations)?.[0])?.properties)?.privateIPAddress;
        // A secured virtual hub's firewall has no IP configurations; its private IP is in hubIPAddresses.
        const ip = str(firstIp) ?? str(obj(obj(props.hubIPAddresses))?.privateIPAddress);
        const proxy = obj(props.additionalProperties)?.['Network.DNS.EnableProxy'];
        const ruleCollections: RuleCollectionModel[] = [];
        for (const [field, kind] of [['applicationRuleCollections', 'application'], ['networkRuleCollections', 'network'], ['natRuleCollections', 'nat']] as const) {
          for (const [i, c] of (list(props[field]) ?? []).entries()) {
            const co = obj(c) ?? {};
            const collectionName = str(co.name) ?? `${field}[${i}]`;
            ruleCollections.push({ name: collectionName, priority: { value: maybeNumber(obj(co.properties)?.priority, `priority for rule collection ${collectionName}`) }, kind, raw: c ?? null });
          }
        }
        firewalls.push({
          kind: 'firewall', key, name,
          ...(ip !== undefined ? { privateIp: { value: ip } } : {}),
          ...(idLink(props.firewallPolicy) ? { policy: idLink(props.firewallPolicy) } : {}),
          ...(proxy !== undefined ? { dnsProxy: { value: booleanOf(proxy, `Network.DNS.EnableProxy of firewall ${name}`) } } : {}),
          ruleCollections,
        });
        break;
      }
      case RESOURCE_TYPES.firewallPolicy: {
        if (options.unreadPolicies?.has(key)) break;
        const proxy = obj(props.dnsSettings)?.enableProxy;
        policies.push({
          kind: 'firewall-policy', key, name,
          ...(idLink(props.basePolicy) ? { basePolicy: idLink(props.basePolicy) } : {}),
          ...(proxy !== undefined && proxy !== null ? { dnsProxy: { value: booleanOf(proxy, `dnsSettings.enableProxy of policy ${name}`) } } : {}),
          ruleCollections: [],
        });
        break;
      }
      case RESOURCE_TYPES.ruleCollectionGroup: {
        const policyKey = keyOf(id.replace(/\/ruleCollectionGroups\/[^/]+$/i, ''));
        const groupName = lastSegment(id);
        const group = { name: groupName, priority: { value: maybeNumber(props.priority, `priority for rule collection group ${groupName}`) } };
        const collections = (list(props.ruleCollections) ?? []).map((c, i): RuleCollectionModel => {
          const co = obj(c) ?? {};
          const collectionName = str(co.name) ?? `ruleCollections[${i}]`;
          return { name: collectionName, priority: { value: maybeNumber(co.priority, `priority for rule collection ${collectionName}`) }, kind: str(co.ruleCollectionType) ?? 'unknown', raw: c ?? null, group };
        });
        groups.push({ policyKey, key, collections });
        break;
      }
      default:
        break;
    }
  }

  // A policy's collections are those of its rule collection groups (child resources, read apart).
  groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const collectionsOf = new Map<string, RuleCollectionModel[]>();
  for (const g of groups) collectionsOf.set(g.policyKey, [...(collectionsOf.get(g.policyKey) ?? []), ...g.collections]);
  const firewallModels: FirewallModel[] = [...firewalls, ...policies.map((p) => ({ ...p, ruleCollections: collectionsOf.get(p.key) ?? [] }))];

  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (const l of [vnets, subnets, nsgs, nics, routeTables, workspaces, computes, firewallModels]) (l as { key: string }[]).sort(byKey);

  // Resolve links: to an element of the model, or unresolved with why.
  const keys = {
    nsg: new Set(nsgs.map((n) => n.key)),
    subnet: new Set(subnets.map((s) => s.key)),
    routeTable: new Set(routeTables.map((t) => t.key)),
    workspace: new Set(workspaces.map((w) => w.key)),
    policy: new Set(policies.map((p) => p.key)),
  };
  const resolve = (link: Link | undefined, among: Set<string>, what: string): Link | undefined => {
    if (!link?.target) return link;
    if (among.has(link.target)) return link;
    const unreadPolicy = options.unreadPolicies?.get(link.target);
    if (unreadPolicy !== undefined) return { text: link.text, unresolved: `the rule collection groups of ${what} ${link.text} could not be read (${unreadPolicy})` };
    const sub = subscriptionOf(link.target);
    const why = sub !== undefined ? options.unreadSubscriptions?.get(sub) : undefined;
    return {
      text: link.text,
      unresolved: why !== undefined
        ? `${what} ${link.text} is in subscription ${sub} that could not be read (${why})`
        : `${what} ${link.text} was not among the resources read`,
    };
  };
  return {
    vnets,
    subnets: subnets.map((s) => ({ ...s, nsg: resolve(s.nsg, keys.nsg, 'NSG'), routeTable: resolve(s.routeTable, keys.routeTable, 'route table') })),
    nsgs,
    nics: nics.map((n) => ({ ...n, nsg: resolve(n.nsg, keys.nsg, 'NSG'), subnets: n.subnets.map((l) => resolve(l, keys.subnet, 'subnet')!) })),
    routeTables,
    workspaces,
    computes: computes.map((c) => ({ ...c, subnet: resolve(c.subnet, keys.subnet, 'subnet'), workspace: resolve(c.workspace, keys.workspace, 'workspace') })),
    firewalls: firewallModels.map((f) => (f.kind === 'firewall'
      ? { ...f, ...(f.policy ? { policy: resolve(f.policy, keys.policy, 'firewall policy') } : {}) }
      : { ...f, ...(f.basePolicy ? { basePolicy: resolve(f.basePolicy, keys.policy, 'base policy') } : {}) })),
    problems,
  };
}

/** A boolean as Azure writes it: a JSON boolean, or (in a firewall's additionalProperties) the text "true" or "false". */
function booleanOf(v: unknown, what: string): Maybe<boolean> {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return unknown(`Azure returned ${JSON.stringify(v)} for ${what}`);
}

/** `{ id }` (a sub-resource reference) as a link by lower-cased id. */
function idLink(ref: unknown): Link | undefined {
  const id = str(obj(ref)?.id);
  return id ? { target: keyOf(id), text: id } : undefined;
}
