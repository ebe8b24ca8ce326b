import { isUnknown, type Maybe } from './maybe';
import { normalizeRules, type NormalizedRule, type NsgMemos } from './normalize-rule';
import type { Direction, Nsg, SecurityRule } from './nsg';
import { parsePortEntry } from './port-set';
import { isKnownRegion, suggestRegion, suggestTag, type AddressTerm } from './service-tags';

export type FindingCode =
  | 'amlnet-priority-range'
  | 'amlnet-duplicate-priority'
  | 'amlnet-duplicate-name'
  | 'amlnet-bad-port'
  | 'amlnet-bad-protocol'
  | 'amlnet-bad-direction'
  | 'amlnet-bad-access'
  | 'amlnet-bad-address'
  | 'amlnet-unknown-tag'
  | 'amlnet-unknown-region'
  | 'amlnet-multiple-tags';

/** The rule property a finding is about, so editors can point at it. */
export type RuleProperty = 'name' | 'priority' | 'direction' | 'access' | 'protocol' | 'sourceAddresses' | 'destinationAddresses' | 'sourcePorts' | 'destinationPorts';

/** Something wrong with a rule as written: Azure would reject it, or it does not mean what it seems to. */
export interface RuleFinding {
  readonly code: FindingCode;
  readonly severity: 'error' | 'warning';
  readonly nsg: string;
  readonly rule: string;
  readonly property: RuleProperty;
  readonly message: string;
  /** A replacement to offer, e.g. the nearest known tag name. */
  readonly suggestion?: string;
  readonly origin?: unknown;
}

export const MIN_PRIORITY = 100;
export const MAX_PRIORITY = 4096;

/** The nearest known tag for a whole entry ("AzureFrontDoor.FirstPart"), else for its base with the region kept ("Keyvault.westus"). */
function suggestTagEntry(text: string): string | undefined {
  const whole = suggestTag(text);
  if (whole) return whole;
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const base = suggestTag(text.slice(0, dot));
  return base && `${base}${text.slice(dot)}`;
}

/** What every finding about a rule's address entries says of them; made for a finding only (most entries have none). */
function entryBase(nsg: Nsg, rule: SecurityRule, property: 'sourceAddresses' | 'destinationAddresses'): Pick<RuleFinding, 'nsg' | 'rule' | 'property' | 'origin'> {
  return { nsg: nsg.name, rule: rule.name, property, origin: rule.origin };
}

