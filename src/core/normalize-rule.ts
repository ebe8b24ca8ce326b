import { isUnknown, type Maybe, type Unknown } from './maybe';
import type { Access, Direction, Nsg, RuleProtocol, SecurityRule } from './nsg';
import { parsePortEntry, PortSet } from './port-set';
import { parseAddressEntry, type AddressTerm } from './service-tags';

/** A port list as far as it is known: the union of the known entries, and why the rest is not known. */
export interface PortList {
  readonly known: PortSet;
  /** Reasons for entries that could not be read or evaluated; empty when the whole list is known. */
  readonly unknown: readonly string[];
}

/** A rule with every property read and checked, as the engine and the validator use it. */
export interface NormalizedRule {
  readonly rule: SecurityRule;
  readonly nsg: string;
  readonly isDefault: boolean;
  readonly priority: Maybe<number>;
  readonly direction: Maybe<Direction>;
  readonly access: Maybe<Access>;
  readonly protocol: Maybe<RuleProtocol>;
  readonly source: Maybe<readonly AddressTerm[]>;
  readonly destination: Maybe<readonly AddressTerm[]>;
  readonly sourcePorts: PortList;
  readonly destinationPorts: PortList;
}

/**
 * A value table: the values as Azure spells them, and each by lower-case name (and under its own
 * spelling). A Map, so that names of Object.prototype properties ("constructor") are not found.
 */
interface EnumTable<T> {
  readonly values: readonly T[];
  readonly byName: ReadonlyMap<string, T>;
}

function enumTable<T extends string>(byLower: Record<string, T>): EnumTable<T> {
  const byName = new Map<string, T>(Object.entries(byLower));
  for (const v of Object.values(byLower)) byName.set(v, v);
  return { values: [...new Set(Object.values(byLower))], byName };
}

const PROTOCOLS = enumTable<RuleProtocol>({ tcp: 'Tcp', udp: 'Udp', icmp: 'Icmp', esp: 'Esp', ah: 'Ah', '*': '*', any: '*' });
const DIRECTIONS = enumTable<Direction>({ inbound: 'Inbound', outbound: 'Outbound' });
const ACCESSES = enumTable<Access>({ allow: 'Allow', deny: 'Deny' });

function readEnum<T>(value: Maybe<string>, table: EnumTable<T>, what: string): Maybe<T> {
  if (isUnknown(value)) return value;
  // A value as Azure spells it is found by comparing with the few values, without hashing a string
  // the template reader just made; anything else by its trimmed lower-case name.
  for (const v of table.values) if (value === v) return v;
  const v = table.byName.get(String(value).trim().toLowerCase());
  return v === undefined ? { unknown: `${what} "${value}" is not valid` } : v;
}

const NO_REASONS: readonly string[] = [];

// Most port lists are one entry ("*", "443"): their PortList depends only on the text, so it is
// built once per text and kind and shared (PortLists are immutable). Bounded, as the parse memos.
const singlePorts = new Map<string, Map<string, PortList>>();

function readPorts(entries: Maybe<readonly Maybe<string>[]>, what: string): PortList {
  if (isUnknown(entries)) return { known: PortSet.EMPTY, unknown: [entries.unknown] };
  if (entries.length === 0) return { known: PortSet.EMPTY, unknown: [`the rule has no ${what}`] };
  if (entries.length === 1 && typeof entries[0] === 'string') {
    let byText = singlePorts.get(what);
    if (!byText) {
      byText = new Map();
      singlePorts.set(what, byText);
    }
    let list = byText.get(entries[0]);
    if (!list) {
      if (byText.size >= 20_000) byText.clear();
      const p = parsePortEntry(entries[0]);
      list = p.ok ? { known: p.set, unknown: NO_REASONS } : { known: PortSet.EMPTY, unknown: [`${what} ${p.error}`] };
      byText.set(entries[0], list);
    }
    return list;
  }
  let known = PortSet.EMPTY;
  const unknown: string[] = [];
  for (const e of entries) {
    if (isUnknown(e)) {
      unknown.push(e.unknown);
      continue;
    }
    const p = parsePortEntry(String(e));
    if (p.ok) known = known.isEmpty ? p.set : known.union(p.set);
    else unknown.push(`${what} ${p.error}`);
  }
  return { known, unknown };
}

