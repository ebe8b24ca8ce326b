/**
 * From evaluated ARM resource properties to the workspace model: security rules (singular and
 * plural properties merged, regional tags over a symbolic location), regions, links by resource
 * id, address prefixes. Pure functions over located values; nothing here throws.
 */
import { type Maybe, type Unknown, unknown } from '../maybe';
import { parseResourceId } from '../model/link-model';
import type { Link, Read, RuleModel, RuleOrigin, SourceSpan } from '../model/workspace-model';
import type { AddressEntry } from '../nsg';
import { type Region, regionNamed, regionSymbol } from '../region';
import { SymbolicValue, TemplateString, UnknownValue, type Value } from '../template/value';
import type { RuleProperty } from '../validate-rules';
import {
  type JsonFile, type Located, PropertyNames, type WrittenObject, at, atAll, displayText, isGiven, isObjectValue, item, sourceText, spanOf, writtenObject, writtenSpan,
} from './arm-json';
import { armTypeOf, describeType } from './arm-values';

/** Why a value is not what was wanted, as the model's `unknown` reason. */
export function reasonOf(v: Value | undefined, what: string, wanted = 'a string'): string {
  if (v === undefined || v === null) return `${what} is not set`;
  if (v instanceof UnknownValue) return v.reason;
  if (v instanceof SymbolicValue || v instanceof TemplateString) return `${v.text} is only known at deployment`;
  return `${what} is ${describeType(v)}, not ${wanted}`;
}

export function maybeString(v: Value | undefined, what: string): Maybe<string> {
  return typeof v === 'string' ? v : unknown(reasonOf(v, what));
}

export function maybeNumber(v: Value | undefined, what: string): Maybe<number> {
  if (typeof v === 'number') return v;
  // Azure reads a numeric string where an integer is expected.
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return unknown(reasonOf(v, what, 'an integer'));
}

export function maybeBoolean(v: Value | undefined, what: string): Maybe<boolean> {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^\s*(true|false)\s*$/i.test(v)) return v.trim().toLowerCase() === 'true';
  return unknown(reasonOf(v, what, 'a boolean'));
}

/** A location as a region: a name, a symbolic location (kept by identity), or unknown. */
export function regionOf(v: Value | undefined, what = 'the location'): Maybe<Region> {
  if (typeof v === 'string' && v.trim() !== '') return regionNamed(v);
  if (v instanceof SymbolicValue) return regionSymbol(v.id, v.text);
  return unknown(reasonOf(v, what));
}

/** A value that may stand for a region: a symbolic string (or of unknown type). */
function isRegionSymbol(v: unknown): v is SymbolicValue {
  if (!(v instanceof SymbolicValue)) return false;
  const t = armTypeOf(v);
  return t === undefined || t === 'string';
}

/**
 * One source or destination entry. `Storage.` followed by a symbolic location
 * (`[concat('Storage.', parameters('location'))]`) is a regional tag whose region is that symbol,
 * the same identity the NSG's own `location` gets, so the two meet.
 */
export function addressEntry(v: Value | undefined): AddressEntry {
  if (typeof v === 'string') return v;
  if (v instanceof TemplateString && v.parts.length === 2) {
    const [head, region] = v.parts;
    if (typeof head === 'string' && /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*\.$/.test(head) && isRegionSymbol(region)) {
      return { tag: head.slice(0, -1), region: regionSymbol(region.id, region.text), text: v.text };
    }
  }
  return unknown(reasonOf(v, 'the address prefix'));
}

/** Whether a property has a value (neither undefined nor null). */
const present = isGiven;

/** The first of the spellings of a property that has a value, else the first written in the template. */
function firstPresent(a: Located, b: Located, c?: Located): Located | undefined {
  if (present(a)) return a;
  if (present(b)) return b;
  if (c !== undefined && present(c)) return c;
  if (a.node !== undefined) return a;
  if (b.node !== undefined) return b;
  return c?.node !== undefined ? c : undefined;
}

/** The property names of one side of a rule, written out (so that no name is built per rule). */
interface SideKeys {
  readonly prefix: string;
  readonly prefixes: string;
  readonly asgs: string;
  readonly portRange: string;
  readonly portRanges: string;
}

