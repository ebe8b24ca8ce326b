import * as ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

/** A closed interval of addresses of one family, as big integers. */
export interface IpInterval {
  readonly family: IpFamily;
  readonly from: bigint;
  readonly to: bigint;
}

function toBigInt(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** Reads "10.0.0.0/16", "10.0.0.4" or an IPv6 prefix; undefined when it is not one. */
export function parseCidr(text: string): IpInterval | undefined {
  const t = text.trim();
  // IPv4 is most of what templates hold; read it directly rather than through the IPv6-first parser.
  const m = IPV4.exec(t);
  if (m) {
    const octets = [m[1], m[2], m[3], m[4]].map(Number);
    const bits = m[5] === undefined ? 32 : Number(m[5]);
    if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1][0] === '0')) || bits > 32) return undefined;
    const base = BigInt(((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]);
    const hostBits = BigInt(32 - bits);
    const from = (base >> hostBits) << hostBits;
    return { family: 4, from, to: from + (1n << hostBits) - 1n };
  }
  if (!t.includes(':')) return undefined;
  try {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    let bits: number;
    if (t.includes('/')) {
      if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(t)) return undefined;
      [addr, bits] = ipaddr.parseCIDR(t);
    } else {
      if (!/^[0-9a-fA-F:.]+$/.test(t) || !ipaddr.isValid(t)) return undefined;
      addr = ipaddr.parse(t);
      bits = addr.kind() === 'ipv4' ? 32 : 128;
    }
    // ipaddr accepts shorthand like "10.1" as IPv4; NSGs do not.
    if (t.includes('.') && !t.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(t.split('/')[0])) return undefined;
    const family: IpFamily = addr.kind() === 'ipv4' ? 4 : 6;
    const width = family === 4 ? 32 : 128;
    const base = toBigInt(addr.toByteArray());
    const hostBits = BigInt(width - bits);
    const from = (base >> hostBits) << hostBits;
    const to = from + (1n << hostBits) - 1n;
    return { family, from, to };
  } catch {
    return undefined;
  }
}

/** A union of address intervals, sorted and merged per family. Immutable. */
export class IpSet {
  static readonly EMPTY = new IpSet([]);

  private constructor(readonly intervals: readonly IpInterval[]) {}

  static of(intervals: readonly IpInterval[]): IpSet {
    const sorted = intervals.slice().sort((a, b) => a.family - b.family || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    const merged: IpInterval[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && last.family === r.family && r.from <= last.to + 1n) {
        if (r.to > last.to) merged[merged.length - 1] = { family: r.family, from: last.from, to: r.to };
      } else {
        merged.push(r);
      }
    }
    return new IpSet(merged);
  }

  /** Reads CIDRs; undefined when any is malformed. */
  static fromCidrs(cidrs: readonly string[]): IpSet | undefined {
    const out: IpInterval[] = [];
    for (const c of cidrs) {
      const r = parseCidr(c);
      if (!r) return undefined;
      out.push(r);
    }
    return IpSet.of(out);
  }

  /**
   * `fromCidrs` for lists the engine reads again and again (the subnet's prefixes, service-tag
   * data): read once per list object. The lists are readonly inputs and must not change in place.
   */
  static fromCidrsShared(cidrs: readonly string[]): IpSet | undefined {
    let set = sharedSets.get(cidrs);
    if (set === undefined) {
      set = IpSet.fromCidrs(cidrs) ?? null;
      sharedSets.set(cidrs, set);
    }
    return set ?? undefined;
  }

  get isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  intersect(other: IpSet): IpSet {
    const out: IpInterval[] = [];
    for (const a of this.intervals) {
      for (const b of other.intervals) {
        if (a.family !== b.family) continue;
        const from = a.from > b.from ? a.from : b.from;
        const to = a.to < b.to ? a.to : b.to;
        if (from <= to) out.push({ family: a.family, from, to });
      }
    }
    return IpSet.of(out);
  }

  subtract(other: IpSet): IpSet {
    let pieces: IpInterval[] = this.intervals.slice();
    for (const b of other.intervals) {
      const next: IpInterval[] = [];
      for (const a of pieces) {
        if (a.family !== b.family || b.to < a.from || b.from > a.to) {
          next.push(a);
          continue;
        }
        if (b.from > a.from) next.push({ family: a.family, from: a.from, to: b.from - 1n });
        if (b.to < a.to) next.push({ family: a.family, from: b.to + 1n, to: a.to });
      }
      pieces = next;
    }
    return IpSet.of(pieces);
  }

  covers(other: IpSet): boolean {
    return other.subtract(this).isEmpty;
  }

  overlaps(other: IpSet): boolean {
    return !this.intersect(other).isEmpty;
  }

  /** Every boundary point (start, and end + 1) of the intervals, per family. */
  boundaries(): IpInterval[] {
    return this.intervals.slice();
  }
}

const sharedSets = new WeakMap<readonly string[], IpSet | null>();

/**
 * Address space that never belongs to a public service tag: RFC 1918, shared (RFC 6598),
 * loopback, link-local, and IPv6 unique-local, link-local and loopback.
 */
export const PRIVATE_SPACE: IpSet = IpSet.fromCidrs([
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
  'fc00::/7', 'fe80::/10', '::1/128',
])!;

/** The host's virtual IP: what the AzureLoadBalancer tag stands for. */
export const AZURE_HOST_IP: IpSet = IpSet.fromCidrs(['168.63.129.16/32'])!;

/** The whole IPv4 space: `0.0.0.0/0`. */
export const ALL_IPV4: IpSet = IpSet.fromCidrs(['0.0.0.0/0'])!;
