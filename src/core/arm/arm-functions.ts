/**
 * The built-in functions of the ARM template language, evaluated over known, symbolic and
 * unknown values. Each function either computes the value, returns a symbolic value when the
 * result is fixed only at deployment, or returns an UnknownValue saying why; none throws.
 * Semantics follow the ARM function reference (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions).
 */
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import {
  AccessError, type ArmType, Budget, MAX_ARRAY_LENGTH, MAX_STRING_LENGTH, armString, armTypeOf, describeType,
  dotnetBool, findKey, joinParts, getProperty, hasOwn, isKnownWithin, isLocationLike, isPartial, jsonToValue, quote, setKey, symbolic,
  valueId, valueText, valuesEqual,
} from './arm-values';
import { type DeploymentContext, SYMBOLIC_RESOURCE_GROUP, SYMBOLIC_SUBSCRIPTION } from './deployment-context';

/** Where an expression is evaluated; ARM forbids some functions in parameter defaults and user functions. */
export type ScopeKind = 'template' | 'parameterDefault' | 'function';

/** What the evaluator offers a function call: its arguments, evaluated on demand, and the scope. */
export interface CallEnv {
  /** The function name as written. */
  readonly name: string;
  /** The call's source text, shortened, for reasons. */
  readonly snippet: string;
  readonly argCount: number;
  /** Evaluates argument i (once); lazy so that `if` evaluates only the branch it takes. */
  arg(i: number): Value;
  argSnippet(i: number): string;
  readonly budget: Budget;
  readonly kind: ScopeKind;
  parameter(name: string): Value;
  variable(name: string): Value;
  /** The index of the named copy loop, or of the innermost one; a string says why there is none. */
  copyIndex(loop: string | undefined): Value | string;
  readonly context: DeploymentContext;
  /** A fresh identity for each `newGuid()`: two calls are two different values. */
  newGuidId(): string;
  /**
   * Optional: every argument evaluated in order, or the first unknown one (evaluation stops
   * there), as `arg` would give them; an environment that keeps its arguments returns its own list.
   */
  allArgs?(): readonly Value[] | UnknownValue;
}

type StringPart = string | SymbolicValue | TemplateString;
type Want = ArmType | 'any';

const TENANT = symbolic('tenant()', 'tenant()', 'object');
const MANAGEMENT_GROUP = symbolic('managementGroup()', 'managementGroup()', 'object');
const DEPLOYMENT = symbolic('deployment()', 'deployment()', 'object');
const ENVIRONMENT = symbolic('environment()', 'environment()', 'object');

/** A call being evaluated: the environment plus the canonical name, for reasons and symbolic ids. */
class Fn {
  constructor(readonly env: CallEnv, readonly name: string) {}

  fail(message: string): UnknownValue {
    return new UnknownValue(`${this.env.snippet}: ${message}`);
  }

  /** The call itself as a symbolic value: deterministic, so equal calls are equal. */
  symbolic(args: readonly Value[], type?: ArmType): SymbolicValue {
    const b = this.env.budget;
    return symbolic(
      `${this.name}(${args.map((a) => valueId(a, b)).join(', ')})`,
      `${this.name}(${args.map((a) => valueText(a, b)).join(', ')})`,
      type,
    );
  }

  /**
   * Checks argument types. Returns undefined when all are known and right; an UnknownValue on a
   * wrong type; the call as a symbolic value when some argument is fixed only at deployment
   * (unless `partialOk`, for functions that look inside such arguments themselves).
   */
  check(args: readonly Value[], wants: readonly (Want | readonly Want[])[], result?: ArmType, partialOk = false): Value | undefined {
    let partial = false;
    for (let i = 0; i < args.length; i++) {
      // One wanted type (nearly every argument) is compared as it is: no list made per argument.
      const w = wants[Math.min(i, wants.length - 1)];
      if (typeof w === 'string' ? w === 'any' : w.includes('any')) continue;
      const a = args[i];
      const t = armTypeOf(a);
      const allowed = t !== undefined && (typeof w === 'string' ? w === t : w.includes(t));
      if (isPartial(a)) {
        if (t !== undefined && !allowed) return this.fail(`argument ${i + 1} must be ${wantText(w)}, not ${describeType(a)}`);
        partial = true;
        continue;
      }
      if (!allowed || (t === 'int' && !Number.isInteger(a))) {
        return this.fail(`argument ${i + 1} must be ${wantText(w)}, not ${describeType(a)}`);
      }
    }
    return partial && !partialOk ? this.symbolic(args, result) : undefined;
  }
}

function wantText(w: Want | readonly Want[]): string {
  const names: Record<Want, string> = {
    string: 'a string', int: 'an integer', bool: 'a boolean', array: 'an array', object: 'an object', null: 'null', any: 'any value',
  };
  return (typeof w === 'string' ? [w] : w).map((x) => names[x]).join(' or ');
}

interface Builtin {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Lazy functions read their arguments through the environment; others get them evaluated. */
  readonly lazy?: boolean;
  readonly fn: (f: Fn, args: readonly Value[]) => Value;
}

/** By lowercase name, and by the name as documented (`resourceId`), which templates write nearly always: found without lowercasing. */
const BUILTINS = new Map<string, Builtin>();

function def(name: string, min: number, max: number, fn: Builtin['fn'], lazy = false): void {
  const b: Builtin = { name, min, max, fn, lazy };
  BUILTINS.set(name.toLowerCase(), b);
  BUILTINS.set(name, b);
}

/** Evaluates a call of a built-in function (names are case-insensitive). */
export function callBuiltin(env: CallEnv): Value {
  let b = BUILTINS.get(env.name);
  if (b === undefined) {
    const lower = env.name.toLowerCase();
    b = BUILTINS.get(lower);
    if (b === undefined) return notBuiltin(env, lower);
  }
  const f = new Fn(env, b.name);
  if (env.argCount < b.min || env.argCount > b.max) {
    const range = b.min === b.max ? `${b.min}` : b.max === Infinity ? `at least ${b.min}` : `${b.min} to ${b.max}`;
    const noun = b.max === 1 || (b.max === Infinity && b.min === 1) ? 'argument' : 'arguments';
    return f.fail(`${b.name}() takes ${range} ${noun}, not ${env.argCount}`);
  }
  if (b.lazy) return b.fn(f, []);
  const args = evalAll(env);
  if (!Array.isArray(args)) return args as UnknownValue;
  return b.fn(f, args);
}

/** A call of a function that is not a built-in amlnet evaluates; `lower` is its name in lower case. */
function notBuiltin(env: CallEnv, lower: string): Value {
  if (lower.startsWith('list')) return referenceLike(new Fn(env, lower), evalAll(env));
  if (UNSUPPORTED.has(lower)) return new UnknownValue(`${env.snippet}: amlnet does not evaluate ${env.name}()`);
  return new UnknownValue(`${env.snippet}: unknown function '${env.name}'`);
}

