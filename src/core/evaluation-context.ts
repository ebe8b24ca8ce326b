import type { Region } from './region';

/**
 * Service-tag prefixes, as in Azure's "Service Tags" JSON: key is the lower-cased tag name
 * (`storage`, `storage.westus`), value its CIDRs. Lets CIDR rules be judged against tags.
 */
export type ServiceTagPrefixes = ReadonlyMap<string, readonly string[]>;

/** What the engine knows beyond the NSGs themselves. */
export interface EvaluationContext {
  /** The compute region; fills `.region` tags. When absent, the NSG's location is used. */
  readonly region?: Region;
  /** The compute subnet's address prefixes, when known. */
  readonly subnetPrefixes?: readonly string[];
  readonly serviceTags?: ServiceTagPrefixes;
}
