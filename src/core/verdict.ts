import type { Direction } from './nsg';
import type { RequirementSpec } from './requirement';

export type VerdictKind = 'allowed' | 'allowed-by-default' | 'blocked' | 'partial' | 'unknown' | 'not-applicable';

/** A rule that decided some traffic: a user rule, or one of the six default rules. */
export interface RuleRef {
  readonly nsg: string;
  readonly name: string;
  readonly priority?: number;
  readonly access?: 'Allow' | 'Deny';
  readonly isDefault: boolean;
  /** The rule's `origin` as the reader gave it (file and range). */
  readonly origin?: unknown;
}

/** The outcome for one protocol, one run of ports and one remote tag. */
export interface PortOutcome {
  readonly protocol: 'Tcp' | 'Udp';
  /** e.g. "443" or "29876-29877". */
  readonly ports: string;
  /** The far-side tag as evaluated, e.g. "Storage.westeurope". */
  readonly remote: string;
  readonly outcome: 'allowed' | 'allowed-by-default' | 'blocked' | 'unknown';
  readonly decidedBy: readonly RuleRef[];
  /** Why, in words (e.g. "rule X allows only source ports 1000-2000; the rest is denied by DenyAllOutBound"). */
  readonly detail: string;
}

/** A requirement's verdict with its explanation. */
export interface RequirementVerdict {
  readonly id: string;
  readonly direction: Direction;
  readonly verdict: VerdictKind;
  /** One sentence a user can act on. */
  readonly explanation: string;
  readonly breakdown: readonly PortOutcome[];
  /** Every rule that decided some of the traffic, in priority order. */
  readonly decidedBy: readonly RuleRef[];
  /** For `unknown`: the values that decide it and could not be known. */
  readonly unknownBecause?: readonly string[];
  readonly spec: RequirementSpec;
}
