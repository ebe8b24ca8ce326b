/**
 * Which route a subnet's outbound traffic takes (docs/semantics.md "Firewalls"): the route
 * table's user-defined routes against Azure's system routes, by longest prefix match, and where
 * a `VirtualAppliance` next hop leads (an Azure Firewall declared in the templates, or not).
 */
import { relateAddress, targetText, type AddressTarget, type RelationEnv } from '../address-relation';
import { parseCidr } from '../ip-range';
import { isUnknown, type Maybe } from '../maybe';
import type { FirewallModel, RouteModel, RouteTableModel, SourceSpan, WorkspaceModel } from '../model/workspace-model';
import { parseAddressEntry } from '../service-tags';

/** The next hop types Azure has for routes. */
export type NextHopType = 'VirtualAppliance' | 'Internet' | 'None' | 'VnetLocal' | 'VirtualNetworkGateway';

const HOP_TYPES: readonly NextHopType[] = ['VirtualAppliance', 'Internet', 'None', 'VnetLocal', 'VirtualNetworkGateway'];

export function hopTypeOf(text: string): NextHopType | undefined {
  return HOP_TYPES.find((t) => t.toLowerCase() === text.trim().toLowerCase());
}

/** The route that carries some traffic, and where to. */
export interface RouteDecision {
  /** What the decision is for: `0.0.0.0/0` or a service tag. */
  readonly destination: string;
  /** `user`: a route of the table; `system`: Azure's default route; `unknown`: cannot be told. */
  readonly source: 'user' | 'system' | 'unknown';
  readonly route?: RouteModel;
  readonly routeTable?: RouteTableModel;
  readonly nextHopType?: NextHopType;
  readonly nextHopIp?: Maybe<string>;
  /** For `unknown` (or a next hop that cannot be read): why. */
  readonly unknownBecause?: readonly string[];
}

function hop(route: RouteModel): { nextHopType?: NextHopType; nextHopIp?: Maybe<string>; unknownBecause?: string[] } {
  const t = route.nextHopType.value;
  if (isUnknown(t)) return { unknownBecause: [`the next hop type of route ${route.name}: ${t.unknown}`] };
  const type = hopTypeOf(t);
  if (!type) return { unknownBecause: [`route ${route.name} has next hop type "${t}", which Azure does not have`] };
  return { nextHopType: type, ...(type === 'VirtualAppliance' ? { nextHopIp: route.nextHopIpAddress?.value ?? { unknown: `route ${route.name} has no nextHopIpAddress` } } : {}) };
}

function userDecision(destination: string, route: RouteModel, table: RouteTableModel): RouteDecision {
  const h = hop(route);
  return { destination, source: h.unknownBecause ? 'unknown' : 'user', route, routeTable: table, ...h };
}

/** The route for 0.0.0.0/0: the table's 0.0.0.0/0 route, else Azure's system route to the Internet. */
export function defaultRoute(table: RouteTableModel | undefined): RouteDecision {
  const system: RouteDecision = { destination: '0.0.0.0/0', source: 'system', nextHopType: 'Internet', ...(table ? { routeTable: table } : {}) };
  if (!table) return system;
  const unknownPrefix = table.routes.filter((r) => isUnknown(r.addressPrefix.value));
  const zero = table.routes.find((r) => !isUnknown(r.addressPrefix.value) && isDefaultPrefix(r.addressPrefix.value));
  if (zero) return userDecision('0.0.0.0/0', zero, table);
  if (unknownPrefix.length) {
    return {
      destination: '0.0.0.0/0', source: 'unknown', routeTable: table,
      unknownBecause: unknownPrefix.map((r) => `the address prefix of route ${r.name} (${(r.addressPrefix.value as { unknown: string }).unknown}) may be 0.0.0.0/0`),
    };
  }
  return system;
}

export function isDefaultPrefix(prefix: string): boolean {
  return prefix.trim() === '0.0.0.0/0';
}

/** Azure's order among routes whose service tags hold the destination: regional, global, AzureCloud regional, AzureCloud. */
function tagRank(term: ReturnType<typeof parseAddressEntry>): number {
  if (term.kind !== 'tag') return 9;
  const cloud = term.base === 'AzureCloud';
  return (cloud ? 2 : 0) + (term.region ? 0 : 1);
}

/**
 * The route for traffic to a requirement's remote (a service tag): a route whose service tag
 * holds it wins over shorter CIDR routes (0.0.0.0/0); a public CIDR route that may hold part of
 * the tag makes it unknown without service-tag prefix data.
 */
