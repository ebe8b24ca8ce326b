import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { armTemplateReader } from '../../src/core/arm/arm-template-reader';
import { bicepReader } from '../../src/core/bicep/bicep-reader';
import { codeActions, FIX_ALL_KIND } from '../../src/server/code-actions';
import { folderDiagnostics } from '../../src/server/diagnostics';
import { FolderState, type FolderCheck } from '../../src/server/folder-state';
import { Positions } from '../../src/server/positions';
import { folderReport, mergeReports, withUris } from '../../src/server/report';
import { readSettings } from '../../src/server/settings';

const EXAMPLES = resolve(__dirname, '..', '..', '..', 'examples');

describe('server/code-actions, diagnostics and report (pure)', () => {
  let dir: string;
  let folder: FolderState;
  let check: FolderCheck;
  let positions: Positions;
  const uriOf = (f: string) => `mem:///${f}`;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-actions-'));
    cpSync(EXAMPLES, dir, { recursive: true });
    folder = new FolderState(dir, [bicepReader, armTemplateReader]);
    await folder.index();
    check = folder.check();
    positions = new Positions((f) => check.texts.get(f), uriOf);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function actionsFor(file: string, only?: string[], disabledSupport = true) {
    const diagnostics = folderDiagnostics(check, positions).get(file) ?? [];
    return codeActions({ check, file, diagnostics, only, nsgsAtRange: [], positions, uriOf, disabledSupport });
  }

  it('offers no disabled action to a client that cannot show one', () => {
    const shown = actionsFor('arm/azuredeploy.json');
    assert.ok(shown.some((a) => a.disabled));
    const hidden = actionsFor('arm/azuredeploy.json', undefined, false);
    assert.ok(hidden.length > 0 && hidden.every((a) => !a.disabled && a.edit));
  });

  it('takes fix names and priorities from the settings', () => {
    folder.setSettings(readSettings({ fix: { ruleNamePrefix: 'Corp', priorityStart: 300, priorityStep: 7 } }));
    check = folder.check();
    positions = new Positions((f) => check.texts.get(f), uriOf);
    const fix = actionsFor('bicep/modules/network.bicep', [FIX_ALL_KIND])[0];
    const inserted = Object.values(fix.edit!.changes!).flat().map((e) => e.newText).join('\n');
    assert.match(inserted, /name: 'CorpAzureMonitorOutbound'/);
    assert.match(inserted, /priority: 300\b/);
    assert.match(inserted, /priority: 307\b/);
    assert.ok(!actionsFor('bicep/modules/network.bicep', ['refactor']).length, 'nothing for other kinds');
  });

  it('puts the related information and data a quick fix needs on each diagnostic', () => {
    const diags = folderDiagnostics(check, positions);
    const monitor = diags.get('bicep/modules/network.bicep')!.find((d) => d.code === 'aml-out-azure-monitor')!;
    assert.deepEqual(monitor.data, { kind: 'requirement', nsg: check.result.nsgs.find((n) => n.nsg.name === 'nsg-contoso-aml-compute')!.nsg.key, id: 'aml-out-azure-monitor' });
    // Bicep NSGs with inline rules: on the securityRules key.
    assert.equal(check.texts.get('bicep/modules/network.bicep')!.split('\n')[monitor.range.start.line].trim(), 'securityRules: [');
    assert.ok(monitor.relatedInformation!.some((r) => r.location.uri === 'mem:///bicep/main.bicep' && /compute/.test(r.message)));
    // The module's NSG names the entry that deployed it (the folder holds two entries); the ARM one is its own entry.
    assert.match(String(monitor.message), /^nsg-contoso-aml-compute \(deployed by bicep\/main\.bicepparam; outbound aml-out-azure-monitor\): /);
    assert.match(String(diags.get('arm/azuredeploy.json')!.find((d) => d.code === 'aml-out-key-vault')!.message), /^nsg-\S+ \(outbound aml-out-key-vault\): /);
  });

  it('merges folder reports and turns every file field into a URI', () => {
    const report = withUris(folderReport(check, positions, '1.2.3'), uriOf);
    assert.ok(JSON.stringify(report).includes('"file":"mem:///arm/azuredeploy.json"'));
    assert.ok(!/"file":"(?!mem:)/.test(JSON.stringify(report)));
    // The folder holds two entry templates: each NSG names its entry, as a URI too.
    assert.deepEqual([...new Set(report.nsgs.map((n) => n.deployment))].sort(), ['mem:///arm/azuredeploy.json', 'mem:///bicep/main.bicepparam']);
    const merged = mergeReports([report, report], '1.2.3', '2022-09');
    assert.equal(merged.nsgs.length, report.nsgs.length * 2);
    assert.equal(merged.summary.blocked, report.summary.blocked * 2);
    assert.equal(mergeReports([], '1.2.3', '2022-09').nsgs.length, 0);
  });
});
