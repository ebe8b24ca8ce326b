/**
 * Static evaluation of Bicep expressions to template values (`../template/value`): what is known
 * before deployment is computed, what is fixed only at deployment becomes a SymbolicValue (or a
 * TemplateString with symbolic parts), and the rest an UnknownValue with the reason. Nothing here
 * throws to the caller, and all work is bounded (a step budget, a nesting limit, loop sizes).
 *
 * Bicep compiles to ARM, so its system functions are ARM's: calls go to the ARM evaluator's
 * `callBuiltin` except for the lambda functions (map, filter, ...) and a few Bicep-only ones.
 *
 * One `BicepProgram` is one file as deployed once: the entry template, a `.bicepparam` file, or
 * an instance of a module with the params passed to it. Resources and modules evaluate to
 * handles (`ResourceHandle`, `ModuleHandle`) whose `.id` is a `ResourceIdValue` naming the
 * element key the reader gives the resource, so links need no guessing.
 */
import { callBuiltin, type CallEnv } from '../arm/arm-functions';
import {
  AccessError, Budget, EvaluationLimit, MAX_STRING_LENGTH, armString, dotnetBool, getIndex, getProperty, hasOwn, isPartial,
  joinParts, setKey, valuesEqual,
} from '../arm/arm-values';
import type { DeploymentContext } from '../arm/deployment-context';
import type { SourceSpan } from '../model/workspace-model';
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import { parseBicep } from './parser';
import type {
  BicepFile, CallExpression, Expression, ForExpression, FunctionDeclaration, Identifier, ImportDeclaration, LambdaExpression,
  ModuleDeclaration, ObjectExpression, ObjectProperty, OutputDeclaration, ParameterDeclaration, ResourceDeclaration,
  VariableDeclaration,
} from './syntax';

/** Most items a `for` expression or loop produces; longer loops are unknown. */
export const MAX_LOOP_ITEMS = 800;
/** Nesting limit of the evaluation (expressions inside variables inside functions ...). */
const MAX_EVAL_DEPTH = 150;
/** Evaluation steps allowed for one read (an entry file with its modules). */
export const DEFAULT_BUDGET = 3_000_000;
/** Module instances one read follows at most (modules in loops of modules ...). */
const MAX_MODULE_INSTANCES = 200;
/** How deep modules may call modules. */
const MAX_MODULE_DEPTH = 12;

// ---- values that stand for declarations ----------------------------------------------------

/**
 * `nsg.id` of a resource declared in the files read: the element key it becomes, its type and
 * name. Symbolic, since the id itself (subscription, resource group) is fixed at deployment.
 */
export class ResourceIdValue extends SymbolicValue {
  constructor(
    readonly key: string,
    /** Full resource type, lower case: `microsoft.network/networksecuritygroups`. */
    readonly type: string,
    readonly name: Value,
    /** Declared `existing`: the resource is not deployed by these files. */
    readonly existing: boolean,
    text: string,
  ) {
    super(`resource:${key}.id`, text);
  }
}

/** A resource symbol (`nsg`, `nsgs[0]`, `vnet::subnet`) as a value; `.id`, `.name` etc. read through it. */
export class ResourceHandle extends SymbolicValue {
  constructor(readonly instance: ResourceInstance) {
    super(`resource:${instance.key}`, instance.text);
  }
}

/** A module symbol as a value: `.outputs.x` evaluates the module's output. */
export class ModuleHandle extends SymbolicValue {
  constructor(readonly instance: ModuleInstance) {
    super(`module:${instance.key}`, instance.text);
  }
}

/** A lambda as a value (only lambda functions can use it; anywhere else it is unknown). */
export class LambdaValue extends UnknownValue {
  constructor(readonly node: LambdaExpression, readonly program: BicepProgram, readonly locals: Locals | undefined) {
    super('a lambda is not a value');
  }
}

/** `import * as ns`, or the `sys` / `az` namespaces, as a value for `ns.x` and `ns.f()`. */
export class NamespaceValue extends UnknownValue {
  constructor(readonly name: string, readonly program: BicepProgram | undefined) {
    super(`'${name}' is a namespace, not a value`);
  }
}

/** Where an object literal was written, and where each of its properties' values is. */
export interface ObjectOrigin {
  readonly span: SourceSpan;
  /** Where the value of the property `key` (spelled exactly so) was written, if in a literal. */
  property(key: string): SourceSpan | undefined;
  /**
   * `property` of each key of `keys` (a map from key to its slot, 0 to size - 1), in one pass over
   * the literal's members; into `out` when given (a caller reading many objects reuses one list).
   */
  properties(keys: ReadonlyMap<string, number>, out?: (SourceSpan | undefined)[]): (SourceSpan | undefined)[];
}

/**
 * An object literal's origin, worked out only when asked for: most evaluated objects are never
 * asked, and those that are are asked for a few keys. Keeps the literal's node (no parent links,
 * so only its subtree), the file's path, and the evaluated keys of `${...}` keys and spread values
 * in source order (undefined when there are none).
 */
class LazyOrigin implements ObjectOrigin {
  constructor(
    private readonly file: string,
    private readonly node: ObjectExpression,
    private readonly extra: readonly Value[] | undefined,
  ) {}

  get span(): SourceSpan {
    return { file: this.file, start: this.node.start, end: this.node.end };
  }

  property(key: string): SourceSpan | undefined {
    const members = this.node.properties;
    const extra = this.extra;
    // The last member that sets `key` decides (as in the evaluation); `e` counts down the extra
    // values, which belong to `${...}` keys and spreads in source order.
    let e = extra === undefined ? 0 : extra.length;
    for (let i = members.length - 1; i >= 0; i--) {
      const m = members[i];
      if (m.kind === 'property') {
        const k = m.key;
        const name = keyName(k) ?? (typeof k !== 'string' && k.kind === 'interpolatedString' ? (extra as readonly Value[])[--e] : undefined);
        if (name === key) return { file: this.file, start: m.value.start, end: m.value.end };
      } else if (m.kind === 'spread') {
        const v = (extra as readonly Value[])[--e];
        if (v !== null && hasOwn(v as object, key)) return OriginField.get(v as object)?.property(key);
      }
    }
    return undefined;
  }

  properties(keys: ReadonlyMap<string, number>, into?: (SourceSpan | undefined)[]): (SourceSpan | undefined)[] {
    const out = into === undefined ? new Array<SourceSpan | undefined>(keys.size) : into;
    out.fill(undefined, 0, keys.size);
    const members = this.node.properties;
    const extra = this.extra;
    // As `property`, for all keys at once: the last member that sets a key decides, so a key's
    // slot is filled only once, going backward.
    let e = extra === undefined ? 0 : extra.length;
    let left = keys.size;
    for (let i = members.length - 1; i >= 0 && left > 0; i--) {
      const m = members[i];
      if (m.kind === 'property') {
        const k = m.key;
        const name = keyName(k) ?? (typeof k !== 'string' && k.kind === 'interpolatedString' ? (extra as readonly Value[])[--e] : undefined);
        if (typeof name !== 'string') continue;
        const j = keys.get(name);
        if (j !== undefined && out[j] === undefined) {
          out[j] = { file: this.file, start: m.value.start, end: m.value.end };
          left--;
        }
      } else if (m.kind === 'spread') {
        const v = (extra as readonly Value[])[--e];
        if (v === null) continue;
        for (const [key, j] of keys) {
          if (out[j] !== undefined || !hasOwn(v as object, key)) continue;
          // A key the spread value has is decided by it, even where its own origin is unknown.
          out[j] = OriginField.get(v as object)?.property(key) ?? DECIDED;
          left--;
        }
      }
    }
    for (let j = 0; j < out.length; j++) if (out[j] === DECIDED) out[j] = undefined;
    return out;
  }
}

