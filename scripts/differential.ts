// Differential testing of the NSG engine against the brute-force oracle (test/core/oracle.ts).
//
//   npm run test:differential -- --count 100000 --seed 42 [--unknowns] [--max-failures 5] [--case N]
//
// The mocha test (test/core/differential.test.ts) runs the same checks with a fixed seed. Each
// case is a random NSG chain with a few requirements; its seed is caseSeed(seed, index), so any
// failure is reproduced with `--seed S --case index`.

import type { Region } from '../src/core/region';
import { evaluateRequirement } from '../src/core/evaluate-nsg';
import type { EvaluationContext, ServiceTagPrefixes } from '../src/core/evaluation-context';
import type { Nsg, NsgChain, SecurityRule } from '../src/core/nsg';
import type { ResolvedTagRequirement } from '../src/core/requirement';
import { serviceTagPrefixesFromJson } from '../src/core/service-tag-prefixes';
import type { PortOutcome, RequirementVerdict } from '../src/core/verdict';
import {
  aggregate, makeWorld, oracleEvaluate, remoteMatchesLabel, set, SUBNET_VARIANTS, VIRTUAL_NETWORK_VARIANTS, worldTagCidrs,
  type Knowledge, type OracleCell, type OracleResult, type World,
} from '../test/core/oracle';
import {
  caseSeed, choicesOf, engineChain, generateCase, isChoice, requirement, resolvedChain,
  type CaseBlueprint, type Choice, type NsgBlueprint, type RuleBlueprint, type Slot,
} from '../test/core/random-nsg';

// ---------------------------------------------------------------------------------------------
// Engine input

const TAG_CIDRS = worldTagCidrs();

function serviceTagsFor(bp: CaseBlueprint): { prefixes?: ServiceTagPrefixes; keys?: Set<string> } {
  if (bp.dataMode === 'none') return {};
  const names = bp.dataMode === 'full' ? [...TAG_CIDRS.keys()] : bp.dataMode === 'partial' ? bp.dataTags ?? [] : [];
  // Through the loader, in Azure's "Service Tags" JSON shape, as users supply it.
  const json = { values: names.map((name) => ({ name, id: name, properties: { addressPrefixes: TAG_CIDRS.get(name) } })) };
  const prefixes = serviceTagPrefixesFromJson(json);
  return { prefixes, keys: new Set(names.map((n) => n.toLowerCase())) };
}

export function engineContext(bp: CaseBlueprint): { context: EvaluationContext; knowledge: Knowledge } {
  const tags = serviceTagsFor(bp);
  const context: EvaluationContext = {
    ...(bp.regionOption ? { region: bp.regionOption } : {}),
    ...(bp.subnetPrefixes ? { subnetPrefixes: bp.subnetPrefixes } : {}),
    ...(tags.prefixes ? { serviceTags: tags.prefixes } : {}),
  };
  const knowledge: Knowledge = {
    ...(tags.keys ? { serviceTagKeys: tags.keys } : {}),
    subnetKnown: bp.subnetPrefixes !== undefined,
    ...(bp.regionOption ? { regionOption: bp.regionOption } : {}),
  };
  return { context, knowledge };
}

// ---------------------------------------------------------------------------------------------
// Worlds

