/**
 * The Bicep reader: `.bicep` and `.bicepparam` files into the workspace model. Parses with the
 * error-tolerant parser, evaluates with `BicepProgram`, follows local modules with the params
 * passed to them, and maps resources to model elements as the ARM reader does. Never throws.
 */
import {
  addressEntry, maybeBoolean, maybeNumber, maybeString, reasonOf, regionOf, unknownRule,
} from '../arm/arm-resource-model';
import { type Maybe, unknown } from '../maybe';
import { parseResourceId } from '../model/link-model';
import type {
  AmlComputeModel, AmlWorkspaceModel, FirewallModel, Link, NicModel, NsgModel, Read, ReadProblem, RouteModel, RouteTableModel,
  RuleModel, RuleOrigin, SourceSpan, SubnetModel, VnetModel, WorkspaceModel,
} from '../model/workspace-model';
import type { AddressEntry } from '../nsg';
import { type FileHost, type ReadResult, type Reader, type SourceFile, emptyModel, joinPath } from '../read/read-workspace';
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import type { RuleProperty } from '../validate-rules';
import {
  BicepProgram, DEFAULT_BUDGET, bodyProperty, EvalSession, ModuleHandle, ResourceHandle, ResourceIdValue, type ResourceInstance, isRegistryPath, keyName, originOf,
} from './bicep-evaluator';
import { commentText, leadingComments } from './comments';
import { LineIndex } from '../text/line-index';
import { parseBicep, parseBicepParam } from './parser';
import type { BicepFile, ObjectExpression, ObjectProperty } from './syntax';

const T = {
  nsg: 'microsoft.network/networksecuritygroups',
  rule: 'microsoft.network/networksecuritygroups/securityrules',
  vnet: 'microsoft.network/virtualnetworks',
  subnet: 'microsoft.network/virtualnetworks/subnets',
  nic: 'microsoft.network/networkinterfaces',
  routeTable: 'microsoft.network/routetables',
  route: 'microsoft.network/routetables/routes',
  workspace: 'microsoft.machinelearningservices/workspaces',
  compute: 'microsoft.machinelearningservices/workspaces/computes',
  firewall: 'microsoft.network/azurefirewalls',
  policy: 'microsoft.network/firewallpolicies',
  ruleGroup: 'microsoft.network/firewallpolicies/rulecollectiongroups',
};

function isBicepParam(path: string): boolean {
  return /\.bicepparam$/i.test(path);
}

const targets = new WeakMap<SourceFile, string | undefined>();

/** The `using` target of a workspace's `.bicepparam` file, parsed once per file object. */
function targetOf(f: SourceFile): string | undefined {
  if (!targets.has(f)) targets.set(f, usingTarget(parseBicepParam(f.text), f.path));
  return targets.get(f);
}

/** The `using` target of a `.bicepparam` file, joined to its path; undefined for `using none` or none. */
function usingTarget(param: BicepFile, path: string): string | undefined {
  for (const s of param.statements) {
    if (s.kind === 'using' && s.path?.kind === 'string') return joinPath(path, s.path.value);
  }
  return undefined;
}

/** How the reader gets the tree of an entry file; a language server passes its incremental trees. */
export interface BicepReaderOptions {
  /** Returns the tree of `text` (at `path`); it must equal `parseBicep(text)`. */
  readonly parse?: (path: string, text: string) => BicepFile;
}

/** A Bicep reader; `options.parse` lets a caller reuse trees it already has (e.g. from `reparseBicep`). */
export function createBicepReader(options: BicepReaderOptions = {}): Reader {
  const parse = options.parse ?? ((_path: string, text: string) => parseBicep(text));
  return {
    accepts(file: SourceFile): boolean {
      return /\.bicep(param)?$/i.test(file.path);
    },

    read(file: SourceFile, host: FileHost, workspace: readonly SourceFile[]): ReadResult {
      try {
        return readEntry(file, host, workspace, parse);
      } catch (e) {
        const model = emptyModel();
        return { model: { ...model, problems: [{ file: file.path, severity: 'error', message: `amlnet could not read this file: ${(e as Error).message}` }] }, followed: [] };
      }
    },
  };
}

export const bicepReader: Reader = createBicepReader();