/** A placeholder in `LazyOrigin.properties` for a key decided by a spread value without a known origin. */
const DECIDED: SourceSpan = { file: '', start: 0, end: 0 };

/** A base class whose constructor returns the object it is given, so `new` of a subclass adds the subclass's fields to that object. */
class OnObject {
  constructor(o: object) {
    return o as OnObject;
  }
}

/**
 * Each object literal's value carries its origin in a private field, added to the plain object by
 * `new OriginField(object, origin)` (through `OnObject`): no `Object.keys`, spread, symbol
 * listing, `JSON.stringify` or deep comparison sees it, a copy does not have it, and adding it
 * costs about as much as adding a property. (A WeakMap cost one ephemeron per object for the
 * collector; a non-enumerable symbol property took a slow `Object.defineProperty` per object.)
 */
class OriginField extends OnObject {
  readonly #origin: ObjectOrigin;

  constructor(o: object, origin: ObjectOrigin) {
    super(o);
    this.#origin = origin;
  }

  static get(v: object): ObjectOrigin | undefined {
    return #origin in v ? (v as OriginField).#origin : undefined;
  }
}

/** Where an object value was written (its literal), if it came from one. */
export function originOf(v: Value): ObjectOrigin | undefined {
  return typeof v === 'object' && v !== null ? OriginField.get(v) : undefined;
}

// ---- declarations --------------------------------------------------------------------------

/** Loop variables and lambda parameters in scope: a linked list, innermost first. */
export interface Locals {
  readonly name: string;
  readonly value: Value;
  readonly next: Locals | undefined;
}

function bind(locals: Locals | undefined, name: string, value: Value): Locals {
  return { name, value, next: locals };
}

function lookupLocal(locals: Locals | undefined, name: string): Value | undefined {
  for (let l = locals; l !== undefined; l = l.next) if (l.name === name) return l.value;
  return undefined;
}

/** A resource declaration of a program, nested ones included. */
export interface ResourceInfo {
  readonly decl: ResourceDeclaration;
  readonly symbol: string;
  /** The element key without a loop index. */
  readonly key: string;
  /** Full type, lower case, without the API version. */
  readonly type: string;
  readonly existing: boolean;
  /** The resource it is nested in (`resource child 'subnets' = ...` inside the parent's body). */
  readonly parent?: ResourceInfo;
  readonly program: BicepProgram;
}

/** What every deployed copy of a resource or module has. */
interface DeployedInstance {
  readonly key: string;
  readonly text: string;
  readonly index?: number;
  readonly locals: Locals | undefined;
  /** The body object expression, or undefined when the body is not an object (broken source). */
  readonly body: ObjectExpression | undefined;
  /** The `if` condition: true when there is none. */
  readonly condition: Value;
  /** Body property values already worked out, as key, value, key, value ... (see `bodyProperty`; a copy keeps one or two). */
  bodyValues: (string | Value)[] | undefined;
}

/** One deployed copy of a resource: the only one, or one per loop item. */
export interface ResourceInstance extends DeployedInstance {
  readonly info: ResourceInfo;
  readonly parentInstance?: ResourceInstance;
}

/** One deployed copy of a module. */
export interface ModuleInstance extends DeployedInstance {
  readonly decl: ModuleDeclaration;
  /** The module's own program (undefined when its file could not be read). */
  readonly program: BicepProgram | undefined;
  /** The program that declares the module, where its body is evaluated. */
  readonly caller: BicepProgram;
}

/** Shared by every program of one read: the budget, the files, the module instances. */
export class EvalSession {
  readonly budget: Budget;
  depth = 0;
  /** How often an evaluation was cut short (nesting limit, budget, stack): memos keep only results made without. */
  limits = 0;
  moduleInstances = 0;
  /** Module instances created, for the reader to walk. */
  readonly modules: { instance: ModuleInstance; program: BicepProgram | UnknownValue }[] = [];
  /** Files read through the host (modules, imports), by path. */
  readonly files = new Map<string, BicepFile | undefined>();
  /** Programs for `import` sources: one per file, without params. */
  readonly imports = new Map<string, BicepProgram>();
  readonly context: DeploymentContext = {};
  /** What each file declares, by name: the same for every program of the file (a module used 200 times is looked through once). */
  private readonly declared = new Map<BicepFile, Declarations>();

  constructor(readonly readFile: (path: string) => string | undefined, budget = DEFAULT_BUDGET) {
    this.budget = new Budget(budget);
  }

  file(path: string): BicepFile | undefined {
    if (this.files.has(path)) return this.files.get(path);
    let parsed: BicepFile | undefined;
    try {
      const text = this.readFile(path);
      parsed = text === undefined ? undefined : parseBicep(text);
    } catch {
      parsed = undefined;
    }
    this.files.set(path, parsed);
    return parsed;
  }

  /** The declarations of a file, by name. */
  declarations(file: BicepFile): Declarations {
    let d = this.declared.get(file);
    if (d === undefined) {
      d = new Declarations(file);
      this.declared.set(file, d);
    }
    return d;
  }
}

/** The params, vars, outputs, functions, modules and imports a file declares, by name. */
class Declarations {
  readonly params = new Map<string, ParameterDeclaration>();
  readonly vars = new Map<string, VariableDeclaration>();
  readonly outputs = new Map<string, OutputDeclaration>();
  // Maps that most files never fill are made on first use.
  funcs: Map<string, FunctionDeclaration> | undefined;
  moduleDecls: Map<string, ModuleDeclaration> | undefined;
  importedNames: Map<string, { from: string; name: string }> | undefined;
  namespaces: Map<string, string> | undefined;

  constructor(file: BicepFile) {
    for (const s of file.statements) {
      switch (s.kind) {
        case 'param': if (s.name.kind === 'identifier') this.params.set(s.name.name, s); break;
        case 'var': if (s.name.kind === 'identifier') this.vars.set(s.name.name, s); break;
        case 'output': if (s.name.kind === 'identifier') this.outputs.set(s.name.name, s); break;
        case 'func': if (s.name.kind === 'identifier') (this.funcs ??= new Map()).set(s.name.name, s); break;
        case 'module': if (s.name.kind === 'identifier') (this.moduleDecls ??= new Map()).set(s.name.name, s); break;
        case 'import': this.declareImport(s); break;
        default: break;
      }
    }
  }

  private declareImport(s: ImportDeclaration): void {
    if (s.from.kind !== 'string') return;
    const from = s.from.value;
    if (s.wildcardAlias?.kind === 'identifier') (this.namespaces ??= new Map()).set(s.wildcardAlias.name, from);
    for (const item of s.items ?? []) {
      const name = item.name.kind === 'identifier' || item.name.kind === 'string' ? (item.name.kind === 'identifier' ? item.name.name : item.name.value) : undefined;
      if (name === undefined) continue;
      const alias = item.alias?.kind === 'identifier' ? item.alias.name : name;
      (this.importedNames ??= new Map()).set(alias, { from, name });
    }
  }
}

/** How a program resolves a relative path (`./m.bicep`) against its file. */
export type PathJoiner = (fromFile: string, relative: string) => string;

type Lazy = { state: 'todo' | 'busy' | 'done'; value: Value | undefined };

/** A memo entry of copies being worked out. */
const PENDING = Symbol('pending');

