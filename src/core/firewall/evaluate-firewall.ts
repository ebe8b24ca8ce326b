/**
 * The firewall engine (docs/semantics.md "Firewalls"): outbound requirements against an Azure
 * Firewall's rules in Azure's order. Network rules first (inherited rule collection groups before
 * the policy's own, then group priority, then collection priority), then application rules for
 * HTTP/HTTPS, then the default deny. Values that cannot be known are resolved twice, in the best
 * and the worst case for allowing; when both agree the outcome is certain, otherwise unknown.
 */
import { relateAddress, targetText, type AddressTarget, type RelationEnv } from '../address-relation';
import { PRIVATE_SPACE } from '../ip-range';
import { isUnknown, type Maybe } from '../maybe';
import type { SourceSpan } from '../model/workspace-model';
import type { AddressEntry } from '../nsg';
import { formatRange, parsePortEntry, PortSet, portSetOf, type PortRange } from '../port-set';
import type { RequirementSpec } from '../requirement';
import { parseAddressEntry } from '../service-tags';
import type { VerdictKind } from '../verdict';
import type { ApplicationRule, FirewallCollection, FirewallRule, FirewallRules, NetworkRule, RuleSources } from './firewall-rules';
import { isThirdPartyHost, parseFqdnPattern, relateNames, type NameSet } from './fqdn';

/** A rule (or the default deny) that decided some traffic. */
export interface FirewallRuleRef {
  /** The firewall or policy that holds the rule. */
  readonly firewall: string;
  readonly group?: string;
  readonly groupPriority?: number;
  readonly collection: string;
  readonly priority?: number;
  readonly rule: string;
  readonly action: 'Allow' | 'Deny';
  readonly kind: 'network' | 'application' | 'default';
  readonly isDefault: boolean;
  readonly span?: SourceSpan;
}

/** The outcome for one protocol, one run of ports and one destination (a tag, or a host name set). */
export interface FirewallOutcome {
  /** `TCP`, `UDP`, `HTTPS` or `HTTP`. */
  readonly protocol: string;
  readonly ports: string;
  readonly target: string;
  readonly outcome: 'allowed' | 'blocked' | 'partial' | 'unknown';
  readonly decidedBy: readonly FirewallRuleRef[];
  readonly detail: string;
  readonly unknownBecause?: readonly string[];
  /** For traffic a route decides without a firewall (dropped, or sent elsewhere): where that route is written. */
  readonly routeSpan?: SourceSpan;
}

export type FirewallVerdictKind = Exclude<VerdictKind, 'allowed-by-default'>;

/** A requirement's verdict against a firewall. */
export interface FirewallVerdict {
  readonly id: string;
  readonly kind: 'service-tag' | 'host';
  /** The remote tags (`Storage.westeurope`) or the host. */
  readonly target: string;
  readonly verdict: FirewallVerdictKind;
  readonly explanation: string;
  readonly breakdown: readonly FirewallOutcome[];
  readonly decidedBy: readonly FirewallRuleRef[];
  readonly unknownBecause?: readonly string[];
  /** Blocked only by the default deny: no rule allows it (a fix adds one). */
  readonly missing?: boolean;
  readonly spec: RequirementSpec;
  /** Service-tag rows: the subnet's NSG verdict for the same requirement, when the subnet has an NSG. */
  readonly nsgVerdict?: VerdictKind;
  /** Service-tag rows with an NSG: the NSG and the firewall together (docs/semantics.md "Firewalls"). */
  readonly combined?: VerdictKind;
}

/**
 * The NSG and the firewall together: traffic passes only if both let it. Blocked if either
 * blocks; else partial if either is partial; else unknown if either is; else allowed by default
 * if the NSG allows only by default; else allowed. A firewall the route does not reach leaves
 * the NSG's verdict.
 */
export function combineVerdicts(nsg: VerdictKind, firewall: FirewallVerdictKind): VerdictKind {
  if (firewall === 'not-applicable') return nsg;
  if (nsg === 'not-applicable') return firewall;
  const both = [nsg, firewall];
  for (const k of ['blocked', 'partial', 'unknown', 'allowed-by-default'] as const) if (both.includes(k)) return k;
  return 'allowed';
}

