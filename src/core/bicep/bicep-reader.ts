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
  BicepProgram, DEFAULT_BUDGET, bodyProperty, EvalSession, ModuleHandle, ResourceHandle, ResourceIdValue, type ResourceInfo, type ResourceInstance, isRegistryPath, keyName, originOf,
} from './bicep-evaluator';
import { commentText, leadingComments } from './comments';
import { LineIndex } from '../text/line-index';
import { parseBicep, parseBicepParam, reparseBicep } from './parser';
import type { BicepFile, ObjectExpression, ObjectProperty, ResourceDeclaration, Statement } from './syntax';
import { keyRange } from './walk';
import { type SpanBounds, SpanShifter, TouchesEdit, declaredNames, editableKind, fingerprint, sameTree, spanBounds, usageOf } from './bicep-incremental';

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

function readEntry(file: SourceFile, host: FileHost, workspace: readonly SourceFile[], parse: (path: string, text: string) => BicepFile, keep?: (state: EntryState) => void): ReadResult {
  // Every other file read (modules, imports), with the text it had: a kept state is valid while they are unchanged.
  const reads = new Map<string, string | undefined>();
  const textOf = (path: string): string | undefined => {
    const text = workspace.find((f) => f.path === path)?.text ?? host.readFile(path);
    reads.set(path, text);
    return text;
  };
  // The step budget grows with the entry's size, so large files are evaluated, not cut short.
  const session = new EvalSession(textOf, budgetFor(file.text));
  const problems: ReadProblem[] = [];
  if (!isBicepParam(file.path)) {
    // A template a `.bicepparam` file uses is read through it, with its values.
    const users = workspace.filter((f) => isBicepParam(f.path) && f.path !== file.path && targetOf(f) === file.path);
    if (users.length > 0) return { model: emptyModel(), followed: [] };
    const parsed = parse(file.path, file.text);
    session.files.set(file.path, parsed);
    const program = new BicepProgram(parsed, file.path, session, joinPath);
    if (!keep) return build(session, program, problems, []);
    const built = buildEntry(session, program, problems, [], true);
    const result = { model: assembleEntry(built, entryParseProblems(file.path, parsed)), followed: [...built.followed] };
    // Kept for the next read only when no evaluation was cut short (then a part's value does not
    // depend on the order statements are read in).
    if (session.limits === 0 && built.entryFirst) {
      const interfaces = interfacesOf(program, undefined, undefined);
      const budget = budgetFor(file.text);
      if (session.limits === 0) keep({ text: file.text, statements: parsed.statements, built, interfaces, used: budget - session.budget.left, budget, reads });
    }
    return result;
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
  /** Each NSG's full name in lower case, for child rules named `nsg/rule`. */
  readonly nsgNames = new Map<NsgModel, string>();
  /** Keys of the `existing` workspaces of a known name and no `scope` of their own (see `assemble`). */
  readonly existingWorkspaces = new Set<string>();
}

/** A body property of a resource copy: its value, where the value is written, and its property node when written literally. */
interface Prop {
  readonly value: Value | undefined;
  readonly span?: SourceSpan;
  readonly node?: ObjectProperty;
}

function findProperty(obj: ObjectExpression | undefined, key: string): ObjectProperty | undefined {
  if (!obj) return undefined;
  for (const m of obj.properties) if (m.kind === 'property' && keyName(m.key) === key) return m;
  return undefined;
}

class ResourceReader {
  // `name` and `parent` as read so far: `name` is read several times (parent, children, the
  // element). Only these small values are kept: every reader of a file is alive until the file is read.
  private nameProp: Prop | undefined = undefined;
  private parentProp: Prop | undefined = undefined;

  constructor(readonly program: BicepProgram, readonly instance: ResourceInstance) {}

  prop(key: string): Prop {
    if (key === 'name') return this.nameProp ??= this.readProp(key);
    if (key === 'parent') return this.parentProp ??= this.readProp(key);
    return this.readProp(key);
  }

  private readProp(key: string): Prop {
    const node = findProperty(this.instance.body, key);
    // bodyProperty evaluates the first property named `key`, as findProperty finds it, once per copy.
    return node ? { value: bodyProperty(this.instance, key, true), span: this.program.span(node.value), node } : { value: undefined };
  }

  /** `properties.<key>`, with the value's span and the property node when written literally. */
  inner(props: Prop, key: string): Prop {
    const v = props.value;
    const value = isPlainObject(v ?? null) ? (v as Record<string, Value>)[findKeyCi(v as Record<string, Value>, key) ?? ''] : undefined;
    const nodeObj = props.node?.value.kind === 'object' ? props.node.value : undefined;
    const node = findProperty(nodeObj, key);
    const span = originOf(v ?? null)?.property(key) ?? (node ? this.program.span(node.value) : props.span);
    return { value, span, node };
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
  // A template string's text already braces its symbolic parts: `nsg-{toLower(prefix)}`.
  if (v instanceof TemplateString) return v.text;
  if (v instanceof SymbolicValue) return `{${v.text}}`;
  return fallback;
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

// ---- reading a program: parts per statement, then put together -------------------------------
//
// What each top-level statement of the entry file adds to the model is kept apart (a `Part`), and
// the parts are put together by `assemble`, which adds child resources to their parents (rules to
// NSGs, routes to route tables, rule collection groups to policies, subnets to VNets). The
// incremental reader keeps the parts between reads and evaluates again only the statements an
// edit touched (see `readIncrementally`).

/** What one top-level statement of the entry file, or one whole module program, adds to the model. */
type Part = ModelBuilder;

/** The parts of one read, before they are put together. */
interface BuiltEntry {
  /** The entry's own problems, then those of the module walk. */
  readonly head: readonly ReadProblem[];
  /** The entry program's part per top-level statement (undefined for statements that add nothing), or one part for all. */
  readonly parts: readonly (Part | undefined)[];
  /** One part per module program followed, in the order read. */
  readonly modules: readonly Part[];
  /** Parse problems of the files read other than the entry, in the order read. */
  readonly otherParse: readonly ReadProblem[];
  /** Whether the entry's file was the first the session read (then its parse problems come before `otherParse`). */
  readonly entryFirst: boolean;
  readonly followed: readonly string[];
}

function build(session: EvalSession, entry: BicepProgram, problems: ReadProblem[], followed: string[]): ReadResult {
  const built = buildEntry(session, entry, problems, followed);
  return { model: assembleEntry(built, entryParseProblems(entry.path, entry.file)), followed: built.followed as string[] };
}

/** Reads an entry program with its modules; `perStatement` keeps the entry's statements' parts apart (for the incremental reader). */
function buildEntry(session: EvalSession, entry: BicepProgram, problems: readonly ReadProblem[], followed: string[], perStatement = false): BuiltEntry {
  const head: ReadProblem[] = [...problems];
  const programs: BicepProgram[] = [entry];
  for (let i = 0; i < programs.length && i < 500; i++) {
    const p = programs[i];
    for (const decl of p.modules) {
      if (decl.path.kind !== 'string') continue;
      const ref = decl.path.value;
      if (isRegistryPath(ref)) {
        head.push({ file: p.path, span: p.span(decl.path), severity: 'info', message: `not followed: ${ref} (registry and template spec modules are not read)` });
        continue;
      }
      const copies = p.moduleInstances(decl);
      if (copies instanceof UnknownValue) {
        head.push({ file: p.path, span: p.span(decl), severity: 'warning', message: `module ${ref} not followed: ${copies.reason}` });
        continue;
      }
      for (const c of copies) {
        if (c.condition === false) continue;
        if (!c.program) {
          head.push({ file: p.path, span: p.span(decl.path), severity: 'error', message: `cannot read the module ${joinPath(p.path, ref)}` });
          continue;
        }
        if (c.condition !== true) head.push({ file: p.path, span: p.span(decl), severity: 'info', message: `module ${c.text} is read although its condition is not known: ${reasonOf(c.condition, 'the condition')}` });
        if (!followed.includes(c.program.path)) followed.push(c.program.path);
        programs.push(c.program);
      }
    }
  }
  const parts = readStatements(entry, undefined, !perStatement);
  const modules = programs.slice(1).map((p) => readStatements(p, undefined, true)[0] as Part);
  for (const path of session.imports.keys()) if (!followed.includes(path)) followed.push(path);
  // The entry's own parse problems come first when its file was the first read (a `.bicep` entry).
  const first = session.files.keys().next().value;
  const entryFirst = first === entry.path && session.files.get(first) === entry.file;
  const otherParse = parseProblems(session).filter((p) => !entryFirst || p.file !== entry.path);
  return { head, parts, modules, otherParse: entryFirst ? otherParse : parseProblems(session), entryFirst, followed };
}

/** The parse problems of the entry's own file. */
function entryParseProblems(path: string, file: BicepFile): ReadProblem[] {
  return file.diagnostics.map((d) => ({ file: path, span: { file: path, start: d.start, end: d.end }, severity: 'error' as const, message: d.message }));
}

function assembleEntry(built: BuiltEntry, entryParse: readonly ReadProblem[]): WorkspaceModel {
  const entryParts: Part[] = [];
  for (const p of built.parts) if (p) entryParts.push(p);
  return assemble(built.head, [entryParts, ...built.modules.map((m) => [m])], built.entryFirst ? [...entryParse, ...built.otherParse] : built.otherParse);
}

function rootDecl(info: ResourceInfo): ResourceDeclaration {
  let i = info;
  while (i.parent) i = i.parent;
  return i.decl;
}

/**
 * Reads a program's resources: per top-level statement (aligned with the file's statements), or
 * as one part (`whole`); `only` limits it to some statements. Copies are worked out for every
 * resource first, then children are read, then the resources, as a whole read does.
 */
function readStatements(program: BicepProgram, only: ReadonlySet<Statement> | undefined, whole = false): (Part | undefined)[] {
  const file = program.file;
  const index = whole ? undefined : new Map<Statement, number>();
  if (index) file.statements.forEach((s, i) => index.set(s, i));
  const parts: (Part | undefined)[] = whole ? [new ModelBuilder()] : new Array<Part | undefined>(file.statements.length).fill(undefined);
  const partOf = (decl: ResourceDeclaration): Part => {
    const i = index === undefined ? 0 : index.get(decl) ?? -1;
    return parts[i] ??= new ModelBuilder();
  };
  const readers: { b: Part; r: ResourceReader }[] = [];
  for (const info of program.resources) {
    const root = rootDecl(info);
    if (only && !only.has(root)) continue;
    const b = partOf(root);
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
      readers.push({ b, r: new ResourceReader(program, c) });
    }
  }
  // Children first, so their parents find them.
  const scratch = new RuleScratch();
  for (const { b, r } of readers) readChild(b, r, scratch);
  for (const { b, r } of readers) readResource(b, r, file, scratch);
  if (whole) parts[0] ??= new ModelBuilder();
  return parts;
}

function appendAll<T>(into: Map<string, T[]>, from: ReadonlyMap<string, readonly T[]>): void {
  for (const [k, list] of from) {
    const to = into.get(k);
    if (to) to.push(...list);
    else into.set(k, [...list]);
  }
}

/**
 * Puts parts together into one model: `programs` in the order read, each a list of parts. Each
 * program's NSGs, route tables and policies get the children read so far (its own and earlier
 * programs'); then child subnets join their VNets. Parts are not changed (they may be kept).
 */
function assemble(head: readonly ReadProblem[], programs: readonly (readonly Part[])[], tail: readonly ReadProblem[]): WorkspaceModel {
  const out = { vnets: [] as VnetBuild[], subnets: [] as SubnetModel[], nsgs: [] as NsgModel[], nics: [] as NicModel[], routeTables: [] as RouteTableModel[], workspaces: [] as AmlWorkspaceModel[], computes: [] as AmlComputeModel[], firewalls: [] as FirewallModel[], problems: [...head] };
  const rules = new Map<string, RuleModel[]>();
  const rulesByName = new Map<string, RuleModel[]>();
  const routes = new Map<string, RouteModel[]>();
  const groups = new Map<string, FirewallModel['ruleCollections'][number][]>();
  const childSubnets: { subnet: Mutable<SubnetModel>; vnetKey?: string; vnetName?: string }[] = [];
  const existingWorkspaces = new Set<string>();
  for (const parts of programs) {
    for (const part of parts) {
      for (const p of part.problems) out.problems.push(p);
      for (const k of part.existingWorkspaces) existingWorkspaces.add(k);
      appendAll(rules, part.childRules);
      appendAll(rulesByName, part.childRulesByName);
      appendAll(routes, part.childRoutes);
      appendAll(groups, part.ruleGroups);
    }
    for (const part of parts) {
      const clones = new Map<SubnetModel, Mutable<SubnetModel>>();
      for (const c of part.childSubnets) {
        const subnet = { ...c.subnet };
        clones.set(c.subnet, subnet);
        childSubnets.push({ subnet, vnetKey: c.vnetKey, vnetName: c.vnetName });
      }
      for (const v of part.vnets) out.vnets.push({ ...v, subnets: [...v.subnets] });
      for (const s of part.subnets) out.subnets.push(clones.get(s) ?? s);
      for (const n of part.nsgs) {
        const children = [...(rules.get(n.key) ?? []), ...(rulesByName.get(part.nsgNames.get(n) ?? '') ?? [])];
        out.nsgs.push(children.length > 0 ? { ...n, rules: [...n.rules, ...children], ruleStyle: n.ruleStyle === 'none' ? 'child' : n.ruleStyle } : n);
      }
      for (const n of part.nics) out.nics.push(n);
      for (const t of part.routeTables) {
        const more = routes.get(t.key);
        out.routeTables.push(more ? { ...t, routes: [...t.routes, ...more] } : t);
      }
      for (const w of part.workspaces) out.workspaces.push(w);
      for (const c of part.computes) out.computes.push(c);
      for (const f of part.firewalls) out.firewalls.push(f.kind === 'firewall-policy' ? { ...f, ruleCollections: groups.get(f.key) ?? [] } : f);
    }
  }
  for (const { subnet, vnetKey, vnetName } of childSubnets) {
    const vnet = vnetKey ? out.vnets.find((v) => v.key === vnetKey) : vnetName ? out.vnets.find((v) => v.name.toLowerCase() === vnetName.toLowerCase()) : undefined;
    if (!vnet) continue;
    subnet.vnet = vnet.key;
    vnet.subnets.push(subnet.key);
  }
  if (existingWorkspaces.size > 0) out.computes = out.computes.map((c) => declaredWorkspace(c, out.workspaces, existingWorkspaces));
  for (const p of tail) out.problems.push(p);
  return out;
}

/**
 * A compute whose parent is an `existing` workspace (a module's `resource ws '...' existing = {
 * name: workspaceName }`) linked instead to the one workspace of that name this deployment
 * declares, whose settings (hbi, location) then apply, as ARM links a compute by its name.
 */
function declaredWorkspace(c: AmlComputeModel, workspaces: readonly AmlWorkspaceModel[], existing: ReadonlySet<string>): AmlComputeModel {
  const target = c.workspace?.target;
  if (target === undefined || !existing.has(target)) return c;
  const name = workspaces.find((w) => w.key === target)?.name.toLowerCase();
  const declared = workspaces.filter((w) => !existing.has(w.key) && w.name.toLowerCase() === name);
  return declared.length === 1 ? { ...c, workspace: { ...c.workspace!, target: declared[0].key } } : c;
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

function readChild(b: ModelBuilder, r: ResourceReader, scratch: RuleScratch): void {
  const type = r.instance.info.type;
  if (type === T.rule) {
    const parent = parentOf(r);
    const nameProp = r.prop('name');
    const name = lastSegment(displayName(nameProp.value, r.instance.text));
    const rule = readRule(r.prop('properties'), name, nameProp.span, r.span, 'child', scratch);
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
      const groupPriority = r.inner(props, 'priority');
      const group = {
        name: lastSegment(displayName(r.prop('name').value, r.instance.text)),
        priority: { value: maybeNumber(groupPriority.value, 'the priority'), span: groupPriority.span ?? r.span },
        span: r.span,
      };
      for (const c of list as readonly Value[]) {
        const priority = get(c, 'priority');
        push(b.ruleGroups, parent.key, { name: displayName(get(c, 'name'), '?'), priority: { value: maybeNumber(priority, 'the priority') }, kind: displayName(get(c, 'ruleCollectionType'), '?'), span: originOf(c)?.span ?? r.span, raw: c, group });
      }
    }
  }
}

function push<T>(map: Map<string, T[]>, key: string, v: T): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

function readResource(b: ModelBuilder, r: ResourceReader, file: BicepFile, scratch: RuleScratch): void {
  const { info, key } = r.instance;
  const nameProp = r.prop('name');
  const name = displayName(nameProp.value, r.instance.text);
  const base = { key, name: lastSegment(name), span: r.span, nameSpan: nameProp.span };
  switch (info.type) {
    case T.nsg: {
      if (info.existing) return;
      const props = r.prop('properties');
      const rulesProp = r.inner(props, 'securityRules');
      let rules: RuleModel[] = [];
      let ruleStyle: NsgModel['ruleStyle'] = 'none';
      if (rulesProp.value !== undefined && rulesProp.value !== null) {
        ruleStyle = 'inline';
        const list = rulesProp.value;
        if (Array.isArray(list)) {
          rules = (list as readonly Value[]).map((rule, i) => inlineRule(rule, i, rulesProp.span ?? r.span, scratch));
        } else {
          rules.push(unknownRule('securityRules', reasonOf(list, 'securityRules', 'a list'), rulesProp.span ?? r.span, 'inline'));
        }
      }
      // Child rules (from any statement of the program) are added when the statements are put together: see `assemble`.
      const location = r.prop('location');
      const marked = leadingComments(file, info.decl.start).some((c) => /^amlnet-check\b/.test(commentText(file, c)));
      const nsg: NsgModel = {
        kind: 'nsg', ...base, location: location.value === undefined ? undefined : regionOf(location.value),
        rules, ruleStyle, securityRulesSpan: rulesProp.node ? r.program.span(keyRange(rulesProp.node)) : rulesProp.value !== undefined ? rulesProp.span : undefined, marked: marked || undefined,
      };
      b.nsgs.push(nsg);
      b.nsgNames.set(nsg, name.toLowerCase());
      return;
    }
    case T.vnet: {
      const props = r.prop('properties');
      const space = get(props.value, 'addressSpace');
      const prefixes = info.existing
        ? { value: unknown(`the VNet ${name} is declared \`existing\`: its address space is in Azure`), span: r.span }
        : stringList(get(space, 'addressPrefixes'), 'the address prefixes', originOf(space ?? null)?.property('addressPrefixes') ?? props.span ?? r.span);
      const vnet: VnetBuild = { kind: 'vnet', ...base, addressPrefixes: prefixes, subnets: [] };
      b.vnets.push(vnet);
      const subnets = r.inner(props, 'subnets');
      if (Array.isArray(subnets.value)) {
        (subnets.value as readonly Value[]).forEach((s, i) => {
          const sName = displayName(get(s, 'name'), `subnets[${i}]`);
          const origin = originOf(s);
          const subnet = readSubnet(`${key}/subnets/${sName}`, sName, get(s, 'properties'), origin?.span ?? subnets.span ?? r.span, origin?.property('name'), key);
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
          const l = linkOf(get(get(c, 'properties'), 'subnet'), originOf(get(c, 'properties') ?? null)?.property('subnet'));
          if (l) subnets.push(l);
        }
      }
      const nsgValue = get(props, 'networkSecurityGroup');
      b.nics.push({ kind: 'nic', ...base, nsg: linkOf(nsgValue, originOf(props ?? null)?.property('networkSecurityGroup')), subnets });
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
      // Child routes are added in `assemble`.
      b.routeTables.push({ kind: 'route-table', ...base, routes });
      return;
    }
    case T.workspace: {
      if (info.existing && typeof nameProp.value === 'string' && r.prop('scope').value === undefined) b.existingWorkspaces.add(key);
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
        subnet: linkOf(get(innerProps, 'subnet'), innerOrigin?.property('subnet')),
        publicIp: publicIp === undefined
          ? { value: true, span: r.span }
          : { value: maybeBoolean(publicIp, 'enableNodePublicIp'), span: innerOrigin?.property('enableNodePublicIp') ?? r.span },
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
        const extra = get(props, 'additionalProperties');
        const proxy = get(extra, 'Network.DNS.EnableProxy');
        b.firewalls.push({
          kind: 'firewall', ...base,
          privateIp: ip === undefined ? undefined : { value: maybeString(ip, 'the private IP address'), span: originOf(get(first, 'properties') ?? null)?.property('privateIPAddress') },
          policy: linkOf(get(props, 'firewallPolicy'), originOf(props ?? null)?.property('firewallPolicy')),
          ...(proxy === undefined ? {} : { dnsProxy: { value: maybeBoolean(proxy, 'Network.DNS.EnableProxy'), span: originOf(extra ?? null)?.property('Network.DNS.EnableProxy') ?? r.span } }),
          ruleCollections: classicCollections(props, r.span),
        });
      } else {
        const dns = get(props, 'dnsSettings');
        const proxy = get(dns, 'enableProxy');
        b.firewalls.push({
          kind: 'firewall-policy', ...base,
          basePolicy: linkOf(get(props, 'basePolicy'), originOf(props ?? null)?.property('basePolicy')),
          ...(proxy === undefined ? {} : { dnsProxy: { value: maybeBoolean(proxy, 'dnsSettings.enableProxy'), span: originOf(dns ?? null)?.property('enableProxy') ?? r.span } }),
          // The rule collection groups (child resources) are added in `assemble`.
          ruleCollections: [],
        });
      }
      return;
    }
    default:
      return;
  }
}

/** A classic firewall's `applicationRuleCollections`, `networkRuleCollections` and `natRuleCollections`. */
function classicCollections(props: Value | undefined, fallback: SourceSpan): FirewallModel['ruleCollections'][number][] {
  const out: FirewallModel['ruleCollections'][number][] = [];
  for (const [key, kind] of [['applicationRuleCollections', 'application'], ['networkRuleCollections', 'network'], ['natRuleCollections', 'nat']] as const) {
    const list = get(props, key);
    if (!Array.isArray(list)) continue;
    (list as readonly Value[]).forEach((c, i) => {
      const priority = get(get(c, 'properties'), 'priority');
      out.push({ name: displayName(get(c, 'name'), `${key}[${i}]`), priority: { value: maybeNumber(priority, 'the priority') }, kind, span: originOf(c)?.span ?? fallback, raw: c });
    });
  }
  return out;
}

// ---- pieces --------------------------------------------------------------------------------

function readSubnet(key: string, name: string, props: Value | undefined, span: SourceSpan, nameSpan: SourceSpan | undefined, vnet: string | undefined): SubnetModel {
  const origin = originOf(props ?? null);
  const single = get(props, 'addressPrefix');
  const plural = get(props, 'addressPrefixes');
  const prefixSpan = origin?.property(single !== undefined ? 'addressPrefix' : 'addressPrefixes') ?? span;
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
    nsg: linkOf(get(props, 'networkSecurityGroup'), origin?.property('networkSecurityGroup')),
    routeTable: linkOf(get(props, 'routeTable'), origin?.property('routeTable')),
    delegations,
  };
}

function stringList(v: Value | undefined, what: string, span: SourceSpan): Read<readonly string[]> {
  if (v === undefined || v === null) return { value: unknown(`no ${what} is set`), span };
  const list: readonly Value[] = Array.isArray(v) ? v as readonly Value[] : [v];
  let n = 0;
  for (const e of list) {
    if (typeof e !== 'string') return { value: unknown(reasonOf(e, what)), span };
    if (e !== '') n++;
  }
  // Of its exact length: the model keeps it.
  const out = new Array<string>(n);
  n = 0;
  for (const e of list) if (e !== '') out[n++] = e as string;
  return { value: out, span };
}

function readRoute(props: Value | undefined, name: string, span: SourceSpan): RouteModel {
  const origin = originOf(props ?? null);
  const hop = get(props, 'nextHopIpAddress');
  return {
    name, span,
    addressPrefix: { value: maybeString(get(props, 'addressPrefix'), 'the address prefix'), span: origin?.property('addressPrefix') ?? span },
    nextHopType: { value: maybeString(get(props, 'nextHopType'), 'the next hop type'), span: origin?.property('nextHopType') ?? span },
    nextHopIpAddress: hop === undefined ? undefined : { value: maybeString(hop, 'the next hop IP address'), span: origin?.property('nextHopIpAddress') ?? span },
  };
}

/** A link from `{ id: ... }` (or an id): to an element key, by type and name, or unresolved. */
function linkOf(obj: Value | undefined, span: SourceSpan | undefined): Link | undefined {
  if (obj === undefined || obj === null) return undefined;
  const v = isPlainObject(obj) ? get(obj, 'id') : obj;
  const idSpan = originOf(obj)?.property('id') ?? span;
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
    const ref = (v instanceof TemplateString ? childIdRef(v) : undefined) ?? parseResourceId(id);
    if (ref) return { ref, text: id, span: idSpan };
    return { text: id, span: idSpan, unresolved: typeof v === 'string' ? `'${v}' is not a resource id` : `${v.text} is only known at deployment` };
  }
  return { text: v instanceof SymbolicValue ? v.text : '?', span: idSpan, unresolved: reasonOf(v, 'the resource id') };
}