const SOURCE: SideKeys = {
  prefix: 'sourceAddressPrefix', prefixes: 'sourceAddressPrefixes', asgs: 'sourceApplicationSecurityGroups',
  portRange: 'sourcePortRange', portRanges: 'sourcePortRanges',
};
const DESTINATION: SideKeys = {
  prefix: 'destinationAddressPrefix', prefixes: 'destinationAddressPrefixes', asgs: 'destinationApplicationSecurityGroups',
  portRange: 'destinationPortRange', portRanges: 'destinationPortRanges',
};

/** The properties a rule reads, in the order `ruleFromProperties` takes them apart. */
const RULE_PROPERTIES = new PropertyNames([
  'priority', 'direction', 'access', 'protocol',
  SOURCE.prefix, SOURCE.prefixes, SOURCE.asgs, DESTINATION.prefix, DESTINATION.prefixes, DESTINATION.asgs,
  SOURCE.portRange, SOURCE.portRanges, DESTINATION.portRange, DESTINATION.portRanges,
]);

/** `xPrefix` + `xPrefixes` + `xApplicationSecurityGroups`, merged into one list. */
function addresses(single: Located, plural: Located, asgs: Located, keys: SideKeys): Maybe<readonly AddressEntry[]> {
  const pluralList = Array.isArray(plural.value) ? (plural.value as readonly Value[]) : undefined;
  const asgList = Array.isArray(asgs.value) ? (asgs.value as readonly Value[]) : undefined;
  // Exported templates write "" beside a filled list.
  const othersGiven = (pluralList?.length ?? 0) + (asgList?.length ?? 0) > 0;
  const withSingle = present(single) && !(single.value === '' && othersGiven);
  let out: AddressEntry[];
  if (withSingle && pluralList === undefined && asgList === undefined && !present(plural) && !present(asgs)) {
    // The usual rule: one prefix (a list literal, so the model keeps no spare room).
    out = [addressEntry(single.value)];
  } else {
    out = [];
    if (withSingle) out.push(addressEntry(single.value));
    if (pluralList) for (let i = 0; i < pluralList.length; i++) out.push(addressEntry(pluralList[i]));
    else if (present(plural)) out.push(unknown(reasonOf(plural.value, keys.prefixes, 'a list')));
    if (asgList) {
      for (let i = 0; i < asgList.length; i++) {
        const id = at(item(asgs, i), 'id').value;
        out.push({ asg: displayText(id) ?? (id instanceof UnknownValue ? `? (${id.reason})` : '?') });
      }
    } else if (present(asgs)) {
      out.push(unknown(reasonOf(asgs.value, keys.asgs, 'a list')));
    }
    out = out.slice();
  }
  return out;
}

function portEntry(v: Value | undefined, what: string): Maybe<string> {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return unknown(reasonOf(v, what));
}

/** `xPortRange` + `xPortRanges`, merged. */
function ports(single: Located, plural: Located, keys: SideKeys): Maybe<readonly Maybe<string>[]> {
  const list = Array.isArray(plural.value) ? (plural.value as readonly Value[]) : undefined;
  const withSingle = present(single) && !(single.value === '' && (list?.length ?? 0) > 0);
  let out: Maybe<string>[];
  if (withSingle && list === undefined && !present(plural)) {
    out = [portEntry(single.value, keys.portRange)];
  } else {
    out = [];
    if (withSingle) out.push(portEntry(single.value, keys.portRange));
    if (list) for (const e of list) out.push(portEntry(e, keys.portRanges));
    else if (present(plural)) out.push(unknown(reasonOf(plural.value, keys.portRanges, 'a list')));
    out = out.slice();
  }
  return out;
}

/** Where merged properties are written: the first spelling that has a value, else the first written. */
function mergedSpan(file: string, a: Located, b: Located, c?: Located): SourceSpan | undefined {
  const loc = firstPresent(a, b, c);
  return loc && writtenSpan(file, loc);
}

/**
 * A rule from its `properties` (inline, `{name, properties}`; child, the resource's own). Every
 * property is its value or why it is unknown, with where it is written.
 */