/** All arguments, or the first unknown one: an unknown argument makes an eager function's result unknown. */
function evalAll(env: CallEnv): readonly Value[] | UnknownValue {
  if (env.allArgs !== undefined) return env.allArgs();
  const n = env.argCount;
  // Sized once (a list grown by push keeps room for 17).
  const args = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const a = env.arg(i);
    if (a instanceof UnknownValue) return a;
    args[i] = a;
  }
  return args;
}

// ARM functions amlnet knows of but does not evaluate: their result is unknown, not guessed.
const UNSUPPORTED = new Set([
  'base64tojson', 'datauri', 'datauritostring', 'uri', 'datetimeadd', 'datetimefromepoch', 'datetimetoepoch',
  'pickzones', 'providers', 'filter', 'map', 'reduce', 'sort', 'toobject', 'groupby', 'mapvalues', 'lambda',
  'lambdavariables', 'parsecidr', 'cidrhost', 'shallowmerge', 'indexfromend', 'trygetsecret',
  'loadtextcontent', 'loadjsoncontent', 'loadfileasbase64', 'externalinput', 'deployer', 'float',
]);

// ---------------------------------------------------------------------------------------------
// Literals and logic

def('true', 0, 0, () => true);
def('false', 0, 0, () => false);
def('null', 0, 0, () => null);

def('bool', 1, 1, (f, [v]) => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v !== 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    return f.fail(`'${v}' is not a boolean; use 'true' or 'false'`);
  }
  return f.check([v], [['bool', 'int', 'string']], 'bool') ?? f.fail(`cannot convert ${describeType(v)} to a boolean`);
});

def('not', 1, 1, (f, args) => f.check(args, ['bool'], 'bool') ?? !args[0]);

function andOr(isAnd: boolean): Builtin['fn'] {
  // Arguments are read one at a time, so a decisive false (or true) ends the evaluation, as in ARM.
  return (f) => {
    const seen: Value[] = [];
    let unknown: UnknownValue | undefined;
    let partial = false;
    for (let i = 0; i < f.env.argCount; i++) {
      const v = f.env.arg(i);
      seen.push(v);
      if (typeof v === 'boolean') {
        if (v !== isAnd) return v;
      } else if (v instanceof UnknownValue) {
        unknown ??= v;
      } else if (isPartial(v) && (armTypeOf(v) === undefined || armTypeOf(v) === 'bool')) {
        partial = true;
      } else {
        return f.fail(`argument ${i + 1} must be a boolean, not ${describeType(v)}`);
      }
    }
    if (unknown) return unknown;
    return partial ? f.symbolic(seen, 'bool') : isAnd;
  };
}
def('and', 2, Infinity, andOr(true), true);
def('or', 2, Infinity, andOr(false), true);

def('if', 3, 3, (f) => {
  const cond = f.env.arg(0);
  if (typeof cond === 'boolean') return f.env.arg(cond ? 1 : 2);
  if (!(cond instanceof UnknownValue) && !(isPartial(cond) && (armTypeOf(cond) ?? 'bool') === 'bool')) {
    return f.fail(`the condition must be a boolean, not ${describeType(cond)}`);
  }
  // Not knowing the condition does not matter when both branches agree.
  const a = f.env.arg(1);
  const b = f.env.arg(2);
  if (!(a instanceof UnknownValue) && valuesEqual(a, b, f.env.budget) === true) return a;
  const why = cond instanceof UnknownValue ? `which is unknown (${cond.reason})` : 'which is known only at deployment';
  return f.fail(`the result depends on the condition ${f.env.argSnippet(0)}, ${why}`);
}, true);

def('coalesce', 1, Infinity, (f) => {
  const n = f.env.argCount;
  for (let i = 0; i < n; i++) {
    const v = f.env.arg(i);
    if (v === null) continue;
    if (v instanceof UnknownValue) return v;
    if (!(v instanceof SymbolicValue)) return v;
    // A symbolic value may be null at deployment: the result is it only if nothing non-null follows.
    const rest: Value[] = [];
    for (let j = i + 1; j < n; j++) {
      const w = f.env.arg(j);
      if (w instanceof UnknownValue) return w;
      if (w !== null && !(w instanceof SymbolicValue)) {
        return f.fail(`the result depends on whether ${f.env.argSnippet(i)} is null, which is known only at deployment`);
      }
      if (w !== null) rest.push(w);
    }
    return rest.length === 0 ? v : f.symbolic([v, ...rest]);
  }
  return null;
}, true);

// ---------------------------------------------------------------------------------------------
// Comparison

def('equals', 2, 2, (f, [a, b]) => valuesEqual(a, b, f.env.budget) ?? f.symbolic([a, b], 'bool'));

// ARM orders strings by culture rules: greater('A', 'a') is true. ICU agrees with .NET on letters
// and digits; elsewhere the rules differ, so such comparisons stay unknown.
const collator = new Intl.Collator('en', { sensitivity: 'variant' });

function compare(test: (c: number) => boolean): Builtin['fn'] {
  return (f, args) => {
    const early = f.check(args, [['int', 'string']], 'bool');
    if (early !== undefined) return early;
    const [a, b] = args;
    if (typeof a === 'number' && typeof b === 'number') return test(a - b);
    if (typeof a === 'string' && typeof b === 'string') {
      if (!/^[A-Za-z0-9]*$/.test(a) || !/^[A-Za-z0-9]*$/.test(b)) {
        return f.fail('amlnet compares strings only of letters and digits; other characters follow .NET culture rules');
      }
      return test(collator.compare(a, b));
    }
    return f.fail(`cannot compare ${describeType(a)} with ${describeType(b)}`);
  };
}
def('less', 2, 2, compare((c) => c < 0));
def('lessOrEquals', 2, 2, compare((c) => c <= 0));
def('greater', 2, 2, compare((c) => c > 0));
def('greaterOrEquals', 2, 2, compare((c) => c >= 0));

// ---------------------------------------------------------------------------------------------
// Numbers

function safeInt(f: Fn, n: number | bigint): Value {
  const v = Number(n);
  return Number.isSafeInteger(v) ? v : f.fail(`the result ${String(n)} is beyond the integers amlnet evaluates exactly`);
}

