import { ALL_RELATION, NONE_RELATION, relateAddress, targetText, UNRESOLVED_REGION, type AddressRelation, type AddressTarget, type RelationEnv } from './address-relation';
import { DEFAULT_RULES } from './default-rules';
import type { EvaluationContext } from './evaluation-context';
import { IpSet, type IpInterval } from './ip-range';
import { isUnknown } from './maybe';
import { normalizeDefaultRule, normalizeRules, type NormalizedRule, type NsgMemos, type PortList } from './normalize-rule';
import type { Direction, Nsg, NsgChain } from './nsg';
import { formatBounds, formatRange, portSetOf, PortSet, type PortRange } from './port-set';
import { regionNamed, regionSymbol, sameRegion, type Region } from './region';
import type { NotApplicable, RemoteSpec, ResolvedTagRequirement, Selection, TagRequirementSpec } from './requirement';
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
  /** Its NSG's data (its name, and where its ref is kept: see `refOf`), and its index there. */
  readonly data: NsgData;
  readonly index: number;
  /** Index of the NSG in the chain order for this direction. */
  readonly nsgIndex: number;
  /** Direction, access, priority, protocol and ports all known, and every source port: a rule the sweep can take (see `sweepRows`). */
  readonly certain: boolean;
  /** Which of TCP and UDP it may match (`protocolBits`). */
  readonly protocols: number;
  /** How its local side (the subnet) relates, for the subnet prefixes it was last asked with. */
  local?: { readonly prefixes: IpSet | undefined; readonly rels: AddressRelation[] };
  /** Its result for a cell it decides alone, allowing or denying (see `singleResult`). */
  allowedResult?: CellResult;
  deniedResult?: CellResult;
}

type Case = 'best' | 'worst';

interface EffectiveRule {
  readonly index: number;
  readonly allow: boolean;
  readonly useMaybe: boolean;
}

const PORTED: readonly ('Tcp' | 'Udp')[] = ['Tcp', 'Udp'];
const TCP_ONLY: readonly ('Tcp' | 'Udp')[] = ['Tcp'];
const UDP_ONLY: readonly ('Tcp' | 'Udp')[] = ['Udp'];
const SUBNET: AddressTarget = { kind: 'subnet' };

// One-atom masks, shared: masks are never written once a dimension is built (writers copy first).
const ONE_ATOM: Mask = Uint8Array.of(1);
const NO_ATOM: Mask = Uint8Array.of(0);
const NO_REASONS: readonly string[] = [];
const ALL_PORT_ATOMS: readonly (readonly PortRange[])[] = [PortSet.ALL.ranges];
const ALL_PORT_LABELS: readonly string[] = [PortSet.ALL.toString()];

/**
 * An array of length `n` to fill by index: exactly `n` slots, where pushing onto `[]` reserves 16
 * or more (a dimension's per-rule arrays are a few entries long and built for every requirement).
 */
function sized<T>(n: number): T[] {
  return new Array<T>(n);
}

/** A dimension whose labels are built on first use. */
function makeDim(size: number, labels: () => readonly string[], certain: Mask[], maybe: Mask[], reasons: (readonly string[])[], ranges?: readonly (readonly PortRange[])[]): Dim {
  let built: readonly string[] | undefined;
  return { size, labels: () => built ??= labels(), certain, maybe, reasons, ranges };
}

function full(n: number): Mask {
  return new Uint8Array(n).fill(1);
}

/** A candidate's rule as verdicts name it: one object per rule and NSG, made when a verdict first names it (most rules decide nothing). */
function refOf(c: Candidate): RuleRef {
  return c.data.refs[c.index] ??= ruleRef(c.norm, c.data.name);
}

