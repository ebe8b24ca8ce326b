import { TextMemo } from './text-memo';

/** A closed interval of ports. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export const MAX_PORT = 65535;

/** A set of ports in 0-65535, kept as sorted, disjoint, non-adjacent ranges. Immutable. */
export class PortSet {
  static readonly EMPTY = new PortSet([]);
  static readonly ALL = new PortSet([{ from: 0, to: MAX_PORT }]);

  private constructor(readonly ranges: readonly PortRange[]) {}

  static of(ranges: readonly PortRange[]): PortSet {
    const sorted = ranges.filter((r) => r.from <= r.to).slice().sort((a, b) => a.from - b.from);
    const merged: PortRange[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r.from <= last.to + 1) {
        if (r.to > last.to) merged[merged.length - 1] = { from: last.from, to: r.to };
      } else {
        merged.push({ from: r.from, to: r.to });
      }
    }
    return new PortSet(merged);
  }

  static single(port: number): PortSet {
    return new PortSet([{ from: port, to: port }]);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  get isAll(): boolean {
    return this.ranges.length === 1 && this.ranges[0].from === 0 && this.ranges[0].to === MAX_PORT;
  }

  /** How many ports. */
  get size(): number {
    return this.ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
  }

  has(port: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid];
      if (port < r.from) hi = mid - 1;
      else if (port > r.to) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: PortSet): PortSet {
    return PortSet.of([...this.ranges, ...other.ranges]);
  }

  intersect(other: PortSet): PortSet {
    const out: PortRange[] = [];
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const a = this.ranges[i];
      const b = other.ranges[j];
      const from = Math.max(a.from, b.from);
      const to = Math.min(a.to, b.to);
      if (from <= to) out.push({ from, to });
      if (a.to < b.to) i++;
      else j++;
    }
    return new PortSet(out);
  }

  subtract(other: PortSet): PortSet {
    const out: PortRange[] = [];
    for (const a of this.ranges) {
      let from = a.from;
      for (const b of other.ranges) {
        if (b.to < from || b.from > a.to) continue;
        if (b.from > from) out.push({ from, to: b.from - 1 });
        from = b.to + 1;
        if (from > a.to) break;
      }
      if (from <= a.to) out.push({ from, to: a.to });
    }
    return new PortSet(out);
  }

  covers(other: PortSet): boolean {
    return other.subtract(this).isEmpty;
  }

  /** Whether any port is in both; walks both lists without building the intersection (the engine asks this per rule). */
  overlaps(other: PortSet): boolean {
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const a = this.ranges[i];
      const b = other.ranges[j];
      if (a.from <= b.to && b.from <= a.to) return true;
      if (a.to < b.to) i++;
      else j++;
    }
    return false;
  }

  equals(other: PortSet): boolean {
    return this.ranges.length === other.ranges.length
      && this.ranges.every((r, i) => r.from === other.ranges[i].from && r.to === other.ranges[i].to);
  }

  /** "443", "80, 443", "29876-29877", "*" for all ports, "none" for the empty set. */
  toString(): string {
    if (this.isEmpty) return 'none';
    if (this.isAll) return '*';
    return this.ranges.map(formatRange).join(', ');
  }
}

export function formatRange(r: PortRange): string {
  return formatBounds(r.from, r.to);
}

/** A range given by its bounds as text: "443" or "8000-8999". */
export function formatBounds(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

/** The result of reading one port entry of a rule. */
export type ParsedPort = { readonly ok: true; readonly set: PortSet } | { readonly ok: false; readonly error: string };


/**
 * Reads one entry of `sourcePortRange(s)` / `destinationPortRange(s)`: `*`, a port, or `from-to`.
 * Azure accepts surrounding spaces; anything else is malformed and reported, never guessed.
 */
export function parsePortEntry(text: string): ParsedPort {
  return portsByText.get(text);
}

function readPortEntry(text: string): ParsedPort {
  const t = text.trim();
  if (t === '*' || t.toLowerCase() === 'any') return { ok: true, set: PortSet.ALL };
  const m = /^(\d{1,5})\s*(?:-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return { ok: false, error: `"${text}" is not a port, a range "from-to", or "*"` };
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > MAX_PORT || to > MAX_PORT) return { ok: false, error: `"${text}" is outside 0-${MAX_PORT}` };
  if (from > to) return { ok: false, error: `"${text}" starts after it ends` };
  return { ok: true, set: PortSet.of([{ from, to }]) };
}

/** Reads a list of port entries into one set; throws on a malformed entry (for trusted catalog data). */
export function portSetOf(entries: readonly string[]): PortSet {
  let set = PortSet.EMPTY;
  for (const e of entries) {
    const p = parsePortEntry(e);
    if (!p.ok) throw new Error(p.error);
    set = set.union(p.set);
  }
  return set;
}

/** Each port text read once (results are immutable). */
const portsByText = new TextMemo(readPortEntry);