/**
 * A child's id written as its parent's id and the rest, `'${vnet.id}/subnets/snet-training'` (or
 * through a module parameter, `'${vnetId}/subnets/${subnetName}'`): the type and name it names,
 * when the parent's name and the rest are known.
 */
function childIdRef(v: TemplateString): ReturnType<typeof parseResourceId> {
  const [head, ...rest] = v.parts;
  if (!(head instanceof ResourceIdValue) || typeof head.name !== 'string' || !rest.every((p) => typeof p === 'string')) return undefined;
  const types = head.type.split('/');
  const names = head.name.split('/');
  if (names.length !== types.length - 1 || names.some((n) => n === '')) return undefined;
  const path = names.map((n, i) => `/${types[i + 1]}/${n}`).join('');
  return parseResourceId(`/providers/${types[0]}${path}${rest.join('')}`);
}

function inlineRule(rule: Value, index: number, fallback: SourceSpan, scratch: RuleScratch): RuleModel {
  const origin = originOf(rule);
  const span = origin?.span ?? fallback;
  if (!isPlainObject(rule)) return unknownRule(`securityRules[${index}]`, reasonOf(rule, `security rule ${index + 1}`, 'an object'), span, 'inline');
  const name = displayName(get(rule, 'name'), `securityRules[${index}]`);
  const props = get(rule, 'properties');
  return readRule({ value: props, span: origin?.property('properties') ?? span }, name, origin?.property('name'), span, 'inline', scratch);
}

