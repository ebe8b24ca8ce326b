// A seeded, reproducible generator of random NSG chains and requirements for the differential
// test. A generated case is a *blueprint*: values the engine must treat as unknown are `Choice`s
// that carry the concrete values they may take, so that one blueprint gives the engine's input
// (choices as `{unknown}`) and any number of concrete worlds for the oracle (choices resolved).

import type { Unknown } from '../../src/core/maybe';
import type { AddressEntry, Nsg, NsgChain, SecurityRule } from '../../src/core/nsg';
import type { Region } from '../../src/core/region';
import type { RemoteSpec, ResolvedTagRequirement, TagRequirementSpec } from '../../src/core/requirement';
import { GLOBAL_ONLY_TAGS, REGIONAL_FAMILIES, SUBNET } from './oracle';

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: small, fast, and the same on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((n, [w]) => n + w, 0);
    let x = this.next() * total;
    for (const [w, v] of items) {
      if ((x -= w) < 0) return v;
    }
    return items[items.length - 1][1];
  }
}

/** A well-mixed 32-bit seed for case `index` of a run seeded with `seed`. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Blueprints

/** A value the engine sees as unknown; the oracle's worlds pick one of `options`. */
export interface Choice<T> {
  readonly choice: number;
  readonly reason: string;
  readonly options: readonly T[];
}

export type Slot<T> = T | Choice<T>;

export function isChoice<T>(v: Slot<T>): v is Choice<T> {
  return typeof v === 'object' && v !== null && typeof (v as { choice?: unknown }).choice === 'number';
}

export interface RuleBlueprint {
  readonly name: string;
  readonly priority: Slot<number>;
  readonly direction: Slot<'Inbound' | 'Outbound'>;
  readonly access: Slot<'Allow' | 'Deny'>;
  readonly protocol: Slot<string>;
  readonly sourceAddresses: Slot<readonly Slot<AddressEntry>[]>;
  readonly sourcePorts: Slot<readonly Slot<string>[]>;
  readonly destinationAddresses: Slot<readonly Slot<AddressEntry>[]>;
  readonly destinationPorts: Slot<readonly Slot<string>[]>;
}

export interface NsgBlueprint {
  readonly name: string;
  readonly location?: Slot<Region>;
  readonly rules: readonly RuleBlueprint[];
}

export type DataMode = 'full' | 'none' | 'partial' | 'empty';

export interface CaseBlueprint {
  readonly seed: number;
  readonly subnet?: NsgBlueprint;
  readonly nic?: NsgBlueprint;
  readonly requirements: readonly ResolvedTagRequirement[];
  /** The region option (context.region). */
  readonly regionOption?: Region;
  readonly dataMode: DataMode;
  /** For `partial`: the tag names (as Azure spells them) the engine gets prefixes for. */
  readonly dataTags?: readonly string[];
  /** The subnet prefixes given to the engine; undefined when it is not told. */
  readonly subnetPrefixes?: readonly string[];
  /** Application security groups the rules name. */
  readonly asgs: readonly string[];
  /** Region symbols the NSGs and rules use. */
  readonly regionSymbols: readonly string[];
}

/** The chain as the engine gets it: every choice becomes `{unknown}`. */
export function engineChain(bp: CaseBlueprint): NsgChain {
  const u = <T>(v: Slot<T>): T | Unknown => (isChoice(v) ? { unknown: v.reason } : v);
  const list = <T>(v: Slot<readonly Slot<T>[]>): readonly (T | Unknown)[] | Unknown => (isChoice(v) ? { unknown: v.reason } : v.map(u));
  const nsg = (n: NsgBlueprint): Nsg => ({
    name: n.name,
    location: n.location === undefined ? undefined : u(n.location),
    rules: n.rules.map((r): SecurityRule => ({
      name: r.name,
      priority: u(r.priority),
      direction: u(r.direction),
      access: u(r.access),
      protocol: u(r.protocol),
      sourceAddresses: list(r.sourceAddresses) as SecurityRule['sourceAddresses'],
      sourcePorts: list(r.sourcePorts),
      destinationAddresses: list(r.destinationAddresses) as SecurityRule['destinationAddresses'],
      destinationPorts: list(r.destinationPorts),
    })),
  });
  return { ...(bp.subnet ? { subnet: nsg(bp.subnet) } : {}), ...(bp.nic ? { nic: nsg(bp.nic) } : {}) };
}

