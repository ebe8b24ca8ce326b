/**
 * The fix guarantees for firewall fixes: read → check → fix-all (firewalls) → apply → re-read,
 * over in-memory texts, with every broken guarantee reported in words.
 */
import type { CheckResult, CheckSettings } from '../../../src/core/check/check-model';
import { fixAllFirewalls, needsFirewallFix, type FirewallFix } from '../../../src/core/fix/fix-firewall';
import { applyEdits } from '../../../src/core/fix/text-edit';
import { isUnknown } from '../../../src/core/maybe';
import type { WorkspaceModel } from '../../../src/core/model/workspace-model';
import { checkFiles } from '../firewall/firewall-harness';

export interface FirewallGuaranteeReport {
  readonly failures: string[];
  readonly fixed: number;
  readonly rulesAdded: number;
  readonly skipped: number;
  readonly fix: FirewallFix;
  readonly after: Map<string, string>;
}

function errors(model: WorkspaceModel): string[] {
  return model.problems.filter((p) => p.severity === 'error').map((p) => `${p.file}: ${p.message}`).sort();
}

/** Collection priorities that clash: classic collections of one firewall, or collections of one rule collection group. */
export function priorityClashes(result: CheckResult): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of result.firewalls ?? []) {
    const rules = c.rules;
    if (!rules || seen.has(rules.firewall.key)) continue;
    seen.add(rules.firewall.key);
    const byContainer = new Map<string, Map<number, string>>();
    for (const col of rules.collections) {
      if (isUnknown(col.priority)) continue;
      const container = col.group ? `${col.owner.name}/${col.group.name}` : col.owner.name;
      const m = byContainer.get(container) ?? new Map<number, string>();
      byContainer.set(container, m);
      const other = m.get(col.priority);
      if (other !== undefined) out.push(`${container}: ${col.name} shares priority ${col.priority} with ${other}`);
      else m.set(col.priority, col.name);
    }
  }
  return out;
}

/** Checks the five guarantees for the firewall fixes of one workspace (`texts` may hold mutated files). */
export function checkFirewallGuarantees(entry: string, settings: CheckSettings, texts: Map<string, string> = new Map()): FirewallGuaranteeReport {
  const failures: string[] = [];
  const before = checkFiles([entry], settings, new Map(texts));
  const clashesBefore = priorityClashes(before.result);
  const fix = fixAllFirewalls(before.result.firewalls ?? [], before.texts, { includeOutOfScope: true });
  const after = new Map(before.texts);
  const byFile = new Map<string, typeof fix.edits>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    const text = before.texts.get(file)!;
    try {
      after.set(file, applyEdits(text, edits));
    } catch (e) {
      failures.push(`${file}: edits do not apply: ${(e as Error).message}`);
      return { failures, fixed: 0, rulesAdded: 0, skipped: 0, fix, after };
    }
    // (2) bytes outside the insertions are unchanged: removing them gives the original text back.
    const result = after.get(file)!;
    let restored = '';
    let from = 0;
    let shift = 0;
    for (const e of [...edits].sort((a, b) => a.start - b.start)) {
      if (e.start !== e.end) failures.push(`${file}: an edit replaces text`);
      const at = e.start + shift;
      if (result.slice(at, at + e.newText.length) !== e.newText) failures.push(`${file}: inserted text not found at ${e.start}`);
      restored += result.slice(from, at);
      from = at + e.newText.length;
      shift += e.newText.length;
    }
    restored += result.slice(from);
    if (restored !== text) failures.push(`${file}: bytes outside the insertions changed`);
  }
  // (1) no new reader errors.
  const re = checkFiles([entry], settings, new Map(after));
  const newErrors = errors(re.model).filter((l) => !errors(before.model).includes(l));
  if (newErrors.length) failures.push(`new errors: ${newErrors.join(' | ')}\n${[...byFile.keys()].map((f) => after.get(f)).join('\n----\n')}`);
  // (3) collection priorities stay unique.
  const clashes = priorityClashes(re.result).filter((c) => !clashesBefore.includes(c));
  if (clashes.length) failures.push(`priorities clash: ${clashes.join('; ')}`);
  // (5) every fixed requirement is allowed.
  let fixed = 0;
  for (const c of before.result.firewalls ?? []) {
    const again = (re.result.firewalls ?? []).find((x) => x.subnet.key === c.subnet.key);
    for (const v of c.verdicts) {
      if (!needsFirewallFix(v) || fix.skipped.some((s) => s.subnet === c.subnet.name && s.requirementId === v.id)) continue;
      fixed++;
      const w = again?.verdicts.find((x) => x.id === v.id);
      if (w?.verdict !== 'allowed') failures.push(`${c.subnet.name}: ${v.id} was ${v.verdict}, after the fix ${w?.verdict ?? 'not reported'}${w ? ` (${w.explanation})` : ''}`);
    }
  }
  // (4) a second fix-all is a no-op.
  const second = fixAllFirewalls(re.result.firewalls ?? [], re.texts, { includeOutOfScope: true });
  if (second.edits.length) failures.push(`a second fix-all still edits: ${second.rules.map((r) => `${r.collection}/${r.rule}`).join(', ')}`);
  return { failures, fixed, rulesAdded: fix.rules.length, skipped: fix.skipped.length, fix, after };
}
