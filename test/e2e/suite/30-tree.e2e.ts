// The Workspace tree shows what the CLI reports for the same workspace copy: the same VNets,
// subnets, NSGs, requirements and verdicts.
import * as assert from 'node:assert/strict';
import type { CheckReport } from '../../../src/core/check/check-report';
import type { SnapshotNode } from '../../../src/client/api';
import { activeApi, cliJson, cliReport, waitFor } from './helpers';

/** The codicon the tree shows for each verdict (the user sees the verdict by it). */
const VERDICT_ICON: Record<string, string> = {
  allowed: 'pass',
  'allowed-by-default': 'info',
  blocked: 'error',
  partial: 'warning',
  unknown: 'question',
  'not-applicable': 'circle-slash',
};

/** `vnet / subnet / nsg / direction / requirement = verdict icon`, one line per requirement per subnet the NSG is on. */
function cliLines(report: CheckReport): string[] {
  const out: string[] = [];
  for (const nsg of report.nsgs) {
    const places = nsg.subnets.length > 0
      ? nsg.subnets.map((s) => `${s.vnet ?? 'VNet not known'} / ${s.name}`)
      : ['NSGs not attached to a subnet'];
    for (const place of places) {
      for (const r of nsg.requirements) out.push(`${place} / ${nsg.name} / ${r.direction} / ${r.id} = ${VERDICT_ICON[r.verdict]}`);
    }
  }
  return out.sort();
}

function treeLines(roots: readonly SnapshotNode[]): string[] {
  const out: string[] = [];
  const walk = (node: SnapshotNode, path: string[]): void => {
    const here = [...path, node.label];
    if (node.contextValue?.startsWith('requirement')) {
      out.push(`${here.join(' / ')} = ${node.icon}`);
      return;
    }
    for (const c of node.children) walk(c, here);
  };
  for (const r of roots.filter((n) => n.contextValue === 'vnet' || n.contextValue === 'unattached')) walk(r, []);
  return out.sort();
}

function find(roots: readonly SnapshotNode[], test: (n: SnapshotNode) => boolean): SnapshotNode[] {
  const found: SnapshotNode[] = [];
  const walk = (n: SnapshotNode): void => { if (test(n)) found.push(n); n.children.forEach(walk); };
  roots.forEach(walk);
  return found;
}

describe('the Workspace tree', () => {
  let report: CheckReport;
  let tree: SnapshotNode[];
  before(async function () {
    const api = await activeApi();
    report = cliReport();
    tree = await waitFor('a Workspace tree without a loading item', async () => {
      const t = await api.workspaceTree();
      return t.length > 0 && find(t, (n) => n.contextValue === 'loading').length === 0 ? t : undefined;
    });
  });

  it('has every VNet > subnet > NSG > direction > requirement of the CLI report, with the same verdicts', () => {
    const expected = cliLines(report);
    assert.ok(expected.length >= 30, `the CLI reported only ${expected.length} requirement verdicts`);
    assert.deepEqual(treeLines(tree), expected);
  });

  it('marks NSGs out of scope and failing NSGs as the CLI does', () => {
    for (const nsg of report.nsgs) {
      const nodes = find(tree, (n) => n.contextValue?.startsWith('nsg') === true && n.label === nsg.name);
      assert.ok(nodes.length > 0, `no tree item for NSG ${nsg.name}`);
      const failing = nsg.inScope && nsg.requirements.some((r) => r.verdict === 'blocked' || r.verdict === 'partial' || r.verdict === 'unknown');
      const expected = !nsg.inScope ? 'nsg.outOfScope' : failing ? 'nsg.failing' : 'nsg';
      for (const n of nodes) assert.equal(n.contextValue, expected, nsg.name);
    }
  });

  it('marks the subnets an Azure ML compute uses', () => {
    const compute = find(tree, (n) => n.contextValue === 'subnet.compute').map((n) => n.label).sort();
    assert.deepEqual(compute, ['snet-aml-compute', 'snet-training']);
  });
});

describe('the Requirements tree', () => {
  it('lists the catalog the CLI lists for the same options (amlnet requirements)', async () => {
    const api = await activeApi();
    const cli = cliJson(['requirements']) as { requirements: { id: string }[] };
    const expected = cli.requirements.map((r) => r.id).sort();
    assert.ok(expected.length >= 10, `the CLI listed ${expected.length} requirements`);
    const labels = await waitFor('the Requirements tree', async () => {
      const t = await api.requirementsTree();
      const ids = find(t, (n) => n.contextValue === 'catalogRequirement').map((n) => n.label).sort();
      return ids.length > 0 ? ids : undefined;
    });
    assert.deepEqual(labels, expected);
  });
});