interface WorldCase {
  readonly world: World;
  readonly pick: (c: Choice<unknown>) => number;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

const ASG_OPTIONS = [[], ['10.0.1.0/24'], ['10.0.1.0/25'], ['10.0.2.0/24'], ['10.0.1.64/26', '10.0.3.0/24']];

/** The concrete worlds a requirement of a case is judged in. */
export function worldsFor(bp: CaseBlueprint, req: ResolvedTagRequirement, worldCount: number): WorldCase[] {
  const subnets = bp.subnetPrefixes ? [bp.subnetPrefixes] : SUBNET_VARIANTS;
  const remoteVnet = req.remote.some((r) => r.tag.toLowerCase() === 'virtualnetwork');
  const vnets = remoteVnet ? VIRTUAL_NETWORK_VARIANTS : VIRTUAL_NETWORK_VARIANTS.slice(0, 1);
  const out: WorldCase[] = [];
  if (!hasUnknowns(bp)) {
    for (const v of vnets) for (const s of subnets) {
      out.push({ world: makeWorld({ name: `${v.name}, subnet ${s.join('+')}`, virtualNetwork: v.set, subnetCidrs: s }), pick: () => 0 });
    }
    return out;
  }
  for (let w = 0; w < worldCount; w++) {
    const seed = mix(bp.seed, w);
    // docs/semantics.md: with the region option set, an NSG location the template leaves open
    // (symbolic or unknown) is that region.
    const optionRegion = bp.regionOption?.kind === 'name' ? bp.regionOption.name.toLowerCase() : undefined;
    const locationChoices = new Set([bp.subnet, bp.nic].flatMap((n) => (n?.location !== undefined && isChoice(n.location) ? [n.location.choice] : [])));
    const pinned = (c: Choice<unknown>) => (optionRegion && locationChoices.has(c.choice)
      ? c.options.findIndex((o) => (o as Region).kind === 'name' && (o as { name: string }).name.toLowerCase() === optionRegion)
      : -1);
    // World 0 takes the first option of every choice: the value the generator started from.
    const pick = (c: Choice<unknown>) => {
      const p = pinned(c);
      if (p >= 0) return p;
      return w === 0 ? 0 : mix(seed, c.choice) % c.options.length;
    };
    const asgs = new Map(bp.asgs.map((a, i) => [a, set(...ASG_OPTIONS[mix(seed, 1000 + i) % ASG_OPTIONS.length])] as const));
    const locationSymbols = new Set([bp.subnet, bp.nic].flatMap((n) => (n?.location !== undefined && !isChoice(n.location) && n.location.kind === 'symbol' ? [n.location.symbol] : [])));
    const symbols = new Map(bp.regionSymbols.map((s, i) => [s, optionRegion && locationSymbols.has(s) ? optionRegion : ['westus', 'eastus', 'northeurope'][mix(seed, 2000 + i) % 3]] as const));
    const v = vnets[w % vnets.length];
    const s = subnets[mix(seed, 3000) % subnets.length];
    out.push({ world: makeWorld({ name: `world ${w}: ${v.name}, subnet ${s.join('+')}`, virtualNetwork: v.set, subnetCidrs: s, asgs, regionSymbols: symbols }), pick });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checks

export interface Failure {
  readonly kind: 'crash' | 'breakdown-shape' | 'cell-mismatch' | 'unknown-without-reason' | 'verdict-aggregation' | 'verdict-mismatch' | 'unknown-unexplained';
  readonly requirement: string;
  readonly message: string;
}

/**
 * Disagreements already reported, tolerated unless `strict`: each is recognised per outcome from
 * the engine's answer and the oracle's answers in every world. Remove an entry once the engine
 * (or docs/semantics.md) is fixed; the mocha test fails when a listed issue no longer occurs.
 */
export interface KnownIssue {
  readonly id: string;
  readonly description: string;
  readonly matches: (engine: EngineOutcome, oracle: readonly OracleCell[], bp: CaseBlueprint, req: ResolvedTagRequirement, worlds: readonly World[]) => boolean;
}

/** Disagreements tolerated while they are being fixed; each gets a pending test that fails once it stops occurring. */
export const KNOWN_ISSUES: readonly KnownIssue[] = [
];

/** Whether a case has values the engine cannot know (choices, ASGs, symbolic regions). */
export function hasUnknowns(bp: CaseBlueprint): boolean {
  return choicesOf(bp).length > 0 || bp.asgs.length > 0 || bp.regionSymbols.length > 0;
}

export interface CheckStats {
  requirements: number;
  worlds: number;
  flows: number;
  cells: number;
  engineUnknownCells: number;
  /** Engine `unknown` cells where every world agreed (imprecise but sound). */
  unknownButWorldsAgree: number;
  verdicts: Record<string, number>;
  /** Outcomes tolerated as known issues, by issue id. */
  tolerated: Record<string, number>;
}

export function emptyStats(): CheckStats {
  return { requirements: 0, worlds: 0, flows: 0, cells: 0, engineUnknownCells: 0, unknownButWorldsAgree: 0, verdicts: {}, tolerated: {} };
}

type EngineOutcome = PortOutcome['outcome'];

function parsePorts(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`cannot read ports "${text}"`);
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) out.push(p);
  }
  return out;
}