/** One Bicep file as deployed once: its declarations, and the values it was given. */
export class BicepProgram {
  // The file's declarations by name (shared by its programs).
  private readonly params: ReadonlyMap<string, ParameterDeclaration>;
  private readonly vars: ReadonlyMap<string, VariableDeclaration>;
  private readonly outputs: ReadonlyMap<string, OutputDeclaration>;
  private readonly funcs: ReadonlyMap<string, FunctionDeclaration> | undefined;
  private readonly moduleDecls: ReadonlyMap<string, ModuleDeclaration> | undefined;
  private readonly importedNames: ReadonlyMap<string, { from: string; name: string }> | undefined;
  private readonly namespaces: ReadonlyMap<string, string> | undefined;
  private readonly resourceInfos: ResourceInfo[] = [];
  private readonly resourcesBySymbol = new Map<string, ResourceInfo>();
  /** Values of params, vars and outputs, by name. */
  private readonly paramMemo = new Map<string, Lazy>();
  private varMemo: Map<string, Lazy> | undefined;
  private outputMemo: Map<string, Lazy> | undefined;
  /** Copies of resources and modules; `PENDING` while they are being worked out (a memo hit on it is a cycle). */
  private readonly instanceMemo = new Map<ResourceInfo, ResourceInstance[] | UnknownValue | typeof PENDING>();
  private moduleMemo: Map<ModuleDeclaration, ModuleInstance[] | UnknownValue | typeof PENDING> | undefined;

  constructor(
    readonly file: BicepFile,
    /** The file's path, as spans and keys name it. */
    readonly path: string,
    readonly session: EvalSession,
    readonly joinPath: PathJoiner,
    /** Values given to params (by a `.bicepparam` file or a module's `params`). */
    private readonly given: ReadonlyMap<string, Value> = new Map(),
    /** Prefix of element keys: '' for an entry, the module instance's path for a module. */
    readonly prefix = '',
    readonly moduleDepth = 0,
  ) {
    const d = session.declarations(file);
    this.params = d.params;
    this.vars = d.vars;
    this.outputs = d.outputs;
    this.funcs = d.funcs;
    this.moduleDecls = d.moduleDecls;
    this.importedNames = d.importedNames;
    this.namespaces = d.namespaces;
    // Resources are this program's own: their element keys carry its prefix.
    for (const s of file.statements) if (s.kind === 'resource') this.declareResource(s, undefined);
  }

  private declareResource(decl: ResourceDeclaration, parent: ResourceInfo | undefined): void {
    if (decl.name.kind !== 'identifier') return;
    const symbol = decl.name.name;
    const rawType = decl.type.kind === 'string' ? beforeAt(decl.type.value) : '';
    const type = (parent && !rawType.includes('.') ? `${parent.type}/${rawType}` : rawType).toLowerCase();
    const key = parent ? `${parent.key}::${symbol}` : `${this.path}#${this.prefix}${symbol}`;
    const info: ResourceInfo = { decl, symbol, key, type, existing: decl.existing, parent, program: this };
    this.resourceInfos.push(info);
    if (!parent) this.resourcesBySymbol.set(symbol, info);
    const body = bodyObject(decl.value);
    if (body) for (const m of body.properties) if (m.kind === 'resource') this.declareResource(m, info);
  }

  /** Every resource declaration, nested ones after their parent, in source order. */
  get resources(): readonly ResourceInfo[] {
    return this.resourceInfos;
  }

  /** Every module declaration. */
  get modules(): readonly ModuleDeclaration[] {
    return this.moduleDecls === undefined ? [] : [...this.moduleDecls.values()];
  }

  /** A span in this program's file. */
  span(node: { start: number; end: number }): SourceSpan {
    return { file: this.path, start: node.start, end: node.end };
  }

  // ---- public evaluation -----------------------------------------------------------------

  /** Evaluates an expression of this file; never throws. */
  evaluate(expr: Expression, locals?: Locals): Value {
    // `guard` without its closure: this is called for every body property the reader reads.
    const depth = this.session.depth;
    try {
      return this.eval(expr, locals);
    } catch (e) {
      return this.cutShort(e, depth);
    }
  }

  /** The value of a param as this deployment sees it. */
  param(name: string): Value {
    return this.guard(() => this.paramValue(name));
  }

  /** The value of a var. */
  variable(name: string): Value {
    return this.guard(() => this.varValue(name));
  }

  /** The value of an output. */
  output(name: string): Value {
    return this.guard(() => this.outputValue(name));
  }

  /** The deployed copies of a resource, or why they are not known. */
  instances(info: ResourceInfo): ResourceInstance[] | UnknownValue {
    // `guard` without its closure: the reader asks this of every resource.
    const depth = this.session.depth;
    try {
      return this.resourceInstances(info);
    } catch (e) {
      return this.cutShort(e, depth);
    }
  }

  /** The deployed copies of a module (each with its program), or why they are not known. */
  moduleInstances(decl: ModuleDeclaration): ModuleInstance[] | UnknownValue {
    const depth = this.session.depth;
    try {
      return this.moduleCopies(decl);
    } catch (e) {
      return this.cutShort(e, depth);
    }
  }

  private guard<T>(run: () => T): T | UnknownValue {
    const depth = this.session.depth;
    try {
      return run();
    } catch (e) {
      return this.cutShort(e, depth);
    }
  }

  /** What an evaluation that threw gives: the limit it hit as an unknown value (anything else is rethrown). */
  private cutShort(e: unknown, depth: number): UnknownValue {
    this.session.depth = depth;
    this.session.limits++;
    if (e instanceof EvaluationLimit) return new UnknownValue(e.message);
    if (e instanceof RangeError) return new UnknownValue('the expression is nested too deeply to evaluate');
    throw e;
  }

  // ---- declarations ----------------------------------------------------------------------

  /**
   * The value of a declaration, worked out once (`memo` holds the declarations of one kind by
   * name). Callers look for a finished entry first.
   */
  private lazy(memo: Map<string, Lazy>, name: string, decl: ParameterDeclaration | VariableDeclaration | OutputDeclaration): Value {
    let entry = memo.get(name);
    if (entry === undefined) {
      // With its value's slot from the start (added later, it would take a second allocation).
      entry = { state: 'todo', value: undefined };
      memo.set(name, entry);
    }
    if (entry.state === 'done') return entry.value as Value;
    if (entry.state === 'busy') {
      this.session.limits++;
      return new UnknownValue(`${decl.kind} '${name}' refers to itself (a cycle)`);
    }
    entry.state = 'busy';
    try {
      entry.value = this.declarationValue(decl, name);
    } finally {
      entry.state = entry.value === undefined ? 'todo' : 'done';
    }
    return entry.value;
  }

  private declarationValue(decl: ParameterDeclaration | VariableDeclaration | OutputDeclaration, name: string): Value {
    switch (decl.kind) {
      case 'param':
        if (this.given.has(name)) return this.given.get(name) as Value;
        if (decl.value !== null) return this.eval(decl.value, undefined);
        return new SymbolicValue(`param:${name}`, name);
      case 'var':
        return this.eval(decl.value, undefined);
      case 'output': {
        const v = decl.value;
        if (v.kind === 'for') return this.forExpression(v, undefined);
        if (v.kind === 'if') {
          const c = this.eval(v.condition, undefined);
          if (c === false) return null;
          return this.eval(v.body, undefined);
        }
        return this.eval(v, undefined);
      }
    }
  }

  private paramValue(name: string): Value {
    const done = this.paramMemo.get(name);
    if (done !== undefined && done.state === 'done') return done.value as Value;
    const decl = this.params.get(name);
    if (decl === undefined) return new UnknownValue(`the template declares no param '${name}'`);
    return this.lazy(this.paramMemo, name, decl);
  }

  private varValue(name: string): Value {
    const done = this.varMemo?.get(name);
    if (done !== undefined && done.state === 'done') return done.value as Value;
    const decl = this.vars.get(name);
    if (decl === undefined) return new UnknownValue(`the template declares no var '${name}'`);
    return this.lazy(this.varMemo ??= new Map(), name, decl);
  }

  private outputValue(name: string): Value {
    const done = this.outputMemo?.get(name);
    if (done !== undefined && done.state === 'done') return done.value as Value;
    const decl = this.outputs.get(name);
    if (decl === undefined) return new UnknownValue(`the module declares no output '${name}'`);
    return this.lazy(this.outputMemo ??= new Map(), name, decl);
  }

