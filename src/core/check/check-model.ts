import { selectRequirements } from '../catalog/catalog';
import { evaluateSelection } from '../evaluate-nsg';
import type { EvaluationContext, ServiceTagPrefixes } from '../evaluation-context';
import { isUnknown } from '../maybe';
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
import type { CatalogOptions, Edition, NotApplicable, ResolvedRequirement, Selection } from '../requirement';
import { parseAddressEntry } from '../service-tags';
import { validateRules, type RuleFinding } from '../validate-rules';
import type { RequirementVerdict } from '../verdict';
import { isFailure } from '../verdict-policy';

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
}

/** One option's value for one NSG, with its origin. */
export interface OptionValue<T> {
  readonly value: T;
  readonly origin: OptionOrigin;
}

/** The options an NSG was checked with. `region` is a name, a symbolic location, or absent. */
export interface NsgOptions {
  readonly publicIp: OptionValue<boolean>;
  readonly hbi: OptionValue<boolean>;
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
  readonly verdicts: readonly RequirementVerdict[];
  readonly findings: readonly RuleFinding[];
}

/** The check of a whole model. */
export interface CheckResult {
  readonly edition: Edition;
  readonly strict: boolean;
  readonly nsgs: readonly NsgCheck[];
  readonly problems: readonly ReadProblem[];
  /** Something in scope is blocked or partial (or, in strict mode, allowed only by default). */
  readonly failing: boolean;
}

function userOrigin(key: keyof CatalogOptions, settings: CheckSettings): OptionOrigin {
  return { kind: settings.origins[key] ?? 'default' };
}

function hasAmlRule(nsg: NsgModel): boolean {
  return nsg.rules.some((r) => [r.sourceAddresses, r.destinationAddresses].some((list) => !isUnknown(list) && list.some((e) => {
    const term = parseAddressEntry(e);
    return term.kind === 'tag' && term.base === 'AzureMachineLearning';
  })));
}

/**
 * An option read from the computes (or workspaces) that use an NSG. When they disagree, every
 * value they hold is checked; when none declares it, the user's value stands.
 */
function declared<E extends { key: string; name: string; span?: SourceSpan }>(
  elements: readonly E[],
  read: (e: E) => { value: unknown; span?: SourceSpan } | undefined,
): { values: boolean[]; origin?: OptionOrigin } {
  const values = new Set<boolean>();
  let origin: OptionOrigin | undefined;
  for (const e of elements) {
    const r = read(e);
    if (!r || typeof r.value !== 'boolean') continue;
    values.add(r.value);
    origin ??= { kind: 'template', element: e.name, span: r.span ?? e.span };
  }
  return { values: [...values], origin };
}

/** The union of the selections for several option sets: a requirement applies if it applies to any. */
function unionSelection(selections: readonly Selection[]): Selection {
  const applicable = new Map<string, ResolvedRequirement>();
  for (const s of selections) for (const r of s.applicable) if (!applicable.has(r.id)) applicable.set(r.id, r);
  const notApplicable = new Map<string, NotApplicable>();
  for (const s of selections) for (const n of s.notApplicable) if (!applicable.has(n.spec.id) && !notApplicable.has(n.spec.id)) notApplicable.set(n.spec.id, n);
  return { edition: selections[0].edition, options: selections[0].options, applicable: [...applicable.values()], notApplicable: [...notApplicable.values()] };
}

