import tagData from './data/service-tags.json';
import regionData from './data/regions.json';
import { nearest } from './suggest';
import type { AddressEntry } from './nsg';
import { isUnknown } from './maybe';
import { parseCidr, IpSet } from './ip-range';
import { regionNamed, type Region } from './region';
import { TextMemo } from './text-memo';

/** The three tags that are not public service tags. */
export type SpecialTag = 'Internet' | 'VirtualNetwork' | 'AzureLoadBalancer';

const canonicalByLower = new Map<string, string>();
const inAzureCloud = new Set<string>();
const regional = new Set<string>();
for (const t of tagData.tags) {
  canonicalByLower.set(t.name.toLowerCase(), t.name);
  if (t.inAzureCloud) inAzureCloud.add(t.name);
  if (t.regional) regional.add(t.name);
}
/** Each known tag under Azure's own spelling: most templates spell them so, and need no lower-casing. */
const canonicalBySpelling = new Map<string, string>();
for (const name of canonicalByLower.values()) canonicalBySpelling.set(name, name);

/** Azure's spelling of a known tag name given untrimmed, or undefined. */
function knownTag(tag: string): string | undefined {
  return canonicalBySpelling.get(tag) ?? canonicalByLower.get(tag.toLowerCase());
}
const specialByLower = new Map<string, SpecialTag>([
  ['internet', 'Internet'], ['virtualnetwork', 'VirtualNetwork'], ['azureloadbalancer', 'AzureLoadBalancer'],
]);
for (const [legacy, modern] of Object.entries(tagData.legacyNames)) specialByLower.set(legacy.toLowerCase(), modern as SpecialTag);

const allRegions = new Set<string>(Object.values(regionData.clouds).flat());

/** Every known tag name, as Azure spells it (the special ones included). */
export const KNOWN_TAG_NAMES: readonly string[] = [...tagData.tags.map((t) => t.name), 'Internet', 'VirtualNetwork', 'AzureLoadBalancer'];
export const KNOWN_REGIONS: readonly string[] = [...allRegions];

/** Whether `AzureCloud` contains this (public) tag, per the service-tag data. */
export function isInAzureCloud(canonicalTag: string): boolean {
  return inAzureCloud.has(canonicalTag);
}

/** Whether `<tag>.<region>` tags exist for this tag, per the service-tag data. */
export function hasRegionalTags(canonicalTag: string): boolean {
  return regional.has(canonicalTag);
}

export function isKnownRegion(name: string): boolean {
  return allRegions.has(name.toLowerCase());
}

/** What an address entry of a rule denotes. */
export type AddressTerm =
  | { readonly kind: 'any'; readonly text: string }
  | { readonly kind: 'special'; readonly name: SpecialTag; readonly text: string }
  /** A public service tag; `region` undefined for the global tag. `known` is false for a name Azure does not have. */
  | { readonly kind: 'tag'; readonly base: string; readonly region?: Region; readonly known: boolean; readonly text: string }
  | { readonly kind: 'cidr'; readonly set: IpSet; readonly text: string }
  | { readonly kind: 'asg'; readonly id: string; readonly text: string }
  | { readonly kind: 'unknown'; readonly reason: string; readonly text: string };

/** Splits a tag name into its base and region: "Storage.WestUS" → Storage + westus; "AzureFrontDoor.Frontend" stays whole. */
export function parseTagName(text: string): { base: string; region?: string; known: boolean } {
  const t = text.trim();
  const whole = canonicalByLower.get(t.toLowerCase());
  if (whole) return { base: whole, known: true };
  const dot = t.lastIndexOf('.');
  if (dot > 0) {
    const base = canonicalByLower.get(t.slice(0, dot).toLowerCase());
    if (base) return { base, region: t.slice(dot + 1).toLowerCase(), known: true };
    return { base: t.slice(0, dot), region: t.slice(dot + 1).toLowerCase(), known: false };
  }
  return { base: t, known: false };
}


/** Reads one source or destination entry of a rule. The result is shared: never change it. */
export function parseAddressEntry(entry: AddressEntry): AddressTerm {
  if (typeof entry === 'object') return parseObjectEntry(entry);
  return termsByText.get(entry);
}

/** The tag an entry names, as `parseAddressEntry` would read its base; undefined when it names no tag. Builds no term. */
export function entryTagBase(entry: AddressEntry): string | undefined {
  if (typeof entry !== 'object') {
    const term = parseAddressEntry(entry);
    return term.kind === 'tag' ? term.base : undefined;
  }
  if (isUnknown(entry) || 'asg' in entry) return undefined;
  return knownTag(entry.tag) ?? entry.tag;
}

function parseObjectEntry(entry: Exclude<AddressEntry, string>): AddressTerm {
  if (isUnknown(entry)) return { kind: 'unknown', reason: entry.unknown, text: '?' };
  if ('asg' in entry) return { kind: 'asg', id: entry.asg, text: entry.asg };
  const base = knownTag(entry.tag);
  return { kind: 'tag', base: base ?? entry.tag, region: entry.region, known: base !== undefined, text: entry.text };
}

function parseTextEntry(entry: string): AddressTerm {
  const text = entry.trim();
  const lower = text.toLowerCase();
  if (lower === '*' || lower === 'any' || lower === '0.0.0.0/0') return { kind: 'any', text };
  const special = specialByLower.get(lower);
  if (special) return { kind: 'special', name: special, text };
  if (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(text) && (text.includes('.') || text.includes(':'))) {
    const set = parseCidr(text);
    if (set) return { kind: 'cidr', set: IpSet.of([set]), text };
    if (/^[\d./]+$/.test(text) || text.includes(':')) {
      return { kind: 'unknown', reason: `"${text}" is not a valid IP address or CIDR prefix`, text };
    }
  }
  if (text === '') return { kind: 'unknown', reason: 'the address prefix is empty', text };
  const tag = parseTagName(text);
  return {
    kind: 'tag',
    base: tag.base,
    region: tag.region === undefined ? undefined : regionNamed(tag.region),
    known: tag.known,
    text,
  };
}

/** Azure's spelling of a known tag name ("storage" → "Storage"); the text itself when unknown. */
export function canonicalTagName(text: string): string {
  return canonicalByLower.get(text.trim().toLowerCase()) ?? text.trim();
}

// A Map, so that names of Object.prototype properties ("constructor") are not aliases.
const TAG_ALIASES = new Map<string, string>([
  ['keyvault', 'AzureKeyVault'], ['batch', 'BatchNodeManagement'], ['aad', 'AzureActiveDirectory'], ['arm', 'AzureResourceManager'], ['mcr', 'MicrosoftContainerRegistry'],
]);

/** A likely intended tag for an unknown one ("Storag" → "Storage", "Keyvault" → "AzureKeyVault"). */
export function suggestTag(text: string): string | undefined {
  const alias = TAG_ALIASES.get(text.toLowerCase());
  if (alias) return alias;
  return nearest(text, KNOWN_TAG_NAMES);
}

export function suggestRegion(text: string): string | undefined {
  return nearest(text, KNOWN_REGIONS);
}

/** Each address text read once (terms are immutable and depend only on the text). */
const termsByText = new TextMemo(parseTextEntry);