/** The rule properties `readRule` reads, in the order of the `R` indices. */
const RULE_KEYS = [
  'priority', 'direction', 'access', 'protocol',
  'sourceAddressPrefix', 'sourceAddressPrefixes', 'sourceApplicationSecurityGroups',
  'destinationAddressPrefix', 'destinationAddressPrefixes', 'destinationApplicationSecurityGroups',
  'sourcePortRange', 'sourcePortRanges', 'destinationPortRange', 'destinationPortRanges',
] as const;
const RULE_KEYS_LOWER: readonly string[] = RULE_KEYS.map((k) => k.toLowerCase());
/** `RULE_KEYS` by key, for `ObjectOrigin.properties`. */
const RULE_KEY_SLOTS: ReadonlyMap<string, number> = new Map(RULE_KEYS.map((k, i) => [k, i]));
const enum R {
  Priority, Direction, Access, Protocol,
  SourceAddressPrefix, SourceAddressPrefixes, SourceAsgs,
  DestinationAddressPrefix, DestinationAddressPrefixes, DestinationAsgs,
  SourcePortRange, SourcePortRanges, DestinationPortRange, DestinationPortRanges,
}

/**
 * The values of the properties `names` of `obj`, found as `get` finds them (an exact key wins,
 * else the first key equal to it without regard to case), in one pass over the object's keys;
 * into `out`.
 */
