import edition202209 from './editions/2022-09.json';
import edition202502 from './editions/2025-02.json';
import { normalizeRegionName } from '../region';
import type {
  BooleanOption,
  CatalogOptions,
  Condition,
  Edition,
  NotApplicable,
  RequirementSpec,
  ResolvedRequirement,
  Selection,
} from '../requirement';

/** The edition used when neither the user nor `.amlnet.json` picks one. */
export const DEFAULT_EDITION = '2022-09';

// The JSON files are checked against the `Edition` shape by the catalog tests (and the config
// schema), so the cast only narrows string fields to their literal unions.
const BUILT_IN: readonly Edition[] = [edition202209 as Edition, edition202502 as Edition];

/** The editions shipped with amlnet, oldest first. */
export const BUILT_IN_EDITIONS: readonly Edition[] = BUILT_IN;

/** Every requirement id of every built-in edition: custom requirements may not reuse them. */
export const BUILT_IN_IDS: ReadonlySet<string> = new Set(BUILT_IN.flatMap((e) => e.requirements.map((r) => r.id)));

/**
 * A user edition (`.amlnet.json` "editions"): another edition with requirements removed,
 * replaced (same id, new content) and added, applied in that order.
 */
export interface EditionExtension {
  readonly extends: string;
  readonly title?: string;
  readonly description?: string;
  readonly docs?: string;
  readonly notes?: readonly string[];
  readonly add?: readonly RequirementSpec[];
  readonly remove?: readonly string[];
  readonly replace?: readonly RequirementSpec[];
}

/** User editions by name. */
export type CustomEditions = Readonly<Record<string, EditionExtension>>;

/** Whether `name` is one of the editions shipped with amlnet. */
export function isBuiltInEdition(name: string): boolean {
  return BUILT_IN.some((e) => e.name === name);
}

/** The names of the built-in and user editions, built-in first. */
export function editionNames(custom: CustomEditions = {}): string[] {
  return [...BUILT_IN.map((e) => e.name), ...Object.keys(custom).filter((n) => !isBuiltInEdition(n))];
}

/** Every edition: the built-in ones, then the user's (resolved against their bases). */
export function listEditions(custom: CustomEditions = {}): readonly Edition[] {
  return editionNames(custom).map((n) => getEdition(n, custom));
}

/** The edition named `name`; throws an error listing the known names when there is none. */
export function getEdition(name: string, custom: CustomEditions = {}): Edition {
  return resolve(name, custom, []);
}

function resolve(name: string, custom: CustomEditions, chain: readonly string[]): Edition {
  const builtIn = BUILT_IN.find((e) => e.name === name);
  if (builtIn) return builtIn;
  const ext = Object.prototype.hasOwnProperty.call(custom, name) ? custom[name] : undefined;
  if (!ext) {
    const known = editionNames(custom).map((n) => (n === DEFAULT_EDITION ? `${n} (default)` : n)).join(', ');
    const via = chain.length > 0 ? ` (extended by "${chain[chain.length - 1]}")` : '';
    throw new Error(`unknown edition "${name}"${via}; known editions: ${known}`);
  }
  if (chain.includes(name)) throw new Error(`editions extend each other in a cycle: ${[...chain, name].join(' -> ')}`);
  return extendEdition(resolve(ext.extends, custom, [...chain, name]), name, ext);
}

/** `base` with the extension's remove, replace and add applied; throws on an id that does not fit. */
export function extendEdition(base: Edition, name: string, ext: EditionExtension): Edition {
  const removed = new Set(ext.remove ?? []);
  for (const id of removed) {
    if (!base.requirements.some((r) => r.id === id)) throw new Error(`edition "${name}" removes "${id}", which edition "${base.name}" does not have`);
  }
  const replacements = new Map((ext.replace ?? []).map((r) => [r.id, r]));
  let requirements = base.requirements.filter((r) => !removed.has(r.id));
  for (const id of replacements.keys()) {
    if (!requirements.some((r) => r.id === id)) throw new Error(`edition "${name}" replaces "${id}", which edition "${base.name}" does not have`);
  }
  requirements = requirements.map((r) => replacements.get(r.id) ?? r);
  requirements = addTo(requirements, ext.add ?? [], `edition "${name}"`);
  const parts = [
    ext.add?.length ? `adds ${ext.add.map((r) => r.id).join(', ')}` : '',
    ext.remove?.length ? `removes ${ext.remove.join(', ')}` : '',
    ext.replace?.length ? `replaces ${ext.replace.map((r) => r.id).join(', ')}` : '',
  ].filter((p) => p !== '');
  const summary = `Extends ${base.name}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}.`;
  return {
    name,
    title: ext.title ?? `${name} (extends ${base.name})`,
    description: ext.description !== undefined ? `${ext.description} (${summary})` : summary,
    docs: ext.docs ?? base.docs,
    notes: [...(base.notes ?? []), ...(ext.notes ?? [])],
    extends: base.name,
    requirements,
  };
}

