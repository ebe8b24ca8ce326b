// A brute-force oracle for the NSG engine, written from docs/semantics.md alone. It shares no
// code with src/core beyond the model types (and maybe.ts): it models a concrete world in which
// every tag is a set of IPv4 addresses, enumerates concrete flows (protocol, destination port,
// source port, remote address, local address) and applies first match over each NSG's rules.
//
// Addresses: every address set is a sorted list of closed IPv4 intervals. The representative
// addresses of a side (the remote tag, or the compute subnet) are the first and last address of
// every piece of the side's set cut at every boundary of every address set a rule names on that
// side, so membership in every rule entry is constant on each piece and the representatives are
// exhaustive. IPv6 entries hold no address of the IPv4 world.
//
// Besides each flow's concrete fate, the oracle records where the engine may rightly answer
// `unknown`: a flow is *tainted* when it reaches a rule whose match depends on a relation that
// docs/semantics.md calls unknown (a CIDR against VirtualNetwork, a CIDR against a tag without
// prefix data, an application security group, ...).

import { isUnknown, type Unknown } from '../../src/core/maybe';
import type { AddressEntry, Nsg, NsgChain, SecurityRule } from '../../src/core/nsg';
import type { Region } from '../../src/core/region';
import type { ResolvedTagRequirement } from '../../src/core/requirement';

// ---------------------------------------------------------------------------------------------
// IPv4 sets

/** A closed interval of IPv4 addresses, as unsigned 32-bit numbers. */
export type Interval = readonly [number, number];
export type AddressSet = readonly Interval[];

const MAX_V4 = 0xffffffff;