function checkAddresses(nsg: Nsg, rule: SecurityRule, property: 'sourceAddresses' | 'destinationAddresses', read: Maybe<readonly AddressTerm[]>, out: RuleFinding[]): void {
  const entries = rule[property];
  if (isUnknown(entries)) return;
  // The normalized rule's terms, one per entry (unknown only when there is no entry).
  const terms = isUnknown(read) ? [] : read;
  let base: Pick<RuleFinding, 'nsg' | 'rule' | 'property' | 'origin'> | undefined;
  let tags = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const term = terms[i];
    // Most entries are well-formed: nothing to report.
    if (term.kind === 'special') tags++;
    if (term.kind !== 'unknown' && term.kind !== 'tag') continue;
    if (term.kind === 'unknown' && !isUnknown(entry)) {
      out.push({ ...(base ??= entryBase(nsg, rule, property)), code: 'amlnet-bad-address', severity: 'error', message: `Rule ${rule.name}: ${term.reason}.` });
    }
    if (term.kind === 'tag') tags++;
    if (term.kind === 'tag' && !term.known) {
      const suggestion = suggestTagEntry(term.text);
      out.push({
        ...(base ??= entryBase(nsg, rule, property)),
        code: 'amlnet-unknown-tag',
        severity: 'error',
        message: `Rule ${rule.name}: "${term.text}" is not an Azure service tag${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
        suggestion,
      });
    }
    if (term.kind === 'tag' && term.known && term.region?.kind === 'name' && !isKnownRegion(term.region.name)) {
      const region = suggestRegion(term.region.name);
      out.push({
        ...(base ??= entryBase(nsg, rule, property)),
        code: 'amlnet-unknown-region',
        severity: 'warning',
        message: `Rule ${rule.name}: "${term.region.name}" in "${term.text}" is not an Azure region${region ? `; did you mean "${term.base}.${region}"?` : '.'}`,
        suggestion: region && `${term.base}.${region}`,
      });
    }
  }
  if (tags > 1) {
    out.push({ ...(base ?? entryBase(nsg, rule, property)), code: 'amlnet-multiple-tags', severity: 'error', message: `Rule ${rule.name}: a rule may hold at most one service tag in its ${property === 'sourceAddresses' ? 'source' : 'destination'}; Azure rejects ${tags}.` });
  }
}

function checkPorts(nsg: Nsg, rule: SecurityRule, property: 'sourcePorts' | 'destinationPorts', out: RuleFinding[]): void {
  const entries = rule[property];
  if (isUnknown(entries)) return;
  for (const e of entries) {
    if (isUnknown(e)) continue;
    const p = parsePortEntry(String(e));
    if (!p.ok) {
      out.push({ nsg: nsg.name, rule: rule.name, property, origin: rule.origin, code: 'amlnet-bad-port', severity: 'error', message: `Rule ${rule.name}: ${property === 'sourcePorts' ? 'source' : 'destination'} port ${p.error}.` });
    }
  }
}

/** What every finding about a rule says of it. */
function ruleBase(nsg: Nsg, rule: SecurityRule): Pick<RuleFinding, 'nsg' | 'rule' | 'origin'> {
  return { nsg: nsg.name, rule: rule.name, origin: rule.origin };
}

/** Up to this many rules, duplicates are found by searching the earlier rules rather than by maps. */
const SMALL_NSG = 32;

/** An array of length `n` to fill by index (exactly `n` slots). */
function sized<T>(n: number): T[] {
  return new Array<T>(n);
}

/** The first of the rules before `end` with this direction and priority, as a map of first rules would give. */
function firstWithPriority(norms: readonly NormalizedRule[], end: number, direction: Direction, priority: number): SecurityRule | undefined {
  for (let j = 0; j < end; j++) {
    const m = norms[j];
    if (m.priority === priority && m.direction === direction) return m.rule;
  }
  return undefined;
}

/** Checks every rule of an NSG the way Azure would, and a little more; never throws. */
export function validateRules(nsg: Nsg, memos?: NsgMemos): RuleFinding[] {
  const out: RuleFinding[] = [];
  const rules = nsg.rules;
  // Most NSGs have a few rules: earlier ones are searched in a list; larger ones get maps (per
  // direction, the first rule of each priority; the lower-case names seen).
  const small = rules.length <= SMALL_NSG;
  const lowerNames = small ? sized<string>(rules.length) : undefined;
  const priorities = small ? undefined : { Inbound: new Map<number, SecurityRule>(), Outbound: new Map<number, SecurityRule>() };
  const names = small ? undefined : new Set<string>();
  const norms = normalizeRules(nsg, memos);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const n = norms[i];
    // Made for a finding only (most rules have none).
    let base: Pick<RuleFinding, 'nsg' | 'rule' | 'origin'> | undefined;
    const lowerName = rule.name.toLowerCase();
    if (lowerNames ? lowerNames.indexOf(lowerName) >= 0 : names!.has(lowerName)) {
      out.push({ ...(base ??= ruleBase(nsg, rule)), property: 'name', code: 'amlnet-duplicate-name', severity: 'error', message: `Rule name ${rule.name} is used twice in ${nsg.name}.` });
    }
    if (lowerNames) lowerNames[i] = lowerName;
    else names!.add(lowerName);
    if (!isUnknown(n.priority)) {
      if (n.priority < MIN_PRIORITY || n.priority > MAX_PRIORITY) {
        out.push({ ...(base ??= ruleBase(nsg, rule)), property: 'priority', code: 'amlnet-priority-range', severity: 'error', message: `Rule ${rule.name}: priority ${n.priority} is outside ${MIN_PRIORITY}-${MAX_PRIORITY}.` });
      }
      if (!isUnknown(n.direction)) {
        const other = priorities ? priorities[n.direction].get(n.priority) : firstWithPriority(norms, i, n.direction, n.priority);
        if (other) {
          out.push({ ...(base ??= ruleBase(nsg, rule)), property: 'priority', code: 'amlnet-duplicate-priority', severity: 'error', message: `Rule ${rule.name}: priority ${n.priority} is already used by ${other.name} (${n.direction}); priorities must be unique per direction.` });
        } else {
          priorities?.[n.direction].set(n.priority, rule);
        }
      }
    } else if (!isUnknown(rule.priority)) {
      out.push({ ...(base ??= ruleBase(nsg, rule)), property: 'priority', code: 'amlnet-priority-range', severity: 'error', message: `Rule ${rule.name}: ${n.priority.unknown}.` });
    }
    if (isUnknown(n.direction) || isUnknown(n.access) || isUnknown(n.protocol)) {
      for (const [prop, value, code] of [
        ['direction', n.direction, 'amlnet-bad-direction'],
        ['access', n.access, 'amlnet-bad-access'],
        ['protocol', n.protocol, 'amlnet-bad-protocol'],
      ] as const) {
        if (isUnknown(value) && !isUnknown(rule[prop])) {
          out.push({ ...(base ??= ruleBase(nsg, rule)), property: prop, code, severity: 'error', message: `Rule ${rule.name}: ${value.unknown}.` });
        }
      }
    }
    checkAddresses(nsg, rule, 'sourceAddresses', n.source, out);
    checkAddresses(nsg, rule, 'destinationAddresses', n.destination, out);
    // A port list with nothing unknown has no malformed entry.
    if (n.sourcePorts.unknown.length) checkPorts(nsg, rule, 'sourcePorts', out);
    if (n.destinationPorts.unknown.length) checkPorts(nsg, rule, 'destinationPorts', out);
  }
  return out;
}