function ruleRef(norm: NormalizedRule, nsg: string): RuleRef {
  return {
    nsg,
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
  // The common source-port case: every rule takes every port, so there is one atom, all ports.
  if (space.isAll && lists.every((l) => l.unknown.length === 0 && l.known.isAll)) {
    return makeDim(1, () => ALL_PORT_LABELS, lists.map(() => ONE_ATOM), lists.map(() => NO_ATOM), lists.map((l) => l.unknown), ALL_PORT_ATOMS);
  }
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
  if (pieces.length === 1) {
    // One piece (a required port or range that no rule splits): one atom, which each list holds
    // wholly or not at all; the shared one-atom masks serve.
    const piece = pieces[0];
    const certain = sized<Mask>(lists.length);
    const maybe = sized<Mask>(lists.length);
    const reasons = sized<readonly string[]>(lists.length);
    for (let j = 0; j < lists.length; j++) {
      const l = lists[j];
      const hit = l.known.has(piece.from);
      certain[j] = hit ? ONE_ATOM : NO_ATOM;
      maybe[j] = l.unknown.length && !hit ? ONE_ATOM : NO_ATOM;
      reasons[j] = l.unknown;
    }
    const atoms = [pieces];
    return makeDim(1, () => [PortSet.of(pieces).toString()], certain, maybe, reasons, atoms);
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
  const certain = sized<Mask>(lists.length);
  const maybe = sized<Mask>(lists.length);
  const reasons = sized<readonly string[]>(lists.length);
  // Masks are never written after they are built, so rules without unknowns share one empty mask.
  const none = new Uint8Array(atoms.length);
  for (let j = 0; j < lists.length; j++) {
    const l = lists[j];
    const m = held[j];
    let c = m;
    if (group) {
      c = new Uint8Array(atoms.length);
      for (let i = 0; i < atoms.length; i++) c[i] = m[firstPiece[i]];
    }
    certain[j] = c;
    maybe[j] = l.unknown.length ? c.map((v) => (v ? 0 : 1)) : none;
    reasons[j] = l.unknown;
  }
  return makeDim(atoms.length, () => atoms.map((a) => PortSet.of(a).toString()), certain, maybe, reasons, atoms);
}

// Masks are read only once built, so rules with the same protocol share theirs, across calls too
// (per list of required protocols: PORTED, TCP_ONLY, UDP_ONLY).
const protocolMasks = new Map<readonly string[], { none: Mask; all: Mask; byProtocol: Map<string, Mask> }>();

function protocolDim(required: readonly ('Tcp' | 'Udp')[], rules: readonly NormalizedRule[]): Dim {
  const certain = sized<Mask>(rules.length);
  const maybe = sized<Mask>(rules.length);
  const reasons = sized<readonly string[]>(rules.length);
  let shared = protocolMasks.get(required);
  if (!shared) {
    shared = { none: new Uint8Array(required.length), all: full(required.length), byProtocol: new Map() };
    protocolMasks.set(required, shared);
  }
  const { none, all, byProtocol } = shared;
  for (let j = 0; j < rules.length; j++) {
    const r = rules[j];
    if (isUnknown(r.protocol)) {
      certain[j] = none;
      maybe[j] = all;
      reasons[j] = [r.protocol.unknown];
    } else {
      const p = r.protocol;
      let m = byProtocol.get(p);
      if (!m) {
        m = Uint8Array.from(required.map((q) => (p === '*' || p === q ? 1 : 0)));
        byProtocol.set(p, m);
      }
      certain[j] = m;
      maybe[j] = none;
      reasons[j] = NO_REASONS;
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
  if (isUnknown(entries)) return [{ kind: 'unknown', reason: entries.unknown }];
  // Most lists are one tag or special: relating it is cheap, and its answer mostly all or none of the
  // target, whose one-entry lists are shared.
  if (entries.length === 1 && entries[0].kind !== 'cidr') {
    const r = relateAddress(entries[0], target, env);
    return r === ALL_RELATION ? ALL_LIST : r === NONE_RELATION ? NONE_LIST : [r];
  }
  if (!entries.every((t) => envFree(t, target))) return entries.map((t) => relateAddress(t, target, env));
  // Relations that do not depend on the environment (`*`, specials, ASGs, against specials or the
  // subnet): kept per entry list and target; the default rules' lists serve every NSG.
  let memo = envFreeRelations.get(entries);
  if (!memo) {
    memo = [];
    envFreeRelations.set(entries, memo);
  }
  for (const m of memo) if (m.target === target) return m.rels;
  const rels = entries.map((t) => relateAddress(t, target, env));
  // A few targets per list (one per requirement remote), the oldest dropped beyond that.
  if (memo.length >= 32) memo.shift();
  memo.push({ target, rels });
  return rels;
}

// Relation lists are never changed once made.
const ALL_LIST: AddressRelation[] = [ALL_RELATION];
const NONE_LIST: AddressRelation[] = [NONE_RELATION];

const envFreeRelations = new WeakMap<readonly AddressTerm[], { target: AddressTarget; rels: AddressRelation[] }[]>();

/** Whether relating the term to the target reads nothing of the environment (region aliases, prefixes, service-tag data). */
function envFree(term: AddressTerm, target: AddressTarget): boolean {
  switch (term.kind) {
    case 'any': case 'unknown': case 'special': case 'asg': return true;
    case 'cidr': return target.kind === 'any' || target.kind === 'special';
    case 'tag': return target.kind !== 'tag';
  }
}

/**
 * How a rule's local entries relate to the compute subnet: that depends only on the entries and the
 * subnet's prefixes (shared IpSets, see IpSet.fromCidrsShared), and every requirement of the
 * direction asks it again, so the candidate keeps the last answer.
 */
function localRelation(c: Candidate, side: 'source' | 'destination', env: RelationEnv): AddressRelation[] {
  const memo = c.local;
  if (memo && memo.prefixes === env.subnetPrefixes) return memo.rels;
  const rels = relateEntries(c.norm[side], SUBNET, env);
  c.local = { prefixes: env.subnetPrefixes, rels };
  return rels;
}

/** Whether a rule's entries may meet the target at all. */
function mayMeet(rels: readonly AddressRelation[]): boolean {
  for (const r of rels) if (r.kind !== 'none') return true;
  return false;
}

function addressDim(
  target: AddressTarget,
  relations: readonly (readonly AddressRelation[])[],
  targetIps: IpSet | undefined,
): Dim {
  let rels = relations;
  let hasIps = false;
  let hasKeys = false;
  for (const rs of rels) {
    for (const r of rs) {
      if (r.kind === 'ips') hasIps = true;
      else if (r.kind === 'key') hasKeys = true;
    }
  }
  if (hasIps && hasKeys) {
    // Sub-tags without prefix data cannot be placed among concrete prefixes.
    rels = rels.map((rs) => rs.map((r) => (r.kind === 'key'
      ? { kind: 'unknown', reason: `how ${r.label} lies among the address prefixes of ${targetText(target)} cannot be told without its prefix data` }
      : r)));
  }
  if (!hasIps && !hasKeys) {
    // The common case (tags, specials, `*`): one atom, the whole target; no cutting needed.
    const certain = sized<Mask>(rels.length);
    const maybe = sized<Mask>(rels.length);
    const reasons = sized<readonly string[]>(rels.length);
    for (let j = 0; j < rels.length; j++) {
      let hit = 0;
      let why: string[] | undefined;
      for (const r of rels[j]) {
        if (r.kind === 'unknown') (why ??= []).push(r.reason);
        else if (r.kind === 'all') hit = 1;
      }
      certain[j] = hit ? ONE_ATOM : NO_ATOM;
      maybe[j] = why && !hit ? ONE_ATOM : NO_ATOM;
      reasons[j] = why ?? NO_REASONS;
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

/** A requirement's remote as the engine reads it: the addresses, and their text in verdict rows. */
interface RemoteTarget {
  readonly region: Region;
  readonly target: AddressTarget;
  readonly text: string;
}

// Requirements are catalog data: the target of a remote is built once per remote and region.
const remoteTargets = new WeakMap<RemoteSpec, RemoteTarget>();

function remoteTarget(remote: RemoteSpec, region: Region): RemoteTarget {
  let memo = remoteTargets.get(remote);
  if (memo && (!remote.regional || equalRegion(memo.region, region))) return memo;
  const target = readRemoteTarget(remote, region);
  memo = { region, target, text: targetText(target) };
  remoteTargets.set(remote, memo);
  return memo;
}

/** The same region value (each NSG read brings its own region objects; a target is only read through its value). */
function equalRegion(a: Region, b: Region): boolean {
  if (a === b) return true;
  if (a.kind === 'name') return b.kind === 'name' && a.name === b.name;
  return b.kind === 'symbol' && a.symbol === b.symbol && a.text === b.text;
}

function readRemoteTarget(remote: RemoteSpec, region: Region): AddressTarget {
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
  const { subnet, nic } = chain;
  if (!subnet || !nic) return subnet ? [subnet] : nic ? [nic] : [];
  return direction === 'Inbound' ? [subnet, nic] : [nic, subnet];
}

/**
 * The compute region and the symbols that stand for it: the NSG's own location when it is known
 * or symbolic, else the region option. A symbolic location takes the region option as its value
 * (the option says where the deployment goes), and NSGs of one chain share one region.
 */
function regionOf(nsgs: readonly Nsg[], context: EvaluationContext): { region: Region; aliases: ReadonlyMap<string, Region> } {
  let aliases: Map<string, Region> | undefined;
  let region: Region | undefined;
  for (const n of nsgs) {
    const loc = n.location;
    if (loc === undefined || isUnknown(loc)) continue;
    if (!region) region = loc;
    else if (loc.kind === 'symbol' && sameRegion(loc, region) !== true) (aliases ??= new Map()).set(loc.symbol, region);
  }
  if (!region) region = context.region;
  else if (region.kind === 'symbol' && context.region?.kind === 'name') {
    aliases ??= new Map();
    aliases.set(region.symbol, context.region);
    for (const [symbol, target] of aliases) if (target === region) aliases.set(symbol, context.region);
  }
  return { region: region ?? regionSymbol(UNRESOLVED_REGION, '<region>'), aliases: aliases ?? NO_ALIASES };
}

const NO_ALIASES: ReadonlyMap<string, Region> = new Map();

// A rule's text is short to build, so it is not kept; a single rule's cell result, which most
// verdicts reuse, is (see singleResult).
function refText(r: RuleRef, withNsg: boolean): string {
  const where = withNsg ? ` in ${r.nsg}` : '';
  if (r.isDefault) return `the default rule ${r.name} (${r.priority})${where}`;
  return `${r.name} (priority ${r.priority ?? 'unknown'})${where}`;
}

function listRefs(refs: readonly RuleRef[], withNsg: boolean): string {
  if (refs.length === 1) return refText(refs[0], withNsg);
  const parts = refs.map((r) => refText(r, withNsg));
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

interface CellResult {
  readonly outcome: PortOutcome['outcome'];
  readonly decidedBy: readonly RuleRef[];
  readonly detail: string;
}

/** What the engine reads of one NSG, whatever the requirement: its rules, normalized once. */
interface NsgData {
  readonly name: string;
  /**
   * The NSG's rules, then the default rules, normalized (the default rules' shared by every NSG, so
   * a rule's NSG is `name`); and a ref to each, made when first asked (see `refOf`).
   */
  readonly norms: readonly NormalizedRule[];
  readonly refs: (RuleRef | undefined)[];
  /** Per direction and position in the chain (0 or 1): the rules that may apply, as candidates. */
  readonly candidates: (readonly Candidate[] | undefined)[];
}

// NSGs are immutable inputs: read each rule once, however many requirements are judged; here for
// calls outside a check, in the check's NsgMemos within one (see NsgMemos for why).
const nsgDataCache = new WeakMap<Nsg, NsgData>();

function nsgData(nsg: Nsg, memos: NsgMemos | undefined): NsgData {
  const memo = memos ? memos.data as Map<Nsg, NsgData> : nsgDataCache;
  let data = memo.get(nsg);
  if (!data) {
    const own = normalizeRules(nsg, memos);
    const count = own.length + DEFAULT_RULES.length;
    const norms = sized<NormalizedRule>(count);
    for (let i = 0; i < count; i++) norms[i] = i < own.length ? own[i] : normalizeDefaultRule(DEFAULT_RULES[i - own.length]);
    data = { name: nsg.name, norms, refs: sized<RuleRef | undefined>(count), candidates: [] };
    memo.set(nsg, data);
  }
  return data;
}

/** Bits of the protocols a rule may match, of those a requirement asks (`TCP_BIT`, `UDP_BIT`). */
const TCP_BIT = 1;
const UDP_BIT = 2;

function protocolBits(p: NormalizedRule['protocol']): number {
  if (isUnknown(p) || p === '*') return TCP_BIT | UDP_BIT;
  return p === 'Tcp' ? TCP_BIT : p === 'Udp' ? UDP_BIT : 0;
}

/** Whether a rule may apply in this direction (a user rule of unknown direction may). */
function appliesIn(norm: NormalizedRule, direction: Direction): boolean {
  return norm.isDefault ? norm.direction === direction : isUnknown(norm.direction) || norm.direction === direction;
}

/** The NSG's rules that may apply in this direction (an unknown direction may), built once per NSG. */
function directionCandidates(nsg: Nsg, direction: Direction, nsgIndex: number, memos: NsgMemos | undefined): readonly Candidate[] {
  const data = nsgData(nsg, memos);
  const key = (direction === 'Inbound' ? 0 : 2) + nsgIndex;
  let list = data.candidates[key];
  if (!list) {
    const norms = data.norms;
    let count = 0;
    for (let i = 0; i < norms.length; i++) if (appliesIn(norms[i], direction)) count++;
    const out = sized<Candidate>(count);
    count = 0;
    for (let i = 0; i < norms.length; i++) {
      const norm = norms[i];
      if (!appliesIn(norm, direction)) continue;
      const certain = !isUnknown(norm.direction) && !isUnknown(norm.access) && !isUnknown(norm.priority) && !isUnknown(norm.protocol)
        && norm.destinationPorts.unknown.length === 0 && norm.sourcePorts.unknown.length === 0 && norm.sourcePorts.known.isAll;
      out[count++] = { norm, data, index: i, nsgIndex, certain, protocols: protocolBits(norm.protocol), local: undefined, allowedResult: undefined, deniedResult: undefined };
    }
    list = out;
    data.candidates[key] = list;
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
  return evaluatePrepared(prepare(chain, requirement.direction, context), requirement);
}

/**
 * For tests that hold the ways of running first match against each other: `atoms` never sweeps;
 * `sweep` sweeps every remote (plainly or by sub-tags), and `keyed` by sub-tags only, or they give
 * undefined where that sweep does not apply.
 */
export function evaluateRequirementBy(path: 'atoms' | 'sweep' | 'keyed', chain: NsgChain, requirement: ResolvedTagRequirement, context: EvaluationContext): RequirementVerdict | undefined {
  return evaluateBy(path, prepare(chain, requirement.direction, context), requirement);
}

function evaluatePrepared(prepared: Prepared, requirement: ResolvedTagRequirement): RequirementVerdict {
  return evaluateBy('auto', prepared, requirement)!;
}

/** What every requirement of one direction reads of a chain and a context: the same for all of them. */
interface Prepared {
  /** The NSGs in the order a flow of the direction meets them. */
  readonly nsgs: readonly Nsg[];
  readonly region: Region;
  readonly env: RelationEnv;
  readonly subnetPrefixes: IpSet | undefined;
  /** The rules that may apply in this direction, NSG by NSG in chain order. */
  readonly candidates: readonly Candidate[];
  readonly touching: Candidate[];
  readonly kept: Candidate[];
  readonly remoteRels: AddressRelation[][];
  readonly localRels: AddressRelation[][];
}

/**
 * Lists every requirement fills anew (the first so many entries count), made once per chain
 * rather than per requirement (both directions share them): the candidates that touch it, those
 * that may meet a remote, and how their remote and local entries relate.
 */
interface RequirementLists {
  readonly touching: Candidate[];
  readonly kept: Candidate[];
  readonly remoteRels: AddressRelation[][];
  readonly localRels: AddressRelation[][];
}

/** `lists` when they hold `n` entries, else lists of `n`. */
function requirementLists(n: number, lists: RequirementLists | undefined): RequirementLists {
  return lists && lists.touching.length >= n ? lists : { touching: sized(n), kept: sized(n), remoteRels: sized(n), localRels: sized(n) };
}

function prepare(chain: NsgChain, direction: Direction, context: EvaluationContext, lists?: RequirementLists, memos?: NsgMemos): Prepared {
  const nsgs = chainOrder(chain, direction);
  const { region, aliases } = regionOf(nsgs, context);
  const subnetPrefixes = context.subnetPrefixes ? IpSet.fromCidrsShared(context.subnetPrefixes) : undefined;
  let candidates = nsgs.length ? directionCandidates(nsgs[0], direction, 0, memos) : [];
  for (let k = 1; k < nsgs.length; k++) candidates = candidates.concat(directionCandidates(nsgs[k], direction, k, memos));
  const { touching, kept, remoteRels, localRels } = requirementLists(candidates.length, lists);
  return { nsgs, region, env: { context, regionAliases: aliases, subnetPrefixes }, subnetPrefixes, candidates, touching, kept, remoteRels, localRels };
}

/** First match by sweep where it applies and by atoms elsewhere (`auto`), or one way only (undefined where the sweep does not apply). */
function evaluateBy(path: 'auto' | 'atoms' | 'sweep' | 'keyed', prepared: Prepared, requirement: ResolvedTagRequirement): RequirementVerdict | undefined {
  const direction = requirement.direction;
  const { nsgs, region, env, subnetPrefixes } = prepared;
  if (nsgs.length === 0) {
    return {
      id: requirement.id,
      direction,
      spec: requirement.spec,
      verdict: 'allowed-by-default',
      explanation: 'No network security group applies, so Azure allows all traffic.',
      breakdown: [],
      decidedBy: [],
    };
  }

  const protocols = requirement.protocol === '*' ? PORTED : requirement.protocol === 'Tcp' ? TCP_ONLY : UDP_ONLY;
  const protocolMask = requirement.protocol === '*' ? TCP_BIT | UDP_BIT : requirement.protocol === 'Tcp' ? TCP_BIT : UDP_BIT;
  const required = requiredPorts(requirement.ports);
  // Rules that cannot touch the requirement's protocols or ports are left out before any atoms are cut.
  const { candidates, touching, kept, remoteRels, localRels } = prepared;
  let touchingCount = 0;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    const norm = c.norm;
    if (norm.isDefault || ((c.protocols & protocolMask) !== 0
      && (norm.destinationPorts.unknown.length > 0 || norm.destinationPorts.known.overlaps(required)))) touching[touchingCount++] = c;
  }

  let breakdown: PortOutcome[] = [];
  let unknownBecause: Set<string> | undefined;
  const remoteSide = direction === 'Inbound' ? 'source' : 'destination';
  const localSide = direction === 'Inbound' ? 'destination' : 'source';
  // The local side is always the subnet: relate each rule's local entries once, not once per remote.
  for (const remote of requirement.remote) {
    const { target, text: remoteText } = remoteTarget(remote, region);
    let count = 0;
    for (let i = 0; i < touchingCount; i++) {
      const c = touching[i];
      const remoteRel = relateEntries(c.norm[remoteSide], target, env);
      if (!mayMeet(remoteRel)) continue;
      const localRel = localRelation(c, localSide, env);
      if (!mayMeet(localRel)) continue;
      kept[count] = c;
      remoteRels[count] = remoteRel;
      localRels[count] = localRel;
      count++;
    }
    let swept: PortOutcome[] | undefined;
    if (nsgs.length === 1 && path !== 'atoms') {
      if (path !== 'keyed') swept = sweepRows(kept, remoteRels, localRels, count, protocols, required, remoteText);
      swept ??= keyedSweepRows(kept, remoteRels, localRels, count, protocols, required, remoteText);
    }
    if (swept) {
      if (breakdown.length === 0) breakdown = swept;
      else for (const r of swept) breakdown.push(r);
      continue;
    }
    if (path === 'sweep' || path === 'keyed') return undefined;
    const rules = kept.slice(0, count);
    const norms = sized<NormalizedRule>(count);
    const destinationPorts = sized<PortList>(count);
    const sourcePorts = sized<PortList>(count);
    for (let i = 0; i < count; i++) {
      const n = rules[i].norm;
      norms[i] = n;
      destinationPorts[i] = n.destinationPorts;
      sourcePorts[i] = n.sourcePorts;
    }
    const dims: Dim[] = [
      protocolDim(protocols, norms),
      portDim(required, destinationPorts, false),
      portDim(PortSet.ALL, sourcePorts, true),
      addressDim(target, remoteRels.slice(0, count), targetPrefixes(target, env)),
      addressDim(SUBNET, localRels.slice(0, count), subnetPrefixes),
    ];
    const cells = evaluateCells(rules, dims, nsgs.length);
    for (const cell of cells) {
      if (cell.result.outcome === 'unknown') for (const r of cell.reasons) (unknownBecause ??= new Set()).add(r);
    }
    const rows = mergeCells(cells, remoteText, dims);
    if (breakdown.length === 0) breakdown = rows;
    else for (const r of rows) breakdown.push(r);
  }
  return aggregate(requirement, breakdown, unknownBecause, nsgs.length > 1);
}

/** Whether each entry's relation is all of the target or none of it. */
function wholeOrNothing(rels: readonly AddressRelation[]): boolean {
  for (const r of rels) if (r.kind !== 'all' && r.kind !== 'none') return false;
  return true;
}

/**
 * First match without atoms, for the common case: one NSG, and every rule certain (direction,
 * access, priority, protocol and ports known, every source port, each address side all of the
 * target or none of it). Then each rule holds every source port and address tuple wholly or not
 * at all, and first match is a sweep over the required ports in rule order, each matching rule
 * taking the ports still open. The rows are those `evaluateCells` and `mergeCells` give (the
 * differential test compares both paths on random NSGs). Undefined when the case does not hold
 * or a port is left open: the general path then answers.
 */
// Scratch lists of the sweep (numbers only, so nothing of a model outlives a call): the rule
// order, the open ports as from/to pairs (two lists, swapped), and what rules took as
// from/to/rule/group entries, with its order by port.
const sweepOrder: number[] = [];
let sweepOpen: number[] = [];
let sweepRest: number[] = [];
const sweepTaken: number[] = [];
const sweepByPort: number[] = [];

function sweepRows(
  kept: readonly Candidate[],
  remoteRels: readonly (readonly AddressRelation[])[],
  localRels: readonly (readonly AddressRelation[])[],
  count: number,
  protocols: readonly ('Tcp' | 'Udp')[],
  required: PortSet,
  remote: string,
): PortOutcome[] | undefined {
  if (required.isEmpty) return undefined;
  for (let i = 0; i < count; i++) {
    if (!kept[i].certain || !wholeOrNothing(remoteRels[i]) || !wholeOrNothing(localRels[i])) return undefined;
  }
  const order = sweepRuleOrder(kept, count);
  let rows: PortOutcome[] | undefined;
  const taken = sweepTaken;
  const byPort = sweepByPort;
  for (const protocol of protocols) {
    let open = sweepOpen;
    let rest = sweepRest;
    let openLength = 0;
    for (const r of required.ranges) {
      open[openLength++] = r.from;
      open[openLength++] = r.to;
    }
    let takenLength = 0;
    for (let o = 0; o < count && openLength; o++) {
      const i = order[o];
      const n = kept[i].norm;
      if (n.protocol !== '*' && n.protocol !== protocol) continue;
      const ranges = n.destinationPorts.known.ranges;
      let restLength = 0;
      let hit = false;
      for (let a = 0, b = 0; a < openLength; a += 2) {
        let from = open[a];
        const to = open[a + 1];
        while (b < ranges.length && ranges[b].to < from) b++;
        for (let c = b; c < ranges.length && ranges[c].from <= to; c++) {
          const r = ranges[c];
          hit = true;
          if (r.from > from) {
            rest[restLength++] = from;
            rest[restLength++] = r.from - 1;
          }
          taken[takenLength++] = Math.max(from, r.from);
          taken[takenLength++] = Math.min(to, r.to);
          taken[takenLength++] = i;
          taken[takenLength++] = -1;
          from = r.to + 1;
          if (from > to) break;
        }
        if (from <= to) {
          rest[restLength++] = from;
          rest[restLength++] = to;
        }
      }
      if (hit) {
        const swap = open;
        open = rest;
        rest = swap;
        openLength = restLength;
      }
    }
    sweepOpen = open;
    sweepRest = rest;
    if (openLength) return undefined;
    // Rows in order of each outcome's lowest port, as the general path groups cells in port order;
    // each row's ports merged from its pieces, in port order.
    const pieces = takenLength / 4;
    for (let t = 0; t < pieces; t++) {
      let k = t;
      for (; k > 0 && taken[byPort[k - 1]] > taken[t * 4]; k--) byPort[k] = byPort[k - 1];
      byPort[k] = t * 4;
    }
    const results = sized<CellResult>(pieces);
    let groups = 0;
    for (let t = 0; t < pieces; t++) {
      const at = byPort[t];
      const c = kept[taken[at + 2]];
      const result = singleResult(c, c.norm.access === 'Allow');
      let g = 0;
      while (g < groups && results[g] !== result && !(results[g].outcome === result.outcome && results[g].detail === result.detail)) g++;
      if (g === groups) results[groups++] = result;
      taken[at + 3] = g;
    }
    // Kept in the verdict: exactly one slot per row (pushing onto [] would reserve 16 or more).
    let at = 0;
    if (rows) {
      at = rows.length;
      rows.length += groups;
    } else rows = sized<PortOutcome>(groups);
    for (let g = 0; g < groups; g++) {
      let ports = '';
      let from = -1;
      let to = -1;
      for (let t = 0; t < pieces; t++) {
        const at = byPort[t];
        if (taken[at + 3] !== g) continue;
        if (from >= 0 && taken[at] <= to + 1) {
          to = Math.max(to, taken[at + 1]);
          continue;
        }
        if (from >= 0) ports += `${ports ? ', ' : ''}${formatBounds(from, to)}`;
        from = taken[at];
        to = taken[at + 1];
      }
      ports += `${ports ? ', ' : ''}${formatBounds(from, to)}`;
      const r = results[g];
      rows[at + g] = { protocol, ports, remote, outcome: r.outcome, decidedBy: r.decidedBy, detail: r.detail };
    }
  }
  return rows;
}

/** The order `effectiveRules` gives certain rules: user rules by priority (then position), the default rules last (in `sweepOrder`). */
function sweepRuleOrder(kept: readonly Candidate[], count: number): number[] {
  const order = sweepOrder;
  for (let i = 0; i < count; i++) {
    const n = kept[i].norm;
    let k = i;
    if (!n.isDefault) {
      const p = n.priority as number;
      for (; k > 0; k--) {
        const o = kept[order[k - 1]].norm;
        if (!o.isDefault && (o.priority as number) <= p) break;
        order[k] = order[k - 1];
      }
    }
    order[k] = i;
  }
  return order;
}

/** Whether each entry's relation is all of the target, none of it, or a sub-tag of it (a regional tag of a global one). */
function wholeOrKeys(rels: readonly AddressRelation[]): boolean {
  for (const r of rels) if (r.kind !== 'all' && r.kind !== 'none' && r.kind !== 'key') return false;
  return true;
}

// Scratch of the keyed sweep (numbers only): the remote atoms each rule covers, rule by rule, and
// a port piece's deciders over the remote atoms.
const keyedCovers: number[] = [];
let keyedDeciders = new Int32Array(8);

/** A dimension of one atom whose labels are never asked (`summarize` names atoms only where some are not denied). */
const ONE_ATOM_DIM: Dim = { size: 1, labels: () => NO_REASONS, certain: [], maybe: [], reasons: [] };

/**
 * First match without atom tuples where the plain sweep stops at sub-tags: one NSG, every rule
 * certain and wholly in or out on the local side, and on the remote side all of the target, none
 * of it, or regional parts of it (`AzureMachineLearning.westeurope` against `AzureMachineLearning`).
 * The remote atoms are then the sub-tags met and the rest of the target, as `addressDim` cuts
 * them, and each port piece's deciding rule per remote atom is found by walking the rules in
 * order; a piece's result is what `summarize` makes of those deciders, and pieces are grouped
 * into rows as `mergeCells` groups cells. The rows are those of the general path (the
 * differential test compares both on random NSGs). Undefined when the case does not hold.
 */
function keyedSweepRows(
  kept: readonly Candidate[],
  remoteRels: readonly (readonly AddressRelation[])[],
  localRels: readonly (readonly AddressRelation[])[],
  count: number,
  protocols: readonly ('Tcp' | 'Udp')[],
  required: PortSet,
  remote: string,
): PortOutcome[] | undefined {
  if (required.isEmpty) return undefined;
  // The sub-tags in order of first appearance, as `addressDim` numbers its atoms; the rest last.
  let keys: string[] | undefined;
  let keyLabels: string[] | undefined;
  for (let i = 0; i < count; i++) {
    if (!kept[i].certain || !wholeOrNothing(localRels[i]) || !wholeOrKeys(remoteRels[i])) return undefined;
    for (const r of remoteRels[i]) {
      if (r.kind === 'key' && !(keys ??= []).includes(r.key)) {
        keys.push(r.key);
        (keyLabels ??= []).push(r.label);
      }
    }
  }
  if (!keys || !keyLabels) return undefined;
  const atoms = keys.length + 1;
  const covers = keyedCovers;
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < atoms; a++) covers[i * atoms + a] = 0;
    for (const r of remoteRels[i]) {
      if (r.kind === 'all') for (let a = 0; a < atoms; a++) covers[i * atoms + a] = 1;
      else if (r.kind === 'key') covers[i * atoms + keys.indexOf(r.key)] = 1;
    }
  }
  const order = sweepRuleOrder(kept, count);
  // Port pieces cut at every boundary of the required ports and of the rules' ports: each rule
  // holds a piece wholly or not at all.
  let cutCount = required.ranges.length * 2;
  for (let i = 0; i < count; i++) cutCount += kept[i].norm.destinationPorts.known.ranges.length * 2;
  if (cutScratch.length < cutCount) cutScratch = new Int32Array(Math.max(cutCount, cutScratch.length * 2));
  const cuts = cutScratch.subarray(0, cutCount);
  let n = 0;
  for (const r of required.ranges) {
    cuts[n++] = r.from;
    cuts[n++] = r.to + 1;
  }
  for (let i = 0; i < count; i++) {
    for (const r of kept[i].norm.destinationPorts.known.ranges) {
      cuts[n++] = r.from;
      cuts[n++] = r.to + 1;
    }
  }
  cuts.sort();
  // What `summarize` reads: the deciders of one piece over the remote atoms (source ports and
  // local addresses are one atom each here), and the remote atoms' labels for a partial denial.
  keyLabels.push(`the rest of ${remote}`);
  const dims: Dim[] = [ONE_ATOM_DIM, ONE_ATOM_DIM, ONE_ATOM_DIM, { size: atoms, labels: () => keyLabels, certain: [], maybe: [], reasons: [] }, ONE_ATOM_DIM];
  const sizes = [1, 1, 1, atoms, 1];
  if (keyedDeciders.length < atoms) keyedDeciders = new Int32Array(Math.max(atoms, keyedDeciders.length * 2));
  const deciders = keyedDeciders.subarray(0, atoms);
  const previous = sized<number>(atoms);
  let rows: PortOutcome[] | undefined;
  for (const protocol of protocols) {
    const groups: { result: CellResult; ranges: PortRange[] }[] = [];
    let result: CellResult | undefined;
    for (let c = 1, prev = cuts[0]; c < cuts.length; c++) {
      const point = cuts[c];
      if (point === prev) continue;
      const from = prev;
      const to = point - 1;
      prev = point;
      if (!required.has(from)) continue;
      for (let a = 0; a < atoms; a++) {
        let decider = -1;
        for (let o = 0; o < count && decider < 0; o++) {
          const i = order[o];
          const norm = kept[i].norm;
          if (!covers[i * atoms + a] || (norm.protocol !== '*' && norm.protocol !== protocol) || !norm.destinationPorts.known.has(from)) continue;
          decider = i * 2 + (norm.access === 'Allow' ? 1 : 0);
        }
        // The default rules take every port and address: a port left open means the case is not this one.
        if (decider < 0) return undefined;
        deciders[a] = decider;
      }
      let same = result !== undefined;
      for (let a = 0; a < atoms && same; a++) same = deciders[a] === previous[a];
      if (!same) {
        result = summarize([deciders], 0, atoms, kept, dims, sizes);
        for (let a = 0; a < atoms; a++) previous[a] = deciders[a];
      }
      const r = result!;
      let group = groups.find((g) => g.result === r || (g.result.outcome === r.outcome && g.result.detail === r.detail));
      if (!group) {
        group = { result: r, ranges: [] };
        groups.push(group);
      }
      const last = group.ranges[group.ranges.length - 1];
      if (last && from <= last.to + 1) group.ranges[group.ranges.length - 1] = { from: last.from, to };
      else group.ranges.push({ from, to });
    }
    let at = 0;
    if (rows) {
      at = rows.length;
      rows.length += groups.length;
    } else rows = sized<PortOutcome>(groups.length);
    for (let g = 0; g < groups.length; g++) {
      const { result: r, ranges } = groups[g];
      let ports = '';
      for (const range of ranges) ports += `${ports ? ', ' : ''}${formatRange(range)}`;
      rows[at + g] = { protocol, ports, remote, outcome: r.outcome, decidedBy: r.decidedBy, detail: r.detail };
    }
  }
  return rows;
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

/**
 * Effective rule order for one NSG in one case; unknown priorities go first or last among user
 * rules. Rules of unknown direction (`skip`) are left out where they would only match strictly.
 */
function effectiveRules(candidates: readonly Candidate[], nsgIndex: number, which: Case, skip: readonly boolean[]): EffectiveRule[] {
  let first: EffectiveRule[] | undefined;
  const ordered: EffectiveRule[] = [];
  let last: EffectiveRule[] | undefined;
  let defaults: EffectiveRule[] | undefined;
  for (let index = 0; index < candidates.length; index++) {
    const c = candidates[index];
    if (c.nsgIndex !== nsgIndex) continue;
    const n = c.norm;
    // An unknown access acts as Allow in the best case and as Deny in the worst.
    const allow = isUnknown(n.access) ? which === 'best' : n.access === 'Allow';
    // Allows match as much as they may in the best case; denies in the worst.
    const useMaybe = allow === (which === 'best');
    if (!useMaybe && skip[index]) continue;
    const rule: EffectiveRule = { index, allow, useMaybe };
    if (n.isDefault) (defaults ??= []).push(rule);
    else if (isUnknown(n.priority)) (useMaybe ? (first ??= []) : (last ??= [])).push(rule);
    else ordered.push(rule);
  }
  if (ordered.length > 1) {
    ordered.sort((a, b) => (candidates[a.index].norm.priority as number) - (candidates[b.index].norm.priority as number) || a.index - b.index);
  }
  if (!first && !last && !defaults) return ordered;
  const out = first ?? [];
  for (const r of ordered) out.push(r);
  if (last) for (const r of last) out.push(r);
  if (defaults) for (const r of defaults) out.push(r);
  return out;
}

// The first-match tables of one evaluation (best and worst case, up to two NSGs each) live only
// until its cells are summarized, so four buffers are reused rather than allocated per requirement.
const deciderBuffers: Int32Array[] = [];

/** A table for `total` tuples, set to -1 (it may be longer: only the first `total` entries are read). */
function deciderBuffer(slot: number, total: number): Int32Array {
  let buf = deciderBuffers[slot];
  if (!buf || buf.length < total) {
    buf = new Int32Array(Math.max(total, 2 * (buf?.length ?? 64)));
    deciderBuffers[slot] = buf;
  }
  buf.fill(-1, 0, total);
  return buf;
}

let tupleScratch = new Int32Array(8);

/** The tuple counter of one first-match run, zeroed (one buffer: runs do not nest). */
function tupleIndex(dimCount: number): Int32Array {
  if (tupleScratch.length < dimCount) tupleScratch = new Int32Array(dimCount);
  tupleScratch.fill(0);
  return tupleScratch;
}

function evaluateCells(candidates: readonly Candidate[], dims: readonly Dim[], nsgCount: number): Cell[] {
  const sizes = sized<number>(dims.length);
  let total = 1;
  for (let d = 0; d < dims.length; d++) {
    sizes[d] = dims[d].size;
    total *= dims[d].size;
  }
  // Per rule: does it apply at all in a case (an unknown direction applies only when that helps the case).
  const uncertainRule = sized<boolean>(candidates.length);
  for (let i = 0; i < candidates.length; i++) uncertainRule[i] = isUnknown(candidates[i].norm.direction);
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
  /** Whether a rule may match more than it surely does in some dimension (else its loose masks are its certain ones). */
  const hasMaybe = (ruleIndex: number): boolean => {
    for (const d of dims) if (d.reasons[ruleIndex].length) return true;
    return false;
  };
  const strict: (readonly Mask[] | undefined)[] = new Array<readonly Mask[] | undefined>(candidates.length);
  const certainMasks = (ruleIndex: number): readonly Mask[] => strict[ruleIndex] ??= dims.map((d) => d.certain[ruleIndex]);
  const cellCount = sizes[0] * sizes[1];
  const dimCount = dims.length;
  const decide = (which: Case): Int32Array[] => {
    const perNsg: Int32Array[] = [];
    const idx = tupleIndex(dimCount);
    for (let k = 0; k < nsgCount; k++) {
      const slot = (which === 'best' ? 0 : 2) + k;
      const order = effectiveRules(candidates, k, which, uncertainRule);
      const ruleMasks = sized<readonly Mask[]>(order.length);
      const outcome = sized<number>(order.length);
      for (let r = 0; r < order.length; r++) {
        const e = order[r];
        ruleMasks[r] = e.useMaybe && hasMaybe(e.index) ? looseMasks(e.index) : certainMasks(e.index);
        outcome[r] = e.index * 2 + (e.allow ? 1 : 0);
      }
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
  // With nothing uncertain (every direction, access and priority known, no rule with a maybe in
  // any dimension) both cases order and match the rules alike: decide and summarize once.
  let uncertain = false;
  for (let i = 0; i < candidates.length && !uncertain; i++) {
    const n = candidates[i].norm;
    if (uncertainRule[i] || isUnknown(n.access) || isUnknown(n.priority)) uncertain = true;
    else for (const d of dims) if (d.reasons[i].length) uncertain = true;
  }
  const best = decide('best');
  const worst = uncertain ? decide('worst') : best;

  const cells = sized<Cell>(cellCount);
  const inner = sizes[2] * sizes[3] * sizes[4];
  for (let proto = 0; proto < sizes[0]; proto++) {
    for (let port = 0; port < sizes[1]; port++) {
      const start = (proto * sizes[1] + port) * inner;
      const b = summarize(best, start, inner, candidates, dims, sizes);
      const w = uncertain ? summarize(worst, start, inner, candidates, dims, sizes) : b;
      let result: CellResult;
      let reasons: readonly string[] = NO_REASONS;
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
      cells[proto * sizes[1] + port] = { protocol: dims[0].labels()[proto] as 'Tcp' | 'Udp', portAtom: port, result, reasons };
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

// For one NSG and one tuple, a cell's result depends only on the deciding rule: built once per
// candidate and outcome, and shared (results are never changed).
function singleResult(c: Candidate, allowed: boolean): CellResult {
  const ref = refOf(c);
  if (allowed) {
    return c.allowedResult ??= ref.isDefault
      ? { outcome: 'allowed-by-default', decidedBy: [ref], detail: flat('allowed only by ', listRefs([ref], false)) }
      : { outcome: 'allowed', decidedBy: [ref], detail: flat('allowed by ', listRefs([ref], false)) };
  }
  return c.deniedResult ??= { outcome: 'blocked', decidedBy: [ref], detail: flat('denied by ', listRefs([ref], false)) };
}

function byPriority(a: RuleRef, b: RuleRef): number {
  return (a.priority ?? 0) - (b.priority ?? 0);
}

/** The dimensions a denial is scoped by in a cell's detail, and their names there. */
const SCOPE_DIMS: readonly number[] = [2, 3, 4];
const SCOPE_NAMES: readonly string[] = ['source ports', 'remote addresses', 'local addresses'];

function summarize(perNsg: readonly Int32Array[], start: number, count: number, candidates: readonly Candidate[], dims: readonly Dim[], sizes: readonly number[]): CellResult {
  if (count === 1 && perNsg.length === 1) {
    const v = perNsg[0][start];
    return singleResult(candidates[v >> 1], v % 2 !== 0);
  }
  const allowers: RuleRef[] = [];
  const deniers: RuleRef[] = [];
  let anyDefault = false;
  // Per dimension (source ports, remote, local addresses), which atoms hold denied traffic, as
  // flags made on the first denial (one array, the dimensions one after another); and which rules
  // were met, in small arrays (a few rules each).
  let deniedAtoms: Uint8Array | undefined;
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
        deniers.push(refOf(candidates[denied]));
      }
      const rel = p - start;
      deniedAtoms ??= new Uint8Array(sizes[2] + sizes[3] + sizes[4]);
      deniedAtoms[Math.floor(rel / (sizes[3] * sizes[4]))] = 1;
      deniedAtoms[sizes[2] + (Math.floor(rel / sizes[4]) % sizes[3])] = 1;
      deniedAtoms[sizes[2] + sizes[3] + (rel % sizes[4])] = 1;
    } else {
      for (const decider of perNsg) {
        const r = decider[p] >> 1;
        if (!seenAllow.includes(r)) {
          seenAllow.push(r);
          allowers.push(refOf(candidates[r]));
        }
        if (candidates[r].norm.isDefault) anyDefault = true;
      }
    }
  }
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
    return { outcome: 'allowed', decidedBy: allowers, detail: flat('allowed by ', listRefs(allowers, multi)) };
  }
  let detail = `denied by ${listRefs(deniers, multi)}`;
  if (allowers.length) {
    const scope: string[] = [];
    for (let k = 0, offset = 0; k < SCOPE_DIMS.length; offset += sizes[SCOPE_DIMS[k]], k++) {
      const d = dims[SCOPE_DIMS[k]];
      const atoms: number[] = [];
      for (let i = 0; i < d.size; i++) if (deniedAtoms![offset + i]) atoms.push(i);
      if (atoms.length < d.size) scope.push(`${SCOPE_NAMES[k]} ${atoms.map((i) => d.labels()[i]).join(', ')}`);
    }
    detail = `${detail}${scope.length ? ` for ${scope.join(' and ')}` : ''}; the rest is allowed by ${listRefs(allowers, multi)}`;
  }
  return { outcome: 'blocked', decidedBy: [...deniers, ...allowers], detail };
}

/**
 * The ports of a group of cells as text: its atoms' ranges merged. Destination-port atoms are
 * single pieces in ascending order and a group's cells keep that order, so merging is one pass
 * (the same ranges `PortSet.of` would give).
 */
function groupPorts(group: readonly Cell[], atoms: readonly (readonly PortRange[])[]): string {
  if (group.length === 1 && atoms[group[0].portAtom].length === 1) return formatRange(atoms[group[0].portAtom][0]);
  const merged: PortRange[] = [];
  let sorted = true;
  for (const c of group) {
    for (const r of atoms[c.portAtom]) {
      const last = merged[merged.length - 1];
      if (last && r.from < last.from) sorted = false;
      if (last && r.from <= last.to + 1) {
        if (r.to > last.to) merged[merged.length - 1] = { from: last.from, to: r.to };
      } else merged.push(r);
    }
  }
  const ranges = sorted ? merged : PortSet.of(group.flatMap((c) => atoms[c.portAtom])).ranges;
  return ranges.map(formatRange).join(', ');
}

/** Merges port atoms with the same outcome into one breakdown row per protocol. */
function mergeCells(cells: readonly Cell[], remote: string, dims: readonly Dim[]): PortOutcome[] {
  if (cells.length === 1) {
    const c = cells[0];
    return [{ protocol: c.protocol, ports: groupPorts(cells, dims[1].ranges!), remote, outcome: c.result.outcome, decidedBy: c.result.decidedBy, detail: c.result.detail }];
  }
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
  const portRanges = dims[1].ranges!;
  // Kept in the verdict: exactly one slot per row.
  const rows = sized<PortOutcome>(groups.length);
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k];
    rows[k] = {
      protocol: g[0].protocol,
      ports: groupPorts(g, portRanges),
      remote,
      outcome: g[0].result.outcome,
      decidedBy: g[0].result.decidedBy,
      detail: g[0].result.detail,
    };
  }
  return rows;
}

/**
 * Pieces of a verdict's text as one flat string. A template string is a chain of pieces (five or
 * more small objects per text) that every verdict and row keeps alive; a join copies them once.
 */
function flat(a: string, b: string, c = ''): string {
  return [a, b, c].join('');
}

/** The verdict of a requirement from its rows: its kind, explanation and deciding rules. */
function aggregate(requirement: ResolvedTagRequirement, rows: PortOutcome[], unknownBecause: ReadonlySet<string> | undefined, multi: boolean): RequirementVerdict {
  const direction = requirement.direction;
  // One ref per rule (same NSG, name and kind), the last seen in the place of the first, as a Map
  // keyed by those would keep them; compared field by field (a verdict has a few refs).
  // Kept in the verdict: sized for every ref, then cut to the distinct ones.
  let refCount = 0;
  for (const r of rows) refCount += r.decidedBy.length;
  // Mostly one rule decides every row, and the rows share its list (see `singleResult`): the
  // verdict shares it too (lists in verdicts are never changed).
  let shared = rows.length > 0 && rows[0].decidedBy.length <= 1;
  for (let i = 1; i < rows.length && shared; i++) shared = rows[i].decidedBy === rows[0].decidedBy;
  const decidedBy = shared ? rows[0].decidedBy as RuleRef[] : sized<RuleRef>(refCount);
  let distinct = shared ? decidedBy.length : 0;
  if (!shared) for (const r of rows) {
    for (const ref of r.decidedBy) {
      let k = 0;
      while (k < distinct && !(decidedBy[k].nsg === ref.nsg && decidedBy[k].name === ref.name && decidedBy[k].isDefault === ref.isDefault)) k++;
      decidedBy[k] = ref;
      if (k === distinct) distinct++;
    }
  }
  if (!shared && distinct < refCount) decidedBy.length = distinct;
  // By priority, stably (an insertion sort, as there are a few).
  for (let i = 1; i < distinct; i++) {
    const ref = decidedBy[i];
    const p = ref.priority ?? 0;
    let k = i;
    for (; k > 0 && (decidedBy[k - 1].priority ?? 0) > p; k--) decidedBy[k] = decidedBy[k - 1];
    decidedBy[k] = ref;
  }
  // Counted first: the rows of one outcome are gathered only where the explanation needs them.
  let blockedCount = 0;
  let unknownCount = 0;
  let defaultCount = 0;
  for (const r of rows) {
    if (r.outcome === 'blocked') blockedCount++;
    else if (r.outcome === 'unknown') unknownCount++;
    else if (r.outcome === 'allowed-by-default') defaultCount++;
  }
  const toward = direction === 'Inbound' ? 'from' : 'to';
  let verdict: VerdictKind;
  let explanation: string;
  if (blockedCount === rows.length) {
    verdict = 'blocked';
    let denials = 0;
    for (const r of rows) for (const d of r.decidedBy) if (isDenier(d)) denials++;
    // Sized for every denial, then cut to the distinct deniers.
    const deniers = sized<RuleRef>(denials);
    let distinctDeniers = 0;
    let byDefault = true;
    for (const r of rows) {
      // Only a denial beside allowers says "the rest is allowed" (and names two rules or more):
      // the length spares scanning (and flattening) most details.
      if (r.decidedBy.length > 1 && r.detail.includes('the rest is allowed')) byDefault = false;
      for (const d of r.decidedBy) if (isDenier(d)) distinctDeniers = addUnique(deniers, distinctDeniers, d);
    }
    deniers.length = distinctDeniers;
    for (const d of deniers) if (!d.isDefault) byDefault = false;
    explanation = byDefault
      ? defaultDenial(deniers, multi)
      : flat('Blocked: ', describeRows(rows, undefined, toward, ' '), '.');
  } else if (blockedCount) {
    verdict = 'partial';
    explanation = flat('Partly allowed: ', describeRows(rows, undefined, toward, ' '), '.');
  } else if (unknownCount) {
    verdict = 'unknown';
    explanation = flat('Cannot be told: ', describeRows(rows, 'unknown', toward, ': '), '.');
  } else if (defaultCount) {
    verdict = 'allowed-by-default';
    explanation = flat('Allowed only by default: ', describeRows(rows, 'allowed-by-default', toward, ' '), '. A deny-all added by policy would block it.');
  } else {
    verdict = 'allowed';
    explanation = flat('Allowed by ', listRefs(decidedBy, multi), '.');
  }
  // Built field by field rather than spread: the same keys in the same order, without the cost of
  // copying objects of varying shape.
  const { id, spec } = requirement;
  return unknownCount
    ? { id, direction, spec, breakdown: rows, verdict, explanation, decidedBy, unknownBecause: unknownBecause ? [...unknownBecause] : [] }
    : { id, direction, spec, breakdown: rows, verdict, explanation, decidedBy };
}

// The explanation of a requirement only a default rule of one NSG denies names that rule alone
// (its name and priority, the same in every NSG): one text per default rule serves every NSG.
const defaultDenials = new Map<string, { readonly priority: number | undefined; readonly text: string }>();

function defaultDenial(deniers: readonly RuleRef[], multi: boolean): string {
  if (multi || deniers.length !== 1) return `Blocked: no rule allows it, so ${listRefs(deniers, multi)} denies it.`;
  const d = deniers[0];
  const memo = defaultDenials.get(d.name);
  if (memo && memo.priority === d.priority) return memo.text;
  const text = `Blocked: no rule allows it, so ${listRefs(deniers, false)} denies it.`;
  // Bounded: default rules are a few; anything else is not kept.
  if (d.isDefault && defaultDenials.size < 16) defaultDenials.set(d.name, { priority: d.priority, text });
  return text;
}

const PROTOCOL_TEXT: Readonly<Record<string, string>> = { Tcp: 'TCP', Udp: 'UDP' };

/**
 * Rows (of one outcome, or all) for an explanation, joined by "; ": "TCP 443 to Storage denied by
 * ...". An unknown row's detail is given without its "cannot be told: ".
 */
function describeRows(rows: readonly PortOutcome[], outcome: PortOutcome['outcome'] | undefined, toward: string, separator: string): string {
  let out = '';
  for (const r of rows) {
    if (outcome !== undefined && r.outcome !== outcome) continue;
    const detail = r.outcome === 'unknown' && outcome === 'unknown' ? r.detail.replace(/^cannot be told: /, '') : r.detail;
    const protocol = Object.hasOwn(PROTOCOL_TEXT, r.protocol) ? PROTOCOL_TEXT[r.protocol] : r.protocol.toUpperCase();
    out += `${out ? '; ' : ''}${protocol} ${r.ports} ${toward} ${r.remote}${separator}${detail}`;
  }
  return out;
}

function isDenier(r: RuleRef): boolean {
  return r.access === 'Deny' || (r.isDefault && r.name.startsWith('Deny'));
}

/**
 * Adds a ref to the first `count` of `refs`, or puts it in the place of the one of the same NSG and
 * name (as a Map keyed by those would); returns the new count.
 */
function addUnique(refs: RuleRef[], count: number, r: RuleRef): number {
  let k = 0;
  while (k < count && !(refs[k].nsg === r.nsg && refs[k].name === r.name)) k++;
  refs[k] = r;
  return k === count ? count + 1 : count;
}

/**
 * Evaluates every service-tag requirement of a selection; host requirements are for firewalls.
 * `memos`: the check's (see NsgMemos), when it runs within one.
 */
export function evaluateSelection(chain: NsgChain, selection: Selection, context: EvaluationContext, memos?: NsgMemos): RequirementVerdict[] {
  const ctx: EvaluationContext = context.region || !selection.options.region
    ? context
    : { ...context, region: regionNamed(selection.options.region) };
  let count = 0;
  for (const r of selection.applicable) if (r.kind === 'service-tag') count++;
  for (const na of selection.notApplicable) if (na.spec.kind === 'service-tag') count++;
  // Kept in the NSG's check: exactly one slot per verdict.
  const out = sized<RequirementVerdict>(count);
  count = 0;
  // The chain's order, region and relation environment, once per direction.
  let inbound: Prepared | undefined;
  let outbound: Prepared | undefined;
  for (const r of selection.applicable) {
    if (r.kind !== 'service-tag') continue;
    const prepared = r.direction === 'Inbound'
      ? inbound ??= prepare(chain, 'Inbound', ctx, outbound, memos)
      : outbound ??= prepare(chain, 'Outbound', ctx, inbound, memos);
    out[count++] = evaluatePrepared(prepared, r);
  }
  for (const na of selection.notApplicable) {
    if (na.spec.kind === 'service-tag') out[count++] = notApplicableVerdict(na, na.spec);
  }
  return out;
}

// A not-applicable verdict says nothing of the NSG: one object per catalog entry serves every NSG
// checked with that selection (verdicts are never changed in place).
const notApplicableVerdicts = new WeakMap<NotApplicable, RequirementVerdict>();

function notApplicableVerdict(na: NotApplicable, spec: TagRequirementSpec): RequirementVerdict {
  let v = notApplicableVerdicts.get(na);
  if (!v) {
    v = {
      id: spec.id,
      direction: spec.direction,
      verdict: 'not-applicable',
      explanation: `Not applicable: ${na.because}.`,
      breakdown: [],
      decidedBy: [],
      spec,
    };
    notApplicableVerdicts.set(na, v);
  }
  return v;
}
