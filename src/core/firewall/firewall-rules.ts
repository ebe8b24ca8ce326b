/**
 * Typed Azure Firewall rules from the model: classic rule collections of an
 * `Microsoft.Network/azureFirewalls` resource, or the rule collection groups of its Firewall
 * Policy (and of the policy's base policy). Every property is its value or why it is unknown,
 * with where it is written when the reader kept it. Pure: nothing here throws.
 */
import { addressEntry, reasonOf } from '../arm/arm-resource-model';
import { originOf } from '../bicep/bicep-evaluator';
import { isUnknown, type Maybe, unknown } from '../maybe';
import type { FirewallModel, RuleCollectionModel, SourceSpan, WorkspaceModel } from '../model/workspace-model';
import type { AddressEntry } from '../nsg';
import { isPlainObject, type Value } from '../template/value';
import { armRuleSpans } from './json-spans';

export type FirewallAction = 'Allow' | 'Deny';

/** Sources of a rule: addresses and IP groups (whose members are not in the rule). */
export interface RuleSources {
  readonly addresses: Maybe<readonly AddressEntry[]>;
  /** IP group ids as written; their addresses are in other resources. */
  readonly ipGroups: Maybe<readonly string[]>;
}

interface RuleBase {
  readonly name: string;
  /** Position in its collection's `rules`. */
  readonly index: number;
  readonly span?: SourceSpan;
  readonly sources: RuleSources;
}

export interface NetworkRule extends RuleBase {
  readonly kind: 'network';
  /** `TCP`, `UDP`, `ICMP`, `Any` as written. */
  readonly protocols: Maybe<readonly Maybe<string>[]>;
  readonly destinationAddresses: Maybe<readonly AddressEntry[]>;
  readonly destinationFqdns: Maybe<readonly Maybe<string>[]>;
  readonly destinationIpGroups: Maybe<readonly string[]>;
  readonly destinationPorts: Maybe<readonly Maybe<string>[]>;
}

export interface AppProtocol {
  readonly type: Maybe<string>;
  readonly port: Maybe<number>;
}

export interface ApplicationRule extends RuleBase {
  readonly kind: 'application';
  readonly protocols: Maybe<readonly AppProtocol[]>;
  readonly targetFqdns: Maybe<readonly Maybe<string>[]>;
  readonly fqdnTags: Maybe<readonly Maybe<string>[]>;
  readonly targetUrls: Maybe<readonly Maybe<string>[]>;
  readonly webCategories: Maybe<readonly Maybe<string>[]>;
}

/** A rule nothing is read of (not an object, an unknown rule type, a NAT rule). */
export interface OtherRule extends RuleBase {
  readonly kind: 'nat' | 'unknown';
  readonly reason: string;
}

export type FirewallRule = NetworkRule | ApplicationRule | OtherRule;

export interface FirewallCollection {
  readonly name: string;
  /** What the collection holds: classic collections say; policy collections by their rules. */
  readonly kind: 'network' | 'application' | 'nat' | 'mixed' | 'unknown';
  readonly action: Maybe<FirewallAction | 'Dnat'>;
  readonly priority: Maybe<number>;
  /** Policy collections: the group and its priority. */
  readonly group?: { readonly name: string; readonly priority: Maybe<number>; readonly span?: SourceSpan };
  /** The policy the collection is in (classic collections: none). */
  readonly policy?: string;
  /** 0 for the firewall's own policy, 1 for its base policy, and so on (inherited groups come first). */
  readonly depth: number;
  readonly span?: SourceSpan;
  /** The model's collection, for fixes. */
  readonly model: RuleCollectionModel;
  /** The firewall or policy element holding it. */
  readonly owner: FirewallModel;
  readonly rules: readonly FirewallRule[];
}

/** A firewall with the rules it enforces. */
export interface FirewallRules {
  readonly firewall: FirewallModel;
  /** The policy that holds its rules, when it uses one. */
  readonly policy?: FirewallModel;
  readonly collections: readonly FirewallCollection[];
  /** DNS proxy, needed for FQDNs in network rules; unknown when the templates do not enable it. */
  readonly dnsProxy: Maybe<boolean>;
  /** Why the rules are not (all) known: an unresolved policy, a base policy not declared, ... */
  readonly unknownBecause: readonly string[];
}