function arithmetic(op: (a: bigint, b: bigint) => bigint | string): Builtin['fn'] {
  return (f, args) => {
    const early = f.check(args, ['int'], 'int');
    if (early !== undefined) return early;
    const r = op(BigInt(args[0] as number), BigInt(args[1] as number));
    return typeof r === 'string' ? f.fail(r) : safeInt(f, r);
  };
}
def('add', 2, 2, arithmetic((a, b) => a + b));
def('sub', 2, 2, arithmetic((a, b) => a - b));
def('mul', 2, 2, arithmetic((a, b) => a * b));
// BigInt division truncates toward zero and % keeps the dividend's sign, as .NET's long does.
def('div', 2, 2, arithmetic((a, b) => (b === 0n ? 'division by zero' : a / b)));
def('mod', 2, 2, arithmetic((a, b) => (b === 0n ? 'division by zero' : a % b)));

def('int', 1, 1, (f, [v]) => {
  if (typeof v === 'number') return Number.isInteger(v) ? v : f.fail(`${v} is not an integer`);
  if (typeof v === 'string') {
    if (!/^\s*[+-]?\d+\s*$/.test(v)) return f.fail(`'${v}' is not an integer`);
    return safeInt(f, BigInt(v.trim()));
  }
  return f.check([v], [['int', 'string']], 'int') ?? f.fail(`cannot convert ${describeType(v)} to an integer`);
});

function minMax(isMin: boolean): Builtin['fn'] {
  return (f, args) => {
    const flat: Value[] = [];
    for (const a of args) {
      if (Array.isArray(a)) flat.push(...(a as readonly Value[]));
      else flat.push(a);
    }
    if (flat.length === 0) return f.fail('there are no values to compare');
    for (const x of flat) {
      if (!isPartial(x) && (typeof x !== 'number' || !Number.isInteger(x))) return f.fail(`compares integers, not ${describeType(x)}`);
    }
    if (flat.some(isPartial)) return f.symbolic(args, 'int');
    const nums = flat as readonly number[];
    return nums.reduce((m, x) => (isMin ? Math.min(m, x) : Math.max(m, x)));
  };
}
def('min', 1, Infinity, minMax(true));
def('max', 1, Infinity, minMax(false));

/**
 * `cidrSubnet(network, newCIDR, subnetIndex)`: the block of index `subnetIndex` when an IPv4
 * network is cut into /newCIDR blocks (`cidrSubnet('10.144.0.0/20', 24, 1)` is `10.144.1.0/24`),
 * as templates write subnet prefixes. An IPv6 network stays unknown (amlnet does not write IPv6
 * text as Azure does), and so does a network with host bits set, which the docs leave open.
 */
def('cidrSubnet', 3, 3, (f, args) => {
  const early = f.check(args, ['string', 'int', 'int'], 'string');
  if (early !== undefined) return early;
  const [network, size, index] = args as [string, number, number];
  const parsed = ipv4Cidr(network);
  if (parsed === undefined) {
    return f.fail(network.includes(':') ? 'amlnet evaluates cidrSubnet() of IPv4 networks only' : `'${network}' is not a network in CIDR notation`);
  }
  const [base, bits] = parsed;
  if (base % 2 ** (32 - bits) !== 0) return f.fail(`amlnet does not evaluate cidrSubnet() of '${network}', whose host bits are set`);
  if (size < bits || size > 32) return f.fail(`the new CIDR ${size} must be from ${bits} to 32`);
  if (index < 0 || index >= 2 ** (size - bits)) return f.fail(`subnet index ${index} is outside 0 to ${2 ** (size - bits) - 1}`);
  const start = base + index * 2 ** (32 - size);
  // Joined: one flat string (the model keeps it), where a template string leaves a chain of pieces.
  return [Math.floor(start / 16777216), '.', Math.floor(start / 65536) % 256, '.', Math.floor(start / 256) % 256, '.', start % 256, '/', size].join('');
});

/** `a.b.c.d/n` as its address (a number below 2^32) and prefix length; undefined for anything else. */
function ipv4Cidr(text: string): [number, number] | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if ((c === 46 && dots < 3) || (c === 47 && dots === 3)) {
      if (digits === 0) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      if (c === 47) break;
      dots++;
    } else {
      return undefined;
    }
  }
  if (i === text.length) return undefined;
  let bits = 0;
  let bitDigits = 0;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57 || ++bitDigits > 2) return undefined;
    bits = bits * 10 + (c - 48);
  }
  return bitDigits === 0 || bits > 32 ? undefined : [value, bits];
}

def('range', 2, 2, (f, args) => {
  const early = f.check(args, ['int'], 'array');
  if (early !== undefined) return early;
  const [start, count] = args as number[];
  if (count < 0 || count > 10000) return f.fail(`count must be from 0 to 10000, not ${count}`);
  if (start + count > 2147483647) return f.fail('start plus count must not exceed 2147483647');
  return Array.from({ length: count }, (_, i) => start + i);
});

def('copyIndex', 0, 2, (f, args) => {
  let loop: string | undefined;
  let offset: Value = 0;
  if (args.length === 1) {
    if (typeof args[0] === 'string') loop = args[0];
    else offset = args[0];
  } else if (args.length === 2) {
    if (typeof args[0] !== 'string') return f.fail(`the loop name must be a string, not ${describeType(args[0])}`);
    loop = args[0];
    offset = args[1];
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset)) return f.fail(`the offset must be an integer, not ${describeType(offset)}`);
  const index = f.env.copyIndex(loop);
  if (typeof index === 'string') return f.fail(index);
  if (offset === 0) return index;
  if (typeof index === 'number') return safeInt(f, index + offset);
  if (index instanceof SymbolicValue) return symbolic(`add(${index.id}, ${offset})`, `add(${index.text}, ${offset})`, 'int');
  return index;
});

// ---------------------------------------------------------------------------------------------
// Strings

function tooLong(f: Fn, length: number): UnknownValue | undefined {
  return length > MAX_STRING_LENGTH ? f.fail(`the result would be ${length} characters long; amlnet stops at ${MAX_STRING_LENGTH}`) : undefined;
}

def('concat', 1, Infinity, (f, args) => {
  let arrays = false;
  let strings = false;
  for (let i = 0; i < args.length; i++) {
    const t = armTypeOf(args[i]);
    if (t === 'array') arrays = true;
    else if (t === 'string' || t === 'int') strings = true;
    else if (t !== undefined) return f.fail(`concat() joins strings or arrays, not ${describeType(args[i])} (argument ${i + 1})`);
  }
  if (arrays && strings) return f.fail('concat() joins either strings or arrays, not both');
  if (arrays) {
    if (args.some(isPartial)) return f.symbolic(args, 'array');
    const total = args.reduce<number>((n, a) => n + (a as readonly Value[]).length, 0);
    if (total > MAX_ARRAY_LENGTH) return f.fail(`the result would have ${total} elements; amlnet stops at ${MAX_ARRAY_LENGTH}`);
    return ([] as Value[]).concat(...(args as (readonly Value[])[]));
  }
  // With no argument known to be a string, a symbolic one might be an array: the result is symbolic.
  if (!strings) return f.symbolic(args);
  const parts = args.map((a) => (typeof a === 'number' ? String(a) : a as StringPart));
  return tooLong(f, literalLength(parts)) ?? joinParts(parts);
});