export function ruleFromProperties(
  name: string, nameSpan: SourceSpan | undefined, props: Located, span: SourceSpan, style: RuleOrigin['style'], file: string, shared: SharedValues = UNSHARED,
): RuleModel {
  const written = writtenObject(props);
  if (written !== undefined && written.findExact(RULE_PROPERTIES, ruleEntries)) {
    const rule = singleValuedRule(name, nameSpan, written, span, style, file, shared);
    if (rule !== undefined) return rule;
  }
  // By index rather than destructured (which goes through the iterator protocol).
  const found = atAll(props, RULE_PROPERTIES);
  const priority = found[0];
  const direction = found[1];
  const access = found[2];
  const protocol = found[3];
  const source = addresses(found[4], found[5], found[6], SOURCE);
  const destination = addresses(found[7], found[8], found[9], DESTINATION);
  const sourcePorts = ports(found[10], found[11], SOURCE);
  const destinationPorts = ports(found[12], found[13], DESTINATION);
  const spans = ruleSpans(
    nameSpan, writtenSpan(file, priority), writtenSpan(file, direction), writtenSpan(file, access), writtenSpan(file, protocol),
    mergedSpan(file, found[4], found[5], found[6]), mergedSpan(file, found[7], found[8], found[9]),
    mergedSpan(file, found[10], found[11]), mergedSpan(file, found[12], found[13]),
  );
  const notObject = !isObjectValue(props) && props.value !== undefined ? unknown(reasonOf(props.value, 'the rule\'s properties', 'an object')) : undefined;
  return {
    name,
    priority: notObject ?? maybeNumber(priority.value, 'the priority'),
    direction: notObject ?? maybeString(direction.value, 'the direction'),
    access: notObject ?? maybeString(access.value, 'the access'),
    protocol: notObject ?? maybeString(protocol.value, 'the protocol'),
    sourceAddresses: notObject ?? source,
    sourcePorts: notObject ?? sourcePorts,
    destinationAddresses: notObject ?? destination,
    destinationPorts: notObject ?? destinationPorts,
    origin: { span, style, properties: spans },
  };
}

/**
 * What one read's rules share: the one-entry lists and the short strings most rules repeat
 * (`['*']`, `['VirtualNetwork']`, `'Tcp'`, `'Allow'`, a port). The model is never changed once
 * read, so equal lists can be one list: a large template's rules then hold far fewer objects, and
 * the garbage collector copies far less while the model is built and checked. Per read (a reader
 * keeps one while it reads), bounded by the template's own texts and by `MAX_SHARED`.
 */
export class SharedValues {
  /** `max`: how many distinct texts (and values) of each kind it keeps. */
  constructor(private readonly max = MAX_SHARED) {
    this.offsets = new RuleOffsets(max === 0 ? OFFSETS_PER_RULE : OFFSET_CHUNK);
  }

  /** Where this read's rules are written (see RuleOffsets); kept apart per rule when nothing is shared. */
  readonly offsets: RuleOffsets;

  private readonly lists = new Map<string, readonly string[]>();
  private readonly strings = new Map<string, string>();
  private readonly byValue = new Map<object, readonly AddressEntry[]>();

  /** `[text]`, the same list for the same text. */
  list(text: string): readonly string[] {
    let list = this.lists.get(text);
    if (list === undefined) {
      list = [text];
      if (this.lists.size < this.max) this.lists.set(text, list);
    }
    return list;
  }

  /**
   * The list of one address entry, as `addresses` makes it. An evaluated value that is not a
   * string (a regional tag over a symbolic location, `Storage.{location}`) is the same object
   * wherever its expression is (an expression evaluates once per scope): one list for it too.
   */
  addressList(v: Value): readonly AddressEntry[] {
    if (typeof v === 'string') return this.list(v);
    if (typeof v !== 'object' || v === null) return [addressEntry(v)];
    let list = this.byValue.get(v);
    if (list === undefined) {
      list = [addressEntry(v)];
      if (this.byValue.size < this.max) this.byValue.set(v, list);
    }
    return list;
  }

  /** The list of one port entry, as `ports` makes it. */
  portList(v: Value, what: string): readonly Maybe<string>[] {
    if (typeof v === 'string') return this.list(v);
    if (typeof v === 'number') return this.list(String(v));
    return [portEntry(v, what)];
  }

  /** `maybeString`, the same string for the same text. */
  maybeString(v: Value | undefined, what: string): Maybe<string> {
    if (typeof v !== 'string') return maybeString(v, what);
    const known = this.strings.get(v);
    if (known !== undefined) return known;
    if (this.strings.size < this.max) this.strings.set(v, v);
    return v;
  }
}

