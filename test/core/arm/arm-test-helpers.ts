// Shared helpers for the ARM expression tests.
import * as assert from 'node:assert/strict';
import { ArmScope, type ArmScopeOptions } from '../../../src/core/arm/expression-evaluator';
import { SymbolicValue, TemplateString, UnknownValue, type Value } from '../../../src/core/template/value';

/** A tree without its offsets, to compare shapes. */
export function stripOffsets(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripOffsets);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'start' && k !== 'end') out[k] = stripOffsets(v);
  }
  return out;
}

/** A value as plain data, so that deepEqual compares symbolic ids and template parts exactly. */
export function plain(v: Value): unknown {
  if (v instanceof SymbolicValue) return { sym: v.id };
  if (v instanceof UnknownValue) return { unknown: v.reason };
  if (v instanceof TemplateString) return { template: v.parts.map((p) => (typeof p === 'string' ? p : { sym: p.id })) };
  if (Array.isArray(v)) return (v as readonly Value[]).map(plain);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

/** Evaluates one expression in the scope of a template (by default an empty one). */
export function evalIn(text: string, template: unknown = {}, options?: ArmScopeOptions): Value {
  return ArmScope.forTemplate(template, options).evaluate(text);
}

/** Asserts the value is unknown with a reason matching `reason`, and returns the reason. */
export function assertUnknown(v: Value, reason: RegExp, message?: string): string {
  if (!(v instanceof UnknownValue)) assert.fail(`${message ?? ''} expected unknown, got ${JSON.stringify(plain(v))}`);
  assert.match(v.reason, reason, message);
  return v.reason;
}

/** Asserts the value is symbolic with this id. */
export function assertSymbolic(v: Value, id: string, message?: string): void {
  if (!(v instanceof SymbolicValue)) assert.fail(`${message ?? ''} expected symbolic ${id}, got ${JSON.stringify(plain(v))}`);
  assert.equal(v.id, id, message);
}
