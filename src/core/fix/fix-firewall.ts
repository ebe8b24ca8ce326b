/**
 * Firewall fixes: the network or application rule that makes a failing requirement pass, added to
 * the right rule collection of the firewall (or its policy) in the file's own style. The rule goes
 * into an Allow collection of the right kind processed before the rule that blocks the traffic;
 * when there is none, into a new collection (a classic collection array, or the rule collection
 * group of the blocking collection) at a free priority before it. Only what is failing is added;
 * what cannot be fixed (unknown verdicts, a deny in a base policy, a URL path) is said, not guessed.
 */
import type { Node } from 'jsonc-parser';
import { parseBicep } from '../bicep/parser';
import type { ArrayExpression, BicepFile, Expression, ObjectExpression, SyntaxNode } from '../bicep/syntax';
import { walk } from '../bicep/walk';
import { keyName } from '../bicep/bicep-evaluator';
import type { SubnetFirewallCheck } from '../firewall/check-firewalls';
import type { FirewallOutcome, FirewallRuleRef, FirewallVerdict } from '../firewall/evaluate-firewall';
import type { FirewallCollection, FirewallRules } from '../firewall/firewall-rules';
import { nodeAt, propertyNode } from '../firewall/json-spans';
import { isUnknown } from '../maybe';
import type { SourceSpan } from '../model/workspace-model';
import { bicepString, detectUnit, lineIndent, newlineOf } from './layout';
import type { TextEdit } from './text-edit';

export interface FirewallFixOptions {
  /** Fix subnets out of scope too. */
  readonly includeOutOfScope?: boolean;
}

export interface FirewallFixRule {
  readonly firewall: string;
  readonly collection: string;
  readonly rule: string;
  readonly kind: 'network' | 'application';
  /** Set when the fix adds a new collection for the rule. */
  readonly newCollectionPriority?: number;
}

export interface FirewallSkipped {
  readonly subnet: string;
  readonly requirementId: string;
  readonly reason: string;
}

export interface FirewallFix {
  readonly title: string;
  readonly requirementIds: string[];
  readonly edits: TextEdit[];
  readonly rules: FirewallFixRule[];
  readonly skipped: FirewallSkipped[];
}

/** A rule to write, in the model's terms. */
interface NewFwRule {
  readonly kind: 'network' | 'application';
  readonly name: string;
  readonly sources: readonly string[];
  /** Network: `TCP`, `UDP` or `Any`. */
  readonly protocols?: readonly string[];
  readonly destinations?: readonly string[];
  readonly destinationFqdns?: readonly string[];
  readonly ports?: readonly string[];
  /** Application: protocol type and port. */
  readonly appProtocols?: readonly { readonly type: 'Http' | 'Https'; readonly port: number }[];
  readonly targetFqdns?: readonly string[];
}

export function needsFirewallFix(v: FirewallVerdict): boolean {
  return v.verdict === 'blocked' || v.verdict === 'partial';
}

// ---------------------------------------------------------------------------------------------
// Containers in the text: an array under an object, in JSON or Bicep

type Lang = 'arm' | 'bicep';

interface ArrayLoc {
  readonly lang: Lang;
  readonly file: string;
  /** Offsets of `[` and `]`. */
  readonly open: number;
  readonly close: number;
  readonly items: readonly { readonly start: number; readonly end: number; readonly keys: readonly string[] }[];
}

const bicepTrees = new Map<string, BicepFile>();

function bicepTree(text: string): BicepFile {
  let t = bicepTrees.get(text);
  if (!t) {
    if (bicepTrees.size > 8) bicepTrees.clear();
    bicepTrees.set(text, (t = parseBicep(text)));
  }
  return t;
}

function langOf(file: string): Lang {
  return /\.bicep(param)?$/i.test(file) ? 'bicep' : 'arm';
}

