/**
 * Operations on evaluated ARM values that know about symbolic and unknown parts: identity,
 * equality that can answer "cannot tell", property and index access, and ARM's `string()`.
 */
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';

/** The JSON types ARM expressions work with. */
export type ArmType = 'string' | 'int' | 'bool' | 'array' | 'object' | 'null';

/** Longest string the evaluator builds; longer results are unknown, not computed. */
export const MAX_STRING_LENGTH = 1 << 20;
/** Longest array the evaluator builds by concatenation; longer results are unknown. */
export const MAX_ARRAY_LENGTH = 100_000;

/** Thrown inside an evaluation when its step budget or nesting limit runs out; never escapes the evaluator. */
export class EvaluationLimit extends Error {}

/** Counts work, so that exponential templates (a variable doubling another, 40 times) end. */
export class Budget {
  constructor(public left: number) {}

  spend(n = 1): void {
    this.left -= n;
    if (this.left < 0) throw new EvaluationLimit('the expression needs more evaluation steps than amlnet allows');
  }
}

// What is known of a symbolic value's type, e.g. that `resourceGroup().name` is a string. Kept
// beside the value rather than in it because value.ts is shared with the Bicep reader.
const typeHints = new WeakMap<SymbolicValue, ArmType>();

/** A symbolic value, with its type when known. */
export function symbolic(id: string, text: string, type?: ArmType): SymbolicValue {
  const s = new SymbolicValue(id, text);
  if (type !== undefined) typeHints.set(s, type);
  return s;
}

/** Regions are compared without case, so lower-casing one keeps its identity. */
export function isLocationLike(s: SymbolicValue): boolean {
  return /(location|region)$/i.test(s.id);
}

/** The type of a value, when known; symbolic values answer from their hint. */
export function armTypeOf(v: Value): ArmType | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string' || v instanceof TemplateString) return 'string';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v instanceof SymbolicValue) return typeHints.get(v) ?? (isLocationLike(v) ? 'string' : undefined);
  if (v instanceof UnknownValue) return undefined;
  return 'object';
}

/**
 * TemplateString.of, except that a lone symbolic part is the symbolic value itself, so that
 * `concat(resourceGroup().location)` is `resourceGroup().location` and compares equal to it.
 */
export function joinParts(parts: readonly (string | SymbolicValue | TemplateString)[]): string | SymbolicValue | TemplateString {
  const joined = TemplateString.of(parts);
  return joined instanceof TemplateString && joined.parts.length === 1 ? joined.parts[0] : joined;
}

/** Symbolic values and strings with symbolic parts: known shape, value fixed at deployment. */
export function isPartial(v: Value): v is SymbolicValue | TemplateString {
  return v instanceof SymbolicValue || v instanceof TemplateString;
}

/** Describes a value's type for messages: "a string", "an array". */
export function describeType(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal number';
  if (v instanceof UnknownValue) return 'an unknown value';
  switch (armTypeOf(v)) {
    case 'string': return 'a string';
    case 'bool': return 'a boolean';
    case 'array': return 'an array';
    case 'object': return 'an object';
    default: return 'a value known only at deployment';
  }
}

/** An ARM string literal: `'it''s'`. */
export function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Canonical identity of a value: equal values (object key order aside) have equal ids. */
export function valueId(v: Value, budget: Budget): string {
  return renderPart(v, budget, true);
}

/** How to show a value in a symbolic value's text or a message. */
export function valueText(v: Value, budget: Budget): string {
  return renderPart(v, budget, false);
}

/** Ids longer than this are useless for matching and costly to build: the evaluation stops instead. */
const MAX_ID_LENGTH = 1 << 16;

function renderPart(v: Value, budget: Budget, canonical: boolean): string {
  budget.spend();
  if (v === null) return 'null';
  if (typeof v === 'string') {
    checked(v.length);
    return quote(v);
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof SymbolicValue) return canonical ? v.id : v.text;
  if (v instanceof UnknownValue) return '<unknown>';
  const pieces: string[] = [];
  let length = 0;
  const add = (piece: string): void => {
    length += piece.length + 2;
    checked(length);
    pieces.push(piece);
  };
  if (v instanceof TemplateString || Array.isArray(v)) {
    const items: readonly Value[] = v instanceof TemplateString ? v.parts : v as readonly Value[];
    for (const item of items) add(renderPart(item, budget, canonical));
    return v instanceof TemplateString ? `concat(${pieces.join(', ')})` : `[${pieces.join(', ')}]`;
  }
  const obj = v as { readonly [key: string]: Value };
  const keys = Object.keys(obj);
  if (canonical) keys.sort();
  for (const k of keys) add(`${quote(k)}: ${renderPart(obj[k], budget, canonical)}`);
  return `{${pieces.join(', ')}}`;
}

