import { dependsOnReasons, selectRequirementsForValues, type OptionValues, type UncertainSelection } from '../catalog/catalog';
import { evaluateSelection } from '../evaluate-nsg';
import type { EvaluationContext, ServiceTagPrefixes } from '../evaluation-context';
import { isUnknown } from '../maybe';
import { normalizeRules, NsgMemos, type NormalizedRule } from '../normalize-rule';
import type { Nsg, SecurityRule } from '../nsg';
import type {
  AmlComputeModel,
  AmlWorkspaceModel,
  NsgModel,
  ReadProblem,
  SourceSpan,
  SubnetModel,
  VnetModel,
  WorkspaceModel,
} from '../model/workspace-model';
import { regionNamed, regionText, type Region } from '../region';
import type { CatalogOptions, Edition, Selection } from '../requirement';
import { entryTagBase } from '../service-tags';
import { validateRules, type RuleFinding } from '../validate-rules';
import type { PortOutcome, RequirementVerdict, RuleRef } from '../verdict';
import { isFailure } from '../verdict-policy';
import { checkFirewalls, isFirewallFailure, type SubnetFirewallCheck } from '../firewall/check-firewalls';
import { SuppressionIndex, suppressedFor, suppressedForFirewall } from './suppression';

/** Where an option's value came from, for the report. */
export type OptionOrigin =
  | { readonly kind: 'template'; readonly element: string; readonly span?: SourceSpan }
  | { readonly kind: 'flag' | 'config' | 'setting' | 'default' };

/** Which options the user set, and how (a CLI flag, `.amlnet.json`, an editor setting). */
export type OptionOrigins = Partial<Record<keyof CatalogOptions, 'flag' | 'config' | 'setting'>>;

/** How to check: the edition, the options as the user gave them, scope and strictness. */
export interface CheckSettings {
  readonly edition: Edition;
  readonly options: CatalogOptions;
  readonly origins: OptionOrigins;
  /** `auto`: NSGs Azure ML uses or that carry an Azure ML rule or a mark; `all`: every NSG. */
  readonly scope: 'auto' | 'all';
  readonly strict: boolean;
  /** NSG names marked in scope by a setting. */
  readonly markedNsgs?: readonly string[];
  readonly serviceTags?: ServiceTagPrefixes;
  /**
   * The text of a file the model was read from (by the path its spans carry), for suppression
   * comments and metadata (see suppression.ts). Without it nothing is suppressed.
   */
  readonly sourceText?: (file: string) => string | undefined;
}

/** An element that declares an option whose value is known only at deployment, and why. */
export interface OptionUnknown {
  readonly element: string;
  readonly span?: SourceSpan;
  /** The property and the reader's reason, e.g. "enableNodePublicIp: nodePublicIp is only known at deployment". */
  readonly reason: string;
}

/** One option's value for one NSG, with its origin. */
export interface OptionValue<T> {
  readonly value: T;
  readonly origin: OptionOrigin;
  /**
   * Set when an element declares the option with a value known only at deployment. Without a
   * user value the option is unknown (`value` undefined, origin `template` naming the element);
   * with one (a flag, `.amlnet.json`, a setting), the user's value stands in for it.
   */
  readonly unknown?: OptionUnknown;
  /**
   * The region only: the NSG's location is symbolic (`location`, `resourceGroup().location`) and
   * the user gave a region, which the check takes it to be.
   */
  readonly takenAs?: { readonly value: string; readonly origin: OptionOrigin };
}

/**
 * The options an NSG was checked with. `region` is a name, a symbolic location, or absent;
 * `publicIp` and `hbi` are undefined when a template declares them with a value known only at
 * deployment and the user gives none.
 */
export interface NsgOptions {
  readonly publicIp: OptionValue<boolean | undefined>;
  readonly hbi: OptionValue<boolean | undefined>;
  readonly region: OptionValue<Region | undefined>;
}

