// Fixes as LSP code actions: a quick fix per requirement diagnostic, "add all missing rules" per
// NSG, and `source.fixAll.amlnet` per file. Edits come from src/core/fix; this turns them into
// WorkspaceEdits and says why when nothing can be added.

import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { NsgCheck } from '../core/check/check-model';
import type { RuleFinding } from '../core/validate-rules';
import { fixAllForFile, fixAllForNsg, fixesForNsg, type Fix, type FixOptions, type TextEdit } from '../core/fix/fix-nsg';
import type { SubnetFirewallCheck } from '../core/firewall/check-firewalls';
import { verdictAnchor } from '../core/firewall/firewall-anchors';
import { fixAllFirewalls, needsFirewallFix, type FirewallFix } from '../core/fix/fix-firewall';
import { ruleOrigin, type DiagnosticData } from './diagnostics';
import type { FolderCheck } from './folder-state';
import type { Positions } from './positions';
import type { FixResult } from './protocol';

export const FIX_ALL_KIND = 'source.fixAll.amlnet';

/** The fix options the settings give. */
export function fixOptions(check: FolderCheck): FixOptions {
  const s = check.settings;
  return {
    namePrefix: s.fix.ruleNamePrefix,
    priorityStart: s.fix.priorityStart,
    priorityStep: s.fix.priorityStep,
    includeAllowedByDefault: s.strict,
    includeOutOfScope: s.scope === 'all',
  };
}

/** The NSG check without the verdicts suppressed in the source (fixes leave those alone). */
export function unsuppressed(n: NsgCheck): NsgCheck {
  return n.suppressed && n.suppressed.requirements.size ? { ...n, verdicts: n.verdicts.filter((v) => !n.suppressed!.requirements.has(v.id)) } : n;
}

/** The firewall fix of one subnet's failing requirement (nothing when it is suppressed or passes). */
export function firewallFixFor(check: FolderCheck, subnet: SubnetFirewallCheck, id: string): FirewallFix | undefined {
  const v = subnet.verdicts.find((x) => x.id === id);
  if (!v || !needsFirewallFix(v) || subnet.suppressed?.requirements.has(id)) return undefined;
  return fixAllFirewalls([{ ...subnet, verdicts: [v] }], check.texts, { includeOutOfScope: check.settings.scope === 'all' });
}

/** Every firewall fix whose diagnostic is in `file` (the rules may go to the file that declares the policy). */
export function firewallFixForFile(check: FolderCheck, file: string): FirewallFix {
  const mine = (check.result.firewalls ?? []).map((c) => ({ ...c, verdicts: c.verdicts.filter((v) => needsFirewallFix(v) && verdictAnchor(c, v)?.file === file) }));
  return fixAllFirewalls(mine.filter((c) => c.verdicts.length), check.texts, { includeOutOfScope: check.settings.scope === 'all' });
}

/** A title for one firewall fix: the rule it adds, where. */
function firewallFixTitle(fix: FirewallFix, id: string): string {
  const r = fix.rules[0];
  if (!r) return `Add a firewall rule for ${id}`;
  const more = fix.rules.length > 1 ? ` (+${fix.rules.length - 1} more)` : '';
  return `Add ${r.kind} rule ${r.rule} to ${r.firewall}/${r.collection}${r.newCollectionPriority !== undefined ? ` (new collection, priority ${r.newCollectionPriority})` : ''} for ${id}${more}`;
}

/** Core edits as an LSP WorkspaceEdit (`changes` by URI), or undefined when there are none. */
export function toWorkspaceEdit(edits: readonly TextEdit[], positions: Positions, uriOf: (file: string) => string): WorkspaceEdit | undefined {
  if (edits.length === 0) return undefined;
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of edits) {
    const uri = uriOf(e.file);
    (changes[uri] ??= []).push({ range: positions.range({ file: e.file, start: e.start, end: e.end }), newText: e.newText });
  }
  return { changes };
}