  private resourceInstances(info: ResourceInfo): ResourceInstance[] | UnknownValue {
    const memo = this.instanceMemo.get(info);
    if (memo === PENDING) {
      this.session.limits++;
      return new UnknownValue(`resource '${info.symbol}' depends on itself`);
    }
    if (memo !== undefined) return memo;
    this.instanceMemo.set(info, PENDING);
    let result: ResourceInstance[] | UnknownValue;
    if (info.parent) {
      const parents = this.resourceInstances(info.parent);
      if (parents instanceof UnknownValue) result = parents;
      else {
        const out: ResourceInstance[] = [];
        for (const p of parents) {
          const own = this.copies(info, p.locals, p.key, p);
          if (own instanceof UnknownValue) { result = own; break; }
          out.push(...own);
        }
        result ??= out;
      }
    } else {
      result = this.copies(info, undefined, undefined, undefined);
    }
    this.instanceMemo.set(info, result);
    return result;
  }

  private copies(info: ResourceInfo, locals: Locals | undefined, parentKey: string | undefined, parent: ResourceInstance | undefined): ResourceInstance[] | UnknownValue {
    const baseKey = parentKey !== undefined ? `${parentKey}::${info.symbol}` : info.key;
    const baseText = parent ? `${parent.text}::${info.symbol}` : info.symbol;
    const value = info.decl.value;
    if (value.kind !== 'for') return [this.makeInstance(info, parent, baseKey, baseText, locals, value, undefined)];
    const items = this.loopItems(value, locals);
    if (items instanceof UnknownValue) return items;
    const out = new Array<ResourceInstance>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = this.makeInstance(info, parent, `${baseKey}[${i}]`, `${baseText}[${i}]`, items[i], value.body, i);
    return out;
  }

  private makeInstance(info: ResourceInfo, parent: ResourceInstance | undefined, key: string, text: string, l: Locals | undefined, body: Expression, index: number | undefined): ResourceInstance {
    let condition: Value = true;
    let b: Expression = body;
    if (b.kind === 'if') {
      condition = this.eval(b.condition, l);
      b = b.body;
    }
    return { info, key, text, index, locals: l, body: b.kind === 'object' ? b : undefined, condition, bodyValues: undefined, parentInstance: parent };
  }

  /** The scopes of a `for` loop's iterations (item and index bound), or why they are unknown. */
  private loopItems(node: ForExpression, locals: Locals | undefined): Locals[] | UnknownValue {
    const iterable = this.eval(node.iterable, locals);
    if (iterable instanceof UnknownValue) return new UnknownValue(`the loop runs over a value amlnet cannot know: ${iterable.reason}`);
    if (!Array.isArray(iterable)) {
      if (isPartial(iterable)) return new UnknownValue(`the loop runs over ${iterable instanceof SymbolicValue ? iterable.text : iterable.text}, known only at deployment`);
      return new UnknownValue('the loop runs over something that is not an array');
    }
    const arr = iterable as readonly Value[];
    if (arr.length > MAX_LOOP_ITEMS) return new UnknownValue(`the loop has ${arr.length} items, more than amlnet evaluates (${MAX_LOOP_ITEMS})`);
    const out: Locals[] = [];
    for (let i = 0; i < arr.length; i++) {
      let l = locals;
      if (node.item.kind === 'identifier') l = bind(l, node.item.name, arr[i]);
      if (node.index?.kind === 'identifier') l = bind(l, node.index.name, i);
      out.push(l as Locals);
    }
    return out;
  }

  private moduleCopies(decl: ModuleDeclaration): ModuleInstance[] | UnknownValue {
    const memo = this.moduleMemo?.get(decl);
    const symbol = decl.name.kind === 'identifier' ? decl.name.name : '?';
    if (memo === PENDING) {
      this.session.limits++;
      return new UnknownValue(`module '${symbol}' depends on itself`);
    }
    if (memo !== undefined) return memo;
    (this.moduleMemo ??= new Map()).set(decl, PENDING);
    let result: ModuleInstance[] | UnknownValue;
    const value = decl.value;
    if (decl.path.kind !== 'string') result = new UnknownValue(`the path of module '${symbol}' is not a plain string`);
    else if (isRegistryPath(decl.path.value)) result = new UnknownValue(`module '${symbol}' comes from ${decl.path.value}, which amlnet does not follow`);
    else if (this.moduleDepth >= MAX_MODULE_DEPTH) result = new UnknownValue(`modules are nested more than ${MAX_MODULE_DEPTH} deep`);
    else if (value.kind === 'for') {
      const items = this.loopItems(value, undefined);
      result = items instanceof UnknownValue ? items : items.map((l, i) => this.makeModule(decl, symbol, l, value.body, i));
    } else {
      result = [this.makeModule(decl, symbol, undefined, value, undefined)];
    }
    this.moduleMemo.set(decl, result);
    return result;
  }

  private makeModule(decl: ModuleDeclaration, symbol: string, locals: Locals | undefined, body: Expression, index: number | undefined): ModuleInstance {
    let condition: Value = true;
    let b = body;
    if (b.kind === 'if') {
      condition = this.eval(b.condition, locals);
      b = b.body;
    }
    const suffix = index === undefined ? '' : `[${index}]`;
    const key = `${this.prefix}${symbol}${suffix}`;
    const obj = b.kind === 'object' ? b : undefined;
    const path = this.joinPath(this.path, (decl.path as { value: string }).value);
    let program: BicepProgram | UnknownValue;
    const file = this.session.file(path);
    if (file === undefined) program = new UnknownValue(`cannot read the module file ${path}`);
    else if (++this.session.moduleInstances > MAX_MODULE_INSTANCES) program = new UnknownValue(`more than ${MAX_MODULE_INSTANCES} module instances`);
    else {
      const given = new Map<string, Value>();
      let paramsNode: ObjectProperty | undefined;
      for (const p of obj?.properties ?? []) {
        if (p.kind === 'property' && keyName(p.key) === 'params') {
          paramsNode = p;
          break;
        }
      }
      if (paramsNode) {
        const params = this.eval(paramsNode.value, locals);
        if (isPlainObject(params)) for (const k of Object.keys(params)) given.set(k, params[k]);
        else {
          const why = params instanceof UnknownValue ? params.reason : 'they are not an object';
          for (const s of file.statements) {
            if (s.kind === 'param' && s.name.kind === 'identifier') given.set(s.name.name, new UnknownValue(`the params of module '${symbol}' are unknown: ${why}`));
          }
        }
      }
      program = new BicepProgram(file, path, this.session, this.joinPath, given, `${key}/`, this.moduleDepth + 1);
    }
    const instance: ModuleInstance = { decl, key, text: `${symbol}${suffix}`, index, locals, body: obj, condition, bodyValues: undefined, program: program instanceof BicepProgram ? program : undefined, caller: this };
    this.session.modules.push({ instance, program });
    return instance;
  }

  private importProgram(from: string): BicepProgram | undefined {
    const path = this.joinPath(this.path, from);
    let p = this.session.imports.get(path);
    if (p === undefined) {
      const file = this.session.file(path);
      if (file === undefined) return undefined;
      p = new BicepProgram(file, path, this.session, this.joinPath, new Map(), `import:${path}/`, this.moduleDepth + 1);
      this.session.imports.set(path, p);
    }
    return p;
  }

  // ---- expressions -----------------------------------------------------------------------

  /** Evaluates an expression of this file without `evaluate`'s guard (for this module only). */
  eval(node: Expression, locals: Locals | undefined): Value {
    const s = this.session;
    s.budget.spend();
    if (++s.depth > MAX_EVAL_DEPTH) {
      s.depth--;
      s.limits++;
      return new UnknownValue('the expression is nested too deeply for amlnet to evaluate');
    }
    try {
      return this.evalNode(node, locals);
    } finally {
      s.depth--;
    }
  }