function literalLength(parts: readonly StringPart[]): number {
  let n = 0;
  for (const p of parts) {
    if (typeof p === 'string') n += p.length;
    else if (p instanceof TemplateString) n += literalLength(p.parts);
  }
  return n;
}

def('format', 1, Infinity, (f, args) => {
  const fmt = args[0];
  if (isPartial(fmt)) return f.check([fmt], ['string'], 'string') ?? f.symbolic(args, 'string');
  if (typeof fmt !== 'string') return f.fail(`the format must be a string, not ${describeType(fmt)}`);
  // Text since the last symbolic piece; `parts` only once a piece is symbolic (most results are plain strings).
  let parts: StringPart[] | undefined;
  let literal = '';
  let length = 0;
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    if (ch === '{' && fmt[i + 1] === '{') { literal += '{'; i += 2; continue; }
    if (ch === '}' && fmt[i + 1] === '}') { literal += '}'; i += 2; continue; }
    if (ch === '}') return f.fail(`the format has a '}' at ${i} that closes nothing; write '}}' for a brace`);
    if (ch !== '{') {
      // The run of text up to the next brace, in one piece.
      let j = i + 1;
      while (j < fmt.length) {
        const c = fmt.charCodeAt(j);
        if (c === 0x7b || c === 0x7d) break; // { }
        j++;
      }
      literal += fmt.slice(i, j);
      i = j;
      continue;
    }
    const close = fmt.indexOf('}', i);
    if (close < 0) return f.fail(`the format has a '{' at ${i} that is not closed; write '{{' for a brace`);
    const digit = fmt.charCodeAt(i + 1) - 48;
    // `{0}` to `{9}`, by far the most written, without the pattern.
    const m = close === i + 2 && digit >= 0 && digit <= 9 ? undefined : /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::([^{}]*))?$/.exec(fmt.slice(i + 1, close));
    if (m === null) return f.fail(`'{${fmt.slice(i + 1, close)}}' is not a format item such as {0}, {0,5} or {0:N0}`);
    const n = m === undefined ? digit : Number(m[1]);
    if (n + 1 >= args.length) return f.fail(`'{${fmt.slice(i + 1, close)}}' refers to argument ${n}, but there ${args.length === 2 ? 'is 1' : `are ${args.length - 1}`}`);
    const formatted = formatItem(args[n + 1], m?.[3]);
    if (formatted === 'symbolic') return f.symbolic(args, 'string');
    if (formatted instanceof UnknownValue) return f.fail(formatted.reason);
    let piece: StringPart = formatted;
    const align = m?.[2] === undefined ? 0 : Number(m[2]);
    if (align !== 0) {
      if (typeof piece !== 'string') return f.symbolic(args, 'string');
      if (Math.abs(align) > MAX_STRING_LENGTH) return f.fail(`alignment ${align} is too wide`);
      piece = align > 0 ? piece.padStart(align) : piece.padEnd(-align);
    }
    if (typeof piece === 'string') {
      literal += piece;
    } else {
      (parts ??= []).push(literal, piece);
      length += literal.length;
      literal = '';
    }
    const over = tooLong(f, length + literal.length);
    if (over) return over;
    i = close + 1;
  }
  if (parts === undefined) return literal;
  parts.push(literal);
  return joinParts(parts);
});

/**
 * One `{n:spec}` item as .NET's String.Format writes it, for the formats amlnet evaluates;
 * 'symbolic' when a number known only at deployment is formatted.
 */
function formatItem(v: Value, spec: string | undefined): StringPart | UnknownValue | 'symbolic' {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return dotnetBool(v);
  if (v === null) return '';
  if (v instanceof TemplateString) return v;
  if (v instanceof SymbolicValue) {
    return spec === undefined || armTypeOf(v) === 'string' ? v : 'symbolic';
  }
  if (typeof v === 'number') {
    if (spec === undefined || spec === '') return String(v);
    if (!Number.isInteger(v)) return new UnknownValue(`amlnet does not evaluate format '${spec}' of a decimal number`);
    return formatInteger(v, spec);
  }
  return new UnknownValue(`amlnet does not evaluate format() of ${describeType(v)}`);
}

function formatInteger(v: number, spec: string): string | UnknownValue {
  const m = /^([DdNnXx])(\d{0,2})$/.exec(spec);
  if (!m) return new UnknownValue(`amlnet does not evaluate the number format '${spec}'`);
  const kind = m[1].toUpperCase();
  const precision = m[2] === '' ? undefined : Number(m[2]);
  const sign = v < 0 ? '-' : '';
  const digits = String(Math.abs(v));
  if (kind === 'D') return sign + digits.padStart(precision ?? 0, '0');
  if (kind === 'N') {
    const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const decimals = precision ?? 2;
    return sign + grouped + (decimals > 0 ? `.${'0'.repeat(decimals)}` : '');
  }
  // .NET writes negative numbers in hexadecimal as two's complement of their width; not guessed.
  if (v < 0) return new UnknownValue(`amlnet does not evaluate hexadecimal formats of negative numbers`);
  const hex = v.toString(16).padStart(precision ?? 0, '0');
  return m[1] === 'X' ? hex.toUpperCase() : hex;
}

function changeCase(upper: boolean): Builtin['fn'] {
  const name = upper ? 'toUpper' : 'toLower';
  const convert = (p: string | SymbolicValue): string | SymbolicValue => {
    if (typeof p === 'string') return upper ? p.toUpperCase() : p.toLowerCase();
    // Regions compare without case, so toLower(resourceGroup().location) is resourceGroup().location.
    if (isLocationLike(p)) return p;
    return symbolic(`${name}(${p.id})`, `${name}(${p.text})`, 'string');
  };
  return (f, [v]) => {
    if (typeof v === 'string') return convert(v);
    if (v instanceof TemplateString) return joinParts(v.parts.map(convert));
    if (v instanceof SymbolicValue && (armTypeOf(v) ?? 'string') === 'string') return convert(v);
    return f.fail(`${name}() takes a string, not ${describeType(v)}`);
  };
}
def('toLower', 1, 1, changeCase(false));
def('toUpper', 1, 1, changeCase(true));

def('replace', 3, 3, (f, args) => {
  const early = f.check(args, ['string'], 'string');
  if (early !== undefined) return early;
  const [s, from, to] = args as string[];
  if (from === '') return f.fail('the string to replace is empty');
  const count = s.split(from).length - 1;
  return tooLong(f, s.length + count * (to.length - from.length)) ?? s.split(from).join(to);
});