export function ipv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`oracle: not an IPv4 address: ${text}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** "10.0.0.0/16" or "10.0.0.4" as an interval; the host bits are cleared as Azure does. */
export function cidr(text: string): Interval {
  const [addr, bitsText] = text.trim().split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`oracle: bad prefix length: ${text}`);
  const size = 2 ** (32 - bits);
  const from = Math.floor(ipv4(addr) / size) * size;
  return [from, from + size - 1];
}

export function set(...cidrs: string[]): AddressSet {
  return normalize(cidrs.map(cidr));
}

export function normalize(intervals: readonly Interval[]): AddressSet {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

export function union(...sets: AddressSet[]): AddressSet {
  return normalize(sets.flat());
}

export function subtract(a: AddressSet, b: AddressSet): AddressSet {
  let pieces: Interval[] = [...a];
  for (const [bf, bt] of b) {
    const next: Interval[] = [];
    for (const [af, at] of pieces) {
      if (bt < af || bf > at) {
        next.push([af, at]);
        continue;
      }
      if (bf > af) next.push([af, bf - 1]);
      if (bt < at) next.push([bt + 1, at]);
    }
    pieces = next;
  }
  return normalize(pieces);
}

export function contains(s: AddressSet, address: number): boolean {
  for (const [from, to] of s) if (from <= address && address <= to) return true;
  return false;
}

function isSubset(a: AddressSet, b: AddressSet): boolean {
  return subtract(a, b).length === 0;
}

// ---------------------------------------------------------------------------------------------
// The concrete world

export const REGIONS = ['westus', 'eastus', 'northeurope'] as const;

/** Private space (docs/semantics.md): never inside a public service tag. */
export const PRIVATE_V4: AddressSet = set('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16');
/** AzureLoadBalancer: the host's virtual IP. */
export const AZURE_LOAD_BALANCER: AddressSet = set('168.63.129.16/32');
/** Internet: every public address (168.63.129.16 belongs to VirtualNetwork, not to Internet). */
export const INTERNET: AddressSet = subtract(subtract([[0, MAX_V4]], PRIVATE_V4), AZURE_LOAD_BALANCER);

/**
 * Public tag families: first octet of the family; regional tags take the second octet 10, 20, 30
 * (westus, eastus, northeurope), and the global tag also holds `.99` (regions not named here), so
 * that a regional tag is always a proper part of its global tag. Families without regions
 * (AzureFrontDoor.*) are a single /16.
 */
export const REGIONAL_FAMILIES: ReadonlyMap<string, number> = new Map([
  ['Storage', 20],
  ['AzureMachineLearning', 21],
  ['BatchNodeManagement', 22],
  ['MicrosoftContainerRegistry', 23],
  ['AzureKeyVault', 24],
  ['AzureActiveDirectory', 25],
  ['AzureResourceManager', 26],
  ['AzureMonitor', 27],
]);
export const GLOBAL_ONLY_TAGS: ReadonlyMap<string, string> = new Map([
  ['AzureFrontDoor.Frontend', '28.0.0.0/16'],
  ['AzureFrontDoor.FirstParty', '29.0.0.0/16'],
]);
const REGION_OCTET: Record<string, number> = { westus: 10, eastus: 20, northeurope: 30 };

/** Every public tag of the world: name as Azure spells it, and its addresses. */
export function worldTags(): Map<string, AddressSet> {
  const tags = new Map<string, AddressSet>();
  const cloudByRegion = new Map<string, AddressSet[]>(REGIONS.map((r) => [r, [set(`40.${REGION_OCTET[r]}.0.0/16`)]]));
  const cloud: AddressSet[] = [set('40.0.0.0/8')];
  for (const [base, octet] of REGIONAL_FAMILIES) {
    const parts: AddressSet[] = [set(`${octet}.99.0.0/16`)];
    for (const r of REGIONS) {
      const s = set(`${octet}.${REGION_OCTET[r]}.0.0/16`);
      tags.set(`${base}.${r}`, s);
      parts.push(s);
      cloudByRegion.get(r)!.push(s);
    }
    const all = union(...parts);
    tags.set(base, all);
    cloud.push(all);
  }
  for (const [name, prefix] of GLOBAL_ONLY_TAGS) {
    tags.set(name, set(prefix));
    cloud.push(set(prefix));
  }
  for (const r of REGIONS) tags.set(`AzureCloud.${r}`, union(...cloudByRegion.get(r)!));
  tags.set('AzureCloud', union(...cloud));
  return tags;
}

/** The world's tags as CIDR strings, for handing the same prefixes to the engine. */
export function worldTagCidrs(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, s] of worldTags()) out.set(name, s.map(toCidrs).flat());
  return out;
}

/** An interval as the fewest CIDRs. */
export function toCidrs([from, to]: Interval): string[] {
  const out: string[] = [];
  let at = from;
  while (at <= to) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 - 1 <= to) size *= 2;
    out.push(`${ipv4Text(at)}/${32 - Math.log2(size)}`);
    at += size;
  }
  return out;
}

/** VirtualNetwork as it may be: always the VNet, the subnet and 168.63.129.16, never a public tag. */
export const VIRTUAL_NETWORK_VARIANTS: readonly { readonly name: string; readonly set: AddressSet }[] = [
  { name: 'vnet-only', set: union(set('10.0.0.0/16'), AZURE_LOAD_BALANCER) },
  { name: 'peered+onprem', set: union(set('10.0.0.0/16', '10.1.0.0/16', '192.168.0.0/24'), AZURE_LOAD_BALANCER) },
  { name: 'all-private', set: union(PRIVATE_V4, AZURE_LOAD_BALANCER) },
];

export const SUBNET = '10.0.1.0/24';
export const SUBNET_VARIANTS: readonly (readonly string[])[] = [[SUBNET], ['10.0.2.0/24'], [SUBNET, '10.0.3.0/24']];

/** One concrete resolution of everything the NSGs leave open. */
export interface World {
  readonly name: string;
  /** Public tags; looked up without case. */
  readonly tags: ReadonlyMap<string, AddressSet>;
  readonly virtualNetwork: AddressSet;
  readonly subnet: AddressSet;
  /** Members of application security groups, by the name the rule uses. */
  readonly asgs: ReadonlyMap<string, AddressSet>;
  /** Values of symbolic regions (NSG locations, `Storage.${location}`). */
  readonly regionSymbols: ReadonlyMap<string, string>;
}

let defaultTags: ReadonlyMap<string, AddressSet> | undefined;

export function makeWorld(over: Partial<World> & { subnetCidrs?: readonly string[] } = {}): World {
  let tags: ReadonlyMap<string, AddressSet>;
  if (over.tags) tags = new Map([...over.tags].map(([k, v]) => [k.toLowerCase(), v]));
  else tags = defaultTags ??= new Map([...worldTags()].map(([k, v]) => [k.toLowerCase(), v]));
  const subnet = over.subnet ?? set(...(over.subnetCidrs ?? [SUBNET]));
  const vnet = over.virtualNetwork ?? VIRTUAL_NETWORK_VARIANTS[0].set;
  if (!isSubset(subnet, vnet)) throw new Error('oracle: the subnet must lie inside VirtualNetwork');
  return {
    name: over.name ?? 'world',
    tags,
    virtualNetwork: vnet,
    subnet,
    asgs: over.asgs ?? new Map(),
    regionSymbols: over.regionSymbols ?? new Map(),
  };
}

/** What the engine is told (context), which decides which relations are knowable statically. */
export interface Knowledge {
  /** Lower-cased tag names the engine has prefixes for; undefined when no service-tag data is given. */
  readonly serviceTagKeys?: ReadonlySet<string>;
  /** The engine is given the compute subnet's prefixes. */
  readonly subnetKnown: boolean;
  /** The region option (context.region), when set. */
  readonly regionOption?: Region;
}

// ---------------------------------------------------------------------------------------------
// Rule entries

type Target =
  | { readonly kind: 'subnet' }
  | { readonly kind: 'virtualnetwork' }
  | { readonly kind: 'azureloadbalancer' }
  /** A public tag: lower-cased base and region (undefined for a global tag); `symbol` when the region came from a symbol. */
  | { readonly kind: 'tag'; readonly base: string; readonly region?: string; readonly symbol?: string };

/** One rule entry in the world: its addresses, and whether its relation to the side's target is unknown statically (the reason). */
interface Entry {
  readonly addresses: AddressSet;
  readonly unknownBecause?: string;
}

const ALL_V4: AddressSet = [[0, MAX_V4]];

function splitTag(name: string): { base: string; region?: string } {
  const lower = name.toLowerCase();
  for (const g of GLOBAL_ONLY_TAGS.keys()) if (g.toLowerCase() === lower) return { base: lower };
  const dot = lower.lastIndexOf('.');
  return dot > 0 ? { base: lower.slice(0, dot), region: lower.slice(dot + 1) } : { base: lower };
}

function isV6Private(text: string): boolean {
  const [addr, bitsText] = text.split('/');
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (addr === '::1') return bits === 128;
  const first = parseInt(addr.split(':')[0] || '0', 16);
  return (bits >= 7 && (first & 0xfe00) === 0xfc00) || (bits >= 10 && (first & 0xffc0) === 0xfe80);
}

function hasData(knowledge: Knowledge, key: string): boolean {
  return knowledge.serviceTagKeys?.has(key) ?? false;
}

/** The key of a tag target for service-tag data, or undefined when its region is symbolic. */
function targetKey(t: Target & { kind: 'tag' }): string | undefined {
  if (t.symbol !== undefined) return undefined;
  return t.region ? `${t.base}.${t.region}` : t.base;
}

/** Tags whose containment in AzureCloud is not documented (docs/semantics.md): unknown without data. */
const UNDOCUMENTED_IN_AZURECLOUD: ReadonlySet<string> = new Set(['azurefrontdoor.firstparty']);

/** Tags that have no regional tags (docs/semantics.md): `AzureCloud.<r>` against them is unknown without data. */
const WITHOUT_REGIONAL_TAGS: ReadonlySet<string> = new Set(['azureactivedirectory', 'azurefrontdoor.frontend', 'azurefrontdoor.firstparty']);

function inAzureCloud(base: string): boolean {
  return base !== 'azurecloud';
}

/** Reads one entry in the world, relating it (statically, per docs/semantics.md) to the side's target. */
function readEntry(entry: AddressEntry, target: Target, world: World, knowledge: Knowledge): Entry {
  if (isUnknown(entry)) throw new Error(`oracle: resolve unknown entries before asking (${entry.unknown})`);
  if (typeof entry === 'object') {
    if ('asg' in entry) {
      const members = world.asgs.get(entry.asg);
      if (!members) throw new Error(`oracle: no members for ${entry.asg} in world ${world.name}`);
      return { addresses: members, unknownBecause: `application security group ${entry.asg}` };
    }
    const region = entry.region.kind === 'name' ? entry.region.name : world.regionSymbols.get(entry.region.symbol);
    if (region === undefined) throw new Error(`oracle: no value for region symbol ${entry.region.kind === 'symbol' ? entry.region.symbol : ''}`);
    const key = `${entry.tag}.${region}`.toLowerCase();
    const addresses = world.tags.get(key);
    if (!addresses) throw new Error(`oracle: no tag ${key} in the world`);
    const sameSymbol = target.kind === 'tag' && entry.region.kind === 'symbol' && target.symbol === entry.region.symbol;
    return { addresses, unknownBecause: target.kind === 'tag' && !sameSymbol ? `symbolic tag ${entry.text}` : undefined };
  }
  const text = entry.trim();
  const lower = text.toLowerCase();
  if (lower === '*' || lower === 'any' || lower === '0.0.0.0/0') return { addresses: ALL_V4 };
  if (lower === 'virtualnetwork') return { addresses: world.virtualNetwork };
  if (lower === 'azureloadbalancer') return { addresses: AZURE_LOAD_BALANCER };
  if (lower === 'internet') return { addresses: INTERNET };
  if (/^[\d.]+(\/\d+)?$/.test(text)) {
    const addresses = [cidr(text)];
    return { addresses, unknownBecause: cidrUnknown(text, addresses, target, knowledge) };
  }
  if (text.includes(':')) {
    // IPv6 holds no address of this IPv4 world; only its statical relation matters.
    return { addresses: [], unknownBecause: v6Unknown(text, target, knowledge) };
  }
  const addresses = world.tags.get(lower);
  if (!addresses) throw new Error(`oracle: no tag ${text} in the world`);
  return { addresses, unknownBecause: tagUnknown(splitTag(text), target, knowledge) };
}

function cidrUnknown(text: string, addresses: AddressSet, target: Target, knowledge: Knowledge): string | undefined {
  switch (target.kind) {
    case 'subnet': return knowledge.subnetKnown ? undefined : `${text} against the compute subnet, whose prefixes are not given`;
    case 'azureloadbalancer': return undefined;
    case 'virtualnetwork': return `${text} against VirtualNetwork`;
    case 'tag': {
      if (isSubset(addresses, PRIVATE_V4)) return undefined;
      const key = targetKey(target);
      return key !== undefined && hasData(knowledge, key) ? undefined : `${text} against ${target.base}${target.region ? `.${target.region}` : ''} without prefix data`;
    }
  }
}

function v6Unknown(text: string, target: Target, knowledge: Knowledge): string | undefined {
  switch (target.kind) {
    case 'subnet': return knowledge.subnetKnown ? undefined : `${text} against the compute subnet, whose prefixes are not given`;
    case 'azureloadbalancer': return undefined;
    case 'virtualnetwork': return `${text} against VirtualNetwork`;
    case 'tag': {
      if (isV6Private(text)) return undefined;
      const key = targetKey(target);
      return key !== undefined && hasData(knowledge, key) ? undefined : `${text} against a tag without prefix data`;
    }
  }
}

/**
 * A public tag against a target. Tag against tag is decided by the names (a regional tag inside
 * its global tag, AzureCloud over all, distinct tags disjoint) or, when both have data, by the
 * data. One case is not: a regional part known only by name (no data of its own) inside a target
 * whose addresses are cut by concrete prefixes: where the part lies among the prefixes is a CIDR
 * against a tag without data.
 */
function tagUnknown(tag: { base: string; region?: string }, target: Target, knowledge: Knowledge): string | undefined {
  if (target.kind !== 'tag') return undefined;
  if (tag.base === 'azurecloud' && UNDOCUMENTED_IN_AZURECLOUD.has(target.base)) {
    const own = tag.region ? `${tag.base}.${tag.region}` : tag.base;
    const key = targetKey(target);
    if (!(hasData(knowledge, own) && key !== undefined && hasData(knowledge, key))) return `${own} against ${target.base}: containment not documented`;
  }
  if (tag.base === 'azurecloud' && tag.region && WITHOUT_REGIONAL_TAGS.has(target.base)) {
    const own = `${tag.base}.${tag.region}`;
    const key = targetKey(target);
    if (!(hasData(knowledge, own) && key !== undefined && hasData(knowledge, key))) return `${own} against ${target.base}, which has no regional tags: not documented`;
  }
  const related = tag.base === target.base || (tag.base === 'azurecloud' && inAzureCloud(target.base));
  if (!related || !tag.region) return undefined;
  if (target.symbol !== undefined) return `${tag.base}.${tag.region} against the symbolic compute region`;
  const key = targetKey(target)!;
  const ownKey = `${tag.base}.${tag.region}`;
  if (!target.region && !hasData(knowledge, ownKey) && hasData(knowledge, key)) return `${ownKey} (no prefix data) among the prefixes of ${key}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Ports and protocols