/** Everything the check says about one NSG. */
export interface NsgCheck {
  readonly nsg: NsgModel;
  readonly subnets: readonly SubnetModel[];
  readonly vnets: readonly VnetModel[];
  readonly computes: readonly AmlComputeModel[];
  readonly inScope: boolean;
  /** Why it is in scope (or, when it is not, why not). */
  readonly scopeReasons: readonly string[];
  readonly options: NsgOptions;
  /**
   * Only when a value known only at deployment leaves public IP or hbi open: the values the
   * requirements were selected with (those known to occur, and which are open), for the firewall
   * check.
   */
  readonly optionValues?: { readonly publicIp: OptionValues; readonly hbi: OptionValues };
  readonly verdicts: readonly RequirementVerdict[];
  readonly findings: readonly RuleFinding[];
  /** Suppressed in the source: requirement ids of reported verdicts, and indexes into `findings`. */
  readonly suppressed?: { readonly requirements: ReadonlySet<string>; readonly findings: ReadonlySet<number> };
}

/** The check of a whole model. */
export interface CheckResult {
  readonly edition: Edition;
  readonly strict: boolean;
  readonly nsgs: readonly NsgCheck[];
  readonly problems: readonly ReadProblem[];
  /** Something in scope is blocked or partial (or, in strict mode, allowed only by default), and not suppressed. */
  readonly failing: boolean;
  /** Subnets whose routes lead to a virtual appliance: the route, the firewall and its verdicts (src/core/firewall). */
  readonly firewalls?: readonly SubnetFirewallCheck[];
}

function userOrigin(key: keyof CatalogOptions, settings: CheckSettings): OptionOrigin {
  return { kind: settings.origins[key] ?? 'default' };
}

/**
 * Whether a rule of the NSG names the AzureMachineLearning tag. Without a cache every NSG is judged,
 * so its rules are read anyway (once: `normalizeRules` keeps them) and their terms answer; with one,
 * through the address entries' tags only, as the whole rule is read only for NSGs judged anew.
 */
function hasAmlRule(nsg: NsgModel, judged: boolean, memos: NsgMemos): boolean {
  if (judged) {
    for (const n of normalizeRules(nsg, memos)) if (hasAmlTerm(n.source) || hasAmlTerm(n.destination)) return true;
    return false;
  }
  for (const r of nsg.rules) if (hasAmlTag(r.sourceAddresses) || hasAmlTag(r.destinationAddresses)) return true;
  return false;
}

function hasAmlTerm(terms: NormalizedRule['source']): boolean {
  if (isUnknown(terms)) return false;
  for (const t of terms) if (t.kind === 'tag' && t.base === 'AzureMachineLearning') return true;
  return false;
}

function hasAmlTag(entries: SecurityRule['sourceAddresses']): boolean {
  if (isUnknown(entries)) return false;
  for (const entry of entries) if (entryTagBase(entry) === 'AzureMachineLearning') return true;
  return false;
}

/**
 * An option read from the computes (or workspaces) that use an NSG. When they disagree, every
 * value they hold is checked; when none declares it, the user's value stands. The first element
 * whose value is known only at deployment is kept in `unknown`.
 */
function declared<E extends { key: string; name: string; span?: SourceSpan }>(
  elements: readonly E[],
  property: string,
  read: (e: E) => { value: unknown; span?: SourceSpan } | undefined,
): { values: boolean[]; origin?: OptionOrigin; unknown?: OptionUnknown } {
  // In order of first appearance (a list: there are two values at most).
  const values: boolean[] = [];
  let origin: OptionOrigin | undefined;
  let unknownIn: OptionUnknown | undefined;
  for (const e of elements) {
    const r = read(e);
    if (!r) continue;
    if (isUnknown(r.value)) {
      unknownIn ??= { element: e.name, span: r.span ?? e.span, reason: `${property}: ${r.value.unknown}` };
      continue;
    }
    if (typeof r.value !== 'boolean') continue;
    if (!values.includes(r.value)) values.push(r.value);
    origin ??= { kind: 'template', element: e.name, span: r.span ?? e.span };
  }
  return unknownIn ? { values, origin, unknown: unknownIn } : { values, origin };
}