def('split', 2, 2, (f, args) => {
  const [s, delim] = args;
  let delims: readonly Value[];
  if (Array.isArray(delim)) delims = delim as readonly Value[];
  else delims = [delim];
  const early = f.check([s, ...delims], ['string'], 'array');
  if (early !== undefined) return early instanceof SymbolicValue ? f.symbolic(args, 'array') : early;
  const seps = (delims as readonly string[]).filter((d) => d !== '');
  const str = s as string;
  if (seps.length === 0) return [str];
  // .NET's String.Split(string[]): at each position the first separator in the list that matches wins.
  const out: string[] = [];
  let startOfPiece = 0;
  let i = 0;
  while (i < str.length) {
    f.env.budget.spend();
    const sep = seps.find((d) => str.startsWith(d, i));
    if (sep === undefined) { i++; continue; }
    out.push(str.slice(startOfPiece, i));
    i += sep.length;
    startOfPiece = i;
  }
  out.push(str.slice(startOfPiece));
  return out;
});

def('string', 1, 1, (f, [v]) => {
  if (typeof v === 'string' || v instanceof TemplateString) return v;
  if (v === null) return '';
  if (v instanceof SymbolicValue) return armTypeOf(v) === 'string' ? v : f.symbolic([v], 'string');
  if (!isKnownWithin(v, f.env.budget)) return f.symbolic([v], 'string');
  return armString(v, f.env.budget) ?? f.fail(`the result would be longer than ${MAX_STRING_LENGTH} characters`);
});

def('substring', 1, 3, (f, args) => {
  const early = f.check(args, ['string', 'int'], 'string');
  if (early !== undefined) return early;
  const s = args[0] as string;
  const start = args.length > 1 ? args[1] as number : 0;
  if (start < 0 || start > s.length) return f.fail(`the start index ${start} is outside the string, whose length is ${s.length}`);
  const length = args.length > 2 ? args[2] as number : s.length - start;
  if (length < 0 || start + length > s.length) {
    return f.fail(`the index and length must refer to a location within the string (index ${start}, length ${length}, string length ${s.length})`);
  }
  return s.slice(start, start + length);
});

def('trim', 1, 1, (f, args) => f.check(args, ['string'], 'string') ?? (args[0] as string).trim());

/** A string's literal start and end, for tests that need only those. */
function literalEnds(v: string | TemplateString): { head: string; tail: string; whole: boolean } {
  if (typeof v === 'string') return { head: v, tail: v, whole: true };
  const first = v.parts[0];
  const last = v.parts[v.parts.length - 1];
  return { head: typeof first === 'string' ? first : '', tail: typeof last === 'string' ? last : '', whole: false };
}

function startsEnds(atStart: boolean): Builtin['fn'] {
  return (f, args) => {
    const early = f.check(args, ['string'], 'bool', true);
    if (early !== undefined) return early;
    const [s, find] = args;
    if (typeof find !== 'string' || s instanceof SymbolicValue) return f.symbolic(args, 'bool');
    // Case-insensitive, per the ARM reference.
    const needle = find.toLowerCase();
    const ends = literalEnds(s as string | TemplateString);
    const known = (atStart ? ends.head : ends.tail).toLowerCase();
    if (ends.whole || known.length >= needle.length) return atStart ? known.startsWith(needle) : known.endsWith(needle);
    const prefixMatches = atStart ? needle.startsWith(known) : needle.endsWith(known);
    return prefixMatches ? f.symbolic(args, 'bool') : false;
  };
}
def('startsWith', 2, 2, startsEnds(true));
def('endsWith', 2, 2, startsEnds(false));

function indexOfFn(last: boolean): Builtin['fn'] {
  return (f, args) => {
    const [hay, needle] = args;
    if (Array.isArray(hay)) {
      const xs = hay as readonly Value[];
      let unsure = false;
      for (let k = 0; k < xs.length; k++) {
        const i = last ? xs.length - 1 - k : k;
        const e = valuesEqual(xs[i], needle, f.env.budget);
        if (e === true) return unsure ? f.symbolic(args, 'int') : i;
        if (e === undefined) unsure = true;
      }
      return unsure ? f.symbolic(args, 'int') : -1;
    }
    const early = f.check(args, ['string'], 'int');
    if (early !== undefined) return early;
    const h = (hay as string).toLowerCase();
    const n = (needle as string).toLowerCase();
    if (last && n === '') return f.fail('lastIndexOf() of an empty string differs between .NET versions; amlnet does not guess');
    return last ? h.lastIndexOf(n) : h.indexOf(n);
  };
}
def('indexOf', 2, 2, indexOfFn(false));
def('lastIndexOf', 2, 2, indexOfFn(true));

def('padLeft', 2, 3, (f, args) => {
  const early = f.check(args, [['string', 'int'], 'int', 'string'], 'string');
  if (early !== undefined) return early;
  const s = String(args[0]);
  const total = args[1] as number;
  const pad = args.length > 2 ? args[2] as string : ' ';
  if (pad.length !== 1) return f.fail(`the padding must be a single character, not '${pad}'`);
  return tooLong(f, total) ?? (s.length >= total ? s : s.padStart(total, pad));
});

// A hash of its arguments, computed at deployment: the same arguments give the same value,
// which is all amlnet needs to know.
const hashOfArgs: Builtin['fn'] = (f, args) => f.check(args, ['string'], 'string', true) ?? f.symbolic(args, 'string');
def('guid', 1, Infinity, hashOfArgs);
def('uniqueString', 1, Infinity, hashOfArgs);

def('newGuid', 0, 0, (f) => {
  if (f.env.kind !== 'parameterDefault') return f.fail('newGuid() may be used only in a parameter default');
  const id = f.env.newGuidId();
  return symbolic(id, 'newGuid()', 'string');
});

def('utcNow', 0, 1, (f, args) => {
  if (f.env.kind !== 'parameterDefault') return f.fail('utcNow() may be used only in a parameter default');
  const early = f.check(args, ['string'], 'string');
  if (early !== undefined) return early;
  const format = args.length > 0 ? args[0] as string : 'yyyyMMddTHHmmssZ';
  return symbolic(`utcNow(${quote(format)})`, `utcNow(${quote(format)})`, 'string');
});

def('base64', 1, 1, (f, args) => f.check(args, ['string'], 'string') ?? Buffer.from(args[0] as string, 'utf8').toString('base64'));

def('base64ToString', 1, 1, (f, args) => {
  const early = f.check(args, ['string'], 'string');
  if (early !== undefined) return early;
  const s = args[0] as string;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return f.fail(`'${s}' is not base64`);
  return Buffer.from(s, 'base64').toString('utf8');
});

