/**
 * The ARM JSON reader: deployment templates of every scope (with their parameter files) into the
 * workspace model. Resources as an array or (languageVersion 2.0) an object, nested child
 * resources, `condition`, resource and property `copy`, nested deployments (inline, inner or outer
 * scope, and `templateLink.relativePath`), evaluated with the partial ARM evaluator. Every element
 * keeps its source spans. Never throws; time is bounded by the caps below.
 */
import { createScanner, SyntaxKind } from 'jsonc-parser';
import { isUnknown, type Maybe, unknown } from '../maybe';
import type {
  AmlComputeModel, AmlWorkspaceModel, FirewallModel, Link, NicModel, NsgModel, Read, ReadProblem, RouteModel, RouteTableModel, RuleModel,
  SourceSpan, SubnetModel, VnetModel, WorkspaceModel,
} from '../model/workspace-model';
import type { FileHost, ReadResult, Reader, SourceFile } from '../read/read-workspace';
import { joinPath } from '../read/read-workspace';
import type { Region } from '../region';
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import {
  type JsonDoc, type JsonFile, type Located, type Node, PropertyNames, at, child, children, copyEntry, displayText, elements, entries, evaluateNode, firstKeyOffset, item, keyNode,
  lengthOf, located, markOffsets, parseJsonFile, properties, sourceText, spanOf, stringOf, toJson,
} from './arm-json';
import {
  inlineRule, linkOf, maybeBoolean, maybeNumber, maybeString, nameSegments, readOf, reasonOf, regionOf, ruleFromProperties, SharedValues, stringList,
  unknownRule,
} from './arm-resource-model';
import { joinParts, setKey, symbolic } from './arm-values';
import type { DeploymentContext, DeploymentScopeKind, ReferenceCall } from './deployment-context';
import { ArmScope } from './expression-evaluator';
import { parameterFileValues } from './parameter-file';

/** ARM's own limit on a copy loop; larger counts are read up to it, with a problem. */
const MAX_COPY = 800;
/** Resource instances one entry may expand to (copies of copies, nested deployments). */
const MAX_INSTANCES = 100_000;
/** Nested deployments within one another (inline or linked). */
const MAX_NESTING = 16;
/** Child resources nested in `resources` within one another (Azure's own types go 3 deep). */
const MAX_CHILD_DEPTH = 32;
/** Read problems one entry reports at most. */
const MAX_PROBLEMS = 500;

/** The properties of a resource the reader looks at, found in one scan of its names (indexes below). */
const RESOURCE_FIELDS = new PropertyNames(['type', 'copy', 'condition', 'name', 'existing', 'resources', 'properties', 'location']);
const TYPE = 0;
const COPY = 1;
const CONDITION = 2;
const NAME = 3;
const EXISTING = 4;
const RESOURCES = 5;
const PROPERTIES = 6;
const LOCATION = 7;

const SCHEMA = /\/(subscription|managementGroup|tenant)?DeploymentTemplate\.json/i;

/** The deployment scope a `$schema` names, or undefined when it is not a deployment template. */
export function templateScopeOf(schema: string | undefined): DeploymentScopeKind | undefined {
  const m = schema === undefined ? null : SCHEMA.exec(schema);
  if (!m) return undefined;
  switch ((m[1] ?? '').toLowerCase()) {
    case 'subscription': return 'subscription';
    case 'managementgroup': return 'managementGroup';
    case 'tenant': return 'tenant';
    default: return 'resourceGroup';
  }
}

/** The top-level `$schema` of a JSON text, found by scanning tokens; no tree is built. */
export function topLevelSchema(text: string): string | undefined {
  if (!/deploymentTemplate\.json/i.test(text)) return undefined;
  const s = createScanner(text, true);
  const stack: ('{' | '[')[] = [];
  let state: 'key' | 'colon' | 'value' | 'other' = 'other';
  let isSchema = false;
  for (let kind = s.scan(); kind !== SyntaxKind.EOF; kind = s.scan()) {
    if (stack.length === 1 && stack[0] === '{') {
      if (state === 'key' && kind === SyntaxKind.StringLiteral) {
        isSchema = s.getTokenValue() === '$schema';
        state = 'colon';
        continue;
      }
      if (state === 'colon' && kind === SyntaxKind.ColonToken) {
        state = 'value';
        continue;
      }
      if (state === 'value' && kind === SyntaxKind.StringLiteral && isSchema) return s.getTokenValue();
      if (kind === SyntaxKind.CommaToken) {
        state = 'key';
        continue;
      }
    }
    switch (kind) {
      case SyntaxKind.OpenBraceToken:
      case SyntaxKind.OpenBracketToken:
        stack.push(kind === SyntaxKind.OpenBraceToken ? '{' : '[');
        state = stack.length === 1 ? 'key' : 'other';
        break;
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        stack.pop();
        if (stack.length === 0) return undefined;
        state = 'other';
        break;
      default:
        if (stack.length === 0) return undefined;
        if (stack.length === 1) state = 'other';
    }
  }
  return undefined;
}

/** Reads ARM deployment templates (`.json`, `.jsonc` with a deploymentTemplate `$schema` of any scope). */
export const armTemplateReader: Reader = {
  accepts(file: SourceFile): boolean {
    if (!/\.jsonc?$/i.test(file.path)) return false;
    try {
      return templateScopeOf(topLevelSchema(file.text)) !== undefined;
    } catch {
      return false;
    }
  },
  read(file: SourceFile, host: FileHost, workspace: readonly SourceFile[]): ReadResult {
    const session = new ArmRead(host, workspace);
    try {
      session.readEntry(file);
    } catch (e) {
      session.problem(file.path, 'error', `amlnet stopped reading this file: ${e instanceof Error ? e.message : String(e)}`);
    }
    let model: WorkspaceModel;
    try {
      // Links are left as type and name: the dispatcher (`combineResults`) links every file's model at once.
      model = session.model();
    } catch (e) {
      model = { vnets: [], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls: [], problems: [...session.problems, { file: file.path, severity: 'error', message: `amlnet could not build the model of this file: ${String(e)}` }] };
    }
    return { model, followed: [...session.followed].filter((f) => f !== file.path) };
  },
};

/** One template being read: its file, its JSON, the scope its expressions evaluate in. */
interface TemplateCtx {
  readonly file: JsonFile;
  readonly root: Node;
  readonly scope: ArmScope;
  readonly deployments: Deployments;
  /** Distinguishes templates (nested ones included), so that children find their parent in the same template first. */
  readonly id: number;
  readonly depth: number;
  /** Linked template files on the way here, for cycles. */
  readonly links: readonly string[];
}

/** The resource a nested child resource is declared in. */
interface Parent {
  readonly type: string;
  readonly segments: readonly string[];
  readonly level: number;
}