function valuesCi(obj: Record<string, Value>, names: readonly string[], lowerNames: readonly string[], out: (Value | undefined)[]): (Value | undefined)[] {
  out.fill(undefined, 0, names.length);
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const exact = names.indexOf(k);
    if (exact >= 0) {
      out[exact] = obj[k];
      continue;
    }
    const i = lowerNames.indexOf(k.toLowerCase());
    // (Property values are never undefined: an unset slot is one no key has matched yet.)
    if (i >= 0 && out[i] === undefined) out[i] = obj[k];
  }
  return out;
}

/** Lists `readRule` fills for each rule, made once per read (a file has thousands of rules). */
class RuleScratch {
  readonly values = new Array<Value | undefined>(RULE_KEYS.length);
  readonly found = new Array<SourceSpan | undefined>(RULE_KEYS.length);
}

function readRule(props: Prop, name: string, nameSpan: SourceSpan | undefined, span: SourceSpan, style: RuleOrigin['style'], scratch: RuleScratch): RuleModel {
  const v = props.value;
  if (!isPlainObject(v ?? null)) return unknownRule(name, reasonOf(v, 'the rule\'s properties', 'an object'), span, style);
  const obj = v as Record<string, Value>;
  const values = valuesCi(obj, RULE_KEYS, RULE_KEYS_LOWER, scratch.values);
  // Where each set rule property is written, found in one pass over the literal's members.
  const found = originOf(obj)?.properties(RULE_KEY_SLOTS, scratch.found);
  const at = (a: R, b?: R, c?: R): SourceSpan | undefined => ruleSpan(values, found, props.span, a, b, c);
  const spans: Partial<Record<RuleProperty, SourceSpan>> = {};
  if (nameSpan) spans.name = nameSpan;
  let sp = at(R.Priority);
  if (sp) spans.priority = sp;
  if ((sp = at(R.Direction))) spans.direction = sp;
  if ((sp = at(R.Access))) spans.access = sp;
  if ((sp = at(R.Protocol))) spans.protocol = sp;
  if ((sp = at(R.SourceAddressPrefix, R.SourceAddressPrefixes, R.SourceAsgs))) spans.sourceAddresses = sp;
  if ((sp = at(R.DestinationAddressPrefix, R.DestinationAddressPrefixes, R.DestinationAsgs))) spans.destinationAddresses = sp;
  if ((sp = at(R.SourcePortRange, R.SourcePortRanges))) spans.sourcePorts = sp;
  if ((sp = at(R.DestinationPortRange, R.DestinationPortRanges))) spans.destinationPorts = sp;
  return {
    name,
    priority: maybeNumber(values[R.Priority], 'the priority'),
    direction: maybeString(values[R.Direction], 'the direction'),
    access: maybeString(values[R.Access], 'the access'),
    protocol: maybeString(values[R.Protocol], 'the protocol'),
    sourceAddresses: addresses(values[R.SourceAddressPrefix], values[R.SourceAddressPrefixes], values[R.SourceAsgs], 'source'),
    destinationAddresses: addresses(values[R.DestinationAddressPrefix], values[R.DestinationAddressPrefixes], values[R.DestinationAsgs], 'destination'),
    sourcePorts: ports(values[R.SourcePortRange], values[R.SourcePortRanges], 'source'),
    destinationPorts: ports(values[R.DestinationPortRange], values[R.DestinationPortRanges], 'destination'),
    origin: { span, style, properties: spans },
  };
}