/** The engine's breakdown as one outcome per (protocol, port, remote index). */
function engineCells(v: RequirementVerdict, req: ResolvedTagRequirement): { cells: Map<string, EngineOutcome>; problems: string[] } {
  const cells = new Map<string, EngineOutcome>();
  const problems: string[] = [];
  for (const row of v.breakdown) {
    const remotes = req.remote.map((r, i) => (remoteMatchesLabel(r, row.remote) ? i : -1)).filter((i) => i >= 0);
    if (remotes.length !== 1) {
      problems.push(`row remote "${row.remote}" matches ${remotes.length} remotes of the requirement`);
      continue;
    }
    let ports: number[];
    try {
      ports = parsePorts(row.ports);
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    for (const p of ports) {
      const key = `${row.protocol}|${p}|${remotes[0]}`;
      if (cells.has(key)) problems.push(`${key} appears in two rows`);
      cells.set(key, row.outcome);
    }
  }
  return { cells, problems };
}

/** Checks one requirement of one case; returns its failures. */
/** How a check runs: `strict` tolerates no known issue; `mutate` alters the engine's input (to measure what the test catches). */
export interface CheckOptions {
  readonly strict?: boolean;
  readonly mutate?: (chain: NsgChain) => NsgChain;
}

export function checkRequirement(bp: CaseBlueprint, req: ResolvedTagRequirement, worldCount: number, stats: CheckStats, opts: CheckOptions = {}): Failure[] {
  const strict = opts.strict ?? false;
  const fail = (kind: Failure['kind'], message: string): Failure => ({ kind, requirement: req.id, message });
  const { context, knowledge } = engineContext(bp);
  const decidable = !hasUnknowns(bp);
  let engine: RequirementVerdict;
  try {
    const chain = engineChain(bp);
    engine = evaluateRequirement(opts.mutate ? opts.mutate(chain) : chain, req, context);
  } catch (e) {
    return [fail('crash', `the engine threw: ${(e as Error).stack ?? String(e)}`)];
  }
  stats.requirements++;
  stats.verdicts[engine.verdict] = (stats.verdicts[engine.verdict] ?? 0) + 1;
  const worlds = worldsFor(bp, req, worldCount);
  const results: { wc: WorldCase; result: OracleResult }[] = worlds.map((wc) => ({ wc, result: oracleEvaluate(resolvedChain(bp, wc.pick), req, wc.world, knowledge) }));
  stats.worlds += worlds.length;
  for (const r of results) stats.flows += r.result.flows;
  const failures: Failure[] = [];

  if (!bp.subnet && !bp.nic) {
    if (engine.verdict !== 'allowed-by-default' || engine.breakdown.length) failures.push(fail('verdict-mismatch', `an empty chain must be allowed-by-default with no breakdown; the engine says ${engine.verdict} with ${engine.breakdown.length} rows`));
    return failures;
  }

  const { cells, problems } = engineCells(engine, req);
  for (const p of problems) failures.push(fail('breakdown-shape', p));
  const expectedKeys = results[0].result.cells.map((c) => `${c.protocol}|${c.port}|${c.remoteIndex}`);
  for (const k of expectedKeys) if (!cells.has(k)) failures.push(fail('breakdown-shape', `no breakdown row covers ${k}`));
  for (const k of cells.keys()) if (!expectedKeys.includes(k)) failures.push(fail('breakdown-shape', `a breakdown row covers ${k}, which the requirement does not ask for`));
  if (failures.length) return failures;

  let tolerated = false;
  const remoteName = (i: number) => req.remote[i].tag + (req.remote[i].regional ? '.<region>' : '');
  results[0].result.cells.forEach((cell, ci) => {
    stats.cells++;
    const key = `${cell.protocol}|${cell.port}|${cell.remoteIndex}`;
    const e = cells.get(key)!;
    const what = `${cell.protocol} ${cell.port} ${req.direction === 'Inbound' ? 'from' : 'to'} ${remoteName(cell.remoteIndex)}`;
    const perWorld = results.map((r) => r.result.cells[ci]);
    const known = strict ? undefined : KNOWN_ISSUES.find((k) => k.matches(e, perWorld, bp, req, results.map((r) => r.wc.world)));
    if (known) {
      stats.tolerated[known.id] = (stats.tolerated[known.id] ?? 0) + 1;
      tolerated = true;
      if (e === 'unknown') stats.engineUnknownCells++;
      return;
    }
    if (e === 'unknown') {
      stats.engineUnknownCells++;
      if (perWorld.every((c) => c.outcome === perWorld[0].outcome)) stats.unknownButWorldsAgree++;
      if (decidable && perWorld.every((c) => c.unknownBecause.length === 0)) {
        failures.push(fail('unknown-without-reason', `${what}: the engine says unknown, but no flow reaches a rule whose match the semantics leaves open; the oracle says ${perWorld.map((c) => c.outcome).join('/')}${perWorld[0].witness ? ` (${perWorld[0].witness})` : ''}`));
      }
      return;
    }
    results.forEach((r, wi) => {
      const c = perWorld[wi];
      if (c.outcome !== e) {
        failures.push(fail('cell-mismatch', `${what}: the engine says ${e}, the oracle in ${r.wc.world.name} says ${c.outcome}${c.witness ? ` (${c.witness})` : ''}${c.unknownBecause.length ? `; open: ${c.unknownBecause.join(' | ')}` : ''}`));
      }
    });
  });

  const outcomes = results[0].result.cells.map((c) => cells.get(`${c.protocol}|${c.port}|${c.remoteIndex}`)!);
  const expected = aggregate(outcomes);
  if (engine.verdict !== expected) failures.push(fail('verdict-aggregation', `the engine's outcomes (${outcomes.join(', ')}) make ${expected} by docs/semantics.md; its verdict is ${engine.verdict}`));
  if (outcomes.includes('unknown') && !(engine.unknownBecause && engine.unknownBecause.length)) failures.push(fail('unknown-unexplained', 'some outcomes are unknown but unknownBecause names no value'));
  if (!outcomes.includes('unknown') && !tolerated) {
    for (const r of results) if (r.result.verdict !== engine.verdict) failures.push(fail('verdict-mismatch', `the engine says ${engine.verdict}, the oracle in ${r.wc.world.name} says ${r.result.verdict}`));
  }
  return failures;
}

export function checkCase(bp: CaseBlueprint, worldCount: number, stats: CheckStats = emptyStats(), opts: CheckOptions = {}): Failure[] {
  return bp.requirements.flatMap((r) => checkRequirement(bp, r, worldCount, stats, opts));
}

// ---------------------------------------------------------------------------------------------
// Shrinking

function withRules(bp: CaseBlueprint, which: 'subnet' | 'nic', rules: readonly RuleBlueprint[]): CaseBlueprint {
  const n = bp[which]!;
  return { ...bp, [which]: { ...n, rules } as NsgBlueprint };
}

function* smallerLists<T>(items: readonly T[], simplest: T | undefined): Generator<T[]> {
  for (let i = 0; i < items.length && items.length > 1; i++) yield items.filter((_, j) => j !== i);
  if (simplest !== undefined && !(items.length === 1 && items[0] === simplest)) yield [simplest];
}

function* ruleVariants(r: RuleBlueprint): Generator<RuleBlueprint> {
  const slotVariants = function* <T>(v: Slot<T>): Generator<T> {
    if (isChoice(v)) yield* v.options;
  };
  for (const key of ['priority', 'direction', 'access', 'protocol'] as const) {
    for (const o of slotVariants(r[key] as Slot<unknown>)) yield { ...r, [key]: o } as RuleBlueprint;
  }
  if (r.protocol !== '*' && !isChoice(r.protocol)) yield { ...r, protocol: '*' };
  for (const key of ['sourceAddresses', 'destinationAddresses', 'sourcePorts', 'destinationPorts'] as const) {
    const v = r[key] as Slot<readonly Slot<unknown>[]>;
    if (isChoice(v)) {
      for (const o of v.options) yield { ...r, [key]: o } as RuleBlueprint;
      continue;
    }
    for (const l of smallerLists(v, '*')) yield { ...r, [key]: l } as RuleBlueprint;
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (isChoice(e)) for (const o of e.options) yield { ...r, [key]: v.map((x, j) => (j === i ? o : x)) } as RuleBlueprint;
    }
  }
}