/** The outermost object expression inside a span (a resource's body, or the collection object itself). */
function bicepObjectIn(file: BicepFile, span: SourceSpan): ObjectExpression | undefined {
  let found: ObjectExpression | undefined;
  for (const s of file.statements) {
    walk(s as SyntaxNode, (n) => {
      if (found) return false;
      if (n.end <= span.start || n.start >= span.end) return false;
      if (n.kind === 'object' && n.start >= span.start && n.end <= span.end) {
        found = n as ObjectExpression;
        return false;
      }
      return true;
    });
    if (found) break;
  }
  return found;
}

function bicepProp(obj: ObjectExpression | undefined, key: string): Expression | undefined {
  if (!obj) return undefined;
  for (const m of obj.properties) {
    if (m.kind !== 'property') continue;
    const k = keyName(m.key);
    if (k !== undefined && k.toLowerCase() === key.toLowerCase()) return m.value;
  }
  return undefined;
}

function bicepKeys(e: Expression | undefined): string[] {
  if (!e || e.kind !== 'object') return [];
  return (e as ObjectExpression).properties.flatMap((m) => (m.kind === 'property' ? [keyName(m.key) ?? ''] : []));
}

function jsonKeys(n: Node | undefined): string[] {
  return n?.type === 'object' ? (n.children ?? []).map((p) => String(p.children?.[0]?.value ?? '')) : [];
}

/** The JSON value at `path` under the ARM object written at `span`. */
function armValueAt(text: string, span: SourceSpan, path: readonly string[]): Node | undefined {
  let node: Node | undefined = nodeAt(text, span);
  for (const k of path) node = propertyNode(node, k)?.value;
  return node;
}

/** The Bicep expression at `path` under the object written at `span`. */
function bicepValueAt(text: string, span: SourceSpan, path: readonly string[]): Expression | undefined {
  let e: Expression | undefined = bicepObjectIn(bicepTree(text), span);
  for (const k of path) e = bicepProp(e?.kind === 'object' ? (e as ObjectExpression) : undefined, k);
  return e;
}

/** The array at `path` under the object written at `span`. */
function arrayAt(text: string, span: SourceSpan, path: readonly string[]): ArrayLoc | undefined {
  const lang = langOf(span.file);
  if (lang === 'arm') {
    const node = armValueAt(text, span, path);
    if (!node || node.type !== 'array') return undefined;
    return {
      lang, file: span.file, open: node.offset, close: node.offset + node.length - 1,
      items: (node.children ?? []).map((c) => ({ start: c.offset, end: c.offset + c.length, keys: jsonKeys(c) })),
    };
  }
  const e = bicepValueAt(text, span, path);
  if (!e || e.kind !== 'array') return undefined;
  const arr = e as ArrayExpression;
  return { lang, file: span.file, open: arr.start, close: arr.end - 1, items: arr.items.map((i) => ({ start: i.start, end: i.end, keys: bicepKeys(i as Expression) })) };
}

/** The object at `path` under the object written at `span`: its braces and its properties' ranges. */
function objectAt(text: string, span: SourceSpan, path: readonly string[]): ArrayLoc | undefined {
  const lang = langOf(span.file);
  if (lang === 'arm') {
    const node = armValueAt(text, span, path);
    if (!node || node.type !== 'object') return undefined;
    return { lang, file: span.file, open: node.offset, close: node.offset + node.length - 1, items: (node.children ?? []).map((c) => ({ start: c.offset, end: c.offset + c.length, keys: [] })) };
  }
  const e = bicepValueAt(text, span, path);
  if (!e || e.kind !== 'object') return undefined;
  const o = e as ObjectExpression;
  return { lang, file: span.file, open: o.start, close: o.end - 1, items: o.properties.map((m) => ({ start: m.start, end: m.end, keys: [] })) };
}