function readEntry(file: SourceFile, host: FileHost, workspace: readonly SourceFile[], parse: (path: string, text: string) => BicepFile): ReadResult {
  const textOf = (path: string): string | undefined => workspace.find((f) => f.path === path)?.text ?? host.readFile(path);
  // The step budget grows with the entry's size, so large files are evaluated, not cut short.
  const session = new EvalSession(textOf, Math.max(DEFAULT_BUDGET, file.text.length * 20));
  const problems: ReadProblem[] = [];
  if (!isBicepParam(file.path)) {
    // A template a `.bicepparam` file uses is read through it, with its values.
    const users = workspace.filter((f) => isBicepParam(f.path) && f.path !== file.path && targetOf(f) === file.path);
    if (users.length > 0) return { model: emptyModel(), followed: [] };
    const parsed = parse(file.path, file.text);
    session.files.set(file.path, parsed);
    const program = new BicepProgram(parsed, file.path, session, joinPath);
    return build(session, program, problems, []);
  }
  const paramFile = parseBicepParam(file.text);
  session.files.set(file.path, paramFile);
  const target = usingTarget(paramFile, file.path);
  if (target === undefined) {
    problems.push({ file: file.path, severity: 'info', message: 'this parameter file names no template (`using`), so there is nothing to check' });
    return { model: withProblems(emptyModel(), [...problems, ...parseProblems(session)]), followed: [] };
  }
  const template = session.file(target);
  if (template === undefined) {
    problems.push({ file: file.path, severity: 'error', message: `cannot read ${target}, the template this parameter file uses` });
    return { model: withProblems(emptyModel(), [...problems, ...parseProblems(session)]), followed: [file.path] };
  }
  const paramProgram = new BicepProgram(paramFile, file.path, session, joinPath);
  const given = new Map<string, Value>();
  for (const s of paramFile.statements) {
    if (s.kind === 'param' && s.name.kind === 'identifier') given.set(s.name.name, paramProgram.param(s.name.name));
  }
  // Two parameter files for one template: keep their elements apart.
  const users = workspace.filter((f) => isBicepParam(f.path) && targetOf(f) === target);
  const prefix = users.length > 1 ? `${file.path}>` : '';
  const program = new BicepProgram(template, target, session, joinPath, given, prefix);
  return build(session, program, problems, [file.path, target]);
}

function withProblems(model: WorkspaceModel, problems: readonly ReadProblem[]): WorkspaceModel {
  return { ...model, problems: [...model.problems, ...problems] };
}

function parseProblems(session: EvalSession): ReadProblem[] {
  const out: ReadProblem[] = [];
  for (const [path, f] of session.files) {
    if (!f) continue;
    for (const d of f.diagnostics) out.push({ file: path, span: { file: path, start: d.start, end: d.end }, severity: 'error', message: d.message });
  }
  return out;
}

// ---- the model -----------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type VnetBuild = Mutable<VnetModel> & { subnets: string[] };

class ModelBuilder {
  readonly vnets: VnetBuild[] = [];
  readonly subnets: SubnetModel[] = [];
  readonly nsgs: NsgModel[] = [];
  readonly nics: NicModel[] = [];
  readonly routeTables: RouteTableModel[] = [];
  readonly workspaces: AmlWorkspaceModel[] = [];
  readonly computes: AmlComputeModel[] = [];
  readonly firewalls: FirewallModel[] = [];
  readonly problems: ReadProblem[] = [];
  /** Child rules and routes by their parent's key, and by parent name for `nsg/rule` names. */
  readonly childRules = new Map<string, RuleModel[]>();
  readonly childRulesByName = new Map<string, RuleModel[]>();
  readonly childRoutes = new Map<string, RouteModel[]>();
  readonly childSubnets: { subnet: Mutable<SubnetModel>; vnetKey?: string; vnetName?: string }[] = [];
  readonly ruleGroups = new Map<string, FirewallModel['ruleCollections'][number][]>();
}

/** A body property of a resource copy: its value, where the value and the key are written. */
interface Prop {
  readonly value: Value | undefined;
  readonly span?: SourceSpan;
  readonly keySpan?: SourceSpan;
  readonly node?: ObjectProperty;
}