function* caseVariants(bp: CaseBlueprint): Generator<CaseBlueprint> {
  if (bp.nic && bp.subnet) {
    const { nic: _nic, ...noNic } = bp;
    yield noNic;
    const { subnet: _subnet, ...noSubnet } = bp;
    yield noSubnet;
  }
  const req = bp.requirements[0];
  if (req.remote.length > 1) for (const r of req.remote) yield { ...bp, requirements: [requirement(req.id, req.direction, req.protocol, [...req.ports], [r])] };
  const ports = req.ports.flatMap((p) => parsePorts(p)).map(String);
  if (ports.length > 1) for (const p of ports) yield { ...bp, requirements: [requirement(req.id, req.direction, req.protocol, [p], [...req.remote])] };
  if (req.protocol === '*') for (const p of ['Tcp', 'Udp'] as const) yield { ...bp, requirements: [requirement(req.id, req.direction, p, [...req.ports], [...req.remote])] };
  for (const which of ['subnet', 'nic'] as const) {
    const n = bp[which];
    if (!n) continue;
    for (let i = 0; i < n.rules.length; i++) yield withRules(bp, which, n.rules.filter((_, j) => j !== i));
  }
  for (const which of ['subnet', 'nic'] as const) {
    const n = bp[which];
    if (!n) continue;
    if (n.location !== undefined && isChoice(n.location)) for (const o of n.location.options) yield { ...bp, [which]: { ...n, location: o } };
    for (let i = 0; i < n.rules.length; i++) {
      for (const v of ruleVariants(n.rules[i])) yield withRules(bp, which, n.rules.map((r, j) => (j === i ? v : r)));
    }
  }
  if (bp.dataMode === 'partial' && bp.dataTags) for (let i = 0; i < bp.dataTags.length; i++) yield { ...bp, dataTags: bp.dataTags.filter((_, j) => j !== i) };
}