/**
 * Where the first of the rule properties `a`, `b`, `c` that is set is written (`fallback` when its
 * key is spelled otherwise than in `RULE_KEYS`, or the object is not from a literal).
 */
function ruleSpan(values: readonly (Value | undefined)[], found: readonly (SourceSpan | undefined)[] | undefined, fallback: SourceSpan | undefined, a: R, b?: R, c?: R): SourceSpan | undefined {
  const i = values[a] !== undefined ? a : b !== undefined && values[b] !== undefined ? b : c !== undefined && values[c] !== undefined ? c : undefined;
  return i === undefined ? undefined : found?.[i] ?? fallback;
}

/** A rule's addresses on one side, from `<side>AddressPrefix`, `<side>AddressPrefixes` and `<side>ApplicationSecurityGroups`. */
function addresses(single: Value | undefined, plural: Value | undefined, asgs: Value | undefined, side: 'source' | 'destination'): Maybe<readonly AddressEntry[]> {
  // The usual rule has only the single prefix: a list of its exact length (the model keeps it; a
  // list grown by push keeps room for 17).
  if (plural === undefined && asgs === undefined) return single === undefined || single === null ? [] : [addressEntry(single)];
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

/** A rule's port ranges on one side, from `<side>PortRange` and `<side>PortRanges`. */
function ports(single: Value | undefined, plural: Value | undefined, side: 'source' | 'destination'): Maybe<readonly Maybe<string>[]> {
  // The usual rule has only the single range (see `addresses`).
  if (plural === undefined) return single === undefined || single === null ? [] : [portEntry(single, side, 'PortRange')];
  const out: Maybe<string>[] = [];
  const list = Array.isArray(plural) ? plural as readonly Value[] : undefined;
  if (single !== undefined && single !== null && !(single === '' && (list?.length ?? 0) > 0)) out.push(portEntry(single, side, 'PortRange'));
  if (list) for (const e of list) out.push(portEntry(e, side, 'PortRanges'));
  else if (plural !== null) out.push(unknown(reasonOf(plural, `${side}PortRanges`, 'a list')));
  return out;
}

function portEntry(e: Value, side: 'source' | 'destination', key: string): Maybe<string> {
  return typeof e === 'string' ? e : typeof e === 'number' ? String(e) : unknown(reasonOf(e, `${side}${key}`));
}

/** 1-based line of an offset in a text, for messages. */
export function lineOf(text: string, offset: number): number {
  return new LineIndex(text).positionAt(offset).line + 1;
}

// ---- the incremental reader ------------------------------------------------------------------

/** An edit of a file's text: `[start, end)` of the old text replaced by `newText` (UTF-16 offsets). */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/** A reader that keeps what it read of each file, so that reading a file again after `edit`s costs little. */
export interface IncrementalReader extends Reader {
  /**
   * `path` now has `text`, made by `change` from the text it had before (the text last read, or
   * last given here). Call it for each change, in order; `read` then reuses what it can.
   */
  edit(path: string, text: string, change: TextChange): void;
  /** Drops what is kept of `path` (a closed or deleted file). */
  forget(path: string): void;
  /** How many reads reused kept parts, and how many read the file whole (for tests and traces). */
  readonly stats: { incremental: number; whole: number };
}

/** What the incremental reader keeps of an entry `.bicep` file between reads. */
interface EntryState {
  readonly text: string;
  /** The file's statements as read (nodes an edit does not touch stay the same objects). */
  readonly statements: readonly Statement[];
  readonly built: BuiltEntry;
  /** Per statement: for a top-level resource without a loop, the text form of what `x.id` and `x.name` read. */
  readonly interfaces: readonly (string | undefined)[];
  /** Steps a fresh read of this text would spend at most, and the budget it has. */
  readonly used: number;
  readonly budget: number;
  /** The other files the read read (modules, imports), with their texts. */
  readonly reads: ReadonlyMap<string, string | undefined>;
}

/** The tree of a file the reader has read, with the region changed since that read. */
interface TreeState {
  tree: BicepFile;
  /** `[start, oldEnd)` of the text last read became `[start, newEnd)` of `tree.text`; undefined when nothing changed. */
  changed?: { start: number; oldEnd: number; newEnd: number };
}

function budgetFor(text: string): number {
  return Math.max(DEFAULT_BUDGET, text.length * 20);
}

/** What `x.id` and `x.name` read of each top-level resource statement without a loop (undefined otherwise). */
function interfacesOf(program: BicepProgram, only: ReadonlySet<Statement> | undefined, previous: readonly (string | undefined)[] | undefined): (string | undefined)[] {
  const out = program.file.statements.map((s, i) => (only && !only.has(s) && previous ? previous[i] : undefined));
  const index = new Map<Statement, number>();
  program.file.statements.forEach((s, i) => index.set(s, i));
  for (const info of program.resources) {
    if (info.parent || (only && !only.has(info.decl))) continue;
    const i = index.get(info.decl);
    if (i === undefined || info.decl.value.kind === 'for') continue;
    const copies = program.instances(info);
    if (copies instanceof UnknownValue || copies.length !== 1) continue;
    const name = fingerprint(bodyProperty(copies[0], 'name') ?? null);
    out[i] = name === undefined ? undefined : `${info.type}|${info.existing}|${info.key}|${copies[0].text}|${name}`;
  }
  return out;
}

/**
 * Reads an entry `.bicep` file again after an edit, reusing the parts of the statements the edit
 * did not touch; undefined when it cannot be sure the result equals a whole read (the caller then
 * reads the file whole). The statements evaluated again: those the edit changed (and the one
 * after, whose leading comments may have changed), and every statement that uses a name they
 * declare, transitively; except that a use of a resource as `x.id` or `x.name` does not count
 * when what those read is unchanged. Anything touching modules, imports or the module walk, a
 * name declared twice, a cycle or an exhausted budget makes it give up.
 */
function readIncrementally(path: string, tree: BicepFile, state: EntryState, changed: { start: number; oldEnd: number; newEnd: number }, textOf: (path: string) => string | undefined):
  { result: ReadResult; state: EntryState } | undefined {
  for (const [other, text] of state.reads) if (textOf(other) !== text) return undefined;
  const now = tree.statements;
  const before = state.statements;
  const n = now.length;
  const m = before.length;
  let p = 0;
  while (p < n && p < m && now[p] === before[p]) p++;
  let q = 0;
  while (q < n - p && q < m - p && now[n - 1 - q] === before[m - 1 - q]) q++;
  // New statements [p, n - q) replace old ones [p, m - q); the first kept one after them is read
  // again too, for its leading comments.
  const dirty = new Set<number>();
  for (let i = p; i < n - q; i++) dirty.add(i);
  // (Only a resource can be an NSG whose `// amlnet-check` comment changed.)
  if (q > 0 && now[n - q].kind === 'resource') dirty.add(n - q);
  const removed = before.slice(p, m - q);
  for (const s of removed) if (!editableKind(s)) return undefined;
  for (const i of dirty) if (!editableKind(now[i])) return undefined;

  // Names declared more than once (in either text) are not followed: the read gives up if one matters.
  const count = (list: readonly Statement[]): Map<string, number> => {
    const c = new Map<string, number>();
    for (const s of list) for (const name of declaredNames(s)) c.set(name, (c.get(name) ?? 0) + 1);
    return c;
  };
  const nowCount = count(now);
  const beforeCount = count(before);
  const special = new Set<string>();
  for (const s of now) if (s.kind === 'module' || s.kind === 'import' || s.kind === 'extension') for (const name of declaredNames(s)) special.add(name);
  for (const s of before) if (s.kind === 'module' || s.kind === 'import' || s.kind === 'extension') for (const name of declaredNames(s)) special.add(name);

  const session = new EvalSession(textOf, budgetFor(tree.text));
  session.files.set(path, tree);
  const program = new BicepProgram(tree, path, session, joinPath);
  const oldIndex = (i: number): number => (i < p ? i : i - n + m);
  let newInterfaces: (string | undefined)[] | undefined;
  // Whether users of `name` that only read `name.id` / `name.name` see the same thing as before.
  const sameInterface = (name: string): boolean => {
    if (nowCount.get(name) !== 1 || beforeCount.get(name) !== 1) return false;
    const i = now.findIndex((s) => s.kind === 'resource' && s.name.kind === 'identifier' && s.name.name === name);
    const j = before.findIndex((s) => s.kind === 'resource' && s.name.kind === 'identifier' && s.name.name === name);
    if (i < 0 || j < 0) return false;
    newInterfaces ??= interfacesOf(program, new Set([...dirty].map((k) => now[k])), undefined);
    const a = newInterfaces[i] ?? (dirty.has(i) ? undefined : state.interfaces[oldIndex(i)]);
    return a !== undefined && a === state.interfaces[j];
  };

  // Names whose value may have changed: those of statements whose tree changed (a statement
  // parsed again to the same tree, or only read again for its comments, changes no value).
  const names: string[] = [];
  // Statements whose declared names are queued (a statement read again may still not be one).
  const queued = new Set<number>();
  const pairs = n - q - p === m - q - p;
  for (let i = p; i < n - q; i++) {
    if (pairs && sameTree(now[i], before[i])) continue;
    queued.add(i);
    names.push(...declaredNames(now[i]));
    if (pairs) names.push(...declaredNames(before[i]));
  }
  if (!pairs) for (let j = p; j < m - q; j++) names.push(...declaredNames(before[j]));
  const seen = new Set<string>();
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (seen.has(name)) continue;
    seen.add(name);
    if (special.has(name) || (nowCount.get(name) ?? 0) > 1 || (beforeCount.get(name) ?? 0) > 1) return undefined;
    let checked: boolean | undefined;
    for (let i = 0; i < n; i++) {
      if (queued.has(i)) continue;
      const use = usageOf(now[i]).get(name);
      if (use === undefined) continue;
      if (use === 1 && (checked ??= sameInterface(name))) continue;
      if (!editableKind(now[i])) return undefined;
      dirty.add(i);
      queued.add(i);
      names.push(...declaredNames(now[i]));
    }
  }
  // The statements read again must not use modules or imports, even through other declarations
  // (module instances belong to the module walk, which counts them in order).
  const declaring = new Map<string, number[]>();
  now.forEach((st, i) => {
    for (const name of declaredNames(st)) push(declaring, name, i);
  });
  const reached = new Set<number>(dirty);
  const todo = [...dirty];
  while (todo.length > 0) {
    const i = todo.pop() as number;
    for (const name of usageOf(now[i]).keys()) {
      if (special.has(name)) return undefined;
      for (const j of declaring.get(name) ?? []) {
        if (!reached.has(j)) {
          reached.add(j);
          todo.push(j);
        }
      }
    }
  }

  const only = new Set<Statement>();
  for (const i of dirty) only.add(now[i]);
  const fresh = readStatements(program, only);
  const interfaces = interfacesOf(program, only, now.map((_, i) => (dirty.has(i) ? undefined : state.interfaces[oldIndex(i)])));
  if (session.limits > 0) return undefined;
  const spent = session.budget.left >= 0 ? budgetFor(tree.text) - session.budget.left : Infinity;
  const used = state.used + spent;
  if (used > budgetFor(tree.text)) return undefined;

  const shifter = new SpanShifter(path, changed.start, changed.oldEnd, changed.newEnd - changed.oldEnd);
  let parts: (Part | undefined)[];
  let built: BuiltEntry;
  try {
    parts = now.map((_, i) => (dirty.has(i) ? fresh[i] : shiftPart(state.built.parts[oldIndex(i)], shifter)));
    built = {
      head: shifter.shift(state.built.head),
      parts,
      modules: state.built.modules.map((mp) => shiftPart(mp, shifter) as Part),
      otherParse: shifter.shift(state.built.otherParse),
      entryFirst: state.built.entryFirst,
      followed: state.built.followed,
    };
  } catch (e) {
    if (e instanceof TouchesEdit) return undefined;
    throw e;
  }
  const model = assembleEntry(built, entryParseProblems(path, tree));
  return { result: { model, followed: [...built.followed] }, state: { text: tree.text, statements: now, built, interfaces, used, budget: budgetFor(tree.text), reads: state.reads } };
}