  private evalNode(node: Expression, locals: Locals | undefined): Value {
    switch (node.kind) {
      case 'string': return node.value;
      case 'integer': return node.value;
      case 'boolean': return node.value;
      case 'null': return null;
      case 'interpolatedString': return this.interpolate(node.segments, node.expressions, locals);
      case 'identifier': return this.identifier(node, locals);
      case 'object': return this.object(node, locals);
      case 'array': return this.array(node, locals);
      case 'for': return this.forExpression(node, locals);
      case 'if': return new UnknownValue('an if condition is not a value');
      case 'parenthesized': return this.eval(node.expression, locals);
      case 'nonNull': return this.eval(node.expression, locals);
      case 'ternary': return this.ternary(node.condition, node.whenTrue, node.whenFalse, locals);
      case 'unary': return this.unary(node.operator, this.eval(node.operand, locals), node);
      case 'binary': return this.binary(node.operator, node.left, node.right, locals);
      case 'propertyAccess': {
        if (node.name.kind !== 'identifier') return new UnknownValue(`${this.text(node)}: a property name is missing`);
        const target = this.eval(node.object, locals);
        return this.property(target, node.name.name, node.safe, node);
      }
      case 'indexAccess': return this.index(node, locals);
      case 'resourceAccess': return this.resourceAccess(node.object, node.name, locals);
      case 'call': return this.call(node, locals);
      case 'lambda': return new LambdaValue(node, this, locals);
      case 'error': return new UnknownValue('the source here could not be read');
    }
  }

  /** The source text of a node, shortened, for messages. */
  text(node: { start: number; end: number }): string {
    const t = this.file.text.slice(node.start, node.end).replace(/\s+/g, ' ');
    return t.length > 80 ? `${t.slice(0, 77)}...` : t;
  }

  private interpolate(segments: readonly string[], expressions: readonly Expression[], locals: Locals | undefined): Value {
    // While every part is a string the result is built directly; the first part known only at
    // deployment switches to a list of parts for a TemplateString.
    let text = segments[0];
    let parts: (string | SymbolicValue | TemplateString)[] | undefined;
    let length = segments[0].length;
    for (let i = 0; i < expressions.length; i++) {
      const v = this.eval(expressions[i], locals);
      if (v instanceof UnknownValue) return v instanceof LambdaValue || v instanceof NamespaceValue ? new UnknownValue(v.reason) : v;
      let part: string | SymbolicValue | TemplateString;
      if (typeof v === 'string' || v instanceof SymbolicValue || v instanceof TemplateString) part = v;
      else if (typeof v === 'number') part = String(v);
      else if (typeof v === 'boolean') part = dotnetBool(v);
      else if (v === null) part = '';
      else {
        const json = armString(v, this.session.budget);
        if (json === undefined) return new UnknownValue(`${this.text(expressions[i])} holds parts known only at deployment`);
        part = json;
      }
      if (typeof part === 'string') length += part.length;
      if (length > MAX_STRING_LENGTH) return new UnknownValue('the string is too long to evaluate');
      if (parts === undefined && typeof part === 'string') text = text + part + segments[i + 1];
      else if (parts === undefined) parts = [text, part, segments[i + 1]];
      else parts.push(part, segments[i + 1]);
    }
    return parts === undefined ? text : joinParts(parts);
  }

  private identifier(node: Identifier, locals: Locals | undefined): Value {
    const name = node.name;
    const local = lookupLocal(locals, name);
    if (local !== undefined) return local;
    if (this.params.has(name)) return this.paramValue(name);
    if (this.vars.has(name)) return this.varValue(name);
    const res = this.resourcesBySymbol.get(name);
    if (res) return this.resourceValue(res, undefined);
    const mod = this.moduleDecls?.get(name);
    if (mod) return this.moduleValue(mod);
    const imported = this.importedNames?.get(name);
    if (imported) {
      const p = this.importProgram(imported.from);
      if (!p) return new UnknownValue(`cannot read ${imported.from}, where '${name}' is imported from`);
      return p.eval({ kind: 'identifier', name: imported.name, start: 0, end: 0 }, undefined);
    }
    const ns = this.namespaces?.get(name);
    if (ns !== undefined) return new NamespaceValue(name, this.importProgram(ns));
    if (name === 'sys' || name === 'az') return new NamespaceValue(name, undefined);
    if (this.funcs?.has(name)) return new UnknownValue(`'${name}' is a function; call it`);
    return new UnknownValue(`'${name}' is not declared`);
  }

  private resourceValue(info: ResourceInfo, parent: ResourceInstance | undefined): Value {
    let list = this.resourceInstances(info);
    if (list instanceof UnknownValue) return list;
    if (parent) list = list.filter((i) => i.parentInstance === parent);
    if (info.decl.value.kind === 'for') return list.map((i) => new ResourceHandle(i));
    return list.length === 1 ? new ResourceHandle(list[0]) : new UnknownValue(`resource '${info.symbol}' has ${list.length} copies here`);
  }

  private moduleValue(decl: ModuleDeclaration): Value {
    const list = this.moduleCopies(decl);
    if (list instanceof UnknownValue) return list;
    if (decl.value.kind === 'for') return list.map((i) => new ModuleHandle(i));
    return new ModuleHandle(list[0]);
  }

  private resourceAccess(object: Expression, name: Identifier | { kind: 'error' }, locals: Locals | undefined): Value {
    const target = this.eval(object, locals);
    if (name.kind !== 'identifier') return new UnknownValue('a nested resource name is missing');
    if (!(target instanceof ResourceHandle)) return target instanceof UnknownValue ? target : new UnknownValue(`'::${name.name}' needs a resource on its left`);
    const parent = target.instance;
    const child = parent.info.program.resourceInfos.find((r) => r.parent === parent.info && r.symbol === name.name);
    if (!child) return new UnknownValue(`resource '${parent.info.symbol}' has no nested resource '${name.name}'`);
    return parent.info.program.resourceValue(child, parent);
  }

  private object(node: ObjectExpression, locals: Locals | undefined): Value {
    const out: Record<string, Value> = {};
    // The evaluated `${...}` keys and spread values, in order, for the origin (rare: usually none).
    let extra: Value[] | undefined;
    for (const m of node.properties) {
      if (m.kind === 'property') {
        const key = m.key;
        let k = typeof key === 'string' ? key : key.kind === 'string' ? key.value : undefined;
        if (k === undefined) {
          if (typeof key === 'string' || key.kind !== 'interpolatedString') continue;
          const kv = this.interpolate(key.segments, key.expressions, locals);
          if (typeof kv !== 'string') return new UnknownValue(`the property name ${this.text(key)} is not known`);
          k = kv;
          (extra ??= []).push(k);
        }
        const v = this.eval(m.value, locals);
        if (k === '__proto__') setKey(out, k, v);
        else out[k] = v;
      } else if (m.kind === 'spread') {
        const v = this.eval(m.expression, locals);
        (extra ??= []).push(v);
        if (v === null) continue;
        if (!isPlainObject(v)) return v instanceof UnknownValue ? v : new UnknownValue(`${this.text(m)}: only an object can be spread into an object`);
        for (const k of Object.keys(v)) setKey(out, k, v[k]);
      }
      // Nested resources are declarations, not values.
    }
    new OriginField(out, new LazyOrigin(this.path, node, extra));
    return out;
  }

  private array(node: { items: readonly (Expression | { kind: 'spread'; expression: Expression; start: number; end: number })[] }, locals: Locals | undefined): Value {
    const out: Value[] = [];
    for (const item of node.items) {
      if (item.kind === 'spread') {
        const v = this.eval(item.expression, locals);
        if (!Array.isArray(v)) return v instanceof UnknownValue ? v : new UnknownValue(`${this.text(item)}: only an array can be spread into an array`);
        out.push(...(v as readonly Value[]));
      } else {
        out.push(this.eval(item, locals));
      }
      if (out.length > 100_000) return new UnknownValue('the array is too long to evaluate');
    }
    return out;
  }

