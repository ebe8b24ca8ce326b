/**
 * An Azure region as far as it is known: a name ("westeurope"), or a symbolic expression
 * ("parameters('location')", "resourceGroup().location") whose value is unknown but whose
 * identity is, so that `Storage.${location}` can be matched to an NSG at `location`.
 */
export type Region =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'symbol'; readonly symbol: string; readonly text: string };

/** Region names compare without case, spaces or dashes: "West Europe" is "westeurope". */
export function normalizeRegionName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

export function regionNamed(name: string): Region {
  return { kind: 'name', name: normalizeRegionName(name) };
}

export function regionSymbol(symbol: string, text: string): Region {
  return { kind: 'symbol', symbol, text };
}

export function regionText(region: Region): string {
  return region.kind === 'name' ? region.name : region.text;
}

/** true: the same region; false: different regions; undefined: cannot be told (a symbol against a name, or two symbols). */
export function sameRegion(a: Region, b: Region): boolean | undefined {
  if (a.kind === 'name' && b.kind === 'name') return a.name === b.name;
  if (a.kind === 'symbol' && b.kind === 'symbol' && a.symbol === b.symbol) return true;
  return undefined;
}