function checked(length: number): void {
  if (length > MAX_ID_LENGTH) throw new EvaluationLimit('a value is too large to stand in a symbolic expression');
}

/** Whether a value is fully known, like value.ts's isKnown, but within the evaluation's budget. */
export function isKnownWithin(v: Value, budget: Budget): boolean {
  budget.spend();
  if (v instanceof SymbolicValue || v instanceof UnknownValue || v instanceof TemplateString) return false;
  if (Array.isArray(v)) return (v as readonly Value[]).every((e) => isKnownWithin(e, budget));
  if (isPlainObject(v)) return Object.values(v).every((e) => isKnownWithin(e, budget));
  return true;
}

/** Why a property or index access failed (a class, so that no object value can be mistaken for it). */
export class AccessError {
  constructor(readonly message: string) {}
}

/** Own property lookup that a `__proto__` key cannot confuse. */
export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Sets a key on a fresh object, `__proto__` included. */
export function setKey(obj: Record<string, Value>, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** ARM looks properties up without regard to case; an exact match wins. */
export function findKey(obj: { readonly [key: string]: Value }, name: string): string | undefined {
  if (hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/**
 * Deep equality as `equals()` sees it: true, false, or undefined when it depends on values fixed
 * only at deployment. Two symbolic values with the same id are equal.
 */
export function valuesEqual(a: Value, b: Value, budget: Budget): boolean | undefined {
  budget.spend();
  if (a instanceof TemplateString) a = joinParts(a.parts);
  if (b instanceof TemplateString) b = joinParts(b.parts);
  if (a === b) return true;
  if (a instanceof UnknownValue || b instanceof UnknownValue) return undefined;
  if (a instanceof SymbolicValue || b instanceof SymbolicValue) {
    if (a instanceof SymbolicValue && b instanceof SymbolicValue && a.id === b.id) return true;
    const ta = armTypeOf(a);
    const tb = armTypeOf(b);
    return ta !== undefined && tb !== undefined && ta !== tb ? false : undefined;
  }
  if (a instanceof TemplateString || b instanceof TemplateString) {
    if ((typeof a === 'string' || a instanceof TemplateString) && (typeof b === 'string' || b instanceof TemplateString)) {
      return templateStringsEqual(a, b);
    }
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const xs = a as readonly Value[];
    const ys = b as readonly Value[];
    if (xs.length !== ys.length) return false;
    let sure = true;
    for (let i = 0; i < xs.length; i++) {
      const e = valuesEqual(xs[i], ys[i], budget);
      if (e === false) return false;
      if (e === undefined) sure = false;
    }
    return sure ? true : undefined;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    let sure = true;
    for (const k of ka) {
      if (!hasOwn(b, k)) return false;
      const e = valuesEqual(a[k], b[k], budget);
      if (e === false) return false;
      if (e === undefined) sure = false;
    }
    return sure ? true : undefined;
  }
  // Primitives of the same type compared by ===; of different types, never equal.
  return false;
}

function templateStringsEqual(a: string | TemplateString, b: string | TemplateString): boolean | undefined {
  const pa = typeof a === 'string' ? [a] : a.parts;
  const pb = typeof b === 'string' ? [b] : b.parts;
  if (pa.length === pb.length && pa.every((p, i) => {
    const q = pb[i];
    return typeof p === 'string' ? p === q : q instanceof SymbolicValue && q.id === p.id;
  })) return true;
  // Different literal starts or ends decide it whatever the symbolic parts turn out to be.
  const headA = typeof pa[0] === 'string' ? pa[0] : '';
  const headB = typeof pb[0] === 'string' ? pb[0] : '';
  const n = Math.min(headA.length, headB.length);
  if (headA.slice(0, n) !== headB.slice(0, n)) return false;
  const lastA = pa[pa.length - 1];
  const lastB = pb[pb.length - 1];
  const tailA = typeof lastA === 'string' ? lastA : '';
  const tailB = typeof lastB === 'string' ? lastB : '';
  const m = Math.min(tailA.length, tailB.length);
  if (tailA.slice(tailA.length - m) !== tailB.slice(tailB.length - m)) return false;
  return undefined;
}

/** A property name as it appears in a symbolic id: lower case, since ARM ignores case there. */
function idSegment(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name.toLowerCase()}` : `[${quote(name.toLowerCase())}]`;
}

function textSegment(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${quote(name)}]`;
}

/** `value.name`: a property of a known object, or a derived symbolic value; an error message otherwise. */
export function getProperty(target: Value, name: string): Value | AccessError {
  if (target instanceof UnknownValue) return target;
  if (target instanceof SymbolicValue) return symbolic(target.id + idSegment(name), target.text + textSegment(name));
  if (isPlainObject(target)) {
    const key = findKey(target, name);
    if (key === undefined) {
      const keys = Object.keys(target);
      const known = keys.length === 0 ? 'it has none' : `it has ${keys.slice(0, 10).map((k) => `'${k}'`).join(', ')}${keys.length > 10 ? ', ...' : ''}`;
      return new AccessError(`the object has no property '${name}' (${known})`);
    }
    return target[key];
  }
  return new AccessError(`cannot read property '${name}' of ${describeType(target)}`);
}

/** `value[index]`: an element, a property, or a derived symbolic value; an error message otherwise. */
export function getIndex(target: Value, index: Value, budget: Budget): Value | AccessError {
  if (target instanceof UnknownValue) return target;
  if (index instanceof UnknownValue) return index;
  if (target instanceof SymbolicValue) {
    if (typeof index === 'string') return getProperty(target, index);
    if (typeof index === 'number' || index instanceof SymbolicValue || index instanceof TemplateString) {
      return symbolic(`${target.id}[${valueId(index, budget)}]`, `${target.text}[${valueText(index, budget)}]`);
    }
    return new AccessError(`cannot index with ${describeType(index)}`);
  }
  if (Array.isArray(target)) {
    const arr = target as readonly Value[];
    if (typeof index === 'number' && Number.isInteger(index)) {
      if (index < 0 || index >= arr.length) return new AccessError(`index ${index} is out of range: the array has ${arr.length} element${arr.length === 1 ? '' : 's'}`);
      return arr[index];
    }
    if (index instanceof SymbolicValue && armTypeOf(index) !== 'string') {
      // Every element the same: the index does not matter.
      if (arr.length > 0 && arr.every((e) => valuesEqual(e, arr[0], budget) === true)) return arr[0];
      return symbolic(`${valueId(target, budget)}[${index.id}]`, `${valueText(target, budget)}[${index.text}]`);
    }
    return new AccessError(`an array is indexed by an integer, not by ${describeType(index)}`);
  }
  if (isPlainObject(target)) {
    if (typeof index === 'string') return getProperty(target, index);
    if (index instanceof SymbolicValue || index instanceof TemplateString) {
      return symbolic(`${valueId(target, budget)}[${valueId(index, budget)}]`, `${valueText(target, budget)}[${valueText(index, budget)}]`);
    }
    return new AccessError(`an object is indexed by a property name, not by ${describeType(index)}`);
  }
  return new AccessError(`cannot index ${describeType(target)}`);
}

/** .NET's Boolean.ToString(), which ARM's string() and format() use. */
export function dotnetBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/**
 * ARM's `string()` of a fully known value: strings unchanged, booleans as .NET writes them,
 * arrays and objects as compact JSON. Undefined when the value is not fully known.
 */
export function armString(v: Value, budget: Budget): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return dotnetBool(v);
  if (v === null || isPartial(v) || v instanceof UnknownValue) return undefined;
  let size = 0;
  const out: string[] = [];
  const write = (x: Value): boolean => {
    budget.spend();
    if (x === null || typeof x === 'number' || typeof x === 'boolean' || typeof x === 'string') {
      const s = JSON.stringify(x);
      size += s.length;
      out.push(s);
    } else if (Array.isArray(x)) {
      out.push('[');
      const xs = x as readonly Value[];
      for (let i = 0; i < xs.length; i++) {
        if (i > 0) out.push(',');
        if (!write(xs[i])) return false;
      }
      out.push(']');
    } else if (isPlainObject(x)) {
      out.push('{');
      let first = true;
      for (const k of Object.keys(x)) {
        if (!first) out.push(',');
        first = false;
        out.push(JSON.stringify(k), ':');
        size += k.length;
        if (!write(x[k])) return false;
      }
      out.push('}');
    } else {
      return false;
    }
    size += 1;
    return size <= MAX_STRING_LENGTH;
  };
  return write(v) ? out.join('') : undefined;
}

/** Converts parsed JSON into a value; anything that is not JSON becomes unknown. */
export function jsonToValue(json: unknown, budget: Budget, depth = 0): Value {
  budget.spend();
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (typeof json === 'number') return Number.isFinite(json) ? json : new UnknownValue(`${json} is not a JSON number`);
  if (depth > 200) return new UnknownValue('the JSON value is nested more than 200 levels deep');
  if (Array.isArray(json)) return json.map((e) => jsonToValue(e, budget, depth + 1));
  if (typeof json === 'object') {
    const out: Record<string, Value> = {};
    for (const k of Object.keys(json)) setKey(out, k, jsonToValue((json as Record<string, unknown>)[k], budget, depth + 1));
    return out;
  }
  return new UnknownValue(`a ${typeof json} is not a JSON value`);
}
