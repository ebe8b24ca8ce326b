// Quick fixes and fix-all: the edits apply, the diagnostics they fix clear, and the CLI agrees
// once the files are saved (in the temp copy of examples/). Runs after the read-only tests: it
// changes the files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeApi, ARM, BICEP_NETWORK, cliReport, codeOf, expectedCodes, open, relativePath, waitFor, waitForCodes } from './helpers';

type Action = vscode.CodeAction | vscode.Command;
/** A Command has `command: string`; a CodeAction's `command`, when it has one, is an object. */
const isCodeAction = (a: Action): a is vscode.CodeAction => typeof (a as vscode.Command).command !== 'string';

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind: string): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<Action[]>('vscode.executeCodeActionProvider', uri, range, kind);
  return (actions ?? []).filter(isCodeAction);
}

async function apply(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applying "${action.title}" failed`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

function failingInCli(file: string): string[] {
  return expectedCodes(cliReport(), file);
}

describe('fixes', () => {
  before(async () => {
    await activeApi();
  });
  after(async () => {
    // Leave no dirty editors behind (the workspace is a temp copy; its files may stay changed).
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
  });

  it('the preferred quick fix for aml-out-key-vault on the ARM template adds the rule and clears that diagnostic only', async () => {
    const doc = await open(ARM);
    const uri = doc.uri;
    const before = expectedCodes(cliReport(), ARM);
    assert.ok(before.includes('aml-out-key-vault'), before.join(', '));
    const diags = await waitForCodes(uri, before);
    const target = diags.find((d) => codeOf(d) === 'aml-out-key-vault');
    assert.ok(target);

    // vscode.executeCodeActionProvider does not hand back an action's `diagnostics`, so the
    // requirement id in the title (which the user reads too) says which diagnostic it fixes.
    // Polled: right after a document opens, the server may still be reading it.
    let actions: vscode.CodeAction[] = [];
    const preferred = await waitFor('a preferred quick fix naming aml-out-key-vault', async () => {
      actions = await codeActions(uri, target.range, vscode.CodeActionKind.QuickFix.value);
      const found = actions.filter((a) => a.isPreferred && a.title.includes('aml-out-key-vault'));
      return found.length > 0 ? found : undefined;
    }, 10_000).catch(() => [] as vscode.CodeAction[]);
    assert.equal(preferred.length, 1, `preferred quick fixes for aml-out-key-vault: ${actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join('; ')}`);
    const mentions = () => doc.getText().split('AzureKeyVault').length - 1;
    const mentionsBefore = mentions();
    await apply(preferred[0]);
    assert.ok(mentions() > mentionsBefore, 'the quick fix added no rule for AzureKeyVault');

    const after = before.filter((c) => c !== 'aml-out-key-vault');
    await waitForCodes(uri, after);

    // On disk, the CLI sees the same: the requirement is allowed now, the rest unchanged.
    assert.ok(await doc.save(), 'saving failed');
    assert.deepEqual(failingInCli(ARM), after);
    const nsg = cliReport().nsgs.find((n) => n.file && relativePath(n.file) === ARM && n.inScope);
    assert.equal(nsg?.requirements.find((r) => r.id === 'aml-out-key-vault')?.verdict, 'allowed');
  });

  it('source.fixAll.amlnet on the Bicep network module clears every fixable diagnostic in the file, and a second fix-all changes nothing', async () => {
    const doc = await open(BICEP_NETWORK);
    const uri = doc.uri;
    const before = expectedCodes(cliReport(), BICEP_NETWORK);
    assert.ok(before.length >= 2, before.join(', '));
    await waitForCodes(uri, before);

    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    let fixAll: vscode.CodeAction[] = [];
    await waitFor('a source.fixAll.amlnet action', async () => (fixAll = await codeActions(uri, whole, 'source.fixAll.amlnet')).length > 0, 10_000)
      .catch(() => undefined);
    assert.equal(fixAll.length, 1, `fix-all actions: ${fixAll.map((a) => a.title).join('; ')}`);
    assert.ok(fixAll[0].kind && vscode.CodeActionKind.SourceFixAll.contains(fixAll[0].kind), `kind ${fixAll[0].kind?.value}`);
    await apply(fixAll[0]);

    await waitFor('no error diagnostics from amlnet in the file',
      () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'amlnet' && d.severity === vscode.DiagnosticSeverity.Error).length === 0);
    assert.ok(await doc.save(), 'saving failed');
    assert.deepEqual(failingInCli(BICEP_NETWORK), []);

    const textAfter = doc.getText();
    const again = await codeActions(uri, new vscode.Range(0, 0, doc.lineCount, 0), 'source.fixAll.amlnet');
    for (const a of again) await apply(a);
    assert.equal(doc.getText(), textAfter, 'a second fix-all changed the file');
  });
});
