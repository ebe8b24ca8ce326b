import type { EvaluationContext } from './evaluation-context';
import { AZURE_HOST_IP, IpSet, PRIVATE_SPACE } from './ip-range';
import { regionText, sameRegion, type Region } from './region';
import { hasRegionalTags, isInAzureCloud, type AddressTerm, type SpecialTag } from './service-tags';

/** The set of addresses a requirement is about, on one side of the flow. */
export type AddressTarget =
  | { readonly kind: 'subnet' }
  | { readonly kind: 'any' }
  | { readonly kind: 'special'; readonly name: SpecialTag }
  /** A public service tag; `region` undefined for the global tag. */
  | { readonly kind: 'tag'; readonly base: string; readonly region?: Region };

/**
 * How the addresses of one rule entry relate to a target: all of it, none of it, a known part of
 * it (a sub-tag by key, or concrete addresses), or unknown with the reason.
 */
export type AddressRelation =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'key'; readonly key: string; readonly label: string }
  | { readonly kind: 'ips'; readonly set: IpSet; readonly label: string };

const ALL: AddressRelation = { kind: 'all' };
const NONE: AddressRelation = { kind: 'none' };
/** The relations all of the target and none of it: every such answer is one of these two objects. */
export const ALL_RELATION = ALL;
export const NONE_RELATION = NONE;

/** What relating addresses needs besides the two sides. */
export interface RelationEnv {
  readonly context: EvaluationContext;
  /** Symbols that stand for a known region (the NSG's location when the region option names it). */
  readonly regionAliases: ReadonlyMap<string, Region>;
  readonly subnetPrefixes?: IpSet;
}

export function targetText(t: AddressTarget): string {
  switch (t.kind) {
    case 'subnet': return 'the compute subnet';
    case 'any': return '*';
    case 'special': return t.name;
    case 'tag': return t.region ? `${t.base}.${regionText(t.region)}` : t.base;
  }
}

function resolveRegion(r: Region, env: RelationEnv): Region {
  return r.kind === 'symbol' ? env.regionAliases.get(r.symbol) ?? r : r;
}

/** The prefixes of a tag from service-tag data, or undefined when the data lacks it. */
function tagPrefixes(base: string, region: Region | undefined, env: RelationEnv): IpSet | undefined {
  const data = env.context.serviceTags;
  if (!data) return undefined;
  if (region && region.kind !== 'name') return undefined;
  const key = region ? `${base}.${region.name}`.toLowerCase() : base.toLowerCase();
  const cidrs = data.get(key);
  return cidrs ? IpSet.fromCidrsShared(cidrs) : undefined;
}

// The public part of a CIDR term's addresses, per term set (terms are read once per NSG and reused).
const publicParts = new WeakMap<IpSet, IpSet>();

function publicPart(set: IpSet): IpSet {
  let pub = publicParts.get(set);
  if (!pub) {
    pub = set.subtract(PRIVATE_SPACE);
    publicParts.set(set, pub);
  }
  return pub;
}

function ipRelation(term: IpSet, target: IpSet, label: string): AddressRelation {
  const inside = term.intersect(target);
  if (inside.isEmpty) return NONE;
  if (inside.covers(target)) return ALL;
  return { kind: 'ips', set: inside, label };
}

function regionMismatchReason(term: AddressTerm & { kind: 'tag' }, target: AddressTarget & { kind: 'tag' }, targetRegion: Region): string {
  if (targetRegion.kind === 'symbol' && targetRegion.symbol === UNRESOLVED_REGION) {
    return `the compute region is not known, so whether ${term.text} is ${target.base}'s regional tag for it cannot be told (set the region option)`;
  }
  return `whether region ${regionText(term.region!)} (in ${term.text}) is the compute region ${regionText(targetRegion)} cannot be told statically`;
}

/** The symbol used for a regional requirement when neither the options nor the NSG give a region. */
export const UNRESOLVED_REGION = '<compute-region>';

/** Relates one parsed rule entry to a target set of addresses. */
export function relateAddress(term: AddressTerm, target: AddressTarget, env: RelationEnv): AddressRelation {
  if (term.kind === 'any') return ALL;
  if (term.kind === 'unknown') return { kind: 'unknown', reason: term.reason };
  switch (target.kind) {
    case 'any':
      return { kind: 'unknown', reason: `${term.text} covers only part of all addresses, which amlnet does not split` };
    case 'subnet':
      return relateToSubnet(term, env);
    case 'special':
      return relateToSpecial(term, target.name, env);
    case 'tag':
      return relateToTag(term, target, env);
  }
}

