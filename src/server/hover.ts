// Hover on a security rule: which Azure ML requirements it meets, partly meets or blocks.

import type { NsgCheck } from '../core/check/check-model';
import type { RuleModel } from '../core/model/workspace-model';
import type { PortOutcome, RequirementVerdict, RuleRef } from '../core/verdict';
import { ruleOrigin } from './diagnostics';

/** The rule of `file` whose span holds `offset` (the innermost), with the NSG checks that hold it. */
export function ruleAt(checks: readonly NsgCheck[], file: string, offset: number): { rule: RuleModel; checks: NsgCheck[] } | undefined {
  let best: RuleModel | undefined;
  const holders: NsgCheck[] = [];
  for (const c of checks) {
    for (const r of c.nsg.rules) {
      const span = r.origin?.span;
      if (!span || span.file !== file || offset < span.start || offset > span.end) continue;
      const size = span.end - span.start;
      if (!best || size < best.origin!.span.end - best.origin!.span.start) {
        best = r;
        holders.length = 0;
      }
      if (best.origin!.span.start === span.start && best.origin!.span.end === span.end && !holders.includes(c)) holders.push(c);
    }
  }
  return best ? { rule: best, checks: holders } : undefined;
}

function sameRule(ref: RuleRef, rule: RuleModel): boolean {
  const o = ruleOrigin(ref.origin);
  const r = rule.origin?.span;
  return !ref.isDefault && !!o && !!r && o.span.file === r.file && o.span.start === r.start && o.span.end === r.end;
}

function rowText(v: RequirementVerdict, row: PortOutcome): string {
  return `${row.protocol.toUpperCase()} ${row.ports} ${v.direction === 'Inbound' ? 'from' : 'to'} ${row.remote}`;
}

/** What the rule does for each requirement of one NSG: meets, partly meets, or blocks. */
export function ruleEffects(check: NsgCheck, rule: RuleModel): { id: string; effect: 'meets' | 'partly meets' | 'blocks'; rows: string[] }[] {
  const out: { id: string; effect: 'meets' | 'partly meets' | 'blocks'; rows: string[] }[] = [];
  for (const v of check.verdicts) {
    const rows = v.breakdown.filter((b) => b.decidedBy.some((ref) => sameRule(ref, rule)));
    if (rows.length === 0) continue;
    const blocked = rows.filter((b) => b.outcome === 'blocked');
    if (blocked.length) {
      out.push({ id: v.id, effect: 'blocks', rows: blocked.map((b) => rowText(v, b)) });
      continue;
    }
    const allowed = rows.filter((b) => b.outcome === 'allowed' || b.outcome === 'allowed-by-default');
    if (!allowed.length) continue;
    out.push({ id: v.id, effect: allowed.length === v.breakdown.length ? 'meets' : 'partly meets', rows: allowed.map((b) => rowText(v, b)) });
  }
  return out;
}

/** The hover's Markdown for a rule. */
export function ruleHover(rule: RuleModel, checks: readonly NsgCheck[]): string {
  const lines = [`**Azure ML: rule ${rule.name}**`, ''];
  for (const c of checks) {
    const effects = ruleEffects(c, rule);
    if (checks.length > 1) lines.push(`In NSG ${c.nsg.name}${c.inScope ? '' : ' (not in scope)'}:`, '');
    if (effects.length === 0) {
      lines.push(`Decides no Azure ML requirement${checks.length > 1 ? '' : ` of ${c.nsg.name}`}.`, '');
      continue;
    }
    for (const e of effects) {
      const suppressed = c.suppressed?.requirements.has(e.id) ? ' (suppressed)' : '';
      lines.push(`- ${e.effect === 'blocks' ? '**blocks**' : e.effect} \`${e.id}\`${suppressed}: ${e.rows.join('; ')}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
