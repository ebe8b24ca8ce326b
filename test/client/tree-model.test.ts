import * as assert from 'node:assert/strict';
import {
  buildWorkspaceTree,
  failingNsgs,
  findNsgNodes,
  groupReport,
  LOADING_LABEL,
  walk,
  type TreeNode,
} from '../../src/client/tree-model';
import { escapeMarkdown, markdownLink, portsAndTag } from '../../src/client/report-view';
import {
  byLabel,
  everyVerdictNsg,
  examplesReport,
  FILE,
  nsg,
  ready,
  report,
  requirement,
  rule,
} from './report-builders';

const ALL = { onlyFailing: false };
const FAILING = { onlyFailing: true };

function labels(nodes: readonly TreeNode[]): string[] {
  return nodes.map((n) => n.label);
}

describe('client tree model: loading and empty states', () => {
  it('shows a loading item before the first answer, never an empty tree', () => {
    const roots = buildWorkspaceTree(undefined, ALL);
    assert.deepEqual(labels(roots), [LOADING_LABEL]);
    assert.equal(roots[0].icon?.id, 'loading~spin');
  });

  it('keeps the loading item first while the server is indexing, with what it has so far', () => {
    const empty = buildWorkspaceTree({ state: 'indexing', version: 0, templateCount: 0, report: report([]) }, ALL);
    assert.deepEqual(labels(empty), [LOADING_LABEL]);
    const partial = buildWorkspaceTree({ state: 'indexing', version: 1, templateCount: 4, report: report([nsg('nsg-a', [requirement('aml-out-storage', 'allowed')])]) }, ALL);
    assert.deepEqual(labels(partial), [LOADING_LABEL, 'vnet-a']);
    assert.equal(partial[0].description, '4 so far');
  });

  it('is empty when no templates were found, so the view welcome shows', () => {
    assert.deepEqual(buildWorkspaceTree({ state: 'ready', version: 1, templateCount: 0, report: report([]) }, ALL), []);
  });

  it('says so when templates were read but hold no NSG', () => {
    const roots = buildWorkspaceTree({ state: 'ready', version: 1, templateCount: 2, report: report([]) }, ALL);
    assert.deepEqual(labels(roots), ['No network security groups found']);
    assert.equal(roots[0].description, '2 templates read');
  });
});