interface PortRange {
  readonly from: number;
  readonly to: number;
}

function parsePorts(entry: string): PortRange {
  const t = entry.trim();
  if (t === '*') return { from: 0, to: 65535 };
  const m = /^(\d+)(?:-(\d+))?$/.exec(t);
  if (!m) throw new Error(`oracle: bad port entry ${entry}`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > to || to > 65535) throw new Error(`oracle: bad port range ${entry}`);
  return { from, to };
}

function known<T>(v: T, what: string): Exclude<T, Unknown> {
  if (isUnknown(v)) throw new Error(`oracle: resolve the unknown ${what} before asking (${v.unknown})`);
  return v as Exclude<T, Unknown>;
}

function portLists(rule: SecurityRule, which: 'sourcePorts' | 'destinationPorts'): PortRange[] {
  return known(rule[which], which).map((p) => parsePorts(known(p, which)));
}

function protocolMatches(ruleProtocol: string, flow: 'Tcp' | 'Udp'): boolean {
  return ruleProtocol === '*' || ruleProtocol === flow;
}

// ---------------------------------------------------------------------------------------------
// The six default rules, as docs/semantics.md and shared/requirements/README.md state them

interface OracleRule {
  readonly name: string;
  readonly nsg: string;
  readonly priority: number;
  readonly allow: boolean;
  readonly isDefault: boolean;
  readonly protocol: string;
  readonly sourcePorts: readonly PortRange[];
  readonly destinationPorts: readonly PortRange[];
  readonly source: readonly AddressEntry[];
  readonly destination: readonly AddressEntry[];
}