export function routeToTarget(table: RouteTableModel | undefined, target: AddressTarget, env: RelationEnv): RouteDecision {
  const label = targetText(target);
  const fallback = defaultRoute(table);
  if (!table) return { ...fallback, destination: label };
  if (target.kind === 'special' && target.name === 'VirtualNetwork') {
    // The VNet's own space has a system route (VnetLocal); UDRs for private ranges may override
    // parts of it, which amlnet does not split.
    const privates = table.routes.filter((r) => !isUnknown(r.addressPrefix.value) && parseCidr(r.addressPrefix.value)?.family === 4 && !isDefaultPrefix(r.addressPrefix.value));
    if (privates.length) return { destination: label, source: 'unknown', routeTable: table, unknownBecause: privates.map((r) => `route ${r.name} (${String(r.addressPrefix.value)}) may cover part of the virtual network`) };
    return { destination: label, source: 'system', routeTable: table, nextHopType: 'VnetLocal' };
  }
  const tagRoutes: { route: RouteModel; rank: number }[] = [];
  const doubts: string[] = [];
  for (const r of table.routes) {
    const p = r.addressPrefix.value;
    if (isUnknown(p)) {
      doubts.push(`the address prefix of route ${r.name} is not known (${p.unknown})`);
      continue;
    }
    if (isDefaultPrefix(p)) continue;
    const term = parseAddressEntry(p);
    const rel = relateAddress(term, target, env);
    if (rel.kind === 'none') continue;
    if (rel.kind === 'all' && term.kind === 'tag') tagRoutes.push({ route: r, rank: tagRank(term) });
    else if (rel.kind === 'all') doubts.push(`route ${r.name} (${p}) holds ${label}, but so may longer prefixes`);
    else if (rel.kind === 'unknown') doubts.push(`route ${r.name} (${p}): ${rel.reason}`);
    else doubts.push(`route ${r.name} (${p}) covers part of ${label}`);
  }
  if (doubts.length) return { destination: label, source: 'unknown', routeTable: table, unknownBecause: doubts };
  if (tagRoutes.length) {
    tagRoutes.sort((a, b) => a.rank - b.rank);
    return userDecision(label, tagRoutes[0].route, table);
  }
  return { ...fallback, destination: label };
}

/** Where a `VirtualAppliance` next hop leads. */
export type ApplianceTarget =
  | { readonly kind: 'firewall'; readonly firewall: FirewallModel; readonly how: 'ip' | 'reference' }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * The Azure Firewall a next hop IP belongs to: the firewall whose private IP (its first IP
 * configuration's `privateIPAddress`) is that address, or the firewall the route's expression
 * refers to (`firewall.properties.ipConfigurations[0].properties.privateIPAddress`,
 * `reference(resourceId('Microsoft.Network/azureFirewalls', 'fw')).ipConfigurations...`).
 */
export function applianceOf(model: WorkspaceModel, ip: Maybe<string> | undefined, routeSpan?: SourceSpan): ApplianceTarget {
  const firewalls = model.firewalls.filter((f) => f.kind === 'firewall');
  if (ip === undefined) return { kind: 'unknown', reason: 'the route has no next hop IP address' };
  if (!isUnknown(ip)) {
    const want = ip.trim();
    const match = firewalls.filter((f) => f.privateIp && !isUnknown(f.privateIp.value) && f.privateIp.value.trim() === want);
    if (match.length === 1) return { kind: 'firewall', firewall: match[0], how: 'ip' };
    if (match.length > 1) return { kind: 'unknown', reason: `next hop ${want} is the private IP of ${match.length} firewalls (${match.map((f) => f.name).join(', ')})` };
    const unknownIps = firewalls.filter((f) => !f.privateIp || isUnknown(f.privateIp.value));
    if (unknownIps.length) {
      return { kind: 'unknown', reason: `next hop ${want} is not a firewall declared here with that private IP; the private IP of ${unknownIps.map((f) => f.name).join(', ')} is not in the templates (Azure assigns it)` };
    }
    return { kind: 'unknown', reason: `next hop ${want} is not a firewall declared here` };
  }
  const text = ip.unknown;
  const refs = firewalls.filter((f) => refersTo(text, f, routeSpan));
  if (refs.length === 1) return { kind: 'firewall', firewall: refs[0], how: 'reference' };
  return { kind: 'unknown', reason: `the next hop IP is not known (${text})` };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether an expression's text (as an unknown value's reason gives it) reads a firewall's private IP. */
function refersTo(text: string, f: FirewallModel, routeSpan: SourceSpan | undefined): boolean {
  if (!/ipConfigurations/i.test(text)) return false;
  // Bicep: `<symbol>.properties.ipConfigurations...`, the symbol being the firewall's declaration in the same file.
  const hash = f.key.lastIndexOf('#');
  const symbol = hash >= 0 ? f.key.slice(hash + 1) : undefined;
  const sameFile = routeSpan === undefined || f.key.startsWith(`${routeSpan.file}#`);
  if (symbol && /^[A-Za-z_][A-Za-z0-9_]*$/.test(symbol) && sameFile && new RegExp(`(^|[^A-Za-z0-9_.])${escape(symbol)}\\.properties\\.ipConfigurations`).test(text)) return true;
  // ARM: reference(resourceId('Microsoft.Network/azureFirewalls', '<name>')) or reference('<name>').
  const name = escape(f.name);
  // resourceId(...) may come back expanded: '.../providers/Microsoft.Network/azureFirewalls/<name>'.
  return new RegExp(`azureFirewalls(['"]?\\s*,\\s*['"]|/)${name}['"]`, 'i').test(text) || new RegExp(`reference\\(\\s*['"]${name}['"]`, 'i').test(text);
}
