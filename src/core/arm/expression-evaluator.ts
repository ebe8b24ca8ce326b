/**
 * Partial evaluation of ARM template expressions in the scope of one template: its parameters
 * (given values, else defaults, else symbolic), variables (lazy, memoized, cycles reported), user
 * functions and copy loops. What is fixed only at deployment stays symbolic; what cannot be known
 * becomes an UnknownValue with the reason. Nothing here throws or runs unbounded.
 */
import { SymbolicValue, TemplateString, UnknownValue, type Value } from '../template/value';
import { callBuiltin, type CallEnv, type ScopeKind } from './arm-functions';
import {
  AccessError, type ArmType, Budget, EvaluationLimit, getIndex, getProperty, hasOwn, setKey, symbolic,
} from './arm-values';
import type { DeploymentContext } from './deployment-context';
import {
  type ArmExpression, type FunctionCall, type ParseResult, isTemplateExpression, parseExpressionIn, unescapeTemplateLiteral,
} from './expression-parser';

export type { ScopeKind } from './arm-functions';

/** The kind of copy loop: unnamed `copyIndex()` refers to the innermost resource or output loop. */
export type CopyKind = 'resource' | 'property' | 'variable' | 'output';

/** One enclosing copy loop and the iteration being evaluated (symbolic when the count is unknown). */
export interface CopyFrame {
  readonly name?: string;
  readonly index: Value;
  readonly kind: CopyKind;
}

/** What a template's scope is built from besides the template itself. */
export interface ArmScopeOptions {
  /** Values from a parameter file or an outer deployment; they win over defaults and are not evaluated again. */
  readonly parameterValues?: Readonly<Record<string, Value>>;
  /** Resource group, subscription and reference() hooks; symbolic by default. */
  readonly context?: DeploymentContext;
}

/** Steps one outermost evaluation may take: enough for a 10 MB template, few enough to end quickly. */
const STEP_BUDGET = 20_000_000;
/** Nesting of calls, variables, functions and JSON levels; well inside Node's stack. */
const MAX_DEPTH = 500;
/** ARM's own limit on a copy loop's count. */
const MAX_COPY_COUNT = 800;
/**
 * Parsed expressions kept per generation (see ParseCache). A template repeats an expression
 * close by (a copy loop's iterations, one resource's properties); its repeats across the whole
 * template are mostly in the template's own scope, whose results are kept by text anyway.
 */
const PARSE_CACHE_SIZE = 256;

interface ParameterDecl {
  readonly name: string;
  readonly decl: Readonly<Record<string, unknown>>;
}

interface CopyEntry {
  readonly name: string;
  readonly count: unknown;
  readonly input: unknown;
}

type VariableDecl =
  | { readonly name: string; readonly value: unknown }
  | { readonly name: string; readonly copy: CopyEntry };

interface FunctionDecl {
  readonly name: string;
  /** Parameter names, or why the declaration cannot be used. */
  readonly parameters: readonly string[] | string;
  readonly output: { readonly value: unknown } | undefined;
}

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCopyEntry(v: unknown): v is CopyEntry {
  return isObject(v) && typeof v.name === 'string' && hasOwn(v, 'count') && hasOwn(v, 'input');
}

/** Whether a property name is `copy` in any case; other names are told apart without lower-casing them (`name`). */
function isCopyKey(k: string): boolean {
  return k.length === 4 && (k.charCodeAt(0) | 0x20) === 0x63 && k.toLowerCase() === 'copy';
}

/** A `copy` array of `{name, count, input}`: property (or variable) iteration. */
function isCopyArray(v: unknown): v is readonly CopyEntry[] {
  return Array.isArray(v) && v.length > 0 && v.every(isCopyEntry);
}

function typeHint(type: unknown): ArmType | undefined {
  if (typeof type !== 'string') return undefined;
  switch (type.toLowerCase()) {
    case 'string': case 'securestring': return 'string';
    case 'int': return 'int';
    case 'bool': return 'bool';
    case 'object': case 'secureobject': return 'object';
    case 'array': return 'array';
    default: return undefined;
  }
}

