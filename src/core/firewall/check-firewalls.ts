/**
 * Firewalls in the check: for each subnet whose route table sends traffic to a virtual appliance,
 * the route decision, the Azure Firewall it reaches (or why that is unknown), the outbound
 * requirements and the host-name requirements against that firewall's rules, and the forced
 * tunnelling warning. Outbound traffic must pass the NSG (checked by check-model) and the firewall.
 */
import { UNRESOLVED_REGION, type AddressTarget, type RelationEnv } from '../address-relation';
import { dependsOnReasons, selectRequirementsForValues } from '../catalog/catalog';
import type { CheckSettings, NsgCheck } from '../check/check-model';
import { IpSet } from '../ip-range';
import { isUnknown } from '../maybe';
import type { AmlComputeModel, FirewallModel, RouteModel, RouteTableModel, SourceSpan, SubnetModel, VnetModel, WorkspaceModel } from '../model/workspace-model';
import { regionNamed, regionSymbol, regionText, type Region } from '../region';
import type { ResolvedHostRequirement, ResolvedTagRequirement } from '../requirement';
import { applianceOf, defaultRoute, isDefaultPrefix, routeToTarget, type ApplianceTarget, type RouteDecision } from '../route/effective-route';
import { parseAddressEntry } from '../service-tags';
import {
  aggregateFirewall, combineVerdicts, evaluateFlow, flowsOf, makeOrders, type FirewallEnv, type FirewallOutcome, type FirewallVerdict, type FlowTarget,
} from './evaluate-firewall';
import { firewallRules, type FirewallRules } from './firewall-rules';
import { isThirdPartyHost, requiredHost } from './fqdn';

/** A warning about a subnet's routes. */
export interface RouteWarning {
  readonly code: 'amlnet-forced-tunnel';
  readonly message: string;
  readonly span?: SourceSpan;
}

/** Everything the check says about one subnet whose routes lead to a virtual appliance. */
export interface SubnetFirewallCheck {
  readonly subnet: SubnetModel;
  readonly vnet?: VnetModel;
  readonly routeTable: RouteTableModel;
  /** The route for 0.0.0.0/0. */
  readonly route: RouteDecision;
  /** The Azure Firewall the default route reaches. */
  readonly firewall?: FirewallModel;
  /** The firewall's rules as evaluated (for fixes). */
  readonly rules?: FirewallRules;
  /** The Firewall Policy holding its rules, when it uses one. */
  readonly policy?: FirewallModel;
  /** How it was found: by its private IP or by the route's reference to it. */
  readonly firewallFoundBy?: 'ip' | 'reference';
  /** Why the default route's appliance is not a firewall amlnet can judge. */
  readonly firewallUnknown?: string;
  readonly inScope: boolean;
  readonly scopeReasons: readonly string[];
  readonly region?: Region;
  readonly warnings: readonly RouteWarning[];
  /** Outbound service-tag requirements and host-name requirements, as the route and firewall decide them. */
  readonly verdicts: readonly FirewallVerdict[];
  /** Suppressed in the source (check/suppression.ts): requirement ids of reported verdicts, warning codes. */
  readonly suppressed?: { readonly requirements: ReadonlySet<string>; readonly warnings: ReadonlySet<string> };
}

const TAG_SPECIAL = new Set(['internet', 'virtualnetwork', 'azureloadbalancer']);

function targetOf(tag: string, regional: boolean | undefined, region: Region): AddressTarget {
  if (tag === '*') return { kind: 'any' };
  if (TAG_SPECIAL.has(tag.toLowerCase())) return { kind: 'special', name: (['Internet', 'VirtualNetwork', 'AzureLoadBalancer'] as const).find((n) => n.toLowerCase() === tag.toLowerCase())! };
  return { kind: 'tag', base: tag, ...(regional ? { region } : {}) };
}

function routeLabel(d: RouteDecision): string {
  const hop = d.nextHopType ? `${d.nextHopType}${d.nextHopIp !== undefined ? ` ${isUnknown(d.nextHopIp) ? '(IP not known)' : d.nextHopIp}` : ''}` : 'a next hop not known';
  return d.route ? `route ${d.route.name} (${String(isUnknown(d.route.addressPrefix.value) ? '?' : d.route.addressPrefix.value)} to ${hop})` : `Azure's system route (${hop})`;
}

