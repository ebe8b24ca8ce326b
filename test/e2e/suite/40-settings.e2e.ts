// Changing a setting re-evaluates: the diagnostics follow `amlnet.scope` and `amlnet.strict`
// as the CLI's --scope and --strict do.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeApi, ARM, BICEP_NETWORK, cliReport, codes, expectedCodes, open, waitForCodes, workspaceFile } from './helpers';

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('amlnet').update(key, value, vscode.ConfigurationTarget.Global);
}

describe('settings', () => {
  const network = () => workspaceFile(BICEP_NETWORK);
  let defaults: string[];
  before(async () => {
    await activeApi();
    await open(BICEP_NETWORK);
    await open(ARM);
    defaults = expectedCodes(cliReport(), BICEP_NETWORK);
    await waitForCodes(network(), defaults);
  });
  afterEach(async () => {
    await setSetting('scope', undefined);
    await setSetting('strict', undefined);
  });

  it('amlnet.scope = all adds the NSG that is out of scope by default, and back', async () => {
    const all = expectedCodes(cliReport(['--scope', 'all']), BICEP_NETWORK);
    assert.ok(all.length > defaults.length, `--scope all should fail more in ${BICEP_NETWORK}: ${all.join(', ')}`);
    await setSetting('scope', 'all');
    await waitForCodes(network(), all);
    await setSetting('scope', undefined);
    await waitForCodes(network(), defaults);
  });

  it('amlnet.strict adds hints for requirements met only by a default rule, and back', async () => {
    const strictReport = cliReport(['--strict']);
    const strict = expectedCodes(strictReport, BICEP_NETWORK, true);
    const byDefault = strict.filter((c) => !defaults.includes(c));
    assert.ok(byDefault.length > 0, 'the examples have requirements met only by default rules');
    await setSetting('strict', true);
    const diags = await waitForCodes(network(), strict);
    for (const d of diags.filter((x) => byDefault.includes(String(typeof x.code === 'object' ? x.code.value : x.code)))) {
      assert.equal(d.severity, vscode.DiagnosticSeverity.Hint);
    }
    await setSetting('strict', undefined);
    await waitForCodes(network(), defaults);
    assert.deepEqual(codes(network()), defaults);
  });
});