/** The chain in one world: choice `c` takes option `pick(c)`. */
export function resolvedChain(bp: CaseBlueprint, pick: (c: Choice<unknown>) => number): NsgChain {
  const r = <T>(v: Slot<T>): T => (isChoice(v) ? v.options[pick(v as Choice<unknown>) % v.options.length] : v);
  const list = <T>(v: Slot<readonly Slot<T>[]>): readonly T[] => r(v).map(r);
  const nsg = (n: NsgBlueprint): Nsg => ({
    name: n.name,
    location: n.location === undefined ? undefined : r(n.location),
    rules: n.rules.map((x): SecurityRule => ({
      name: x.name,
      priority: r(x.priority),
      direction: r(x.direction),
      access: r(x.access),
      protocol: r(x.protocol),
      sourceAddresses: list(x.sourceAddresses),
      sourcePorts: list(x.sourcePorts),
      destinationAddresses: list(x.destinationAddresses),
      destinationPorts: list(x.destinationPorts),
    })),
  });
  return { ...(bp.subnet ? { subnet: nsg(bp.subnet) } : {}), ...(bp.nic ? { nic: nsg(bp.nic) } : {}) };
}

/** Every choice of a blueprint (for counting and shrinking). */
export function choicesOf(bp: CaseBlueprint): Choice<unknown>[] {
  const out: Choice<unknown>[] = [];
  const visit = (v: unknown): void => {
    if (isChoice(v as Slot<unknown>)) {
      out.push(v as Choice<unknown>);
      return;
    }
    if (Array.isArray(v)) v.forEach(visit);
  };
  for (const n of [bp.subnet, bp.nic]) {
    if (!n) continue;
    visit(n.location);
    for (const r of n.rules) for (const v of Object.values(r)) visit(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requirements like the catalog's

export function requirement(id: string, direction: 'Inbound' | 'Outbound', protocol: 'Tcp' | 'Udp' | '*', ports: string[], remote: RemoteSpec[]): ResolvedTagRequirement {
  const spec: TagRequirementSpec = { kind: 'service-tag', id, direction, protocol, ports, remote, purpose: 'differential test', docs: 'https://example.invalid', source: 'random-nsg' };
  return { kind: 'service-tag', id, direction, protocol, ports, remote, spec };
}

export const REQUIREMENTS: readonly ResolvedTagRequirement[] = [
  requirement('in-batch', 'Inbound', 'Tcp', ['29876-29877'], [{ tag: 'BatchNodeManagement' }]),
  requirement('in-aml', 'Inbound', 'Tcp', ['44224'], [{ tag: 'AzureMachineLearning' }]),
  requirement('in-vnet-batch', 'Inbound', 'Tcp', ['29876-29877'], [{ tag: 'VirtualNetwork' }]),
  requirement('in-load-balancer', 'Inbound', 'Tcp', ['44224'], [{ tag: 'AzureLoadBalancer' }]),
  requirement('out-storage', 'Outbound', 'Tcp', ['443', '445'], [{ tag: 'Storage', regional: true }]),
  requirement('out-batch-any', 'Outbound', '*', ['443'], [{ tag: 'BatchNodeManagement', regional: true }]),
  requirement('out-aml-udp', 'Outbound', 'Udp', ['5831'], [{ tag: 'AzureMachineLearning' }]),
  requirement('out-mcr', 'Outbound', 'Tcp', ['443'], [{ tag: 'MicrosoftContainerRegistry', regional: true }, { tag: 'AzureFrontDoor.FirstParty' }]),
  requirement('out-aad', 'Outbound', 'Tcp', ['80', '443'], [{ tag: 'AzureActiveDirectory' }]),
  requirement('out-aml', 'Outbound', 'Tcp', ['443', '8787', '18881'], [{ tag: 'AzureMachineLearning' }]),
  requirement('out-vnet', 'Outbound', 'Tcp', ['443'], [{ tag: 'VirtualNetwork' }]),
  requirement('out-key-vault', 'Outbound', 'Tcp', ['443'], [{ tag: 'AzureKeyVault', regional: true }]),
  requirement('out-front-door', 'Outbound', 'Tcp', ['443'], [{ tag: 'AzureFrontDoor.Frontend' }]),
  requirement('out-storage-any', 'Outbound', '*', ['443-445'], [{ tag: 'Storage' }]),
  requirement('in-load-balancer-any', 'Inbound', '*', ['44224'], [{ tag: 'AzureLoadBalancer' }]),
];

// ---------------------------------------------------------------------------------------------
// Vocabulary

const REGION_NAMES = ['westus', 'eastus', 'northeurope'];

/** How a tag may be spelt in a rule (tag names and regions compare without case). */
function spell(rng: Rng, name: string): string {
  return rng.weighted<string>([
    [6, name],
    [1, name.toLowerCase()],
    [1, name.replace(/\.(\w+)$/, (_m, r: string) => `.${r.replace(/^(\w)/, (c) => c.toUpperCase()).replace(/us$/, 'US')}`)],
  ]);
}

function tagName(rng: Rng): string {
  return rng.weighted<() => string>([
    [8, () => {
      const base = rng.pick([...REGIONAL_FAMILIES.keys()]);
      return rng.weighted<string>([[3, base], [3, `${base}.westus`], [2, `${base}.eastus`], [1, `${base}.northeurope`]]);
    }],
    [3, () => rng.pick(['AzureCloud', 'AzureCloud.westus', 'AzureCloud.eastus'])],
    [2, () => rng.pick([...GLOBAL_ONLY_TAGS.keys()])],
  ])();
}

/** CIDRs around the world's tags: whole families, exact regional tags, halves, small pieces. */
function tagCidr(rng: Rng): string {
  const octet = rng.pick([...REGIONAL_FAMILIES.values(), 28, 29, 40]);
  const second = rng.pick([10, 20, 30, 99]);
  return rng.pick([
    `${octet}.0.0.0/8`,
    `${octet}.${second}.0.0/16`,
    `${octet}.${second}.0.0/17`,
    `${octet}.${second}.128.0/17`,
    `${octet}.${second}.5.0/24`,
    `${octet}.${second}.7.9`,
    '16.0.0.0/4',
    '0.0.0.0/1',
    '128.0.0.0/1',
  ]);
}

const OTHER_CIDRS = ['1.2.3.4/32', '203.0.113.0/24', '192.0.2.0/24', '168.63.0.0/16', '168.63.129.16', '168.63.129.16/32', '168.63.129.17', '2001:db8::/32', 'fd00::/8'];
const PRIVATE_CIDRS = ['10.0.0.0/8', '10.0.0.0/16', '10.1.0.0/16', '192.168.0.0/16', '192.168.0.0/24', '172.16.0.0/12', '100.64.0.0/10'];
const LOCAL_CIDRS = [SUBNET, '10.0.1.0/25', '10.0.1.128/26', '10.0.1.5', '10.0.1.0/23', '10.0.2.0/24', '10.0.3.0/24', '10.0.0.0/16', '10.0.0.0/8'];

function remoteEntry(rng: Rng): string {
  return rng.weighted<() => string>([
    [3, () => rng.pick(['*', 'Any', '0.0.0.0/0'])],
    [2, () => 'Internet'],
    [2, () => 'VirtualNetwork'],
    [1, () => 'AzureLoadBalancer'],
    [9, () => spell(rng, tagName(rng))],
    [6, () => tagCidr(rng)],
    [3, () => rng.pick(OTHER_CIDRS)],
    [2, () => rng.pick(PRIVATE_CIDRS)],
  ])();
}

function localEntry(rng: Rng): string {
  return rng.weighted<() => string>([
    [4, () => rng.pick(['*', 'Any', '0.0.0.0/0'])],
    [5, () => 'VirtualNetwork'],
    [5, () => rng.pick(LOCAL_CIDRS)],
    [1, () => rng.pick(['Internet', 'AzureLoadBalancer', 'Storage', '168.63.129.16/32', '192.168.0.0/16'])],
  ])();
}

const DEST_PORTS = ['*', '443', '445', '80', '444', '5831', '8787', '18881', '29876', '29877', '44224', '440-443', '443-445', '444-446', '29870-29876', '29877-29900', '29876-29877', '1-1024', '0-65535', '1024-65535', '8000-9000', '18880-18882', '44224-44225', '22', '3389', '5000-6000'];
const SOURCE_PORTS = ['1024-65535', '0-1023', '443', '49152-65535', '1000-2000', '0', '65535', '32768-60999', '80-443', '0-65535'];

/** A remote entry related to a requirement's remote tag: the tag, a regional part, AzureCloud, a CIDR inside it, or all. */
function aimedRemote(rng: Rng, req: ResolvedTagRequirement): string {
  const remote = rng.pick(req.remote);
  const tag = remote.tag;
  if (tag === 'VirtualNetwork' || tag === 'AzureLoadBalancer') {
    return rng.pick([tag, 'VirtualNetwork', 'AzureLoadBalancer', '168.63.129.16/32', '10.0.0.0/16', '10.0.0.0/8', '*']);
  }
  const octet = REGIONAL_FAMILIES.get(tag);
  const region = rng.pick(REGION_NAMES);
  return rng.weighted<() => string>([
    [4, () => spell(rng, remote.regional || (octet !== undefined && rng.chance(0.3)) ? `${tag}.${region}` : tag)],
    [2, () => rng.pick(['AzureCloud', `AzureCloud.${region}`])],
    [2, () => (octet !== undefined ? `${octet}.${rng.pick([10, 20, 30])}.0.0/${rng.pick([16, 17])}` : GLOBAL_ONLY_TAGS.get(tag) ?? '*')],
    [1, () => rng.pick(['*', 'Internet'])],
  ])();
}

/** Ports around a requirement's: its ports, ranges that hold or straddle them, and any. */
function aimedPorts(req: ResolvedTagRequirement): string[] {
  const out = new Set<string>(['*']);
  for (const p of req.ports) {
    const [from, to] = p.split('-').map(Number);
    const last = to ?? from;
    out.add(p);
    out.add(String(from));
    out.add(String(last));
    out.add(`${Math.max(0, from - 3)}-${from}`);
    out.add(`${last}-${Math.min(65535, last + 3)}`);
    out.add(`${Math.max(0, from - 1)}-${Math.min(65535, last + 1)}`);
  }
  return [...out];
}

function list<T>(rng: Rng, one: () => T, maxExtra: number): T[] {
  const n = rng.chance(0.7) ? 1 : rng.int(2, 2 + maxExtra);
  return Array.from({ length: n }, one);
}

// ---------------------------------------------------------------------------------------------
// Generation

export interface GenerateOptions {
  /** Add unknown values (ASGs, `{unknown}` entries, unknown priorities, symbolic regions, ...). */
  readonly unknowns: boolean;
  /** Requirements per case. */
  readonly requirements?: number;
  readonly maxRules?: number;
}

interface Builder {
  readonly rng: Rng;
  readonly opts: GenerateOptions;
  nextChoice: number;
  readonly asgs: Set<string>;
  readonly symbols: Set<string>;
  /** The symbol that stands for the NSG location, when symbolic. */
  locationSymbol?: string;
}

function choice<T>(b: Builder, reason: string, options: readonly T[]): Choice<T> {
  return { choice: b.nextChoice++, reason: `${reason} (#${b.nextChoice})`, options };
}

/** With unknowns on, sometimes replace a value by a choice between it and alternatives. */
function maybeChoice<T>(b: Builder, p: number, value: T, reason: string, alternatives: readonly T[]): Slot<T> {
  if (!b.opts.unknowns || !b.rng.chance(p)) return value;
  return choice(b, reason, [value, ...alternatives]);
}

function addressList(b: Builder, entry: () => string, side: 'local' | 'remote'): Slot<readonly Slot<AddressEntry>[]> {
  const rng = b.rng;
  const entries: Slot<AddressEntry>[] = list(rng, () => {
    const e = entry();
    if (!b.opts.unknowns) return e;
    const u = rng.next();
    if (u < 0.06) {
      const asg = rng.pick(['asg-web', 'asg-compute']);
      b.asgs.add(asg);
      return { asg };
    }
    if (u < 0.12) return choice<AddressEntry>(b, `parameter for a ${side} address has no value`, [e, entry(), entry(), '*']);
    if (u < 0.18 && side === 'remote' && b.locationSymbol) {
      const tag = rng.pick([...REGIONAL_FAMILIES.keys(), 'AzureCloud']);
      return { tag, region: { kind: 'symbol', symbol: b.locationSymbol, text: "parameters('location')" }, text: `${tag}.\${location}` };
    }
    return e;
  }, 2);
  if (b.opts.unknowns && rng.chance(0.02)) return choice(b, `the ${side} address list is a parameter without a value`, [entries, ['*'], [entry()]]);
  return entries;
}

function portList(b: Builder, vocabulary: readonly string[], what: string): Slot<readonly Slot<string>[]> {
  const rng = b.rng;
  const entries: Slot<string>[] = list(rng, () => {
    const p = rng.pick(vocabulary);
    return maybeChoice(b, 0.05, p, `${what} is a parameter without a value`, [rng.pick(vocabulary), '*']);
  }, 2);
  if (b.opts.unknowns && rng.chance(0.02)) return choice(b, `the ${what} list is a parameter without a value`, [entries, ['*'], ['443']]);
  return entries;
}

function nsgBlueprint(b: Builder, name: string, location: Slot<Region> | undefined, ruleCount?: number): NsgBlueprint {
  const rng = b.rng;
  const count = ruleCount ?? rng.weighted<number>([[1, 0], [6, rng.int(1, 4)], [4, rng.int(5, b.opts.maxRules ?? 10)]]);
  const used = { Inbound: new Set<number>(), Outbound: new Set<number>() };
  const freshPriority = (dirs: ('Inbound' | 'Outbound')[], lo = 200, hi = 4000): number => {
    for (;;) {
      // Mostly a coarse grid so that directions share numbers now and then.
      const p = rng.chance(0.7) ? rng.int(lo / 10, hi / 10) * 10 : rng.int(lo, hi);
      if (dirs.every((d) => !used[d].has(p))) {
        dirs.forEach((d) => used[d].add(p));
        return p;
      }
    }
  };
  const rules: RuleBlueprint[] = [];
  for (let i = 0; i < count; i++) {
    const dir = rng.chance(0.5) ? 'Inbound' : 'Outbound';
    const unknownDirection = b.opts.unknowns && rng.chance(0.03);
    const direction: Slot<'Inbound' | 'Outbound'> = unknownDirection ? choice(b, 'direction is a parameter without a value', ['Inbound', 'Outbound']) : dir;
    const dirs: ('Inbound' | 'Outbound')[] = unknownDirection ? ['Inbound', 'Outbound'] : [dir];
    let priority: Slot<number>;
    if (b.opts.unknowns && rng.chance(0.08)) {
      // Each option is reserved, so that no world has two rules of one priority.
      priority = choice(b, 'priority is a parameter without a value', [freshPriority(dirs, 100, 190), freshPriority(dirs), freshPriority(dirs, 4010, 4096)]);
    } else {
      priority = freshPriority(dirs);
    }
    const remoteIsSource = dir === 'Inbound';
    // Some rules aim at a requirement of the kind the catalog has, so that allows and denies meet its traffic.
    const aim = rng.chance(0.35) ? rng.pick(REQUIREMENTS.filter((q) => q.direction === dir)) : undefined;
    const remote = () => (aim ? aimedRemote(rng, aim) : remoteEntry(rng));
    const src = addressList(b, () => (remoteIsSource ? remote() : localEntry(rng)), remoteIsSource ? 'remote' : 'local');
    const dst = addressList(b, () => (remoteIsSource ? localEntry(rng) : remote()), remoteIsSource ? 'local' : 'remote');
    const protocol = rng.weighted<string>([[8, 'Tcp'], [3, 'Udp'], [8, '*'], [2, 'Icmp'], [1, 'Esp'], [1, 'Ah']]);
    const access = rng.chance(0.55) ? 'Allow' : 'Deny';
    rules.push({
      name: `r${i}-${access.toLowerCase()}`,
      priority,
      direction,
      access: maybeChoice<'Allow' | 'Deny'>(b, 0.04, access, 'access is a parameter without a value', [access === 'Allow' ? 'Deny' : 'Allow']),
      protocol: maybeChoice(b, 0.04, protocol, 'protocol is a parameter without a value', ['Tcp', 'Udp', '*', 'Icmp']),
      sourceAddresses: src,
      sourcePorts: rng.chance(0.8) ? ['*'] : portList(b, SOURCE_PORTS, 'source port range'),
      destinationAddresses: dst,
      destinationPorts: portList(b, aim ? aimedPorts(aim) : DEST_PORTS, 'destination port range'),
    });
  }
  return { name, ...(location === undefined ? {} : { location }), rules };
}

/** Generates one case from its seed. */
export function generateCase(seed: number, opts: GenerateOptions): CaseBlueprint {
  const rng = new Rng(seed);
  const b: Builder = { rng, opts, nextChoice: 0, asgs: new Set(), symbols: new Set() };
  let regionOption: Region | undefined;
  let location: Slot<Region> | undefined;
  const named = (name: string): Region => ({ kind: 'name', name });
  if (opts.unknowns && rng.chance(0.35)) {
    b.locationSymbol = 'location';
    b.symbols.add('location');
    location = { kind: 'symbol', symbol: 'location', text: "parameters('location')" };
    if (rng.chance(0.4)) regionOption = named(rng.pick(REGION_NAMES));
  } else if (opts.unknowns && rng.chance(0.05)) {
    location = choice(b, 'the NSG location is a parameter without a value', [named('westus'), named('eastus')]);
    if (rng.chance(0.5)) regionOption = named('westus');
  } else if (rng.chance(0.6)) {
    regionOption = named(rng.weighted([[6, 'westus'], [2, 'eastus'], [1, 'northeurope']]));
    location = rng.chance(0.7) ? named(rng.pick(REGION_NAMES)) : undefined;
  } else {
    location = named(rng.weighted([[6, 'westus'], [2, 'eastus'], [1, 'northeurope']]));
  }
  const shape = rng.weighted<'subnet' | 'both' | 'nic' | 'none'>([[60, 'subnet'], [30, 'both'], [8, 'nic'], [2, 'none']]);
  const subnet = shape === 'subnet' || shape === 'both' ? nsgBlueprint(b, 'nsg-subnet', location) : undefined;
  const nic = shape === 'nic' || shape === 'both' ? nsgBlueprint(b, 'nsg-nic', location) : undefined;
  if (shape === 'none' && !regionOption) regionOption = named('westus');
  const reqCount = opts.requirements ?? 4;
  const requirements: ResolvedTagRequirement[] = [];
  const pool = [...REQUIREMENTS];
  while (requirements.length < reqCount && pool.length) requirements.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]);
  const dataMode = rng.weighted<DataMode>([[45, 'full'], [25, 'none'], [25, 'partial'], [5, 'empty']]);
  let dataTags: string[] | undefined;
  if (dataMode === 'partial') {
    const all: string[] = [];
    for (const base of REGIONAL_FAMILIES.keys()) all.push(base, ...REGION_NAMES.map((r) => `${base}.${r}`));
    all.push(...GLOBAL_ONLY_TAGS.keys(), 'AzureCloud', ...REGION_NAMES.map((r) => `AzureCloud.${r}`));
    dataTags = all.filter(() => rng.chance(0.6));
  }
  const subnetPrefixes = rng.chance(0.8) ? (rng.chance(0.85) ? [SUBNET] : [SUBNET, '10.0.3.0/24']) : undefined;
  return {
    seed,
    ...(subnet ? { subnet } : {}),
    ...(nic ? { nic } : {}),
    requirements,
    ...(regionOption ? { regionOption } : {}),
    dataMode,
    ...(dataTags ? { dataTags } : {}),
    ...(subnetPrefixes ? { subnetPrefixes } : {}),
    asgs: [...b.asgs],
    regionSymbols: [...b.symbols],
  };
}

/** One NSG of `ruleCount` random rules without unknowns (for benchmarks). */
export function generateNsg(seed: number, name: string, ruleCount: number, location = 'westus'): Nsg {
  const b: Builder = { rng: new Rng(seed), opts: { unknowns: false }, nextChoice: 0, asgs: new Set(), symbols: new Set() };
  const subnet = nsgBlueprint(b, name, { kind: 'name', name: location }, ruleCount);
  const bp: CaseBlueprint = { seed, subnet, requirements: [], dataMode: 'none', asgs: [], regionSymbols: [] };
  return resolvedChain(bp, () => 0).subnet!;
}
