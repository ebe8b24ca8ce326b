// Runs in the multi-root workspace of `scripts/e2e-run.mjs --multi-root`: the examples copy first,
// then test/fixtures/multi-root-second/ (named "second", with `.amlnet.json` choosing 2025-02).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeApi, BICEP_NETWORK, waitFor, workspaceFile } from '../suite/helpers';

function secondFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === 'second');
  assert.ok(folder, 'the runner opened no folder named "second"');
  return folder;
}

describe('a multi-root workspace', () => {
  it("shows the active editor's folder in the Requirements view, with that folder's .amlnet.json", async () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 2);
    const api = await activeApi();
    const edition = async () => (await api.requirementsTree()).find((n) => n.label.startsWith('Edition '))?.label;
    await vscode.window.showTextDocument(workspaceFile(BICEP_NETWORK));
    await waitFor("the first folder's edition", async () => (await edition()) === 'Edition 2022-09');

    await vscode.window.showTextDocument(vscode.Uri.joinPath(secondFolder().uri, 'main.bicep'));
    await waitFor("the second folder's edition", async () => (await edition()) === 'Edition 2025-02');
    // An editor outside every folder changes nothing.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'bicep', content: '// untitled\n' }));
    await waitFor('the untitled editor', () => vscode.window.activeTextEditor?.document.isUntitled);
    assert.equal(await edition(), 'Edition 2025-02');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

    await vscode.window.showTextDocument(workspaceFile(BICEP_NETWORK));
    await waitFor("the first folder's edition again", async () => (await edition()) === 'Edition 2022-09');
  });
});
