/**
 * Host names and Azure Firewall target FQDN patterns (docs/semantics.md "Firewalls"): which names
 * a pattern stands for, and how a rule's pattern relates to a required host.
 *
 * Azure Firewall FAQ ("How do wildcards work in target URLs and target FQDNs in application
 * rules?"): in a target FQDN an asterisk works only on the left-most side, and it means literally
 * anything to the left: `*.contoso.com` matches `any.contoso.com` and `a.b.contoso.com` but not
 * `contoso.com`; `*contoso.com` matches `contoso.com` and `example.anycontoso.com`; `*` matches
 * every name. `www.contoso.*` and `*.contoso.*` are not supported.
 */

/** A set of host names: one name, or every name ending in a suffix. */
export type NameSet =
  | { readonly kind: 'exact'; readonly name: string }
  /** Every name that ends with `suffix`; `*contoso.com` (suffix without a leading dot) also holds `contoso.com`. */
  | { readonly kind: 'suffix'; readonly suffix: string }
  | { readonly kind: 'all' };

/** A rule pattern read: a name set, or why Azure does not accept it. */
export type ParsedPattern = { readonly ok: true; readonly set: NameSet } | { readonly ok: false; readonly error: string };

const LABELS = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

/** A target FQDN of an application rule (or a destination FQDN of a network rule with `allowWildcard`). */
export function parseFqdnPattern(text: string, allowWildcard = true): ParsedPattern {
  const t = text.trim().toLowerCase().replace(/\.$/, '');
  if (t === '') return { ok: false, error: 'the FQDN is empty' };
  if (t === '*') return allowWildcard ? { ok: true, set: { kind: 'all' } } : { ok: false, error: 'network rule FQDNs do not support wildcards' };
  const star = t.indexOf('*');
  if (star === -1) {
    if (!LABELS.test(t)) return { ok: false, error: `"${text}" is not a host name` };
    return { ok: true, set: { kind: 'exact', name: t } };
  }
  if (!allowWildcard) return { ok: false, error: 'network rule FQDNs do not support wildcards' };
  if (star !== 0 || t.indexOf('*', 1) !== -1) return { ok: false, error: `"${text}": Azure Firewall accepts an asterisk only on the left-most side of a target FQDN` };
  const rest = t.slice(1);
  const body = rest.startsWith('.') ? rest.slice(1) : rest;
  if (body === '' || !LABELS.test(body)) return { ok: false, error: `"${text}" is not a supported target FQDN` };
  return { ok: true, set: { kind: 'suffix', suffix: rest } };
}

function inSuffix(name: string, suffix: string): boolean {
  // `*contoso.com` covers contoso.com itself (the FAQ's positive example); `*.contoso.com` does not.
  return name === suffix || (name.length > suffix.length && name.endsWith(suffix));
}

/**
 * How the names a rule pattern covers relate to a required set: `all` of them, `none`, or
 * `part` (some names of the required set, not all).
 */
export function relateNames(rule: NameSet, required: NameSet): 'all' | 'none' | 'part' {
  if (rule.kind === 'all') return 'all';
  if (required.kind === 'all') return 'part';
  if (required.kind === 'exact') {
    if (rule.kind === 'exact') return rule.name === required.name ? 'all' : 'none';
    return inSuffix(required.name, rule.suffix) ? 'all' : 'none';
  }
  // Required: every name ending in required.suffix (an infinite set).
  if (rule.kind === 'exact') return inSuffix(rule.name, required.suffix) && rule.name !== required.suffix ? 'part' : 'none';
  // Required suffixes start with a dot (`*.x`), so a name never equals one. Every name ending in
  // the required suffix ends in the rule's when the rule's is a suffix of it; when the required
  // one is a suffix of the rule's, the rule holds some of the names; otherwise no name ends in both.
  if (required.suffix.endsWith(rule.suffix)) return 'all';
  if (rule.suffix.endsWith(required.suffix)) return 'part';
  return 'none';
}

/** A required host as the catalog writes it, split into name sets that are each judged whole. */
export interface RequiredHost {
  /** The host without a URL path, lower case. */
  readonly host: string;
  /** A URL path the requirement names (`raw.githubusercontent.com/...`), if any. */
  readonly path?: string;
  /** Name sets that together make the requirement (a catalog `*x.org` is `x.org` and `*.x.org`). */
  readonly parts: readonly { readonly label: string; readonly set: NameSet }[];
  /** `<region>` was left in the host: the region is not known. */
  readonly regionUnknown: boolean;
}

/** The token that stands for an unfilled `<region>` when relating names; no real host has it. */
export const REGION_TOKEN = 'amlnet-unknown-region';

/**
 * Reads a catalog host. `*.x` is every name under x; a catalog `*x` (no dot after the asterisk,
 * as the 2022-09 table writes `*pytorch.org`) means x and its subdomains (the catalog's note),
 * not every name ending in the letters of x.
 */
export function requiredHost(text: string): RequiredHost {
  const lower = text.trim().toLowerCase();
  const slash = lower.indexOf('/');
  const host0 = slash === -1 ? lower : lower.slice(0, slash);
  const path = slash === -1 ? undefined : lower.slice(slash);
  const regionUnknown = host0.includes('<region>');
  const host = host0.split('<region>').join(REGION_TOKEN);
  let parts: { label: string; set: NameSet }[];
  if (host === '*') parts = [{ label: '*', set: { kind: 'all' } }];
  else if (host.startsWith('*.')) parts = [{ label: host0, set: { kind: 'suffix', suffix: host.slice(1) } }];
  else if (host.startsWith('*')) {
    const apex = host.slice(1);
    parts = [
      { label: host0.slice(1), set: { kind: 'exact', name: apex } },
      { label: `*.${host0.slice(1)}`, set: { kind: 'suffix', suffix: `.${apex}` } },
    ];
  } else parts = [{ label: host0, set: { kind: 'exact', name: host } }];
  return { host: host0, ...(path ? { path } : {}), parts, regionUnknown };
}

/**
 * Hosts of the catalog run by third parties (package repositories, GitHub), not by Azure: taken
 * to lie outside every Azure service tag but AzureCloud (which holds customers' addresses too).
 */
const THIRD_PARTY_DOMAINS = ['anaconda.com', 'anaconda.org', 'pypi.org', 'pythonhosted.org', 'r-project.org', 'pytorch.org', 'tensorflow.org', 'githubusercontent.com', 'ghcr.io', 'github.com'];

export function isThirdPartyHost(set: NameSet): boolean {
  const name = set.kind === 'exact' ? set.name : set.kind === 'suffix' ? set.suffix.replace(/^\./, '') : undefined;
  if (name === undefined) return false;
  return THIRD_PARTY_DOMAINS.some((d) => name === d || name.endsWith(`.${d}`));
}