function findProperty(obj: ObjectExpression | undefined, key: string): ObjectProperty | undefined {
  if (!obj) return undefined;
  for (const m of obj.properties) if (m.kind === 'property' && keyName(m.key) === key) return m;
  return undefined;
}

class ResourceReader {
  /** Body properties read so far: `name` is read several times (parent, children, the element). */
  private readonly props = new Map<string, Prop>();

  constructor(readonly program: BicepProgram, readonly instance: ResourceInstance) {}

  prop(key: string): Prop {
    let p = this.props.get(key);
    if (p === undefined) {
      const node = findProperty(this.instance.body, key);
      // bodyProperty evaluates the first property named `key`, as findProperty finds it, once per copy.
      p = node ? { value: bodyProperty(this.instance, key), span: this.program.span(node.value), keySpan: this.program.span(node.key), node } : { value: undefined };
      // Only small values are kept: every reader of a file is alive until the file is read.
      if (key === 'name' || key === 'parent') this.props.set(key, p);
    }
    return p;
  }

  /** `properties.<key>` with the key's and the value's spans when written literally. */
  inner(props: Prop, key: string): Prop {
    const v = props.value;
    const value = isPlainObject(v ?? null) ? (v as Record<string, Value>)[findKeyCi(v as Record<string, Value>, key) ?? ''] : undefined;
    const nodeObj = props.node?.value.kind === 'object' ? props.node.value : undefined;
    const node = findProperty(nodeObj, key);
    const span = originOf(v ?? null)?.properties.get(key) ?? (node ? this.program.span(node.value) : props.span);
    return { value, span, keySpan: node ? this.program.span(node.key) : undefined, node };
  }

  get span(): SourceSpan {
    return this.program.span(this.instance.info.decl);
  }
}

function findKeyCi(obj: Record<string, Value>, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return key;
  const lower = key.toLowerCase();
  // Object.keys(obj).find(k => k.toLowerCase() === lower), without the array and without lowering
  // keys of another length (only U+0130 changes length when lowered).
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    if (k.length !== lower.length && !k.includes('\u0130')) continue;
    if (k.toLowerCase() === lower) return k;
  }
  return undefined;
}

function get(v: Value | undefined, key: string): Value | undefined {
  if (!isPlainObject(v ?? null)) return undefined;
  const k = findKeyCi(v as Record<string, Value>, key);
  return k === undefined ? undefined : (v as Record<string, Value>)[k];
}

/** How to show a value as a name: a string, or the text of what it is at deployment. */
function displayName(v: Value | undefined, fallback: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v instanceof SymbolicValue || v instanceof TemplateString) return `{${v.text}}`;
  return fallback;
}

function lastSegment(name: string): string {
  const parts = name.split('/');
  return parts[parts.length - 1];
}

function build(session: EvalSession, entry: BicepProgram, problems: ReadProblem[], followed: string[]): ReadResult {
  const b = new ModelBuilder();
  b.problems.push(...problems);
  const programs: BicepProgram[] = [entry];
  for (let i = 0; i < programs.length && i < 500; i++) {
    const p = programs[i];
    for (const decl of p.modules) {
      if (decl.path.kind !== 'string') continue;
      const ref = decl.path.value;
      if (isRegistryPath(ref)) {
        b.problems.push({ file: p.path, span: p.span(decl.path), severity: 'info', message: `not followed: ${ref} (registry and template spec modules are not read)` });
        continue;
      }
      const copies = p.moduleInstances(decl);
      if (copies instanceof UnknownValue) {
        b.problems.push({ file: p.path, span: p.span(decl), severity: 'warning', message: `module ${ref} not followed: ${copies.reason}` });
        continue;
      }
      for (const c of copies) {
        if (c.condition === false) continue;
        if (!c.program) {
          b.problems.push({ file: p.path, span: p.span(decl.path), severity: 'error', message: `cannot read the module ${joinPath(p.path, ref)}` });
          continue;
        }
        if (c.condition !== true) b.problems.push({ file: p.path, span: p.span(decl), severity: 'info', message: `module ${c.text} is read although its condition is not known: ${reasonOf(c.condition, 'the condition')}` });
        if (!followed.includes(c.program.path)) followed.push(c.program.path);
        programs.push(c.program);
      }
    }
  }
  for (const p of programs) readProgram(b, p);
  finish(b);
  for (const path of session.imports.keys()) if (!followed.includes(path)) followed.push(path);
  b.problems.push(...parseProblems(session));
  const model: WorkspaceModel = {
    vnets: b.vnets, subnets: b.subnets, nsgs: b.nsgs, nics: b.nics, routeTables: b.routeTables, workspaces: b.workspaces,
    computes: b.computes, firewalls: b.firewalls, problems: b.problems,
  };
  return { model, followed };
}