const ANY_PORT: readonly PortRange[] = [{ from: 0, to: 65535 }];

function defaults(direction: 'Inbound' | 'Outbound', nsg: string): OracleRule[] {
  const d = (name: string, priority: number, allow: boolean, source: string, destination: string): OracleRule => ({
    name, nsg, priority, allow, isDefault: true, protocol: '*', sourcePorts: ANY_PORT, destinationPorts: ANY_PORT, source: [source], destination: [destination],
  });
  return direction === 'Inbound'
    ? [d('AllowVNetInBound', 65000, true, 'VirtualNetwork', 'VirtualNetwork'), d('AllowAzureLoadBalancerInBound', 65001, true, 'AzureLoadBalancer', '*'), d('DenyAllInBound', 65500, false, '*', '*')]
    : [d('AllowVnetOutBound', 65000, true, 'VirtualNetwork', 'VirtualNetwork'), d('AllowInternetOutBound', 65001, true, '*', 'Internet'), d('DenyAllOutBound', 65500, false, '*', '*')];
}

/** An NSG's rules for one direction: its user rules in priority order, then the three default rules. */
function rulesOf(nsg: Nsg, direction: 'Inbound' | 'Outbound'): OracleRule[] {
  const user: OracleRule[] = [];
  for (const r of nsg.rules) {
    const dir = known(r.direction, 'direction');
    if (dir !== direction) continue;
    const access = known(r.access, 'access');
    user.push({
      name: r.name,
      nsg: nsg.name,
      priority: known(r.priority, 'priority'),
      allow: access === 'Allow',
      isDefault: false,
      protocol: known(r.protocol, 'protocol'),
      sourcePorts: portLists(r, 'sourcePorts'),
      destinationPorts: portLists(r, 'destinationPorts'),
      source: known(r.sourceAddresses, 'source addresses'),
      destination: known(r.destinationAddresses, 'destination addresses'),
    });
  }
  const seen = new Set<number>();
  for (const r of user) {
    if (seen.has(r.priority)) throw new Error(`oracle: priority ${r.priority} twice in ${nsg.name} ${direction}`);
    seen.add(r.priority);
  }
  user.sort((a, b) => a.priority - b.priority);
  return [...user, ...defaults(direction, nsg.name)];
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export type CellOutcome = 'allowed' | 'allowed-by-default' | 'blocked';
export type OracleVerdict = 'allowed' | 'allowed-by-default' | 'blocked' | 'partial';

export interface OracleCell {
  readonly protocol: 'Tcp' | 'Udp';
  readonly port: number;
  readonly remoteIndex: number;
  readonly outcome: CellOutcome;
  /** Why the engine may answer `unknown` here (empty: it must not). */
  readonly unknownBecause: readonly string[];
  /** A flow that shows the outcome (a denied flow, or one allowed only by default). */
  readonly witness?: string;
}

export interface OracleResult {
  readonly verdict: OracleVerdict;
  readonly cells: readonly OracleCell[];
  readonly flows: number;
}

/** The evaluation region (docs/semantics.md): the NSG's location when it has one, else the region option. */
export function evaluationRegion(chain: NsgChain, knowledge: Knowledge, world: World): { name: string; symbol?: string } {
  const resolve = (r: Region): { name: string; symbol?: string } => {
    if (r.kind === 'name') return { name: r.name.toLowerCase() };
    const v = world.regionSymbols.get(r.symbol);
    if (v === undefined) throw new Error(`oracle: no value for region symbol ${r.symbol}`);
    return { name: v, symbol: r.symbol };
  };
  const locations = [chain.subnet, chain.nic].filter((n): n is Nsg => n !== undefined).map((n) => n.location);
  const resolved = locations.map((l) => (l === undefined ? undefined : resolve(known(l, 'location'))));
  const first = resolved.find((r) => r !== undefined);
  if (!first) {
    if (knowledge.regionOption) return resolve(knowledge.regionOption);
    throw new Error('oracle: no region: set the region option or an NSG location');
  }
  if (resolved.some((r) => r && r.name !== first.name)) throw new Error('oracle: the NSGs of a chain are in different regions');
  return first;
}

function targetOf(remote: { tag: string; regional?: boolean }, region: { name: string; symbol?: string }): Target {
  const lower = remote.tag.toLowerCase();
  if (lower === 'virtualnetwork') return { kind: 'virtualnetwork' };
  if (lower === 'azureloadbalancer') return { kind: 'azureloadbalancer' };
  const t = splitTag(remote.tag);
  if (remote.regional) return { kind: 'tag', base: t.base, region: region.name, symbol: region.symbol };
  return { kind: 'tag', base: t.base, region: t.region };
}

function targetAddresses(t: Target, world: World): AddressSet {
  switch (t.kind) {
    case 'subnet': return world.subnet;
    case 'virtualnetwork': return world.virtualNetwork;
    case 'azureloadbalancer': return AZURE_LOAD_BALANCER;
    case 'tag': {
      const key = t.region ? `${t.base}.${t.region}` : t.base;
      const s = world.tags.get(key);
      if (!s) throw new Error(`oracle: no tag ${key} in the world`);
      return s;
    }
  }
}

/** First and last address of every piece of `target` cut at every boundary of `cuts`. */
function representatives(target: AddressSet, cuts: readonly AddressSet[]): number[] {
  const points = new Set<number>();
  for (const s of [target, ...cuts]) for (const [from, to] of s) {
    points.add(from);
    if (to < MAX_V4) points.add(to + 1);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const out = new Set<number>();
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i];
    const to = i + 1 < sorted.length ? sorted[i + 1] - 1 : MAX_V4;
    if (!contains(target, from)) continue;
    out.add(from);
    out.add(to);
  }
  return [...out].sort((a, b) => a - b);
}