/** What one piece of required traffic goes to. */
export type FlowTarget =
  | { readonly kind: 'address'; readonly target: AddressTarget }
  | { readonly kind: 'name'; readonly set: NameSet; readonly label: string; readonly regionUnknown: boolean };

/** One piece of required traffic: a protocol, a run of ports that every rule matches wholly or not at all, a target. */
export interface Flow {
  readonly protocol: 'TCP' | 'UDP';
  /** The HTTP-level protocol an application rule would match, when the requirement names one. */
  readonly l7?: 'Http' | 'Https';
  readonly ports: PortRange;
  readonly target: FlowTarget;
}

export interface FirewallEnv {
  readonly relation: RelationEnv;
}

type Match = { readonly kind: 'all' | 'none' | 'part' } | { readonly kind: 'maybe'; readonly reasons: readonly string[] };
const ALL: Match = { kind: 'all' };
const NONE: Match = { kind: 'none' };
const PART: Match = { kind: 'part' };
const maybe = (...reasons: string[]): Match => ({ kind: 'maybe', reasons });

/** All of the dimensions: none if any is none, else maybe if any is, else part if any is, else all. */
function both(...ms: Match[]): Match {
  if (ms.some((m) => m.kind === 'none')) return NONE;
  const doubts = ms.flatMap((m) => (m.kind === 'maybe' ? m.reasons : []));
  if (doubts.length) return maybe(...doubts);
  return ms.some((m) => m.kind === 'part') ? PART : ALL;
}

/** Any of the entries: all if any is, else part / maybe, else none. */
function anyOf(ms: readonly Match[]): Match {
  if (ms.some((m) => m.kind === 'all')) return ALL;
  const doubts = ms.flatMap((m) => (m.kind === 'maybe' ? m.reasons : []));
  if (doubts.length) return maybe(...doubts);
  return ms.some((m) => m.kind === 'part') ? PART : NONE;
}

// ---------------------------------------------------------------------------------------------
// Matching one rule against one flow

function sourceMatch(s: RuleSources, rule: string, env: FirewallEnv): Match {
  const out: Match[] = [];
  if (isUnknown(s.addresses)) out.push(maybe(`the sources of rule ${rule}: ${s.addresses.unknown}`));
  else {
    for (const e of s.addresses) {
      const rel = relateAddress(parseAddressEntry(e), { kind: 'subnet' }, env.relation);
      if (rel.kind === 'all') out.push(ALL);
      else if (rel.kind === 'none') out.push(NONE);
      else if (rel.kind === 'unknown') out.push(maybe(`rule ${rule}: ${rel.reason}`));
      else out.push(maybe(`rule ${rule}: source ${rel.label} covers only part of the compute subnet`));
    }
  }
  if (isUnknown(s.ipGroups)) out.push(maybe(`the source IP groups of rule ${rule}: ${s.ipGroups.unknown}`));
  else for (const g of s.ipGroups) out.push(maybe(`rule ${rule}: whether IP group ${g} holds the compute subnet is not in the rule`));
  if (out.length === 0) return maybe(`rule ${rule} has no source`);
  return anyOf(out);
}

function networkProtocolMatch(rule: NetworkRule, flow: Flow): Match {
  if (isUnknown(rule.protocols)) return maybe(`the protocols of rule ${rule.name}: ${rule.protocols.unknown}`);
  return anyOf(rule.protocols.map((p) => {
    if (isUnknown(p)) return maybe(`a protocol of rule ${rule.name}: ${p.unknown}`);
    const l = p.trim().toLowerCase();
    return l === 'any' || l === flow.protocol.toLowerCase() ? ALL : NONE;
  }));
}

function portsOf(entries: readonly Maybe<string>[]): { set: PortSet; doubts: string[] } {
  let set = PortSet.EMPTY;
  const doubts: string[] = [];
  for (const e of entries) {
    if (isUnknown(e)) {
      doubts.push(e.unknown);
      continue;
    }
    const p = parsePortEntry(e);
    if (p.ok) set = set.union(p.set);
    else doubts.push(p.error);
  }
  return { set, doubts };
}