/** One resource instance (one iteration of a copy loop), its type and name composed with its parents'. */
interface Instance {
  readonly t: TemplateCtx;
  readonly node: Node;
  /** The node's RESOURCE_FIELDS. */
  readonly fields: readonly (Node | undefined)[];
  readonly scope: ArmScope;
  /** Full type, as written: `Microsoft.Network/virtualNetworks/subnets`. */
  readonly type: string;
  /** Name segments as deployed: `['vnet', 'subnet']`. */
  readonly segments: readonly string[];
  readonly span: SourceSpan;
  readonly nameSpan?: SourceSpan;
  /** The symbolic name (languageVersion 2.0). */
  readonly symbolicName?: string;
  /** Where the property whose value the resource is starts (a resource in an object of resources). */
  readonly keyOffset?: number;
  /** Set when the instance stands for every iteration of a copy loop whose count is unknown. */
  readonly unknownCount?: string;
}

interface NsgEntry {
  key: string;
  name: string;
  span: SourceSpan;
  nameSpan?: SourceSpan;
  location?: Maybe<Region>;
  inline: RuleModel[];
  child: RuleModel[];
  hasRulesKey: boolean;
  securityRulesSpan?: SourceSpan;
  marked: boolean;
  template: number;
}

interface VnetEntry {
  model: VnetModel;
  /** The model's own list of subnet keys, filled as subnets are read. */
  subnets: string[];
  template: number;
}

interface RouteTableEntry {
  model: RouteTableModel;
  /** The model's own list of routes, filled as routes are read. */
  routes: RouteModel[];
  template: number;
}

interface FirewallEntry {
  model: FirewallModel;
  collections: FirewallModel['ruleCollections'][number][];
  template: number;
}

/** Something declared as a child resource (`parent/child`), attached to its parent when all is read. */
interface Pending<T> {
  readonly parent: string;
  readonly item: T;
  readonly template: number;
  readonly span: SourceSpan;
  readonly what: string;
}

/**
 * The nested deployments of a template, by name and symbolic name, so that
 * `reference(resourceId('Microsoft.Resources/deployments', 'x')).outputs.y.value` (how compiled
 * Bicep passes module outputs) evaluates to the output when it can. A name known only at
 * deployment (`format('nsg-{0}', uniqueString(resourceGroup().id))`) matches a reference whose
 * name is the same expression over the same inputs; nothing else is matched.
 */
class Deployments {
  private readonly byName = new Map<string, { readonly outputs: () => Value | undefined; readonly node: Node; readonly iteration: number } | 'ambiguous'>();
  /** Deployments whose name is not known at all, or in a copy loop of unknown count (the reason): a reference to them cannot be followed. */
  private readonly unreadable = new Set<string>();

  constructor(private readonly report?: (message: string) => void) {}

  add(name: Value, outputs: () => Value | undefined, node: Node, iteration: number): void {
    const key = deploymentNameKey(name);
    if (key === undefined) return;
    const known = this.byName.get(key);
    if (known === undefined) this.byName.set(key, { outputs, node, iteration });
    // Two deployments of a name known only at deployment: amlnet does not guess which one is meant.
    else if (known !== 'ambiguous' && (known.node.doc !== node.doc || known.node.index !== node.index || known.iteration !== iteration) && typeof name !== 'string') {
      this.byName.set(key, 'ambiguous');
    }
  }

  /** A deployment that a reference cannot be matched to: why (its name is unknown, it is in a copy loop of unknown count). */
  addUnreadable(why: string): void {
    this.unreadable.add(why);
  }

  resolve(call: ReferenceCall): Value | undefined {
    if (call.name.toLowerCase() !== 'reference' || call.args.length === 0) return undefined;
    const target = call.args[0];
    const named = deploymentNameOf(target);
    if (named === undefined) return undefined;
    const key = deploymentNameKey(named.name);
    const get = key === undefined ? undefined : this.byName.get(key);
    if (get === 'ambiguous') return this.unfollowed(call, named, `${displayText(named.name) ?? '?'} names more than one nested deployment in this template; amlnet cannot tell which one is meant`);
    const result = get?.outputs();
    if (result === undefined) {
      if (get !== undefined) return undefined;
      const others = this.unreadable.size > 0 ? ` (amlnet cannot tell whether it is one of the deployments whose name it cannot read: ${[...this.unreadable].join('; ')})` : '';
      return this.unfollowed(call, named, `no nested deployment named ${displayText(named.name) ?? '?'} is read in this template${others}`);
    }
    const full = call.args[2];
    return typeof full === 'string' && full.toLowerCase() === 'full' ? { properties: result } : result;
  }

  /** A reference to a deployment that cannot be followed: unknown, with the reason, and a read problem. */
  private unfollowed(call: ReferenceCall, named: { readonly name: Value; readonly isId: boolean }, why: string): Value | undefined {
    // A bare name may be any resource of the template, not only a deployment: left as it was.
    if (!named.isId) return undefined;
    const message = `${call.text} is not followed: ${why}; what depends on its outputs is not known`;
    this.report?.(message);
    return new UnknownValue(message);
  }
}

const DEPLOYMENTS_PATH = /\/providers\/Microsoft\.Resources\/deployments\//ig;

/**
 * The deployment name a `reference()` target names: the last segment of a
 * `.../providers/Microsoft.Resources/deployments/<name>` id (its name may have parts known only
 * at deployment), or a bare name; undefined when the target is something else.
 */
function deploymentNameOf(target: Value): { readonly name: Value; readonly isId: boolean } | undefined {
  if (typeof target === 'string' || target instanceof TemplateString) {
    const parts = typeof target === 'string' ? [target] : target.parts;
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i];
      if (typeof p !== 'string') continue;
      let end = -1;
      for (const m of p.matchAll(DEPLOYMENTS_PATH)) end = m.index + m[0].length;
      if (end < 0) {
        if (p.includes('/')) break;
        continue;
      }
      const rest = [p.slice(end), ...parts.slice(i + 1)];
      if (rest.some((r) => typeof r === 'string' && r.includes('/'))) return undefined;
      return { name: joinParts(rest), isId: true };
    }
    if (parts.some((p) => typeof p === 'string' && p.includes('/'))) return undefined;
    return { name: target, isId: false };
  }
  if (target instanceof SymbolicValue) return { name: target, isId: false };
  return undefined;
}

/**
 * What a deployment name is matched by: its text without case, where a part known only at
 * deployment stands as its identity (equal for the same expression over the same inputs).
 */
function deploymentNameKey(name: Value): string | undefined {
  if (typeof name === 'string') return name.toLowerCase();
  const parts = name instanceof TemplateString ? name.parts : name instanceof SymbolicValue ? [name] : undefined;
  return parts?.map((p) => (typeof p === 'string' ? p.toLowerCase() : `\u0000${p.id}\u0000`)).join('');
}

/** Whether `type` is `name` (a type as written), without case. */
function isType(type: string, name: string): boolean {
  return type.length === name.length && type.toLowerCase() === name.toLowerCase();
}

/** How many `/` a type has (its depth below the top-level resource), without splitting it. */
function slashes(type: string): number {
  let n = 0;
  for (let i = type.indexOf('/'); i >= 0; i = type.indexOf('/', i + 1)) n++;
  return n;
}

/** The type up to its second `/` (`Microsoft.Network/virtualNetworks` of a subnet's type), without splitting it. */
function providerAndType(type: string): string {
  const first = type.indexOf('/');
  const second = first < 0 ? -1 : type.indexOf('/', first + 1);
  return second < 0 ? type : type.slice(0, second);
}

