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
  readonly labels: readonly string[];
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

/** A dimension over port sets: pieces cut at every boundary, grouped by which rules hold them. */
function portDim(space: PortSet, lists: readonly PortList[], group: boolean): Dim {
  const cuts = new Set<number>();
  for (const r of space.ranges) {
    cuts.add(r.from);
    cuts.add(r.to + 1);
  }
  for (const l of lists) for (const r of l.known.ranges) {
    cuts.add(r.from);
    cuts.add(r.to + 1);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: PortRange[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i];
    const to = points[i + 1] - 1;
    if (space.has(from)) pieces.push({ from, to });
  }
  const sig = (p: PortRange) => lists.map((l) => (l.known.has(p.from) ? '1' : '0')).join('');
  const atoms: PortRange[][] = [];
  if (group) {
    const bySig = new Map<string, PortRange[]>();
    for (const p of pieces) {
      const key = sig(p);
      const list = bySig.get(key);
      if (list) list.push(p);
      else {
        const fresh = [p];
        bySig.set(key, fresh);
        atoms.push(fresh);
      }
    }
  } else {
    for (const p of pieces) atoms.push([p]);
  }
  const labels = atoms.map((a) => PortSet.of(a).toString());
  const certain: Mask[] = [];
  const maybe: Mask[] = [];
  const reasons: string[][] = [];
  for (const l of lists) {
    const c = new Uint8Array(atoms.length);
    atoms.forEach((a, i) => { c[i] = l.known.has(a[0].from) ? 1 : 0; });
    certain.push(c);
    maybe.push(l.unknown.length ? c.map((v) => (v ? 0 : 1)) : new Uint8Array(atoms.length));
    reasons.push([...l.unknown]);
  }
  return { labels, certain, maybe, reasons, ranges: atoms };
}