/** A core fix as the `amlnet/fixNsg` / `amlnet/fixFile` answer. */
export function fixResult(fix: Fix, positions: Positions, uriOf: (file: string) => string): FixResult {
  const edit = toWorkspaceEdit(fix.edits, positions, uriOf);
  return { title: fix.title, ...(edit ? { edit } : {}), rules: fix.rules, skipped: fix.skipped };
}

/** An NSG fix with the file's firewall fix added: one edit, both titles, every rule and every reason. */
export function withFirewallFix(result: FixResult, nsgRules: number, fw: FirewallFix, positions: Positions, uriOf: (file: string) => string): FixResult {
  if (fw.edits.length === 0 && fw.skipped.length === 0) return result;
  const nsgEdits = (result.edit as WorkspaceEdit | undefined)?.changes ?? {};
  const fwEdits = toWorkspaceEdit(fw.edits, positions, uriOf)?.changes ?? {};
  const changes: Record<string, LspTextEdit[]> = { ...nsgEdits };
  for (const [uri, edits] of Object.entries(fwEdits)) changes[uri] = [...(changes[uri] ?? []), ...edits];
  const titles = [nsgRules > 0 ? result.title : undefined, fw.rules.length > 0 ? fw.title : undefined].filter((t): t is string => t !== undefined);
  return {
    title: titles.join('; ') || result.title,
    ...(Object.keys(changes).length ? { edit: { changes } } : {}),
    rules: result.rules,
    skipped: [...result.skipped, ...fw.skipped.map((k) => ({ nsg: `firewall of ${k.subnet}`, requirementId: k.requirementId, reason: k.reason }))],
    ...(fw.rules.length ? { firewallRules: fw.rules } : {}),
  };
}

function isData(d: unknown): d is DiagnosticData {
  return typeof d === 'object' && d !== null && typeof (d as { kind?: unknown }).kind === 'string';
}

export interface CodeActionInput {
  readonly check: FolderCheck;
  readonly file: string;
  /** The diagnostics of the request's context. */
  readonly diagnostics: readonly Diagnostic[];
  /** The request's `context.only`, when given. */
  readonly only?: readonly string[];
  /** NSG checks whose declaration contains the request's range (for "add all" without a diagnostic). */
  readonly nsgsAtRange: readonly NsgCheck[];
  readonly positions: Positions;
  readonly uriOf: (file: string) => string;
  /** The client shows disabled actions (`codeActionDisabledSupport`). */
  readonly disabledSupport: boolean;
}

