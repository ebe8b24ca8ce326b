// The extension activates in the workspace copy of examples/, returns its API, and registers
// every command and view it contributes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeApi, EXTENSION_ID, waitFor } from './helpers';

describe('the amlnet extension', () => {
  it('activates on the examples workspace and returns its API with a running language server', async () => {
    const api = await activeApi();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    const pid = await waitFor('the language server process id', () => api.serverProcessId(), 30_000);
    assert.ok(Number.isInteger(pid) && pid > 0, `serverProcessId() = ${pid}`);
    assert.notEqual(pid, process.pid, 'the server runs in its own process');
    process.kill(pid, 0); // throws if no such process
  });

  it('registers every command in package.json contributes.commands', async () => {
    await activeApi();
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes?.commands ?? [];
    assert.ok(contributed.length >= 5, `expected the amlnet commands to be contributed, found ${contributed.length}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    for (const c of contributed) assert.match(c.command, /^amlnet\./);
  });

  it('contributes the Workspace and Requirements views, which can be shown', async () => {
    await activeApi();
    const views = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes?.views ?? {};
    const ids = Object.values(views).flat().map((v) => (v as { id: string }).id);
    assert.ok(ids.includes('amlnet.workspace'), `views: ${ids.join(', ')}`);
    assert.ok(ids.includes('amlnet.requirements'), `views: ${ids.join(', ')}`);
    // VS Code registers `<view>.focus` for every view it knows; running it opens the sidebar.
    await vscode.commands.executeCommand('amlnet.workspace.focus');
    await vscode.commands.executeCommand('amlnet.requirements.focus');
  });
});