/** The span bounds of each kept part of the entry file, worked out once per part. */
const partBounds = new WeakMap<Part, SpanBounds>();

function boundsOf(part: Part, file: string): SpanBounds {
  let b = partBounds.get(part);
  if (!b) {
    const into = { maxStart: -1, maxEnd: -1 };
    for (const list of [part.vnets, part.subnets, part.nsgs, part.nics, part.routeTables, part.workspaces, part.computes, part.firewalls, part.problems]) spanBounds(list, file, into);
    for (const map of [part.childRules, part.childRulesByName, part.childRoutes, part.ruleGroups]) for (const v of map.values()) spanBounds(v, file, into);
    for (const c of part.childSubnets) spanBounds(c.subnet, file, into);
    b = into;
    partBounds.set(part, b);
  }
  return b;
}

/** A kept part with its spans moved (the same part when nothing moves). */
function shiftPart(part: Part | undefined, shifter: SpanShifter): Part | undefined {
  if (!part) return part;
  // Firewall rule collections keep their evaluated value (`raw`), whose origins point into the
  // tree of the read that made them: such a part is never kept (the file is read whole).
  if (part.firewalls.length > 0 || part.ruleGroups.size > 0) throw new TouchesEdit();
  const bounds = boundsOf(part, shifter.file);
  if (shifter.before(bounds)) return part;
  const out = new ModelBuilder();
  const put = <T>(to: T[], from: readonly T[]): void => {
    for (const x of from) to.push(shifter.shift(x));
  };
  put(out.vnets, part.vnets);
  put(out.subnets, part.subnets);
  put(out.nsgs, part.nsgs);
  put(out.nics, part.nics);
  put(out.routeTables, part.routeTables);
  put(out.workspaces, part.workspaces);
  put(out.computes, part.computes);
  put(out.firewalls, part.firewalls);
  put(out.problems, part.problems);
  for (const [k, v] of part.childRules) out.childRules.set(k, shifter.shift(v));
  for (const [k, v] of part.childRulesByName) out.childRulesByName.set(k, shifter.shift(v));
  for (const [k, v] of part.childRoutes) out.childRoutes.set(k, shifter.shift(v));
  for (const [k, v] of part.ruleGroups) out.ruleGroups.set(k, shifter.shift(v));
  // A child subnet is also in `subnets`, and an NSG is named in `nsgNames`: the copies stay the same objects.
  for (const c of part.childSubnets) {
    const i = part.subnets.indexOf(c.subnet);
    out.childSubnets.push({ subnet: i >= 0 ? out.subnets[i] : shifter.shift(c.subnet), vnetKey: c.vnetKey, vnetName: c.vnetName });
  }
  part.nsgs.forEach((nsg, i) => {
    const name = part.nsgNames.get(nsg);
    if (name !== undefined) out.nsgNames.set(out.nsgs[i], name);
  });
  for (const k of part.existingWorkspaces) out.existingWorkspaces.add(k);
  if (bounds.maxStart >= 0) partBounds.set(out, { maxStart: bounds.maxStart + shifter.delta, maxEnd: bounds.maxEnd + shifter.delta });
  return out;
}