describe('client tree model: the examples workspace', () => {
  const roots = buildWorkspaceTree(ready(examplesReport()), ALL);

  it('groups VNet > subnet > NSG > direction > requirement, VNets and subnets by name', () => {
    assert.deepEqual(labels(roots), ['vnet-contoso-ml', 'vnet-mlops-prod']);
    assert.deepEqual(labels(byLabel(roots, 'vnet-contoso-ml').children), ['snet-aml-compute', 'snet-private-endpoints']);
    assert.deepEqual(labels(byLabel(roots, 'vnet-mlops-prod', 'snet-training').children), ['nsg-mlw-mlops-prod-training']);
    assert.deepEqual(labels(byLabel(roots, 'vnet-mlops-prod', 'snet-training', 'nsg-mlw-mlops-prod-training').children), ['Inbound', 'Outbound']);
  });

  it('marks subnets an Azure ML compute uses', () => {
    const compute = byLabel(roots, 'vnet-mlops-prod', 'snet-training');
    assert.equal(compute.description, 'Azure ML compute: gpu-cluster');
    assert.equal(compute.contextValue, 'subnet.compute');
    const plain = byLabel(roots, 'vnet-contoso-ml', 'snet-private-endpoints');
    assert.equal(plain.description, undefined);
    assert.equal(plain.contextValue, 'subnet');
  });

  it('summarises each NSG, counting not-applicable requirements out', () => {
    const arm = byLabel(roots, 'vnet-mlops-prod', 'snet-training', 'nsg-mlw-mlops-prod-training');
    assert.equal(arm.description, '2 failing · 9 of 11 met');
    assert.equal(arm.contextValue, 'nsg.failing');
    assert.deepEqual(arm.icon, { id: 'shield', color: 'problemsErrorIcon.foreground' });
    assert.deepEqual(arm.nsg, { uri: 'file:///work/amlnet-examples/arm/azuredeploy.json', name: 'nsg-mlw-mlops-prod-training', line: 65 });
    assert.equal(arm.expanded, true);
  });

  it('shows NSGs out of scope, marked and muted', () => {
    const out = byLabel(roots, 'vnet-contoso-ml', 'snet-private-endpoints', 'nsg-contoso-private-endpoints');
    assert.equal(out.description, 'not in scope');
    assert.equal(out.contextValue, 'nsg.outOfScope');
    assert.equal(out.icon?.color, 'disabledForeground');
    const blocked = byLabel(out.children, 'Inbound', 'aml-in-batch-node-management');
    assert.equal(blocked.icon?.id, 'error');
    assert.equal(blocked.icon?.color, 'disabledForeground');
    assert.equal(blocked.contextValue, 'requirement', 'a requirement of an NSG out of scope does not fail');
  });

  it('gives a blocked requirement its ports and tag, icon, tooltip and the denying rule as target', () => {
    const kv = byLabel(roots, 'vnet-mlops-prod', 'snet-training', 'nsg-mlw-mlops-prod-training', 'Outbound', 'aml-out-key-vault');
    assert.equal(kv.description, 'TCP 443 · AzureKeyVault.westeurope');
    assert.deepEqual(kv.icon, { id: 'error', color: 'problemsErrorIcon.foreground' });
    assert.equal(kv.contextValue, 'requirement.failing');
    assert.deepEqual(kv.target, { uri: 'file:///work/amlnet-examples/arm/azuredeploy.json', line: 294 });
    assert.equal(kv.accessibilityLabel, 'aml-out-key-vault: Blocked, failing. TCP 443 · AzureKeyVault.westeurope', 'the verdict is read out, not only drawn');
    assert.match(kv.tooltip ?? '', /\*\*aml-out-key-vault\*\* · Outbound · Blocked/);
    assert.match(kv.tooltip ?? '', /denied by DenyInternetOutbound \(priority 4000\)/);
    assert.match(kv.tooltip ?? '', /\| TCP \| 443 \| AzureKeyVault\.westeurope \| blocked \| DenyInternetOutbound \(priority 4000, Deny\)/);
  });

  it('merges a partial verdict\'s ports per tag and reveals the rule that blocks, not the one that allows', () => {
    const aml = byLabel(roots, 'vnet-mlops-prod', 'snet-training', 'nsg-mlw-mlops-prod-training', 'Outbound', 'aml-out-azure-machine-learning');
    assert.equal(aml.description, 'TCP 443, 18881, 8787 · AzureMachineLearning');
    assert.equal(aml.icon?.id, 'warning');
    assert.equal(aml.target?.line, 106, 'DenyRStudioOutbound, not AllowAzureMachineLearningOutbound at 125');
    assert.match(aml.tooltip ?? '', /\| TCP \| 8787 \| AzureMachineLearning \| blocked \| DenyRStudioOutbound/);
    assert.match(aml.tooltip ?? '', /\| TCP \| 443, 18881 \| AzureMachineLearning \| allowed \| AllowAzureMachineLearningOutbound/);
  });

  it('reveals the NSG when only a default rule decides, and says why a requirement does not apply', () => {
    const lb = byLabel(roots, 'vnet-contoso-ml', 'snet-aml-compute', 'nsg-contoso-aml-compute', 'Inbound', 'aml-in-load-balancer');
    assert.equal(lb.icon?.id, 'info');
    assert.deepEqual(lb.target, { uri: 'file:///work/amlnet-examples/bicep/modules/network.bicep', line: 20 });
    const na = byLabel(roots, 'vnet-contoso-ml', 'snet-aml-compute', 'nsg-contoso-aml-compute', 'Outbound', 'aml-out-key-vault');
    assert.equal(na.description, 'not applicable: only for an hbi workspace (option hbi is off)');
    assert.deepEqual(na.icon, { id: 'circle-slash', color: 'disabledForeground' });
  });

  it('gives every node a unique id', () => {
    const ids: string[] = [];
    walk(roots, (n) => ids.push(n.id));
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 2 + 3 + 3 + 3 * 2 + 3 * 13, 'VNets, subnets, NSGs, directions, requirements');
  });

  it('shows only failing requirements of NSGs in scope when filtered', () => {
    const filtered = buildWorkspaceTree(ready(examplesReport()), FAILING);
    const reqs: string[] = [];
    walk(filtered, (n, parent) => {
      if (n.kind === 'requirement') reqs.push(`${parent?.nsg?.name}/${n.label}`);
    });
    assert.deepEqual(reqs.sort(), [
      'nsg-contoso-aml-compute/aml-out-azure-active-directory',
      'nsg-contoso-aml-compute/aml-out-azure-monitor',
      'nsg-contoso-aml-compute/aml-out-container-registry',
      'nsg-mlw-mlops-prod-training/aml-out-azure-machine-learning',
      'nsg-mlw-mlops-prod-training/aml-out-key-vault',
    ]);
    assert.deepEqual(labels(byLabel(filtered, 'vnet-contoso-ml').children), ['snet-aml-compute'], 'the subnet of the NSG out of scope is gone');
    assert.deepEqual(labels(byLabel(filtered, 'vnet-mlops-prod', 'snet-training', 'nsg-mlw-mlops-prod-training').children), ['Outbound']);
  });

  it('lists failing NSGs for the pick list', () => {
    assert.deepEqual(failingNsgs(examplesReport()).map((e) => [e.nsg.name, e.failing.length]), [
      ['nsg-mlw-mlops-prod-training', 2],
      ['nsg-contoso-aml-compute', 3],
    ]);
  });
});