function shorten(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function snippet(source: string, node: ArmExpression): string {
  return shorten(source.slice(node.start, node.end));
}

/**
 * Parse trees by expression text, the recently used ones: two generations of up to
 * PARSE_CACHE_SIZE; when the young one is full it becomes the old one (the old one is dropped),
 * and an old entry used again moves to the young one. Trees that are not used again die young,
 * rather than staying alive (and being copied by the garbage collector) until the read ends.
 */
export class ParseCache {
  private young = new Map<string, ParseResult>();
  private old = new Map<string, ParseResult>();

  get(text: string): ParseResult | undefined {
    const hit = this.young.get(text);
    if (hit !== undefined || this.old.size === 0) return hit;
    const old = this.old.get(text);
    if (old !== undefined) this.set(text, old);
    return old;
  }

  set(text: string, parsed: ParseResult): void {
    if (this.young.size >= PARSE_CACHE_SIZE) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(text, parsed);
  }

  /** How many trees are kept. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

/** Whether a function name is `name` (function names are case-insensitive). */
function isName(written: string, name: string): boolean {
  if (written === name) return true;
  // Names of one length and different first letters (copyIndex, variables) differ without lower-casing both.
  return written.length === name.length && (written.charCodeAt(0) | 0x20) === (name.charCodeAt(0) | 0x20)
    && written.toLowerCase() === name.toLowerCase();
}

/** What is shared by every scope of one template: declarations, memos, the budget. */
class TemplateState {
  readonly parameters = new Map<string, ParameterDecl>();
  readonly given = new Map<string, Value>();
  readonly parameterMemo = new Map<string, Value>();
  readonly parameterStack: string[] = [];
  readonly variables = new Map<string, VariableDecl>();
  readonly variableMemo = new Map<string, Value>();
  readonly variableStack: string[] = [];
  readonly functions = new Map<string, FunctionDecl>();
  readonly parseCache = new ParseCache();
  readonly budget = new Budget(STEP_BUDGET);
  readonly context: DeploymentContext;
  /** Public entry points currently running; the outermost one owns the budget. */
  active = 0;
  depth = 0;
  guids = 0;

  constructor(template: unknown, options: ArmScopeOptions) {
    this.context = options.context ?? {};
    const t = isObject(template) ? template : {};
    if (isObject(t.parameters)) {
      for (const [name, decl] of Object.entries(t.parameters)) {
        const key = name.toLowerCase();
        if (!this.parameters.has(key)) this.parameters.set(key, { name, decl: isObject(decl) ? decl : {} });
      }
    }
    for (const [name, value] of Object.entries(options.parameterValues ?? {})) this.given.set(name.toLowerCase(), value);
    if (isObject(t.variables)) {
      for (const [name, value] of Object.entries(t.variables)) {
        if (name.toLowerCase() === 'copy' && isCopyArray(value)) {
          for (const entry of value) this.addVariable({ name: entry.name, copy: entry });
        } else {
          this.addVariable({ name, value });
        }
      }
    }
    if (Array.isArray(t.functions)) {
      for (const ns of t.functions) {
        if (!isObject(ns) || typeof ns.namespace !== 'string' || !isObject(ns.members)) continue;
        for (const [member, fn] of Object.entries(ns.members)) this.addFunction(`${ns.namespace}.${member}`, fn);
      }
    }
  }

  private addVariable(decl: VariableDecl): void {
    const key = decl.name.toLowerCase();
    if (!this.variables.has(key)) this.variables.set(key, decl);
  }

  private addFunction(name: string, fn: unknown): void {
    const key = name.toLowerCase();
    if (this.functions.has(key)) return;
    if (!isObject(fn)) {
      this.functions.set(key, { name, parameters: `the declaration of ${name} is not an object`, output: undefined });
      return;
    }
    const params = fn.parameters ?? [];
    let parameters: readonly string[] | string;
    if (Array.isArray(params) && params.every((p) => isObject(p) && typeof p.name === 'string')) {
      parameters = params.map((p) => (p as { name: string }).name);
    } else {
      parameters = `the parameters of ${name} are not a list of {name, type}`;
    }
    const output = isObject(fn.output) && hasOwn(fn.output, 'value') ? { value: fn.output.value } : undefined;
    this.functions.set(key, { name, parameters, output });
  }
}

/**
 * Where template expressions are evaluated: a template's parameters, variables and functions, the
 * enclosing copy loops, and the deployment context. Cheap to derive (`inCopy`); memos are shared.
 */
export class ArmScope implements ScopeServices {
  private constructor(
    private readonly state: TemplateState,
    /** The template body, a parameter default, or a user-defined function's body. */
    readonly kind: ScopeKind,
    private readonly frames: readonly CopyFrame[],
    private readonly fn?: { readonly name: string; readonly args: ReadonlyMap<string, Value> },
  ) {}

  /** Values of outermost `evaluate` calls in this scope, by expression text. */
  private results: Map<string, Value> | undefined;

  /** The scope of a template's body; `template` is its parsed JSON (anything else gives an empty scope). */
  static forTemplate(template: unknown, options: ArmScopeOptions = {}): ArmScope {
    return new ArmScope(new TemplateState(template, options), 'template', []);
  }

  /** The same scope inside one iteration of a copy loop. */
  inCopy(name: string | undefined, index: Value, kind: CopyKind = 'resource'): ArmScope {
    // Copied by hand: a spread and concat both go through slow runtime calls, and there is a scope per iteration.
    const n = this.frames.length;
    const frames = new Array<CopyFrame>(n + 1);
    for (let i = 0; i < n; i++) frames[i] = this.frames[i];
    frames[n] = name === undefined ? { index, kind } : { name, index, kind };
    return new ArmScope(this.state, this.kind, frames, this.fn);
  }

  /** The deployment context this scope was built with. */
  get context(): DeploymentContext {
    return this.state.context;
  }

  /** A parameter's value: given, else its default evaluated, else symbolic. */
  parameter(name: string): Value {
    return this.guard(() => this.lookupParameter(name));
  }

  /** A variable's value, evaluated once. */
  variable(name: string): Value {
    return this.guard(() => this.lookupVariable(name));
  }

  /** Evaluates a template string: an expression `[...]`, or a literal (with `[[` unescaped). */
  evaluate(text: string): Value {
    return this.evaluateIn(text, text, 0);
  }

  /**
   * Evaluates `text` as `evaluate` does, where `text` is written at offset `from` of `source`
   * (`source.slice(from, from + text.length) === text`): the expression is parsed from `source`,
   * which reads faster than a slice of it.
   */
  evaluateIn(text: string, source: string, from: number): Value {
    // An outermost evaluation depends only on the scope and on memos that never change once set,
    // so a template's many copies of one expression (`[parameters('location')]`) evaluate once.
    const cacheable = this.state.active === 0 && this.kind === 'template' && isTemplateExpression(text);
    if (!cacheable) return this.guard(() => this.evalString(text, source, from));
    const results = this.results ??= new Map();
    let value = results.get(text);
    if (value === undefined) {
      value = this.guard(() => this.evalString(text, source, from));
      results.set(text, value);
    }
    return value;
  }

  /** Evaluates a JSON value from the template, every expression string in it included. */
  evaluateValue(value: unknown): Value {
    return this.guard(() => this.walk(value));
  }

  private guard(run: () => Value): Value {
    const s = this.state;
    const outermost = s.active === 0;
    if (outermost) {
      s.budget.left = STEP_BUDGET;
      s.depth = 0;
    }
    s.active++;
    try {
      return run();
    } catch (e) {
      if (!outermost) throw e;
      if (e instanceof EvaluationLimit) return new UnknownValue(e.message);
      if (e instanceof RangeError) return new UnknownValue('the template nests expressions too deeply to evaluate');
      return new UnknownValue(`amlnet could not evaluate this: ${String(e)}`);
    } finally {
      s.active--;
    }
  }

  private enter(): void {
    if (this.state.depth >= MAX_DEPTH) {
      throw new EvaluationLimit(`the evaluation nests more than ${MAX_DEPTH} levels (calls, variables, functions, values)`);
    }
    this.state.depth++;
  }

  private walk(json: unknown): Value {
    this.state.budget.spend();
    if (typeof json === 'string') return this.evalString(json, json, 0);
    if (json === null || typeof json === 'boolean') return json;
    if (typeof json === 'number') return Number.isFinite(json) ? json : new UnknownValue(`${json} is not a JSON number`);
    if (typeof json !== 'object') return new UnknownValue(`a ${typeof json} is not a template value`);
    // Too deep a JSON value is unknown by itself; the rest of the template still evaluates.
    if (this.state.depth >= MAX_DEPTH) return new UnknownValue(`the value nests more than ${MAX_DEPTH} levels`);
    // Depth is restored without try/finally (see `memoized`): a throw ends the evaluation anyway.
    this.state.depth++;
    const out = Array.isArray(json) ? this.walkArray(json) : this.walkObject(json as Readonly<Record<string, unknown>>);
    this.state.depth--;
    return out;
  }

  private walkArray(json: readonly unknown[]): Value[] {
    const out = new Array<Value>(json.length);
    for (let i = 0; i < json.length; i++) out[i] = this.walk(json[i]);
    return out;
  }

  private walkObject(obj: Readonly<Record<string, unknown>>): Record<string, Value> {
    const out: Record<string, Value> = {};
    const keys = Object.keys(obj);
    // The first `copy` key holding copy entries is expanded after the other keys.
    let copyKey: string | undefined;
    for (const k of keys) {
      if (copyKey === undefined && isCopyKey(k) && isCopyArray(obj[k])) copyKey = k;
      else setKey(out, k, this.walk(obj[k]));
    }
    if (copyKey !== undefined) {
      for (const entry of obj[copyKey] as readonly CopyEntry[]) setKey(out, entry.name, this.expandCopy(entry, 'property'));
    }
    return out;
  }

  /** A property or variable copy loop: the array of its inputs, one per iteration. */
  private expandCopy(entry: CopyEntry, kind: CopyKind): Value {
    const count = this.walk(entry.count);
    const loop = `the copy loop '${entry.name}'`;
    if (count instanceof UnknownValue) return new UnknownValue(`${loop} has an unknown count: ${count.reason}`);
    if (count instanceof SymbolicValue || count instanceof TemplateString) {
      return new UnknownValue(`${loop} runs ${count.text} times, which is known only at deployment`);
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      return new UnknownValue(`${loop} has count ${JSON.stringify(count)}; it must be a non-negative integer`);
    }
    if (count > MAX_COPY_COUNT) return new UnknownValue(`${loop} has count ${count}, over ARM's limit of ${MAX_COPY_COUNT}`);
    const out: Value[] = [];
    for (let i = 0; i < count; i++) out.push(this.inCopy(entry.name, i, kind).walk(entry.input));
    return out;
  }

  /** `text` is written at offset `from` of `source` (see `evaluateIn`). */
  private evalString(text: string, source: string, from: number): Value {
    if (!isTemplateExpression(text)) return unescapeTemplateLiteral(text);
    const cache = this.state.parseCache;
    let parsed = cache.get(text);
    if (parsed === undefined) {
      parsed = parseExpressionIn(source, from, from + text.length);
      cache.set(text, parsed);
    }
    if (!parsed.ok) return new UnknownValue(`cannot read the expression ${shorten(text)}: ${parsed.error} (at character ${parsed.offset})`);
    return this.evalNode(parsed.expr, text);
  }


  /** For `Call`: a node of an expression, inside an evaluation already guarded. */
  evalNode(node: ArmExpression, source: string): Value {
    const s = this.state;
    s.budget.spend();
    // Depth is restored without try/finally, which costs on every node: a throw ends the
    // outermost evaluation (`guard` resets the depth), and `memoized` restores its own.
    this.enter();
    const value = this.evalKind(node, source);
    s.depth--;
    return value;
  }

  private evalKind(node: ArmExpression, source: string): Value {
    switch (node.kind) {
      case 'string':
      case 'integer':
        return node.value;
      case 'property': {
        const r = getProperty(this.evalNode(node.target, source), node.name);
        return r instanceof AccessError ? new UnknownValue(`${snippet(source, node)}: ${r.message}`) : r;
      }
      case 'index': {
        const target = this.evalNode(node.target, source);
        if (target instanceof UnknownValue) return target;
        const r = getIndex(target, this.evalNode(node.index, source), this.state.budget);
        return r instanceof AccessError ? new UnknownValue(`${snippet(source, node)}: ${r.message}`) : r;
      }
      case 'call':
        if (node.namespace !== undefined) return this.callUserFunction(node, node.namespace, source);
        return this.lookupCall(node, source) ?? callBuiltin(this.callEnv(node, source));
    }
  }

  /**
   * `parameters('x')`, `variables('x')` and `copyIndex('x')` with a name written out (most of a
   * template's calls) as their built-ins evaluate them, without a call object; undefined for any
   * other call, and for a copyIndex whose loop is not found (its built-in says why).
   */
  private lookupCall(node: FunctionCall, source: string): Value | undefined {
    if (node.args.length !== 1 || node.args[0].kind !== 'string') return undefined;
    const fn = node.name;
    if (isName(fn, 'parameters')) return this.lookupParameter(this.evalNode(node.args[0], source) as string);
    if (isName(fn, 'variables')) return this.lookupVariable(this.evalNode(node.args[0], source) as string);
    if (isName(fn, 'copyIndex')) {
      const index = this.copyIndex(this.evalNode(node.args[0], source) as string);
      return typeof index === 'string' ? new UnknownValue(`${snippet(source, node)}: ${index}`) : index;
    }
    return undefined;
  }

  private callEnv(node: FunctionCall, source: string): CallEnv {
    return new Call(this, node, source);
  }

  /** For `Call`: the evaluation budget. */
  get budget(): Budget {
    return this.state.budget;
  }

  /** For `Call`: a fresh identity for each `newGuid()`. */
  newGuidId(): string {
    return `newGuid()#${++this.state.guids}`;
  }

  private callUserFunction(node: FunctionCall, namespace: string, source: string): Value {
    const full = `${namespace}.${node.name}`;
    const where = snippet(source, node);
    const decl = this.state.functions.get(full.toLowerCase());
    if (decl === undefined) return new UnknownValue(`${where}: the template declares no function '${full}'`);
    if (typeof decl.parameters === 'string') return new UnknownValue(`${where}: ${decl.parameters}`);
    const n = decl.parameters.length;
    if (node.args.length !== n) return new UnknownValue(`${where}: ${decl.name}() takes ${n} argument${n === 1 ? '' : 's'}, not ${node.args.length}`);
    if (decl.output === undefined) return new UnknownValue(`${where}: the function ${decl.name} declares no output value`);
    // Unknown arguments are bound as they are: they matter only if the body uses them.
    const args = new Map<string, Value>();
    decl.parameters.forEach((p, i) => args.set(p.toLowerCase(), this.evalNode(node.args[i], source)));
    // A user function sees only its own parameters: no variables, no copy loops (ARM rules).
    return new ArmScope(this.state, 'function', [], { name: decl.name, args }).walk(decl.output.value);
  }

  /** For `Call` (and `parameter`): a parameter's value, inside an evaluation already guarded. */
  lookupParameter(name: string): Value {
    if (this.fn !== undefined) {
      return this.fn.args.get(name.toLowerCase())
        ?? new UnknownValue(`parameters('${name}'): the function ${this.fn.name} has no parameter '${name}'`);
    }
    const s = this.state;
    const key = name.toLowerCase();
    const decl = s.parameters.get(key);
    if (decl === undefined) return new UnknownValue(`parameters('${name}'): the template declares no parameter '${name}'`);
    const memo = s.parameterMemo.get(key);
    if (memo !== undefined) return memo;
    let value: Value;
    const given = s.given.get(key);
    if (given !== undefined) {
      value = given;
    } else if (hasOwn(decl.decl, 'defaultValue')) {
      if (s.parameterStack.includes(key)) return new UnknownValue(`parameter defaults refer to each other in a cycle: ${cycle(s.parameterStack, key, s.parameters)}`);
      value = this.memoized(s.parameterStack, key, `parameter '${decl.name}'`,
        () => new ArmScope(s, 'parameterDefault', []).walk(decl.decl.defaultValue));
    } else {
      value = symbolic(`param:${decl.name}`, `parameters('${decl.name}')`, typeHint(decl.decl.type));
    }
    s.parameterMemo.set(key, value);
    return value;
  }

  /** For `Call` (and `variable`): a variable's value, inside an evaluation already guarded. */
  lookupVariable(name: string): Value {
    if (this.kind === 'function') return new UnknownValue(`variables('${name}'): user-defined functions cannot use variables (an ARM rule)`);
    if (this.kind === 'parameterDefault') return new UnknownValue(`variables('${name}'): parameter defaults cannot use variables (an ARM rule)`);
    const s = this.state;
    const key = name.toLowerCase();
    const decl = s.variables.get(key);
    if (decl === undefined) return new UnknownValue(`variables('${name}'): the template declares no variable '${name}'`);
    const memo = s.variableMemo.get(key);
    if (memo !== undefined) return memo;
    if (s.variableStack.includes(key)) return new UnknownValue(`variables refer to each other in a cycle: ${cycle(s.variableStack, key, s.variables)}`);
    // Variables are evaluated in the template's scope, whatever loop the reference sits in.
    const scope = new ArmScope(s, 'template', []);
    const value = this.memoized(s.variableStack, key, `variable '${decl.name}'`,
      () => ('copy' in decl ? scope.expandCopy(decl.copy, 'variable') : scope.walk(decl.value)));
    s.variableMemo.set(key, value);
    return value;
  }

  /** Runs one declaration's evaluation on the cycle-detection stack; a limit hit becomes its value. */
  private memoized(stack: string[], key: string, what: string, run: () => Value): Value {
    const depth = this.state.depth;
    this.enter();
    stack.push(key);
    try {
      return run();
    } catch (e) {
      if (!(e instanceof EvaluationLimit)) throw e;
      return new UnknownValue(`${what}: ${e.message}`);
    } finally {
      stack.pop();
      // Also undoes the levels that a limit hit deeper in left entered (they restore no depth on a throw).
      this.state.depth = depth;
    }
  }

  /** For `Call`: the index of the named copy loop, or of the innermost one; a string says why there is none. */
  copyIndex(loop: string | undefined): Value | string {
    if (this.kind === 'function') return 'user-defined functions cannot use copyIndex() (an ARM rule)';
    const frames = this.frames;
    if (frames.length === 0) return 'copyIndex() is used outside any copy loop';
    if (loop !== undefined) {
      let lower: string | undefined;
      for (let i = frames.length - 1; i >= 0; i--) {
        const name = frames[i].name;
        // Nearly always written as the loop's name is: no lower-casing then.
        if (name !== undefined && (name === loop || name.toLowerCase() === (lower ??= loop.toLowerCase()))) return frames[i].index;
      }
      const names = frames.map((f) => (f.name === undefined ? '(unnamed)' : `'${f.name}'`)).join(', ');
      return `no enclosing copy loop is named '${loop}' (the enclosing loops are ${names})`;
    }
    for (let i = frames.length - 1; i >= 0; i--) {
      if (frames[i].kind === 'resource' || frames[i].kind === 'output') return frames[i].index;
    }
    return frames[frames.length - 1].index;
  }
}

/** The scope as function calls see it: the scope itself (no object or closures made per scope). */
interface ScopeServices {
  readonly kind: ScopeKind;
  readonly budget: Budget;
  readonly context: DeploymentContext;
  lookupParameter(name: string): Value;
  lookupVariable(name: string): Value;
  copyIndex(loop: string | undefined): Value | string;
  newGuidId(): string;
  evalNode(node: ArmExpression, source: string): Value;
}

/** One call being evaluated; a class, since templates hold many calls and closures per call cost time. */
class Call implements CallEnv {
  private readonly memo: (Value | undefined)[];

  constructor(private readonly services: ScopeServices, private readonly node: FunctionCall, private readonly source: string) {
    this.memo = new Array<Value | undefined>(node.args.length);
  }

  get name(): string { return this.node.name; }
  get snippet(): string { return snippet(this.source, this.node); }
  get argCount(): number { return this.node.args.length; }
  get budget(): Budget { return this.services.budget; }
  get kind(): ScopeKind { return this.services.kind; }
  get context(): DeploymentContext { return this.services.context; }

  arg(i: number): Value {
    let v = this.memo[i];
    if (v === undefined) {
      v = this.services.evalNode(this.node.args[i], this.source);
      this.memo[i] = v;
    }
    return v;
  }

  allArgs(): readonly Value[] | UnknownValue {
    const n = this.node.args.length;
    for (let i = 0; i < n; i++) {
      const a = this.arg(i);
      if (a instanceof UnknownValue) return a;
    }
    // Every argument is evaluated now: the memo is the list of them (a call's arguments are not changed).
    return this.memo as readonly Value[];
  }

  argSnippet(i: number): string { return snippet(this.source, this.node.args[i]); }
  parameter(name: string): Value { return this.services.lookupParameter(name); }
  variable(name: string): Value { return this.services.lookupVariable(name); }
  copyIndex(loop: string | undefined): Value | string { return this.services.copyIndex(loop); }
  newGuidId(): string { return this.services.newGuidId(); }
}

function cycle(stack: readonly string[], key: string, decls: ReadonlyMap<string, { readonly name: string }>): string {
  const from = stack.indexOf(key);
  return [...stack.slice(from), key].map((k) => decls.get(k)?.name ?? k).join(' -> ');
}

/** Evaluates a template string (an expression `[...]` or a literal) in a scope; never throws. */
export function evaluateExpression(text: string, scope: ArmScope): Value {
  return scope.evaluate(text);
}

/** Evaluates a JSON value from a template, expanding property copy loops; never throws. */
export function evaluateTemplateValue(value: unknown, scope: ArmScope): Value {
  return scope.evaluateValue(value);
}