/**
 * The Bicep reader with memory: it keeps each file's tree (re-parsed with `reparseBicep` on
 * `edit`) and, for an entry `.bicep` file, the model parts of its statements, so that a read after
 * an edit evaluates only the statements the edit can affect (`readIncrementally`). Its results
 * equal `bicepReader`'s on the same input; whatever it cannot reuse safely it reads whole.
 */
export function createIncrementalBicepReader(): IncrementalReader {
  const trees = new Map<string, TreeState>();
  const states = new Map<string, EntryState>();
  const stats = { incremental: 0, whole: 0 };
  return {
    stats,
    accepts: (file) => /\.bicep(param)?$/i.test(file.path),

    edit(path: string, text: string, change: TextChange): void {
      const t = trees.get(path);
      if (!t) return;
      const old = t.tree.text;
      if (!(change.start >= 0 && change.start <= change.end && change.end <= old.length)
        || text.length !== old.length - (change.end - change.start) + change.newText.length || !text.startsWith(change.newText, change.start)) {
        trees.delete(path);
        states.delete(path);
        return;
      }
      t.tree = reparseBicep(t.tree, text, change, { paramFile: t.tree.kind === 'bicepparam' });
      const delta = change.newText.length - (change.end - change.start);
      const c = t.changed;
      if (!c) t.changed = { start: change.start, oldEnd: change.end, newEnd: change.start + change.newText.length };
      else {
        const start = Math.min(c.start, change.start);
        const newEnd = Math.max(c.newEnd, change.end) + delta;
        const totalDelta = c.newEnd - c.oldEnd + delta;
        t.changed = { start, oldEnd: newEnd - totalDelta, newEnd };
      }
    },

    forget(path: string): void {
      trees.delete(path);
      states.delete(path);
    },

    read(file: SourceFile, host: FileHost, workspace: readonly SourceFile[]): ReadResult {
      try {
        const t = trees.get(file.path);
        const tree = t && t.tree.text === file.text ? t.tree : undefined;
        const state = states.get(file.path);
        states.delete(file.path);
        const textOf = (path: string): string | undefined => workspace.find((f) => f.path === path)?.text ?? host.readFile(path);
        if (tree && state && t?.changed && !isBicepParam(file.path)
          && !workspace.some((f) => isBicepParam(f.path) && f.path !== file.path && targetOf(f) === file.path)) {
          const again = readIncrementally(file.path, tree, state, t.changed, textOf);
          if (again) {
            stats.incremental++;
            states.set(file.path, again.state);
            t.changed = undefined;
            return again.result;
          }
        }
        const parsed = tree ?? (isBicepParam(file.path) ? parseBicepParam(file.text) : parseBicep(file.text));
        trees.set(file.path, { tree: parsed });
        stats.whole++;
        return readEntry(file, host, workspace, (path, text) => (path === file.path && text === parsed.text ? parsed : parseBicep(text)), (s) => states.set(file.path, s));
      } catch (e) {
        trees.delete(file.path);
        states.delete(file.path);
        const model = emptyModel();
        return { model: { ...model, problems: [{ file: file.path, severity: 'error', message: `amlnet could not read this file: ${(e as Error).message}` }] }, followed: [] };
      }
    },
  };
}
