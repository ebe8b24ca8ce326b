// The harness itself: the tests run inside a real VS Code (code-server, web UI, Node extension
// host) with this repository loaded as the extension under development.
import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as vscode from 'vscode';

describe('the extension-host harness', () => {
  it('runs in code-server: a web UI with the extension host on the server side', () => {
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.ok(vscode.env.remoteName, 'the extension host runs remote (on the code-server side)');
    assert.equal(typeof process.versions.node, 'string');
  });

  it('loads this repository as extension amlnet.amlnet', () => {
    const ext = vscode.extensions.getExtension('amlnet.amlnet');
    assert.ok(ext, 'extension amlnet.amlnet is not known to VS Code');
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.equal(ext.packageJSON.name, 'amlnet');
  });

  it('opens the temp copy of examples/ as the workspace', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.ok(!folders[0].uri.fsPath.startsWith(resolve(__dirname, '../../../..')), 'the workspace must be a copy, not the repository');
    const bicep = await vscode.workspace.findFiles('**/*.bicep');
    assert.ok(bicep.length >= 2, `expected the example Bicep files, found ${bicep.length}`);
  });
});
