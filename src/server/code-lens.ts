// A CodeLens on each NSG in scope: how many of its requirements are met, counted as the report
// counts verdicts (not-applicable ones left out; strict mode counts allowed-by-default as not met).
// And on each Azure Firewall (and its Firewall Policy) that a subnet in scope routes through: one
// lens per such subnet, with how many of the requirements the firewall decides it lets through.

import type { CodeLens } from 'vscode-languageserver';
import type { NsgCheck } from '../core/check/check-model';
import type { SubnetFirewallCheck } from '../core/firewall/check-firewalls';
import type { SourceSpan } from '../core/model/workspace-model';
import { isMet } from '../core/verdict-policy';
import type { Positions } from './positions';
import type { NsgRef } from './protocol';

/** The command the client registers to show an NSG in its tree; its argument is an NsgRef. */
export const SHOW_NSG_COMMAND = 'amlnet.showNsgInTree';

/** The command the client registers to open a place in a file; its argument is `{ uri, line }` (1-based). */
export const REVEAL_LOCATION_COMMAND = 'amlnet.revealLocation';

/** "Azure ML: 9 of 11 requirements met (1 blocked, 1 partial)". */
export function lensTitle(check: NsgCheck, strict: boolean): string {
  const applicable = check.verdicts.filter((v) => v.verdict !== 'not-applicable');
  const met = applicable.filter((v) => isMet(v.verdict, { strict })).length;
  const count = (k: string) => applicable.filter((v) => v.verdict === k).length;
  const parts = [
    [count('blocked'), 'blocked'],
    [count('partial'), 'partial'],
    [count('unknown'), 'unknown'],
    [strict ? count('allowed-by-default') : 0, 'allowed only by default'],
    [check.suppressed?.requirements.size ?? 0, 'suppressed'],
  ].filter(([n]) => (n as number) > 0).map(([n, w]) => `${n} ${w}`);
  return `Azure ML: ${met} of ${applicable.length} requirement${applicable.length === 1 ? '' : 's'} met${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The lenses of the NSGs in scope declared in `file`. */
export function codeLenses(checks: readonly NsgCheck[], file: string, strict: boolean, positions: Positions, uriOf: (file: string) => string): CodeLens[] {
  const out: CodeLens[] = [];
  for (const c of checks) {
    const span = c.nsg.nameSpan ?? c.nsg.span;
    if (!c.inScope || !span || span.file !== file) continue;
    const range = positions.range(span);
    const ref: NsgRef = { uri: uriOf(file), name: c.nsg.name, line: range.start.line + 1 };
    out.push({ range: { start: range.start, end: range.start }, command: { title: lensTitle(c, strict), command: SHOW_NSG_COMMAND, arguments: [ref] } });
  }
  return out;
}

/** "Azure ML, subnet snet-training: 7 of 9 requirements met (1 blocked, 1 no rule)". */
export function firewallLensTitle(check: SubnetFirewallCheck): string {
  const applicable = check.verdicts.filter((v) => v.verdict !== 'not-applicable');
  const met = applicable.filter((v) => v.verdict === 'allowed').length;
  const missing = applicable.filter((v) => v.verdict === 'blocked' && v.missing).length;
  const count = (k: string) => applicable.filter((v) => v.verdict === k).length;
  const parts = [
    [count('blocked') - missing, 'blocked'],
    [missing, 'no rule'],
    [count('partial'), 'partial'],
    [count('unknown'), 'unknown'],
    [check.suppressed?.requirements.size ?? 0, 'suppressed'],
  ].filter(([n]) => (n as number) > 0).map(([n, w]) => `${n} ${w}`);
  const subnet = check.vnet ? `${check.vnet.name}/${check.subnet.name}` : check.subnet.name;
  return `Azure ML, subnet ${subnet}: ${met} of ${applicable.length} requirement${applicable.length === 1 ? '' : 's'} met${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * The lenses on the firewalls and Firewall Policies declared in `file`: one per subnet in scope whose
 * default route reaches the firewall; a click opens that subnet.
 */
export function firewallCodeLenses(checks: readonly SubnetFirewallCheck[], file: string, positions: Positions, uriOf: (file: string) => string): CodeLens[] {
  const out: CodeLens[] = [];
  for (const c of checks) {
    if (!c.inScope || !c.firewall) continue;
    const subnetSpan = c.subnet.nameSpan ?? c.subnet.span;
    const command = { title: firewallLensTitle(c), command: subnetSpan ? REVEAL_LOCATION_COMMAND : '', ...(subnetSpan ? { arguments: [revealArgument(subnetSpan, positions, uriOf)] } : {}) };
    for (const resource of c.policy ? [c.firewall, c.policy] : [c.firewall]) {
      const span = resource.nameSpan ?? resource.span;
      if (!span || span.file !== file) continue;
      const start = positions.range(span).start;
      out.push({ range: { start, end: start }, command });
    }
  }
  return out;
}

function revealArgument(span: SourceSpan, positions: Positions, uriOf: (file: string) => string): { uri: string; line: number } {
  return { uri: uriOf(span.file), line: positions.range(span).start.line + 1 };
}