def('uriComponent', 1, 1, (f, args) => {
  const early = f.check(args, ['string'], 'string');
  if (early !== undefined) return early;
  // .NET's Uri.EscapeDataString escapes everything but RFC 3986's unreserved characters.
  try {
    return encodeURIComponent(args[0] as string).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return f.fail('the string holds an unpaired surrogate');
  }
});

def('uriComponentToString', 1, 1, (f, args) => {
  const early = f.check(args, ['string'], 'string');
  if (early !== undefined) return early;
  try {
    return decodeURIComponent(args[0] as string);
  } catch {
    return f.fail(`'${args[0] as string}' is not a valid URI component`);
  }
});

def('json', 1, 1, (f, args) => {
  const early = f.check(args, ['string'], undefined);
  if (early !== undefined) return early;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args[0] as string);
  } catch (e) {
    if (e instanceof RangeError) return f.fail('the JSON is nested too deeply');
    return f.fail('the string is not strict JSON (ARM accepts some looser forms that amlnet does not read)');
  }
  return jsonToValue(parsed, f.env.budget);
});

// ---------------------------------------------------------------------------------------------
// Arrays and objects

// Constructors keep an unknown element where it is, so that the rest of the array or object stays known.
def('createArray', 0, Infinity, (f) => Array.from({ length: f.env.argCount }, (_, i) => f.env.arg(i)), true);

def('createObject', 0, Infinity, (f) => {
  const n = f.env.argCount;
  if (n % 2 !== 0) return f.fail('createObject() takes pairs of key and value');
  const out: Record<string, Value> = {};
  for (let i = 0; i < n; i += 2) {
    const k = f.env.arg(i);
    if (k instanceof UnknownValue) return k;
    if (isPartial(k)) {
      const args = Array.from({ length: n }, (_, j) => f.env.arg(j));
      return args.find((a): a is UnknownValue => a instanceof UnknownValue) ?? f.symbolic(args, 'object');
    }
    if (typeof k !== 'string') return f.fail(`key ${i / 2 + 1} must be a string, not ${describeType(k)}`);
    if (hasOwn(out, k)) return f.fail(`the key '${k}' appears twice`);
    setKey(out, k, f.env.arg(i + 1));
  }
  return out;
}, true);

def('array', 1, 1, (f, [v]) => {
  if (Array.isArray(v)) return v;
  if (v instanceof SymbolicValue) {
    const t = armTypeOf(v);
    if (t === 'array') return v;
    return t === undefined ? f.symbolic([v], 'array') : [v];
  }
  return [v];
});

def('empty', 1, 1, (f, [v]) => {
  if (v === null) return true;
  if (typeof v === 'string') return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof TemplateString) return v.parts.some((p) => typeof p === 'string' && p !== '') ? false : f.symbolic([v], 'bool');
  if (v instanceof SymbolicValue) return f.symbolic([v], 'bool');
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return f.fail(`empty() takes a string, an array or an object, not ${describeType(v)}`);
});

def('length', 1, 1, (f, [v]) => {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  return f.check([v], [['string', 'array', 'object']], 'int') ?? f.fail(`length() takes a string, an array or an object, not ${describeType(v)}`);
});

def('contains', 2, 2, (f, args) => {
  const [container, item] = args;
  if (Array.isArray(container)) {
    let unsure = false;
    for (const e of container as readonly Value[]) {
      const eq = valuesEqual(e, item, f.env.budget);
      if (eq === true) return true;
      if (eq === undefined) unsure = true;
    }
    return unsure ? f.symbolic(args, 'bool') : false;
  }
  if (isPlainObject(container)) {
    if (typeof item === 'string') return findKey(container, item) !== undefined;
    if (typeof item === 'number') return findKey(container, String(item)) !== undefined;
    return f.check([item], ['string'], 'bool') ?? f.fail(`an object's keys are strings, not ${describeType(item)}`);
  }
  if (typeof container === 'string' || container instanceof TemplateString) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      return f.check([item], ['string'], 'bool') ?? f.fail(`a string contains strings, not ${describeType(item)}`);
    }
    // Case-sensitive, per the ARM reference.
    const needle = String(item);
    if (typeof container === 'string') return container.includes(needle);
    if (container.parts.some((p) => typeof p === 'string' && p.includes(needle))) return true;
    return f.symbolic(args, 'bool');
  }
  return f.check([container], [['string', 'array', 'object']], 'bool') ?? f.fail(`contains() looks in a string, an array or an object, not ${describeType(container)}`);
});

function firstLast(last: boolean): Builtin['fn'] {
  return (f, [v]) => {
    if (Array.isArray(v)) {
      const xs = v as readonly Value[];
      // Null for an empty array: Bicep types first() and last() as `T | null` for this reason.
      return xs.length === 0 ? null : xs[last ? xs.length - 1 : 0];
    }
    if (typeof v === 'string') return v.length === 0 ? '' : last ? v[v.length - 1] : v[0];
    if (v instanceof TemplateString) {
      const lit = literalEnds(v);
      const known = last ? lit.tail : lit.head;
      if (known !== '') return last ? known[known.length - 1] : known[0];
      return f.symbolic([v], 'string');
    }
    return f.check([v], [['array', 'string']]) ?? f.fail(`takes an array or a string, not ${describeType(v)}`);
  };
}
def('first', 1, 1, firstLast(false));
def('last', 1, 1, firstLast(true));

function takeSkip(take: boolean): Builtin['fn'] {
  return (f, args) => {
    const early = f.check(args, [['array', 'string'], 'int']);
    if (early !== undefined) return early;
    const [v, n] = args as [string | readonly Value[], number];
    const count = Math.max(0, Math.min(n, v.length));
    return take ? v.slice(0, count) : v.slice(count);
  };
}
def('take', 2, 2, takeSkip(true));
def('skip', 2, 2, takeSkip(false));

/** Arrays or objects throughout, or a reason; symbolic when some argument is known only at deployment. */
function sameContainers(f: Fn, args: readonly Value[]): 'array' | 'object' | Value {
  const early = f.check(args, [['array', 'object']], undefined, true);
  if (early !== undefined) return early;
  const types = [...new Set(args.map(armTypeOf).filter((t) => t !== undefined))] as ('array' | 'object')[];
  if (types.length > 1) return f.fail('takes either arrays or objects, not both');
  const type = types[0] as 'array' | 'object' | undefined;
  if (type === undefined || args.some(isPartial)) return f.symbolic(args, type);
  return type;
}

/** Appends to `out` unless an equal value is there; undefined when equality cannot be decided. */
function addDistinct(out: Value[], v: Value, budget: Budget): boolean {
  for (const e of out) {
    const eq = valuesEqual(e, v, budget);
    if (eq === true) return true;
    if (eq === undefined) return false;
  }
  out.push(v);
  return true;
}