function networkPortMatch(rule: NetworkRule, flow: Flow): Match {
  if (isUnknown(rule.destinationPorts)) return maybe(`the ports of rule ${rule.name}: ${rule.destinationPorts.unknown}`);
  const { set, doubts } = portsOf(rule.destinationPorts);
  const want = PortSet.of([flow.ports]);
  if (set.covers(want)) return ALL;
  if (doubts.length) return maybe(...doubts.map((d) => `a port of rule ${rule.name}: ${d}`));
  // Flows are cut at every port boundary of every rule, so a rule holds all of a flow's ports or none.
  return set.overlaps(want) ? PART : NONE;
}

function isPrivate(term: ReturnType<typeof parseAddressEntry>): boolean {
  return term.kind === 'cidr' && PRIVATE_SPACE.covers(term.set);
}

function addressToName(e: AddressEntry, flow: Flow & { target: { kind: 'name' } }, rule: string): Match {
  const term = parseAddressEntry(e);
  const host = flow.target.label;
  switch (term.kind) {
    case 'any': return ALL;
    case 'unknown': return maybe(`a destination of rule ${rule}: ${term.reason}`);
    case 'cidr':
      if (isPrivate(term) && isThirdPartyHost(flow.target.set)) return NONE;
      return maybe(`rule ${rule}: whether ${host} resolves into ${term.text} is not in the templates`);
    case 'tag':
      if (isThirdPartyHost(flow.target.set) && term.base !== 'AzureCloud') return NONE;
      return maybe(`rule ${rule}: whether ${host} resolves into service tag ${term.text} is not in the templates`);
    case 'special':
      if (term.name === 'Internet' && !isThirdPartyHost(flow.target.set)) return maybe(`rule ${rule}: whether ${host} lies in ${term.text} is not in the templates`);
      return term.name === 'Internet' ? ALL : NONE;
    case 'asg': return NONE;
  }
}

function relationOf(rel: ReturnType<typeof relateAddress>, rule: string): Match {
  switch (rel.kind) {
    case 'all': return ALL;
    case 'none': return NONE;
    case 'unknown': return maybe(`rule ${rule}: ${rel.reason}`);
    default: return PART;
  }
}

function networkDestinationMatch(rule: NetworkRule, flow: Flow, dnsProxy: Maybe<boolean>, env: FirewallEnv): Match {
  const out: Match[] = [];
  if (isUnknown(rule.destinationAddresses)) out.push(maybe(`the destinations of rule ${rule.name}: ${rule.destinationAddresses.unknown}`));
  else {
    const resolvesInto: string[] = [];
    for (const e of rule.destinationAddresses) {
      if (flow.target.kind === 'address') out.push(relationOf(relateAddress(parseAddressEntry(e), flow.target.target, env.relation), rule.name));
      else {
        const m = addressToName(e, flow as Flow & { target: { kind: 'name' } }, rule.name);
        // One reason per rule for the addresses a host name may resolve into.
        if (m.kind === 'maybe' && m.reasons.every((r) => r.includes(' resolves into '))) resolvesInto.push(parseAddressEntry(e).text);
        else out.push(m);
      }
    }
    if (resolvesInto.length) out.push(maybe(`rule ${rule.name}: whether ${flowTargetLabel(flow.target)} resolves into ${resolvesInto.join(', ')} is not in the templates`));
  }
  if (isUnknown(rule.destinationFqdns)) out.push(maybe(`the destination FQDNs of rule ${rule.name}: ${rule.destinationFqdns.unknown}`));
  else {
    for (const f of rule.destinationFqdns) {
      if (isUnknown(f)) {
        out.push(maybe(`a destination FQDN of rule ${rule.name}: ${f.unknown}`));
        continue;
      }
      if (flow.target.kind === 'address') {
        out.push(maybe(`rule ${rule.name}: whether ${f} resolves into ${targetText(flow.target.target)} is not in the templates`));
        continue;
      }
      const p = parseFqdnPattern(f, false);
      if (!p.ok) {
        out.push(maybe(`rule ${rule.name}: ${p.error}; Azure rejects the rule`));
        continue;
      }
      const rel = nameRelation(p.set, flow.target);
      if (rel.kind === 'none') {
        out.push(NONE);
        continue;
      }
      // FQDNs in network rules are resolved by the firewall's DNS proxy (Azure Firewall docs: "To
      // use FQDNs in your network rules, you must enable DNS Proxy").
      if (dnsProxy !== true) out.push(maybe(`rule ${rule.name} names ${f} in a network rule, which needs DNS proxy: ${isUnknown(dnsProxy) ? dnsProxy.unknown : 'DNS proxy is off'}`));
      else out.push(rel);
    }
  }
  if (isUnknown(rule.destinationIpGroups)) out.push(maybe(`the destination IP groups of rule ${rule.name}: ${rule.destinationIpGroups.unknown}`));
  else for (const g of rule.destinationIpGroups) out.push(maybe(`rule ${rule.name}: the addresses of IP group ${g} are not in the rule`));
  return anyOf(out);
}