/** The properties (their indexes in RULE_PROPERTIES) whose spans a rule read from the tape keeps, in `ruleSpans` order after the name. */
const SPAN_PROPERTIES = [0, 1, 2, 3, 4, 7, 10, 12];

/**
 * Where the rules read from the tape are written: each property's start and end offsets, in
 * chunks of plain numbers shared by the rules of one read. A rule's origin makes its property
 * spans from them when first asked for (a fix, a diagnostic, a suppression comment), so a large
 * template's model holds one origin per rule rather than nine spans and a record: far fewer
 * objects for the garbage collector to copy while the model is built and checked.
 */
export class RuleOffsets {
  private chunk: Int32Array;
  private used = 0;

  /** `size`: numbers per chunk, a multiple of OFFSETS_PER_RULE. */
  constructor(private readonly size: number) {
    this.chunk = new Int32Array(size);
  }

  /** The origin of a rule whose properties are the entries `e` (indexed as RULE_PROPERTIES, -1 when not written) of `props`. */
  origin(span: SourceSpan, style: RuleOrigin['style'], file: string, nameSpan: SourceSpan | undefined, props: WrittenObject, e: Int32Array): RuleOrigin {
    if (this.used + OFFSETS_PER_RULE > this.chunk.length) {
      this.chunk = new Int32Array(this.size);
      this.used = 0;
    }
    const chunk = this.chunk;
    const at = this.used;
    for (let k = 0; k < SPAN_PROPERTIES.length; k++) {
      const entry = e[SPAN_PROPERTIES[k]];
      chunk[at + 2 * k] = entry >= 0 ? props.startAt(entry) : -1;
      chunk[at + 2 * k + 1] = entry >= 0 ? props.endAt(entry) : -1;
    }
    this.used = at + OFFSETS_PER_RULE;
    return new OffsetOrigin(span, style, file, nameSpan, chunk, at);
  }
}

/** A start and an end offset per property. */
const OFFSETS_PER_RULE = 2 * SPAN_PROPERTIES.length;

/** Numbers per chunk of a read's RuleOffsets (room for 512 rules). */
const OFFSET_CHUNK = 512 * OFFSETS_PER_RULE;

/** A rule's origin whose property spans are made from offsets when first read (see RuleOffsets). */
class OffsetOrigin implements RuleOrigin {
  private spans: Partial<Record<RuleProperty, SourceSpan>> | undefined;

  constructor(
    readonly span: SourceSpan,
    readonly style: RuleOrigin['style'],
    private readonly file: string,
    private readonly nameSpan: SourceSpan | undefined,
    private readonly chunk: Int32Array,
    private readonly at: number,
  ) {}

  get properties(): Partial<Record<RuleProperty, SourceSpan>> {
    return this.spans ??= ruleSpans(
      this.nameSpan, this.spanOf(0), this.spanOf(1), this.spanOf(2), this.spanOf(3), this.spanOf(4), this.spanOf(5), this.spanOf(6), this.spanOf(7),
    );
  }

  /** The plain origin it stands for (what JSON and the model's other readers see). */
  toJSON(): RuleOrigin {
    return { span: this.span, style: this.style, properties: this.properties };
  }

  /** The span of the `k`th of SPAN_PROPERTIES, if written. */
  private spanOf(k: number): SourceSpan | undefined {
    const start = this.chunk[this.at + 2 * k];
    return start < 0 ? undefined : { file: this.file, start, end: this.chunk[this.at + 2 * k + 1] };
  }
}

/** Distinct texts a read shares, at most (beyond them, values are made per rule as before). */
const MAX_SHARED = 4096;

/** For a rule read on its own: keeps nothing, so every call makes its own lists (and no state is shared). */
const UNSHARED = new SharedValues(0);

/** Scratch for the entries of a rule's properties (numbers only; filled and read within one call). */
const ruleEntries = new Int32Array(RULE_PROPERTIES.names.length);

/**
 * `ruleFromProperties` for the usual rule, read straight from the tape: its properties written out
 * as literals or expressions, one address prefix and one port range a side (no plural or
 * application-security-group property). The same rule as the general path, without a located
 * value per property; undefined (nothing evaluated) when the rule is not of that form.
 */
