// Small reports for the client's tests, in the shape of `amlnet/report` (files as URIs), and the
// recorded report of the examples/ workspace.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckReport, ReportNsg, ReportRequirement, ReportRule } from '../../src/core/check/check-report';
import type { VerdictKind } from '../../src/core/verdict';
import type { ReportResult } from '../../src/server/protocol';
import type { TreeNode } from '../../src/client/tree-model';

/** The repository root (this file runs from out/test/client). */
export const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * `amlnet check examples --format json` as the language server returns it: the same JSON with
 * `file` fields as URIs (under file:///work/amlnet-examples/).
 */
export function examplesReport(): CheckReport {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'client', 'fixtures', 'examples-report.json'), 'utf8')) as CheckReport;
}

/** `amlnet requirements --format json --region westeurope` (edition 2022-09). */
export function requirementsJson(): unknown {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'client', 'fixtures', 'requirements-2022-09.json'), 'utf8'));
}

export const FILE = 'file:///repo/infra/network.bicep';

export function rule(name: string, access: 'Allow' | 'Deny', line: number, priority = 100): ReportRule {
  return { nsg: 'nsg', rule: name, priority, access, default: false, file: FILE, line };
}

export const DEFAULT_DENY: ReportRule = { nsg: 'nsg', rule: 'DenyAllOutBound', priority: 65500, access: 'Deny', default: true };
export const DEFAULT_INTERNET: ReportRule = { nsg: 'nsg', rule: 'AllowInternetOutBound', priority: 65001, access: 'Allow', default: true };

export function requirement(id: string, verdict: VerdictKind, over: Partial<ReportRequirement> = {}): ReportRequirement {
  const outcome = verdict === 'partial' ? 'blocked' : verdict === 'not-applicable' ? 'allowed' : verdict;
  const decidedBy = verdict === 'not-applicable' ? [] : verdict === 'allowed-by-default' ? [DEFAULT_INTERNET] : [rule(`Rule-${id}`, verdict === 'allowed' ? 'Allow' : 'Deny', 40)];
  return {
    id,
    direction: id.startsWith('aml-in-') ? 'Inbound' : 'Outbound',
    verdict,
    explanation: `${verdict} explanation of ${id}.`,
    ports: verdict === 'not-applicable' ? [] : [{ protocol: 'Tcp', ports: '443', remote: 'Storage', outcome, detail: `${outcome} by a rule`, decidedBy }],
    decidedBy,
    docs: 'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall',
    ...over,
  };
}

export function nsg(name: string, requirements: readonly ReportRequirement[], over: Partial<ReportNsg> = {}): ReportNsg {
  return {
    name,
    file: FILE,
    line: 10,
    inScope: true,
    scopeReasons: ['Azure ML compute cluster uses subnet snet-compute'],
    subnets: [{ vnet: 'vnet-a', name: 'snet-compute', file: FILE, line: 50 }],
    options: {
      publicIp: { value: true, origin: 'default' },
      hbi: { value: false, origin: 'default' },
      region: { value: 'westeurope', origin: 'setting' },
    },
    requirements,
    findings: [],
    ...over,
  };
}

export function report(nsgs: readonly ReportNsg[], over: Partial<CheckReport> = {}): CheckReport {
  const summary: Record<VerdictKind, number> = { allowed: 0, 'allowed-by-default': 0, blocked: 0, partial: 0, unknown: 0, 'not-applicable': 0 };
  for (const n of nsgs) if (n.inScope) for (const r of n.requirements) summary[r.verdict]++;
  const strict = over.strict ?? false;
  const failing = nsgs.some((n) => n.inScope && n.requirements.some((r) => r.verdict === 'blocked' || r.verdict === 'partial' || (strict && r.verdict === 'allowed-by-default')));
  return { version: 1, tool: { name: 'amlnet', version: '0.1.0' }, edition: '2022-09', strict, failing, summary, nsgs, problems: [], ...over };
}

export function ready(r: CheckReport, version = 1, templateCount = 3): ReportResult {
  return { state: 'ready', version, templateCount, report: r };
}

/** One NSG with a requirement of every verdict. */
export function everyVerdictNsg(name = 'nsg-all'): ReportNsg {
  return nsg(name, [
    requirement('aml-in-azure-machine-learning', 'allowed'),
    requirement('aml-in-batch-node-management', 'blocked'),
    requirement('aml-out-storage', 'partial'),
    requirement('aml-out-key-vault', 'unknown', { unknownBecause: ['parameter location has no value'] }),
    requirement('aml-out-azure-monitor', 'allowed-by-default'),
    requirement('aml-in-vnet-batch', 'not-applicable', { explanation: 'Not applicable: only for computes with No Public IP (option publicIp is on).' }),
  ]);
}

/** The node at `path` (labels from the roots down); fails, naming the labels there, where one is missing. */
export function byLabel(nodes: readonly TreeNode[], ...path: string[]): TreeNode {
  let current: readonly TreeNode[] = nodes;
  let found: TreeNode | undefined;
  for (const label of path) {
    found = current.find((n) => n.label === label);
    assert.ok(found, `no "${label}" among ${current.map((n) => n.label).join(', ')}`);
    current = found.children;
  }
  return found as TreeNode;
}
