import type { ServiceTagPrefixes } from './evaluation-context';
import { parseCidr } from './ip-range';

/** The result of reading a service-tag file: the prefixes, and what was wrong in it. */
export interface ServiceTagLoad {
  readonly prefixes: ServiceTagPrefixes;
  readonly errors: readonly string[];
}

/**
 * Reads Azure's "Service Tags" JSON (the weekly download, or `az network list-service-tags`):
 * `{ values: [{ name: 'Storage.WestUS', properties: { addressPrefixes: [...] } }] }`.
 * Malformed entries are skipped and reported; the rest is kept.
 */
export function loadServiceTagPrefixes(json: unknown): ServiceTagLoad {
  const errors: string[] = [];
  const map = new Map<string, string[]>();
  const values = (json as { values?: unknown } | null)?.values;
  if (!Array.isArray(values)) return { prefixes: map, errors: ['not a service-tag file: it has no "values" array'] };
  values.forEach((v, i) => {
    const name = (v as { name?: unknown })?.name;
    const prefixes = (v as { properties?: { addressPrefixes?: unknown } })?.properties?.addressPrefixes;
    if (typeof name !== 'string' || !Array.isArray(prefixes)) {
      errors.push(`values[${i}]: needs a "name" and "properties.addressPrefixes"`);
      return;
    }
    const good: string[] = [];
    for (const p of prefixes) {
      if (typeof p === 'string' && parseCidr(p)) good.push(p);
      else errors.push(`values[${i}] (${name}): "${String(p)}" is not a CIDR prefix`);
    }
    map.set(name.toLowerCase(), good);
  });
  return { prefixes: map, errors };
}

/** Like loadServiceTagPrefixes, for callers that only want the prefixes. */
export function serviceTagPrefixesFromJson(json: unknown): ServiceTagPrefixes {
  return loadServiceTagPrefixes(json).prefixes;
}
