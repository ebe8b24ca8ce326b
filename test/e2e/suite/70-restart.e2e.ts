// Killing the language server: the client starts a new one, which checks the workspace again.
// Runs last: if the restart fails, nothing after it could pass.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeApi, BICEP_NETWORK, cliReport, expectedCodes, open, waitFor, waitForCodes, workspaceFile } from './helpers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a killed language server', () => {
  it('is restarted by the client, and the new server re-evaluates', async () => {
    const api = await activeApi();
    await open(BICEP_NETWORK);
    const uri = workspaceFile(BICEP_NETWORK);
    const defaults = expectedCodes(cliReport(), BICEP_NETWORK);
    await waitForCodes(uri, defaults);
    const old = await waitFor('the server process id', () => api.serverProcessId());

    process.kill(old, 'SIGKILL');
    await waitFor(`process ${old} to end`, () => !alive(old), 10_000);
    const fresh = await waitFor('a new server process', () => {
      const pid = api.serverProcessId();
      return pid !== undefined && pid !== old && alive(pid) ? pid : undefined;
    }, 30_000);
    assert.notEqual(fresh, old);

    // The new server answers: its diagnostics follow a setting change made after the restart.
    await waitForCodes(uri, defaults);
    const all = expectedCodes(cliReport(['--scope', 'all']), BICEP_NETWORK);
    await vscode.workspace.getConfiguration('amlnet').update('scope', 'all', vscode.ConfigurationTarget.Global);
    try {
      await waitForCodes(uri, all);
    } finally {
      await vscode.workspace.getConfiguration('amlnet').update('scope', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitForCodes(uri, defaults);
    const tree = await api.workspaceTree();
    assert.ok(tree.some((n) => n.contextValue === 'vnet'), 'the Workspace tree has the VNets again');
  });
});