/** Removes what the failure does not need (greedy, to a local minimum). */
export function shrink(bp: CaseBlueprint, failure: Failure, worldCount: number, opts: CheckOptions = {}): { bp: CaseBlueprint; failure: Failure } {
  let current: CaseBlueprint = { ...bp, requirements: bp.requirements.filter((r) => r.id === failure.requirement) };
  let currentFailure = failure;
  let budget = 4000;
  let progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (const next of caseVariants(current)) {
      if (--budget <= 0) break;
      let failures: Failure[];
      try {
        failures = checkCase(next, worldCount, emptyStats(), opts);
      } catch {
        continue;
      }
      const same = failures.find((f) => f.kind === failure.kind);
      if (same) {
        current = next;
        currentFailure = same;
        progress = true;
        break;
      }
    }
  }
  return { bp: current, failure: currentFailure };
}

// ---------------------------------------------------------------------------------------------
// Reporting

function slotText(v: unknown): string {
  if (isChoice(v as Slot<unknown>)) return `?{${(v as Choice<unknown>).options.map(slotText).join(' | ')}}`;
  if (Array.isArray(v)) return `[${v.map(slotText).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    if ('asg' in v) return `asg:${(v as { asg: string }).asg}`;
    if ('text' in v) return (v as { text: string }).text;
    const region = v as { kind?: string; name?: string; symbol?: string };
    if (region.kind === 'name') return String(region.name);
    if (region.kind === 'symbol') return `\${${String(region.symbol)}}`;
  }
  return String(v);
}

export function describeCase(bp: CaseBlueprint): string {
  const lines: string[] = [];
  const ctx = [
    `region option: ${bp.regionOption ? slotText(bp.regionOption) : 'none'}`,
    `service-tag data: ${bp.dataMode}${bp.dataMode === 'partial' ? ` (${(bp.dataTags ?? []).join(', ')})` : ''}`,
    `subnet prefixes: ${bp.subnetPrefixes ? bp.subnetPrefixes.join(', ') : 'not given'}`,
  ];
  lines.push(`  context: ${ctx.join('; ')}`);
  for (const r of bp.requirements) lines.push(`  requirement ${r.id}: ${r.direction} ${r.protocol} ${r.ports.join(',')} ${r.direction === 'Inbound' ? 'from' : 'to'} ${r.remote.map((x) => x.tag + (x.regional ? '.<region>' : '')).join(' + ')}`);
  for (const which of ['subnet', 'nic'] as const) {
    const n = bp[which];
    if (!n) {
      lines.push(`  ${which} NSG: none`);
      continue;
    }
    lines.push(`  ${which} NSG ${n.name} (location ${n.location === undefined ? 'none' : slotText(n.location)}):`);
    for (const r of n.rules) {
      lines.push(`    ${r.name}: ${slotText(r.priority)} ${slotText(r.direction)} ${slotText(r.access)} ${slotText(r.protocol)} src ${slotText(r.sourceAddresses)}:${slotText(r.sourcePorts)} dst ${slotText(r.destinationAddresses)}:${slotText(r.destinationPorts)}`);
    }
  }
  return lines.join('\n');
}

function engineText(bp: CaseBlueprint, opts: CheckOptions): string {
  const { context } = engineContext(bp);
  try {
    const chain = engineChain(bp);
    const v = evaluateRequirement(opts.mutate ? opts.mutate(chain) : chain, bp.requirements[0], context);
    return [`  engine verdict: ${v.verdict}`, ...v.breakdown.map((r) => `    ${r.protocol} ${r.ports} ${r.remote}: ${r.outcome} — ${r.detail}`)].join('\n');
  } catch (e) {
    return `  engine threw: ${(e as Error).message}`;
  }
}

function oracleText(bp: CaseBlueprint, worldCount: number): string {
  const { knowledge } = engineContext(bp);
  const req = bp.requirements[0];
  return worldsFor(bp, req, worldCount).map((wc) => {
    const r = oracleEvaluate(resolvedChain(bp, wc.pick), req, wc.world, knowledge);
    return [`  oracle in ${wc.world.name}: ${r.verdict}`, ...r.cells.map((c) => `    ${c.protocol} ${c.port} remote#${c.remoteIndex}: ${c.outcome}${c.witness ? ` — ${c.witness}` : ''}${c.unknownBecause.length ? ` [open: ${c.unknownBecause.join(' | ')}]` : ''}`)].join('\n');
  }).join('\n');
}