interface Hop {
  readonly kind: 'firewall' | 'bypass' | 'drop' | 'unknown';
  readonly firewall?: FirewallRules;
  readonly reason: string;
  /** The user route that decides where the traffic goes. */
  readonly route?: RouteModel;
}

/** Where traffic a route decision carries ends up, for the firewall part of a requirement. */
function hopOf(d: RouteDecision, model: WorkspaceModel, rulesOf: (f: FirewallModel) => FirewallRules): Hop {
  const hop = hopKind(d, model, rulesOf);
  return d.route ? { ...hop, route: d.route } : hop;
}

function hopKind(d: RouteDecision, model: WorkspaceModel, rulesOf: (f: FirewallModel) => FirewallRules): Hop {
  if (d.source === 'unknown' || !d.nextHopType) return { kind: 'unknown', reason: `the route is not known: ${(d.unknownBecause ?? []).join('; ')}` };
  switch (d.nextHopType) {
    case 'Internet':
    case 'VnetLocal':
      return { kind: 'bypass', reason: `${routeLabel(d)} does not pass a firewall` };
    case 'None':
      return { kind: 'drop', reason: `${routeLabel(d)} drops the traffic (next hop None)` };
    case 'VirtualNetworkGateway':
      return { kind: 'unknown', reason: `${routeLabel(d)} sends the traffic to the virtual network gateway; what filters it beyond is not in the templates` };
    case 'VirtualAppliance': {
      const a: ApplianceTarget = applianceOf(model, d.nextHopIp, d.route?.nextHopIpAddress?.span ?? d.route?.span);
      if (a.kind === 'firewall') return { kind: 'firewall', firewall: rulesOf(a.firewall), reason: `${routeLabel(d)} leads to firewall ${a.firewall.name}` };
      return { kind: 'unknown', reason: `${routeLabel(d)}: ${a.reason}` };
    }
  }
}

/** The outcome rows for traffic that a route sends elsewhere than a firewall (or to a firewall). */
function rowsFor(hop: Hop, flowsTarget: string, protocols: readonly string[], ports: readonly string[]): FirewallOutcome[] | undefined {
  if (hop.kind === 'firewall') return undefined;
  const outcome: FirewallOutcome['outcome'] = hop.kind === 'drop' ? 'blocked' : hop.kind === 'bypass' ? 'allowed' : 'unknown';
  return protocols.map((p) => ({
    protocol: p, ports: ports.join(', '), target: flowsTarget, outcome, decidedBy: [],
    detail: hop.kind === 'bypass' ? `not filtered by a firewall: ${hop.reason}` : hop.reason,
    ...(outcome === 'unknown' ? { unknownBecause: [hop.reason] } : {}),
    ...(hop.route?.span ? { routeSpan: hop.route.span } : {}),
  }));
}

function forcedTunnelWarnings(subnet: SubnetModel, table: RouteTableModel, nsgName: string | undefined): RouteWarning[] {
  const out: RouteWarning[] = [];
  for (const r of table.routes) {
    const p = r.addressPrefix.value;
    const t = r.nextHopType.value;
    if (isUnknown(p) || !isDefaultPrefix(p) || isUnknown(t)) continue;
    const lower = t.toLowerCase();
    if (lower !== 'virtualappliance' && lower !== 'virtualnetworkgateway') continue;
    const hop = lower === 'virtualappliance' ? `the virtual appliance ${r.nextHopIpAddress && !isUnknown(r.nextHopIpAddress.value) ? r.nextHopIpAddress.value : '(IP not known)'}` : 'the virtual network gateway';
    out.push({
      code: 'amlnet-forced-tunnel',
      span: r.span,
      message: `Forced tunnelling: route ${r.name} of ${table.name} sends 0.0.0.0/0 from subnet ${subnet.name} to ${hop}. Azure adds the prefixes of user-defined routes to the VirtualNetwork service tag, so VirtualNetwork now holds 0.0.0.0/0: `
        + `${nsgName ? `the default rule AllowVnetOutBound (65000) of ${nsgName}` : 'an NSG\'s default rule AllowVnetOutBound (65000)'} and every rule with VirtualNetwork as destination allow outbound traffic to any address. `
        + 'The NSG verdicts take VirtualNetwork as the VNet\'s own space; filtering the rest is left to the appliance.',
    });
  }
  return out;
}

function routesToAppliance(table: RouteTableModel): boolean {
  return table.routes.some((r: RouteModel) => {
    const t = r.nextHopType.value;
    return isUnknown(t) || t.toLowerCase() === 'virtualappliance' || (t.toLowerCase() === 'virtualnetworkgateway' && !isUnknown(r.addressPrefix.value) && isDefaultPrefix(r.addressPrefix.value));
  });
}