/** Boundaries of every source-port range, ±1, plus 0 and 65535. */
function sourcePortRepresentatives(rules: readonly OracleRule[]): number[] {
  const out = new Set<number>([0, 65535]);
  for (const r of rules) for (const p of r.sourcePorts) for (const v of [p.from - 1, p.from, p.to, p.to + 1]) if (v >= 0 && v <= 65535) out.add(v);
  return [...out].sort((a, b) => a - b);
}

function requiredPorts(entries: readonly string[]): number[] {
  const out = new Set<number>();
  for (const e of entries) {
    const r = parsePorts(e);
    for (let p = r.from; p <= r.to; p++) out.add(p);
  }
  return [...out].sort((a, b) => a - b);
}

/** Per rule and side: per representative address, does the entry list hold it, and is that unknown statically. */
interface SideMatch {
  readonly holds: Uint8Array;
  /** Set where no statically known entry holds the address and some entry's relation is unknown. */
  readonly unknown: (string | undefined)[];
}

function sideMatch(entries: readonly AddressEntry[], target: Target, addresses: readonly number[], world: World, knowledge: Knowledge): SideMatch {
  const read = entries.map((e) => readEntry(e, target, world, knowledge));
  const holds = new Uint8Array(addresses.length);
  const unknown: (string | undefined)[] = new Array(addresses.length).fill(undefined);
  const unknownEntries = read.filter((e) => e.unknownBecause !== undefined);
  addresses.forEach((a, i) => {
    let surely = false;
    for (const e of read) {
      if (!contains(e.addresses, a)) continue;
      holds[i] = 1;
      if (e.unknownBecause === undefined) surely = true;
    }
    if (!surely && unknownEntries.length) unknown[i] = unknownEntries.map((e) => e.unknownBecause).join('; ');
  });
  return { holds, unknown };
}

