// The Azure view against the local ARM and Resource Graph server the runner starts
// (scripts/e2e-run.mjs passes AMLNET_TEST_AZURE_ENDPOINT, _CA_FILE and _TOKEN to the extension host;
// see src/client/azure-test-hook.ts). The tenant is test/azure/tenant.ts's FIXTURE, with the
// Locked subscription answering 403. Nothing is read before the test asks; nothing is written.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SnapshotNode } from '../../../src/client/api';
import { activeApi, waitFor, workspaceFile } from './helpers';

const PROD = '11111111-1111-1111-1111-111111111111';
const DEV = '22222222-2222-2222-2222-222222222222';
const LOCKED = '33333333-3333-3333-3333-333333333333';

async function read(api: Awaited<ReturnType<typeof activeApi>>): Promise<SnapshotNode[]> {
  await vscode.commands.executeCommand('amlnet.azure.refresh');
  await waitFor('the Azure view to be read', () => api.azureState() === 'ready' || api.azureState() === 'failed', 60_000);
  assert.equal(api.azureState(), 'ready');
  return api.azureTree();
}

function child(nodes: readonly SnapshotNode[], ...path: string[]): SnapshotNode {
  let current = nodes;
  let found: SnapshotNode | undefined;
  for (const label of path) {
    found = current.find((n) => n.label === label);
    assert.ok(found, `no "${label}" among ${current.map((n) => n.label).join(', ')}`);
    current = found.children;
  }
  return found!;
}

