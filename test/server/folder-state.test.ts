import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { armTemplateReader } from '../../src/core/arm/arm-template-reader';
import { bicepReader } from '../../src/core/bicep/bicep-reader';
import { nodeFs, FolderState } from '../../src/server/folder-state';
import { readSettings } from '../../src/server/settings';
import { lensTitle } from '../../src/server/code-lens';
import { severityOf } from '../../src/server/diagnostics';

const EXAMPLES = resolve(__dirname, '..', '..', '..', 'examples');
const READERS = [bicepReader, armTemplateReader];

describe('server/folder-state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-folder-'));
    cpSync(EXAMPLES, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a file over the size limit as a problem and still checks the others', async () => {
    writeFileSync(join(dir, 'huge.bicep'), `// ${'x'.repeat(300 * 1024)}\n`);
    const folder = new FolderState(dir, READERS, true, nodeFs, 200 * 1024);
    const progress: number[] = [];
    await folder.index((done) => progress.push(done), 2);
    assert.equal(progress[progress.length - 1], 7);
    const check = folder.check();
    assert.deepEqual(check.result.problems.filter((p) => p.file === 'huge.bicep'), [{ file: 'huge.bicep', severity: 'error', message: 'larger than 200 KB: not read' }]);
    assert.equal(check.result.nsgs.length, 3);
    assert.equal(check.texts.has('huge.bicep'), false);
  });

  it('lets an open document\'s text win over the disk, and goes back to the disk when it closes', async () => {
    const folder = new FolderState(dir, READERS, true);
    await folder.index();
    const before = folder.check().result.nsgs.map((n) => n.nsg.name).sort();
    folder.setOpen('bicep/modules/network.bicep', "param location string\nresource n 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'nsg-open'\n  location: location\n}\n");
    const open = folder.check().result.nsgs.map((n) => n.nsg.name).sort();
    assert.deepEqual(open, ['nsg-mlw-mlops-prod-training', 'nsg-open']);
    folder.close('bicep/modules/network.bicep');
    assert.deepEqual(folder.check().result.nsgs.map((n) => n.nsg.name).sort(), before);
  });

  it('reports .amlnet.json errors with their position and checks with the defaults meanwhile', async () => {
    writeFileSync(join(dir, '.amlnet.json'), '{\n  "options": { "hbi": "yes" }\n}\n');
    const folder = new FolderState(dir, READERS, true);
    await folder.index();
    const check = folder.check();
    assert.equal(check.configFile, '.amlnet.json');
    assert.equal(check.configErrors.length, 1);
    assert.equal(check.configErrors[0].line, 2);
    assert.equal(check.checkSettings.edition.name, '2022-09');
    folder.setSettings(readSettings({ customRequirementsFile: 'missing.json' }));
    assert.match(folder.check().configErrors[0].message, /cannot read the custom requirements file/);
  });

  it('counts a CodeLens as the report does, and maps verdicts to severities by the settings', async () => {
    const folder = new FolderState(dir, READERS, true);
    await folder.index();
    const arm = folder.check().result.nsgs.find((n) => n.nsg.name === 'nsg-mlw-mlops-prod-training')!;
    const applicable = arm.verdicts.filter((v) => v.verdict !== 'not-applicable');
    assert.equal(lensTitle(arm, false), `Azure ML: ${applicable.length - 2} of ${applicable.length} requirements met (1 blocked, 1 partial)`);
    const bicep = folder.check().result.nsgs.find((n) => n.nsg.name === 'nsg-contoso-aml-compute')!;
    const byDefault = bicep.verdicts.filter((v) => v.verdict === 'allowed-by-default').length;
    assert.ok(byDefault > 0);
    assert.match(lensTitle(bicep, true), new RegExp(`${byDefault} allowed only by default\\)$`));
    const v = bicep.verdicts.find((x) => x.verdict === 'allowed-by-default')!;
    assert.equal(severityOf(v, readSettings({})), undefined, 'allowed-by-default only in strict mode');
    assert.equal(severityOf(v, readSettings({ strict: true })), 4);
    assert.equal(severityOf(v, readSettings({ strict: true, severity: { allowedByDefault: 'none' } })), undefined);
  });
});