// Most address lists are one written entry ("VirtualNetwork", "10.0.1.0/24"): their terms depend
// only on the text, so the list of terms is made once per text and shared (term lists are never
// changed), and so is what the engine works out per term list (see envFreeRelations there).
// Bounded, as the parse memos.
const singleTerms = new Map<string, readonly AddressTerm[]>();

function readAddresses(entries: SecurityRule['sourceAddresses'], what: string): Maybe<readonly AddressTerm[]> {
  if (isUnknown(entries)) return entries;
  if (entries.length === 0) return { unknown: `the rule has no ${what}` } satisfies Unknown;
  if (entries.length > 1) return entries.map(parseAddressEntry);
  const entry = entries[0];
  if (typeof entry !== 'string') return [parseAddressEntry(entry)];
  let terms = singleTerms.get(entry);
  if (terms === undefined) {
    if (singleTerms.size >= 20_000) singleTerms.clear();
    terms = [parseAddressEntry(entry)];
    singleTerms.set(entry, terms);
  }
  return terms;
}

function readPriority(p: Maybe<number>): Maybe<number> {
  if (isUnknown(p)) return p;
  return Number.isInteger(p) ? p : { unknown: `priority "${String(p)}" is not a whole number` };
}

/**
 * What one check works out per NSG, kept for that check only (`checkModel` makes one and drops it
 * with its result): each NSG's rules read (here) and the engine's per-NSG data (evaluate-nsg.ts).
 * Not module-level WeakMaps keyed by the model's NSGs: V8's young-generation collections keep a
 * WeakMap's values alive while the keys are young, so such memos kept each checked model, rules
 * and all, alive into the next read and had it copied there (a scavenge of the 1 MB ARM bench
 * copied 2.4 MB instead of 0.9 MB, and took 2 ms instead of 0.9).
 */
export class NsgMemos {
  readonly norms = new Map<Nsg, readonly NormalizedRule[]>();
  /** The engine's data per NSG (evaluate-nsg's `NsgData`). */
  readonly data = new Map<Nsg, unknown>();
}

// NSGs are immutable inputs, and the engine and the validator both read every rule: each NSG's
// rules are read once (one memo entry per NSG rather than per rule); here for calls outside a
// check (the fixes, the engine on its own), in the check's NsgMemos within one.
const byNsg = new WeakMap<Nsg, readonly NormalizedRule[]>();

/** An NSG's own rules, read, in order; nothing here throws, whatever the input. Shared: never change it. */
export function normalizeRules(nsg: Nsg, memos?: NsgMemos): readonly NormalizedRule[] {
  const memo = memos ? memos.norms : byNsg;
  let norms = memo.get(nsg);
  if (!norms) {
    const rules = nsg.rules;
    const out = new Array<NormalizedRule>(rules.length);
    for (let i = 0; i < rules.length; i++) out[i] = readRule(rules[i], nsg.name, false);
    norms = out;
    memo.set(nsg, norms);
  }
  return norms;
}

// The default rules are the same few objects for every NSG: each is read once.
const defaults = new WeakMap<SecurityRule, NormalizedRule>();

/**
 * A default rule, read once and shared by every NSG, so its `nsg` is empty: the engine names the
 * NSG it reads the rule for. Never change it.
 */
export function normalizeDefaultRule(rule: SecurityRule): NormalizedRule {
  let norm = defaults.get(rule);
  if (!norm) {
    norm = readRule(rule, '', true);
    defaults.set(rule, norm);
  }
  return norm;
}

/** Reads a rule; nothing here throws, whatever the input. The result is shared: never change it. */
export function normalizeRule(rule: SecurityRule, nsg: string, isDefault = false): NormalizedRule {
  return isDefault ? { ...normalizeDefaultRule(rule), nsg } : readRule(rule, nsg, false);
}

function readRule(rule: SecurityRule, nsg: string, isDefault: boolean): NormalizedRule {
  return {
    rule,
    nsg,
    isDefault,
    priority: readPriority(rule.priority),
    direction: readEnum(rule.direction, DIRECTIONS, 'direction'),
    access: readEnum(rule.access, ACCESSES, 'access'),
    protocol: readEnum(rule.protocol, PROTOCOLS, 'protocol'),
    source: readAddresses(rule.sourceAddresses, 'source address'),
    destination: readAddresses(rule.destinationAddresses, 'destination address'),
    sourcePorts: readPorts(rule.sourcePorts, 'source port range'),
    destinationPorts: readPorts(rule.destinationPorts, 'destination port range'),
  };
}