describe('client tree model: verdicts, filters and edge cases', () => {
  it('gives each verdict its codicon and theme colour', () => {
    const roots = buildWorkspaceTree(ready(report([everyVerdictNsg()])), ALL);
    const icons = new Map<string, { id: string; color?: string } | undefined>();
    walk(roots, (n) => {
      if (n.kind === 'requirement') icons.set(n.label, n.icon);
    });
    assert.deepEqual(Object.fromEntries(icons), {
      'aml-in-azure-machine-learning': { id: 'pass', color: 'testing.iconPassed' },
      'aml-in-batch-node-management': { id: 'error', color: 'problemsErrorIcon.foreground' },
      'aml-out-storage': { id: 'warning', color: 'problemsWarningIcon.foreground' },
      'aml-out-key-vault': { id: 'question', color: 'descriptionForeground' },
      'aml-out-azure-monitor': { id: 'info', color: 'problemsInfoIcon.foreground' },
      'aml-in-vnet-batch': { id: 'circle-slash', color: 'disabledForeground' },
    });
  });

  it('counts allowed-by-default as failing in strict mode', () => {
    const only = nsg('nsg-default', [requirement('aml-out-azure-monitor', 'allowed-by-default')]);
    const lenient = buildWorkspaceTree(ready(report([only])), FAILING);
    assert.deepEqual(labels(lenient), ['Every requirement in scope is met']);
    const strict = buildWorkspaceTree(ready(report([only], { strict: true })), FAILING);
    const req = byLabel(strict, 'vnet-a', 'snet-compute', 'nsg-default', 'Outbound', 'aml-out-azure-monitor');
    assert.equal(req.contextValue, 'requirement.failing');
    assert.equal(req.icon?.color, 'problemsWarningIcon.foreground');
  });

  it('puts NSGs on no subnet under their own node', () => {
    const loose = nsg('nsg-nic', [requirement('aml-out-storage', 'blocked')], { subnets: [], scopeReasons: ['it is marked in the settings'] });
    const roots = buildWorkspaceTree(ready(report([loose])), ALL);
    assert.deepEqual(labels(roots), ['NSGs not attached to a subnet']);
    assert.deepEqual(labels(roots[0].children), ['nsg-nic']);
  });

  it('shows an NSG on two subnets under each, with distinct ids', () => {
    const shared = nsg('nsg-shared', [requirement('aml-out-storage', 'allowed')], {
      subnets: [{ vnet: 'vnet-a', name: 'snet-1', file: FILE, line: 60 }, { vnet: 'vnet-a', name: 'snet-2', file: FILE, line: 70 }],
    });
    const grouped = groupReport([shared]);
    assert.deepEqual(grouped.vnets[0].subnets.map((s) => s.name), ['snet-1', 'snet-2']);
    const found = findNsgNodes(buildWorkspaceTree(ready(report([shared])), ALL), { uri: FILE, name: 'nsg-shared' });
    assert.equal(found.length, 2);
    assert.notEqual(found[0].id, found[1].id);
  });

  it('never counts a suppressed requirement as failing, and says it is suppressed', () => {
    const n = nsg('nsg-s', [requirement('aml-out-storage', 'blocked', { suppressed: true })]);
    const roots = buildWorkspaceTree(ready(report([n])), ALL);
    const req = byLabel(roots, 'vnet-a', 'snet-compute', 'nsg-s', 'Outbound', 'aml-out-storage');
    assert.equal(req.contextValue, 'requirement');
    assert.match(req.description ?? '', /suppressed$/);
    assert.equal(byLabel(roots, 'vnet-a', 'snet-compute', 'nsg-s').contextValue, 'nsg');
  });

  it('lists problems reading templates with their place', () => {
    const r = report([], { problems: [{ severity: 'error', message: 'Unexpected token', file: FILE, line: 42 }] });
    const roots = buildWorkspaceTree(ready(r), { onlyFailing: false, displayPath: () => 'infra/network.bicep' });
    const problems = byLabel(roots, 'Problems reading templates');
    assert.equal(problems.children[0].label, 'Unexpected token');
    assert.equal(problems.children[0].description, 'infra/network.bicep:42');
    assert.deepEqual(problems.children[0].target, { uri: FILE, line: 42 });
  });

  it('shows rule findings under their NSG', () => {
    const n = nsg('nsg-f', [requirement('aml-out-storage', 'allowed')], {
      findings: [{ code: 'amlnet-unknown-tag', severity: 'error', rule: 'AllowStorage', message: 'Unknown service tag "Storag"', suggestion: 'Storage', file: FILE, line: 33 }],
    });
    const roots = buildWorkspaceTree(ready(report([n])), ALL);
    const finding = byLabel(roots, 'vnet-a', 'snet-compute', 'nsg-f', 'AllowStorage');
    assert.equal(finding.icon?.id, 'error');
    assert.equal(finding.target?.line, 33);
    assert.match(finding.tooltip ?? '', /Did you mean Storage\?/);
  });

  it('says in the NSG tooltip when the user\'s region stands for a location known only at deployment', () => {
    const region = { value: 'resourceGroup().location', origin: 'template' as const, from: 'nsg-a', file: FILE, line: 10, takenAs: 'eastus', takenAsOrigin: 'setting' as const };
    const withRegion = nsg('nsg-a', [requirement('aml-out-storage', 'allowed')], { options: { ...nsg('x', []).options, region } });
    const node = findNsgNodes(buildWorkspaceTree(ready(report([withRegion])), ALL), { uri: FILE, name: 'nsg-a', line: 10 })[0];
    assert.match(node.tooltip ?? '', /region resourceGroup\(\)\.location = eastus from nsg-a \(.*:10\); eastus from the setting/);
    const plain = findNsgNodes(buildWorkspaceTree(ready(report([nsg('nsg-a', [requirement('aml-out-storage', 'allowed')])])), ALL), { uri: FILE, name: 'nsg-a', line: 10 })[0];
    assert.match(plain.tooltip ?? '', /region westeurope from the setting\./);
    assert.doesNotMatch(plain.tooltip ?? '', / = /);
  });

  it('escapes names and explanations in Markdown tooltips', () => {
    const evil = nsg('nsg-[x](javascript:alert(1))*', [requirement('aml-out-storage', 'blocked', { explanation: '<img src=x> **bold** | pipe' })]);
    const roots = buildWorkspaceTree(ready(report([evil])), ALL);
    let nsgNode: TreeNode | undefined;
    walk(roots, (n) => {
      if (n.kind === 'nsg') nsgNode = n;
    });
    assert.ok(nsgNode);
    assert.ok(!(nsgNode.tooltip ?? '').includes('[x](javascript'), nsgNode.tooltip);
    assert.ok((nsgNode.tooltip ?? '').includes(escapeMarkdown('nsg-[x](javascript:alert(1))*')));
    const req = nsgNode.children[0].children[0];
    assert.ok(!/(?<!\\)<img/.test(req.tooltip ?? ''), req.tooltip);
    assert.ok((req.tooltip ?? '').includes('\\<img src=x\\>'));
    assert.ok((req.tooltip ?? '').includes('\\*\\*bold\\*\\* \\| pipe'));
  });

  it('shows an option known only at deployment as unknown, with where it is declared and why', () => {
    const n = nsg('nsg-a', [requirement('aml-in-batch-node-management', 'unknown')], {
      options: {
        publicIp: { value: null, origin: 'template', from: 'cluster', file: FILE, line: 17, reason: 'enableNodePublicIp: nodePublicIp is only known at deployment' },
        hbi: { value: true, origin: 'setting', from: 'mlw', file: FILE, line: 30, reason: 'hbiWorkspace: hbi is only known at deployment' },
        region: { value: 'westeurope', origin: 'setting' },
      },
    });
    let nsgNode: TreeNode | undefined;
    walk(buildWorkspaceTree(ready(report([n])), ALL), (x) => {
      if (x.kind === 'nsg') nsgNode = x;
    });
    const tooltip = nsgNode?.tooltip ?? '';
    assert.match(tooltip, /public IP unknown from cluster \(.*:17\): enableNodePublicIp: nodePublicIp is only known at deployment/);
    assert.match(tooltip, /hbi yes from the setting, as mlw \(.*:30\) does not tell: hbiWorkspace: hbi is only known at deployment/);
  });

  it('finds an NSG by reference whatever the URI encoding, best line first', () => {
    const a = nsg('nsg-a', [requirement('aml-out-storage', 'blocked')], { file: 'file:///c%3A/infra/main.bicep', line: 5 });
    const b = nsg('nsg-a', [requirement('aml-out-storage', 'blocked')], { file: 'file:///c%3A/infra/main.bicep', line: 90, subnets: [{ vnet: 'vnet-b', name: 'snet-b' }] });
    const roots = buildWorkspaceTree(ready(report([a, b])), ALL);
    const found = findNsgNodes(roots, { uri: 'file:///c:/infra/main.bicep', name: 'nsg-a', line: 90 });
    assert.deepEqual(found.map((n) => n.nsg?.line), [90, 5]);
    assert.deepEqual(findNsgNodes(roots, { uri: 'file:///c:/infra/other.bicep', name: 'nsg-a' }), []);
  });

  it('describes ports with several tags and protocols', () => {
    const r = requirement('aml-out-container-registry', 'partial', {
      ports: [
        { protocol: 'Tcp', ports: '443', remote: 'MicrosoftContainerRegistry', outcome: 'allowed', detail: '', decidedBy: [rule('A', 'Allow', 3)] },
        { protocol: 'Udp', ports: '5831', remote: 'MicrosoftContainerRegistry', outcome: 'blocked', detail: '', decidedBy: [] },
        { protocol: 'Tcp', ports: '443', remote: 'AzureFrontDoor.FirstParty', outcome: 'blocked', detail: '', decidedBy: [] },
      ],
    });
    assert.equal(portsAndTag(r), 'TCP 443 · MicrosoftContainerRegistry; UDP 5831 · MicrosoftContainerRegistry; TCP 443 · AzureFrontDoor.FirstParty');
  });
});