function nameRelation(rule: NameSet, target: FlowTarget & { kind: 'name' }): Match {
  const rel = relateNames(rule, target.set);
  if (rel === 'all') return ALL;
  // With the region not known, `<region>` stands for a token no rule names: only `all` is certain.
  if (target.regionUnknown) return maybe(`the region is not known, so whether the rule covers ${target.label} cannot be told (set the region option)`);
  return rel === 'part' ? PART : NONE;
}

function matchNetwork(rule: NetworkRule, flow: Flow, dnsProxy: Maybe<boolean>, env: FirewallEnv): Match {
  return both(networkProtocolMatch(rule, flow), networkPortMatch(rule, flow), sourceMatch(rule.sources, rule.name, env), networkDestinationMatch(rule, flow, dnsProxy, env));
}

/** Which HTTP-level protocol a flow has for application rules: named by the requirement, or HTTPS/HTTP on TCP 443/80. */
function l7Of(flow: Flow): 'Http' | 'Https' | undefined {
  if (flow.protocol !== 'TCP') return undefined;
  if (flow.l7) return flow.l7;
  if (flow.ports.from === flow.ports.to && flow.ports.from === 443) return 'Https';
  if (flow.ports.from === flow.ports.to && flow.ports.from === 80) return 'Http';
  return undefined;
}

function appProtocolMatch(rule: ApplicationRule, flow: Flow): Match {
  if (flow.protocol !== 'TCP') return NONE;
  if (isUnknown(rule.protocols)) return maybe(`the protocols of rule ${rule.name}: ${rule.protocols.unknown}`);
  const l7 = l7Of(flow);
  const single = flow.ports.from === flow.ports.to ? flow.ports.from : undefined;
  return anyOf(rule.protocols.map((p) => {
    if (isUnknown(p.type)) return maybe(`a protocol of rule ${rule.name}: ${p.type.unknown}`);
    const type = p.type.toLowerCase();
    if (type !== 'http' && type !== 'https') return NONE;
    if (isUnknown(p.port)) return maybe(`a port of rule ${rule.name}: ${p.port.unknown}`);
    if (single === undefined || p.port !== single) return NONE;
    if (l7) return l7.toLowerCase() === type ? ALL : NONE;
    // TCP on another port: application rules match it only if the traffic is HTTP(S).
    return maybe(`rule ${rule.name} allows ${p.type}:${p.port}; whether the traffic on TCP ${single} is ${p.type} is not documented`);
  }));
}

/** AzureKubernetesService FQDN tag: hosts the AKS egress docs list as covered by it (those amlnet's catalog names). */
const FQDN_TAG_HOSTS: Readonly<Record<string, readonly string[]>> = {
  azurekubernetesservice: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'],
};

