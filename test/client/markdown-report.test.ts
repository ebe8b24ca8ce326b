import * as assert from 'node:assert/strict';
import { markdownReport } from '../../src/client/markdown-report';
import { examplesReport, nsg, report, requirement } from './report-builders';

const displayPath = (uri: string): string => uri.replace('file:///work/amlnet-examples/', '');

/** The cells of a Markdown table row, split on unescaped pipes. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

describe('client Markdown report', () => {
  it('follows the tree: VNet, subnet with its compute, NSG with file and line, one row per requirement', () => {
    const md = markdownReport(examplesReport(), { onlyFailing: false, displayPath, workspaceName: 'examples' });
    const lines = md.split('\n');
    assert.equal(lines[0], '# Azure ML network report');
    assert.ok(lines.includes('Workspace: examples'));
    const headings = lines.filter((l) => l.startsWith('#'));
    assert.deepEqual(headings.slice(1), [
      '## VNet vnet-contoso-ml',
      '### Subnet snet-aml-compute (Azure ML compute: cpu-cluster)',
      '#### NSG nsg-contoso-aml-compute (bicep/modules/network.bicep:20)',
      '### Subnet snet-private-endpoints',
      '#### NSG nsg-contoso-private-endpoints (bicep/modules/network.bicep:153)',
      '## VNet vnet-mlops-prod',
      '### Subnet snet-training (Azure ML compute: gpu-cluster)',
      '#### NSG nsg-mlw-mlops-prod-training (arm/azuredeploy.json:65)',
    ]);
    const kv = lines.find((l) => l.startsWith('| aml-out-key-vault | Outbound | **Blocked**'));
    assert.ok(kv, md);
    assert.deepEqual(cells(kv), ['aml-out-key-vault', 'Outbound', '**Blocked**', 'TCP 443 · AzureKeyVault.westeurope', 'Blocked: TCP 443 to AzureKeyVault.westeurope denied by DenyInternetOutbound (priority 4000).', 'arm/azuredeploy.json:294']);
    assert.ok(md.includes('Not in scope (no Azure ML compute uses it'), 'the NSG out of scope says so');
    assert.ok(md.includes('| 2 | 3 | 0 | 2 | 14 | 5 |'), 'the summary row, from the report');
  });

  it('keeps only failing requirements of NSGs in scope when the view is filtered', () => {
    const md = markdownReport(examplesReport(), { onlyFailing: true, displayPath });
    const rows = md.split('\n').filter((l) => /^\| aml-/.test(l)).map((l) => cells(l)[0]);
    assert.deepEqual(rows, ['aml-out-azure-active-directory', 'aml-out-container-registry', 'aml-out-azure-monitor', 'aml-out-azure-machine-learning', 'aml-out-key-vault']);
    assert.ok(!md.includes('nsg-contoso-private-endpoints'));
    assert.ok(md.includes('Showing only failing requirements.'));
  });

  it('says everything is met when the filter leaves nothing', () => {
    const md = markdownReport(report([nsg('nsg-ok', [requirement('aml-out-storage', 'allowed')])]), { onlyFailing: true });
    assert.ok(md.includes('Every requirement in scope is met.'));
    assert.ok(!md.includes('#### NSG'));
  });

  it('escapes table cells so a pipe or markup in a name cannot break the table', () => {
    const md = markdownReport(report([nsg('nsg|x', [requirement('aml-out-storage', 'blocked', { explanation: 'a | b <script>' })])]), { onlyFailing: false });
    const row = md.split('\n').find((l) => l.startsWith('| aml-out-storage'));
    assert.ok(row);
    assert.equal(cells(row).length, 6);
    assert.ok(!md.includes('<script>'));
    assert.ok(md.includes('NSG nsg\\|x'));
  });

  it('lists problems reading templates', () => {
    const md = markdownReport(report([], { problems: [{ severity: 'error', message: 'Unexpected token', file: 'file:///work/amlnet-examples/bicep/bad.bicep', line: 3 }] }), { onlyFailing: false, displayPath });
    assert.ok(md.includes('## Problems reading templates\n\n- error: Unexpected token (bicep/bad.bicep:3)'));
    assert.ok(md.includes('No network security groups were found.'));
  });
});
