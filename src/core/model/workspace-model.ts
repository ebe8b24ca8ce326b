import type { Maybe } from '../maybe';
import type { Nsg, SecurityRule } from '../nsg';
import type { Region } from '../region';
import type { RuleProperty } from '../validate-rules';

/** A span of source text: UTF-16 offsets into a file (file is a path or URI, as the reader was given it). */
export interface SourceSpan {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A property as read: its value (or why it is unknown) and where it is written. */
export interface Read<T> {
  readonly value: Maybe<T>;
  readonly span?: SourceSpan;
}

/** A reference from one element to another (subnet → NSG, compute → subnet), resolved or not. */
export interface Link {
  /** The `key` of the element it resolves to. */
  readonly target?: string;
  /**
   * What it points at by resource type and name, when the reader could not resolve it to a key
   * itself (a `resourceId(...)` or an id string); the linker resolves these across files.
   */
  readonly ref?: { readonly type: string; readonly name: string; readonly parent?: string };
  /** How the template wrote it, for messages. */
  readonly text: string;
  /** Why it could not be resolved (a registry module, an existing resource in another deployment, ...). */
  readonly unresolved?: string;
  readonly span?: SourceSpan;
}

interface Element {
  /**
   * Stable within one model: the file and the resource path, or the Azure resource id. Where
   * several entry templates read the same file (a shared module), each one's elements from it
   * have the entry's path in front: `dev.bicep>modules/net.bicep#net/nsg`.
   */
  readonly key: string;
  /**
   * The entry template (as the reader was given it) this element was read for, when the model
   * holds several: each entry is a deployment of its own, with its own instances of the modules
   * it calls. Absent when the model is one deployment (one entry, a live subscription).
   */
  readonly deployment?: string;
  readonly name: string;
  /** The whole declaration, for reveal and for diagnostics that have nowhere better to go. */
  readonly span?: SourceSpan;
  /** Where the element's name is written (diagnostics on an NSG go here when nothing better exists). */
  readonly nameSpan?: SourceSpan;
}

export interface VnetModel extends Element {
  readonly kind: 'vnet';
  readonly addressPrefixes: Read<readonly string[]>;
  /** Keys of its subnets. */
  readonly subnets: readonly string[];
}

export interface SubnetModel extends Element {
  readonly kind: 'subnet';
  readonly vnet?: string;
  readonly addressPrefixes: Read<readonly string[]>;
  readonly nsg?: Link;
  readonly routeTable?: Link;
  readonly delegations: readonly string[];
}

/** Where a rule is written and in which style, so fixes can insert beside it. */
export interface RuleOrigin {
  readonly span: SourceSpan;
  readonly style: 'inline' | 'child';
  /**
   * Where each property is written. May be a getter that makes the spans when first read (the ARM
   * reader's origins; their `toJSON` is the plain object): read it, do not copy the origin by spread.
   */
  readonly properties: Partial<Record<RuleProperty, SourceSpan>>;
}

export interface RuleModel extends SecurityRule {
  readonly origin?: RuleOrigin;
}

export interface NsgModel extends Element, Nsg {
  readonly kind: 'nsg';
  readonly rules: readonly RuleModel[];
  /** How the NSG's rules are written: inline `securityRules`, child resources, or none yet. */
  readonly ruleStyle: 'inline' | 'child' | 'none';
  /** The `securityRules` key, where diagnostics on the NSG go when it has one. */
  readonly securityRulesSpan?: SourceSpan;
  /** Marked in scope by a source comment (`// amlnet-check`) or a setting. */
  readonly marked?: boolean;
}

export interface NicModel extends Element {
  readonly kind: 'nic';
  readonly nsg?: Link;
  readonly subnets: readonly Link[];
}

export interface RouteModel {
  readonly name: string;
  readonly addressPrefix: Read<string>;
  readonly nextHopType: Read<string>;
  readonly nextHopIpAddress?: Read<string>;
  readonly span?: SourceSpan;
}

export interface RouteTableModel extends Element {
  readonly kind: 'route-table';
  readonly routes: readonly RouteModel[];
}

export interface AmlWorkspaceModel extends Element {
  readonly kind: 'aml-workspace';
  readonly hbi: Read<boolean>;
  readonly location: Read<Region>;
}

export interface AmlComputeModel extends Element {
  readonly kind: 'aml-compute';
  readonly computeType: Read<string>;
  readonly workspace?: Link;
  readonly subnet?: Link;
  /** Whether nodes get a public IP (`enableNodePublicIp`; false means "No Public IP"). */
  readonly publicIp: Read<boolean>;
}

/** The rule collection group a Firewall Policy's rule collection is in (a `ruleCollectionGroups` child resource). */
export interface RuleCollectionGroupModel {
  readonly name: string;
  readonly priority: Read<number>;
  /** The group resource's declaration. */
  readonly span?: SourceSpan;
}

/** One rule collection as written: its rules are read by src/core/firewall from `raw`. */
export interface RuleCollectionModel {
  readonly name: string;
  readonly priority: Read<number>;
  /** Classic: `network`, `application` or `nat`; policy: the `ruleCollectionType`. */
  readonly kind: string;
  readonly span?: SourceSpan;
  /** The collection object as evaluated (classic: `{ name, properties }`; policy: the collection itself). */
  readonly raw: unknown;
  /** Policy collections: the rule collection group holding it. */
  readonly group?: RuleCollectionGroupModel;
}

/** Azure Firewalls and Firewall Policies; src/core/firewall reads their rules from the collections. */
export interface FirewallModel extends Element {
  readonly kind: 'firewall' | 'firewall-policy';
  readonly privateIp?: Read<string>;
  readonly policy?: Link;
  /** A policy's `basePolicy` (the parent whose rule collection groups come first). */
  readonly basePolicy?: Link;
  /**
   * DNS proxy (policy `dnsSettings.enableProxy`; classic `additionalProperties`
   * `Network.DNS.EnableProxy`), absent when the template does not set it.
   */
  readonly dnsProxy?: Read<boolean>;
  readonly ruleCollections: readonly RuleCollectionModel[];
}

export type ModelElement = VnetModel | SubnetModel | NsgModel | NicModel | RouteTableModel | AmlWorkspaceModel | AmlComputeModel | FirewallModel;

/** A problem reading a file (syntax error, unreadable, a module not followed). */
export interface ReadProblem {
  readonly file: string;
  readonly span?: SourceSpan;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** What a workspace (or a live subscription) declares, linked across files. */
export interface WorkspaceModel {
  readonly vnets: readonly VnetModel[];
  readonly subnets: readonly SubnetModel[];
  readonly nsgs: readonly NsgModel[];
  readonly nics: readonly NicModel[];
  readonly routeTables: readonly RouteTableModel[];
  readonly workspaces: readonly AmlWorkspaceModel[];
  readonly computes: readonly AmlComputeModel[];
  readonly firewalls: readonly FirewallModel[];
  readonly problems: readonly ReadProblem[];
}