/** `edition` with extra (custom) requirements appended; throws when an id is already taken. */
export function withRequirements(edition: Edition, extra: readonly RequirementSpec[]): Edition {
  if (extra.length === 0) return edition;
  return { ...edition, requirements: addTo(edition.requirements, extra, 'custom requirements') };
}

function addTo(existing: readonly RequirementSpec[], extra: readonly RequirementSpec[], what: string): RequirementSpec[] {
  const ids = new Set(existing.map((r) => r.id));
  for (const r of extra) {
    if (ids.has(r.id)) throw new Error(`${what}: requirement id "${r.id}" is already taken`);
    ids.add(r.id);
  }
  return [...existing, ...extra];
}

/**
 * The options assumed when the user sets none. They describe the common, simplest deployment so
 * that the default answer is the doc's main table: computes with a public IP (the doc's default,
 * and the inbound rows it lists first), no hbi workspace, the public cloud, no storage firewall,
 * AKS, VS Code, RStudio or private endpoints, Azure Monitor reached publicly, and conda and pip
 * because AML's default environments install packages with both.
 */
export function defaultOptions(): CatalogOptions {
  return {
    publicIp: true,
    hbi: false,
    cloud: 'AzureCloud',
    region: undefined,
    storageFirewall: false,
    aks: false,
    vscode: false,
    rstudio: false,
    privateEndpoints: false,
    monitorPrivateLink: false,
    packages: ['conda', 'pip'],
  };
}

/** What each boolean option means when a requirement needs it on (true) or off (false). */
const BOOLEAN_PHRASES: Readonly<Record<BooleanOption, { readonly on: string; readonly off: string }>> = {
  publicIp: { on: 'only for computes with a public IP', off: 'only for computes with No Public IP' },
  hbi: { on: 'only for an hbi workspace', off: 'only for a workspace without hbi' },
  storageFirewall: {
    on: 'only with a firewall between the VNet and the storage private endpoints',
    off: 'only without a firewall between the VNet and the storage private endpoints',
  },
  aks: { on: 'only when AKS is used with the workspace', off: 'only when AKS is not used' },
  vscode: { on: 'only when VS Code connects to compute instances', off: 'only when VS Code is not used' },
  rstudio: { on: 'only for RStudio on compute instances', off: 'only when RStudio is not used' },
  privateEndpoints: {
    on: 'only when private endpoints exist in this or a peered VNet',
    off: 'only when no private endpoints exist in this or a peered VNet',
  },
  monitorPrivateLink: {
    on: 'only when Azure Monitor is secured behind private link',
    off: 'only when Azure Monitor is not secured behind private link',
  },
};

/** One condition in words, e.g. "only for an hbi workspace" or "not in AzureChinaCloud". */
export function describeCondition(condition: Condition): string {
  switch (condition.option) {
    case 'cloud': {
      const parts: string[] = [];
      if (condition.in) parts.push(`only in ${condition.in.join(' or ')}`);
      if (condition.notIn) parts.push(`not in ${condition.notIn.join(' or ')}`);
      return parts.join(' and ');
    }
    case 'packages':
      return `only when package source ${condition.includes} is used`;
    default: {
      const phrases = BOOLEAN_PHRASES[condition.option];
      return condition.is ? phrases.on : phrases.off;
    }
  }
}

/** A requirement's conditions in words for display; "always" when it has none. */
export function describeConditions(when: readonly Condition[] | undefined): string {
  if (!when || when.length === 0) return 'always';
  return when.map(describeCondition).join('; ');
}

/** Whether the options satisfy one condition. */
export function conditionHolds(condition: Condition, options: CatalogOptions): boolean {
  switch (condition.option) {
    case 'cloud':
      return (!condition.in || condition.in.includes(options.cloud)) && !(condition.notIn ?? []).includes(options.cloud);
    case 'packages':
      return options.packages.includes(condition.includes);
    default:
      return options[condition.option] === condition.is;
  }
}

function optionValueText(condition: Condition, options: CatalogOptions): string {
  switch (condition.option) {
    case 'cloud':
      return `option cloud is ${options.cloud}`;
    case 'packages':
      return options.packages.length > 0 ? `option packages is ${options.packages.join(', ')}` : 'option packages is empty';
    default:
      return `option ${condition.option} is ${options[condition.option] ? 'on' : 'off'}`;
  }
}

/**
 * Why the options rule a requirement out: one sentence per failing condition, naming the option,
 * e.g. "only for an hbi workspace (option hbi is off)". Empty when every condition holds.
 */
export function failingConditions(when: readonly Condition[] | undefined, options: CatalogOptions): string[] {
  return (when ?? []).filter((c) => !conditionHolds(c, options)).map((c) => `${describeCondition(c)} (${optionValueText(c, options)})`);
}

/** `<region>` in a host filled with the region, when it is known. */
export function fillRegion(host: string, region: string | undefined): string {
  return region ? host.split('<region>').join(normalizeRegionName(region)) : host;
}

/** Ports of `base` followed by those of `extra` not already there, in order. */
function mergePorts(base: readonly string[], extra: readonly string[]): string[] {
  const out = [...base];
  for (const p of extra) if (!out.includes(p)) out.push(p);
  return out;
}