  private forExpression(node: ForExpression, locals: Locals | undefined): Value {
    const items = this.loopItems(node, locals);
    if (items instanceof UnknownValue) return items;
    const out: Value[] = [];
    for (const l of items) {
      let body = node.body;
      if (body.kind === 'if') {
        const c = this.eval(body.condition, l);
        if (c === false) continue;
        if (c !== true) return new UnknownValue(`the loop's filter ${this.text(body.condition)} is not known: ${describe(c)}`);
        body = body.body;
      }
      out.push(this.eval(body, l));
    }
    return out;
  }

  private ternary(c: Expression, t: Expression, f: Expression, locals: Locals | undefined): Value {
    const cond = this.eval(c, locals);
    if (cond === true) return this.eval(t, locals);
    if (cond === false) return this.eval(f, locals);
    const a = this.eval(t, locals);
    const b = this.eval(f, locals);
    if (!(a instanceof UnknownValue) && valuesEqual(a, b, this.session.budget) === true) return a;
    return new UnknownValue(`the result depends on the condition ${this.text(c)}, ${cond instanceof UnknownValue ? `which is unknown (${cond.reason})` : 'which is known only at deployment'}`);
  }

  private unary(op: '!' | '-' | '+', v: Value, node: Expression): Value {
    if (v instanceof UnknownValue) return v;
    if (op === '!') {
      if (typeof v === 'boolean') return !v;
      return unknownFrom(v, `${this.text(node)}`);
    }
    if (typeof v === 'number') return op === '-' ? -v : v;
    return unknownFrom(v, this.text(node));
  }

