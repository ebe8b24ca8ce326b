import { relateAddress, targetText, UNRESOLVED_REGION, type AddressRelation, type AddressTarget, type RelationEnv } from './address-relation';
import { DEFAULT_RULES } from './default-rules';
import type { EvaluationContext } from './evaluation-context';
import { IpSet, type IpInterval } from './ip-range';
import { isUnknown } from './maybe';
import { normalizeRule, type NormalizedRule, type PortList } from './normalize-rule';
import type { Direction, Nsg, NsgChain } from './nsg';
import { formatRange, portSetOf, PortSet, type PortRange } from './port-set';
import { regionNamed, regionSymbol, sameRegion, type Region } from './region';
import type { RemoteSpec, ResolvedTagRequirement, Selection } from './requirement';
import { canonicalTagName, type AddressTerm } from './service-tags';
import type { PortOutcome, RequirementVerdict, RuleRef, VerdictKind } from './verdict';

// The engine: see docs/semantics.md. Each dimension of the requirement's traffic (protocol,
// destination port, source port, remote addresses, local addresses) is cut into atoms so that
// every rule matches an atom wholly or not at all; first match then runs over atom tuples.
// Unknown values are resolved twice, in the best and in the worst case for allowing.

type Mask = Uint8Array;

/** One dimension: its atoms and, per rule, which atoms the rule surely / possibly matches. */
interface Dim {
  /** How many atoms. */
  readonly size: number;
  /** The atoms in words; only explanations need them, so most dimensions never build them (see `makeDim`). */
  readonly labels: () => readonly string[];
  readonly certain: readonly Mask[];
  readonly maybe: readonly Mask[];
  readonly reasons: readonly (readonly string[])[];
  /** For port dimensions: the ranges of each atom. */
  readonly ranges?: readonly (readonly PortRange[])[];
}

interface Candidate {
  readonly norm: NormalizedRule;
  readonly ref: RuleRef;
  /** Index of the NSG in the chain order for this direction. */
  readonly nsgIndex: number;
}

type Case = 'best' | 'worst';

interface EffectiveRule {
  readonly index: number;
  readonly allow: boolean;
  readonly useMaybe: boolean;
}

const PORTED: readonly ('Tcp' | 'Udp')[] = ['Tcp', 'Udp'];
const SUBNET: AddressTarget = { kind: 'subnet' };

// One-atom masks, shared: masks are never written once a dimension is built (writers copy first).
const ONE_ATOM: Mask = Uint8Array.of(1);
const NO_ATOM: Mask = Uint8Array.of(0);
const NO_REASONS: readonly string[] = [];

/** A dimension whose labels are built on first use. */
function makeDim(size: number, labels: () => readonly string[], certain: Mask[], maybe: Mask[], reasons: (readonly string[])[], ranges?: readonly (readonly PortRange[])[]): Dim {
  let built: readonly string[] | undefined;
  return { size, labels: () => built ??= labels(), certain, maybe, reasons, ranges };
}

function full(n: number): Mask {
  return new Uint8Array(n).fill(1);
}

function ruleRef(norm: NormalizedRule): RuleRef {
  return {
    nsg: norm.nsg,
    name: norm.rule.name,
    priority: isUnknown(norm.priority) ? undefined : norm.priority,
    access: isUnknown(norm.access) ? undefined : norm.access,
    isDefault: norm.isDefault,
    origin: norm.rule.origin,
  };
}

let cutScratch = new Int32Array(256);