/** union() of objects: later values win, and objects inside are merged too (the ARM reference). */
function mergeObjects(a: { readonly [key: string]: Value }, b: { readonly [key: string]: Value }, budget: Budget): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const k of Object.keys(a)) setKey(out, k, a[k]);
  for (const k of Object.keys(b)) {
    budget.spend();
    const prev = hasOwn(out, k) ? out[k] : undefined;
    const next = b[k];
    setKey(out, k, prev !== undefined && isPlainObject(prev) && isPlainObject(next) ? mergeObjects(prev, next, budget) : next);
  }
  return out;
}

def('union', 1, Infinity, (f, args) => {
  const kind = sameContainers(f, args);
  if (kind !== 'array' && kind !== 'object') return kind;
  if (kind === 'object') {
    return (args as { readonly [key: string]: Value }[]).reduce<Record<string, Value>>((acc, o) => mergeObjects(acc, o, f.env.budget), {});
  }
  const out: Value[] = [];
  for (const a of args as (readonly Value[])[]) {
    for (const v of a) {
      if (!addDistinct(out, v, f.env.budget)) return f.symbolic(args, 'array');
    }
  }
  return out;
});

def('intersection', 2, Infinity, (f, args) => {
  const kind = sameContainers(f, args);
  if (kind !== 'array' && kind !== 'object') return kind;
  const b = f.env.budget;
  if (kind === 'object') {
    const objs = args as { readonly [key: string]: Value }[];
    const out: Record<string, Value> = {};
    for (const k of Object.keys(objs[0])) {
      let keep: boolean | undefined = true;
      for (const o of objs.slice(1)) {
        const eq = hasOwn(o, k) ? valuesEqual(objs[0][k], o[k], b) : false;
        if (eq === false) { keep = false; break; }
        if (eq === undefined) keep = undefined;
      }
      if (keep === undefined) return f.symbolic(args, 'object');
      if (keep) setKey(out, k, objs[0][k]);
    }
    return out;
  }
  const arrays = args as (readonly Value[])[];
  const out: Value[] = [];
  for (const v of arrays[0]) {
    let inAll: boolean | undefined = true;
    for (const other of arrays.slice(1)) {
      let found: boolean | undefined = false;
      for (const e of other) {
        const eq = valuesEqual(v, e, b);
        if (eq === true) { found = true; break; }
        if (eq === undefined) found = undefined;
      }
      if (found === false) { inAll = false; break; }
      if (found === undefined) inAll = undefined;
    }
    if (inAll === undefined) return f.symbolic(args, 'array');
    if (inAll && !addDistinct(out, v, b)) return f.symbolic(args, 'array');
  }
  return out;
});

