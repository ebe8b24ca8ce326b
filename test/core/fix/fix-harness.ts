/**
 * Runs a workspace (a fixture's entry file, with its modules and linked files) through read →
 * check → fix-all → apply → re-read, over an in-memory overlay of edited files, and reports every
 * broken guarantee of the fixes in words.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { checkModel, type CheckResult, type CheckSettings } from '../../../src/core/check/check-model';
import { fixAllForFile, needsFix, type Fix, type FixOptions } from '../../../src/core/fix/fix-nsg';
import { applyEdits } from '../../../src/core/fix/text-edit';
import { isUnknown } from '../../../src/core/maybe';
import type { WorkspaceModel } from '../../../src/core/model/workspace-model';
import { readWorkspace, type FileHost } from '../../../src/core/read/read-workspace';
import { REPO_ROOT } from '../read/fixture-harness';

export const READERS = [bicepReader, armTemplateReader];

/** Files read from disk (relative to the repository root) unless the overlay holds an edited text. */
export class Overlay implements FileHost {
  readonly texts = new Map<string, string>();
  constructor(base?: Overlay) {
    if (base) for (const [k, v] of base.texts) this.texts.set(k, v);
  }
  readFile(p: string): string | undefined {
    const t = this.texts.get(p);
    if (t !== undefined) return t;
    try {
      const text = fs.readFileSync(path.join(REPO_ROOT, p), 'utf8');
      this.texts.set(p, text);
      return text;
    } catch {
      return undefined;
    }
  }
}

export function readAndCheck(entry: string, host: Overlay, settings: CheckSettings): { model: WorkspaceModel; result: CheckResult } {
  const text = host.readFile(entry);
  if (text === undefined) throw new Error(`cannot read ${entry}`);
  const model = readWorkspace([{ path: entry, text }], host, READERS);
  return { model, result: checkModel(model, settings) };
}

/** Fix-all for every file that declares an NSG; one fix per file. */
export function fixWorkspace(result: CheckResult, host: Overlay, options: FixOptions): Fix[] {
  const files = new Set(result.nsgs.map((n) => n.nsg.span?.file).filter((f): f is string => f !== undefined));
  for (const f of files) host.readFile(f);
  return [...files].sort().map((f) => fixAllForFile(result.nsgs, host.texts, f, options));
}

function errorLines(model: WorkspaceModel): string[] {
  return model.problems.filter((p) => p.severity === 'error').map((p) => `${p.file}: ${p.message}`).sort();
}

export interface GuaranteeReport {
  readonly failures: string[];
  readonly fixedRequirements: number;
  readonly rulesAdded: number;
  readonly skipped: number;
}

/** Checks the five guarantees for one workspace (already in `host`). */
export function checkGuarantees(entry: string, host: Overlay, settings: CheckSettings, options: FixOptions): GuaranteeReport {
  const failures: string[] = [];
  const before = readAndCheck(entry, host, settings);
  const fixes = fixWorkspace(before.result, host, options);
  const after = new Overlay(host);
  const inserted = new Map<string, { at: number; text: string }[]>();
  for (const fix of fixes) {
    const byFile = new Map<string, typeof fix.edits>();
    for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
    for (const [file, edits] of byFile) {
      const text = host.texts.get(file)!;
      try {
        after.texts.set(file, applyEdits(text, edits));
      } catch (e) {
        failures.push(`${file}: edits do not apply: ${(e as Error).message}`);
        return { failures, fixedRequirements: 0, rulesAdded: 0, skipped: 0 };
      }
      for (const e of edits) if (e.start !== e.end) failures.push(`${file}: an edit replaces text [${e.start}, ${e.end})`);
      inserted.set(file, edits.map((e) => ({ at: e.start, text: e.newText })));
    }
  }
  // (2) every byte outside the inserted spans is unchanged: removing the insertions gives the original.
  for (const [file, list] of inserted) {
    const result = after.texts.get(file)!;
    let shift = 0;
    let restored = '';
    let from = 0;
    for (const { at, text } of [...list].sort((a, b) => a.at - b.at)) {
      restored += result.slice(from, at + shift);
      if (result.slice(at + shift, at + shift + text.length) !== text) failures.push(`${file}: inserted text not found at ${at}`);
      from = at + shift + text.length;
      shift += text.length;
    }
    restored += result.slice(from);
    if (restored !== host.texts.get(file)) failures.push(`${file}: bytes outside the insertions changed`);
  }
  // (1) no new reader errors.
  const re = readAndCheck(entry, after, settings);
  const oldErrors = errorLines(before.model);
  const newErrors = errorLines(re.model).filter((l) => !oldErrors.includes(l));
  if (newErrors.length) failures.push(`new errors: ${newErrors.join(' | ')}\n${[...inserted.keys()].map((f) => after.texts.get(f)).join('\n----\n')}`);
  // (3) new rules have priorities unique in their direction.
  const added = new Set(fixes.flatMap((f) => f.rules.map((r) => r.name.toLowerCase())));
  for (const n of re.result.nsgs) {
    for (const r of n.nsg.rules) {
      if (!added.has(r.name.toLowerCase()) || isUnknown(r.priority)) continue;
      const clash = n.nsg.rules.filter((o) => o !== r && !isUnknown(o.priority) && o.priority === r.priority && (isUnknown(o.direction) || isUnknown(r.direction) || o.direction.toLowerCase() === r.direction.toLowerCase()));
      if (clash.length) failures.push(`${n.nsg.name}: ${r.name} shares priority ${r.priority} with ${clash.map((c) => c.name).join(', ')}`);
    }
  }
  // (5) every fixed requirement is allowed.
  let fixedRequirements = 0;
  const skipped = fixes.flatMap((f) => f.skipped);
  for (const n of before.result.nsgs) {
    if (!n.nsg.span) continue;
    const again = re.result.nsgs.find((m) => m.nsg.key === n.nsg.key && m.nsg.name === n.nsg.name);
    for (const v of n.verdicts) {
      if (!needsFix(v, options) || skipped.some((s) => s.nsg === n.nsg.name && s.requirementId === v.id)) continue;
      fixedRequirements++;
      const w = again?.verdicts.find((x) => x.id === v.id);
      if (w?.verdict !== 'allowed') failures.push(`${n.nsg.name}: ${v.id} was ${v.verdict}, after the fix ${w?.verdict ?? 'not reported'}${w ? ` (${w.explanation})` : ''}`);
    }
  }
  // (4) a second fix-all is a no-op.
  const second = fixWorkspace(re.result, after, options);
  const more = second.flatMap((f) => f.edits);
  if (more.length) failures.push(`a second fix-all still edits: ${second.map((f) => f.title).join('; ')}`);
  return { failures, fixedRequirements, rulesAdded: added.size, skipped: skipped.length };
}