/** Text that adds `key: value` as the last property of an object, in the file's style. */
function addPropertyText(text: string, o: ArrayLoc, key: string, value: V): { at: number; newText: string } | undefined {
  const last = o.items[o.items.length - 1];
  if (!last || !text.slice(o.open, o.close).includes('\n')) return undefined;
  const s: Style = { lang: o.lang, nl: newlineOf(text), unit: detectUnit(text, o.open, o.close) };
  const indent = lineIndent(text, last.start);
  const k = o.lang === 'arm' ? JSON.stringify(key) : key;
  return { at: last.end, newText: `${o.lang === 'arm' ? ',' : ''}${s.nl}${indent}${k}: ${render(s, value, indent)}` };
}

// ---------------------------------------------------------------------------------------------
// Rendering

type V = string | number | readonly V[] | { readonly [k: string]: V };

interface Style {
  readonly lang: Lang;
  readonly nl: string;
  readonly unit: string;
}

function scalar(s: Style, v: string | number): string {
  if (typeof v === 'number') return String(v);
  return s.lang === 'arm' ? JSON.stringify(v) : bicepString(v);
}

function render(s: Style, v: V, indent: string): string {
  if (typeof v === 'string' || typeof v === 'number') return scalar(s, v);
  if (Array.isArray(v)) {
    const list = v as readonly V[];
    if (list.every((x) => typeof x === 'string' || typeof x === 'number')) return `[${list.map((x) => scalar(s, x as string | number)).join(', ')}]`;
    const inner = indent + s.unit;
    const sep = s.lang === 'arm' ? ',' : '';
    return `[${list.map((x) => `${s.nl}${inner}${render(s, x, inner)}`).join(sep)}${s.nl}${indent}]`;
  }
  const entries = Object.entries(v as Record<string, V>);
  const inner = indent + s.unit;
  const sep = s.lang === 'arm' ? ',' : '';
  const key = (k: string) => (s.lang === 'arm' ? JSON.stringify(k) : k);
  return `{${entries.map(([k, x]) => `${s.nl}${inner}${key(k)}: ${render(s, x, inner)}`).join(sep)}${s.nl}${indent}}`;
}

/** The rule as the template's object, in the order of an existing sibling's keys when there is one. */
function ruleObject(r: NewFwRule, policy: boolean, order: readonly string[]): Record<string, V> {
  const o: Record<string, V> = {};
  if (policy) o.ruleType = r.kind === 'network' ? 'NetworkRule' : 'ApplicationRule';
  o.name = r.name;
  if (r.kind === 'network') {
    o[policy ? 'ipProtocols' : 'protocols'] = r.protocols ?? [];
    o.sourceAddresses = r.sources;
    if (r.destinationFqdns) o.destinationFqdns = r.destinationFqdns;
    else o.destinationAddresses = r.destinations ?? [];
    o.destinationPorts = r.ports ?? [];
  } else {
    o.protocols = (r.appProtocols ?? []).map((p) => ({ protocolType: p.type, port: p.port }));
    o.sourceAddresses = r.sources;
    o.targetFqdns = r.targetFqdns ?? [];
  }
  if (!order.length) return o;
  const rank = (k: string) => {
    const i = order.findIndex((x) => x.toLowerCase() === k.toLowerCase());
    return i < 0 ? order.length : i;
  };
  return Object.fromEntries(Object.entries(o).sort((a, b) => rank(a[0]) - rank(b[0])));
}

/** Text that appends `values` to an array, in the file's style. */
function appendText(text: string, a: ArrayLoc, values: readonly V[]): { at: number; newText: string } {
  const s: Style = { lang: a.lang, nl: newlineOf(text), unit: detectUnit(text, a.open, a.close) };
  const last = a.items[a.items.length - 1];
  if (last) {
    const multiLine = text.slice(a.open, a.close).includes('\n') && /\n[ \t]*$/.test(text.slice(0, last.start));
    const indent = multiLine ? lineIndent(text, last.start) : lineIndent(text, a.open);
    // Bicep arrays written one item per line take no commas.
    const commas = a.lang === 'arm' || !multiLine || /,\s*$/.test(text.slice(a.items.length > 1 ? a.items[a.items.length - 2].end : a.open + 1, last.start));
    const sep = commas ? ',' : '';
    const out = values.map((v) => (multiLine ? `${sep}${s.nl}${indent}${render(s, v, indent)}` : `${commas ? ', ' : ' '}${render(s, v, indent)}`)).join('');
    return { at: last.end, newText: out };
  }
  const base = lineIndent(text, a.open);
  const indent = base + s.unit;
  const sep = a.lang === 'arm' ? ',' : '';
  const body = values.map((v) => `${s.nl}${indent}${render(s, v, indent)}`).join(sep);
  // An empty list: the items go after `[`, and `]` moves to a line of its own.
  return { at: a.open + 1, newText: `${body}${s.nl}${base}` };
}