/**
 * A workspace whose settings are not in the template (declared `existing`, say, as a module that
 * adds a compute does) stands for the one the templates declare under the same literal name,
 * when there is exactly one whose hbi flag is known.
 */
function sameNamed(w: AmlWorkspaceModel, all: readonly AmlWorkspaceModel[]): AmlWorkspaceModel {
  // Only a literal name: a name made from a parameter (`{workspaceName}`) may be any workspace.
  if (/[{}[\]$]/.test(w.name)) return w;
  const name = w.name.toLowerCase();
  const known = all.filter((x) => x !== w && x.name.toLowerCase() === name && !isUnknown(x.hbi.value));
  return known.length === 1 ? known[0] : w;
}

/**
 * A boolean option as reported, and the values to select requirements with. A value known only
 * at deployment is unknown (any value may occur) unless the user gives one, which then stands in
 * for it; known values are kept as they are (several: every one is checked).
 */
function optionFor(
  key: 'publicIp' | 'hbi',
  d: ReturnType<typeof declared>,
  settings: CheckSettings,
): { option: OptionValue<boolean | undefined>; values: OptionValues } {
  const user = settings.options[key];
  if (d.unknown) {
    if (settings.origins[key] !== undefined) {
      return {
        option: { value: user, origin: userOrigin(key, settings), unknown: d.unknown },
        values: { certain: d.values.includes(user) ? d.values : [...d.values, user], uncertain: false },
      };
    }
    return {
      option: { value: undefined, origin: { kind: 'template', element: d.unknown.element, span: d.unknown.span }, unknown: d.unknown },
      values: { certain: d.values, uncertain: true },
    };
  }
  return {
    option: d.values.length === 1 ? { value: d.values[0], origin: d.origin! } : { value: user, origin: userOrigin(key, settings) },
    values: { certain: d.values.length ? d.values : [user], uncertain: false },
  };
}

/**
 * A verdict on a requirement that may not apply (it depends on an option known only at
 * deployment): a verdict that would fail the check becomes `unknown`, naming the option; one
 * that would not is kept.
 */
function uncertainVerdict(v: RequirementVerdict, because: readonly string[], settings: CheckSettings): RequirementVerdict {
  if (!isFailure(v.verdict, settings)) return v;
  return {
    ...v,
    verdict: 'unknown',
    explanation: `Unknown: ${because.join('; ')}. If it applies: ${v.explanation}`,
    unknownBecause: [...because, ...(v.unknownBecause ?? [])],
  };
}

// ---------------------------------------------------------------------------------------------
// Re-checking after an edit

/**
 * An NSG's verdicts and findings as computed once, with each rule `origin` replaced by the rule's
 * index, so they can be handed out again with the origins of a later model (spans shift after edits).
 */
interface CachedNsg {
  readonly verdicts: readonly RequirementVerdict[];
  readonly findings: readonly RuleFinding[];
}

/**
 * Verdicts and findings of NSGs from earlier checks, for a language server that re-checks after
 * every edit: pass the same cache to each `checkModel`, and only NSGs whose inputs changed are
 * evaluated again. An entry is keyed by everything that decides its verdicts and findings (see
 * `nsgKey`); service-tag data is keyed by identity, so it must not be changed in place. An NSG
 * whose rules are the very objects of an earlier check (a reader that hands unchanged rules back,
 * as WorkspaceReader does) is looked up by their identity first and gets the very result objects it
 * got last time, without building its content key; models must therefore not be changed in place
 * either. Entries not used by a check are dropped
 * after it, so the cache holds one model's NSGs: use one cache per workspace.
 */
export class CheckCache {
  private entries = new Map<string, CachedNsg>();
  private used = new Map<string, CachedNsg>();
  /**
   * Results as handed out, by `identityKey`: an NSG made of the same rule objects as before (a
   * reader that hands unchanged rules back as the same objects, as WorkspaceReader does) gets its
   * last result again without building its content key or re-attaching origins.
   */
  private identities = new Map<string, IdentityEntry>();
  private usedIdentities = new Map<string, IdentityEntry>();
  /** How many NSGs the last check took from the cache and how many it evaluated. */
  hits = 0;
  misses = 0;