function relateToSubnet(term: Exclude<AddressTerm, { kind: 'any' | 'unknown' }>, env: RelationEnv): AddressRelation {
  switch (term.kind) {
    case 'special': return term.name === 'VirtualNetwork' ? ALL : NONE;
    case 'tag': return NONE;
    case 'asg': return { kind: 'unknown', reason: `membership of application security group ${term.text} is not known from the NSG` };
    case 'cidr':
      if (!env.subnetPrefixes) return { kind: 'unknown', reason: `the compute subnet's address prefix is not known, so whether ${term.text} covers it cannot be told` };
      return ipRelation(term.set, env.subnetPrefixes, term.text);
  }
}

function relateToSpecial(term: Exclude<AddressTerm, { kind: 'any' | 'unknown' }>, name: SpecialTag, env: RelationEnv): AddressRelation {
  void env;
  if (name === 'AzureLoadBalancer') {
    switch (term.kind) {
      case 'special': return term.name === 'Internet' ? NONE : ALL;
      case 'tag': return NONE;
      case 'asg': return NONE;
      case 'cidr': return term.set.covers(AZURE_HOST_IP) ? ALL : NONE;
    }
  }
  if (name === 'VirtualNetwork') {
    switch (term.kind) {
      case 'special':
        if (term.name === 'VirtualNetwork') return ALL;
        if (term.name === 'AzureLoadBalancer') return { kind: 'key', key: 'AzureLoadBalancer', label: 'AzureLoadBalancer (168.63.129.16)' };
        return NONE;
      case 'tag': return NONE;
      case 'asg': return { kind: 'unknown', reason: `membership of application security group ${term.text} is not known from the NSG` };
      case 'cidr':
        if (PRIVATE_SPACE.covers(term.set) || term.set.covers(AZURE_HOST_IP)) {
          return { kind: 'unknown', reason: `whether ${term.text} covers VirtualNetwork (the VNet, its peerings and on-premises ranges) cannot be told statically` };
        }
        return { kind: 'unknown', reason: `whether ${term.text} meets VirtualNetwork cannot be told statically` };
    }
  }
  // Internet as a requirement's far side.
  switch (term.kind) {
    case 'special': return term.name === 'Internet' ? ALL : NONE;
    case 'asg': return NONE;
    case 'tag': return { kind: 'unknown', reason: `${term.text} covers only part of Internet, which amlnet does not split` };
    case 'cidr':
      if (PRIVATE_SPACE.covers(term.set)) return NONE;
      return { kind: 'unknown', reason: `${term.text} covers only part of Internet, which amlnet does not split` };
  }
}

function relateToTag(term: Exclude<AddressTerm, { kind: 'any' | 'unknown' }>, target: AddressTarget & { kind: 'tag' }, env: RelationEnv): AddressRelation {
  const targetRegion = target.region ? resolveRegion(target.region, env) : undefined;
  switch (term.kind) {
    case 'special': return term.name === 'Internet' ? ALL : NONE;
    case 'asg': return NONE;
    case 'cidr': {
      const pub = publicPart(term.set);
      if (pub.isEmpty) return NONE;
      const data = tagPrefixes(target.base, targetRegion, env);
      if (!data) {
        return { kind: 'unknown', reason: `whether ${term.text} covers ${targetText(target)} cannot be told without service-tag prefix data` };
      }
      return ipRelation(pub, data, term.text);
    }
    case 'tag': {
      if (!term.known) return NONE;
      const termRegion = term.region ? resolveRegion(term.region, env) : undefined;
      const termData = tagPrefixes(term.base, termRegion, env);
      const targetData = tagPrefixes(target.base, targetRegion, env);
      if (termData && targetData) return ipRelation(termData, targetData, term.text);
      const sameBase = term.base === target.base;
      const cloud = term.base === 'AzureCloud' && !sameBase;
      if (cloud && !isInAzureCloud(target.base)) {
        return { kind: 'unknown', reason: `whether ${term.text} covers ${targetText(target)} is not documented; service-tag prefix data would decide it` };
      }
      if (!sameBase && !cloud) return NONE;
      if (!termRegion) return ALL;
      if (cloud && !hasRegionalTags(target.base)) {
        return { kind: 'unknown', reason: `${target.base} has no regional tags, so how much of it ${term.text} covers is not documented; service-tag prefix data would decide it` };
      }
      if (!targetRegion) {
        // A regional tag is one part of the global one.
        return { kind: 'key', key: `${target.base}.${regionKey(termRegion)}`, label: `${target.base}.${regionText(termRegion)}` };
      }
      const same = sameRegion(termRegion, targetRegion);
      if (same === true) return ALL;
      if (same === false) return NONE;
      return { kind: 'unknown', reason: regionMismatchReason(term, target, targetRegion) };
    }
  }
}

function regionKey(r: Region): string {
  return r.kind === 'name' ? r.name : `{${r.symbol}}`;
}
