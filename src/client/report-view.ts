// How the report reads in the editor: verdict names, icons, colours, port summaries, locations.
// Shared by the Workspace tree, the Markdown export and the matrix; no vscode import, so it is
// unit-tested with plain mocha.

import type { ReportNsg, ReportRequirement, ReportRule, CheckReport } from '../core/check/check-report';
import type { VerdictKind } from '../core/verdict';
import { isFailure } from '../core/verdict-policy';

/** Every verdict, in the order the legend and the summaries list them (worst first). */
export const VERDICTS: readonly VerdictKind[] = ['blocked', 'partial', 'unknown', 'allowed-by-default', 'allowed', 'not-applicable'];

export interface VerdictStyle {
  /** A short label, e.g. "Blocked". */
  readonly label: string;
  /** The codicon id. */
  readonly icon: string;
  /** A theme colour id (`ThemeColor`), also usable as `--vscode-<id with . as ->` in webviews. */
  readonly color: string;
  /** One character for places where colour must not be the only signal (the matrix). */
  readonly glyph: string;
}

const STYLES: Readonly<Record<VerdictKind, VerdictStyle>> = {
  allowed: { label: 'Allowed', icon: 'pass', color: 'testing.iconPassed', glyph: '✓' },
  'allowed-by-default': { label: 'Allowed by default', icon: 'info', color: 'problemsInfoIcon.foreground', glyph: '○' },
  blocked: { label: 'Blocked', icon: 'error', color: 'problemsErrorIcon.foreground', glyph: '✗' },
  partial: { label: 'Partial', icon: 'warning', color: 'problemsWarningIcon.foreground', glyph: '◐' },
  unknown: { label: 'Unknown', icon: 'question', color: 'descriptionForeground', glyph: '?' },
  'not-applicable': { label: 'Not applicable', icon: 'circle-slash', color: 'disabledForeground', glyph: '–' },
};

/** In strict mode an allowed-by-default verdict is a failure: it takes the warning colour. */
export function verdictStyle(verdict: VerdictKind, strict: boolean): VerdictStyle {
  const style = STYLES[verdict];
  if (strict && verdict === 'allowed-by-default') return { ...style, color: 'problemsWarningIcon.foreground' };
  return style;
}

/** Whether a requirement of this NSG counts as failing (out-of-scope NSGs and suppressed requirements never fail). */
export function requirementFails(nsg: ReportNsg, req: ReportRequirement, strict: boolean): boolean {
  return nsg.inScope && req.suppressed !== true && isFailure(req.verdict, { strict });
}

export function failingRequirements(nsg: ReportNsg, strict: boolean): ReportRequirement[] {
  return nsg.requirements.filter((r) => requirementFails(nsg, r, strict));
}

/** "9 of 11 met": not-applicable requirements are left out of both numbers. */
export function nsgSummary(nsg: ReportNsg, strict: boolean): { readonly met: number; readonly total: number; readonly failing: number } {
  const counted = nsg.requirements.filter((r) => r.verdict !== 'not-applicable');
  const failing = counted.filter((r) => r.suppressed !== true && isFailure(r.verdict, { strict })).length;
  const met = counted.filter((r) => r.verdict === 'allowed' || (!strict && r.verdict === 'allowed-by-default')).length;
  return { met, total: counted.length, failing };
}

function protocolText(protocol: string): string {
  return protocol === '*' ? 'Any' : protocol.toUpperCase();
}

/**
 * The ports and tags of a requirement from its per-port breakdown, parts with the same protocol
 * and remote merged: "TCP 443, 18881, 8787 · AzureMachineLearning".
 */
export function portsAndTag(req: ReportRequirement): string {
  const groups = new Map<string, { protocol: string; remote: string; ports: string[] }>();
  for (const p of req.ports) {
    const key = `${p.protocol}\u0000${p.remote}`;
    const group = groups.get(key) ?? { protocol: p.protocol, remote: p.remote, ports: [] };
    for (const port of p.ports.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      if (!group.ports.includes(port)) group.ports.push(port);
    }
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `${protocolText(g.protocol)} ${g.ports.join(', ')} · ${g.remote}`).join('; ');
}

/** A place to reveal: a document URI and a 1-based line (the report's own). */
export interface Target {
  readonly uri: string;
  readonly line?: number;
}

function ruleTarget(rule: ReportRule): Target | undefined {
  return rule.file ? { uri: rule.file, ...(rule.line !== undefined ? { line: rule.line } : {}) } : undefined;
}

export function nsgTarget(nsg: ReportNsg): Target | undefined {
  return nsg.file ? { uri: nsg.file, ...(nsg.line !== undefined ? { line: nsg.line } : {}) } : undefined;
}

/**
 * The rule that decides a requirement, as a place in a file: a denying user rule when something
 * is blocked, else the first user rule; a default rule has no place, so it falls back to the NSG.
 */
export function decidingTarget(nsg: ReportNsg, req: ReportRequirement): Target | undefined {
  const rules = [...req.decidedBy, ...req.ports.flatMap((p) => p.decidedBy)];
  const deny = rules.find((r) => r.access === 'Deny' && !r.default && r.file);
  const any = rules.find((r) => !r.default && r.file);
  const chosen = deny ?? any;
  return (chosen && ruleTarget(chosen)) ?? nsgTarget(nsg);
}

/** The rule named in a tooltip: "DenyInternetOutbound (priority 4000, Deny)". */
export function ruleText(rule: ReportRule): string {
  const parts = [rule.priority !== null ? `priority ${rule.priority}` : undefined, rule.access ?? undefined, rule.default ? 'default rule' : undefined]
    .filter((p): p is string => p !== undefined);
  return `${rule.rule}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Azure ML computes that use a subnet, from the NSG's scope reasons ("Azure ML compute X uses subnet Y"). */
export function computesOnSubnet(nsg: ReportNsg, subnet: string): string[] {
  const out: string[] = [];
  for (const reason of nsg.scopeReasons) {
    const m = /^Azure ML compute (.+) uses subnet (.+)$/.exec(reason);
    if (m && m[2] === subnet && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

/** Text safe inside Markdown (tooltips, the exported report): no formatting, no links, no HTML. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
    // What starts a heading, list, quote or rule only at the start of a line.
    .replace(/^(\s*)([#+=-])/gm, '$1\\$2')
    .replace(/^(\s*)(\d+)([.)])/gm, '$1$2\\$3');
}

/** A Markdown link to an https page (nothing for another scheme), its URL safe inside `( )`. */
export function markdownLink(text: string, url: string): string | undefined {
  if (!/^https:\/\//.test(url)) return undefined;
  const safe = url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${escapeMarkdown(text)}](${safe})`;
}

/** A file URI as a short path for people: relative to a folder when given, else the decoded path. */
export type DisplayPath = (uri: string) => string;

export const defaultDisplayPath: DisplayPath = (uri) => {
  try {
    const u = new URL(uri);
    return decodeURIComponent(u.pathname);
  } catch {
    return uri;
  }
};

/** Requirements of a report in one order for every NSG: inbound first, then by first appearance. */
export function requirementColumns(report: CheckReport): { readonly id: string; readonly direction: 'Inbound' | 'Outbound' }[] {
  const seen = new Map<string, 'Inbound' | 'Outbound'>();
  for (const n of report.nsgs) for (const r of n.requirements) if (!seen.has(r.id)) seen.set(r.id, r.direction);
  const all = [...seen.entries()].map(([id, direction]) => ({ id, direction }));
  return [...all.filter((c) => c.direction === 'Inbound'), ...all.filter((c) => c.direction === 'Outbound')];
}
