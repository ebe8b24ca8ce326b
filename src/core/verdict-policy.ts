import type { VerdictKind } from './verdict';

/** How verdicts count: strict mode counts only explicit allows. */
export interface VerdictPolicy {
  readonly strict: boolean;
}

/**
 * Whether a verdict means the requirement is not met. Blocked and partial always fail;
 * allowed-by-default fails in strict mode (for teams whose policy puts a deny-all in front of
 * the default rules). Unknown is reported, never failed: a false alarm costs more than a miss.
 */
export function isFailure(verdict: VerdictKind, policy: VerdictPolicy): boolean {
  if (verdict === 'blocked' || verdict === 'partial') return true;
  return policy.strict && verdict === 'allowed-by-default';
}

/** Whether a verdict means the requirement is met under the policy. */
export function isMet(verdict: VerdictKind, policy: VerdictPolicy): boolean {
  return verdict === 'allowed' || verdict === 'not-applicable' || (!policy.strict && verdict === 'allowed-by-default');
}