  private binary(op: string, leftNode: Expression, rightNode: Expression, locals: Locals | undefined): Value {
    if (op === '&&' || op === '||') {
      const l = this.eval(leftNode, locals);
      const decisive = op === '||';
      if (l === decisive) return l;
      const r = this.eval(rightNode, locals);
      if (r === decisive) return r;
      if (typeof l === 'boolean' && typeof r === 'boolean') return !decisive;
      if (l instanceof UnknownValue) return l;
      if (r instanceof UnknownValue) return r;
      return unknownFrom(typeof l === 'boolean' ? r : l, this.binaryText(op, leftNode, rightNode));
    }
    if (op === '??') {
      const l = this.eval(leftNode, locals);
      if (l === null) return this.eval(rightNode, locals);
      if (l instanceof UnknownValue && !(l instanceof LambdaValue)) {
        return l;
      }
      if (l instanceof SymbolicValue && !(l instanceof ResourceHandle) && !(l instanceof ModuleHandle) && !(l instanceof ResourceIdValue)) {
        return new UnknownValue(`${this.binaryText(op, leftNode, rightNode)}: whether ${l.text} is null is known only at deployment`);
      }
      return l;
    }
    const l = this.eval(leftNode, locals);
    const r = this.eval(rightNode, locals);
    if (l instanceof UnknownValue) return l;
    if (r instanceof UnknownValue) return r;
    const b = this.session.budget;
    switch (op) {
      case '==': case '!=': {
        const e = valuesEqual(l, r, b);
        if (e === undefined) return unknownFrom(isPartial(l) ? l : r, this.binaryText(op, leftNode, rightNode));
        return op === '==' ? e : !e;
      }
      case '=~': case '!~': {
        if (typeof l === 'string' && typeof r === 'string') {
          const e = l.toLowerCase() === r.toLowerCase();
          return op === '=~' ? e : !e;
        }
        return unknownFrom(isPartial(l) ? l : r, this.binaryText(op, leftNode, rightNode));
      }
      default: break;
    }
    if (typeof l === 'number' && typeof r === 'number') {
      switch (op) {
        case '<': return l < r;
        case '<=': return l <= r;
        case '>': return l > r;
        case '>=': return l >= r;
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return r === 0 ? new UnknownValue(`${this.binaryText(op, leftNode, rightNode)}: division by zero`) : Math.trunc(l / r);
        case '%': return r === 0 ? new UnknownValue(`${this.binaryText(op, leftNode, rightNode)}: division by zero`) : l % r;
      }
    }
    if (typeof l === 'string' && typeof r === 'string' && ['<', '<=', '>', '>='].includes(op)) {
      const c = l < r ? -1 : l > r ? 1 : 0;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    if (isPartial(l) || isPartial(r)) return unknownFrom(isPartial(l) ? l : r, this.binaryText(op, leftNode, rightNode));
    return new UnknownValue(`${this.binaryText(op, leftNode, rightNode)}: the operator ${op} does not apply to these values`);
  }

  /** `left op right` as written, for messages. */
  private binaryText(op: string, leftNode: Expression, rightNode: Expression): string {
    return `${this.text(leftNode)} ${op} ${this.text(rightNode)}`;
  }

  /** `target.name` (`safe`: `.?`, missing is null). */
  private property(target: Value, name: string, safe: boolean, node: Expression): Value {
    if (target === null && safe) return null;
    if (target instanceof NamespaceValue) {
      if (target.program) return target.program.eval({ kind: 'identifier', name, start: 0, end: 0 }, undefined);
      return new UnknownValue(`${this.text(node)}: amlnet does not evaluate '${name}' of ${target.name}`);
    }
    if (target instanceof ResourceHandle) return resourceProperty(target.instance, name);
    if (target instanceof ModuleHandle) return moduleProperty(target.instance, name);
    if (target instanceof ResourceIdValue) return new UnknownValue(`${this.text(node)}: a resource id has no properties`);
    if (isPlainObject(target) && safe && !hasOwn(target, name) && !Object.keys(target).some((k) => k.toLowerCase() === name.toLowerCase())) return null;
    const r = getProperty(target, name);
    return r instanceof AccessError ? new UnknownValue(`${this.text(node)}: ${r.message}`) : r;
  }

  private index(node: Extract<Expression, { kind: 'indexAccess' }>, locals: Locals | undefined): Value {
    const target = this.eval(node.object, locals);
    if (target === null && node.safe) return null;
    if (target instanceof UnknownValue) return target;
    let index = this.eval(node.index, locals);
    if (index instanceof UnknownValue) return index;
    if (node.fromEnd) {
      if (!Array.isArray(target) || typeof index !== 'number') return new UnknownValue(`${this.text(node)}: [^i] needs a known array and index`);
      index = (target as readonly Value[]).length - index;
    }
    if (typeof index === 'string' && (target instanceof ResourceHandle || target instanceof ModuleHandle)) return this.property(target, index, node.safe, node);
    if (node.safe) {
      if (Array.isArray(target) && typeof index === 'number' && (index < 0 || index >= target.length)) return null;
      if (isPlainObject(target) && typeof index === 'string' && !hasOwn(target, index)) return null;
    }
    const r = getIndex(target, index, this.session.budget);
    return r instanceof AccessError ? new UnknownValue(`${this.text(node)}: ${r.message}`) : r;
  }

  // ---- calls ------------------------------------------------------------------------------

  private call(node: CallExpression, locals: Locals | undefined): Value {
    const name = node.name.name;
    if (node.target !== null) {
      const target = this.eval(node.target, locals);
      if (target instanceof NamespaceValue) {
        if (target.program) return target.program.callFunction(name, node, this, locals);
        return this.builtin(name, node, locals);
      }
      return new UnknownValue(`${this.text(node)}: amlnet does not evaluate methods of a value`);
    }
    if (lookupLocal(locals, name) === undefined && this.funcs?.has(name) === true) return this.callFunction(name, node, this, locals);
    const imported = this.importedNames?.get(name);
    if (imported) {
      const p = this.importProgram(imported.from);
      if (!p) return new UnknownValue(`cannot read ${imported.from}, where '${name}' is imported from`);
      return p.callFunction(imported.name, node, this, locals);
    }
    return this.builtin(name, node, locals);
  }

  /** Calls this program's `func` with arguments evaluated in `caller`. */
  private callFunction(name: string, node: CallExpression, caller: BicepProgram, locals: Locals | undefined): Value {
    const decl = this.funcs?.get(name);
    if (decl === undefined) {
      const imported = this.importedNames?.get(name);
      if (imported) {
        const p = this.importProgram(imported.from);
        if (p) return p.callFunction(imported.name, node, caller, locals);
      }
      return new UnknownValue(`${caller.text(node)}: no function '${name}' is declared`);
    }
    if (decl.lambda.kind !== 'typedLambda') return new UnknownValue(`${caller.text(node)}: the function '${name}' could not be read`);
    const ps = decl.lambda.parameters;
    if (ps.length !== node.arguments.length) return new UnknownValue(`${caller.text(node)}: ${name}() takes ${ps.length} arguments, not ${node.arguments.length}`);
    let fl: Locals | undefined;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p.kind !== 'typedParameter' || p.name.kind !== 'identifier') return new UnknownValue(`${caller.text(node)}: a parameter of '${name}' could not be read`);
      fl = bind(fl, p.name.name, caller.eval(node.arguments[i], locals));
    }
    // A function sees only its parameters (and other functions), never params or vars.
    return this.eval(decl.lambda.body, fl);
  }

  private lambdaArg(node: CallExpression, i: number, locals: Locals | undefined): LambdaValue | UnknownValue {
    const v = this.eval(node.arguments[i], locals);
    if (v instanceof LambdaValue) return v;
    return v instanceof UnknownValue ? v : new UnknownValue(`${this.text(node)}: argument ${i + 1} must be a lambda`);
  }

  private applyLambda(fn: LambdaValue, args: readonly Value[]): Value {
    let l = fn.locals;
    fn.node.parameters.forEach((p, i) => {
      if (p.kind === 'identifier') l = bind(l, p.name, i < args.length ? args[i] : null);
    });
    return fn.program.eval(fn.node.body, l);
  }

  /** Argument `i` of a call as a known array, or why it is not one. */
  private knownArray(node: CallExpression, i: number, locals: Locals | undefined): readonly Value[] | UnknownValue {
    const v = this.eval(node.arguments[i], locals);
    if (Array.isArray(v)) return v as readonly Value[];
    return v instanceof UnknownValue ? v : new UnknownValue(`${this.text(node)}: argument ${i + 1} must be an array${isPartial(v) ? ' known before deployment' : ''}`);
  }

  private builtin(name: string, node: CallExpression, locals: Locals | undefined): Value {
    const lower = name.toLowerCase();
    const argc = node.arguments.length;
    switch (lower) {
      case 'any': return argc === 1 ? this.eval(node.arguments[0], locals) : new UnknownValue(`${this.text(node)}: any() takes 1 argument`);
      case 'map': case 'filter': case 'sort': case 'reduce': case 'toobject': case 'groupby': case 'mapvalues': {
        if (argc < 2) return new UnknownValue(`${this.text(node)}: ${name}() needs a lambda`);
        if (lower === 'mapvalues') {
          const obj = this.eval(node.arguments[0], locals);
          const fn = this.lambdaArg(node, 1, locals);
          if (fn instanceof UnknownValue && !(fn instanceof LambdaValue)) return fn;
          if (!isPlainObject(obj)) return obj instanceof UnknownValue ? obj : new UnknownValue(`${this.text(node)}: argument 1 must be an object`);
          const out: Record<string, Value> = {};
          for (const k of Object.keys(obj)) setKey(out, k, this.applyLambda(fn as LambdaValue, [obj[k]]));
          return out;
        }
        const arr = this.knownArray(node, 0, locals);
        if (arr instanceof UnknownValue) return arr;
        if (lower === 'reduce') {
          if (argc !== 3) return new UnknownValue(`${this.text(node)}: reduce() takes 3 arguments`);
          let acc = this.eval(node.arguments[1], locals);
          const fn = this.lambdaArg(node, 2, locals);
          if (!(fn instanceof LambdaValue)) return fn;
          for (let i = 0; i < arr.length; i++) acc = this.applyLambda(fn, [acc, arr[i], i]);
          return acc;
        }
        const fn = this.lambdaArg(node, 1, locals);
        if (!(fn instanceof LambdaValue)) return fn;
        if (lower === 'map') return arr.map((x, i) => this.applyLambda(fn, [x, i]));
        if (lower === 'filter') {
          const out: Value[] = [];
          for (let i = 0; i < arr.length; i++) {
            const keep = this.applyLambda(fn, [arr[i], i]);
            if (keep === true) out.push(arr[i]);
            else if (keep !== false) return new UnknownValue(`${this.text(node)}: the filter's result for item ${i} is not known: ${describe(keep)}`);
          }
          return out;
        }
        if (lower === 'sort') {
          const out = [...arr];
          let failed: Value | undefined;
          // Insertion sort: bounded by the loop limit, and the comparison may be unknown.
          if (out.length > MAX_LOOP_ITEMS) return new UnknownValue(`${this.text(node)}: the array is too long to sort`);
          for (let i = 1; i < out.length && failed === undefined; i++) {
            for (let j = i; j > 0; j--) {
              const less = this.applyLambda(fn, [out[j], out[j - 1]]);
              if (less === true) [out[j], out[j - 1]] = [out[j - 1], out[j]];
              else if (less === false) break;
              else { failed = less; break; }
            }
          }
          return failed === undefined ? out : new UnknownValue(`${this.text(node)}: a comparison is not known: ${describe(failed)}`);
        }
        if (lower === 'toobject') {
          const valueFn = argc >= 3 ? this.lambdaArg(node, 2, locals) : undefined;
          if (valueFn !== undefined && !(valueFn instanceof LambdaValue)) return valueFn;
          const out: Record<string, Value> = {};
          for (const x of arr) {
            const k = this.applyLambda(fn, [x]);
            if (typeof k !== 'string') return new UnknownValue(`${this.text(node)}: a key is not a known string: ${describe(k)}`);
            setKey(out, k, valueFn ? this.applyLambda(valueFn, [x]) : x);
          }
          return out;
        }
        // groupBy
        const out: Record<string, Value[]> = {};
        for (const x of arr) {
          const k = this.applyLambda(fn, [x]);
          if (typeof k !== 'string') return new UnknownValue(`${this.text(node)}: a key is not a known string: ${describe(k)}`);
          if (!hasOwn(out, k)) setKey(out as Record<string, Value>, k, []);
          out[k].push(x);
        }
        return out;
      }
      case 'flatten': {
        const arr = this.knownArray(node, 0, locals);
        if (arr instanceof UnknownValue) return arr;
        const out: Value[] = [];
        for (const x of arr) {
          if (!Array.isArray(x)) return x instanceof UnknownValue ? x : new UnknownValue(`${this.text(node)}: every item must be an array`);
          out.push(...(x as readonly Value[]));
        }
        return out;
      }
      case 'loadtextcontent': case 'loadjsoncontent': case 'loadyamlcontent': case 'loadfileasbase64': case 'readenvironmentvariable': case 'getsecret':
        return new UnknownValue(`${this.text(node)}: amlnet does not evaluate ${name}()`);
      case 'parameters': case 'variables': case 'copyindex':
        return new UnknownValue(`${this.text(node)}: ${name}() is not a Bicep function`);
      default: break;
    }
    return callBuiltin(new ProgramCallEnv(this, name, node, locals));
  }

}