function wants(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** The code actions for a range of a file. */
export function codeActions(input: CodeActionInput): CodeAction[] {
  const { check, file, positions, uriOf } = input;
  const options = fixOptions(check);
  const out: CodeAction[] = [];
  const byKey = new Map(check.result.nsgs.map((n) => [n.nsg.key, n]));
  const nsgs = new Map<string, NsgCheck>();
  for (const n of input.nsgsAtRange) if (n.inScope || options.includeOutOfScope) nsgs.set(n.nsg.key, n);

  if (wants(input.only, CodeActionKind.QuickFix)) {
    for (const d of input.diagnostics) {
      if (d.source !== 'amlnet' || !isData(d.data) || d.data.kind !== 'requirement') continue;
      const n = byKey.get(d.data.nsg);
      if (!n) continue;
      nsgs.set(n.nsg.key, n);
      const id = d.data.id;
      const fix = fixesForNsg(unsuppressed(n), check.texts, options).find((f) => f.requirementIds.includes(id));
      if (!fix) continue;
      const edit = toWorkspaceEdit(fix.edits, positions, uriOf);
      if (edit) {
        out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit });
      } else if (input.disabledSupport) {
        out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], disabled: { reason: fix.skipped[0]?.reason ?? fix.title } });
      }
    }
    const firewalls = new Map((check.result.firewalls ?? []).map((f) => [f.subnet.key, f]));
    for (const d of input.diagnostics) {
      if (d.source !== 'amlnet' || !isData(d.data) || d.data.kind !== 'firewall') continue;
      const subnet = firewalls.get(d.data.subnet);
      const fix = subnet && firewallFixFor(check, subnet, d.data.id);
      if (!fix) continue;
      const edit = toWorkspaceEdit(fix.edits, positions, uriOf);
      if (edit) {
        out.push({ title: firewallFixTitle(fix, d.data.id), kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit });
      } else if (input.disabledSupport) {
        out.push({ title: `Add a firewall rule for ${d.data.id}`, kind: CodeActionKind.QuickFix, diagnostics: [d], disabled: { reason: fix.skipped[0]?.reason ?? fix.title } });
      }
    }
    for (const n of nsgs.values()) {
      const fix = fixAllForNsg(unsuppressed(n), check.texts, options);
      if (fix.edits.length === 0 && fix.skipped.length === 0) continue;
      const title = `Add all missing Azure ML rules to ${n.nsg.name}`;
      const edit = toWorkspaceEdit(fix.edits, positions, uriOf);
      const diagnostics = input.diagnostics.filter((d) => isData(d.data) && d.data.kind === 'requirement' && d.data.nsg === n.nsg.key);
      if (edit) out.push({ title, kind: CodeActionKind.QuickFix, diagnostics, edit });
      else if (input.disabledSupport) out.push({ title, kind: CodeActionKind.QuickFix, diagnostics, disabled: { reason: fix.title } });
    }
  }

  if (wants(input.only, CodeActionKind.QuickFix)) {
    for (const d of input.diagnostics) {
      if (d.source !== 'amlnet' || !isData(d.data) || d.data.kind !== 'finding') continue;
      const n = byKey.get(d.data.nsg);
      const f = n?.findings[d.data.index];
      const action = f && f.code === d.code ? suggestionFix(f, check, positions, uriOf) : undefined;
      if (action) out.push({ ...action, diagnostics: [d] });
    }
  }

  if (wants(input.only, FIX_ALL_KIND) && (input.only !== undefined || input.diagnostics.some((d) => d.source === 'amlnet'))) {
    const fix = fixAllForFile(check.result.nsgs.map(unsuppressed), check.texts, file, options);
    // NSG and firewall fixes edit different resources, so their edits never overlap.
    const fw = firewallFixForFile(check, file);
    const edit = toWorkspaceEdit([...fix.edits, ...fw.edits], positions, uriOf);
    const count = fix.rules.length + fw.rules.length;
    if (edit) out.push({ title: `Add all missing Azure ML rules in this file (${count} rule${count === 1 ? '' : 's'})`, kind: FIX_ALL_KIND, edit });
  }
  return out;
}

/** The text a tag or region finding is about (the whole address entry as written). */
function findingTerm(f: RuleFinding): string | undefined {
  if (f.code === 'amlnet-unknown-tag') return /: "([^"]+)" is not an Azure service tag/.exec(f.message)?.[1];
  if (f.code === 'amlnet-unknown-region') return / in "([^"]+)" is not an Azure region/.exec(f.message)?.[1];
  return undefined;
}

/**
 * "Replace 'Storag' with 'Storage'" for a tag or region finding with a suggestion: only when the
 * entry is written as one literal string in the rule's property (not built by an expression).
 */
export function suggestionFix(f: RuleFinding, check: FolderCheck, positions: Positions, uriOf: (file: string) => string): CodeAction | undefined {
  const term = findingTerm(f);
  const span = ruleOrigin(f.origin)?.properties?.[f.property];
  const text = span && check.texts.get(span.file);
  if (!f.suggestion || !term || !span || text === undefined) return undefined;
  const inside = text.slice(span.start, span.end);
  const hits: number[] = [];
  for (const quote of ["'", '"']) {
    const literal = `${quote}${term}${quote}`;
    for (let i = inside.indexOf(literal); i >= 0; i = inside.indexOf(literal, i + 1)) hits.push(span.start + i + 1);
  }
  if (hits.length !== 1) return undefined;
  const edit: TextEdit = { file: span.file, start: hits[0], end: hits[0] + term.length, newText: f.suggestion };
  return {
    title: `Replace "${term}" with "${f.suggestion}"`,
    kind: CodeActionKind.QuickFix,
    isPreferred: true,
    edit: toWorkspaceEdit([edit], positions, uriOf),
  };
}