function protocolDim(required: readonly ('Tcp' | 'Udp')[], rules: readonly NormalizedRule[]): Dim {
  const certain: Mask[] = [];
  const maybe: Mask[] = [];
  const reasons: string[][] = [];
  for (const r of rules) {
    if (isUnknown(r.protocol)) {
      certain.push(new Uint8Array(required.length));
      maybe.push(full(required.length));
      reasons.push([r.protocol.unknown]);
    } else {
      const p = r.protocol;
      certain.push(Uint8Array.from(required.map((q) => (p === '*' || p === q ? 1 : 0))));
      maybe.push(new Uint8Array(required.length));
      reasons.push([]);
    }
  }
  return { labels: required, certain, maybe, reasons };
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
  let labels: string[];
  let atomOf: (r: AddressRelation) => Mask;
  if (hasIps && targetIps) {
    const sets = rels.flat().filter((r): r is AddressRelation & { kind: 'ips' } => r.kind === 'ips').map((r) => r.set);
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
    labels = atoms.map((a) => `${targetText(target)} addresses ${a.slice(0, 3).map(intervalText).join(', ')}${a.length > 3 ? ', ...' : ''}`);
    atomOf = (r) => {
      if (r.kind === 'all') return full(atoms.length);
      if (r.kind === 'ips') return Uint8Array.from(atoms.map((a) => (ipHas(r.set, a[0]) ? 1 : 0)));
      return new Uint8Array(atoms.length);
    };
  } else if (hasKeys) {
    const keys: string[] = [];
    const keyLabels: string[] = [];
    for (const r of rels.flat()) if (r.kind === 'key' && !keys.includes(r.key)) {
      keys.push(r.key);
      keyLabels.push(r.label);
    }
    labels = [...keyLabels, `the rest of ${targetText(target)}`];
    atomOf = (r) => {
      if (r.kind === 'all') return full(labels.length);
      const m = new Uint8Array(labels.length);
      if (r.kind === 'key') m[keys.indexOf(r.key)] = 1;
      return m;
    };
  } else {
    labels = [targetText(target)];
    atomOf = (r) => Uint8Array.of(r.kind === 'all' || r.kind === 'ips' || r.kind === 'key' ? 1 : 0);
  }
  const certain: Mask[] = [];
  const maybe: Mask[] = [];
  const reasons: string[][] = [];
  for (const rs of rels) {
    const c = new Uint8Array(labels.length);
    const why: string[] = [];
    for (const r of rs) {
      if (r.kind === 'unknown') why.push(r.reason);
      else atomOf(r).forEach((v, i) => { if (v) c[i] = 1; });
    }
    certain.push(c);
    maybe.push(why.length ? c.map((v) => (v ? 0 : 1)) : new Uint8Array(labels.length));
    reasons.push(why);
  }
  return { labels, certain, maybe, reasons };
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

// NSGs are immutable inputs: read each rule once, however many requirements are judged.
const normalizedCache = new WeakMap<Nsg, readonly { norm: NormalizedRule; ref: RuleRef }[]>();

function normalizedRules(nsg: Nsg): readonly { norm: NormalizedRule; ref: RuleRef }[] {
  let list = normalizedCache.get(nsg);
  if (!list) {
    const norms = [
      ...nsg.rules.map((r) => normalizeRule(r, nsg.name)),
      ...DEFAULT_RULES.map((r) => normalizeRule(r, nsg.name, true)),
    ];
    list = norms.map((norm) => ({ norm, ref: ruleRef(norm) }));
    normalizedCache.set(nsg, list);
  }
  return list;
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
  const subnetPrefixes = context.subnetPrefixes ? IpSet.fromCidrs(context.subnetPrefixes) : undefined;
  const env: RelationEnv = { context, regionAliases: aliases, subnetPrefixes };

  const candidates: Candidate[] = [];
  nsgs.forEach((nsg, nsgIndex) => {
    for (const { norm, ref } of normalizedRules(nsg)) {
      if (norm.isDefault ? norm.direction !== direction : !isUnknown(norm.direction) && norm.direction !== direction) continue;
      candidates.push({ norm, ref, nsgIndex });
    }
  });
  const protocols = requirement.protocol === '*' ? PORTED : [requirement.protocol];
  const required = portSetOf(requirement.ports);
  // Rules that cannot touch the requirement's protocols or ports are left out before any atoms are cut.
  const touching = candidates.filter(({ norm }) => norm.isDefault || (
    (isUnknown(norm.protocol) || norm.protocol === '*' || protocols.includes(norm.protocol as 'Tcp' | 'Udp'))
    && (norm.destinationPorts.unknown.length > 0 || norm.destinationPorts.known.overlaps(required))));

  const breakdown: PortOutcome[] = [];
  const unknownBecause = new Set<string>();
  for (const remote of requirement.remote) {
    const target = remoteTarget(remote, region);
    const remoteSide = direction === 'Inbound' ? 'source' : 'destination';
    const localSide = direction === 'Inbound' ? 'destination' : 'source';
    const remoteRels: AddressRelation[][] = [];
    const localRels: AddressRelation[][] = [];
    const kept: Candidate[] = [];
    for (const c of touching) {
      const remoteRel = relateEntries(c.norm[remoteSide], target, env);
      if (!mayMeet(remoteRel)) continue;
      const localRel = relateEntries(c.norm[localSide], SUBNET, env);
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
  return { ...base, breakdown, ...aggregate(breakdown, [...unknownBecause], nsgs.length > 1, direction) };
}

function targetPrefixes(target: AddressTarget, env: RelationEnv): IpSet | undefined {
  if (target.kind !== 'tag' || !env.context.serviceTags) return undefined;
  let region = target.region;
  if (region?.kind === 'symbol') region = env.regionAliases.get(region.symbol) ?? region;
  if (region && region.kind !== 'name') return undefined;
  const key = (region ? `${target.base}.${region.name}` : target.base).toLowerCase();
  const cidrs = env.context.serviceTags.get(key);
  return cidrs ? IpSet.fromCidrs(cidrs) : undefined;
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

function evaluateCells(candidates: readonly Candidate[], dims: readonly Dim[], nsgCount: number): Cell[] {
  const sizes = dims.map((d) => d.labels.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  // Per rule: does it apply at all in a case (an unknown direction applies only when that helps the case).
  const uncertainRule = candidates.map((c) => isUnknown(c.norm.direction));
  const masks = (ruleIndex: number, useMaybe: boolean): Mask[] => dims.map((d) => {
    if (!useMaybe) return d.certain[ruleIndex];
    const m = d.certain[ruleIndex].slice();
    d.maybe[ruleIndex].forEach((v, i) => { if (v) m[i] = 1; });
    return m;
  });
  const decide = (which: Case): Int32Array[] => {
    const perNsg: Int32Array[] = [];
    for (let k = 0; k < nsgCount; k++) {
      const order = effectiveRules(candidates, k, which).filter((e) => e.useMaybe || !uncertainRule[e.index]);
      const ruleMasks = order.map((e) => masks(e.index, e.useMaybe));
      const decider = new Int32Array(total).fill(-1);
      const idx = new Array<number>(dims.length).fill(0);
      for (let p = 0; p < total; p++) {
        let rest = p;
        for (let d = dims.length - 1; d >= 0; d--) {
          idx[d] = rest % sizes[d];
          rest = Math.floor(rest / sizes[d]);
        }
        for (let r = 0; r < order.length; r++) {
          const m = ruleMasks[r];
          let hit = true;
          for (let d = 0; d < dims.length; d++) if (!m[d][idx[d]]) { hit = false; break; }
          if (hit) {
            decider[p] = order[r].index * 2 + (order[r].allow ? 1 : 0);
            break;
          }
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
      cells.push({ protocol: dims[0].labels[proto] as 'Tcp' | 'Udp', portAtom: port, result, reasons });
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
  const deniedAtoms = [new Set<number>(), new Set<number>(), new Set<number>()];
  const seenAllow = new Set<number>();
  const seenDeny = new Set<number>();
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
      if (!seenDeny.has(denied)) {
        seenDeny.add(denied);
        deniers.push(candidates[denied].ref);
      }
      const rel = p - start;
      deniedAtoms[0].add(Math.floor(rel / (sizes[3] * sizes[4])));
      deniedAtoms[1].add(Math.floor(rel / sizes[4]) % sizes[3]);
      deniedAtoms[2].add(rel % sizes[4]);
    } else {
      for (const decider of perNsg) {
        const r = decider[p] >> 1;
        if (!seenAllow.has(r)) {
          seenAllow.add(r);
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
    deniedAtoms.forEach((set, k) => {
      const d = dims[dimIndex[k]];
      if (set.size < d.labels.length) scope.push(`${names[k]} ${[...set].sort((a, b) => a - b).map((i) => d.labels[i]).join(', ')}`);
    });
    detail = `${detail}${scope.length ? ` for ${scope.join(' and ')}` : ''}; the rest is allowed by ${listRefs(allowers, multi)}`;
  }
  return { outcome: 'blocked', decidedBy: [...deniers, ...allowers], detail };
}

/** Merges port atoms with the same outcome into one breakdown row per protocol. */
function mergeCells(cells: readonly Cell[], remote: string, dims: readonly Dim[]): PortOutcome[] {
  const rows: PortOutcome[] = [];
  const keyOf = (c: Cell) => `${c.protocol}|${c.result.outcome}|${c.result.detail}`;
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = keyOf(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  for (const g of groups.values()) {
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