// ---------------------------------------------------------------------------------------------
// What to add, and where

function orderKey(c: FirewallCollection): number[] | undefined {
  if (isUnknown(c.priority) || (c.group && isUnknown(c.group.priority))) return undefined;
  return [-c.depth, c.group ? (c.group.priority as number) : 0, c.priority];
}

function before(a: number[], b: number[] | undefined): boolean {
  if (!b) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function collectionOfRef(rules: FirewallRules, ref: FirewallRuleRef): FirewallCollection | undefined {
  return rules.collections.find((c) => c.owner.name === ref.firewall && c.name === ref.collection && (c.group?.name ?? undefined) === ref.group);
}

const RULE_NAME = /[^A-Za-z0-9_.-]+/g;

interface Plan {
  readonly requirementId: string;
  readonly rule: NewFwRule;
  /** The deny that decides the traffic now; undefined for the default deny. */
  readonly blocking?: FirewallCollection;
}

function planFor(check: SubnetFirewallCheck, v: FirewallVerdict): { plans: Plan[]; skipped: string[] } {
  const skipped: string[] = [];
  const rules = check.rules!;
  const prefixes = check.subnet.addressPrefixes.value;
  if (isUnknown(prefixes) || prefixes.length === 0) return { plans: [], skipped: [`the address prefix of subnet ${check.subnet.name} is not known (${isUnknown(prefixes) ? prefixes.unknown : 'none'}), so a rule's source cannot be written`] };
  // What is not certainly allowed gets the rule: blocked and partial rows, and unknown rows of the
  // same requirement (an explicit allow settles an uncertain match), unless a deny may decide them.
  const doubtful = v.breakdown.filter((b) => b.outcome === 'unknown');
  const uncertainDeny = doubtful.find((b) => b.decidedBy.some((r) => r.action === 'Deny' && !r.isDefault) || b.decidedBy.length === 0);
  if (uncertainDeny) return { plans: [], skipped: [`part of it is unknown and may be denied by a rule: ${uncertainDeny.detail}`] };
  const failing = v.breakdown.filter((b) => b.outcome === 'blocked' || b.outcome === 'partial' || b.outcome === 'unknown');
  if (failing.some((b) => b.decidedBy.length === 0)) return { plans: [], skipped: [`a route, not a firewall rule, decides it: ${failing.find((b) => b.decidedBy.length === 0)!.detail}`] };
  const denies = failing.flatMap((b) => b.decidedBy.filter((r) => r.action === 'Deny' && !r.isDefault));
  const ownNames = new Set([rules.firewall.name, rules.policy?.name].filter((n): n is string => !!n));
  const inherited = denies.find((r) => !ownNames.has(r.firewall));
  if (inherited) return { plans: [], skipped: [`denied by ${inherited.rule} of base policy ${inherited.firewall}, which comes before every rule of ${rules.policy?.name ?? rules.firewall.name}`] };
  // Host rows on TCP or UDP (2025-02) need a network rule with a destination FQDN.
  const hostOverNetwork = v.kind === 'host' && v.spec.kind === 'host' && v.spec.protocol !== 'Https' && v.spec.protocol !== 'Http';
  const kind: 'network' | 'application' = v.kind === 'host' && !hostOverNetwork ? 'application' : 'network';
  if (kind === 'application' && denies.some((r) => r.kind === 'network')) return { plans: [], skipped: ['denied by a network rule, which Azure processes before every application rule'] };
  // Network rules come before every application rule: an application deny never blocks a new network rule.
  const blockers = denies.filter((r) => kind === 'application' || r.kind === 'network').map((r) => collectionOfRef(rules, r)).filter((c): c is FirewallCollection => c !== undefined);
  let blocking: FirewallCollection | undefined;
  for (const c of blockers) {
    const k = orderKey(c);
    if (!k) return { plans: [], skipped: [`the priority of collection ${c.name} is not known`] };
    if (!blocking || before(k, orderKey(blocking))) blocking = c;
  }
  const name = `aml-${v.id.replace(/^aml-/, '')}`.replace(RULE_NAME, '-');
  if (v.kind === 'service-tag') {
    const byProtocol = new Map<string, { ports: Set<string>; targets: Set<string> }>();
    for (const b of failing) {
      if (b.target.includes('<')) return { plans: [], skipped: [`the region is not known, so ${b.target} cannot be written`] };
      const e = byProtocol.get(b.protocol) ?? { ports: new Set(), targets: new Set() };
      for (const p of b.ports.split(', ')) e.ports.add(p);
      e.targets.add(b.target);
      byProtocol.set(b.protocol, e);
    }
    const protocols = [...byProtocol.keys()];
    const samePorts = protocols.length === 2 && [...byProtocol.values()].every((e, _, all) => JSON.stringify([...e.ports]) === JSON.stringify([...all[0].ports]));
    const groups = samePorts ? [['Any', byProtocol.get(protocols[0])!] as const] : [...byProtocol.entries()];
    const plans = groups.map(([protocol, e], i) => ({
      requirementId: v.id,
      rule: { kind, name: groups.length > 1 ? `${name}-${i + 1}` : name, sources: prefixes, protocols: [protocol], destinations: [...e.targets], ports: [...e.ports] },
      blocking,
    }));
    return { plans, skipped };
  }
  // Application rules: HTTP(S) only, host names without a path.
  const spec = v.spec;
  if (spec.kind !== 'host') return { plans: [], skipped: ['not a host requirement'] };
  if (spec.host.includes('/')) return { plans: [], skipped: [`${spec.host} is a URL path: it needs a target URL rule (TLS inspection, Premium), which amlnet does not write`] };
  const targets = [...new Set(failing.map((b) => b.target))];
  if (targets.some((t) => t.includes('<'))) return { plans: [], skipped: ['the region is not known, so the host name cannot be written'] };
  if (hostOverNetwork) {
    if (rules.dnsProxy !== true) return { plans: [], skipped: [`${spec.protocol} traffic to ${spec.host} needs a network rule with a destination FQDN, which needs DNS proxy: ${isUnknown(rules.dnsProxy) ? rules.dnsProxy.unknown : 'DNS proxy is off'}`] };
    if (targets.some((t) => t.includes('*'))) return { plans: [], skipped: [`${spec.protocol} traffic to ${spec.host} needs a network rule, and network rule FQDNs take no wildcards`] };
    const protocol = spec.protocol === 'Udp' ? 'UDP' : 'TCP';
    const netPorts = [...new Set(failing.flatMap((b) => b.ports.split(', ')))];
    return { plans: [{ requirementId: v.id, rule: { kind, name, sources: prefixes, protocols: [protocol], destinationFqdns: targets, ports: netPorts }, blocking }], skipped };
  }
  const ports = [...new Set(failing.flatMap((b) => b.ports.split(', ')))].map(Number);
  return {
    plans: [{ requirementId: v.id, rule: { kind, name, sources: prefixes, appProtocols: ports.map((port) => ({ type: spec.protocol as 'Http' | 'Https', port })), targetFqdns: targets }, blocking }],
    skipped,
  };
}

/** The Allow collection of the right kind processed before `blocking` (the first in processing order). */
function existingCollection(rules: FirewallRules, kind: 'network' | 'application', blocking: FirewallCollection | undefined): FirewallCollection | undefined {
  const limit = blocking ? orderKey(blocking) : undefined;
  const fits = rules.collections.filter((c) => {
    const k = orderKey(c);
    if (!k || c.depth !== 0 || isUnknown(c.action) || c.action !== 'Allow' || !c.span) return false;
    if (c.kind !== kind) return false;
    return before(k, limit);
  });
  fits.sort((a, b) => (before(orderKey(a)!, orderKey(b)!) ? -1 : 1));
  return fits[0];
}

// ---------------------------------------------------------------------------------------------
// Fix-all

interface NewCollection {
  readonly array: ArrayLoc;
  readonly priority: number;
  readonly name: string;
  readonly policy: boolean;
  readonly kind: 'network' | 'application';
  readonly rules: V[];
  /** Set when the collection list itself is new: the object to add it to, and its key. */
  readonly property?: { readonly object: ArrayLoc; readonly key: string };
}

function hasProperty(text: string, span: SourceSpan, path: readonly string[]): boolean {
  const parent = objectAt(text, span, path.slice(0, -1));
  if (!parent) return false;
  const lang = langOf(span.file);
  const key = path[path.length - 1].toLowerCase();
  return parent.items.some((i) => {
    const head = text.slice(i.start, Math.min(i.end, i.start + key.length + 2)).toLowerCase();
    return lang === 'arm' ? head.startsWith(`"${key}"`) : head.startsWith(key);
  });
}

interface Insertion {
  readonly array: ArrayLoc;
  readonly values: V[];
}

/** Fixes every failing firewall requirement of the given subnets (one batch: collections and priorities are shared). */
export function fixAllFirewalls(checks: readonly SubnetFirewallCheck[], files: ReadonlyMap<string, string>, options: FirewallFixOptions = {}): FirewallFix {
  const edits: TextEdit[] = [];
  const added: FirewallFixRule[] = [];
  const skipped: FirewallSkipped[] = [];
  const ids: string[] = [];
  const insertions = new Map<string, Insertion>();
  /** New collections planned per container, by the collection that blocks (or '' for the default deny). */
  const newCollections = new Map<string, NewCollection>();
  const usedPriorities = new Map<string, Set<number>>();
  const ruleNames = new Map<string, Set<string>>();
  const done = new Set<string>();
  for (const check of checks) {
    if (!check.inScope && !options.includeOutOfScope) continue;
    if (!check.rules || !check.firewall) {
      const why = check.firewallUnknown ?? 'no Azure Firewall declared here is the next hop';
      for (const v of check.verdicts) if (needsFirewallFix(v) && !check.suppressed?.requirements.has(v.id)) skipped.push({ subnet: check.subnet.name, requirementId: v.id, reason: `no firewall to add a rule to: ${why}` });
      continue;
    }
    const rules = check.rules;
    for (const v of check.verdicts) {
      // A requirement suppressed in the source is left as it is.
      if (!needsFirewallFix(v) || check.suppressed?.requirements.has(v.id)) continue;
      const { plans, skipped: why } = planFor(check, v);
      for (const reason of why) skipped.push({ subnet: check.subnet.name, requirementId: v.id, reason });
      for (const plan of plans) {
        const doneKey = `${rules.firewall.key}|${plan.rule.name}|${JSON.stringify(plan.rule.sources)}`;
        if (done.has(doneKey)) continue;
        done.add(doneKey);
        const target = existingCollection(rules, plan.rule.kind, plan.blocking);
        const policyRules = rules.policy !== undefined;
        if (target) {
          const text = files.get(target.span!.file);
          const array = text === undefined ? undefined : arrayAt(text, target.span!, policyRules ? ['rules'] : ['properties', 'rules']);
          if (!array || text === undefined) {
            skipped.push({ subnet: check.subnet.name, requirementId: v.id, reason: `the rules of collection ${target.name} are not written as a list amlnet can add to` });
            continue;
          }
          const names = namesIn(ruleNames, `${array.file}@${array.open}`, target.rules.map((r) => r.name));
          const name = uniqueName(plan.rule.name, names);
          const order = array.items[0]?.keys ?? [];
          addInsertion(insertions, array, ruleObject({ ...plan.rule, name }, policyRules, order));
          added.push({ firewall: target.owner.name, collection: target.name, rule: name, kind: plan.rule.kind });
          ids.push(v.id);
          continue;
        }
        const made = newCollection(rules, plan, files, newCollections, usedPriorities);
        if ('reason' in made) {
          skipped.push({ subnet: check.subnet.name, requirementId: v.id, reason: made.reason });
          continue;
        }
        const names = namesIn(ruleNames, made.key, []);
        const name = uniqueName(plan.rule.name, names);
        made.entry.rules.push(ruleObject({ ...plan.rule, name }, policyRules, []));
        added.push({ firewall: made.owner, collection: made.entry.name, rule: name, kind: plan.rule.kind, newCollectionPriority: made.entry.priority });
        ids.push(v.id);
      }
    }
  }
  const properties = new Map<string, { object: ArrayLoc; entries: [string, V[]][] }>();
  for (const c of newCollections.values()) {
    const value: Record<string, V> = c.policy
      ? { ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: c.name, priority: c.priority, action: { type: 'Allow' }, rules: c.rules }
      : { name: c.name, properties: { priority: c.priority, action: { type: 'Allow' }, rules: c.rules } };
    if (c.property) {
      const k = `${c.property.object.file}@${c.property.object.open}`;
      const p = properties.get(k) ?? { object: c.property.object, entries: [] };
      const entry = p.entries.find(([key]) => key === c.property!.key);
      if (entry) entry[1].push(value);
      else p.entries.push([c.property.key, [value]]);
      properties.set(k, p);
    } else addInsertion(insertions, c.array, value);
  }
  for (const p of properties.values()) {
    const text = files.get(p.object.file)!;
    const parts = p.entries.map(([key, values]) => addPropertyText(text, p.object, key, values));
    if (parts.some((x) => x === undefined)) {
      for (const c of newCollections.values()) if (c.property?.object === p.object) skipped.push({ subnet: '', requirementId: c.name, reason: 'the firewall\'s properties are written on one line; amlnet does not add a collection list there' });
      continue;
    }
    edits.push({ file: p.object.file, start: parts[0]!.at, end: parts[0]!.at, newText: parts.map((x) => x!.newText).join('') });
  }
  for (const ins of insertions.values()) {
    const text = files.get(ins.array.file)!;
    const { at, newText } = appendText(text, ins.array, ins.values);
    edits.push({ file: ins.array.file, start: at, end: at, newText });
  }
  const n = added.length;
  return { title: n ? `Add ${n} firewall rule${n === 1 ? '' : 's'} for Azure ML` : 'No firewall rules to add', requirementIds: [...new Set(ids)], edits, rules: added, skipped };
}

function addInsertion(map: Map<string, Insertion>, array: ArrayLoc, value: V): void {
  const key = `${array.file}@${array.open}`;
  const ins = map.get(key) ?? { array, values: [] };
  ins.values.push(value);
  map.set(key, ins);
}

function namesIn(map: Map<string, Set<string>>, key: string, existing: readonly string[]): Set<string> {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set(existing.map((x) => x.toLowerCase()))));
  return s;
}

