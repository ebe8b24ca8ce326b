import type { Direction } from './nsg';

/** Azure clouds the catalog distinguishes. */
export type Cloud = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';
export const CLOUDS: readonly Cloud[] = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'];

/** Package sources whose hosts a compute may need (host-name rows). */
export type PackageSource = 'conda' | 'pip' | 'pip-custom-index' | 'cran' | 'pytorch' | 'tensorflow';
export const PACKAGE_SOURCES: readonly PackageSource[] = ['conda', 'pip', 'pip-custom-index', 'cran', 'pytorch', 'tensorflow'];

/** The options that select which requirements apply. */
export interface CatalogOptions {
  /** Compute nodes have a public IP (the "No Public IP" option is off). */
  readonly publicIp: boolean;
  /** The workspace was created with the hbi_workspace flag. */
  readonly hbi: boolean;
  readonly cloud: Cloud;
  /** The workspace region (fills `.region` tags and `<region>` hosts); undefined when not known. */
  readonly region?: string;
  /** A firewall sits between the VNet and the private endpoints of the storage accounts (needs TCP 445). */
  readonly storageFirewall: boolean;
  /** Azure Kubernetes Service is used with the workspace. */
  readonly aks: boolean;
  /** VS Code (desktop) connects to compute instances. */
  readonly vscode: boolean;
  /** RStudio runs on compute instances (2025-02 edition). */
  readonly rstudio: boolean;
  /** Private endpoints exist in this VNet or a peered one (2025-02 edition). */
  readonly privateEndpoints: boolean;
  /** Azure Monitor is secured behind private link (2025-02 edition). */
  readonly monitorPrivateLink: boolean;
  /** Package sources in use (host-name rows). */
  readonly packages: readonly PackageSource[];
}

export type BooleanOption = 'publicIp' | 'hbi' | 'storageFirewall' | 'aks' | 'vscode' | 'rstudio' | 'privateEndpoints' | 'monitorPrivateLink';

/** One condition on the options; a requirement applies when all of its conditions hold. */
export type Condition =
  | { readonly option: BooleanOption; readonly is: boolean }
  | { readonly option: 'cloud'; readonly in?: readonly Cloud[]; readonly notIn?: readonly Cloud[] }
  | { readonly option: 'packages'; readonly includes: PackageSource };

/** The far side of a service-tag requirement: a service tag, `VirtualNetwork`, `AzureLoadBalancer` or `*`. */
export interface RemoteSpec {
  /** The real Azure tag name (e.g. `AzureKeyVault`). */
  readonly tag: string;
  /** The tag takes the workspace region as a suffix (`Storage.<region>`). */
  readonly regional?: boolean;
  /** How the docs write it when that differs (e.g. `Keyvault.region`). */
  readonly docName?: string;
}

/** Ports added to a requirement under a condition (e.g. 445 to storage behind a firewall). */
export interface ConditionalPorts {
  readonly ports: readonly string[];
  readonly when: readonly Condition[];
  readonly note: string;
}

interface RequirementSpecBase {
  /** Stable id: the diagnostic code users suppress by. Never changes. */
  readonly id: string;
  readonly purpose: string;
  readonly notes?: readonly string[];
  /** Applies only when all hold. */
  readonly when?: readonly Condition[];
  readonly docs: string;
  /** Where in the source document this row comes from. */
  readonly source: string;
}

/** A requirement on NSGs: traffic between the compute subnet and a service tag. */
export interface TagRequirementSpec extends RequirementSpecBase {
  readonly kind: 'service-tag';
  readonly direction: Direction;
  /** `*` means any protocol; for ports that is TCP and UDP. */
  readonly protocol: 'Tcp' | 'Udp' | '*';
  /** Port numbers or ranges, e.g. "443", "29876-29877". */
  readonly ports: readonly string[];
  readonly conditionalPorts?: readonly ConditionalPorts[];
  /** Each remote is needed (a requirement may depend on a second tag). */
  readonly remote: readonly RemoteSpec[];
}

/** A requirement on firewalls: outbound access to a host name. */
export interface HostRequirementSpec extends RequirementSpecBase {
  readonly kind: 'host';
  /** Host name, possibly with a leading wildcard or a `<region>` placeholder; may carry a URL path. */
  readonly host: string;
  readonly protocol: 'Http' | 'Https' | 'Tcp' | 'Udp';
  readonly ports: readonly string[];
}

export type RequirementSpec = TagRequirementSpec | HostRequirementSpec;

/** A named set of requirements as Microsoft published them at one time. */
export interface Edition {
  readonly name: string;
  readonly title: string;
  /** What changed, or where it comes from. */
  readonly description: string;
  readonly docs: string;
  /** Notes of the source that belong to no single row (e.g. the 2022-09 TIP on IP addresses). */
  readonly notes?: readonly string[];
  /** For a user edition (`.amlnet.json`): the edition it was derived from. */
  readonly extends?: string;
  readonly requirements: readonly RequirementSpec[];
}

/** A service-tag requirement with the options applied (conditional ports folded in). */
export interface ResolvedTagRequirement {
  readonly kind: 'service-tag';
  readonly id: string;
  readonly direction: Direction;
  readonly protocol: 'Tcp' | 'Udp' | '*';
  readonly ports: readonly string[];
  readonly remote: readonly RemoteSpec[];
  readonly spec: TagRequirementSpec;
}

/** A host requirement with the options applied (`<region>` filled when the region is known). */
export interface ResolvedHostRequirement {
  readonly kind: 'host';
  readonly id: string;
  readonly host: string;
  readonly protocol: HostRequirementSpec['protocol'];
  readonly ports: readonly string[];
  readonly spec: HostRequirementSpec;
}

export type ResolvedRequirement = ResolvedTagRequirement | ResolvedHostRequirement;

/** A requirement the options rule out, and which option does. */
export interface NotApplicable {
  readonly spec: RequirementSpec;
  readonly because: string;
}

/** The requirements of one edition for one set of options. */
export interface Selection {
  readonly edition: Edition;
  readonly options: CatalogOptions;
  readonly applicable: readonly ResolvedRequirement[];
  readonly notApplicable: readonly NotApplicable[];
}