/** A dimension over port sets: pieces cut at every boundary, grouped by which rules hold them. */
function portDim(space: PortSet, lists: readonly PortList[], group: boolean): Dim {
  let count = space.ranges.length * 2;
  for (const l of lists) count += l.known.ranges.length * 2;
  // A typed array sorts numerically without a comparator call per step (ports fit 32 bits); one
  // scratch buffer serves every call (a view of it is sorted and read before the next call).
  if (cutScratch.length < count) cutScratch = new Int32Array(Math.max(count, cutScratch.length * 2));
  const cuts = cutScratch.subarray(0, count);
  let n = 0;
  for (const r of space.ranges) {
    cuts[n++] = r.from;
    cuts[n++] = r.to + 1;
  }
  for (const l of lists) for (const r of l.known.ranges) {
    cuts[n++] = r.from;
    cuts[n++] = r.to + 1;
  }
  cuts.sort();
  const pieces: PortRange[] = [];
  for (let i = 1, prev = cuts[0]; i < cuts.length; i++) {
    const point = cuts[i];
    if (point === prev) continue;
    if (space.has(prev)) pieces.push({ from: prev, to: point - 1 });
    prev = point;
  }
  // Which pieces each list holds. Pieces are cut at every boundary, so a range holds a run of
  // whole pieces: find its first by binary search and walk, instead of asking every piece.
  const held: Mask[] = lists.map((l) => {
    const m = new Uint8Array(pieces.length);
    for (const r of l.known.ranges) {
      let lo = 0;
      let hi = pieces.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pieces[mid].from < r.from) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < pieces.length && pieces[k].from <= r.to; k++) m[k] = 1;
    }
    return m;
  });
  const atoms: PortRange[][] = [];
  /** Per atom, one of its pieces (all of an atom's pieces are held by the same lists). */
  const firstPiece: number[] = [];
  if (group) {
    const bySig = new Map<string, PortRange[]>();
    for (let k = 0; k < pieces.length; k++) {
      let key = '';
      for (const m of held) key += m[k] ? '1' : '0';
      const list = bySig.get(key);
      if (list) list.push(pieces[k]);
      else {
        const fresh = [pieces[k]];
        bySig.set(key, fresh);
        atoms.push(fresh);
        firstPiece.push(k);
      }
    }
  } else {
    for (let k = 0; k < pieces.length; k++) {
      atoms.push([pieces[k]]);
      firstPiece.push(k);
    }
  }
  const certain: Mask[] = [];
  const maybe: Mask[] = [];
  const reasons: (readonly string[])[] = [];
  // Masks are never written after they are built, so rules without unknowns share one empty mask.
  const none = new Uint8Array(atoms.length);
  lists.forEach((l, j) => {
    const m = held[j];
    let c = m;
    if (group) {
      c = new Uint8Array(atoms.length);
      for (let i = 0; i < atoms.length; i++) c[i] = m[firstPiece[i]];
    }
    certain.push(c);
    maybe.push(l.unknown.length ? c.map((v) => (v ? 0 : 1)) : none);
    reasons.push(l.unknown);
  });
  return makeDim(atoms.length, () => atoms.map((a) => PortSet.of(a).toString()), certain, maybe, reasons, atoms);
}

function protocolDim(required: readonly ('Tcp' | 'Udp')[], rules: readonly NormalizedRule[]): Dim {
  const certain: Mask[] = [];
  const maybe: Mask[] = [];
  const reasons: (readonly string[])[] = [];
  // Masks are read only once built, so rules with the same protocol share theirs.
  const none = new Uint8Array(required.length);
  const all = full(required.length);
  const byProtocol = new Map<string, Mask>();
  for (const r of rules) {
    if (isUnknown(r.protocol)) {
      certain.push(none);
      maybe.push(all);
      reasons.push([r.protocol.unknown]);
    } else {
      const p = r.protocol;
      let m = byProtocol.get(p);
      if (!m) {
        m = Uint8Array.from(required.map((q) => (p === '*' || p === q ? 1 : 0)));
        byProtocol.set(p, m);
      }
      certain.push(m);
      maybe.push(none);
      reasons.push(NO_REASONS);
    }
  }
  return { size: required.length, labels: () => required, certain, maybe, reasons };
}