function singleValuedRule(
  name: string, nameSpan: SourceSpan | undefined, props: WrittenObject, span: SourceSpan, style: RuleOrigin['style'], file: string, shared: SharedValues,
): RuleModel | undefined {
  const e = ruleEntries;
  // The plural and application-security-group spellings (indexes 5, 6, 8, 9, 11, 13) are absent.
  if (e[5] >= 0 || e[6] >= 0 || e[8] >= 0 || e[9] >= 0 || e[11] >= 0 || e[13] >= 0) return undefined;
  for (const j of SINGLE_VALUED) if (e[j] >= 0 && !props.isScalar(e[j])) return undefined;
  // Evaluated in the general path's order (an expression may count, as newGuid() does).
  const priority = e[0] >= 0 ? props.valueAt(e[0]) : undefined;
  const direction = e[1] >= 0 ? props.valueAt(e[1]) : undefined;
  const access = e[2] >= 0 ? props.valueAt(e[2]) : undefined;
  const protocol = e[3] >= 0 ? props.valueAt(e[3]) : undefined;
  const sourceAddress = e[4] >= 0 ? props.valueAt(e[4]) : undefined;
  const destinationAddress = e[7] >= 0 ? props.valueAt(e[7]) : undefined;
  const sourcePort = e[10] >= 0 ? props.valueAt(e[10]) : undefined;
  const destinationPort = e[12] >= 0 ? props.valueAt(e[12]) : undefined;
  // A property written as null (or as an expression giving null) is not given: no entry, but its span.
  return {
    name,
    priority: maybeNumber(priority, 'the priority'),
    direction: shared.maybeString(direction, 'the direction'),
    access: shared.maybeString(access, 'the access'),
    protocol: shared.maybeString(protocol, 'the protocol'),
    sourceAddresses: sourceAddress === undefined || sourceAddress === null ? [] : shared.addressList(sourceAddress),
    sourcePorts: sourcePort === undefined || sourcePort === null ? [] : shared.portList(sourcePort, SOURCE.portRange),
    destinationAddresses: destinationAddress === undefined || destinationAddress === null ? [] : shared.addressList(destinationAddress),
    destinationPorts: destinationPort === undefined || destinationPort === null ? [] : shared.portList(destinationPort, DESTINATION.portRange),
    origin: shared.offsets.origin(span, style, file, nameSpan, props, e),
  };
}

/** The indexes in RULE_PROPERTIES of the properties `singleValuedRule` reads. */
const SINGLE_VALUED = SPAN_PROPERTIES;

/** Where each rule property is written, in this order, leaving out those not written. */
function ruleSpans(
  name: SourceSpan | undefined, priority: SourceSpan | undefined, direction: SourceSpan | undefined, access: SourceSpan | undefined,
  protocol: SourceSpan | undefined, sourceAddresses: SourceSpan | undefined, destinationAddresses: SourceSpan | undefined,
  sourcePorts: SourceSpan | undefined, destinationPorts: SourceSpan | undefined,
): Partial<Record<RuleProperty, SourceSpan>> {
  if (name && priority && direction && access && protocol && sourceAddresses && destinationAddresses && sourcePorts && destinationPorts) {
    // Every property written (the usual rule): one object literal, all its fields in the object itself.
    return { name, priority, direction, access, protocol, sourceAddresses, destinationAddresses, sourcePorts, destinationPorts };
  }
  const spans: Partial<Record<RuleProperty, SourceSpan>> = {};
  if (name) spans.name = name;
  if (priority) spans.priority = priority;
  if (direction) spans.direction = direction;
  if (access) spans.access = access;
  if (protocol) spans.protocol = protocol;
  if (sourceAddresses) spans.sourceAddresses = sourceAddresses;
  if (destinationAddresses) spans.destinationAddresses = destinationAddresses;
  if (sourcePorts) spans.sourcePorts = sourcePorts;
  if (destinationPorts) spans.destinationPorts = destinationPorts;
  return spans;
}

/** A rule nothing is known of but that it may exist (rules from an unknown list, a copy loop of unknown count). */
export function unknownRule(name: string, reason: string, span: SourceSpan, style: RuleOrigin['style']): RuleModel {
  const u: Unknown = unknown(reason);
  return {
    name, priority: u, direction: u, access: u, protocol: u, sourceAddresses: u, sourcePorts: u, destinationAddresses: u, destinationPorts: u,
    origin: { span, style, properties: {} },
  };
}

