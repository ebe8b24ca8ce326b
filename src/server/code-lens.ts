// A CodeLens on each NSG in scope: how many of its requirements are met, counted as the report
// counts verdicts (not-applicable ones left out; strict mode counts allowed-by-default as not met).

import type { CodeLens } from 'vscode-languageserver';
import type { NsgCheck } from '../core/check/check-model';
import { isMet } from '../core/verdict-policy';
import type { Positions } from './positions';
import type { NsgRef } from './protocol';

/** The command the client registers to show an NSG in its tree; its argument is an NsgRef. */
export const SHOW_NSG_COMMAND = 'amlnet.showNsgInTree';

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