function appTargetMatch(rule: ApplicationRule, flow: Flow): Match {
  const out: Match[] = [];
  const rn = rule.name;
  const lists: [Maybe<readonly Maybe<string>[]>, string][] = [[rule.targetFqdns, 'target FQDNs'], [rule.fqdnTags, 'FQDN tags'], [rule.targetUrls, 'target URLs'], [rule.webCategories, 'web categories']];
  for (const [l, what] of lists) if (isUnknown(l)) out.push(maybe(`the ${what} of rule ${rn}: ${l.unknown}`));
  if (flow.target.kind === 'address') {
    const label = targetText(flow.target.target);
    const doubt = maybe(`rule ${rn} matches HTTP(S) by host name; which names the traffic to ${label} uses is not in the templates`);
    if (!isUnknown(rule.targetFqdns)) {
      for (const f of rule.targetFqdns) {
        if (isUnknown(f)) {
          out.push(maybe(`a target FQDN of rule ${rn}: ${f.unknown}`));
          continue;
        }
        const p = parseFqdnPattern(f, true);
        if (p.ok && p.set.kind === 'all') {
          // Every HTTP(S) host: traffic on 443 (80) to the tag is HTTPS (HTTP), matched whatever its name.
          out.push(l7Of(flow) ? ALL : maybe(`rule ${rn} allows every host name, but whether the traffic to ${label} is HTTP(S) is not documented`));
        } else if (p.ok && isThirdPartyHost(p.set)) {
          // Names of third parties are not the names of Azure services' endpoints.
          out.push(NONE);
        } else out.push(doubt);
      }
    }
    if ([rule.fqdnTags, rule.targetUrls, rule.webCategories].some((l) => !isUnknown(l) && l.length > 0)) out.push(doubt);
    return out.length ? anyOf(out) : NONE;
  }
  const target = flow.target;
  if (!isUnknown(rule.targetFqdns)) {
    for (const f of rule.targetFqdns) {
      if (isUnknown(f)) {
        out.push(maybe(`a target FQDN of rule ${rn}: ${f.unknown}`));
        continue;
      }
      const p = parseFqdnPattern(f, true);
      out.push(p.ok ? nameRelation(p.set, target) : maybe(`rule ${rn}: ${p.error}`));
    }
  }
  if (!isUnknown(rule.fqdnTags)) {
    for (const t of rule.fqdnTags) {
      if (isUnknown(t)) {
        out.push(maybe(`an FQDN tag of rule ${rn}: ${t.unknown}`));
        continue;
      }
      const hosts = FQDN_TAG_HOSTS[t.trim().toLowerCase()];
      const known = hosts?.map((h) => parseFqdnPattern(h)).map((p) => (p.ok ? nameRelation(p.set, target) : NONE)).find((m) => m.kind === 'all');
      out.push(known ?? maybe(`rule ${rn}: which hosts FQDN tag ${t} holds is Azure's list, not in the templates`));
    }
  }
  if (!isUnknown(rule.targetUrls)) for (const u of rule.targetUrls) out.push(maybe(`rule ${rn}: target URL ${isUnknown(u) ? '?' : u} needs TLS inspection (Premium), which amlnet does not judge`));
  if (!isUnknown(rule.webCategories)) for (const w of rule.webCategories) out.push(maybe(`rule ${rn}: whether ${target.label} is in web category ${isUnknown(w) ? '?' : w} is not in the templates`));
  return out.length ? anyOf(out) : NONE;
}

function matchApplication(rule: ApplicationRule, flow: Flow, env: FirewallEnv): Match {
  return both(appProtocolMatch(rule, flow), sourceMatch(rule.sources, rule.name, env), appTargetMatch(rule, flow));
}

// ---------------------------------------------------------------------------------------------
// Order and first match

type Case = 'best' | 'worst';

interface Entry {
  readonly collection: FirewallCollection;
  readonly rule: FirewallRule;
  readonly allow: Maybe<boolean>;
}

function refOf(e: Entry, action: 'Allow' | 'Deny'): FirewallRuleRef {
  const c = e.collection;
  return {
    firewall: c.owner.name,
    ...(c.group ? { group: c.group.name, ...(isUnknown(c.group.priority) ? {} : { groupPriority: c.group.priority }) } : {}),
    collection: c.name,
    ...(isUnknown(c.priority) ? {} : { priority: c.priority }),
    rule: e.rule.name,
    action,
    kind: e.rule.kind === 'application' ? 'application' : 'network',
    isDefault: false,
    span: e.rule.span ?? c.span,
  };
}

function defaultDeny(fw: FirewallRules): FirewallRuleRef {
  return { firewall: fw.policy?.name ?? fw.firewall.name, collection: '(none)', rule: 'default deny', action: 'Deny', kind: 'default', isDefault: true };
}