/** An inline rule `{ name, properties }` (or an expression that yields one). */
export function inlineRule(loc: Located, index: number, fallback: SourceSpan, file: JsonFile, shared?: SharedValues): RuleModel {
  const node = loc.node ?? loc.each;
  const span = node ? spanOf(file.path, node) : fallback;
  if (!isObjectValue(loc)) {
    return unknownRule(`securityRules[${index}]`, reasonOf(loc.value, `security rule ${index + 1}`, 'an object'), span, 'inline');
  }
  const nameLoc = at(loc, 'name');
  const name = displayText(nameLoc.value) ?? (nameLoc.node ? sourceText(file, nameLoc.node) : `securityRules[${index}]`);
  return ruleFromProperties(name, writtenSpan(file.path, nameLoc), at(loc, 'properties'), span, 'inline', file.path, shared);
}

/** A list of strings (address prefixes), known as a whole or not at all. */
export function stringList(locs: readonly Located[], what: string, file: string, fallback: SourceSpan): Read<readonly string[]> {
  const out: string[] = [];
  let span: SourceSpan | undefined;
  let given = false;
  for (const loc of locs) {
    if (!present(loc)) continue;
    given = true;
    span ??= writtenSpan(file, loc);
    const v = loc.value;
    const list: readonly (Value | undefined)[] = Array.isArray(v) ? v as readonly Value[] : [v];
    for (const e of list) {
      if (typeof e !== 'string') return { value: unknown(reasonOf(e, what)), span: span ?? fallback };
      if (e !== '') out.push(e);
    }
  }
  if (!given) return { value: unknown(`no ${what} is set`), span: fallback };
  return { value: out, span: span ?? fallback };
}

export function readOf<T>(loc: Located, m: Maybe<T>, file: string, fallback: SourceSpan): Read<T> {
  return { value: m, span: writtenSpan(file, loc) ?? fallback };
}

/**
 * A link from an `{ id }` object (or the id itself): by resource type and name when the id can be
 * read (a `resourceId(...)` or an id string, even with parts known only at deployment), else
 * unresolved with the reason.
 */
export function linkOf(obj: Located, file: JsonFile, idKey: string | null = 'id'): Link | undefined {
  if (!present(obj)) return undefined;
  const idLoc = idKey === null ? obj : at(obj, idKey);
  const v = idLoc.value;
  const node = idLoc.node ?? obj.node;
  const text = node ? sourceText(file, node) : displayText(v) ?? '?';
  const span = node ? spanOf(file.path, node) : undefined;
  if (v === undefined || v === null) {
    if (obj.value instanceof UnknownValue || obj.value instanceof SymbolicValue) return { text, span, unresolved: reasonOf(obj.value, 'the reference') };
    return undefined;
  }
  if (typeof v === 'string' || v instanceof TemplateString) {
    const id = typeof v === 'string' ? v : v.text;
    const ref = parseResourceId(id);
    if (ref) return { ref, text, span };
    return { text, span, unresolved: typeof v === 'string' ? `'${v}' is not a resource id` : `${v.text} is only known at deployment` };
  }
  return { text, span, unresolved: reasonOf(v, 'the resource id') };
}

/** Splits a resource name on `/` (in its literal parts), e.g. `[format('{0}/rule', parameters('nsg'))]`. */
export function nameSegments(v: Value | undefined): string[] | undefined {
  if (typeof v === 'string') return v.split('/');
  if (v instanceof SymbolicValue) return [`{${v.text}}`];
  if (typeof v === 'number') return [String(v)];
  if (!(v instanceof TemplateString)) return undefined;
  const out: string[] = [];
  let current: (string | SymbolicValue)[] = [];
  const flush = () => {
    out.push(current.map((p) => (typeof p === 'string' ? p : `{${p.text}}`)).join(''));
    current = [];
  };
  for (const p of v.parts) {
    if (typeof p !== 'string') {
      current.push(p);
      continue;
    }
    const pieces = p.split('/');
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) flush();
      if (pieces[i] !== '') current.push(pieces[i]);
    }
  }
  flush();
  return out;
}