/** `Microsoft.Network/virtualNetworks` + `subnets` → `Microsoft.Network/virtualNetworks/subnets`; a full type stays. */
function composeType(parent: string, type: string): string {
  const first = type.split('/')[0];
  return type.includes('/') && first.includes('.') ? type : `${parent}/${type}`;
}

/** The reading of one entry file, with everything it pulls in. */
class ArmRead {
  readonly problems: ReadProblem[] = [];
  readonly followed = new Set<string>();
  private readonly problemKeys = new Set<string>();
  private readonly nsgs: NsgEntry[] = [];
  private readonly childRules: Pending<RuleModel>[] = [];
  private readonly vnets: VnetEntry[] = [];
  private readonly subnets: SubnetModel[] = [];
  private readonly childSubnets: Pending<SubnetModel>[] = [];
  private readonly nics: NicModel[] = [];
  private readonly routeTables: RouteTableEntry[] = [];
  private readonly childRoutes: Pending<RouteModel>[] = [];
  private readonly workspaces: AmlWorkspaceModel[] = [];
  private readonly computes: AmlComputeModel[] = [];
  private readonly firewalls: FirewallEntry[] = [];
  private readonly childCollections: Pending<FirewallModel['ruleCollections'][number]>[] = [];
  private readonly keys = new Set<string>();
  /** Lists and strings the rules of this read share. */
  private readonly shared = new SharedValues();
  /** Why `reference()`s to nested deployments were not followed, to name them where a link depends on one. */
  private readonly unfollowed = new Set<string>();
  private readonly marks = new Map<string, ReadonlySet<number>>();
  private readonly files = new Map<string, JsonFile | undefined>();
  /** Nested deployment targets already built, by resource (its file's tape and entry), for the scope they were built in. */
  private readonly targets = new Map<JsonDoc, Map<number, { scope: ArmScope; ctx: TemplateCtx | undefined }>>();
  private instances = 0;
  private templateCount = 0;

  constructor(private readonly host: FileHost, private readonly workspace: readonly SourceFile[]) {}

  problem(file: string, severity: ReadProblem['severity'], message: string, span?: SourceSpan): void {
    const id = `${file}:${span?.start ?? ''}:${message}`;
    if (this.problemKeys.has(id)) return;
    this.problemKeys.add(id);
    if (this.problems.length === MAX_PROBLEMS) {
      this.problems.push({ file, severity: 'warning', message: `more than ${MAX_PROBLEMS} problems; the rest are not listed` });
    }
    if (this.problems.length > MAX_PROBLEMS) return;
    this.problems.push(span ? { file, span, severity, message } : { file, severity, message });
  }

  readEntry(file: SourceFile): void {
    const json = parseJsonFile(file.path, file.text, this.problems);
    this.files.set(file.path, json);
    const root = json.root;
    if (!root) return;
    if (root.type !== 'object') {
      this.problem(file.path, 'error', 'the template is not a JSON object', spanOf(file.path, root));
      return;
    }
    const scopeKind = templateScopeOf(stringOf(child(root, '$schema'))) ?? 'resourceGroup';
    const ctx = this.templateCtx(json, root, this.parameterFile(file), scopeKind, 0, [file.path]);
    this.readTemplate(ctx);
  }

  /** The values of `X.parameters.json` beside `X.json`, when there is one (listed in `followed`). */
  private parameterFile(file: SourceFile): Record<string, Value> | undefined {
    const m = /^(.*)\.jsonc?$/i.exec(file.path);
    if (!m) return undefined;
    for (const candidate of [`${m[1]}.parameters.json`, `${m[1]}.parameters.jsonc`]) {
      const text = this.fileText(candidate);
      if (text === undefined) continue;
      const json = parseJsonFile(candidate, text, this.problems, 'warning');
      this.followed.add(candidate);
      return parameterFileValues(toJson(json.root));
    }
    return undefined;
  }