/** Sort key: inherited groups first, then group priority, then collection priority; undefined when a priority is not known. */
function orderKey(c: FirewallCollection): number[] | undefined {
  if (isUnknown(c.priority)) return undefined;
  if (c.group && isUnknown(c.group.priority)) return undefined;
  return [-c.depth, c.group && !isUnknown(c.group.priority) ? c.group.priority : 0, c.priority];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * The entries of one rule kind in processing order for a case: collections of unknown priority
 * go first when they help the case (an allow in the best case, a deny in the worst) and are left
 * out otherwise.
 */
function ordered(fw: FirewallRules, kind: 'network' | 'application', c: Case): Entry[] {
  const known: { key: number[]; i: number; e: Entry }[] = [];
  const front: Entry[] = [];
  let i = 0;
  for (const col of fw.collections) {
    if (col.kind === 'nat') continue;
    const action = col.action;
    if (!isUnknown(action) && action === 'Dnat') continue;
    const allow: Maybe<boolean> = isUnknown(action) ? action : action === 'Allow';
    const key = orderKey(col);
    for (const rule of col.rules) {
      // A rule that could not be read may be of either kind: it takes part in both.
      if (rule.kind !== kind && rule.kind !== 'unknown') continue;
      const e: Entry = { collection: col, rule, allow };
      if (key) known.push({ key, i: i++, e });
      else {
        const helps = isUnknown(allow) ? true : allow === (c === 'best');
        if (helps) front.push(e);
      }
    }
  }
  known.sort((a, b) => compareKeys(a.key, b.key) || a.i - b.i);
  return [...front, ...known.map((k) => k.e)];
}

interface Walk {
  /** `mixed`: some of the flow's names or addresses are allowed, some denied. `uncertain`: parts that cannot be added up. */
  readonly effect: 'allow' | 'deny' | 'mixed' | 'uncertain';
  readonly refs: readonly FirewallRuleRef[];
  readonly doubts: readonly string[];
  readonly partsDetail: readonly string[];
}

function walk(fw: FirewallRules, flow: Flow, env: FirewallEnv, c: Case, order: { network: Entry[]; application: Entry[] }): Walk {
  const doubts: string[] = [];
  const parts: { allow: boolean; ref: FirewallRuleRef }[] = [];
  const finish = (allow: boolean, ref: FirewallRuleRef): Walk => {
    const all = [...parts, { allow, ref }];
    const effects = new Set(all.map((p) => p.allow));
    let effect: Walk['effect'] = effects.size === 2 ? 'mixed' : allow ? 'allow' : 'deny';
    // Parts of a set of addresses may add up to all of it; parts of a host name set never do
    // (finitely many names and longer suffixes never cover every name under a suffix).
    if (effect === 'mixed' && parts.length > 1 && flow.target.kind === 'address') effect = 'uncertain';
    return { effect, refs: all.map((p) => p.ref), doubts, partsDetail: parts.map((p) => `${p.allow ? 'allowed' : 'denied'} in part by ${p.ref.rule}`) };
  };
  for (const phase of ['network', 'application'] as const) {
    if (phase === 'application' && flow.protocol !== 'TCP') continue;
    for (const e of order[phase]) {
      let m = e.rule.kind === 'network'
        ? matchNetwork(e.rule, flow, fw.dnsProxy, env)
        : e.rule.kind === 'application' ? matchApplication(e.rule, flow, env)
          : e.rule.kind === 'unknown' ? maybe(`rule ${e.rule.name} of collection ${e.collection.name}: ${e.rule.reason}`) : NONE;
      let allow: boolean;
      if (isUnknown(e.allow)) {
        if (m.kind === 'none') continue;
        doubts.push(`the action of collection ${e.collection.name}: ${e.allow.unknown}`);
        allow = c === 'best';
      } else allow = e.allow;
      if (m.kind === 'maybe') {
        doubts.push(...m.reasons);
        m = (c === 'best') === allow ? ALL : NONE;
      }
      if (m.kind === 'none') continue;
      const ref = refOf(e, allow ? 'Allow' : 'Deny');
      if (m.kind === 'all') return finish(allow, ref);
      parts.push({ allow, ref });
    }
  }
  return finish(false, defaultDeny(fw));
}

function flowProtocolLabel(flow: Flow): string {
  return flow.l7 ? flow.l7.toUpperCase() : flow.protocol;
}

export function flowTargetLabel(t: FlowTarget): string {
  return t.kind === 'address' ? targetText(t.target) : t.label;
}

function describeRef(r: FirewallRuleRef): string {
  if (r.isDefault) return `the default deny of ${r.firewall} (no rule matches)`;
  const where = r.group ? `${r.group}/${r.collection}` : r.collection;
  const prio = r.group ? `group priority ${r.groupPriority ?? '?'}, collection priority ${r.priority ?? '?'}` : `priority ${r.priority ?? '?'}`;
  return `${r.kind} rule ${r.rule} in ${where} (${prio}) of ${r.firewall}`;
}

/** The outcome for one flow: both cases walked; certain when they agree. */
export function evaluateFlow(fw: FirewallRules, flow: Flow, env: FirewallEnv, orders?: Record<Case, { network: Entry[]; application: Entry[] }>): FirewallOutcome {
  const ord = orders ?? makeOrders(fw);
  const best = walk(fw, flow, env, 'best', ord.best);
  const worst = walk(fw, flow, env, 'worst', ord.worst);
  const protocol = flowProtocolLabel(flow);
  const ports = formatRange(flow.ports);
  const target = flowTargetLabel(flow.target);
  const fwDoubts = fw.unknownBecause;
  const refs = dedupe([...worst.refs, ...best.refs]);
  if (best.effect === worst.effect && best.effect !== 'uncertain' && fwDoubts.length === 0) {
    const outcome = best.effect === 'allow' ? 'allowed' : best.effect === 'deny' ? 'blocked' : 'partial';
    const how = best.effect === 'mixed' ? worst.partsDetail.concat(`the rest ${worst.refs[worst.refs.length - 1].action === 'Allow' ? 'allowed' : 'denied'} by ${describeRef(worst.refs[worst.refs.length - 1])}`).join('; ') : `${outcome === 'allowed' ? 'allowed' : 'denied'} by ${describeRef(worst.refs[worst.refs.length - 1])}`;
    return { protocol, ports, target, outcome, decidedBy: dedupe(worst.refs), detail: how };
  }
  const reasons = [...new Set([...fwDoubts, ...best.doubts, ...worst.doubts])];
  if (best.effect === 'uncertain' || worst.effect === 'uncertain') reasons.push(`several rules each cover part of ${target}; whether together they cover all of it is not computed`);
  // With unknown firewall-wide facts (a base policy not read), a certain deny stays a deny only if nothing could have come first.
  if (best.effect === worst.effect && best.effect === 'deny' && fwDoubts.length > 0) {
    return { protocol, ports, target, outcome: 'unknown', decidedBy: refs, detail: `denied by ${describeRef(worst.refs[worst.refs.length - 1])} unless ${fwDoubts.join('; ')}`, unknownBecause: reasons };
  }
  return { protocol, ports, target, outcome: 'unknown', decidedBy: refs, detail: `allowed in the best case, ${worst.effect === 'deny' ? 'denied' : 'not wholly allowed'} in the worst: ${reasons.join('; ')}`, unknownBecause: reasons };
}

function dedupe(refs: readonly FirewallRuleRef[]): FirewallRuleRef[] {
  const seen = new Set<string>();
  const out: FirewallRuleRef[] = [];
  for (const r of refs) {
    const k = `${r.firewall}|${r.group ?? ''}|${r.collection}|${r.rule}|${r.action}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out;
}

export function makeOrders(fw: FirewallRules): Record<Case, { network: Entry[]; application: Entry[] }> {
  return {
    best: { network: ordered(fw, 'network', 'best'), application: ordered(fw, 'application', 'best') },
    worst: { network: ordered(fw, 'network', 'worst'), application: ordered(fw, 'application', 'worst') },
  };
}

/** Every port boundary any rule draws, so that a flow's port run is matched wholly or not at all. */
function cutPorts(required: PortSet, fw: FirewallRules): PortRange[] {
  const cuts = new Set<number>();
  for (const c of fw.collections) {
    for (const r of c.rules) {
      if (r.kind === 'network' && !isUnknown(r.destinationPorts)) {
        for (const e of r.destinationPorts) {
          if (isUnknown(e)) continue;
          const p = parsePortEntry(e);
          if (p.ok) for (const x of p.set.ranges) {
            cuts.add(x.from);
            cuts.add(x.to + 1);
          }
        }
      } else if (r.kind === 'application' && !isUnknown(r.protocols)) {
        for (const p of r.protocols) if (!isUnknown(p.port)) {
          cuts.add(p.port);
          cuts.add(p.port + 1);
        }
      }
    }
  }
  const out: PortRange[] = [];
  for (const range of required.ranges) {
    let from = range.from;
    const inner = [...cuts].filter((x) => x > range.from && x <= range.to).sort((a, b) => a - b);
    for (const x of inner) {
      out.push({ from, to: x - 1 });
      from = x;
    }
    out.push({ from, to: range.to });
  }
  return out;
}

/** The flows of a requirement for one target (a remote tag, or one name set of a host). */
export function flowsOf(protocols: readonly ('TCP' | 'UDP')[], ports: readonly string[], target: FlowTarget, fw: FirewallRules, l7?: 'Http' | 'Https'): Flow[] {
  const out: Flow[] = [];
  const runs = cutPorts(portSetOf(ports), fw);
  for (const protocol of protocols) for (const r of runs) out.push({ protocol, ...(l7 ? { l7 } : {}), ports: r, target });
  return out;
}

/** Adjacent port runs with the same outcome and rules, merged for the breakdown. */
export function mergeOutcomes(rows: readonly FirewallOutcome[]): FirewallOutcome[] {
  const out: FirewallOutcome[] = [];
  for (const r of rows) {
    const i = out.findIndex((o) => o.protocol === r.protocol && o.target === r.target && o.outcome === r.outcome && o.detail === r.detail);
    if (i >= 0) out[i] = { ...out[i], ports: `${out[i].ports}, ${r.ports}` };
    else out.push(r);
  }
  return out;
}

/** A requirement's verdict from its per-flow outcomes (docs/semantics.md "Firewalls"). */
export function aggregateFirewall(id: string, kind: FirewallVerdict['kind'], target: string, spec: RequirementSpec, rows: readonly FirewallOutcome[], extraDoubts: readonly string[] = []): FirewallVerdict {
  const breakdown = mergeOutcomes(rows);
  const decidedBy = dedupe(breakdown.flatMap((b) => b.decidedBy));
  const outcomes = new Set(breakdown.map((b) => b.outcome));
  const unknownBecause = [...new Set([...extraDoubts, ...breakdown.flatMap((b) => b.unknownBecause ?? [])])];
  let verdict: FirewallVerdictKind;
  if (breakdown.length === 0) verdict = 'unknown';
  else if (outcomes.size === 1 && outcomes.has('allowed')) verdict = 'allowed';
  else if (outcomes.size === 1 && outcomes.has('blocked')) verdict = 'blocked';
  else if (outcomes.has('blocked') || outcomes.has('partial')) verdict = 'partial';
  else verdict = 'unknown';
  const line = (b: FirewallOutcome) => `${b.protocol} ${b.ports} to ${b.target} ${b.detail}`;
  let explanation: string;
  const missing = verdict === 'blocked' && decidedBy.length > 0 && decidedBy.every((r) => r.isDefault);
  switch (verdict) {
    case 'allowed': explanation = `Allowed: ${breakdown.map(line).join('; ')}.`; break;
    case 'blocked': explanation = missing ? `Missing: no rule allows it; ${breakdown.map(line).join('; ')}.` : `Blocked: ${breakdown.map(line).join('; ')}.`; break;
    case 'partial': explanation = `Partly allowed: ${breakdown.map(line).join('; ')}.`; break;
    default: explanation = `Unknown: ${breakdown.filter((b) => b.outcome === 'unknown').map(line).join('; ') || unknownBecause.join('; ')}.`;
  }
  return {
    id, kind, target, verdict, explanation, breakdown, decidedBy,
    ...(verdict === 'unknown' && unknownBecause.length ? { unknownBecause } : {}),
    ...(missing ? { missing: true } : {}),
    spec,
  };
}
