// What the editor shows besides diagnostics: a CodeLens on each NSG in scope with the CLI's count
// of met requirements, and a hover on a rule naming the requirements it decides.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CheckReport } from '../../../src/core/check/check-report';
import { activeApi, ARM, BICEP_NETWORK, cliReport, open, relativePath, waitFor } from './helpers';

/** "9 of 11": not-applicable left out; allowed-by-default counts as met (not strict). */
function metOfTotal(nsg: CheckReport['nsgs'][number]): string {
  const applicable = nsg.requirements.filter((r) => r.verdict !== 'not-applicable');
  const met = applicable.filter((r) => r.verdict === 'allowed' || r.verdict === 'allowed-by-default');
  return `${met.length} of ${applicable.length}`;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

describe('CodeLens and hover', () => {
  let report: CheckReport;
  before(async () => {
    await activeApi();
    report = cliReport();
  });

  for (const file of [ARM, BICEP_NETWORK]) {
    it(`${file}: a CodeLens on each NSG in scope with the number of requirements met`, async () => {
      const doc = await open(file);
      const nsgs = report.nsgs.filter((n) => n.inScope && n.file && relativePath(n.file) === file);
      assert.ok(nsgs.length > 0);
      // Polled: each call is a new request, and the first may come while the server reads the file.
      const lenses = await waitFor(`CodeLenses in ${file}`, async () => {
        const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        const ours = (all ?? []).filter((l) => l.command?.title.startsWith('Azure ML:'));
        return ours.length >= nsgs.length ? ours : undefined;
      }, 15_000);
      assert.equal(lenses.length, nsgs.length, lenses.map((l) => l.command?.title).join('; '));
      for (const nsg of nsgs) {
        const lens = lenses.find((l) => Math.abs(l.range.start.line + 1 - (nsg.line ?? 0)) <= 3);
        assert.ok(lens, `no CodeLens near line ${nsg.line} (${nsg.name}); lenses at ${lenses.map((l) => l.range.start.line + 1).join(', ')}`);
        assert.match(lens.command?.title ?? '', new RegExp(`^Azure ML: ${metOfTotal(nsg)} requirements met`));
      }
    });
  }

  it('a hover on the rule that blocks aml-out-key-vault says so', async () => {
    const nsg = report.nsgs.find((n) => n.inScope && n.file && relativePath(n.file) === ARM);
    const blocking = nsg?.requirements.find((r) => r.id === 'aml-out-key-vault')?.decidedBy.find((d) => d.access === 'Deny' && !d.default);
    assert.ok(blocking?.line, `the CLI names no blocking rule with a line: ${JSON.stringify(blocking)}`);
    const doc = await open(ARM);
    const line = doc.lineAt(blocking.line - 1);
    const position = new vscode.Position(line.lineNumber, line.firstNonWhitespaceCharacterIndex + 1);
    const text = await waitFor(`a hover on ${blocking.rule}`, async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
      const t = hoverText(hovers ?? []);
      return t.includes('Azure ML') ? t : undefined;
    }, 15_000);
    assert.match(text, new RegExp(blocking.rule));
    assert.match(text, /blocks\W+`?aml-out-key-vault/);
  });
});
