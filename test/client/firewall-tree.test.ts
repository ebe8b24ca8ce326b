// Firewalls in the Workspace view (tree-model.ts with firewall-tree.ts), from the reports the CLI
// prints for the firewall fixtures.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/main';
import type { CheckReport } from '../../src/core/check/check-report';
import { markdownReport } from '../../src/client/markdown-report';
import { matrixHtml, parseMatrixMessage } from '../../src/client/matrix-html';
import { buildWorkspaceTree, groupReport, walk, type TreeNode } from '../../src/client/tree-model';
import { byLabel, ready } from './report-builders';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'firewall');
const ALL = { onlyFailing: false };
const FAILING = { onlyFailing: true };

/** `amlnet check --format json <file>` in the fixtures folder, in-process. */
async function cliReport(file: string, args: readonly string[] = []): Promise<CheckReport> {
  let out = '';
  await run(['check', '--format', 'json', file, ...args], {
    stdout: (t) => { out += t; },
    stderr: () => undefined,
    cwd: FIXTURES,
    readFile: (p) => readFileSync(p, 'utf8'),
    exists: (p) => { try { readFileSync(p); return true; } catch { return false; } },
  } as Parameters<typeof run>[1]);
  return JSON.parse(out) as CheckReport;
}

const labels = (nodes: readonly TreeNode[]) => nodes.map((n) => n.label);
const FW = 'Firewall fw-ml (via route default-to-firewall → 10.0.1.4)';
const FAILING_IDS = ['aml-out-azure-active-directory', 'aml-out-azure-machine-learning', 'aml-out-azure-monitor', 'aml-host-anaconda-com'];
const lineOf = (needle: string) => readFileSync(join(FIXTURES, 'arm-classic-rules.json'), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('client tree model: firewalls', () => {
  let classic: CheckReport;
  before(async () => {
    classic = await cliReport('arm-classic-rules.json', ['--region', 'westeurope']);
  });

  it('puts a firewall node, then the forced-tunnelling warning, under the subnet whose route leads to it', () => {
    const roots = buildWorkspaceTree(ready(classic), ALL);
    const subnet = byLabel(roots, 'vnet-ml', 'snet-training');
    assert.deepEqual(labels(subnet.children), ['nsg-training', FW, 'Forced tunnelling']);
    const fw = byLabel(subnet.children, FW);
    assert.equal(fw.kind, 'firewall');
    assert.equal(fw.description, '4 failing · 8 of 12 allowed');
    assert.equal(fw.contextValue, 'firewall.failing');
    assert.equal(fw.expanded, true);
    assert.deepEqual(fw.target, { uri: 'arm-classic-rules.json', line: lineOf('"name": "fw-ml"') });
    assert.match(fw.tooltip ?? '', /Subnet snet-training sends 0\.0\.0\.0\/0 through route table rt-training via route default-to-firewall → 10\.0\.1\.4 \(the firewall's private IP\)/);
    const warning = byLabel(subnet.children, 'Forced tunnelling');
    assert.equal(warning.kind, 'routeWarning');
    assert.equal(warning.icon?.id, 'warning');
    assert.deepEqual(warning.target, { uri: 'arm-classic-rules.json', line: lineOf('"name": "default-to-firewall"') - 1 });
    assert.match(warning.tooltip ?? '', /AllowVnetOutBound \(65000\) of nsg-training/);
  });

  it('gives each requirement its own row: verdict icon, ports and destination, explanation, a click to the deciding rule', () => {
    const fw = byLabel(buildWorkspaceTree(ready(classic), ALL), 'vnet-ml', 'snet-training', FW);
    assert.deepEqual(labels(fw.children), classic.firewalls![0].requirements.map((r) => r.id));
    const aml = byLabel(fw.children, 'aml-out-azure-machine-learning');
    assert.equal(aml.icon?.id, 'warning');
    assert.equal(aml.description, 'TCP 443, 8787, 18881 · AzureMachineLearning');
    assert.equal(aml.contextValue, 'firewallRequirement.failing');
    // The deny that blocks 8787, not the allow that passes 443.
    assert.deepEqual(aml.target, { uri: 'arm-classic-rules.json', line: lineOf('"name": "deny-8787"') });
    assert.match(aml.tooltip ?? '', /\| TCP \| 8787 \| AzureMachineLearning \| blocked \| network rule deny-8787 in deny-rstudio \(priority 100, Deny\) · arm-classic-rules\.json:\d+ \|/);
    assert.match(aml.tooltip ?? '', /Partly allowed/);
    const monitor = byLabel(fw.children, 'aml-out-azure-monitor');
    assert.equal(monitor.icon?.id, 'error');
    assert.equal(monitor.description, 'TCP 443 · AzureMonitor · missing');
    // Only the default deny decides it: the click goes to the firewall.
    assert.deepEqual(monitor.target, fw.target);
    assert.match(monitor.tooltip ?? '', /the default deny of fw-ml/);
    const conda = byLabel(fw.children, 'aml-host-wildcard-anaconda-com');
    assert.equal(conda.icon?.id, 'pass');
    assert.equal(conda.description, 'HTTPS 443 · *.anaconda.com');
    assert.deepEqual(conda.target, { uri: 'arm-classic-rules.json', line: lineOf('"name": "conda"') });
  });

  it('shows only the failing rows (and the warning beside them) when filtered; a suppressed row neither fails nor shows', () => {
    const fw = byLabel(buildWorkspaceTree(ready(classic), FAILING), 'vnet-ml', 'snet-training', FW);
    assert.deepEqual(labels(fw.children).sort(), [...FAILING_IDS].sort());
    const subnet = byLabel(buildWorkspaceTree(ready(classic), FAILING), 'vnet-ml', 'snet-training');
    assert.deepEqual(labels(subnet.children), [FW, 'Forced tunnelling'], 'the NSG has nothing failing');

    const suppressed: CheckReport = JSON.parse(JSON.stringify(classic)) as CheckReport;
    const s = suppressed.firewalls![0] as unknown as { requirements: { id: string; suppressed?: true }[] };
    for (const r of s.requirements) if (FAILING_IDS.includes(r.id)) r.suppressed = true;
    const all = byLabel(buildWorkspaceTree(ready(suppressed), ALL), 'vnet-ml', 'snet-training', FW);
    assert.equal(all.description, '8 of 12 allowed');
    const row = byLabel(all.children, 'aml-out-azure-monitor');
    assert.equal(row.description, 'TCP 443 · AzureMonitor · missing · suppressed');
    assert.equal(row.icon?.color, 'disabledForeground');
    assert.equal(row.contextValue, 'firewallRequirement');
    const filtered = buildWorkspaceTree(ready(suppressed), FAILING);
    let found = false;
    walk(filtered, (n) => { if (n.kind === 'firewall') found = true; });
    assert.equal(found, false, 'no firewall node when nothing fails');
  });

  it('shows a subnet that has no NSG but a route to a firewall', () => {
    const noNsg: CheckReport = { ...classic, nsgs: [] };
    const grouped = groupReport(noNsg.nsgs, noNsg.firewalls);
    assert.equal(grouped.vnets.length, 1);
    assert.equal(grouped.vnets[0].subnets[0].firewall?.subnet, 'snet-training');
    assert.deepEqual(grouped.vnets[0].subnets[0].computes, ['cpu-cluster']);
    const subnet = byLabel(buildWorkspaceTree(ready(noNsg), ALL), 'vnet-ml', 'snet-training');
    assert.deepEqual(labels(subnet.children), [FW, 'Forced tunnelling']);
    assert.equal(subnet.description, 'Azure ML compute: cpu-cluster');
  });

  it('names the next hop when it is not a firewall declared here', async () => {
    const r = await cliReport('arm-appliance-not-firewall.json');
    const roots = buildWorkspaceTree(ready(r), ALL);
    const nodes: TreeNode[] = [];
    walk(roots, (n) => { if (n.kind === 'firewall') nodes.push(n); });
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0].label, 'Next hop 10.3.0.4 (via route to-nva → 10.3.0.4)');
    assert.equal(nodes[0].description, '1 failing · 0 of 11 allowed');
    assert.match(nodes[0].tooltip ?? '', /Not judged: route to-nva .* is not a firewall declared here/);
  });

  it('exports the firewall under its subnet in the Markdown report: a table of its verdicts and the warning', () => {
    const md = markdownReport(classic, { onlyFailing: false, displayPath: (u) => u });
    const lines = md.split('\n');
    const head = lines.indexOf(`#### ${FW} (arm-classic-rules.json:${lineOf('"name": "fw-ml"')})`);
    assert.ok(head > lines.indexOf('### Subnet snet-training (Azure ML compute: cpu-cluster)'), md);
    assert.ok(lines.includes('Firewalls: 1 subnet in scope routed through an appliance: 8 allowed, 2 blocked, 2 partial, 0 unknown.'));
    assert.ok(lines.slice(head).some((l) => l.startsWith('Warning amlnet-forced-tunnel: Forced tunnelling: route default-to-firewall')));
    const row = lines.slice(head).find((l) => l.startsWith('| aml-out-azure-monitor |'));
    assert.ok(row?.startsWith('| aml-out-azure-monitor | **Blocked** | TCP 443 · AzureMonitor | Missing: no rule allows it;'), row);
    const filtered = markdownReport(classic, { onlyFailing: true, displayPath: (u) => u }).split('\n');
    const fwRows = filtered.slice(filtered.findIndex((l) => l.startsWith(`#### ${FW}`))).filter((l) => /^\| aml-/.test(l)).map((l) => l.split(' | ')[0].slice(2));
    assert.deepEqual(fwRows.sort(), [...FAILING_IDS].sort());
  });

  it('adds a row per firewall to the matrix, with host-name columns after the NSG columns, and reveals its files', () => {
    const html = matrixHtml({ report: classic, indexing: false, onlyFailing: false, nonce: 'n0nce', displayPath: (u) => u });
    const heads = [...html.matchAll(/<th class="col" scope="col" title="([^"]+)"/g)].map((m) => m[1]);
    const hostAt = heads.findIndex((h) => h.startsWith('aml-host-'));
    assert.ok(hostAt > 0 && heads.slice(hostAt).every((h) => h.startsWith('aml-host-')), heads.join(', '));
    const row = /<tr class="firewall in-scope">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    assert.match(row, /snet-training → fw-ml<span class="tag">firewall<\/span>/);
    assert.match(row, new RegExp(`<td class="v-partial"[^>]*aria-label="aml-out-azure-machine-learning: Partial"[^>]*data-uri="arm-classic-rules.json" data-line="${lineOf('"name": "deny-8787"')}"`));
    assert.match(row, /<td class="v-blocked"[^>]*aria-label="aml-host-anaconda-com: Blocked"/);
    // The NSG's own row has nothing for host names: the NSG does not judge them.
    const nsgRow = /<tr class="in-scope">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    assert.match(nsgRow, /title="nsg-training · aml-host-anaconda-com: not evaluated"/);
    assert.deepEqual(parseMatrixMessage({ type: 'reveal', uri: 'arm-classic-rules.json', line: 96 }, { ...classic, nsgs: [] }), { type: 'reveal', uri: 'arm-classic-rules.json', line: 96 });
    // Filtered, a firewall with nothing failing has no row.
    const passing: CheckReport = { ...classic, firewalls: [{ ...classic.firewalls![0], requirements: classic.firewalls![0].requirements.filter((r) => r.verdict === 'allowed') }] };
    assert.doesNotMatch(matrixHtml({ report: passing, indexing: false, onlyFailing: true, nonce: 'n', displayPath: (u) => u }), /class="firewall/);
  });
});