/** What a call of a built-in function in a program sees: one object per call, its arguments evaluated on demand. */
class ProgramCallEnv implements CallEnv {
  /** Arguments evaluated so far (made at the call's arity on first use). */
  private memo: (Value | undefined)[] | undefined;
  private guids = 0;
  readonly argCount: number;
  readonly budget: Budget;
  readonly context: DeploymentContext;
  readonly kind = 'template';

  constructor(
    private readonly program: BicepProgram,
    readonly name: string,
    private readonly node: CallExpression,
    private readonly locals: Locals | undefined,
  ) {
    this.argCount = node.arguments.length;
    this.budget = program.session.budget;
    this.context = program.session.context;
  }

  /** Worked out only when a message needs it. */
  get snippet(): string {
    return this.program.text(this.node);
  }

  arg(i: number): Value {
    const memo = this.memo ??= new Array<Value | undefined>(this.argCount);
    let v = memo[i];
    if (v === undefined) {
      v = this.program.eval(this.node.arguments[i], this.locals);
      if (v instanceof LambdaValue || v instanceof NamespaceValue) v = new UnknownValue(v.reason);
      memo[i] = v;
    }
    return v;
  }

  argSnippet(i: number): string {
    return this.program.text(this.node.arguments[i]);
  }

  parameter(n: string): Value {
    return new UnknownValue(`parameters('${n}') is not Bicep`);
  }

  variable(n: string): Value {
    return new UnknownValue(`variables('${n}') is not Bicep`);
  }

  copyIndex(): string {
    return 'copyIndex() is not a Bicep function';
  }

  newGuidId(): string {
    return `newGuid()#${this.program.path}:${this.node.start}:${++this.guids}`;
  }
}

// ---- resource and module handles -------------------------------------------------------------

/**
 * The declared value of a body property of a resource copy (`name`, `location`, `properties` ...).
 * `take`: the caller (the reader) reads this value once for good, so an object or array kept for
 * it is handed over and no longer kept.
 */
export function bodyProperty(instance: ResourceInstance | ModuleInstance, key: string, take = false): Value | undefined {
  const body = instance.body;
  if (!body) return undefined;
  for (const m of body.properties) {
    if (m.kind === 'property' && keyName(m.key) === key) {
      // A copy's body property always evaluates to the same value: evaluate it once (`name` is read
      // for every `.id`, `properties` by the reader and by `x.properties...` references).
      const memo = instance.bodyValues;
      if (memo !== undefined) {
        for (let i = 0; i < memo.length; i += 2) {
          if (memo[i] !== key) continue;
          const v = memo[i + 1] as Value;
          if (take && isComposite(v)) memo.splice(i, 2);
          return v;
        }
      }
      const program = 'info' in instance ? instance.info.program : instance.caller;
      const limits = program.session.limits;
      const v = program.evaluate(m.value, instance.locals);
      // A result cut short by a limit depends on where it was asked for: not kept. Objects and
      // arrays are kept only until the reader takes them (a reference such as
      // `vnet.properties.subnets[0].id` is usually read before the reader reads the resource),
      // not for the whole read: most are never asked for again.
      if (program.session.limits === limits && !(take && isComposite(v))) {
        if (memo === undefined) instance.bodyValues = [key, v];
        else memo.push(key, v);
      }
      return v;
    }
  }
  return undefined;
}

/** Whether a value is an object or an array (not a scalar, symbolic or unknown value). */
function isComposite(v: Value): boolean {
  return typeof v === 'object' && v !== null && (Array.isArray(v) || isPlainObject(v));
}


const VNET_TYPE = 'microsoft.network/virtualnetworks';

/**
 * `vnet.properties.subnets[i].id`, the common way to name an inline subnet: Azure gives each
 * inline subnet an id, so the declared subnets read back with one (the reader keys inline subnets
 * `<vnet key>/subnets/<name>`).
 */
function withSubnetIds(instance: ResourceInstance, properties: Value): Value {
  if (!isPlainObject(properties)) return properties;
  const subnets = properties.subnets;
  if (!Array.isArray(subnets)) return properties;
  const withIds = (subnets as readonly Value[]).map((s, i) => {
    if (!isPlainObject(s) || typeof s.name !== 'string') return s;
    const id = new ResourceIdValue(`${instance.key}/subnets/${s.name}`, `${VNET_TYPE}/subnets`, s.name, false, `${instance.text}.properties.subnets[${i}].id`);
    return { ...s, id };
  });
  return { ...properties, subnets: withIds };
}

function resourceProperty(instance: ResourceInstance, name: string): Value {
  const info = instance.info;
  switch (name) {
    case 'id': return new ResourceIdValue(instance.key, info.type, bodyProperty(instance, 'name') ?? new UnknownValue('the resource has no name'), info.existing, `${instance.text}.id`);
    case 'name': return bodyProperty(instance, 'name') ?? new UnknownValue(`resource '${instance.text}' has no name`);
    case 'type': return info.type;
    case 'apiVersion': return info.decl.type.kind === 'string' ? info.decl.type.value.split('@')[1] ?? null : new UnknownValue('unknown api version');
    default: break;
  }
  if (info.existing) return new SymbolicValue(`resource:${instance.key}.${name}`, `${instance.text}.${name}`);
  const v = bodyProperty(instance, name);
  if (v !== undefined) return name === 'properties' && info.type === VNET_TYPE ? withSubnetIds(instance, v) : v;
  return new SymbolicValue(`resource:${instance.key}.${name}`, `${instance.text}.${name}`);
}

function moduleProperty(instance: ModuleInstance, name: string): Value {
  if (name === 'outputs') {
    const found = instance.program;
    if (!found) return new UnknownValue(`the outputs of module '${instance.text}' are not known: its file was not read`);
    const outputs: Record<string, Value> = {};
    // Outputs are evaluated lazily through a proxy-free object: every declared output.
    for (const s of found.file.statements) {
      if (s.kind === 'output' && s.name.kind === 'identifier') setKey(outputs, s.name.name, found.output(s.name.name));
    }
    return outputs;
  }
  if (name === 'name') return bodyProperty(instance, 'name') ?? new UnknownValue(`module '${instance.text}' has no name`);
  return new SymbolicValue(`module:${instance.key}.${name}`, `${instance.text}.${name}`);
}

// ---- helpers ---------------------------------------------------------------------------------

/** The name of a property key, when it is a plain name or string. */
export function keyName(key: ObjectProperty['key']): string | undefined {
  if (typeof key === 'string') return key;
  if (key.kind === 'string') return key.value;
  return undefined;
}

/** The object of a resource or module body: `{...}`, `if (c) {...}`, `[for ...: {...}]`. */
export function bodyObject(value: Expression): ObjectExpression | undefined {
  let v = value;
  if (v.kind === 'for') v = v.body;
  if (v.kind === 'if') v = v.body;
  return v.kind === 'object' ? v : undefined;
}

/** `type` of `type@version`. */
function beforeAt(s: string): string {
  const at = s.indexOf('@');
  return at < 0 ? s : s.slice(0, at);
}

/** Whether a module path is a registry or template spec reference rather than a file. */
export function isRegistryPath(path: string): boolean {
  return /^(br|br\/[^:]*|ts|ts\/[^:]*):/i.test(path);
}

function describe(v: Value): string {
  if (v instanceof UnknownValue) return v.reason;
  if (v instanceof SymbolicValue || v instanceof TemplateString) return `${v.text} is known only at deployment`;
  return `it is ${JSON.stringify(v)}`;
}

function unknownFrom(v: Value, where: string): UnknownValue {
  if (v instanceof UnknownValue) return v;
  if (v instanceof SymbolicValue || v instanceof TemplateString) return new UnknownValue(`${where}: depends on ${v.text}, known only at deployment`);
  return new UnknownValue(`${where}: the operator does not apply to ${JSON.stringify(v)}`);
}