  /** @internal The result last handed out for these very rules with these inputs, if any. */
  getByIdentity(idKey: string, specs: readonly RequirementVerdict['spec'][]): CachedNsg | undefined {
    const hit = this.usedIdentities.get(idKey) ?? this.identities.get(idKey);
    if (!hit || !sameSpecs(hit.result.verdicts, specs)) return undefined;
    const entry = this.entries.get(hit.key) ?? this.used.get(hit.key);
    if (!entry) return undefined;
    this.hits++;
    this.used.set(hit.key, entry);
    this.usedIdentities.set(idKey, hit);
    return hit.result;
  }

  /** @internal */
  setByIdentity(idKey: string, value: IdentityEntry): void {
    this.usedIdentities.set(idKey, value);
  }

  /** @internal */
  begin(): void {
    this.used = new Map();
    this.usedIdentities = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /** @internal */
  get(key: string): CachedNsg | undefined {
    const hit = this.entries.get(key) ?? this.used.get(key);
    if (hit) {
      this.hits++;
      this.used.set(key, hit);
    }
    return hit;
  }

  /** @internal */
  set(key: string, value: CachedNsg): void {
    this.misses++;
    this.used.set(key, value);
  }

  /** @internal Keeps only what the check just finished used. */
  end(): void {
    this.entries = this.used;
    this.used = new Map();
    this.identities = this.usedIdentities;
    this.usedIdentities = new Map();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A result as handed out, and the content key of its cache entry. */
interface IdentityEntry {
  readonly key: string;
  readonly result: CachedNsg;
}

// Each rule object gets a number, so an NSG's rules can be keyed by identity in a few characters.
const ruleIds = new WeakMap<object, number>();
let nextRuleId = 1;

/**
 * An NSG by the identity of its rules (same objects: same values and origins, as models are never
 * changed in place), with its name, location, selection and context. Short and cheap to build.
 */
function identityKey(nsg: Nsg, selectionId: string, ctxKey: string): string {
  let key = `${stableKey(nsg.name)}|${stableKey(nsg.location)}|`;
  for (const r of nsg.rules) {
    let id = ruleIds.get(r);
    if (id === undefined) {
      id = nextRuleId++;
      ruleIds.set(r, id);
    }
    key += `${id},`;
  }
  return `${key}|${selectionId}|${ctxKey}`;
}

function sameSpecs(verdicts: readonly RequirementVerdict[], specs: readonly RequirementVerdict['spec'][]): boolean {
  if (verdicts.length !== specs.length) return false;
  for (let i = 0; i < specs.length; i++) if (verdicts[i].spec !== specs[i]) return false;
  return true;
}

/** An exact text form of plain data: distinct values give distinct keys (types, -0, NaN, absent vs undefined keys). */
function stableKey(v: unknown): string {
  switch (typeof v) {
    // Length-prefixed: no escaping needed, and no string can be mistaken for another.
    case 'string': return `${v.length}:${v}`;
    case 'number': return Object.is(v, -0) ? '-0' : `${v}`;
    case 'boolean': return v ? 'T' : 'F';
    case 'undefined': return 'U';
    case 'bigint': return `${v}n`;
    case 'object': {
      if (v === null) return 'N';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (i in v ? stableKey(v[i]) : 'H');
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      // Only plain data can be keyed exactly; anything else makes the NSG uncacheable.
      if (proto !== Object.prototype && proto !== null) throw new Uncacheable();
      const rec = v as Record<string, unknown>;
      let out = '{';
      for (const k of Object.keys(rec).sort()) out += `${k.length}:${k}=${stableKey(rec[k])},`;
      return `${out}}`;
    }
    default: throw new Uncacheable();
  }
}

class Uncacheable extends Error {}

const serviceTagsIds = new WeakMap<object, number>();
let nextServiceTagsId = 1;

function identity(data: object | undefined): string {
  if (!data) return '-';
  let id = serviceTagsIds.get(data);
  if (id === undefined) {
    id = nextServiceTagsId++;
    serviceTagsIds.set(data, id);
  }
  return String(id);
}

/** The rule properties the engine and the validator read; `origin` is left out (it is re-attached). */
const RULE_FIELDS = ['name', 'priority', 'direction', 'access', 'protocol', 'sourceAddresses', 'sourcePorts', 'destinationAddresses', 'destinationPorts'] as const;

/**
 * Everything that decides an NSG's verdicts and findings: its name, location and rules (without
 * origins), the requirements selected for it as the engine reads them, and the evaluation context.
 * Requirement specs are not in the key: verdicts get the current selection's specs back by position.
 * Undefined when some input is not plain data.
 */
function nsgKey(nsg: Nsg, selection: Selection, context: EvaluationContext): string | undefined {
  try {
    let key = `${stableKey(nsg.name)}|${stableKey(nsg.location)}|`;
    for (const r of nsg.rules) {
      key += '(';
      for (const f of RULE_FIELDS) key += `${stableKey(r[f])};`;
      key += ')';
    }
    return `${key}|${selectionKey(selection)}|${contextKey(context)}`;
  } catch (e) {
    if (e instanceof Uncacheable) return undefined;
    throw e;
  }
}

/** The evaluation context as a key (regions and prefixes are plain data; service-tag data by identity). */
function contextKey(context: EvaluationContext): string {
  return `${stableKey(context.region)}|${stableKey(context.subnetPrefixes)}|${identity(context.serviceTags)}`;
}

// NSGs with the same options share one selection (see `checkModel`), so its key is built once;
// and as it is long and the same for most NSGs, NSG keys hold a short number for it instead
// (distinct selections are few: editions times option values).
const selectionKeys = new WeakMap<Selection, string>();
const selectionIds = new Map<string, string>();

/** The selection as `evaluateSelection` reads it (specs aside: they are re-attached), as a short id. */
function selectionKey(selection: Selection): string {
  let id = selectionKeys.get(selection);
  if (id === undefined) {
    let key = `${stableKey(selection.options.region)}|`;
    for (const r of selection.applicable) {
      if (r.kind === 'service-tag') key += stableKey([r.id, r.direction, r.protocol, r.ports, r.remote]);
    }
    key += '|';
    for (const n of selection.notApplicable) {
      if (n.spec.kind === 'service-tag') key += stableKey([n.spec.id, n.spec.direction, n.because]);
    }
    id = selectionIds.get(key);
    if (id === undefined) {
      id = `s${selectionIds.size}`;
      selectionIds.set(key, id);
    }
    selectionKeys.set(selection, id);
  }
  return id;
}

/** The NSG with each rule's origin replaced by its index, so results can be re-attached to later origins. */
function indexedNsg(nsg: Nsg): Nsg {
  return { name: nsg.name, location: nsg.location, rules: nsg.rules.map((r, i) => ({ ...r, origin: i })) };
}

/** The specs of the verdicts `evaluateSelection` returns, in its order. */
function verdictSpecs(selection: Selection): RequirementVerdict['spec'][] {
  const specs: RequirementVerdict['spec'][] = [];
  for (const r of selection.applicable) if (r.kind === 'service-tag') specs.push(r.spec);
  for (const n of selection.notApplicable) if (n.spec.kind === 'service-tag') specs.push(n.spec);
  return specs;
}

/** Cached results with the current rules' origins (and the current specs) put back. */
function materialize(cached: CachedNsg, nsg: Nsg, specs: readonly RequirementVerdict['spec'][]): CachedNsg {
  const origins = nsg.rules.map((r) => r.origin);
  // One new ref per cached ref, so refs shared between rows stay shared.
  const refs = new Map<RuleRef, RuleRef>();
  const ref = (r: RuleRef): RuleRef => {
    if (typeof r.origin !== 'number') return r;
    let out = refs.get(r);
    if (!out) {
      out = { ...r, origin: origins[r.origin] };
      refs.set(r, out);
    }
    return out;
  };
  const userRef = (r: RuleRef): boolean => typeof r.origin === 'number';
  // Rows decided only by default rules carry no origin: they are handed out as they are.
  const row = (o: PortOutcome): PortOutcome => (o.decidedBy.some(userRef) ? { ...o, decidedBy: o.decidedBy.map(ref) } : o);
  const verdicts = cached.verdicts.map((v, i) => ({ ...v, breakdown: v.breakdown.map(row), decidedBy: v.decidedBy.map(ref), spec: specs[i] }));
  const findings = cached.findings.map((f) => (typeof f.origin === 'number' ? { ...f, origin: origins[f.origin] } : f));
  return { verdicts, findings };
}

/** Verdicts and findings of one NSG, evaluated. */
function judgeNsg(nsg: NsgModel, selection: Selection, context: EvaluationContext, memos: NsgMemos): CachedNsg {
  return { verdicts: evaluateSelection({ subnet: nsg }, selection, context, memos), findings: validateRules(nsg, memos) };
}

/**
 * `judgeNsg` with a cache: an NSG of the same rule objects with the same inputs takes its last
 * result back; else an NSG whose inputs are unchanged takes its cached result, with its current origins.
 */
function judgeCachedNsg(nsg: NsgModel, selection: Selection, context: EvaluationContext, cache: CheckCache, memos: NsgMemos): CachedNsg {
  let idKey: string;
  try {
    idKey = identityKey(nsg, selectionKey(selection), contextKey(context));
  } catch (e) {
    if (e instanceof Uncacheable) return judgeNsg(nsg, selection, context, memos);
    throw e;
  }
  const specs = verdictSpecs(selection);
  const same = cache.getByIdentity(idKey, specs);
  if (same) return same;
  const key = nsgKey(nsg, selection, context);
  if (key === undefined) return judgeNsg(nsg, selection, context, memos);
  let cached = cache.get(key);
  if (!cached) {
    const indexed = indexedNsg(nsg);
    cached = { verdicts: evaluateSelection({ subnet: indexed }, selection, context, memos), findings: validateRules(indexed, memos) };
    cache.set(key, cached);
  }
  const result = materialize(cached, nsg, specs);
  cache.setByIdentity(idKey, { key, result });
  return result;
}

/** What checking each NSG of a model reads: the model's lookup maps, the settings, and memos. */
interface CheckScope {
  readonly model: WorkspaceModel;
  readonly settings: CheckSettings;
  readonly cache: CheckCache | undefined;
  readonly subnetsByNsg: ReadonlyMap<string, SubnetModel[]>;
  readonly computesBySubnet: ReadonlyMap<string, AmlComputeModel[]>;
  readonly workspaces: ReadonlyMap<string, AmlWorkspaceModel>;
  readonly vnets: ReadonlyMap<string, VnetModel>;
  readonly marked: ReadonlySet<string>;
  readonly suppression: SuppressionIndex | undefined;
  /** NSGs with the same options share one selection (see `checkNsg`). */
  readonly selectionsByOptions: Map<string, UncertainSelection>;
  /** What this check works out per NSG (see NsgMemos), dropped with it. */
  readonly memos: NsgMemos;
}

/**
 * Everything the check says about one NSG. Its own function (not the body of `checkModel`'s loop)
 * so that it is optimized as soon as it is hot, within the first check of a large model.
 */
function checkNsg(nsg: NsgModel, scope: CheckScope): NsgCheck {
  const { model, settings, cache, subnetsByNsg, computesBySubnet, workspaces, vnets, marked, suppression, selectionsByOptions, memos } = scope;
  const subnets = subnetsByNsg.get(nsg.key) ?? [];
  let computes: AmlComputeModel[] = [];
  for (const s of subnets) {
    const list = computesBySubnet.get(s.key);
    if (list) computes = computes.length ? computes.concat(list) : list.slice();
  }
  const scopeReasons: string[] = [];
  for (const c of computes) scopeReasons.push(`Azure ML compute ${c.name} uses subnet ${subnets.find((s) => s.key === c.subnet?.target)?.name ?? '?'}`);
  if (hasAmlRule(nsg, cache === undefined, memos)) scopeReasons.push('it has a rule with the AzureMachineLearning service tag');
  if (nsg.marked) scopeReasons.push('it is marked in the template (amlnet-check)');
  if (marked.has(nsg.name.toLowerCase())) scopeReasons.push('it is marked in the settings');
  const inScope = settings.scope === 'all' || scopeReasons.length > 0;
  if (scopeReasons.length === 0) {
    scopeReasons.push(settings.scope === 'all'
      ? 'scope is all'
      : 'no Azure ML compute uses it, it has no AzureMachineLearning rule, and it is not marked');
  }

  // The compute's workspace, or the only workspace in the model.
  const computeWorkspaces: AmlWorkspaceModel[] = [];
  for (const c of computes) {
    const w = c.workspace?.target ? workspaces.get(c.workspace.target) : undefined;
    if (w) computeWorkspaces.push(isUnknown(w.hbi.value) ? sameNamed(w, model.workspaces) : w);
  }
  const hbiSources = computeWorkspaces.length ? computeWorkspaces : model.workspaces.length === 1 ? model.workspaces : [];

  const publicIp = optionFor('publicIp', declared(computes, 'enableNodePublicIp', (c) => c.publicIp), settings);
  const hbi = optionFor('hbi', declared(hbiSources, 'hbiWorkspace', (w) => w.hbi), settings);
  const location = nsg.location !== undefined && !isUnknown(nsg.location) ? nsg.location : undefined;
  const takenAs = location && location.kind !== 'name' && settings.options.region
    ? { takenAs: { value: settings.options.region, origin: userOrigin('region', settings) } }
    : {};
  const region: OptionValue<Region | undefined> = location
    ? { value: location, origin: { kind: 'template', element: nsg.name, span: nsg.span }, ...takenAs }
    : { value: settings.options.region ? regionNamed(settings.options.region) : undefined, origin: userOrigin('region', settings) };
  const options: NsgOptions = { publicIp: publicIp.option, hbi: hbi.option, region };

  // Computes that disagree on public IP (or workspaces on hbi) need both sets of requirements;
  // a value known only at deployment may be either (see selectRequirementsForValues).
  const regionName = region.value?.kind === 'name' ? region.value.name : settings.options.region;
  // The selection depends only on these values (selectRequirements is pure), so NSGs that share
  // them share one selection: built once, and keyed once for the cache.
  const valuesKey = (v: OptionValues) => `${v.certain.join()}${v.uncertain ? '?' : ''}`;
  const selectionMemo = `${valuesKey(publicIp.values)}|${valuesKey(hbi.values)}|${regionName === undefined ? '' : `=${regionName}`}`;
  let uncertain = selectionsByOptions.get(selectionMemo);
  if (!uncertain) {
    uncertain = selectRequirementsForValues(settings.edition, { ...settings.options, region: regionName }, { publicIp: publicIp.values, hbi: hbi.values });
    selectionsByOptions.set(selectionMemo, uncertain);
  }
  const { selection, dependsOn } = uncertain;

  let subnetPrefixes: string[] | undefined = subnets.length ? [] : undefined;
  for (const s of subnets) {
    const p = s.addressPrefixes.value;
    if (isUnknown(p)) {
      subnetPrefixes = undefined;
      break;
    }
    subnetPrefixes = subnetPrefixes!.concat(p);
  }
  // The NSG's own location, when the template names it, wins over the user's region; a symbolic
  // location takes the user's region as its value.
  const context: EvaluationContext = {
    region: location?.kind !== 'name' && settings.options.region ? regionNamed(settings.options.region) : undefined,
    subnetPrefixes,
    serviceTags: settings.serviceTags,
  };
  const judged = cache ? judgeCachedNsg(nsg, selection, context, cache, memos) : judgeNsg(nsg, selection, context, memos);
  const { findings } = judged;
  // Requirements that may not apply (an option known only at deployment decides) never fail the check.
  const verdicts = dependsOn.size === 0 ? judged.verdicts : judged.verdicts.map((v) => {
    const conditions = dependsOn.get(v.id);
    return conditions ? uncertainVerdict(v, dependsOnReasons(conditions, { publicIp: options.publicIp.unknown, hbi: options.hbi.unknown }), settings) : v;
  });
  const vnetList: VnetModel[] = [];
  for (const s of subnets) {
    const v = s.vnet ? vnets.get(s.vnet) : undefined;
    if (v && !vnetList.includes(v)) vnetList.push(v);
  }
  const suppressed = suppression && suppressedFor(suppression, nsg, verdicts, findings);
  const optionValues = publicIp.values.uncertain || hbi.values.uncertain ? { optionValues: { publicIp: publicIp.values, hbi: hbi.values } } : {};
  return { nsg, subnets, vnets: vnetList, computes, inScope, scopeReasons, options, ...optionValues, verdicts, findings, ...(suppressed ? { suppressed } : {}) };
}

/**
 * Checks every NSG of a model against the requirements that apply to it. With a cache, NSGs
 * whose inputs are unchanged since an earlier check with that cache are not evaluated again.
 */
export function checkModel(model: WorkspaceModel, settings: CheckSettings, cache?: CheckCache): CheckResult {
  cache?.begin();
  // Filled by indexed loops rather than from entry lists: no entry pair and no iterator step per
  // element (this runs once per check, mostly before the optimizing compiler has seen it).
  const subnetsByNsg = new Map<string, SubnetModel[]>();
  for (let i = 0; i < model.subnets.length; i++) {
    const s = model.subnets[i];
    const target = s.nsg?.target;
    if (!target) continue;
    const list = subnetsByNsg.get(target);
    if (list) list.push(s);
    else subnetsByNsg.set(target, [s]);
  }
  const computesBySubnet = new Map<string, AmlComputeModel[]>();
  for (let i = 0; i < model.computes.length; i++) {
    const c = model.computes[i];
    const target = c.subnet?.target;
    if (!target) continue;
    const list = computesBySubnet.get(target);
    if (list) list.push(c);
    else computesBySubnet.set(target, [c]);
  }
  const workspaces = new Map<string, AmlWorkspaceModel>();
  for (let i = 0; i < model.workspaces.length; i++) workspaces.set(model.workspaces[i].key, model.workspaces[i]);
  const vnets = new Map<string, VnetModel>();
  for (let i = 0; i < model.vnets.length; i++) vnets.set(model.vnets[i].key, model.vnets[i]);
  const marked = new Set((settings.markedNsgs ?? []).map((n) => n.toLowerCase()));

  const scope: CheckScope = {
    model, settings, cache, subnetsByNsg, computesBySubnet, workspaces, vnets, marked,
    suppression: settings.sourceText ? new SuppressionIndex(settings.sourceText) : undefined,
    selectionsByOptions: new Map<string, UncertainSelection>(),
    memos: new NsgMemos(),
  };
  const nsgs: NsgCheck[] = [];
  for (let i = 0; i < model.nsgs.length; i++) nsgs.push(checkNsg(model.nsgs[i], scope));
  cache?.end();
  const suppression = scope.suppression;
  const failing = nsgs.some((n) => n.inScope && n.verdicts.some((v) => isFailure(v.verdict, settings) && !n.suppressed?.requirements.has(v.id)));
  // Outbound traffic a route sends through a firewall must pass the firewall too.
  const firewalls = checkFirewalls(model, nsgs, settings).map((f) => {
    const suppressed = suppression && suppressedForFirewall(suppression, f);
    return suppressed ? { ...f, suppressed } : f;
  });
  const firewallFailing = firewalls.some((f) => f.inScope && f.verdicts.some((v) => isFirewallFailure(v) && !f.suppressed?.requirements.has(v.id)));
  return { edition: settings.edition, strict: settings.strict, nsgs, problems: model.problems, failing: failing || firewallFailing, firewalls };
}

/** A region for display: its name, or the expression it stands for. */
export function regionLabel(region: Region | undefined): string {
  return region ? regionText(region) : 'not known';
}