function readProgram(b: ModelBuilder, program: BicepProgram): void {
  const file = program.file;
  const readers: ResourceReader[] = [];
  for (const info of program.resources) {
    const copies = program.instances(info);
    if (copies instanceof UnknownValue) {
      if (interesting(info.type)) b.problems.push({ file: program.path, span: program.span(info.decl), severity: 'warning', message: `resource ${info.symbol}: its copies are not known (${copies.reason}); it is not checked` });
      continue;
    }
    for (const c of copies) {
      if (c.condition === false) continue;
      if (c.parentInstance && c.parentInstance.condition === false) continue;
      if (c.condition !== true && interesting(info.type)) {
        b.problems.push({ file: program.path, span: program.span(info.decl), severity: 'info', message: `resource ${c.text} is read although its condition is not known: ${reasonOf(c.condition, 'the condition')}` });
      }
      readers.push(new ResourceReader(program, c));
    }
  }
  // Children first, so their parents find them.
  for (const r of readers) readChild(b, r);
  for (const r of readers) readResource(b, r, file);
}

function interesting(type: string): boolean {
  return Object.values(T).includes(type);
}

/** The parent of a child resource: nested, or `parent: symbol`, as a key; or its name's first segment. */
function parentOf(r: ResourceReader): { key?: string; name?: string; existing?: boolean } {
  const own = r.instance.parentInstance;
  if (own) return { key: own.key, existing: own.info.existing };
  const parent = r.prop('parent').value;
  if (parent instanceof ResourceHandle) return { key: parent.instance.key, existing: parent.instance.info.existing };
  const name = r.prop('name').value;
  if (typeof name === 'string' && name.includes('/')) return { name: name.split('/').slice(0, -1).join('/') };
  return {};
}

function readChild(b: ModelBuilder, r: ResourceReader): void {
  const type = r.instance.info.type;
  if (type === T.rule) {
    const parent = parentOf(r);
    const nameProp = r.prop('name');
    const name = lastSegment(displayName(nameProp.value, r.instance.text));
    const rule = readRule(r.prop('properties'), name, nameProp.span, r.span, 'child');
    if (parent.key) push(b.childRules, parent.key, rule);
    else if (parent.name) push(b.childRulesByName, parent.name.toLowerCase(), rule);
  } else if (type === T.route) {
    const parent = parentOf(r);
    const nameProp = r.prop('name');
    const route = readRoute(r.prop('properties').value, lastSegment(displayName(nameProp.value, r.instance.text)), r.span);
    if (parent.key) push(b.childRoutes, parent.key, route);
  } else if (type === T.ruleGroup) {
    const parent = parentOf(r);
    const props = r.prop('properties');
    const list = get(props.value, 'ruleCollections');
    if (parent.key && Array.isArray(list)) {
      for (const c of list as readonly Value[]) {
        const priority = get(c, 'priority');
        push(b.ruleGroups, parent.key, { name: displayName(get(c, 'name'), '?'), priority: { value: maybeNumber(priority, 'the priority') }, kind: displayName(get(c, 'ruleCollectionType'), '?'), span: originOf(c)?.span ?? r.span, raw: c });
      }
    }
  }
}

function push<T>(map: Map<string, T[]>, key: string, v: T): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