function uniqueName(base: string, names: Set<string>): string {
  let name = base;
  for (let i = 2; names.has(name.toLowerCase()); i++) name = `${base}-${i}`;
  names.add(name.toLowerCase());
  return name;
}

const MIN = 100;
const MAX = 65000;

/**
 * A new Allow collection for a plan: for classic rules in the firewall's collection array of the
 * kind; for a policy in the rule collection group of the blocking collection (or the policy's
 * first group for the default deny), at a free priority before the blocking collection.
 */
function newCollection(
  rules: FirewallRules, plan: Plan, files: ReadonlyMap<string, string>,
  made: Map<string, NewCollection>,
  usedPriorities: Map<string, Set<number>>,
): { key: string; owner: string; entry: { name: string; priority: number; rules: V[] } } | { reason: string } {
  const kind = plan.rule.kind;
  const policy = rules.policy;
  let span: SourceSpan | undefined;
  let path: string[];
  let siblings: FirewallCollection[];
  let limit: number | undefined;
  let owner: string;
  if (!policy) {
    span = rules.firewall.span;
    path = ['properties', kind === 'network' ? 'networkRuleCollections' : 'applicationRuleCollections'];
    siblings = rules.collections.filter((c) => c.depth === 0 && c.kind === kind);
    limit = plan.blocking && !isUnknown(plan.blocking.priority) ? plan.blocking.priority : undefined;
    owner = rules.firewall.name;
  } else {
    const own = rules.collections.filter((c) => c.depth === 0 && c.group && !isUnknown(c.group.priority));
    const group = plan.blocking?.group ?? own.sort((a, b) => (a.group!.priority as number) - (b.group!.priority as number))[0]?.group;
    if (!group) return { reason: `policy ${policy.name} has no rule collection group amlnet can add a collection to` };
    span = group.span;
    path = ['properties', 'ruleCollections'];
    siblings = rules.collections.filter((c) => c.depth === 0 && c.group?.name === group.name);
    limit = plan.blocking && !isUnknown(plan.blocking.priority) ? plan.blocking.priority : undefined;
    owner = policy.name;
  }
  if (!span) return { reason: 'where the collections are declared is not known' };
  const text = files.get(span.file);
  let array = text === undefined ? undefined : arrayAt(text, span, path);
  let property: { object: ArrayLoc; key: string } | undefined;
  if (!array && !policy && text !== undefined && arrayAt(text, span, path) === undefined && !hasProperty(text, span, path)) {
    // A classic firewall without a collection list of this kind: the list is added as a property.
    const object = objectAt(text, span, path.slice(0, -1));
    if (object) {
      property = { object, key: path[path.length - 1] };
      array = { ...object, items: [] };
    }
  }
  if (!array) return { reason: `no ${path[path.length - 1]} list to add a collection to in ${span.file}` };
  const key = `${array.file}@${array.open}|${kind}|${limit ?? ''}`;
  const existing = made.get(key);
  if (existing) return { key, owner, entry: existing };
  const used = usedPriorities.get(`${array.file}@${array.open}`) ?? new Set(siblings.flatMap((c) => (isUnknown(c.priority) ? [] : [c.priority])));
  usedPriorities.set(`${array.file}@${array.open}`, used);
  // Classic collections of both kinds share one firewall: keep priorities unique across them.
  if (!policy) for (const c of rules.collections) if (c.depth === 0 && !isUnknown(c.priority)) used.add(c.priority);
  let priority: number | undefined;
  if (limit !== undefined) {
    for (let p = limit - 10; p >= MIN; p -= 10) if (!used.has(p)) { priority = p; break; }
    for (let p = limit - 1; priority === undefined && p >= MIN; p--) if (!used.has(p)) priority = p;
  } else {
    const top = Math.max(MIN - 100, ...used);
    for (let p = Math.min(MAX, Math.ceil((top + 100) / 100) * 100); p >= MIN && priority === undefined; p -= 100) if (!used.has(p)) priority = p;
    for (let p = MIN; priority === undefined && p <= MAX; p++) if (!used.has(p)) priority = p;
  }
  if (priority === undefined) return { reason: `no free collection priority${limit !== undefined ? ` before ${limit}` : ''}` };
  used.add(priority);
  const names = new Set(siblings.map((c) => c.name.toLowerCase()));
  const name = uniqueName(kind === 'network' ? 'AllowAzureMLNetwork' : 'AllowAzureMLApplication', names);
  const entry = { array, priority, name, policy: !!policy, kind, rules: [] as V[], ...(property ? { property } : {}) };
  made.set(key, entry);
  return { key, owner, entry };
}

export type { FirewallOutcome };
