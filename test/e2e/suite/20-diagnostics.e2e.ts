// Diagnostics on the example files agree with the CLI's report for the same workspace copy.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CheckReport } from '../../../src/core/check/check-report';
import { activeApi, amlnetDiagnostics, ARM, BICEP_NETWORK, cliReport, codeOf, expectedCodes, open, relativePath, waitForCodes, workspaceFile } from './helpers';

describe('diagnostics', () => {
  let report: CheckReport;
  before(async () => {
    await activeApi();
    report = cliReport();
    await open(ARM);
    await open(BICEP_NETWORK);
    await open('bicep/main.bicep');
  });

  it('the CLI report for the workspace copy has failures in both files (so the comparisons below mean something)', () => {
    assert.ok(expectedCodes(report, ARM).includes('aml-out-key-vault'), JSON.stringify(expectedCodes(report, ARM)));
    assert.ok(expectedCodes(report, BICEP_NETWORK).includes('aml-out-azure-monitor'), JSON.stringify(expectedCodes(report, BICEP_NETWORK)));
  });

  for (const file of [ARM, BICEP_NETWORK]) {
    it(`${file}: one amlnet diagnostic per failing requirement, as the CLI reports them`, async () => {
      const uri = workspaceFile(file);
      const diags = await waitForCodes(uri, expectedCodes(report, file));
      for (const d of diags) {
        const nsg = report.nsgs.find((n) => n.file && relativePath(n.file) === file && n.inScope && n.requirements.some((r) => r.id === codeOf(d)));
        assert.ok(nsg, `no in-scope NSG in ${file} fails ${codeOf(d)}`);
        const verdict = nsg.requirements.find((r) => r.id === codeOf(d))?.verdict;
        if (verdict === 'blocked' || verdict === 'partial') assert.equal(d.severity, vscode.DiagnosticSeverity.Error, `${codeOf(d)} is ${verdict}`);
        // On the NSG's declaration: at or after its line, before the next NSG in the same file.
        const next = Math.min(...report.nsgs.filter((n) => n.file === nsg.file && (n.line ?? 0) > (nsg.line ?? 0)).map((n) => n.line ?? Infinity));
        assert.ok(d.range.start.line + 1 >= (nsg.line ?? 1) && d.range.start.line + 1 < next,
          `${codeOf(d)} at line ${d.range.start.line + 1}, NSG ${nsg.name} at line ${nsg.line}`);
      }
    });
  }

  it('links each diagnostic to its documentation', async () => {
    const uri = workspaceFile(ARM);
    await waitForCodes(uri, expectedCodes(report, ARM));
    for (const d of amlnetDiagnostics(uri)) {
      const code = d.code;
      assert.ok(typeof code === 'object' && code !== null && /^https:\/\//.test(code.target.toString()), `${codeOf(d)}: code = ${JSON.stringify(code)}`);
    }
  });

  it('no amlnet diagnostics on a file without NSGs', async () => {
    const uri = workspaceFile('bicep/main.bicep');
    await waitForCodes(uri, expectedCodes(report, 'bicep/main.bicep'));
    assert.deepEqual(amlnetDiagnostics(uri).map(codeOf), []);
  });
});