/** Checks every NSG of a model against the requirements that apply to it. */
export function checkModel(model: WorkspaceModel, settings: CheckSettings): CheckResult {
  const subnetsByNsg = new Map<string, SubnetModel[]>();
  for (const s of model.subnets) {
    const target = s.nsg?.target;
    if (!target) continue;
    const list = subnetsByNsg.get(target) ?? [];
    list.push(s);
    subnetsByNsg.set(target, list);
  }
  const computesBySubnet = new Map<string, AmlComputeModel[]>();
  for (const c of model.computes) {
    const target = c.subnet?.target;
    if (!target) continue;
    const list = computesBySubnet.get(target) ?? [];
    list.push(c);
    computesBySubnet.set(target, list);
  }
  const workspaces = new Map<string, AmlWorkspaceModel>(model.workspaces.map((w) => [w.key, w]));
  const vnets = new Map<string, VnetModel>(model.vnets.map((v) => [v.key, v]));
  const marked = new Set((settings.markedNsgs ?? []).map((n) => n.toLowerCase()));

  const nsgs: NsgCheck[] = [];
  for (const nsg of model.nsgs) {
    const subnets = subnetsByNsg.get(nsg.key) ?? [];
    const computes = subnets.flatMap((s) => computesBySubnet.get(s.key) ?? []);
    const scopeReasons: string[] = [];
    for (const c of computes) scopeReasons.push(`Azure ML compute ${c.name} uses subnet ${subnets.find((s) => s.key === c.subnet?.target)?.name ?? '?'}`);
    if (hasAmlRule(nsg)) scopeReasons.push('it has a rule with the AzureMachineLearning service tag');
    if (nsg.marked) scopeReasons.push('it is marked in the template (amlnet-check)');
    if (marked.has(nsg.name.toLowerCase())) scopeReasons.push('it is marked in the settings');
    const inScope = settings.scope === 'all' || scopeReasons.length > 0;
    if (scopeReasons.length === 0) {
      scopeReasons.push(settings.scope === 'all'
        ? 'scope is all'
        : 'no Azure ML compute uses it, it has no AzureMachineLearning rule, and it is not marked');
    }

    // The compute's workspace, or the only workspace in the model.
    const computeWorkspaces = computes
      .map((c) => (c.workspace?.target ? workspaces.get(c.workspace.target) : undefined))
      .filter((w): w is AmlWorkspaceModel => w !== undefined);
    const hbiSources = computeWorkspaces.length ? computeWorkspaces : model.workspaces.length === 1 ? model.workspaces : [];

    const publicIp = declared(computes, (c) => ({ value: isUnknown(c.publicIp.value) ? undefined : c.publicIp.value, span: c.publicIp.span }));
    const hbi = declared(hbiSources, (w) => ({ value: isUnknown(w.hbi.value) ? undefined : w.hbi.value, span: w.hbi.span }));
    const location = nsg.location !== undefined && !isUnknown(nsg.location) ? nsg.location : undefined;
    const region: OptionValue<Region | undefined> = location
      ? { value: location, origin: { kind: 'template', element: nsg.name, span: nsg.span } }
      : { value: settings.options.region ? regionNamed(settings.options.region) : undefined, origin: userOrigin('region', settings) };
    const options: NsgOptions = {
      publicIp: publicIp.values.length === 1
        ? { value: publicIp.values[0], origin: publicIp.origin! }
        : { value: settings.options.publicIp, origin: userOrigin('publicIp', settings) },
      hbi: hbi.values.length === 1
        ? { value: hbi.values[0], origin: hbi.origin! }
        : { value: settings.options.hbi, origin: userOrigin('hbi', settings) },
      region,
    };

    // Computes that disagree on public IP (or workspaces on hbi) need both sets of requirements.
    const publicIps = publicIp.values.length ? publicIp.values : [settings.options.publicIp];
    const hbis = hbi.values.length ? hbi.values : [settings.options.hbi];
    const regionName = region.value?.kind === 'name' ? region.value.name : settings.options.region;
    const selections: Selection[] = [];
    for (const p of publicIps) for (const h of hbis) {
      selections.push(selectRequirements(settings.edition, { ...settings.options, publicIp: p, hbi: h, region: regionName }));
    }
    const selection = selections.length === 1 ? selections[0] : unionSelection(selections);

    const prefixes = subnets.map((s) => s.addressPrefixes.value);
    const subnetPrefixes = prefixes.length > 0 && prefixes.every((p) => !isUnknown(p)) ? (prefixes as string[][]).flat() : undefined;
    // The NSG's own location, when the template names it, wins over the user's region; a symbolic
    // location takes the user's region as its value.
    const context: EvaluationContext = {
      region: location?.kind !== 'name' && settings.options.region ? regionNamed(settings.options.region) : undefined,
      subnetPrefixes,
      serviceTags: settings.serviceTags,
    };
    const verdicts = evaluateSelection({ subnet: nsg }, selection, context);
    const vnetList = [...new Set(subnets.map((s) => s.vnet).filter((k): k is string => !!k))]
      .map((k) => vnets.get(k))
      .filter((v): v is VnetModel => v !== undefined);
    nsgs.push({ nsg, subnets, vnets: vnetList, computes, inScope, scopeReasons, options, verdicts, findings: validateRules(nsg) });
  }
  const failing = nsgs.some((n) => n.inScope && n.verdicts.some((v) => isFailure(v.verdict, settings)));
  return { edition: settings.edition, strict: settings.strict, nsgs, problems: model.problems, failing };
}

/** A region for display: its name, or the expression it stands for. */
export function regionLabel(region: Region | undefined): string {
  return region ? regionText(region) : 'not known';
}