/** The requirements of `edition` that apply with `options`, and the ones they rule out with the reason. */
export function selectRequirements(edition: Edition, options: CatalogOptions): Selection {
  const applicable: ResolvedRequirement[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const spec of edition.requirements) {
    const failing = failingConditions(spec.when, options);
    if (failing.length > 0) {
      notApplicable.push({ spec, because: failing.join('; ') });
      continue;
    }
    if (spec.kind === 'service-tag') {
      let ports: readonly string[] = spec.ports;
      for (const cp of spec.conditionalPorts ?? []) {
        if (cp.when.every((c) => conditionHolds(c, options))) ports = mergePorts(ports, cp.ports);
      }
      applicable.push({ kind: 'service-tag', id: spec.id, direction: spec.direction, protocol: spec.protocol, ports, remote: spec.remote, spec });
    } else {
      applicable.push({ kind: 'host', id: spec.id, host: fillRegion(spec.host, options.region), protocol: spec.protocol, ports: spec.ports, spec });
    }
  }
  return { edition, options, applicable, notApplicable };
}

/**
 * What is known of one boolean option when several elements declare it (the computes on an NSG's
 * subnets, their workspaces): the values that certainly occur, and whether some element's value
 * is known only at deployment (so any value may occur).
 */
export interface OptionValues {
  readonly certain: readonly boolean[];
  readonly uncertain: boolean;
}

/** A selection for option values that are partly unknown, and the requirements whose applicability depends on them. */
export interface UncertainSelection {
  readonly selection: Selection;
  /**
   * Requirements that apply for some possible values of the uncertain options but not for the
   * values known to occur, with the conditions that decide it (the options they name are uncertain).
   */
  readonly dependsOn: ReadonlyMap<string, readonly Condition[]>;
}

/**
 * The requirements for every possible value of the given boolean options (the union: a
 * requirement applies if it applies to any), other options as in `options`. A requirement
 * applies for certain when each of its conditions on these options holds for a value known to
 * occur; otherwise, if it applies for some possible value, it is listed in `dependsOn`.
 * An option with no certain value is taken as uncertain. Ports that depend on these options are those
 * of the first possible combination where the requirement applies.
 */
export function selectRequirementsForValues(
  edition: Edition,
  options: CatalogOptions,
  values: Partial<Record<BooleanOption, OptionValues>>,
): UncertainSelection {
  const keys = Object.keys(values) as BooleanOption[];
  let combos: CatalogOptions[] = [options];
  for (const k of keys) {
    const v = values[k]!;
    const possible = v.uncertain || v.certain.length === 0 ? [true, false] : v.certain;
    combos = combos.flatMap((o) => possible.map((p) => ({ ...o, [k]: p })));
  }
  const selections = combos.map((o) => selectRequirements(edition, o));
  const selection = selections.length === 1 ? selections[0] : unionSelection(selections);
  const dependsOn = new Map<string, readonly Condition[]>();
  for (const r of selection.applicable) {
    const deciding = (r.spec.when ?? []).filter((c) => c.option in values && 'is' in c && !values[c.option as BooleanOption]!.certain.includes(c.is));
    if (deciding.length > 0) dependsOn.set(r.id, deciding);
  }
  return { selection, dependsOn };
}

/**
 * Why a requirement may not apply: each condition on an option known only at deployment, in
 * words, with the element that leaves it open and why ("it applies only for computes with a
 * public IP, and cluster does not tell (enableNodePublicIp: ...)").
 */
export function dependsOnReasons(
  conditions: readonly Condition[],
  unknownIn: Partial<Record<BooleanOption, { readonly element: string; readonly reason: string } | undefined>>,
): string[] {
  return conditions.map((c) => {
    const u = c.option !== 'cloud' && c.option !== 'packages' ? unknownIn[c.option] : undefined;
    return u ? `it applies ${describeCondition(c)}, and ${u.element} does not tell (${u.reason})` : `it applies ${describeCondition(c)}`;
  });
}

/** The union of the selections for several option sets: a requirement applies if it applies to any. */
export function unionSelection(selections: readonly Selection[]): Selection {
  const applicable = new Map<string, ResolvedRequirement>();
  for (const s of selections) for (const r of s.applicable) if (!applicable.has(r.id)) applicable.set(r.id, r);
  const notApplicable = new Map<string, NotApplicable>();
  for (const s of selections) for (const n of s.notApplicable) if (!applicable.has(n.spec.id) && !notApplicable.has(n.spec.id)) notApplicable.set(n.spec.id, n);
  return { edition: selections[0].edition, options: selections[0].options, applicable: [...applicable.values()], notApplicable: [...notApplicable.values()] };
}

/**
 * The stable id of a host requirement: `aml-host-` and the host lower-cased, `*` spelled
 * `wildcard`, every other run of non-alphanumerics one `-` (`*.anaconda.com` →
 * `aml-host-wildcard-anaconda-com`).
 */
export function hostRequirementId(host: string): string {
  const slug = host.toLowerCase().replace(/\*/g, '-wildcard-').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `aml-host-${slug}`;
}
