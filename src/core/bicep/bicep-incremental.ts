/**
 * What the incremental Bicep reader needs to know about statements and values: which names a
 * statement declares and uses (and whether it uses a resource only as `x.id` / `x.name`), an exact
 * text form of a value for "did it change", and moving the spans of kept model parts after an edit.
 */
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import { ResourceIdValue } from './bicep-evaluator';
import type { Statement, SyntaxNode } from './syntax';
import { forEachChild } from './walk';

/** How a statement uses a name: only as `name.id` / `name.name` (1), or in any other way (2). */
export type Usage = 1 | 2;

const usages = new WeakMap<Statement, ReadonlyMap<string, Usage>>();

/**
 * Every identifier a statement mentions, with how (cached per statement node: statements an edit
 * does not touch keep their node, so this is worked out once per statement). Property keys, loop
 * variables and lambda parameters count too: that only makes the reader re-read more.
 */
export function usageOf(statement: Statement): ReadonlyMap<string, Usage> {
  let found = usages.get(statement);
  if (found) return found;
  const map = new Map<string, Usage>();
  const stack: SyntaxNode[] = [statement];
  const push = (n: SyntaxNode): void => {
    stack.push(n);
  };
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (n.kind === 'identifier') {
      map.set(n.name, 2);
      continue;
    }
    if (n.kind === 'property' && typeof n.key === 'string') map.set(n.key, 2);
    if (n.kind === 'propertyAccess' && n.object.kind === 'identifier' && n.name.kind === 'identifier' && (n.name.name === 'id' || n.name.name === 'name')) {
      if (!map.has(n.object.name)) map.set(n.object.name, 1);
      map.set(n.name.name, 2);
      continue;
    }
    forEachChild(n, push);
  }
  found = map;
  usages.set(statement, found);
  return found;
}

/** The names a statement declares (params, vars, resources, modules, outputs, functions, types, imports). */
export function declaredNames(s: Statement): string[] {
  switch (s.kind) {
    case 'param': case 'var': case 'resource': case 'module': case 'output': case 'func': case 'type':
      return s.name.kind === 'identifier' ? [s.name.name] : [];
    case 'import': {
      const out: string[] = [];
      if (s.wildcardAlias?.kind === 'identifier') out.push(s.wildcardAlias.name);
      for (const item of s.items ?? []) {
        const alias = item.alias?.kind === 'identifier' ? item.alias.name : item.name.kind === 'identifier' ? item.name.name : item.name.kind === 'string' ? item.name.value : undefined;
        if (alias !== undefined) out.push(alias);
      }
      return out;
    }
    case 'extension':
      return s.alias?.kind === 'identifier' ? [s.alias.name] : [];
    default:
      return [];
  }
}

/**
 * An exact text form of a value: equal texts mean values that behave alike wherever they are
 * used. Undefined when the value holds something that cannot be compared this way (a resource or
 * module handle, a lambda): the caller then assumes it changed.
 */
export function fingerprint(v: Value, depth = 0): string | undefined {
  if (depth > 40) return undefined;
  if (v === null) return 'N';
  switch (typeof v) {
    case 'string': return `s${v.length}:${v}`;
    case 'number': return Object.is(v, -0) ? 'n-0' : `n${v}`;
    case 'boolean': return v ? 'T' : 'F';
    default: break;
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (const e of v as readonly Value[]) {
      const f = fingerprint(e, depth + 1);
      if (f === undefined) return undefined;
      out += `${f},`;
    }
    return `${out}]`;
  }
  if (isPlainObject(v)) {
    let out = '{';
    for (const k of Object.keys(v)) {
      const f = fingerprint(v[k], depth + 1);
      if (f === undefined) return undefined;
      out += `${k.length}:${k}=${f},`;
    }
    return `${out}}`;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === TemplateString.prototype) {
    const t = v as TemplateString;
    let out = 't(';
    for (const p of t.parts) {
      const f = typeof p === 'string' ? `s${p.length}:${p}` : fingerprint(p, depth + 1);
      if (f === undefined) return undefined;
      out += `${f},`;
    }
    return `${out})`;
  }
  if (proto === SymbolicValue.prototype || proto === UnknownValue.prototype) {
    const rec = v as unknown as Record<string, unknown>;
    let out = proto === SymbolicValue.prototype ? 'y{' : 'u{';
    for (const k of Object.keys(rec)) {
      const f = typeof rec[k] === 'string' ? `s${(rec[k] as string).length}:${rec[k] as string}` : undefined;
      if (f === undefined) return undefined;
      out += `${k}=${f},`;
    }
    return `${out}}`;
  }
  if (proto === ResourceIdValue.prototype) {
    const r = v as ResourceIdValue;
    const name = fingerprint(r.name, depth + 1);
    if (name === undefined) return undefined;
    return `r(${JSON.stringify([r.key, r.type, r.existing, r.text, r.id])},${name})`;
  }
  return undefined;
}