export interface FailureReport {
  readonly seed: number;
  readonly index: number;
  readonly caseSeed: number;
  readonly failure: Failure;
  readonly text: string;
}

export function reportFailure(seed: number, index: number, bp: CaseBlueprint, failure: Failure, worldCount: number, opts: CheckOptions = {}): FailureReport {
  const small = shrink(bp, failure, worldCount, opts);
  const text = [
    `${failure.kind} in requirement ${failure.requirement} (seed ${seed}, case ${index}, case seed ${bp.seed}${choicesOf(bp).length ? ', with unknowns' : ''})`,
    `  ${small.failure.message}`,
    'minimal counterexample:',
    describeCase(small.bp),
    engineText(small.bp, opts),
    oracleText(small.bp, worldCount),
    `reproduce: npm run test:differential -- --seed ${seed} --case ${index}${hasUnknowns(bp) ? ' --unknowns' : ''}`,
  ].join('\n');
  return { seed, index, caseSeed: bp.seed, failure: small.failure, text };
}

// ---------------------------------------------------------------------------------------------
// Runs

export interface RunOptions {
  readonly seed: number;
  readonly count: number;
  readonly unknowns: boolean;
  /** Oracle worlds per case with unknowns. */
  readonly worlds?: number;
  /** Stop collecting (and shrinking) after this many distinct failures. */
  readonly maxFailures?: number;
  /** Only this case index. */
  readonly caseIndex?: number;
  readonly maxRules?: number;
  /** Tolerate no known issue. */
  readonly strict?: boolean;
  readonly mutate?: (chain: NsgChain) => NsgChain;
  /** Stop at the first failing case. */
  readonly stopAtFirst?: boolean;
}