  private fileText(path: string): string | undefined {
    const open = this.workspace.find((f) => f.path === path);
    if (open) return open.text;
    try {
      const text = this.host.readFile(path);
      return typeof text === 'string' ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /** A template's scope: its parameters (given values over defaults), variables and functions. */
  private templateCtx(
    file: JsonFile, root: Node, parameterValues: Record<string, Value> | undefined, scopeKind: DeploymentScopeKind, depth: number, links: readonly string[],
  ): TemplateCtx {
    const deployments = new Deployments((message) => this.unfollowed.add(message));
    const context: DeploymentContext = { scope: scopeKind, resolveReference: (call) => deployments.resolve(call) };
    const shell = { parameters: toJson(child(root, 'parameters')), variables: toJson(child(root, 'variables')), functions: toJson(child(root, 'functions')) };
    const scope = ArmScope.forTemplate(shell, { parameterValues, context });
    const ctx: TemplateCtx = { file, root, scope, deployments, id: ++this.templateCount, depth, links };
    this.registerDeployments(ctx, deployments);
    return ctx;
  }

  /** The resources of a template: an array, or an object keyed by symbolic name (languageVersion 2.0). */
  private resourcesOf(node: Node | undefined): { node: Node; symbolicName?: string; keyOffset?: number }[] {
    if (node?.type === 'array') return elements(node).map((n) => ({ node: n }));
    if (node?.type === 'object') return properties(node).map((p) => ({ node: p.node, symbolicName: p.key, keyOffset: p.keyOffset }));
    return [];
  }

  /** Registers the template's nested deployments (each iteration of a copy loop of known count) for `reference()`. */
  private registerDeployments(ctx: TemplateCtx, into: Deployments): void {
    for (const { node, symbolicName } of this.resourcesOf(child(ctx.root, 'resources'))) {
      if (node.type !== 'object') continue;
      const type = stringOf(child(node, 'type'));
      if (type === undefined || !isType(type, 'Microsoft.Resources/deployments')) continue;
      const copy = child(node, 'copy');
      if (!copy) {
        this.registerDeployment(ctx, into, node, ctx.scope, symbolicName, -1);
        continue;
      }
      const loop = displayText(this.evaluate(ctx.scope, child(copy, 'name'))) ?? 'copy';
      const count = this.evaluate(ctx.scope, child(copy, 'count'));
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COPY) {
        const why = typeof count === 'number' ? `has count ${count}` : `runs an unknown number of times (${reasonOf(count ?? null, 'the count', 'a non-negative integer')})`;
        into.addUnreadable(`the copy loop '${loop}' of the deployment ${sourceText(ctx.file, child(node, 'name') ?? node)} ${why}`);
        continue;
      }
      for (let i = 0; i < count; i++) this.registerDeployment(ctx, into, node, ctx.scope.inCopy(loop, i, 'resource'), undefined, i);
    }
  }

  /** Registers one deployment (one iteration of a copy loop), its outputs built when a `reference()` asks for them. */
  private registerDeployment(ctx: TemplateCtx, into: Deployments, node: Node, scope: ArmScope, symbolicName: string | undefined, iteration: number): void {
    let memo: Value | undefined;
    let state: 'new' | 'running' | 'done' = 'new';
    const outputs = (): Value | undefined => {
      if (state === 'running') return undefined;
      if (state === 'done') return memo;
      state = 'running';
      try {
        const target = this.deploymentTarget(ctx, node, scope);
        memo = target ? this.outputsOf(target) : undefined;
      } finally {
        state = 'done';
      }
      return memo;
    };
    const nameNode = child(node, 'name');
    const name = nameNode ? scope.evaluateValue(toJson(nameNode)) : undefined;
    if (name === undefined || name instanceof UnknownValue) into.addUnreadable(`the name of the deployment ${nameNode ? sourceText(ctx.file, nameNode) : '?'} is not known (${reasonOf(name, 'the name')})`);
    else into.add(name, outputs, node, iteration);
    if (symbolicName !== undefined) into.add(symbolicName, outputs, node, iteration);
  }

  private outputsOf(target: TemplateCtx): Value {
    const out: Record<string, Value> = {};
    for (const [name, decl] of entries(child(target.root, 'outputs'))) {
      const valueNode = child(decl, 'value');
      const value = valueNode ? target.scope.evaluateValue(toJson(valueNode)) : new UnknownValue(`amlnet does not evaluate the output '${name}' (an output copy loop)`);
      setKey(out, name, { type: stringOf(child(decl, 'type')) ?? 'object', value });
    }
    return { outputs: out };
  }

  private readTemplate(ctx: TemplateCtx): void {
    for (const { node, symbolicName, keyOffset } of this.resourcesOf(child(ctx.root, 'resources'))) {
      this.readResource(ctx, node, ctx.scope, undefined, symbolicName, keyOffset);
    }
  }

  private evaluate(scope: ArmScope, node: Node | undefined): Value | undefined {
    return node ? evaluateNode(scope, node) : undefined;
  }

  /** A resource: its copy loop, condition, type and name, then what it declares and its nested children. */
  private readResource(ctx: TemplateCtx, node: Node, scope: ArmScope, parent: Parent | undefined, symbolicName?: string, keyOffset?: number): void {
    if (node.type !== 'object') return;
    const path = ctx.file.path;
    if ((parent?.level ?? 0) >= MAX_CHILD_DEPTH) {
      this.problem(path, 'warning', `child resources nest more than ${MAX_CHILD_DEPTH} levels deep; amlnet does not read deeper ones`, spanOf(path, node));
      return;
    }
    const fields = children(node, RESOURCE_FIELDS);
    const typeValue = this.evaluate(scope, fields[TYPE]);
    if (typeof typeValue !== 'string' || typeValue === '') return;
    const type = parent ? composeType(parent.type, typeValue) : typeValue;
    const copy = fields[COPY];
    if (copy?.type !== 'object') {
      this.readInstance(ctx, node, fields, scope, type, parent, symbolicName, keyOffset);
      return;
    }
    const loop = displayText(this.evaluate(scope, child(copy, 'name'))) ?? 'copy';
    const count = this.evaluate(scope, child(copy, 'count'));
    const copySpan = spanOf(path, copy);
    if (typeof count === 'number' && Number.isInteger(count) && count >= 0) {
      if (count > MAX_COPY) this.problem(path, 'warning', `the copy loop '${loop}' has count ${count}, over ARM's limit of ${MAX_COPY}; amlnet reads the first ${MAX_COPY}`, copySpan);
      const n = Math.min(count, MAX_COPY);
      for (let i = 0; i < n; i++) this.readInstance(ctx, node, fields, scope.inCopy(loop, i, 'resource'), type, parent, symbolicName, keyOffset);
      return;
    }
    const why = reasonOf(count ?? null, `the count of the copy loop '${loop}'`, 'a non-negative integer');
    if (isType(type, 'Microsoft.Network/networkSecurityGroups/securityRules')) {
      // Rules of an unknown count may or may not exist: one rule of unknown priority stands for them.
      this.problem(path, 'warning', `the copy loop '${loop}' runs an unknown number of times (${why}); its rules are read as one rule that may or may not exist`, copySpan);
      const index = symbolic(`copyIndex('${loop.toLowerCase()}')`, `copyIndex('${loop}')`, 'int');
      this.readInstance(ctx, node, fields, scope.inCopy(loop, index, 'resource'), type, parent, symbolicName, keyOffset, why);
      return;
    }
    this.problem(path, 'warning', `the copy loop '${loop}' runs an unknown number of times (${why}); amlnet does not read the ${type} resources it declares`, copySpan);
  }

  private readInstance(
    ctx: TemplateCtx, node: Node, fields: readonly (Node | undefined)[], scope: ArmScope, type: string, parent: Parent | undefined, symbolicName: string | undefined, keyOffset: number | undefined,
    unknownCount?: string,
  ): void {
    const path = ctx.file.path;
    if (++this.instances > MAX_INSTANCES) {
      this.problem(path, 'warning', `the template declares more than ${MAX_INSTANCES} resources (copies included); amlnet reads the first ${MAX_INSTANCES}`);
      return;
    }
    const conditionNode = fields[CONDITION];
    if (conditionNode) {
      const condition = this.evaluate(scope, conditionNode);
      if (condition === false) return;
      if (condition !== true) {
        this.problem(path, 'warning', `the condition ${sourceText(ctx.file, conditionNode)} of this ${type} resource cannot be told before deployment (${reasonOf(condition, 'the condition', 'a boolean')}); amlnet reads the resource as if it is deployed`, spanOf(path, conditionNode));
      }
    }
    const nameNode = fields[NAME];
    const nameValue = this.evaluate(scope, nameNode);
    let segments = nameSegments(nameValue) ?? [nameNode ? sourceText(ctx.file, nameNode) : '?'];
    const wanted = slashes(type);
    if (parent && segments.length < wanted) segments = [...parent.segments, ...segments].slice(-wanted);
    const inst: Instance = {
      t: ctx, node, fields, scope, type, segments, span: spanOf(path, node), nameSpan: nameNode && spanOf(path, nameNode), symbolicName, keyOffset, unknownCount,
    };
    const existing = this.evaluate(scope, fields[EXISTING]) === true;
    if (!existing) this.declare(inst);
    // Nested child resources: short type and name, composed with this resource's.
    for (const { node: c, keyOffset: k } of this.resourcesOf(fields[RESOURCES])) {
      this.readResource(ctx, c, scope, { type, segments, level: (parent?.level ?? 0) + 1 }, undefined, k);
    }
  }

  private declare(inst: Instance): void {
    const t = inst.type.toLowerCase();
    switch (t) {
      case 'microsoft.network/networksecuritygroups': return this.readNsg(inst);
      case 'microsoft.network/networksecuritygroups/securityrules': return this.readChildRule(inst);
      case 'microsoft.network/virtualnetworks': return this.readVnet(inst);
      case 'microsoft.network/virtualnetworks/subnets': return this.readChildSubnet(inst);
      case 'microsoft.network/networkinterfaces': return this.readNic(inst);
      case 'microsoft.network/routetables': return this.readRouteTable(inst);
      case 'microsoft.network/routetables/routes': return this.readChildRoute(inst);
      case 'microsoft.machinelearningservices/workspaces': return this.readWorkspace(inst);
      case 'microsoft.machinelearningservices/workspaces/computes': return this.readCompute(inst);
      case 'microsoft.network/azurefirewalls': return this.readFirewall(inst, 'firewall');
      case 'microsoft.network/firewallpolicies': return this.readFirewall(inst, 'firewall-policy');
      case 'microsoft.network/firewallpolicies/rulecollectiongroups': return this.readRuleCollectionGroup(inst);
      case 'microsoft.resources/deployments': return this.readDeployment(inst);
      default: return undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private key(inst: Instance, segments: readonly string[] = inst.segments, type = inst.type): string {
    // Joined rather than concatenated: one flat string, where `+` and template strings leave a
    // chain of pieces that every element, link and index holding the key keeps alive.
    const base = [inst.t.file.path, '#', type, '/', segments.join('/')].join('');
    // Added first and then checked by size: one lookup for the usual new key rather than two.
    const size = this.keys.size;
    this.keys.add(base);
    if (this.keys.size > size) return base;
    let key = base;
    for (let n = 2; this.keys.has(key); n++) key = `${base}[${n}]`;
    this.keys.add(key);
    return key;
  }

  private properties(inst: Instance): Located {
    return located(inst.scope, inst.fields[PROPERTIES]);
  }

  private last(inst: Instance): string {
    return inst.segments[inst.segments.length - 1];
  }

  private parentOf(inst: Instance, what: string): string | undefined {
    if (inst.segments.length >= 2) return inst.segments.slice(0, -1).join('/');
    this.problem(inst.t.file.path, 'warning', `the ${what} ${inst.segments.join('/')} is not named '<parent>/<name>'; amlnet cannot tell which resource it belongs to`, inst.nameSpan ?? inst.span);
    return undefined;
  }

  /** A link, with a problem when it is not known because a `reference()` to a nested deployment was not followed. */
  private reported(link: Link | undefined, what: string, path: string): Link | undefined {
    const why = link?.unresolved;
    if (why === undefined || this.unfollowed.size === 0) return link;
    for (const message of this.unfollowed) {
      if (why.includes(message)) {
        this.problem(link!.span?.file ?? path, 'warning', `${what} is not known: ${message}`, link!.span);
        break;
      }
    }
    return link;
  }

  private location(inst: Instance): Maybe<Region> | undefined {
    const node = inst.fields[LOCATION];
    return node ? regionOf(this.evaluate(inst.scope, node)) : undefined;
  }

  private isMarked(inst: Instance): boolean {
    if (!inst.t.file.markComments) return false;
    const path = inst.t.file.path;
    let marks = this.marks.get(path);
    if (!marks) {
      marks = markOffsets(inst.t.file.text);
      this.marks.set(path, marks);
    }
    if (marks.size === 0) return false;
    const node = inst.node;
    const first = firstKeyOffset(node);
    return marks.has(node.offset) || (inst.keyOffset !== undefined && marks.has(inst.keyOffset)) || (first !== undefined && marks.has(first));
  }

  // ---------------------------------------------------------------------------------------------
  // Network security groups

  private readNsg(inst: Instance): void {
    const path = inst.t.file.path;
    const props = this.properties(inst);
    const rules = at(props, 'securityRules');
    const count = lengthOf(rules);
    const given = count !== undefined || rules.value !== undefined;
    const propsNode = inst.fields[PROPERTIES];
    const copy = propsNode?.type === 'object' ? copyEntry(propsNode, 'securityRules') : undefined;
    const keyAt = (copy ? child(copy, 'name') : undefined) ?? keyNode(propsNode, 'securityRules')
      ?? (given && propsNode?.type === 'string' ? propsNode : undefined);
    const entry: NsgEntry = {
      key: this.key(inst),
      name: inst.segments.join('/'),
      span: inst.span,
      nameSpan: inst.nameSpan,
      location: this.location(inst),
      inline: [],
      child: [],
      hasRulesKey: given || keyAt !== undefined,
      securityRulesSpan: keyAt && spanOf(path, keyAt),
      marked: this.isMarked(inst),
      template: inst.t.id,
    };
    const rulesSpan = entry.securityRulesSpan ?? inst.span;
    if (count !== undefined) {
      for (let i = 0; i < count; i++) entry.inline.push(inlineRule(item(rules, i), i, rulesSpan, inst.t.file, this.shared));
    } else if (rules.value !== undefined && rules.value !== null) {
      const why = reasonOf(rules.value, 'securityRules', 'a list');
      this.problem(path, 'warning', `the security rules of NSG ${entry.name} are not known before deployment (${why}); every verdict that a rule could change is unknown`, rulesSpan);
      entry.inline.push(unknownRule('securityRules', why, rulesSpan, 'inline'));
    }
    this.nsgs.push(entry);
  }

  private readChildRule(inst: Instance): void {
    const parent = this.parentOf(inst, 'security rule');
    if (parent === undefined) return;
    let rule = ruleFromProperties(this.last(inst), inst.nameSpan, this.properties(inst), inst.span, 'child', inst.t.file.path, this.shared);
    if (inst.unknownCount !== undefined) {
      rule = { ...rule, priority: unknown(`the copy loop that declares ${rule.name} runs an unknown number of times (${inst.unknownCount}), so this rule may or may not exist`) };
    }
    this.childRules.push({ parent, item: rule, template: inst.t.id, span: inst.span, what: `security rule ${rule.name}` });
  }

  // ---------------------------------------------------------------------------------------------
  // Virtual networks and subnets

  private readVnet(inst: Instance): void {
    const path = inst.t.file.path;
    const props = this.properties(inst);
    const name = inst.segments.join('/');
    const subnetKeys: string[] = [];
    const model: VnetModel = {
      kind: 'vnet',
      key: this.key(inst),
      name,
      span: inst.span,
      nameSpan: inst.nameSpan,
      addressPrefixes: stringList([at(at(props, 'addressSpace'), 'addressPrefixes')], 'address prefix', path, inst.span),
      subnets: subnetKeys,
    };
    const entry: VnetEntry = { model, subnets: subnetKeys, template: inst.t.id };
    this.vnets.push(entry);
    const subnets = at(props, 'subnets');
    const count = lengthOf(subnets);
    if (count !== undefined) {
      for (let i = 0; i < count; i++) {
        const loc = item(subnets, i);
        const nameLoc = at(loc, 'name');
        const subnetName = displayText(nameLoc.value) ?? `subnets[${i}]`;
        const node = loc.node ?? loc.each;
        const span = node ? spanOf(path, node) : inst.span;
        const subnet = this.subnet(inst, [...inst.segments, subnetName], at(loc, 'properties'), span, nameLoc.node && spanOf(path, nameLoc.node), model.key);
        entry.subnets.push(subnet.key);
        this.subnets.push(subnet);
      }
    } else if (subnets.value !== undefined && subnets.value !== null) {
      this.problem(path, 'warning', `the subnets of VNet ${name} are not known before deployment (${reasonOf(subnets.value, 'subnets', 'a list')})`, subnets.node ? spanOf(path, subnets.node) : inst.span);
    }
  }

  private subnet(inst: Instance, segments: readonly string[], props: Located, span: SourceSpan, nameSpan: SourceSpan | undefined, vnet: string | undefined): SubnetModel {
    const file = inst.t.file;
    const delegations: string[] = [];
    const list = at(props, 'delegations');
    const listCount = lengthOf(list);
    if (listCount !== undefined) {
      for (let i = 0; i < listCount; i++) {
        const d = item(list, i);
        const service = displayText(at(at(d, 'properties'), 'serviceName').value) ?? displayText(at(d, 'name').value);
        if (service !== undefined) delegations.push(service);
      }
    }
    const model: SubnetModel = {
      kind: 'subnet',
      key: this.key(inst, segments, `${providerAndType(inst.type)}/subnets`),
      name: segments[segments.length - 1],
      span,
      nameSpan,
      vnet,
      addressPrefixes: stringList([at(props, 'addressPrefix'), at(props, 'addressPrefixes')], 'address prefix', file.path, span),
      nsg: this.reported(linkOf(at(props, 'networkSecurityGroup'), file), `the NSG of subnet ${segments[segments.length - 1]}`, file.path),
      routeTable: this.reported(linkOf(at(props, 'routeTable'), file), `the route table of subnet ${segments[segments.length - 1]}`, file.path),
      delegations,
    };
    return model;
  }

  private readChildSubnet(inst: Instance): void {
    const parent = this.parentOf(inst, 'subnet');
    if (parent === undefined) return;
    const subnet = this.subnet(inst, inst.segments, this.properties(inst), inst.span, inst.nameSpan, undefined);
    this.childSubnets.push({ parent, item: subnet, template: inst.t.id, span: inst.span, what: `subnet ${subnet.name}` });
  }

  // ---------------------------------------------------------------------------------------------
  // NICs, route tables

  private readNic(inst: Instance): void {
    const props = this.properties(inst);
    const subnets: Link[] = [];
    const configs = at(props, 'ipConfigurations');
    const configsCount = lengthOf(configs);
    if (configsCount !== undefined) {
      for (let i = 0; i < configsCount; i++) {
        const link = this.reported(linkOf(at(at(item(configs, i), 'properties'), 'subnet'), inst.t.file), `the subnet of NIC ${inst.segments.join('/')}`, inst.t.file.path);
        if (link) subnets.push(link);
      }
    }
    this.nics.push({
      kind: 'nic', key: this.key(inst), name: inst.segments.join('/'), span: inst.span, nameSpan: inst.nameSpan,
      nsg: this.reported(linkOf(at(props, 'networkSecurityGroup'), inst.t.file), `the NSG of NIC ${inst.segments.join('/')}`, inst.t.file.path), subnets,
    });
  }

  private route(name: string, props: Located, span: SourceSpan, path: string): RouteModel {
    const field = (k: string): Read<string> => {
      const loc = at(props, k);
      return readOf(loc, maybeString(loc.value, k), path, span);
    };
    const hop = at(props, 'nextHopIpAddress');
    return {
      name,
      addressPrefix: field('addressPrefix'),
      nextHopType: field('nextHopType'),
      ...(hop.value !== undefined ? { nextHopIpAddress: field('nextHopIpAddress') } : {}),
      span,
    };
  }

  private readRouteTable(inst: Instance): void {
    const path = inst.t.file.path;
    const props = this.properties(inst);
    const routeList: RouteModel[] = [];
    const entry: RouteTableEntry = {
      model: { kind: 'route-table', key: this.key(inst), name: inst.segments.join('/'), span: inst.span, nameSpan: inst.nameSpan, routes: routeList },
      routes: routeList,
      template: inst.t.id,
    };
    const routes = at(props, 'routes');
    const routesCount = lengthOf(routes);
    if (routesCount !== undefined) {
      for (let i = 0; i < routesCount; i++) {
        const loc = item(routes, i);
        const node = loc.node ?? loc.each;
        entry.routes.push(this.route(displayText(at(loc, 'name').value) ?? `routes[${i}]`, at(loc, 'properties'), node ? spanOf(path, node) : inst.span, path));
      }
    }
    this.routeTables.push(entry);
  }

  private readChildRoute(inst: Instance): void {
    const parent = this.parentOf(inst, 'route');
    if (parent === undefined) return;
    const route = this.route(this.last(inst), this.properties(inst), inst.span, inst.t.file.path);
    this.childRoutes.push({ parent, item: route, template: inst.t.id, span: inst.span, what: `route ${route.name}` });
  }

  // ---------------------------------------------------------------------------------------------
  // Azure ML

  private readWorkspace(inst: Instance): void {
    const path = inst.t.file.path;
    const props = this.properties(inst);
    const hbi = at(props, 'hbiWorkspace');
    const locationNode = inst.fields[LOCATION];
    this.workspaces.push({
      kind: 'aml-workspace',
      key: this.key(inst),
      name: inst.segments.join('/'),
      span: inst.span,
      nameSpan: inst.nameSpan,
      // Azure creates a workspace without the hbi flag unless the template sets it.
      hbi: hbi.value === undefined || hbi.value === null
        ? { value: false, span: inst.span }
        : readOf(hbi, maybeBoolean(hbi.value, 'hbiWorkspace'), path, inst.span),
      location: {
        value: this.location(inst) ?? unknown('the workspace has no location'),
        span: locationNode ? spanOf(path, locationNode) : inst.span,
      },
    });
  }

  private readCompute(inst: Instance): void {
    const path = inst.t.file.path;
    const file = inst.t.file;
    const props = this.properties(inst);
    const typeLoc = at(props, 'computeType');
    const computeType = maybeString(typeLoc.value, 'computeType');
    const inner = at(props, 'properties');
    const workspaceName = inst.segments.length >= 2 ? inst.segments.slice(0, -1).join('/') : undefined;
    const subnet = this.reported(linkOf(at(inner, 'subnet'), file)
      ?? linkOf(at(at(inner, 'aksNetworkingConfiguration'), 'subnetId'), file, null), `the subnet of compute ${this.last(inst)}`, path);
    const publicIpLoc = at(inner, 'enableNodePublicIp');
    const hasNodes = isUnknown(computeType) || /^(AmlCompute|ComputeInstance)$/i.test(computeType);
    let publicIp: Read<boolean>;
    if (publicIpLoc.value !== undefined && publicIpLoc.value !== null) {
      publicIp = readOf(publicIpLoc, maybeBoolean(publicIpLoc.value, 'enableNodePublicIp'), path, inst.span);
    } else if (hasNodes) {
      // Azure gives the nodes a public IP unless the template turns it off.
      publicIp = { value: true, span: inst.span };
    } else {
      publicIp = { value: unknown(`a ${String(computeType)} compute has no enableNodePublicIp setting`), span: inst.span };
    }
    this.computes.push({
      kind: 'aml-compute',
      key: this.key(inst),
      name: this.last(inst),
      span: inst.span,
      nameSpan: inst.nameSpan,
      computeType: readOf(typeLoc, computeType, path, inst.span),
      workspace: workspaceName === undefined ? undefined : {
        ref: { type: 'microsoft.machinelearningservices/workspaces', name: workspaceName }, text: workspaceName, span: inst.nameSpan,
      },
      subnet,
      publicIp,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Firewalls

  private collection(loc: Located, kind: string, props: Located, fallback: SourceSpan, path: string, index: number): FirewallModel['ruleCollections'][number] {
    const node = loc.node ?? loc.each;
    const span = node ? spanOf(path, node) : fallback;
    const priority = at(props, 'priority');
    return {
      name: displayText(at(loc, 'name').value) ?? `ruleCollections[${index}]`,
      priority: readOf(priority, maybeNumber(priority.value, 'the priority'), path, span),
      kind,
      span,
      raw: loc.value ?? null,
    };
  }

  private readFirewall(inst: Instance, kind: 'firewall' | 'firewall-policy'): void {
    const path = inst.t.file.path;
    const props = this.properties(inst);
    const entry: FirewallEntry = {
      model: { kind, key: this.key(inst), name: inst.segments.join('/'), span: inst.span, nameSpan: inst.nameSpan, ruleCollections: [] },
      collections: [],
      template: inst.t.id,
    };
    if (kind === 'firewall') {
      const ip = at(at(item(at(props, 'ipConfigurations'), 0), 'properties'), 'privateIPAddress');
      const policy = linkOf(at(props, 'firewallPolicy'), inst.t.file);
      entry.model = {
        ...entry.model,
        ...(ip.value !== undefined ? { privateIp: readOf(ip, maybeString(ip.value, 'privateIPAddress'), path, inst.span) } : {}),
        ...(policy ? { policy } : {}),
      };
      const proxy = at(at(props, 'additionalProperties'), 'Network.DNS.EnableProxy');
      if (proxy.value !== undefined) entry.model = { ...entry.model, dnsProxy: readOf(proxy, maybeBoolean(proxy.value, 'Network.DNS.EnableProxy'), path, inst.span) };
      for (const [key, k] of [['applicationRuleCollections', 'application'], ['networkRuleCollections', 'network'], ['natRuleCollections', 'nat']] as const) {
        const list = at(props, key);
        const listCount = lengthOf(list);
        if (listCount === undefined) continue;
        for (let i = 0; i < listCount; i++) {
          const loc = item(list, i);
          entry.collections.push(this.collection(loc, k, at(loc, 'properties'), inst.span, path, i));
        }
      }
    } else {
      const base = linkOf(at(props, 'basePolicy'), inst.t.file);
      const proxy = at(at(props, 'dnsSettings'), 'enableProxy');
      entry.model = {
        ...entry.model,
        ...(base ? { basePolicy: base } : {}),
        ...(proxy.value !== undefined ? { dnsProxy: readOf(proxy, maybeBoolean(proxy.value, 'dnsSettings.enableProxy'), path, inst.span) } : {}),
      };
    }
    this.firewalls.push(entry);
  }

  private readRuleCollectionGroup(inst: Instance): void {
    const parent = this.parentOf(inst, 'rule collection group');
    if (parent === undefined) return;
    const path = inst.t.file.path;
    const list = at(this.properties(inst), 'ruleCollections');
    const listCount = lengthOf(list);
    if (listCount === undefined) return;
    const groupPriority = at(this.properties(inst), 'priority');
    const group = { name: this.last(inst), priority: readOf(groupPriority, maybeNumber(groupPriority.value, 'the priority'), path, inst.span), span: inst.span };
    for (let i = 0; i < listCount; i++) {
      const loc = item(list, i);
      const kind = displayText(at(loc, 'ruleCollectionType').value) ?? 'unknown';
      const collection = { ...this.collection(loc, kind, loc, inst.span, path, i), group };
      this.childCollections.push({ parent, item: collection, template: inst.t.id, span: collection.span ?? inst.span, what: `rule collection ${collection.name}` });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Nested deployments

  private readDeployment(inst: Instance): void {
    const target = this.deploymentTarget(inst.t, inst.node, inst.scope);
    if (target) this.readTemplate(target);
  }

  /**
   * The template a deployment resource deploys and the scope it evaluates in: an inline template
   * in its own scope (`inner`, with the parameters passed) or the parent's (`outer`, ARM's
   * default), or a template linked by `relativePath`. Built once per resource and scope.
   */
  private deploymentTarget(ctx: TemplateCtx, node: Node, scope: ArmScope): TemplateCtx | undefined {
    let built = this.targets.get(node.doc);
    if (!built) {
      built = new Map();
      this.targets.set(node.doc, built);
    }
    const memo = built.get(node.index);
    if (memo && memo.scope === scope) return memo.ctx;
    const target = this.buildTarget(ctx, node, scope);
    if (!memo) built.set(node.index, { scope, ctx: target });
    return target;
  }

  private buildTarget(ctx: TemplateCtx, node: Node, scope: ArmScope): TemplateCtx | undefined {
    const path = ctx.file.path;
    const span = spanOf(path, node);
    if (ctx.depth >= MAX_NESTING) {
      this.problem(path, 'warning', `deployments nest more than ${MAX_NESTING} levels deep; amlnet does not read deeper ones`, span);
      return undefined;
    }
    const props = child(node, 'properties');
    const nameNode = child(node, 'name');
    const deploymentName = displayText(this.evaluate(scope, nameNode)) ?? (nameNode ? sourceText(ctx.file, nameNode) : '?');
    const template = child(props, 'template');
    const link = child(props, 'templateLink');
    if (template?.type === 'object') {
      const evaluation = this.evaluate(scope, child(child(props, 'expressionEvaluationOptions'), 'scope'));
      if (typeof evaluation === 'string' && evaluation.toLowerCase() === 'inner') {
        const kind = templateScopeOf(stringOf(child(template, '$schema'))) ?? 'resourceGroup';
        return this.templateCtx(ctx.file, template, this.deploymentParameters(ctx, props, scope, deploymentName), kind, ctx.depth + 1, ctx.links);
      }
      // Outer scope: the nested template's expressions are the parent's.
      const outer: TemplateCtx = { ...ctx, root: template, scope, id: ++this.templateCount, depth: ctx.depth + 1 };
      this.registerDeployments(outer, ctx.deployments);
      return outer;
    }
    if (link?.type !== 'object') return undefined;
    const relative = this.evaluate(scope, child(link, 'relativePath'));
    if (relative === undefined) {
      const where = displayText(this.evaluate(scope, child(link, 'uri'))) ?? displayText(this.evaluate(scope, child(link, 'id')));
      const what = where === undefined ? 'the linked template' : `the linked template ${where}`;
      this.problem(path, 'info', `${what} is not followed: amlnet reads only templates linked by relativePath`, spanOf(path, link));
      return undefined;
    }
    if (typeof relative !== 'string') {
      this.problem(path, 'warning', `the linked template's relativePath is not known (${reasonOf(relative, 'relativePath')}); it is not followed`, spanOf(path, link));
      return undefined;
    }
    const linked = joinPath(path, relative);
    if (ctx.links.includes(linked)) {
      this.problem(path, 'warning', `the linked template ${linked} links back to itself; it is read once`, spanOf(path, link));
      return undefined;
    }
    const file = this.linkedFile(linked);
    if (!file) {
      this.problem(path, 'warning', `the linked template ${linked} cannot be read; what it deploys is not checked`, spanOf(path, link));
      return undefined;
    }
    if (file.root?.type !== 'object') return undefined;
    const kind = templateScopeOf(stringOf(child(file.root, '$schema'))) ?? 'resourceGroup';
    return this.templateCtx(file, file.root, this.deploymentParameters(ctx, props, scope, deploymentName), kind, ctx.depth + 1, [...ctx.links, linked]);
  }

  /** The value in a deployment's parameter given other than as `{"value": ...}` or a Key Vault reference. */
  private passedObject(scope: ArmScope, entry: Node, name: string, deployment: string): Value {
    const isCopy = entry.type === 'object' && child(entry, 'copy')?.type === 'array';
    if (entry.type !== 'string' && !isCopy) {
      return new UnknownValue(`the deployment ${deployment} passes '${name}' neither as {"value": ...} nor as a Key Vault reference`);
    }
    const given = scope.evaluateValue(toJson(entry));
    if (isPlainObject(given) && Object.prototype.hasOwnProperty.call(given, 'value')) return given.value;
    if (given instanceof UnknownValue) return new UnknownValue(`the deployment ${deployment} passes '${name}' as a value not known before deployment (${given.reason})`);
    if (given instanceof SymbolicValue || given instanceof TemplateString) {
      return new UnknownValue(`the deployment ${deployment} passes '${name}' as ${given.text}, known only at deployment`);
    }
    return new UnknownValue(`the deployment ${deployment} passes '${name}' as ${isCopy ? 'a copy loop' : 'an expression'} that gives no {"value": ...} object`);
  }

  private linkedFile(path: string): JsonFile | undefined {
    if (this.files.has(path)) return this.files.get(path);
    const text = this.fileText(path);
    const file = text === undefined ? undefined : parseJsonFile(path, text, this.problems);
    this.files.set(path, file);
    if (file) this.followed.add(path);
    return file;
  }

  /** The values a deployment passes, evaluated in the deploying template's scope. */
  private deploymentParameters(ctx: TemplateCtx, props: Node | undefined, scope: ArmScope, deployment: string): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const [name, entry] of entries(child(props, 'parameters'))) {
      const valueNode = child(entry, 'value');
      if (valueNode) {
        setKey(out, name, scope.evaluateValue(toJson(valueNode)));
      } else if (entry.type === 'object' && child(entry, 'reference')) {
        // A Key Vault reference: a value fixed only at deployment.
        const secret = parameterFileValues({ parameters: { [name]: toJson(entry) } })[name];
        setKey(out, name, secret === undefined || secret instanceof UnknownValue
          ? new UnknownValue(`the deployment ${deployment} passes '${name}' as a reference that is not a Key Vault secret reference`)
          : secret);
      } else {
        // The parameter object as an expression (`[if(..., createObject('value', ...), ...)]`, how
        // Bicep compiles a conditional module parameter) or with a property copy loop on `value`.
        setKey(out, name, this.passedObject(scope, entry, name, deployment));
      }
    }
    const parametersLink = child(props, 'parametersLink');
    if (parametersLink) this.problem(ctx.file.path, 'info', 'the deployment\'s parametersLink is not followed; its parameters take their defaults', spanOf(ctx.file.path, parametersLink));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The model

  /** Attaches child resources to their parents (same template first) and builds the model. */
  model(): WorkspaceModel {
    const attach = <P extends { template: number }, T>(
      parents: readonly P[], nameOf: (p: P) => string, pending: readonly Pending<T>[], add: (p: P, item: T) => void, kind: string,
    ): void => {
      const byName = new Map<string, P[]>();
      for (const p of parents) {
        const k = nameOf(p).toLowerCase();
        const list = byName.get(k) ?? [];
        list.push(p);
        byName.set(k, list);
      }
      for (const c of pending) {
        const candidates = byName.get(c.parent.toLowerCase()) ?? [];
        const target = candidates.find((p) => p.template === c.template) ?? candidates[0];
        if (target) add(target, c.item);
        else this.problem(c.span.file, 'warning', `the ${c.what} belongs to ${kind} ${c.parent}, which is not declared in the templates read; amlnet does not check it`, c.span);
      }
    };
    attach(this.nsgs, (n) => n.name, this.childRules, (n, r) => n.child.push(r), 'NSG');
    // A subnet of a VNet declared elsewhere (another file, an existing VNet) is kept without it.
    const vnetNames = new Set(this.vnets.map((v) => v.model.name.toLowerCase()));
    for (const o of this.childSubnets) if (!vnetNames.has(o.parent.toLowerCase())) this.subnets.push(o.item);
    attach(this.vnets, (v) => v.model.name, this.childSubnets.filter((o) => vnetNames.has(o.parent.toLowerCase())), (v, s) => {
      const subnet = { ...s, vnet: v.model.key };
      v.subnets.push(subnet.key);
      this.subnets.push(subnet);
    }, 'VNet');
    attach(this.routeTables, (r) => r.model.name, this.childRoutes, (r, route) => r.routes.push(route), 'route table');
    attach(this.firewalls.filter((f) => f.model.kind === 'firewall-policy'), (f) => f.model.name, this.childCollections, (f, c) => f.collections.push(c), 'firewall policy');

    const nsgs: NsgModel[] = this.nsgs.map((n) => {
      if (n.child.length > 0 && n.hasRulesKey) {
        this.problem(n.span.file, 'warning', `NSG ${n.name} has securityRules and child securityRules resources: a redeployment replaces the child rules with the securityRules list`, n.securityRulesSpan ?? n.span);
      }
      const ruleStyle: NsgModel['ruleStyle'] = n.inline.length > 0 ? 'inline' : n.child.length > 0 ? 'child' : n.hasRulesKey ? 'inline' : 'none';
      // Properties set one by one rather than spread in (V8 spreads objects through a slow runtime call).
      const model: { -readonly [K in keyof NsgModel]: NsgModel[K] } = { kind: 'nsg', key: n.key, name: n.name, span: n.span } as NsgModel;
      if (n.nameSpan) model.nameSpan = n.nameSpan;
      if (n.location !== undefined) model.location = n.location;
      model.rules = n.inline.concat(n.child);
      model.ruleStyle = ruleStyle;
      if (n.securityRulesSpan) model.securityRulesSpan = n.securityRulesSpan;
      if (n.marked) model.marked = true;
      return model;
    });
    return {
      vnets: this.vnets.map((v) => v.model),
      subnets: this.subnets,
      nsgs,
      nics: this.nics,
      routeTables: this.routeTables.map((r) => r.model),
      workspaces: this.workspaces,
      computes: this.computes,
      firewalls: this.firewalls.map((f) => ({ ...f.model, ruleCollections: f.collections })),
      problems: this.problems,
    };
  }
}