function getCi(v: unknown, key: string): Value | undefined {
  if (!isPlainObject((v ?? null) as Value)) return undefined;
  const rec = v as Record<string, Value>;
  if (key in rec) return rec[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

function spanOfObject(v: unknown): SourceSpan | undefined {
  if (!isPlainObject((v ?? null) as Value)) return undefined;
  return originOf(v as Value)?.span;
}

function stringOf(v: Value | undefined, what: string): Maybe<string> {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return unknown(reasonOf(v, what));
}

/** An optional list: absent is empty; a list of entries each known or not; anything else unknown. */
function list<T>(v: Value | undefined, what: string, each: (e: Value | undefined) => T): Maybe<readonly T[]> {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return unknown(reasonOf(v, what, 'a list'));
  return (v as readonly Value[]).map(each);
}

function idList(v: Value | undefined, what: string): Maybe<readonly string[]> {
  const l = list(v, what, (e) => stringOf(e, what));
  if (isUnknown(l)) return l;
  const bad = l.find(isUnknown);
  return bad ?? (l as string[]);
}

function sources(rule: unknown): RuleSources {
  return {
    addresses: list(getCi(rule, 'sourceAddresses'), 'sourceAddresses', addressEntry),
    ipGroups: idList(getCi(rule, 'sourceIpGroups'), 'sourceIpGroups'),
  };
}

function readRule(raw: Value | undefined, index: number, classicKind: 'network' | 'application' | 'nat' | undefined): FirewallRule {
  const span = spanOfObject(raw);
  const nameV = getCi(raw, 'name');
  const name = typeof nameV === 'string' ? nameV : `rules[${index}]`;
  if (!isPlainObject((raw ?? null) as Value)) {
    return { kind: 'unknown', name, index, span, sources: { addresses: [], ipGroups: [] }, reason: reasonOf(raw, `rule ${index + 1}`, 'an object') };
  }
  const typeV = getCi(raw, 'ruleType');
  let kind: 'network' | 'application' | 'nat' | undefined = classicKind;
  if (kind === undefined) {
    const t = typeof typeV === 'string' ? typeV.toLowerCase() : undefined;
    kind = t === 'networkrule' ? 'network' : t === 'applicationrule' ? 'application' : t === 'natrule' ? 'nat' : undefined;
  }
  const base = { name, index, span, sources: sources(raw) };
  if (kind === undefined) return { kind: 'unknown', ...base, reason: reasonOf(typeV, 'the rule type', 'NetworkRule or ApplicationRule') };
  if (kind === 'nat') return { kind: 'nat', ...base, reason: 'a NAT rule (inbound)' };
  const strings = (key: string) => list(getCi(raw, key), key, (e) => stringOf(e, key));
  if (kind === 'network') {
    // Classic rules write `protocols`, policy rules `ipProtocols`.
    const protocols = getCi(raw, 'ipProtocols') !== undefined ? strings('ipProtocols') : strings('protocols');
    return {
      kind: 'network', ...base,
      protocols,
      destinationAddresses: list(getCi(raw, 'destinationAddresses'), 'destinationAddresses', addressEntry),
      destinationFqdns: strings('destinationFqdns'),
      destinationIpGroups: idList(getCi(raw, 'destinationIpGroups'), 'destinationIpGroups'),
      destinationPorts: strings('destinationPorts'),
    };
  }
  const protocols = list(getCi(raw, 'protocols'), 'protocols', (p): AppProtocol => {
    if (!isPlainObject((p ?? null) as Value)) return { type: unknown(reasonOf(p, 'the protocol', 'an object')), port: unknown(reasonOf(p, 'the protocol', 'an object')) };
    const type = stringOf(getCi(p, 'protocolType'), 'protocolType');
    const portV = getCi(p, 'port');
    let port: Maybe<number>;
    if (typeof portV === 'number') port = portV;
    else if (typeof portV === 'string' && /^\d+$/.test(portV.trim())) port = Number(portV);
    else if (portV === undefined && !isUnknown(type)) port = /^https$/i.test(type) ? 443 : /^http$/i.test(type) ? 80 : /^mssql$/i.test(type) ? 1433 : unknown(`protocol ${type} has no port`);
    else port = unknown(reasonOf(portV, 'the port', 'a port number'));
    return { type, port };
  });
  return {
    kind: 'application', ...base,
    protocols,
    targetFqdns: strings('targetFqdns'),
    fqdnTags: strings('fqdnTags'),
    targetUrls: strings('targetUrls'),
    webCategories: strings('webCategories'),
  };
}

function actionOf(v: Value | undefined): Maybe<FirewallAction | 'Dnat'> {
  const t = getCi(v, 'type');
  if (typeof t === 'string') {
    const l = t.toLowerCase();
    if (l === 'allow') return 'Allow';
    if (l === 'deny') return 'Deny';
    if (l === 'dnat') return 'Dnat';
    return unknown(`the action "${t}" is not Allow or Deny`);
  }
  return unknown(reasonOf(t ?? v, 'the action', 'Allow or Deny'));
}

/** Reads the text of a file the model was read from, by the path its spans carry. */
export type SourceTexts = (file: string) => string | undefined;

/** One collection of the model, typed. */
export function readCollection(c: RuleCollectionModel, owner: FirewallModel, depth: number, texts?: SourceTexts): FirewallCollection {
  const classic = owner.kind === 'firewall';
  const raw = c.raw as Value | undefined;
  const body = classic ? getCi(raw, 'properties') : raw;
  const classicKind = classic ? (c.kind === 'network' || c.kind === 'application' || c.kind === 'nat' ? c.kind : undefined) : undefined;
  const rulesV = getCi(body, 'rules');
  const rules: FirewallRule[] = [];
  if (Array.isArray(rulesV)) {
    // ARM values carry no spans: find the rules again in the file's text.
    const text = c.span && /\.jsonc?$/i.test(c.span.file) ? texts?.(c.span.file) : undefined;
    const spans = text !== undefined && c.span ? armRuleSpans(text, c.span, classic) : [];
    (rulesV as readonly Value[]).forEach((r, i) => {
      const rule = readRule(r, i, classicKind);
      rules.push(rule.span === undefined && spans[i] ? { ...rule, span: spans[i] } : rule);
    });
  }
  else if (rulesV !== undefined && rulesV !== null) {
    rules.push({ kind: 'unknown', name: 'rules', index: 0, span: c.span, sources: { addresses: [], ipGroups: [] }, reason: reasonOf(rulesV, 'the rules', 'a list') });
  }
  let kind: FirewallCollection['kind'];
  if (classicKind) kind = classicKind;
  else if (/natrulecollection/i.test(c.kind)) kind = 'nat';
  else {
    const kinds = new Set(rules.map((r) => r.kind).filter((k) => k !== 'unknown'));
    kind = kinds.size === 1 ? [...kinds][0] as FirewallCollection['kind'] : kinds.size > 1 ? 'mixed' : 'unknown';
  }
  return {
    name: c.name,
    kind,
    action: actionOf(getCi(body, 'action')),
    priority: c.priority.value,
    ...(c.group ? { group: { name: c.group.name, priority: c.group.priority.value, span: c.group.span } } : {}),
    ...(classic ? {} : { policy: owner.name }),
    depth,
    span: c.span,
    model: c,
    owner,
    rules,
  };
}

/** The rules a firewall enforces: its classic collections, or its policy's groups (base policies first). */
export function firewallRules(model: WorkspaceModel, firewall: FirewallModel, texts?: SourceTexts): FirewallRules {
  const unknownBecause: string[] = [];
  const byKey = new Map(model.firewalls.map((f) => [f.key, f]));
  if (firewall.kind === 'firewall-policy' || !firewall.policy) {
    const collections = firewall.ruleCollections.map((c) => readCollection(c, firewall, 0, texts));
    return { firewall, collections, dnsProxy: proxyOf(firewall), unknownBecause };
  }
  const link = firewall.policy;
  const policy = link.target ? byKey.get(link.target) : undefined;
  if (!policy) {
    unknownBecause.push(`the firewall policy ${link.text} of ${firewall.name} is not declared in the files read${link.unresolved ? ` (${link.unresolved})` : ''}`);
    return { firewall, collections: [], dnsProxy: proxyOf(firewall), unknownBecause };
  }
  const collections: FirewallCollection[] = [];
  let current: FirewallModel | undefined = policy;
  const seen = new Set<string>();
  let dnsProxy: Maybe<boolean> | undefined;
  for (let depth = 0; current && !seen.has(current.key); depth++) {
    seen.add(current.key);
    collections.push(...current.ruleCollections.map((c) => readCollection(c, current!, depth, texts)));
    // A child policy's DNS settings are its own; the firewall takes its policy's.
    if (depth === 0) dnsProxy = proxyOf(current);
    const base: FirewallModel['basePolicy'] = current.basePolicy;
    if (!base) break;
    const next: FirewallModel | undefined = base.target ? byKey.get(base.target) : undefined;
    if (!next) unknownBecause.push(`the base policy ${base.text} of ${current.name} is not declared in the files read${base.unresolved ? ` (${base.unresolved})` : ''}: its rules come first and are not known`);
    current = next;
  }
  return { firewall, policy, collections, dnsProxy: dnsProxy ?? unknown('DNS proxy is not enabled in the templates'), unknownBecause };
}

function proxyOf(f: FirewallModel): Maybe<boolean> {
  if (!f.dnsProxy) return unknown(`DNS proxy is not enabled on ${f.name} in the templates`);
  return f.dnsProxy.value;
}