function readResource(b: ModelBuilder, r: ResourceReader, file: BicepFile): void {
  const { info, key } = r.instance;
  const nameProp = r.prop('name');
  const name = displayName(nameProp.value, r.instance.text);
  const base = { key, name: lastSegment(name), span: r.span, nameSpan: nameProp.span };
  switch (info.type) {
    case T.nsg: {
      if (info.existing) return;
      const props = r.prop('properties');
      const rulesProp = r.inner(props, 'securityRules');
      const rules: RuleModel[] = [];
      let ruleStyle: NsgModel['ruleStyle'] = 'none';
      if (rulesProp.value !== undefined && rulesProp.value !== null) {
        ruleStyle = 'inline';
        const list = rulesProp.value;
        if (Array.isArray(list)) {
          (list as readonly Value[]).forEach((rule, i) => rules.push(inlineRule(rule, i, rulesProp.span ?? r.span)));
        } else {
          rules.push(unknownRule('securityRules', reasonOf(list, 'securityRules', 'a list'), rulesProp.span ?? r.span, 'inline'));
        }
      }
      const children = [...(b.childRules.get(key) ?? []), ...(b.childRulesByName.get(name.toLowerCase()) ?? [])];
      if (children.length > 0) {
        rules.push(...children);
        if (ruleStyle === 'none') ruleStyle = 'child';
      }
      const location = r.prop('location');
      const marked = leadingComments(file, info.decl.start).some((c) => /^amlnet-check\b/.test(commentText(file, c)));
      b.nsgs.push({
        kind: 'nsg', ...base, location: location.value === undefined ? undefined : regionOf(location.value),
        rules, ruleStyle, securityRulesSpan: rulesProp.keySpan ?? (rulesProp.value !== undefined ? rulesProp.span : undefined), marked: marked || undefined,
      });
      return;
    }
    case T.vnet: {
      const props = r.prop('properties');
      const space = get(props.value, 'addressSpace');
      const prefixes = info.existing
        ? { value: unknown(`the VNet ${name} is declared \`existing\`: its address space is in Azure`), span: r.span }
        : stringList(get(space, 'addressPrefixes'), 'the address prefixes', originOf(space ?? null)?.properties.get('addressPrefixes') ?? props.span ?? r.span);
      const vnet: VnetBuild = { kind: 'vnet', ...base, addressPrefixes: prefixes, subnets: [] };
      b.vnets.push(vnet);
      const subnets = r.inner(props, 'subnets');
      if (Array.isArray(subnets.value)) {
        (subnets.value as readonly Value[]).forEach((s, i) => {
          const sName = displayName(get(s, 'name'), `subnets[${i}]`);
          const origin = originOf(s);
          const subnet = readSubnet(`${key}/subnets/${sName}`, sName, get(s, 'properties'), origin?.span ?? subnets.span ?? r.span, origin?.properties.get('name'), key);
          b.subnets.push(subnet);
          vnet.subnets.push(subnet.key);
        });
      }
      return;
    }
    case T.subnet: {
      if (info.existing) return;
      const parent = parentOf(r);
      const props = r.prop('properties');
      const subnet = readSubnet(key, lastSegment(name), props.value, r.span, nameProp.span, parent.key) as Mutable<SubnetModel>;
      b.subnets.push(subnet);
      b.childSubnets.push({ subnet, vnetKey: parent.key, vnetName: parent.name });
      return;
    }
    case T.nic: {
      if (info.existing) return;
      const props = r.prop('properties').value;
      const configs = get(props, 'ipConfigurations');
      const subnets: Link[] = [];
      if (Array.isArray(configs)) {
        for (const c of configs as readonly Value[]) {
          const l = linkOf(get(get(c, 'properties'), 'subnet'), originOf(get(c, 'properties') ?? null)?.properties.get('subnet'));
          if (l) subnets.push(l);
        }
      }
      const nsgValue = get(props, 'networkSecurityGroup');
      b.nics.push({ kind: 'nic', ...base, nsg: linkOf(nsgValue, originOf(props ?? null)?.properties.get('networkSecurityGroup')), subnets });
      return;
    }
    case T.routeTable: {
      if (info.existing) return;
      const props = r.prop('properties').value;
      const routes: RouteModel[] = [];
      const list = get(props, 'routes');
      if (Array.isArray(list)) {
        for (const rt of list as readonly Value[]) routes.push(readRoute(get(rt, 'properties'), displayName(get(rt, 'name'), '?'), originOf(rt)?.span ?? r.span));
      }
      routes.push(...(b.childRoutes.get(key) ?? []));
      b.routeTables.push({ kind: 'route-table', ...base, routes });
      return;
    }
    case T.workspace: {
      const props = r.prop('properties');
      const hbi = r.inner(props, 'hbiWorkspace');
      const location = r.prop('location');
      b.workspaces.push({
        kind: 'aml-workspace', ...base,
        hbi: info.existing
          ? { value: unknown(`the workspace ${name} is declared \`existing\`: its settings are in Azure`), span: r.span }
          : hbi.value === undefined ? { value: false, span: r.span } : { value: maybeBoolean(hbi.value, 'hbiWorkspace'), span: hbi.span },
        location: info.existing
          ? { value: unknown(`the workspace ${name} is declared \`existing\`: its location is in Azure`), span: r.span }
          : { value: regionOf(location.value), span: location.span ?? r.span },
      });
      return;
    }
    case T.compute: {
      if (info.existing) return;
      const props = r.prop('properties');
      const computeType = r.inner(props, 'computeType');
      const innerProps = get(props.value, 'properties');
      const innerOrigin = originOf(innerProps ?? null);
      const publicIp = get(innerProps, 'enableNodePublicIp');
      const parent = parentOf(r);
      let workspace: Link | undefined;
      if (parent.key) workspace = { target: parent.key, text: parent.key.split('#').pop() ?? parent.key };
      else if (parent.name) workspace = { ref: { type: T.workspace, name: parent.name }, text: parent.name };
      b.computes.push({
        kind: 'aml-compute', ...base,
        computeType: { value: maybeString(computeType.value, 'the compute type'), span: computeType.span ?? r.span },
        workspace,
        subnet: linkOf(get(innerProps, 'subnet'), innerOrigin?.properties.get('subnet')),
        publicIp: publicIp === undefined
          ? { value: true, span: r.span }
          : { value: maybeBoolean(publicIp, 'enableNodePublicIp'), span: innerOrigin?.properties.get('enableNodePublicIp') ?? r.span },
      });
      return;
    }
    case T.firewall: case T.policy: {
      if (info.existing) return;
      const props = r.prop('properties').value;
      if (info.type === T.firewall) {
        const configs = get(props, 'ipConfigurations');
        const first = Array.isArray(configs) ? (configs as readonly Value[])[0] : undefined;
        const ip = get(get(first, 'properties'), 'privateIPAddress');
        b.firewalls.push({
          kind: 'firewall', ...base,
          privateIp: ip === undefined ? undefined : { value: maybeString(ip, 'the private IP address') },
          policy: linkOf(get(props, 'firewallPolicy'), originOf(props ?? null)?.properties.get('firewallPolicy')),
          ruleCollections: [],
        });
      } else {
        b.firewalls.push({ kind: 'firewall-policy', ...base, ruleCollections: b.ruleGroups.get(key) ?? [] });
      }
      return;
    }
    default:
      return;
  }
}