/**
 * Evaluates one requirement against a chain in one concrete world. The chain must hold no
 * `{unknown}` values (resolve them first); ASGs and symbolic regions are resolved by the world.
 */
export function oracleEvaluate(chain: NsgChain, requirement: ResolvedTagRequirement, world: World, knowledge: Knowledge): OracleResult {
  const direction = requirement.direction;
  const nsgs = (direction === 'Inbound' ? [chain.subnet, chain.nic] : [chain.nic, chain.subnet]).filter((n): n is Nsg => n !== undefined);
  if (nsgs.length === 0) return { verdict: 'allowed-by-default', cells: [], flows: 0 };
  const region = evaluationRegion(chain, knowledge, world);
  const perNsg = nsgs.map((n) => rulesOf(n, direction));
  const allRules = perNsg.flat();
  const protocols: ('Tcp' | 'Udp')[] = requirement.protocol === '*' ? ['Tcp', 'Udp'] : [requirement.protocol];
  const ports = requiredPorts(requirement.ports);
  const sports = sourcePortRepresentatives(allRules);
  const remoteSide = direction === 'Inbound' ? 'source' : 'destination';
  const localSide = direction === 'Inbound' ? 'destination' : 'source';
  const subnetTarget: Target = { kind: 'subnet' };
  const localCuts = allRules.flatMap((r) => r[localSide].map((e) => readEntry(e, subnetTarget, world, knowledge).addresses));
  const locals = representatives(world.subnet, localCuts);

  const cells: OracleCell[] = [];
  let flows = 0;
  requirement.remote.forEach((remote, remoteIndex) => {
    const target = targetOf(remote, region);
    const targetSet = targetAddresses(target, world);
    const remoteCuts = allRules.flatMap((r) => r[remoteSide].map((e) => readEntry(e, target, world, knowledge).addresses));
    const remotes = representatives(targetSet, remoteCuts);
    const matches = perNsg.map((rules) => rules.map((r) => ({
      rule: r,
      remote: sideMatch(r[remoteSide], target, remotes, world, knowledge),
      local: sideMatch(r[localSide], subnetTarget, locals, world, knowledge),
      sport: Uint8Array.from(sports, (p) => (r.sourcePorts.some((x) => x.from <= p && p <= x.to) ? 1 : 0)),
    })));
    for (const protocol of protocols) {
      for (const port of ports) {
        // Rules whose protocol and destination ports hold this cell's flows (the rest never match them).
        const candidates = matches.map((rules) => rules.filter((m) => protocolMatches(m.rule.protocol, protocol)
          && m.rule.destinationPorts.some((x) => x.from <= port && port <= x.to)));
        let blocked: { rule: OracleRule; s: number; ri: number; li: number } | undefined;
        let byDefault: { rule: OracleRule; s: number; ri: number; li: number } | undefined;
        const open = new Map<OracleRule, string>();
        for (let s = 0; s < sports.length && !blocked; s++) {
          for (let ri = 0; ri < remotes.length && !blocked; ri++) {
            for (let li = 0; li < locals.length; li++) {
              flows++;
              let denied = false;
              for (const rules of candidates) {
                let decided: OracleRule | undefined;
                for (const m of rules) {
                  if (!m.sport[s]) continue;
                  const remoteHolds = m.remote.holds[ri] === 1;
                  const localHolds = m.local.holds[li] === 1;
                  const remoteOpen = m.remote.unknown[ri];
                  const localOpen = m.local.unknown[li];
                  if ((remoteOpen || localOpen) && (remoteHolds || remoteOpen) && (localHolds || localOpen) && !open.has(m.rule)) {
                    open.set(m.rule, `rule ${m.rule.name}: ${[remoteOpen, localOpen].filter((x) => x).join('; ')}`);
                  }
                  if (remoteHolds && localHolds) {
                    decided = m.rule;
                    break;
                  }
                }
                if (!decided) throw new Error('oracle: no rule decided a flow (the default deny must)');
                if (!decided.allow) {
                  blocked = { rule: decided, s, ri, li };
                  denied = true;
                  break;
                }
                if (decided.isDefault) byDefault ??= { rule: decided, s, ri, li };
              }
              if (denied) break;
            }
          }
        }
        const flowText = (f: { rule: OracleRule; s: number; ri: number; li: number }, what: string) => {
          const remote = ipv4Text(remotes[f.ri]);
          const local = ipv4Text(locals[f.li]);
          const flow = direction === 'Inbound' ? `${remote}:${sports[f.s]} -> ${local}:${port}` : `${local}:${sports[f.s]} -> ${remote}:${port}`;
          return `${protocol} ${flow} ${what} ${f.rule.name} (${f.rule.priority}) in ${f.rule.nsg}`;
        };
        const why = [...open.values()];
        const witness = blocked ? flowText(blocked, 'denied by') : byDefault ? flowText(byDefault, 'allowed only by') : undefined;
        const outcome: CellOutcome = blocked ? 'blocked' : byDefault ? 'allowed-by-default' : 'allowed';
        cells.push({ protocol, port, remoteIndex, outcome, unknownBecause: why, ...(witness ? { witness } : {}) });
      }
    }
  });
  return { verdict: aggregate(cells.map((c) => c.outcome)) as OracleVerdict, cells, flows };
}

/** A requirement's verdict from its outcomes (docs/semantics.md, "Verdicts"). */
export function aggregate(outcomes: readonly (CellOutcome | 'unknown')[]): OracleVerdict | 'unknown' {
  if (outcomes.length === 0) return 'allowed-by-default';
  const blocked = outcomes.filter((o) => o === 'blocked').length;
  if (blocked === outcomes.length) return 'blocked';
  if (blocked > 0) return 'partial';
  if (outcomes.includes('unknown')) return 'unknown';
  if (outcomes.includes('allowed-by-default')) return 'allowed-by-default';
  return 'allowed';
}

/** The remote label a breakdown row should carry for a remote of a requirement (for matching rows). */
export function remoteMatchesLabel(remote: { tag: string; regional?: boolean }, label: string): boolean {
  const l = label.toLowerCase();
  const t = remote.tag.toLowerCase();
  return l === t || (remote.regional === true && l.startsWith(`${t}.`));
}