function intervalText(r: IpInterval): string {
  const parts = (n: bigint) => {
    if (r.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
    const words: string[] = [];
    for (let s = 112n; s >= 0n; s -= 16n) words.push(((n >> s) & 0xffffn).toString(16));
    return words.join(':');
  };
  return r.from === r.to ? parts(r.from) : `${parts(r.from)}-${parts(r.to)}`;
}

/** Whether every address of `piece` lies in `set` (pieces are cut so that it is all or nothing). */
function ipHas(set: IpSet, piece: IpInterval): boolean {
  return set.intervals.some((i) => i.family === piece.family && i.from <= piece.from && piece.to <= i.to);
}

/** A dimension over addresses of one side: atoms from sub-tags or from concrete prefixes. */
function relateEntries(entries: readonly AddressTerm[] | { unknown: string }, target: AddressTarget, env: RelationEnv): AddressRelation[] {
  return isUnknown(entries) ? [{ kind: 'unknown', reason: entries.unknown }] : entries.map((t) => relateAddress(t, target, env));
}

// How a rule's entries relate to the compute subnet depends only on the entries and the subnet's
// prefixes (shared IpSets, see IpSet.fromCidrsShared); every requirement asks it again, so keep
// the last answer per entry list (entry lists are read once per NSG).
const subnetRelations = new WeakMap<readonly AddressTerm[], { prefixes: IpSet | undefined; rels: AddressRelation[] }>();

function relateToSubnet(entries: readonly AddressTerm[] | { unknown: string }, env: RelationEnv): AddressRelation[] {
  if (isUnknown(entries)) return relateEntries(entries, SUBNET, env);
  const memo = subnetRelations.get(entries);
  if (memo && memo.prefixes === env.subnetPrefixes) return memo.rels;
  const rels = relateEntries(entries, SUBNET, env);
  subnetRelations.set(entries, { prefixes: env.subnetPrefixes, rels });
  return rels;
}

/** Whether a rule's entries may meet the target at all. */
function mayMeet(rels: readonly AddressRelation[]): boolean {
  return rels.some((r) => r.kind !== 'none');
}

function addressDim(
  target: AddressTarget,
  relations: readonly (readonly AddressRelation[])[],
  targetIps: IpSet | undefined,
): Dim {
  let rels = relations;
  const hasIps = rels.some((rs) => rs.some((r) => r.kind === 'ips'));
  const hasKeys = rels.some((rs) => rs.some((r) => r.kind === 'key'));
  if (hasIps && hasKeys) {
    // Sub-tags without prefix data cannot be placed among concrete prefixes.
    rels = rels.map((rs) => rs.map((r) => (r.kind === 'key'
      ? { kind: 'unknown', reason: `how ${r.label} lies among the address prefixes of ${targetText(target)} cannot be told without its prefix data` }
      : r)));
  }
  if (!hasIps && !hasKeys) {
    // The common case (tags, specials, `*`): one atom, the whole target; no cutting needed.
    const certain: Mask[] = [];
    const maybe: Mask[] = [];
    const reasons: string[][] = [];
    for (const rs of rels) {
      let hit = 0;
      const why: string[] = [];
      for (const r of rs) {
        if (r.kind === 'unknown') why.push(r.reason);
        else if (r.kind === 'all') hit = 1;
      }
      certain.push(hit ? ONE_ATOM : NO_ATOM);
      maybe.push(why.length && !hit ? ONE_ATOM : NO_ATOM);
      reasons.push(why);
    }
    return makeDim(1, () => [targetText(target)], certain, maybe, reasons);
  }
  let size: number;
  let labels: () => string[];
  let atomOf: (r: AddressRelation) => Mask;
  if (hasIps && targetIps) {
    const sets: IpSet[] = [];
    for (const rs of rels) for (const r of rs) if (r.kind === 'ips') sets.push(r.set);
    const cuts = new Map<number, bigint[]>();
    const addCut = (fam: number, v: bigint) => {
      const list = cuts.get(fam) ?? [];
      list.push(v);
      cuts.set(fam, list);
    };
    for (const s of [targetIps, ...sets]) for (const i of s.intervals) {
      addCut(i.family, i.from);
      addCut(i.family, i.to + 1n);
    }
    const pieces: IpInterval[] = [];
    for (const [fam, list] of cuts) {
      const sorted = [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 0; i + 1 < sorted.length; i++) {
        const piece: IpInterval = { family: fam as 4 | 6, from: sorted[i], to: sorted[i + 1] - 1n };
        if (ipHas(targetIps, piece)) pieces.push(piece);
      }
    }
    const groups = new Map<string, IpInterval[]>();
    for (const p of pieces) {
      const key = sets.map((s) => (ipHas(s, p) ? '1' : '0')).join('');
      const g = groups.get(key);
      if (g) g.push(p);
      else groups.set(key, [p]);
    }
    const atoms = [...groups.values()];
    size = atoms.length;
    labels = () => atoms.map((a) => `${targetText(target)} addresses ${a.slice(0, 3).map(intervalText).join(', ')}${a.length > 3 ? ', ...' : ''}`);
    atomOf = (r) => {
      if (r.kind === 'all') return full(atoms.length);
      if (r.kind === 'ips') return Uint8Array.from(atoms.map((a) => (ipHas(r.set, a[0]) ? 1 : 0)));
      return new Uint8Array(atoms.length);
    };
  } else if (hasKeys) {
    const keys: string[] = [];
    const keyLabels: string[] = [];
    for (const rs of rels) for (const r of rs) if (r.kind === 'key' && !keys.includes(r.key)) {
      keys.push(r.key);
      keyLabels.push(r.label);
    }
    size = keyLabels.length + 1;
    labels = () => [...keyLabels, `the rest of ${targetText(target)}`];
    atomOf = (r) => {
      if (r.kind === 'all') return full(size);
      const m = new Uint8Array(size);
      if (r.kind === 'key') m[keys.indexOf(r.key)] = 1;
      return m;
    };
  } else {
    size = 1;
    labels = () => [targetText(target)];
    atomOf = (r) => Uint8Array.of(r.kind === 'all' || r.kind === 'ips' || r.kind === 'key' ? 1 : 0);
  }
  const certain: Mask[] = [];
  const maybe: Mask[] = [];
  const reasons: string[][] = [];
  for (const rs of rels) {
    const c = new Uint8Array(size);
    const why: string[] = [];
    for (const r of rs) {
      if (r.kind === 'unknown') why.push(r.reason);
      else {
        const m = atomOf(r);
        for (let i = 0; i < m.length; i++) if (m[i]) c[i] = 1;
      }
    }
    certain.push(c);
    maybe.push(why.length ? c.map((v) => (v ? 0 : 1)) : new Uint8Array(size));
    reasons.push(why);
  }
  return makeDim(size, labels, certain, maybe, reasons);
}

function remoteTarget(remote: RemoteSpec, region: Region): AddressTarget {
  const tag = remote.tag;
  const lower = tag.toLowerCase();
  if (lower === '*' || lower === 'any') return { kind: 'any' };
  if (lower === 'virtualnetwork') return { kind: 'special', name: 'VirtualNetwork' };
  if (lower === 'azureloadbalancer') return { kind: 'special', name: 'AzureLoadBalancer' };
  if (lower === 'internet') return { kind: 'special', name: 'Internet' };
  return { kind: 'tag', base: canonicalTagName(tag), region: remote.regional ? region : undefined };
}

/** The NSGs in the order a flow of this direction meets them. */
function chainOrder(chain: NsgChain, direction: Direction): Nsg[] {
  const order = direction === 'Inbound' ? [chain.subnet, chain.nic] : [chain.nic, chain.subnet];
  return order.filter((n): n is Nsg => n !== undefined);
}

/**
 * The compute region and the symbols that stand for it: the NSG's own location when it is known
 * or symbolic, else the region option. A symbolic location takes the region option as its value
 * (the option says where the deployment goes), and NSGs of one chain share one region.
 */
function regionOf(nsgs: readonly Nsg[], context: EvaluationContext): { region: Region; aliases: Map<string, Region> } {
  const aliases = new Map<string, Region>();
  let region: Region | undefined;
  for (const n of nsgs) {
    const loc = n.location;
    if (loc === undefined || isUnknown(loc)) continue;
    if (!region) region = loc;
    else if (loc.kind === 'symbol' && sameRegion(loc, region) !== true) aliases.set(loc.symbol, region);
  }
  if (!region) region = context.region;
  else if (region.kind === 'symbol' && context.region?.kind === 'name') {
    aliases.set(region.symbol, context.region);
    for (const [symbol, target] of aliases) if (target === region) aliases.set(symbol, context.region);
  }
  return { region: region ?? regionSymbol(UNRESOLVED_REGION, '<region>'), aliases };
}

function describeRef(r: RuleRef, withNsg: boolean): string {
  const where = withNsg ? ` in ${r.nsg}` : '';
  if (r.isDefault) return `the default rule ${r.name} (${r.priority})${where}`;
  return `${r.name} (priority ${r.priority ?? 'unknown'})${where}`;
}

function listRefs(refs: readonly RuleRef[], withNsg: boolean): string {
  const parts = refs.map((r) => describeRef(r, withNsg));
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

interface CellResult {
  readonly outcome: PortOutcome['outcome'];
  readonly decidedBy: RuleRef[];
  readonly detail: string;
}

/** What the engine reads of one NSG, whatever the requirement: its rules, normalized once. */
interface NsgData {
  readonly rules: readonly { norm: NormalizedRule; ref: RuleRef }[];
  /** Per direction and position in the chain (0 or 1): the rules that may apply, as candidates. */
  readonly candidates: Map<string, readonly Candidate[]>;
}

// NSGs are immutable inputs: read each rule once, however many requirements are judged.
const nsgDataCache = new WeakMap<Nsg, NsgData>();

function nsgData(nsg: Nsg): NsgData {
  let data = nsgDataCache.get(nsg);
  if (!data) {
    const norms = [
      ...nsg.rules.map((r) => normalizeRule(r, nsg.name)),
      ...DEFAULT_RULES.map((r) => normalizeRule(r, nsg.name, true)),
    ];
    data = { rules: norms.map((norm) => ({ norm, ref: ruleRef(norm) })), candidates: new Map() };
    nsgDataCache.set(nsg, data);
  }
  return data;
}

/** The NSG's rules that may apply in this direction (an unknown direction may), built once per NSG. */
function directionCandidates(nsg: Nsg, direction: Direction, nsgIndex: number): readonly Candidate[] {
  const data = nsgData(nsg);
  const key = `${direction}${nsgIndex}`;
  let list = data.candidates.get(key);
  if (!list) {
    const out: Candidate[] = [];
    for (const { norm, ref } of data.rules) {
      if (norm.isDefault ? norm.direction !== direction : !isUnknown(norm.direction) && norm.direction !== direction) continue;
      out.push({ norm, ref, nsgIndex });
    }
    list = out;
    data.candidates.set(key, list);
  }
  return list;
}

// Requirement port lists are catalog data: read each list once.
const requiredCache = new WeakMap<readonly string[], PortSet>();

function requiredPorts(ports: readonly string[]): PortSet {
  let set = requiredCache.get(ports);
  if (!set) {
    set = portSetOf(ports);
    requiredCache.set(ports, set);
  }
  return set;
}

/** Evaluates one service-tag requirement against a chain of NSGs. */
export function evaluateRequirement(chain: NsgChain, requirement: ResolvedTagRequirement, context: EvaluationContext): RequirementVerdict {
  const direction = requirement.direction;
  const nsgs = chainOrder(chain, direction);
  const base = { id: requirement.id, direction, spec: requirement.spec };
  if (nsgs.length === 0) {
    return {
      ...base,
      verdict: 'allowed-by-default',
      explanation: 'No network security group applies, so Azure allows all traffic.',
      breakdown: [],
      decidedBy: [],
    };
  }
  const { region, aliases } = regionOf(nsgs, context);
  const subnetPrefixes = context.subnetPrefixes ? IpSet.fromCidrsShared(context.subnetPrefixes) : undefined;
  const env: RelationEnv = { context, regionAliases: aliases, subnetPrefixes };

  const protocols = requirement.protocol === '*' ? PORTED : [requirement.protocol];
  const required = requiredPorts(requirement.ports);
  // Rules that cannot touch the requirement's protocols or ports are left out before any atoms are cut.
  const touching: Candidate[] = [];
  for (let k = 0; k < nsgs.length; k++) {
    for (const c of directionCandidates(nsgs[k], direction, k)) {
      const norm = c.norm;
      if (norm.isDefault || (
        (isUnknown(norm.protocol) || norm.protocol === '*' || protocols.includes(norm.protocol as 'Tcp' | 'Udp'))
        && (norm.destinationPorts.unknown.length > 0 || norm.destinationPorts.known.overlaps(required)))) touching.push(c);
    }
  }

  const breakdown: PortOutcome[] = [];
  const unknownBecause = new Set<string>();
  const remoteSide = direction === 'Inbound' ? 'source' : 'destination';
  const localSide = direction === 'Inbound' ? 'destination' : 'source';
  // The local side is always the subnet: relate each rule's local entries once, not once per remote.
  const localMemo: (AddressRelation[] | undefined)[] = new Array<AddressRelation[] | undefined>(touching.length);
  for (const remote of requirement.remote) {
    const target = remoteTarget(remote, region);
    const remoteRels: AddressRelation[][] = [];
    const localRels: AddressRelation[][] = [];
    const kept: Candidate[] = [];
    for (let i = 0; i < touching.length; i++) {
      const c = touching[i];
      const remoteRel = relateEntries(c.norm[remoteSide], target, env);
      if (!mayMeet(remoteRel)) continue;
      const localRel = localMemo[i] ??= relateToSubnet(c.norm[localSide], env);
      if (!mayMeet(localRel)) continue;
      kept.push(c);
      remoteRels.push(remoteRel);
      localRels.push(localRel);
    }
    const norms = kept.map((c) => c.norm);
    const dims: Dim[] = [
      protocolDim(protocols, norms),
      portDim(required, norms.map((n) => n.destinationPorts), false),
      portDim(PortSet.ALL, norms.map((n) => n.sourcePorts), true),
      addressDim(target, remoteRels, targetPrefixes(target, env)),
      addressDim(SUBNET, localRels, subnetPrefixes),
    ];
    const cells = evaluateCells(kept, dims, nsgs.length);
    for (const cell of cells) {
      for (const r of cell.result.outcome === 'unknown' ? cell.reasons : []) unknownBecause.add(r);
    }
    breakdown.push(...mergeCells(cells, targetText(target), dims));
  }
  // Built field by field rather than spread: the same keys in the same order, without the cost of
  // copying objects of varying shape.
  const agg = aggregate(breakdown, [...unknownBecause], nsgs.length > 1, direction);
  const verdict: RequirementVerdict = agg.unknownBecause
    ? { id: base.id, direction, spec: base.spec, breakdown, verdict: agg.verdict, explanation: agg.explanation, decidedBy: agg.decidedBy, unknownBecause: agg.unknownBecause }
    : { id: base.id, direction, spec: base.spec, breakdown, verdict: agg.verdict, explanation: agg.explanation, decidedBy: agg.decidedBy };
  return verdict;
}

function targetPrefixes(target: AddressTarget, env: RelationEnv): IpSet | undefined {
  if (target.kind !== 'tag' || !env.context.serviceTags) return undefined;
  let region = target.region;
  if (region?.kind === 'symbol') region = env.regionAliases.get(region.symbol) ?? region;
  if (region && region.kind !== 'name') return undefined;
  const key = (region ? `${target.base}.${region.name}` : target.base).toLowerCase();
  const cidrs = env.context.serviceTags.get(key);
  return cidrs ? IpSet.fromCidrsShared(cidrs) : undefined;
}

interface Cell {
  readonly protocol: 'Tcp' | 'Udp';
  readonly portAtom: number;
  readonly result: CellResult;
  readonly reasons: readonly string[];
}

/** Effective rule order for one NSG in one case; unknown priorities go first or last among user rules. */
function effectiveRules(candidates: readonly Candidate[], nsgIndex: number, which: Case): EffectiveRule[] {
  const first: EffectiveRule[] = [];
  const ordered: { prio: number; rule: EffectiveRule }[] = [];
  const last: EffectiveRule[] = [];
  const defaults: EffectiveRule[] = [];
  candidates.forEach((c, index) => {
    if (c.nsgIndex !== nsgIndex) return;
    const n = c.norm;
    // An unknown access acts as Allow in the best case and as Deny in the worst.
    const allow = isUnknown(n.access) ? which === 'best' : n.access === 'Allow';
    // Allows match as much as they may in the best case; denies in the worst.
    const useMaybe = allow === (which === 'best');
    const rule: EffectiveRule = { index, allow, useMaybe };
    if (c.norm.isDefault) defaults.push(rule);
    else if (isUnknown(n.priority)) (useMaybe ? first : last).push(rule);
    else ordered.push({ prio: n.priority, rule });
  });
  ordered.sort((a, b) => a.prio - b.prio || a.rule.index - b.rule.index);
  return [...first, ...ordered.map((o) => o.rule), ...last, ...defaults];
}

// The first-match tables of one evaluation (best and worst case, up to two NSGs each) live only
// until its cells are summarized, so four buffers are reused rather than allocated per requirement.
const deciderBuffers: Int32Array[] = [];

function deciderBuffer(slot: number, total: number): Int32Array {
  let buf = deciderBuffers[slot];
  if (!buf || buf.length < total) {
    buf = new Int32Array(Math.max(total, 2 * (buf?.length ?? 64)));
    deciderBuffers[slot] = buf;
  }
  const view = buf.subarray(0, total);
  view.fill(-1);
  return view;
}

function evaluateCells(candidates: readonly Candidate[], dims: readonly Dim[], nsgCount: number): Cell[] {
  const sizes = dims.map((d) => d.size);
  const total = sizes.reduce((a, b) => a * b, 1);
  // Per rule: does it apply at all in a case (an unknown direction applies only when that helps the case).
  const uncertainRule = candidates.map((c) => isUnknown(c.norm.direction));
  // Per rule, what it may match (certain or maybe), built once for both cases and only when some
  // rule has a maybe; rules without one share their certain masks.
  const loose: (readonly Mask[] | undefined)[] = new Array<readonly Mask[] | undefined>(candidates.length);
  const looseMasks = (ruleIndex: number): readonly Mask[] => loose[ruleIndex] ??= dims.map((d) => {
    const c = d.certain[ruleIndex];
    const mb = d.maybe[ruleIndex];
    let m: Mask | undefined;
    for (let i = 0; i < mb.length; i++) if (mb[i]) (m ??= c.slice())[i] = 1;
    return m ?? c;
  });
  const certainMasks = (ruleIndex: number): readonly Mask[] => dims.map((d) => d.certain[ruleIndex]);
  const dimCount = dims.length;
  const decide = (which: Case): Int32Array[] => {
    const perNsg: Int32Array[] = [];
    const idx = new Int32Array(dimCount);
    for (let k = 0; k < nsgCount; k++) {
      const slot = (which === 'best' ? 0 : 2) + k;
      const order = effectiveRules(candidates, k, which).filter((e) => e.useMaybe || !uncertainRule[e.index]);
      const ruleMasks = order.map((e) => (e.useMaybe ? looseMasks(e.index) : certainMasks(e.index)));
      const outcome = order.map((e) => e.index * 2 + (e.allow ? 1 : 0));
      const decider = deciderBuffer(slot, total);
      idx.fill(0);
      for (let p = 0; p < total; p++) {
        for (let r = 0; r < ruleMasks.length; r++) {
          const m = ruleMasks[r];
          let hit = true;
          for (let d = 0; d < dimCount; d++) if (!m[d][idx[d]]) { hit = false; break; }
          if (hit) {
            decider[p] = outcome[r];
            break;
          }
        }
        // Next tuple: the last dimension runs fastest (p = ((i0 * s1 + i1) * s2 + i2) ...).
        for (let d = dimCount - 1; d >= 0; d--) {
          if (++idx[d] < sizes[d]) break;
          idx[d] = 0;
        }
      }
      perNsg.push(decider);
    }
    return perNsg;
  };
  const best = decide('best');
  const worst = decide('worst');

  const cells: Cell[] = [];
  const inner = sizes[2] * sizes[3] * sizes[4];
  for (let proto = 0; proto < sizes[0]; proto++) {
    for (let port = 0; port < sizes[1]; port++) {
      const start = (proto * sizes[1] + port) * inner;
      const b = summarize(best, start, inner, candidates, dims, sizes);
      const w = summarize(worst, start, inner, candidates, dims, sizes);
      let result: CellResult;
      let reasons: string[] = [];
      if (w.outcome !== 'blocked' && w.outcome === b.outcome) result = w;
      else if (w.outcome !== 'blocked') {
        // Allowed either way, but whether by a user rule or only by a default rule depends on the unknowns.
        reasons = uncertainReasons(candidates, dims, proto, port);
        result = {
          outcome: 'unknown',
          decidedBy: [],
          detail: `allowed, but whether ${b.detail.replace(/^allowed /, '')} or ${w.detail.replace(/^allowed /, '')} cannot be told: ${reasons.join('; ')}`,
        };
      } else if (b.outcome === 'blocked') result = b;
      else {
        reasons = uncertainReasons(candidates, dims, proto, port);
        result = {
          outcome: 'unknown',
          decidedBy: [],
          detail: `cannot be told: ${reasons.join('; ')}`,
        };
      }
      cells.push({ protocol: dims[0].labels()[proto] as 'Tcp' | 'Udp', portAtom: port, result, reasons });
    }
  }
  return cells;
}

/** Reasons of the uncertain rules that could touch this protocol and port. */
function uncertainReasons(candidates: readonly Candidate[], dims: readonly Dim[], proto: number, port: number): string[] {
  const out = new Set<string>();
  candidates.forEach((c, i) => {
    const touches = (d: number, atom: number) => dims[d].certain[i][atom] || dims[d].maybe[i][atom];
    if (!touches(0, proto) || !touches(1, port)) return;
    const n = c.norm;
    if (isUnknown(n.direction)) out.add(`rule ${n.rule.name}: ${n.direction.unknown}`);
    if (isUnknown(n.access)) out.add(`rule ${n.rule.name}: ${n.access.unknown}`);
    if (isUnknown(n.priority)) out.add(`rule ${n.rule.name}: ${n.priority.unknown}`);
    for (const d of dims) for (const r of d.reasons[i]) out.add(`rule ${n.rule.name}: ${r}`);
  });
  return [...out];
}

function summarize(perNsg: readonly Int32Array[], start: number, count: number, candidates: readonly Candidate[], dims: readonly Dim[], sizes: readonly number[]): CellResult {
  const allowers: RuleRef[] = [];
  const deniers: RuleRef[] = [];
  let anyDefault = false;
  // Per dimension (source ports, remote, local addresses), which atoms hold denied traffic, as
  // flags made on the first denial; and which rules were met, in small arrays (a few rules each).
  let deniedAtoms: Uint8Array[] | undefined;
  const seenAllow: number[] = [];
  const seenDeny: number[] = [];
  for (let p = start; p < start + count; p++) {
    let denied = -1;
    for (const decider of perNsg) {
      const v = decider[p];
      if (v % 2 === 0) {
        denied = v >> 1;
        break;
      }
    }
    if (denied >= 0) {
      if (!seenDeny.includes(denied)) {
        seenDeny.push(denied);
        deniers.push(candidates[denied].ref);
      }
      const rel = p - start;
      deniedAtoms ??= [new Uint8Array(sizes[2]), new Uint8Array(sizes[3]), new Uint8Array(sizes[4])];
      deniedAtoms[0][Math.floor(rel / (sizes[3] * sizes[4]))] = 1;
      deniedAtoms[1][Math.floor(rel / sizes[4]) % sizes[3]] = 1;
      deniedAtoms[2][rel % sizes[4]] = 1;
    } else {
      for (const decider of perNsg) {
        const r = decider[p] >> 1;
        if (!seenAllow.includes(r)) {
          seenAllow.push(r);
          allowers.push(candidates[r].ref);
        }
        if (candidates[r].norm.isDefault) anyDefault = true;
      }
    }
  }
  const byPriority = (a: RuleRef, b: RuleRef) => (a.priority ?? 0) - (b.priority ?? 0);
  allowers.sort(byPriority);
  deniers.sort(byPriority);
  const multi = perNsg.length > 1;
  if (deniers.length === 0) {
    if (anyDefault) {
      const defaults = allowers.filter((r) => r.isDefault);
      const explicit = allowers.filter((r) => !r.isDefault);
      const detail = explicit.length
        ? `allowed by ${listRefs(explicit, multi)}, and partly only by ${listRefs(defaults, multi)}`
        : `allowed only by ${listRefs(defaults, multi)}`;
      return { outcome: 'allowed-by-default', decidedBy: allowers, detail };
    }
    return { outcome: 'allowed', decidedBy: allowers, detail: `allowed by ${listRefs(allowers, multi)}` };
  }
  let detail = `denied by ${listRefs(deniers, multi)}`;
  if (allowers.length) {
    const names = ['source ports', 'remote addresses', 'local addresses'];
    const dimIndex = [2, 3, 4];
    const scope: string[] = [];
    deniedAtoms!.forEach((flags, k) => {
      const d = dims[dimIndex[k]];
      const atoms: number[] = [];
      for (let i = 0; i < flags.length; i++) if (flags[i]) atoms.push(i);
      if (atoms.length < d.size) scope.push(`${names[k]} ${atoms.map((i) => d.labels()[i]).join(', ')}`);
    });
    detail = `${detail}${scope.length ? ` for ${scope.join(' and ')}` : ''}; the rest is allowed by ${listRefs(allowers, multi)}`;
  }
  return { outcome: 'blocked', decidedBy: [...deniers, ...allowers], detail };
}

/** Merges port atoms with the same outcome into one breakdown row per protocol. */
function mergeCells(cells: readonly Cell[], remote: string, dims: readonly Dim[]): PortOutcome[] {
  const rows: PortOutcome[] = [];
  // Grouped by protocol and outcome, then by detail, in order of first appearance; nested maps
  // spare building (and hashing) one long composite key per cell.
  const groups: Cell[][] = [];
  const byKind = new Map<string, Map<string, Cell[]>>();
  for (const c of cells) {
    const kind = `${c.protocol}|${c.result.outcome}`;
    let byDetail = byKind.get(kind);
    if (!byDetail) {
      byDetail = new Map();
      byKind.set(kind, byDetail);
    }
    const g = byDetail.get(c.result.detail);
    if (g) g.push(c);
    else {
      const fresh = [c];
      byDetail.set(c.result.detail, fresh);
      groups.push(fresh);
    }
  }
  for (const g of groups) {
    const ports = PortSet.of(g.flatMap((c) => dims[1].ranges![c.portAtom]));
    rows.push({
      protocol: g[0].protocol,
      ports: ports.ranges.map(formatRange).join(', '),
      remote,
      outcome: g[0].result.outcome,
      decidedBy: g[0].result.decidedBy,
      detail: g[0].result.detail,
    });
  }
  return rows;
}

function aggregate(rows: readonly PortOutcome[], unknownBecause: string[], multi: boolean, direction: Direction): Pick<RequirementVerdict, 'verdict' | 'explanation' | 'decidedBy' | 'unknownBecause'> {
  const decided = new Map<string, RuleRef>();
  for (const r of rows) for (const ref of r.decidedBy) decided.set(`${ref.nsg}\u0000${ref.name}\u0000${ref.isDefault}`, ref);
  const decidedBy = [...decided.values()].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const blocked = rows.filter((r) => r.outcome === 'blocked');
  const unknownRows = rows.filter((r) => r.outcome === 'unknown');
  const byDefault = rows.filter((r) => r.outcome === 'allowed-by-default');
  const describe = (r: PortOutcome) => `${r.protocol.toUpperCase()} ${r.ports} ${direction === 'Inbound' ? 'from' : 'to'} ${r.remote}`;
  let verdict: VerdictKind;
  let explanation: string;
  if (blocked.length === rows.length) {
    verdict = 'blocked';
    const deniers = dedupe(blocked.flatMap((r) => r.decidedBy.filter((d) => d.access === 'Deny' || (d.isDefault && d.name.startsWith('Deny')))));
    explanation = deniers.every((d) => d.isDefault) && blocked.every((r) => !r.detail.includes('the rest is allowed'))
      ? `Blocked: no rule allows it, so ${listRefs(deniers, multi)} denies it.`
      : `Blocked: ${blocked.map((r) => `${describe(r)} ${r.detail}`).join('; ')}.`;
  } else if (blocked.length) {
    verdict = 'partial';
    explanation = `Partly allowed: ${rows.map((r) => `${describe(r)} ${r.detail}`).join('; ')}.`;
  } else if (unknownRows.length) {
    verdict = 'unknown';
    explanation = `Cannot be told: ${unknownRows.map((r) => `${describe(r)}: ${r.detail.replace(/^cannot be told: /, '')}`).join('; ')}.`;
  } else if (byDefault.length) {
    verdict = 'allowed-by-default';
    explanation = `Allowed only by default: ${byDefault.map((r) => `${describe(r)} ${r.detail}`).join('; ')}. A deny-all added by policy would block it.`;
  } else {
    verdict = 'allowed';
    explanation = `Allowed by ${listRefs(decidedBy, multi)}.`;
  }
  return unknownRows.length ? { verdict, explanation, decidedBy, unknownBecause } : { verdict, explanation, decidedBy };
}

function dedupe(refs: readonly RuleRef[]): RuleRef[] {
  const seen = new Map<string, RuleRef>();
  for (const r of refs) seen.set(`${r.nsg}\u0000${r.name}`, r);
  return [...seen.values()];
}

/** Evaluates every service-tag requirement of a selection; host requirements are for firewalls. */
export function evaluateSelection(chain: NsgChain, selection: Selection, context: EvaluationContext): RequirementVerdict[] {
  const ctx: EvaluationContext = context.region || !selection.options.region
    ? context
    : { ...context, region: regionNamed(selection.options.region) };
  const out: RequirementVerdict[] = [];
  for (const r of selection.applicable) {
    if (r.kind === 'service-tag') out.push(evaluateRequirement(chain, r, ctx));
  }
  for (const na of selection.notApplicable) {
    if (na.spec.kind !== 'service-tag') continue;
    out.push({
      id: na.spec.id,
      direction: na.spec.direction,
      verdict: 'not-applicable',
      explanation: `Not applicable: ${na.because}.`,
      breakdown: [],
      decidedBy: [],
      spec: na.spec,
    });
  }
  return out;
}