function finish(b: ModelBuilder): void {
  for (const { subnet, vnetKey, vnetName } of b.childSubnets) {
    const vnet = vnetKey ? b.vnets.find((v) => v.key === vnetKey) : vnetName ? b.vnets.find((v) => v.name.toLowerCase() === vnetName.toLowerCase()) : undefined;
    if (!vnet) continue;
    subnet.vnet = vnet.key;
    vnet.subnets.push(subnet.key);
  }
}

// ---- pieces --------------------------------------------------------------------------------

function readSubnet(key: string, name: string, props: Value | undefined, span: SourceSpan, nameSpan: SourceSpan | undefined, vnet: string | undefined): SubnetModel {
  const origin = originOf(props ?? null);
  const single = get(props, 'addressPrefix');
  const plural = get(props, 'addressPrefixes');
  const prefixSpan = origin?.properties.get(single !== undefined ? 'addressPrefix' : 'addressPrefixes') ?? span;
  let addressPrefixes: Read<readonly string[]>;
  if (single === undefined && plural === undefined) addressPrefixes = { value: unknown('no address prefix is set'), span };
  else {
    const all: Value[] = [];
    if (single !== undefined) all.push(single);
    if (Array.isArray(plural)) all.push(...(plural as readonly Value[]));
    else if (plural !== undefined) all.push(plural);
    addressPrefixes = stringList(all, 'the address prefix', prefixSpan);
  }
  const delegations: string[] = [];
  const dl = get(props, 'delegations');
  if (Array.isArray(dl)) {
    for (const d of dl as readonly Value[]) {
      const service = get(get(d, 'properties'), 'serviceName');
      delegations.push(displayName(service, displayName(get(d, 'name'), '?')));
    }
  }
  return {
    kind: 'subnet', key, name, span, nameSpan, vnet, addressPrefixes,
    nsg: linkOf(get(props, 'networkSecurityGroup'), origin?.properties.get('networkSecurityGroup')),
    routeTable: linkOf(get(props, 'routeTable'), origin?.properties.get('routeTable')),
    delegations,
  };
}