def('items', 1, 1, (f, [v]) => {
  if (!isPlainObject(v)) return f.check([v], ['object'], 'array') ?? f.fail(`items() takes an object, not ${describeType(v)}`);
  // The ARM reference shows the entries sorted by key.
  const keys = Object.keys(v).sort((a, b) => {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  return keys.map((key) => ({ key, value: v[key] }));
});

def('objectKeys', 1, 1, (f, [v]) => (isPlainObject(v) ? Object.keys(v) : f.check([v], ['object'], 'array') ?? f.fail(`objectKeys() takes an object, not ${describeType(v)}`)));

def('tryGet', 2, 2, (f, args) => {
  const [v, key] = args;
  if (v === null) return null;
  if (isPlainObject(v) && typeof key === 'string') {
    const k = findKey(v, key);
    return k === undefined ? null : v[k];
  }
  if (Array.isArray(v) && typeof key === 'number' && Number.isInteger(key)) {
    return key >= 0 && key < v.length ? (v as readonly Value[])[key] : null;
  }
  if (isPartial(v) || isPartial(key)) return f.symbolic(args);
  return f.fail(`cannot look up ${describeType(key)} in ${describeType(v)}`);
});

def('join', 2, 2, (f, args) => {
  const [arr, delim] = args;
  const early = f.check([arr], ['array']) ?? f.check([delim], ['string'], 'string');
  if (early !== undefined) return early;
  const parts: StringPart[] = [];
  const xs = arr as readonly Value[];
  for (let i = 0; i < xs.length; i++) {
    const e = xs[i];
    if (typeof e === 'number') parts.push(String(e));
    else if (typeof e === 'string' || e instanceof TemplateString || (e instanceof SymbolicValue && (armTypeOf(e) ?? 'string') === 'string')) parts.push(e);
    else return f.fail(`element ${i} must be a string, not ${describeType(e)}`);
    if (i < xs.length - 1) parts.push(delim as string);
  }
  return tooLong(f, literalLength(parts)) ?? joinParts(parts);
});

def('flatten', 1, 1, (f, [v]) => {
  const early = f.check([v], ['array']);
  if (early !== undefined) return early;
  const out: Value[] = [];
  for (const e of v as readonly Value[]) {
    if (Array.isArray(e) && out.length + e.length > MAX_ARRAY_LENGTH) return f.fail(`the result would have over ${MAX_ARRAY_LENGTH} elements`);
    if (Array.isArray(e)) out.push(...(e as readonly Value[]));
    else if (e instanceof SymbolicValue) return f.symbolic([v], 'array');
    else return f.fail(`flatten() takes an array of arrays, not one holding ${describeType(e)}`);
  }
  return out;
});

// ---------------------------------------------------------------------------------------------
// Deployment, scope and resources

def('parameters', 1, 1, (f, [name]) => {
  if (typeof name !== 'string') return f.fail(`the parameter name must be a known string, not ${describeType(name)}`);
  return f.env.parameter(name);
});

def('variables', 1, 1, (f, [name]) => {
  if (typeof name !== 'string') return f.fail(`the variable name must be a known string, not ${describeType(name)}`);
  return f.env.variable(name);
});

def('resourceGroup', 0, 0, (f) => resourceGroupOf(f));
def('subscription', 0, 0, (f) => subscriptionOf(f));
def('tenant', 0, 0, (f) => f.env.context.tenant ?? TENANT);
def('managementGroup', 0, 0, (f) => f.env.context.managementGroup ?? MANAGEMENT_GROUP);
def('deployment', 0, 0, (f) => f.env.context.deployment ?? DEPLOYMENT);
def('environment', 0, 0, (f) => f.env.context.environment ?? ENVIRONMENT);

function resourceGroupOf(f: Fn): Value {
  const ctx = f.env.context;
  if (ctx.resourceGroup !== undefined) return ctx.resourceGroup;
  const scope = ctx.scope ?? 'resourceGroup';
  return scope === 'resourceGroup' ? SYMBOLIC_RESOURCE_GROUP : f.fail(`resourceGroup() is not available in a ${scope} deployment`);
}

function subscriptionOf(f: Fn): Value {
  const ctx = f.env.context;
  if (ctx.subscription !== undefined) return ctx.subscription;
  const scope = ctx.scope ?? 'resourceGroup';
  return scope === 'resourceGroup' || scope === 'subscription' ? SYMBOLIC_SUBSCRIPTION : f.fail(`subscription() is not available in a ${scope} deployment`);
}

/** A property of resourceGroup() or subscription(), for building resource ids. */
function contextPart(f: Fn, of: Value, name: string): StringPart | UnknownValue {
  if (of instanceof UnknownValue) return of;
  const v = getProperty(of, name);
  if (v instanceof AccessError) return f.fail(v.message);
  return asPart(f, v, name);
}

function asPart(f: Fn, v: Value, what: string): StringPart | UnknownValue {
  if (typeof v === 'string' || v instanceof TemplateString) return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (v instanceof SymbolicValue && (armTypeOf(v) ?? 'string') === 'string') return v;
  if (v instanceof UnknownValue) return v;
  return f.fail(`${what} must be a string, not ${describeType(v)}`);
}

/** `/providers/<namespace>/<type>/<name>[/<type>/<name>...]` for a resource type and its names. */
function providerPath(f: Fn, type: Value, names: readonly Value[]): StringPart[] | UnknownValue {
  if (typeof type !== 'string') return f.fail(`the resource type must be a known string, not ${describeType(type)}`);
  // The segments are found with indexOf: split() made a list and a string per segment on every resourceId().
  let types = 0;
  let empty = false;
  let last = -1;
  for (let at = type.indexOf('/'); at >= 0; at = type.indexOf('/', at + 1)) {
    if (at === last + 1) empty = true;
    last = at;
    types++;
  }
  if (types === 0 || empty || last === type.length - 1) return f.fail(`'${type}' is not a resource type such as 'Microsoft.Network/virtualNetworks'`);
  if (names.length !== types) {
    return f.fail(`the resource type '${type}' needs ${types} name${types === 1 ? '' : 's'}, not ${names.length}`);
  }
  let from = type.indexOf('/');
  const parts: StringPart[] = ['/providers/', type.slice(0, from)];
  for (let i = 0; i < types; i++) {
    const name = asPart(f, names[i], `resource name ${i + 1}`);
    if (name instanceof UnknownValue) return name;
    const to = i === types - 1 ? type.length : type.indexOf('/', from + 1);
    parts.push('/', type.slice(from + 1, to), '/', name);
    from = to;
  }
  return parts;
}

/** Index of the resource type among the leading arguments: the first known string with a '/'. */
function typeIndex(f: Fn, args: readonly Value[], maxLeading: number): number | UnknownValue {
  for (let i = 0; i <= maxLeading && i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'string' && a.includes('/')) return i;
    if (a instanceof TemplateString && a.parts.some((p) => typeof p === 'string' && p.includes('/'))) {
      return f.fail(`cannot tell whether ${valueText(a, f.env.budget)} is the resource type`);
    }
    if (typeof a !== 'string' && !isPartial(a)) return f.fail(`argument ${i + 1} must be a string, not ${describeType(a)}`);
  }
  return f.fail(`no resource type (a string such as 'Microsoft.Network/virtualNetworks') among the first ${maxLeading + 1} arguments`);
}

function build(parts: readonly (StringPart | UnknownValue)[]): Value {
  for (const p of parts) if (p instanceof UnknownValue) return p;
  return joinParts(parts as StringPart[]);
}

def('resourceId', 2, Infinity, (f, args) => {
  const t = typeIndex(f, args, 2);
  if (t instanceof UnknownValue) return t;
  const path = providerPath(f, args[t], args.slice(t + 1));
  if (path instanceof UnknownValue) return path;
  const scope = f.env.context.scope ?? 'resourceGroup';
  if (t === 0 && (scope === 'tenant' || scope === 'managementGroup')) return build(path);
  const sub = t === 2 ? asPart(f, args[0], 'the subscription id') : contextPart(f, subscriptionOf(f), 'subscriptionId');
  if (t === 0 && scope === 'subscription') return build(['/subscriptions/', sub, ...path]);
  const rg = t >= 1 ? asPart(f, args[t - 1], 'the resource group name') : contextPart(f, resourceGroupOf(f), 'name');
  return build(['/subscriptions/', sub, '/resourceGroups/', rg, ...path]);
});

def('subscriptionResourceId', 2, Infinity, (f, args) => {
  const t = typeIndex(f, args, 1);
  if (t instanceof UnknownValue) return t;
  const path = providerPath(f, args[t], args.slice(t + 1));
  if (path instanceof UnknownValue) return path;
  const sub = t === 1 ? asPart(f, args[0], 'the subscription id') : contextPart(f, subscriptionOf(f), 'subscriptionId');
  return build(['/subscriptions/', sub, ...path]);
});

def('tenantResourceId', 2, Infinity, (f, args) => {
  const path = providerPath(f, args[0], args.slice(1));
  return path instanceof UnknownValue ? path : build(path);
});

def('managementGroupResourceId', 2, Infinity, (f, args) => {
  const t = typeIndex(f, args, 1);
  if (t instanceof UnknownValue) return t;
  const path = providerPath(f, args[t], args.slice(t + 1));
  if (path instanceof UnknownValue) return path;
  const mg = t === 1 ? asPart(f, args[0], 'the management group name') : contextPart(f, f.env.context.managementGroup ?? MANAGEMENT_GROUP, 'name');
  return build(['/providers/Microsoft.Management/managementGroups/', mg, ...path]);
});

def('extensionResourceId', 3, Infinity, (f, args) => {
  const base = asPart(f, args[0], 'the resource id');
  const path = providerPath(f, args[1], args.slice(2));
  return path instanceof UnknownValue ? path : build([base, ...path]);
});

/** reference() and list*(): resolved by the reader when it can, otherwise symbolic, never guessed. */
function referenceLike(f: Fn, args: readonly Value[] | UnknownValue): Value {
  if (args instanceof UnknownValue) return args;
  if (f.env.kind === 'function') return f.fail(`user-defined functions cannot call ${f.env.name}() (an ARM rule)`);
  if (f.env.kind === 'parameterDefault') return f.fail(`parameter defaults cannot call ${f.env.name}() (an ARM rule)`);
  const resolved = f.env.context.resolveReference?.({ name: f.env.name, args, text: f.env.snippet });
  return resolved ?? f.symbolic(args);
}
def('reference', 1, 3, (f, args) => referenceLike(f, args));
