import type { Maybe } from './maybe';
import type { Region } from './region';

export type Direction = 'Inbound' | 'Outbound';
export type Access = 'Allow' | 'Deny';
/** The protocols an NSG rule may name; `*` is any. */
export type RuleProtocol = 'Tcp' | 'Udp' | 'Icmp' | 'Esp' | 'Ah' | '*';

/** A service tag whose region is an expression, e.g. `'Storage.${location}'` in Bicep. */
export interface SymbolicTagEntry {
  readonly tag: string;
  readonly region: Region;
  /** How the template wrote it, for messages. */
  readonly text: string;
}

/** An application security group named by a rule; membership is not known statically. */
export interface AsgEntry {
  readonly asg: string;
}

/** One entry of a rule's source or destination: a prefix, a tag, `*`, an ASG, or an unknown value. */
export type AddressEntry = Maybe<string> | SymbolicTagEntry | AsgEntry;

/**
 * One security rule, as read from a template or from Azure. Singular and plural properties
 * (`sourceAddressPrefix` / `sourceAddressPrefixes`, ...) are merged into the lists here.
 */
export interface SecurityRule {
  readonly name: string;
  readonly priority: Maybe<number>;
  readonly direction: Maybe<string>;
  readonly access: Maybe<string>;
  readonly protocol: Maybe<string>;
  readonly sourceAddresses: Maybe<readonly AddressEntry[]>;
  readonly sourcePorts: Maybe<readonly Maybe<string>[]>;
  readonly destinationAddresses: Maybe<readonly AddressEntry[]>;
  readonly destinationPorts: Maybe<readonly Maybe<string>[]>;
  /** Opaque to the engine: readers put the file and range here, and verdicts hand it back. */
  readonly origin?: unknown;
}

/** A network security group: its user rules (the six default rules are implied). */
export interface Nsg {
  readonly name: string;
  readonly location?: Maybe<Region>;
  readonly rules: readonly SecurityRule[];
  readonly origin?: unknown;
}

/**
 * The NSGs traffic of a compute node crosses: the subnet's and the NIC's. Inbound traffic meets
 * the subnet NSG first, outbound the NIC NSG first; it passes only if every NSG present allows it.
 */
export interface NsgChain {
  readonly subnet?: Nsg;
  readonly nic?: Nsg;
}
