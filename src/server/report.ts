// The `amlnet/report` answer: the CLI's JSON report of each folder (built the same way, from the
// same check), with `file` fields as document URIs, merged across workspace folders.

import { buildReport, type CheckReport, type Locate } from '../core/check/check-report';
import { firewallSummary } from '../core/firewall/firewall-report';
import type { VerdictKind } from '../core/verdict';
import type { FolderCheck } from './folder-state';
import type { Positions } from './positions';

/** The report of one folder's check, with relative paths (exactly what `amlnet check --format json` prints in the folder). */
export function folderReport(check: FolderCheck, positions: Positions, toolVersion: string): CheckReport {
  const locate: Locate = (span) => {
    const index = positions.index(span.file);
    if (!index) return { file: span.file, line: 1, column: 1 };
    const { line, character } = index.positionAt(span.start);
    return { file: span.file, line: line + 1, column: character + 1 };
  };
  return buildReport(check.result, locate, toolVersion);
}

/**
 * A copy of a JSON value with every `file` string property (and an NSG's `deployment`, the path of
 * its entry template) replaced by `uriOf(file)`.
 */
export function withUris<T>(value: T, uriOf: (file: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = (k === 'file' || k === 'deployment') && typeof x === 'string' ? uriOf(x) : walk(x);
    return out;
  };
  return walk(value) as T;
}

/** An empty report (while indexing, or with no folder). */
export function emptyReport(toolVersion: string, edition: string): CheckReport {
  return {
    version: 1,
    tool: { name: 'amlnet', version: toolVersion },
    edition,
    strict: false,
    failing: false,
    summary: { allowed: 0, 'allowed-by-default': 0, blocked: 0, partial: 0, unknown: 0, 'not-applicable': 0 },
    nsgs: [],
    problems: [],
  };
}

/** Several folders' reports as one: NSGs and problems in folder order, summaries added. */
export function mergeReports(reports: readonly CheckReport[], toolVersion: string, edition: string): CheckReport {
  if (reports.length === 0) return emptyReport(toolVersion, edition);
  if (reports.length === 1) return reports[0];
  const summary = { ...emptyReport(toolVersion, edition).summary } as Record<VerdictKind, number>;
  for (const r of reports) for (const k of Object.keys(summary) as VerdictKind[]) summary[k] += r.summary[k];
  return {
    ...reports[0],
    strict: reports.some((r) => r.strict),
    failing: reports.some((r) => r.failing),
    summary,
    nsgs: reports.flatMap((r) => r.nsgs),
    problems: reports.flatMap((r) => r.problems),
    firewalls: reports.flatMap((r) => r.firewalls ?? []),
    firewallSummary: firewallSummary(reports.flatMap((r) => r.firewalls ?? [])),
  };
}