describe('client report view helpers', () => {
  it('links only https documentation, with parentheses and spaces encoded', () => {
    assert.equal(markdownLink('Docs', 'https://learn.microsoft.com/a_(b) c'), '[Docs](https://learn.microsoft.com/a_%28b%29%20c)');
    assert.equal(markdownLink('Docs', 'javascript:alert(1)'), undefined);
    assert.equal(markdownLink('Docs', 'command:amlnet.fixNsg'), undefined);
  });

  it('escapes what would start a list, heading or quote at the start of a line', () => {
    assert.equal(escapeMarkdown('- a\n# b\n1. c\n> d'), '\\- a\n\\# b\n1\\. c\n\\> d');
    assert.equal(escapeMarkdown('a_b*c`d'), 'a\\_b\\*c\\`d');
  });
});

describe('client tree model: entry templates sharing a module', () => {
  it('keeps the two NSGs one module gives two entries apart, and says which entry deployed each', () => {
    const module = { file: 'modules/net.bicep', line: 5 };
    const roots = buildWorkspaceTree(ready(report([
      nsg('nsg-ml', [requirement('aml-out-storage', 'allowed')], { ...module, deployment: 'dev.bicep' }),
      nsg('nsg-ml', [requirement('aml-out-storage', 'blocked')], { ...module, deployment: 'prod.bicep' }),
    ])), ALL);
    const nodes: TreeNode[] = [];
    walk(roots, (n) => {
      if (n.kind === 'nsg') nodes.push(n);
    });
    assert.equal(nodes.length, 2);
    assert.notEqual(nodes[0].id, nodes[1].id);
    assert.deepEqual(nodes.map((n) => n.description?.replace(/^.* · deployed by /, '')).sort(), ['dev.bicep', 'prod.bicep']);
    // An NSG written in its entry's own file needs no such note.
    const own = buildWorkspaceTree(ready(report([nsg('nsg-a', [requirement('aml-out-storage', 'allowed')], { file: 'main.bicep', line: 3, deployment: 'main.bicep' })])), ALL);
    walk(own, (n) => {
      if (n.kind === 'nsg') assert.ok(!n.description?.includes('deployed by'), n.description);
    });
  });
});
