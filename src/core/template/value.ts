/**
 * Values of template expressions (ARM and Bicep) after static evaluation. Plain JSON values
 * where they are known; the three classes below where they are not, so that nothing is guessed.
 */

/**
 * A value fixed only at deployment, whose identity is known: `resourceGroup().location`,
 * `parameters('location')` without a value, `reference(...)`, `uniqueString(...)`. Two symbolic
 * values with the same `id` are the same value (so `Storage.${location}` can meet `location`).
 */
export class SymbolicValue {
  constructor(
    /** Canonical identity, e.g. "resourceGroup().location" or "param:location". */
    readonly id: string,
    /** How to show it, e.g. "parameters('location')". */
    readonly text: string,
  ) {}
}

/** A value that cannot be known statically, with the reason (shown to the user). */
export class UnknownValue {
  constructor(readonly reason: string) {}
}

/** A string with symbolic parts, e.g. concat('Storage.', resourceGroup().location). */
export class TemplateString {
  constructor(readonly parts: readonly (string | SymbolicValue)[]) {}

  /** Joins adjacent literal parts; a single literal becomes a plain string. */
  static of(parts: readonly (string | SymbolicValue | TemplateString)[]): string | TemplateString {
    const flat: (string | SymbolicValue)[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p instanceof TemplateString) {
        for (let j = 0; j < p.parts.length; j++) append(flat, p.parts[j]);
      } else {
        append(flat, p);
      }
    }
    if (flat.length === 0) return '';
    if (flat.length === 1 && typeof flat[0] === 'string') return flat[0];
    return new TemplateString(flat);
  }

  /** `text`, made on first use (a template string is often shown many times: one per rule it is the address of). */
  #text: string | undefined;

  get text(): string {
    // Joined (a flat string, quick to compare and hash), not concatenated piece by piece.
    this.#text ??= this.parts.map((p) => (typeof p === 'string' ? p : `{${p.text}}`)).join('');
    return this.#text;
  }
}

/** Appends one part, joined to a literal part before it; empty literals are dropped. */
function append(flat: (string | SymbolicValue)[], item: string | SymbolicValue): void {
  const last = flat.length === 0 ? undefined : flat[flat.length - 1];
  if (typeof item === 'string' && typeof last === 'string') flat[flat.length - 1] = last + item;
  else if (item !== '') flat.push(item);
}

export type Value =
  | null
  | boolean
  | number
  | string
  | readonly Value[]
  | { readonly [key: string]: Value }
  | SymbolicValue
  | UnknownValue
  | TemplateString;

export function isPlainObject(v: Value): v is { readonly [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    && !(v instanceof SymbolicValue) && !(v instanceof UnknownValue) && !(v instanceof TemplateString);
}

/** Whether a value is fully known (no symbolic or unknown part anywhere inside). */
export function isKnown(v: Value): boolean {
  if (v instanceof SymbolicValue || v instanceof UnknownValue || v instanceof TemplateString) return false;
  if (Array.isArray(v)) return v.every(isKnown);
  if (isPlainObject(v)) return Object.values(v).every(isKnown);
  return true;
}