function stringList(v: Value | undefined, what: string, span: SourceSpan): Read<readonly string[]> {
  if (v === undefined || v === null) return { value: unknown(`no ${what} is set`), span };
  const list: readonly Value[] = Array.isArray(v) ? v as readonly Value[] : [v];
  const out: string[] = [];
  for (const e of list) {
    if (typeof e !== 'string') return { value: unknown(reasonOf(e, what)), span };
    if (e !== '') out.push(e);
  }
  return { value: out, span };
}

function readRoute(props: Value | undefined, name: string, span: SourceSpan): RouteModel {
  const origin = originOf(props ?? null);
  const hop = get(props, 'nextHopIpAddress');
  return {
    name, span,
    addressPrefix: { value: maybeString(get(props, 'addressPrefix'), 'the address prefix'), span: origin?.properties.get('addressPrefix') ?? span },
    nextHopType: { value: maybeString(get(props, 'nextHopType'), 'the next hop type'), span: origin?.properties.get('nextHopType') ?? span },
    nextHopIpAddress: hop === undefined ? undefined : { value: maybeString(hop, 'the next hop IP address'), span: origin?.properties.get('nextHopIpAddress') ?? span },
  };
}

/** A link from `{ id: ... }` (or an id): to an element key, by type and name, or unresolved. */
function linkOf(obj: Value | undefined, span: SourceSpan | undefined): Link | undefined {
  if (obj === undefined || obj === null) return undefined;
  const v = isPlainObject(obj) ? get(obj, 'id') : obj;
  const idSpan = originOf(obj)?.properties.get('id') ?? span;
  if (v === undefined || v === null) return undefined;
  if (v instanceof ResourceIdValue) {
    const name = typeof v.name === 'string' ? lastSegment(v.name) : undefined;
    if (v.existing) {
      if (name !== undefined) return { ref: { type: v.type, name }, text: v.text, span: idSpan };
      return { text: v.text, span: idSpan, unresolved: `${v.text} names an existing resource whose name is not known` };
    }
    return { target: v.key, text: v.text, span: idSpan };
  }
  if (v instanceof ResourceHandle || v instanceof ModuleHandle) return { text: v.text, span: idSpan, unresolved: `${v.text} is a resource, not its id` };
  if (typeof v === 'string' || v instanceof TemplateString) {
    const id = typeof v === 'string' ? v : v.text;
    const ref = parseResourceId(id);
    if (ref) return { ref, text: id, span: idSpan };
    return { text: id, span: idSpan, unresolved: typeof v === 'string' ? `'${v}' is not a resource id` : `${v.text} is only known at deployment` };
  }
  return { text: v instanceof SymbolicValue ? v.text : '?', span: idSpan, unresolved: reasonOf(v, 'the resource id') };
}

function inlineRule(rule: Value, index: number, fallback: SourceSpan): RuleModel {
  const origin = originOf(rule);
  const span = origin?.span ?? fallback;
  if (!isPlainObject(rule)) return unknownRule(`securityRules[${index}]`, reasonOf(rule, `security rule ${index + 1}`, 'an object'), span, 'inline');
  const name = displayName(get(rule, 'name'), `securityRules[${index}]`);
  const props = get(rule, 'properties');
  return readRule({ value: props, span: origin?.properties.get('properties') ?? span }, name, origin?.properties.get('name'), span, 'inline');
}