describe('Azure view (live, against the local ARM server)', function () {
  before(function () {
    if (!process.env.AMLNET_TEST_AZURE_ENDPOINT) this.skip();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('amlnet').update('azure.subscriptions', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('amlnet').update('scope', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('reads nothing until asked, then shows every subscription, one asked for but forbidden with its error', async () => {
    const api = await activeApi();
    assert.equal(api.azureState(), 'idle');
    assert.deepEqual(await api.azureTree(), []);
    // Through Resource Graph, a subscription the sign-in may not read is simply not listed...
    assert.deepEqual((await read(api)).map((n) => n.label), ['Dev', 'Prod']);
    // ... and asked for by id (the subscription filter), it is there with its error, the others still shown.
    await vscode.workspace.getConfiguration('amlnet').update('azure.subscriptions', [PROD, DEV, LOCKED], vscode.ConfigurationTarget.Global);
    const roots = await read(api);
    // Not listed, it has no name but its id (which sorts first).
    assert.deepEqual(roots.map((n) => n.label), [LOCKED, 'Dev', 'Prod']);
    const locked = child(roots, LOCKED);
    assert.equal(locked.icon, 'error');
    assert.equal(locked.contextValue, 'subscription.error');
    assert.match(locked.description ?? '', /not readable with this sign-in/);
    assert.deepEqual(locked.children, []);
    const nsg = child(roots, 'Prod', 'vnet-ml-prod', 'snet-train', 'nsg-train');
    assert.equal(nsg.contextValue, 'nsg.failing');
    assert.equal(child(nsg.children, 'Outbound', 'aml-out-storage').icon, 'error');
    // No Public IP (the cluster's enableNodePublicIp: false): the inbound Azure ML row does not apply.
    assert.equal(child(nsg.children, 'Inbound', 'aml-in-azure-machine-learning').icon, 'circle-slash');
    assert.ok(nsg.children.flatMap((d) => d.children).some((r) => r.icon === 'pass'));
    assert.match(nsg.tooltip ?? '', /resource group rg-ml-prod/);
  });

  it('checks what was read again when the scope setting changes', async () => {
    const api = await activeApi();
    await waitFor('the Azure view to be read', () => api.azureState() === 'ready', 60_000);
    const web = async () => child(await api.azureTree(), 'Prod', 'vnet-ml-prod', 'snet-web', 'nsg-web').contextValue;
    assert.equal(await web(), 'nsg.outOfScope');
    await vscode.workspace.getConfiguration('amlnet').update('scope', 'all', vscode.ConfigurationTarget.Workspace);
    await waitFor('nsg-web in scope', async () => (await web()) !== 'nsg.outOfScope');
    assert.equal(api.azureState(), 'ready');
    await vscode.workspace.getConfiguration('amlnet').update('scope', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('nsg-web out of scope again', async () => (await web()) === 'nsg.outOfScope');
  });

  it("applies the folder's .amlnet.json (a custom edition) as the Workspace view does, and again when it changes", async () => {
    const api = await activeApi();
    await waitFor('the Azure view to be read', () => api.azureState() === 'ready', 60_000);
    const outbound = async () => child(await api.azureTree(), 'Prod', 'vnet-ml-prod', 'snet-train', 'nsg-train', 'Outbound').children.map((n) => n.label);
    assert.ok((await outbound()).includes('aml-out-storage'));
    assert.ok(!(await outbound()).includes('e2e-out-sql'));
    const config = workspaceFile('.amlnet.json');
    const custom = {
      edition: 'e2e-custom',
      editions: {
        'e2e-custom': {
          extends: '2022-09',
          remove: ['aml-out-storage'],
          add: [{ id: 'e2e-out-sql', kind: 'service-tag', direction: 'Outbound', protocol: 'Tcp', ports: ['1433'], remote: [{ tag: 'Sql', regional: true }], purpose: 'A custom requirement of the end-to-end test.' }],
        },
      },
    };
    try {
      await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify(custom, null, 2)));
      await waitFor('the custom edition in the Azure view', async () => {
        const rows = await outbound();
        return !rows.includes('aml-out-storage') && rows.includes('e2e-out-sql');
      });
      // Checked again from what was read: Azure was not read again.
      assert.equal(api.azureState(), 'ready');
    } finally {
      await vscode.workspace.fs.delete(config);
    }
    await waitFor('the built-in edition again', async () => (await outbound()).includes('aml-out-storage'));
  });

  it('opens az commands for the missing rules of a live NSG in an untitled editor', async () => {
    const api = await activeApi();
    await waitFor('the Azure view to be read', () => api.azureState() === 'ready', 60_000);
    const id = `/subscriptions/${PROD}/resourcegroups/rg-ml-prod/providers/microsoft.network/networksecuritygroups/nsg-train`;
    await vscode.commands.executeCommand('amlnet.azure.showFixCommands', { kind: 'nsg', label: 'nsg-train', nsg: { uri: id, name: 'nsg-train' } });
    const editor = await waitFor('the az commands', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.isUntitled && e.document.getText().includes('az network nsg rule create') ? e : undefined;
    });
    const text = editor.document.getText();
    assert.match(text, new RegExp(`--subscription ${PROD} \\\\\\n\\s+--resource-group rg-ml-prod \\\\\\n\\s+--nsg-name nsg-train`));
    assert.match(text, /--name AllowAzureML\w+Outbound/);
    assert.ok(!text.includes('amlnet-test-token'), 'no token in the output');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('opens the same rules as Bicep and as an ARM template for a failing requirement', async () => {
    const api = await activeApi();
    await waitFor('the Azure view to be read', () => api.azureState() === 'ready', 60_000);
    const id = `/subscriptions/${PROD}/resourcegroups/rg-ml-prod/providers/microsoft.network/networksecuritygroups/nsg-train`;
    const node = { kind: 'requirement', label: 'aml-out-storage', nsg: { uri: id, name: 'nsg-train' } };
    await vscode.commands.executeCommand('amlnet.azure.showFixBicep', node);
    const bicep = await waitFor('the Bicep snippet', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.isUntitled && e.document.getText().includes("existing = {") ? e.document.getText() : undefined;
    });
    assert.match(bicep, /resource nsg 'Microsoft\.Network\/networkSecurityGroups@[\d-]+' existing = \{\n {2}name: 'nsg-train'/);
    assert.match(bicep, /parent: nsg\n {2}name: 'AllowAzureMLStorageOutbound'/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('amlnet.azure.showFixArm', node);
    const arm = await waitFor('the ARM template', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.isUntitled && e.document.getText().includes('deploymentTemplate.json') ? e.document.getText() : undefined;
    });
    const template = JSON.parse(arm) as { resources: { name: string; properties: { destinationAddressPrefix: string } }[] };
    assert.deepEqual(template.resources.map((r) => [r.name, r.properties.destinationAddressPrefix]), [['nsg-train/AllowAzureMLStorageOutbound', 'Storage.westeurope']]);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