/** Thrown by `SpanShifter` when a kept part points into the edited text: the reader reads the file whole instead. */
export class TouchesEdit extends Error {}

/**
 * Moves the spans of `file` in kept model parts to where their text is after an edit that
 * replaced `[start, oldEnd)` of the old text: spans after it move by `delta`, spans before it stay,
 * and a span that overlaps it throws `TouchesEdit` (for a pure insertion, so does a span that
 * starts where the text was inserted). Objects and arrays with no span to move are returned as
 * they are, others are copied. Class instances (template values) are kept as they are.
 */
export class SpanShifter {
  constructor(
    readonly file: string,
    readonly start: number,
    readonly oldEnd: number,
    readonly delta: number,
  ) {}

  shift<T>(x: T): T {
    if (typeof x !== 'object' || x === null) return x;
    if (Array.isArray(x)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < x.length; i++) {
        const v = x[i] as unknown;
        if (typeof v !== 'object' || v === null) continue;
        const y = this.shift(v);
        if (y !== v) (copy ??= x.slice())[i] = y;
      }
      return (copy ?? x) as T;
    }
    if (Object.getPrototypeOf(x) !== Object.prototype) return x;
    const rec = x as Record<string, unknown>;
    if (typeof rec.file === 'string' && typeof rec.start === 'number' && typeof rec.end === 'number' && isSpan(rec)) {
      return this.span(rec as { file: string; start: number; end: number }) as T;
    }
    let copy: Record<string, unknown> | undefined;
    for (const k in rec) {
      const v = rec[k];
      // A rule collection's raw value is a template value: it holds no span.
      if (typeof v !== 'object' || v === null || k === 'raw') continue;
      const y = this.shift(v);
      if (y !== v) (copy ??= { ...rec })[k] = y;
    }
    return (copy ?? x) as T;
  }

  /** Whether every span of `file` in the given bounds (see `spanBounds`) is before the edit (nothing to move). */
  before(bounds: SpanBounds): boolean {
    return bounds.maxStart < this.start && bounds.maxEnd <= this.start;
  }

  private span(s: { file: string; start: number; end: number }): object {
    if (s.file !== this.file) return s;
    if (s.start >= this.oldEnd && (s.start > this.start || this.start < this.oldEnd)) return this.delta === 0 ? s : { file: s.file, start: s.start + this.delta, end: s.end + this.delta };
    if (s.end <= this.start && s.start < this.start) return s;
    throw new TouchesEdit();
  }
}

function isSpan(rec: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in rec) if (Object.prototype.hasOwnProperty.call(rec, k)) n++;
  return n === 3;
}

/** The largest start and end of the spans of one file in some model data. */
export interface SpanBounds {
  readonly maxStart: number;
  readonly maxEnd: number;
}

/** The bounds of the spans of `file` in `x` (-1 when there are none). */
export function spanBounds(x: unknown, file: string, into: { maxStart: number; maxEnd: number } = { maxStart: -1, maxEnd: -1 }): SpanBounds {
  if (typeof x !== 'object' || x === null) return into;
  if (Array.isArray(x)) {
    for (const v of x) if (typeof v === 'object' && v !== null) spanBounds(v, file, into);
    return into;
  }
  if (Object.getPrototypeOf(x) !== Object.prototype) return into;
  const rec = x as Record<string, unknown>;
  if (typeof rec.file === 'string' && typeof rec.start === 'number' && typeof rec.end === 'number' && isSpan(rec)) {
    if (rec.file === file) {
      into.maxStart = Math.max(into.maxStart, rec.start);
      into.maxEnd = Math.max(into.maxEnd, rec.end);
    }
    return into;
  }
  for (const k in rec) {
    const v = rec[k];
    if (typeof v === 'object' && v !== null && k !== 'raw') spanBounds(v, file, into);
  }
  return into;
}

/** Whether a statement kind may change without the reader reading the whole file again. */
export function editableKind(s: Statement): boolean {
  switch (s.kind) {
    case 'param': case 'var': case 'resource': case 'output': case 'func': case 'type': case 'errorStatement': case 'metadata':
      return true;
    default:
      return false;
  }
}

/** Whether two statements are the same tree apart from where they are (offsets relative to their start). */
export function sameTree(a: Statement, b: Statement): boolean {
  return sameNode(a, b, a.start, b.start, 0);
}

function sameNode(a: unknown, b: unknown, baseA: number, baseB: number, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > 1000) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameNode(a[i], b[i], baseA, baseB, depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const k of keys) {
    if (!(k in rb)) return false;
    if (k === 'start' || k === 'end') {
      if ((ra[k] as number) - baseA !== (rb[k] as number) - baseB) return false;
    } else if (!sameNode(ra[k], rb[k], baseA, baseB, depth + 1)) return false;
  }
  return true;
}