function readRule(props: Prop, name: string, nameSpan: SourceSpan | undefined, span: SourceSpan, style: RuleOrigin['style']): RuleModel {
  const v = props.value;
  if (!isPlainObject(v ?? null)) return unknownRule(name, reasonOf(v, 'the rule\'s properties', 'an object'), span, style);
  const origin = originOf(v ?? null);
  const at = (k: string): SourceSpan | undefined => origin?.properties.get(k);
  const first = (...ks: string[]): SourceSpan | undefined => {
    for (const k of ks) if (get(v, k) !== undefined) return at(k) ?? props.span;
    return undefined;
  };
  const spans: Partial<Record<RuleProperty, SourceSpan>> = {};
  const put = (k: RuleProperty, s: SourceSpan | undefined): void => {
    if (s) spans[k] = s;
  };
  put('name', nameSpan);
  put('priority', first('priority'));
  put('direction', first('direction'));
  put('access', first('access'));
  put('protocol', first('protocol'));
  put('sourceAddresses', first('sourceAddressPrefix', 'sourceAddressPrefixes', 'sourceApplicationSecurityGroups'));
  put('destinationAddresses', first('destinationAddressPrefix', 'destinationAddressPrefixes', 'destinationApplicationSecurityGroups'));
  put('sourcePorts', first('sourcePortRange', 'sourcePortRanges'));
  put('destinationPorts', first('destinationPortRange', 'destinationPortRanges'));
  return {
    name,
    priority: maybeNumber(get(v, 'priority'), 'the priority'),
    direction: maybeString(get(v, 'direction'), 'the direction'),
    access: maybeString(get(v, 'access'), 'the access'),
    protocol: maybeString(get(v, 'protocol'), 'the protocol'),
    sourceAddresses: addresses(v, 'source'),
    destinationAddresses: addresses(v, 'destination'),
    sourcePorts: ports(v, 'source'),
    destinationPorts: ports(v, 'destination'),
    origin: { span, style, properties: spans },
  };
}

function addresses(props: Value | undefined, side: 'source' | 'destination'): Maybe<readonly AddressEntry[]> {
  const single = get(props, `${side}AddressPrefix`);
  const plural = get(props, `${side}AddressPrefixes`);
  const asgs = get(props, `${side}ApplicationSecurityGroups`);
  const out: AddressEntry[] = [];
  const pluralList = Array.isArray(plural) ? plural as readonly Value[] : undefined;
  const asgList = Array.isArray(asgs) ? asgs as readonly Value[] : undefined;
  const others = (pluralList?.length ?? 0) + (asgList?.length ?? 0) > 0;
  if (single !== undefined && single !== null && !(single === '' && others)) out.push(addressEntry(single));
  if (pluralList) for (const e of pluralList) out.push(addressEntry(e));
  else if (plural !== undefined && plural !== null) out.push(unknown(reasonOf(plural, `${side}AddressPrefixes`, 'a list')));
  if (asgList) {
    for (const a of asgList) {
      const id = get(a, 'id');
      out.push({ asg: id instanceof ResourceIdValue && typeof id.name === 'string' ? id.name : displayName(id, id instanceof UnknownValue ? `? (${id.reason})` : '?') });
    }
  } else if (asgs !== undefined && asgs !== null) out.push(unknown(reasonOf(asgs, `${side}ApplicationSecurityGroups`, 'a list')));
  return out;
}

function ports(props: Value | undefined, side: 'source' | 'destination'): Maybe<readonly Maybe<string>[]> {
  const single = get(props, `${side}PortRange`);
  const plural = get(props, `${side}PortRanges`);
  const out: Maybe<string>[] = [];
  const list = Array.isArray(plural) ? plural as readonly Value[] : undefined;
  const entry = (e: Value, what: string): Maybe<string> => (typeof e === 'string' ? e : typeof e === 'number' ? String(e) : unknown(reasonOf(e, what)));
  if (single !== undefined && single !== null && !(single === '' && (list?.length ?? 0) > 0)) out.push(entry(single, `${side}PortRange`));
  if (list) for (const e of list) out.push(entry(e, `${side}PortRanges`));
  else if (plural !== undefined && plural !== null) out.push(unknown(reasonOf(plural, `${side}PortRanges`, 'a list')));
  return out;
}

/** 1-based line of an offset in a text, for messages. */
export function lineOf(text: string, offset: number): number {
  return new LineIndex(text).positionAt(offset).line + 1;
}