/** Route table entries with a service tag or public prefix that may carry a host's addresses elsewhere than the default route. */
function hostRouteDoubts(table: RouteTableModel, host: FlowTarget & { kind: 'name' }, dflt: RouteDecision): string[] {
  const out: string[] = [];
  for (const r of table.routes) {
    const p = r.addressPrefix.value;
    if (isUnknown(p) || isDefaultPrefix(p) || r === dflt.route) continue;
    const term = parseAddressEntry(p);
    if (term.kind === 'cidr' && (IpSet.fromCidrs(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'])!.covers(term.set))) {
      if (isThirdPartyHost(host.set)) continue;
    }
    if (term.kind === 'tag' && term.base !== 'AzureCloud' && isThirdPartyHost(host.set)) continue;
    const hopType = r.nextHopType.value;
    if (!isUnknown(hopType) && !isUnknown(dflt.route?.nextHopType.value ?? 'x') && dflt.route && hopType === dflt.route.nextHopType.value
      && (r.nextHopIpAddress?.value ?? null) === (dflt.route.nextHopIpAddress?.value ?? null)) continue;
    out.push(`route ${r.name} (${p} to ${isUnknown(hopType) ? '?' : hopType}) may carry the traffic to ${host.label} past the default route`);
  }
  return out;
}

/** Options of a subnet: those its NSG was checked with, else the user's with the computes' public IP. */
function regionFor(nsgCheck: NsgCheck | undefined, settings: CheckSettings, workspaceRegion: Region | undefined): { region: Region; aliases: Map<string, Region> } {
  const aliases = new Map<string, Region>();
  // The NSG's region as the check took it; without an NSG, the workspace's of the computes on the subnet.
  let region = nsgCheck?.options.region.value ?? workspaceRegion;
  if (region?.kind === 'symbol' && settings.options.region) {
    aliases.set(region.symbol, regionNamed(settings.options.region));
    region = regionNamed(settings.options.region);
  }
  if (!region && settings.options.region) region = regionNamed(settings.options.region);
  return { region: region ?? regionSymbol(UNRESOLVED_REGION, '<region>'), aliases };
}

/** Checks the firewalls that subnets' routes lead to. `nsgs` is check-model's result for the same model. */
export function checkFirewalls(model: WorkspaceModel, nsgs: readonly NsgCheck[], settings: CheckSettings): SubnetFirewallCheck[] {
  const tables = new Map(model.routeTables.map((t) => [t.key, t]));
  const vnets = new Map(model.vnets.map((v) => [v.key, v]));
  const rulesCache = new Map<string, FirewallRules>();
  const rulesOf = (f: FirewallModel): FirewallRules => {
    let r = rulesCache.get(f.key);
    if (!r) rulesCache.set(f.key, (r = firewallRules(model, f, settings.sourceText)));
    return r;
  };
  const ordersCache = new Map<FirewallRules, ReturnType<typeof makeOrders>>();
  const ordersOf = (fw: FirewallRules) => {
    let o = ordersCache.get(fw);
    if (!o) ordersCache.set(fw, (o = makeOrders(fw)));
    return o;
  };
  const computesBySubnet = new Map<string, AmlComputeModel[]>();
  for (const c of model.computes) {
    const t = c.subnet?.target;
    if (t) computesBySubnet.set(t, [...(computesBySubnet.get(t) ?? []), c]);
  }
  const out: SubnetFirewallCheck[] = [];
  for (const subnet of model.subnets) {
    const table = subnet.routeTable?.target ? tables.get(subnet.routeTable.target) : undefined;
    if (!table || !routesToAppliance(table)) continue;
    const nsgCheck = nsgs.find((n) => n.subnets.some((s) => s.key === subnet.key));
    const computes = computesBySubnet.get(subnet.key) ?? [];
    const scopeReasons: string[] = [];
    for (const c of computes) scopeReasons.push(`Azure ML compute ${c.name} uses subnet ${subnet.name}`);
    if (nsgCheck?.inScope && !computes.length) scopeReasons.push(...nsgCheck.scopeReasons.map((r) => `its NSG ${nsgCheck.nsg.name}: ${r}`));
    const inScope = settings.scope === 'all' || scopeReasons.length > 0;
    if (!scopeReasons.length) scopeReasons.push(settings.scope === 'all' ? 'scope is all' : 'no Azure ML compute uses it and its NSG is not in scope');

    const workspaceRegions = [...new Set(computes.flatMap((c) => {
      const w = c.workspace?.target ? model.workspaces.find((x) => x.key === c.workspace!.target) : undefined;
      const r = w?.location.value;
      return r && !isUnknown(r) && r.kind === 'name' ? [r.name] : [];
    }))];
    const { region, aliases } = regionFor(nsgCheck, settings, workspaceRegions.length === 1 ? regionNamed(workspaceRegions[0]) : undefined);
    const prefixes = subnet.addressPrefixes.value;
    const relation: RelationEnv = {
      context: { region: region.kind === 'name' ? region : undefined, subnetPrefixes: isUnknown(prefixes) ? undefined : prefixes, serviceTags: settings.serviceTags },
      regionAliases: aliases,
      subnetPrefixes: isUnknown(prefixes) ? undefined : IpSet.fromCidrs(prefixes),
    };
    const env: FirewallEnv = { relation };
    // The option values the NSG was checked with: a requirement that depends on one known only at
    // deployment may not apply, and is unknown rather than failing (as for the NSG).
    const optionValues = nsgCheck?.optionValues ?? {
      publicIp: { certain: [nsgCheck?.options.publicIp.value ?? settings.options.publicIp], uncertain: false },
      hbi: { certain: [nsgCheck?.options.hbi.value ?? settings.options.hbi], uncertain: false },
    };
    const { selection, dependsOn } = selectRequirementsForValues(
      settings.edition, { ...settings.options, region: region.kind === 'name' ? region.name : settings.options.region }, optionValues);
    const mayNotApply = (v: FirewallVerdict): FirewallVerdict => {
      const conditions = dependsOn.get(v.id);
      if (!conditions || !nsgCheck || !isFirewallFailure(v)) return v;
      const because = dependsOnReasons(conditions, { publicIp: nsgCheck.options.publicIp.unknown, hbi: nsgCheck.options.hbi.unknown });
      return { ...v, verdict: 'unknown', explanation: `Unknown: ${because.join('; ')}. If it applies: ${v.explanation}`, unknownBecause: [...because, ...(v.unknownBecause ?? [])] };
    };

    const dflt = defaultRoute(table);
    const dfltHop = hopOf(dflt, model, rulesOf);
    const verdicts: FirewallVerdict[] = [];
    for (const req of selection.applicable) {
      try {
        if (req.kind === 'service-tag') {
          if (req.direction !== 'Outbound') continue;
          const v = mayNotApply(tagVerdict(req, table, region, relation, env, model, rulesOf, ordersOf));
          const nsgVerdict = nsgCheck?.verdicts.find((x) => x.id === req.id)?.verdict;
          verdicts.push(nsgVerdict ? { ...v, nsgVerdict, combined: combineVerdicts(nsgVerdict, v.verdict) } : v);
        } else {
          verdicts.push(mayNotApply(hostVerdict(req, table, dflt, dfltHop, env, ordersOf)));
        }
      } catch (e) {
        // A requirement amlnet cannot evaluate (malformed custom ports, say) is unknown, and the check goes on.
        const reason = `amlnet could not evaluate it: ${e instanceof Error ? e.message : String(e)}`;
        verdicts.push({ id: req.id, kind: req.kind, target: req.kind === 'host' ? req.host : req.remote.map((r) => r.tag).join(' + '), verdict: 'unknown', explanation: `Unknown: ${reason}.`, breakdown: [], decidedBy: [], unknownBecause: [reason], spec: req.spec });
      }
    }
    const firewall = dfltHop.kind === 'firewall' ? dfltHop.firewall!.firewall : undefined;
    const appliance = dflt.nextHopType === 'VirtualAppliance' ? applianceOf(model, dflt.nextHopIp, dflt.route?.nextHopIpAddress?.span ?? dflt.route?.span) : undefined;
    out.push({
      subnet,
      ...(subnet.vnet && vnets.get(subnet.vnet) ? { vnet: vnets.get(subnet.vnet) } : {}),
      routeTable: table,
      route: dflt,
      ...(firewall ? { firewall, firewallFoundBy: appliance?.kind === 'firewall' ? appliance.how : undefined } : {}),
      ...(dfltHop.firewall ? { rules: dfltHop.firewall } : {}),
      ...(dfltHop.firewall?.policy ? { policy: dfltHop.firewall.policy } : {}),
      ...(dfltHop.kind === 'unknown' ? { firewallUnknown: dfltHop.reason } : {}),
      inScope,
      scopeReasons,
      region,
      warnings: forcedTunnelWarnings(subnet, table, nsgCheck?.nsg.name),
      verdicts,
    });
  }
  return out;
}

function tagVerdict(
  req: ResolvedTagRequirement, table: RouteTableModel, region: Region, relation: RelationEnv, env: FirewallEnv,
  model: WorkspaceModel, rulesOf: (f: FirewallModel) => FirewallRules, ordersOf: (fw: FirewallRules) => ReturnType<typeof makeOrders>,
): FirewallVerdict {
  const protocols: ('TCP' | 'UDP')[] = req.protocol === '*' ? ['TCP', 'UDP'] : [req.protocol === 'Udp' ? 'UDP' : 'TCP'];
  const rows: FirewallOutcome[] = [];
  const labels: string[] = [];
  let throughFirewall = false;
  for (const remote of req.remote) {
    const target = targetOf(remote.tag, remote.regional, region);
    const label = target.kind === 'tag' && target.region ? `${target.base}.${regionText(target.region)}` : remote.tag;
    labels.push(label);
    const decision = routeToTarget(table, target, relation);
    const hop = hopOf(decision, model, rulesOf);
    const direct = rowsFor(hop, label, protocols, req.ports);
    if (direct) {
      rows.push(...direct);
      continue;
    }
    throughFirewall = true;
    const fw = hop.firewall!;
    const orders = ordersOf(fw);
    for (const flow of flowsOf(protocols, req.ports, { kind: 'address', target }, fw)) rows.push(evaluateFlow(fw, flow, env, orders));
  }
  const v = aggregateFirewall(req.id, 'service-tag', labels.join(' + '), req.spec, rows);
  if (!throughFirewall && rows.every((r) => r.outcome === 'allowed')) {
    return { ...v, verdict: 'not-applicable', explanation: `Not through a firewall: ${rows[0]?.detail.replace(/^not filtered by a firewall: /, '') ?? 'no route leads to one'}.`, decidedBy: [] };
  }
  return v;
}

function hostVerdict(
  req: ResolvedHostRequirement, table: RouteTableModel, dflt: RouteDecision, hop: Hop, env: FirewallEnv,
  ordersOf: (fw: FirewallRules) => ReturnType<typeof makeOrders>,
): FirewallVerdict {
  const host = requiredHost(req.host);
  const l7 = req.protocol === 'Https' ? 'Https' : req.protocol === 'Http' ? 'Http' : undefined;
  const protocols: ('TCP' | 'UDP')[] = req.protocol === 'Udp' ? ['UDP'] : ['TCP'];
  const rows: FirewallOutcome[] = [];
  const doubts: string[] = [];
  for (const part of host.parts) {
    const target: FlowTarget = { kind: 'name', set: part.set, label: part.label, regionUnknown: host.regionUnknown };
    const direct = rowsFor(hop, part.label, protocols.map((p) => (l7 ? l7.toUpperCase() : p)), req.ports);
    if (direct) {
      rows.push(...direct);
      continue;
    }
    doubts.push(...hostRouteDoubts(table, target, dflt));
    const fw = hop.firewall!;
    const orders = ordersOf(fw);
    for (const flow of flowsOf(protocols, req.ports, target, fw, l7)) rows.push(evaluateFlow(fw, flow, env, orders));
  }
  if (doubts.length) {
    const reasons = [...new Set(doubts)];
    for (let i = 0; i < rows.length; i++) {
      if (rows[i].outcome !== 'blocked' && rows[i].outcome !== 'partial') continue;
      rows[i] = { ...rows[i], outcome: 'unknown', detail: `${rows[i].detail}, unless ${reasons.join('; ')}`, unknownBecause: reasons };
    }
  }
  const v = aggregateFirewall(req.id, 'host', req.host, req.spec, rows);
  if (hop.kind === 'bypass' && rows.every((r) => r.outcome === 'allowed')) {
    return { ...v, verdict: 'not-applicable', explanation: `Not through a firewall: ${hop.reason}.`, decidedBy: [] };
  }
  return v;
}

/** Whether a firewall verdict fails the run. */
export function isFirewallFailure(v: FirewallVerdict): boolean {
  return v.verdict === 'blocked' || v.verdict === 'partial';
}