export interface RunResult {
  readonly cases: number;
  readonly stats: CheckStats;
  readonly failures: readonly FailureReport[];
  /** Failing cases per failure kind (every case, not only the reported ones). */
  readonly failingCases: Record<string, number>;
  readonly elapsedMs: number;
}

export function runDifferential(opts: RunOptions): RunResult {
  const start = process.hrtime.bigint();
  const stats = emptyStats();
  const failures: FailureReport[] = [];
  const failingCases: Record<string, number> = {};
  const worldCount = opts.worlds ?? 4;
  const reported = new Set<string>();
  let cases = 0;
  const from = opts.caseIndex ?? 0;
  const to = opts.caseIndex !== undefined ? opts.caseIndex + 1 : opts.count;
  for (let i = from; i < to; i++) {
    const bp = generateCase(caseSeed(opts.seed, i), { unknowns: opts.unknowns, ...(opts.maxRules ? { maxRules: opts.maxRules } : {}) });
    cases++;
    const fs = checkCase(bp, worldCount, stats, opts);
    const kinds = new Set(fs.map((f) => f.kind));
    for (const k of kinds) failingCases[k] = (failingCases[k] ?? 0) + 1;
    for (const f of fs) {
      const key = `${f.kind}|${f.requirement}`;
      if (reported.has(key) || failures.length >= (opts.maxFailures ?? 3)) continue;
      reported.add(key);
      failures.push(reportFailure(opts.seed, i, bp, f, worldCount, opts));
    }
    if (fs.length && opts.stopAtFirst) break;
  }
  return { cases, stats, failures, failingCases, elapsedMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

export function summary(r: RunResult, label: string): string {
  const s = r.stats;
  return [
    `${label}: ${r.cases} chains, ${s.requirements} requirement evaluations, ${s.worlds} oracle worlds, ${s.flows} flows, ${s.cells} outcomes in ${(r.elapsedMs / 1000).toFixed(1)} s (${Math.round(r.cases / (r.elapsedMs / 1000))} chains/s)`,
    `  verdicts: ${Object.entries(s.verdicts).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  engine unknown outcomes: ${s.engineUnknownCells} (every world agreed in ${s.unknownButWorldsAgree})`,
    `  tolerated known issues: ${Object.keys(s.tolerated).length ? Object.entries(s.tolerated).map(([k, v]) => `${k} (${v} outcomes)`).join(', ') : 'none'}`,
    `  failing chains by kind: ${Object.keys(r.failingCases).length ? Object.entries(r.failingCases).map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Mutants: deliberately wrong engines (the real engine on altered input) the test must catch

type RuleMap = (r: SecurityRule) => SecurityRule;

function mapRules(f: RuleMap): (chain: NsgChain) => NsgChain {
  const nsg = (n: Nsg | undefined) => (n ? { ...n, rules: n.rules.map(f) } : undefined);
  return (chain) => ({ ...(chain.subnet ? { subnet: nsg(chain.subnet) } : {}), ...(chain.nic ? { nic: nsg(chain.nic) } : {}) });
}

function widen(list: SecurityRule['sourceAddresses']): SecurityRule['sourceAddresses'] {
  if (!Array.isArray(list)) return list;
  return list.map((e) => (typeof e === 'string' && /^\d+\.\d+\.\d+\.\d+(\/32)?$/.test(e) ? `${e.split('/')[0].replace(/\.\d+$/, '.0')}/24` : e));
}

export const MUTANTS: readonly { readonly name: string; readonly mutate: (chain: NsgChain) => NsgChain }[] = [
  { name: 'ignores source ports', mutate: mapRules((r) => ({ ...r, sourcePorts: ['*'] })) },
  { name: 'ignores the NIC NSG', mutate: (c) => (c.subnet ? { subnet: c.subnet } : {}) },
  { name: 'orders rules by descending priority', mutate: mapRules((r) => ({ ...r, priority: typeof r.priority === 'number' ? 5000 - r.priority : r.priority })) },
  { name: 'reads protocol * as Tcp', mutate: mapRules((r) => ({ ...r, protocol: r.protocol === '*' ? 'Tcp' : r.protocol })) },
  { name: 'reads only the first destination address of an augmented rule', mutate: mapRules((r) => ({ ...r, destinationAddresses: Array.isArray(r.destinationAddresses) ? r.destinationAddresses.slice(0, 1) : r.destinationAddresses })) },
  { name: 'drops the last port of a range', mutate: mapRules((r) => ({ ...r, destinationPorts: Array.isArray(r.destinationPorts) ? r.destinationPorts.map((p) => (typeof p === 'string' && /^\d+-\d+$/.test(p) ? p.replace(/-(\d+)$/, (_m, to: string) => `-${Math.max(Number(p.split('-')[0]), Number(to) - 1)}`) : p)) : r.destinationPorts })) },
  { name: 'reads a /32 as its /24', mutate: mapRules((r) => ({ ...r, sourceAddresses: widen(r.sourceAddresses), destinationAddresses: widen(r.destinationAddresses) })) },
  { name: 'reads a regional tag as its global tag', mutate: mapRules((r) => ({ ...r, destinationAddresses: Array.isArray(r.destinationAddresses) ? r.destinationAddresses.map((e) => (typeof e === 'string' && /^(storage|azuremachinelearning|batchnodemanagement)\.\w+$/i.test(e) ? e.split('.')[0] : e)) : r.destinationAddresses })) },
];

function main(argv: readonly string[]): number {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seed = Number(arg('--seed') ?? Date.now() % 2 ** 31);
  const count = Number(arg('--count') ?? 10000);
  const unknowns = argv.includes('--unknowns');
  const both = !unknowns && !argv.includes('--decidable');
  const caseArg = arg('--case');
  const common = {
    seed,
    count,
    maxFailures: Number(arg('--max-failures') ?? 5),
    worlds: Number(arg('--worlds') ?? 4),
    ...(caseArg !== undefined ? { caseIndex: Number(caseArg) } : {}),
    ...(arg('--max-rules') ? { maxRules: Number(arg('--max-rules')) } : {}),
    strict: argv.includes('--strict'),
  };
  if (argv.includes('--mutants')) {
    let missed = 0;
    for (const m of MUTANTS) {
      const r = runDifferential({ ...common, unknowns: false, mutate: m.mutate, stopAtFirst: true, maxFailures: 1 });
      const caught = Object.keys(r.failingCases).length > 0;
      if (!caught) missed++;
      console.log(`mutant "${m.name}": ${caught ? `caught after ${r.cases} chains (${r.failures[0]?.failure.kind})` : `NOT caught in ${r.cases} chains`}`);
    }
    return missed ? 1 : 0;
  }
  console.log(`differential: seed ${seed}, ${count} chains per run`);
  let failed = 0;
  const runs: [string, boolean][] = both ? [['decidable', false], ['with unknowns', true]] : [[unknowns ? 'with unknowns' : 'decidable', unknowns]];
  for (const [label, u] of runs) {
    const r = runDifferential({ ...common, unknowns: u });
    console.log(summary(r, label));
    for (const f of r.failures) console.log(`\n${f.text}\n`);
    failed += Object.keys(r.failingCases).length;
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
