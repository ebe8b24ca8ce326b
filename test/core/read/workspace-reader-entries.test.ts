import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { readWorkspace, type SourceFile } from '../../../src/core/read/read-workspace';
import { findTemplateFiles } from '../../../src/host/template-files';
import { WorkspaceReader } from '../../../src/core/read/workspace-reader';

const EXAMPLES = resolve(__dirname, '..', '..', '..', '..', 'examples');
const READERS = [bicepReader, armTemplateReader];

function examples(): SourceFile[] {
  return findTemplateFiles(['.'], EXAMPLES).files.map((path) => ({ path, text: readFileSync(join(EXAMPLES, path), 'utf8') }));
}

function hostOf(files: readonly SourceFile[]) {
  return { readFile: (p: string) => files.find((f) => f.path === p)?.text };
}

describe('core/read/workspace-reader: which entries are read again', () => {
  it('gives readWorkspace\'s model, and re-reads nothing when nothing changed', () => {
    const files = examples();
    const reader = new WorkspaceReader(READERS);
    assert.deepEqual(reader.read(files, hostOf(files)), readWorkspace(files, hostOf(files), READERS));
    assert.equal(reader.stats.reused, 0);
    const entries = reader.stats.read;
    assert.ok(entries >= 4);
    assert.deepEqual(reader.read(files, hostOf(files)), readWorkspace(files, hostOf(files), READERS));
    assert.deepEqual(reader.stats, { read: 0, reused: entries });
  });

  it('re-reads only the edited module and the entries that reach it', () => {
    const files = examples();
    const reader = new WorkspaceReader(READERS);
    reader.read(files, hostOf(files));
    const edited = files.map((f) => (f.path === 'bicep/modules/network.bicep' ? { ...f, text: f.text.replace("destinationPortRange: '443'", "destinationPortRange: '444'") } : f));
    const model = reader.read(edited, hostOf(edited));
    assert.deepEqual(model, readWorkspace(edited, hostOf(edited), READERS));
    // network.bicep itself and main.bicepparam (which reads main.bicep and its module). Not main.bicep: a
    // template used by a .bicepparam file is read through it, so its own read looks at no module. Not the ARM template.
    assert.deepEqual(reader.stats, { read: 2, reused: 2 });

    const armEdit = edited.map((f) => (f.path === 'arm/azuredeploy.parameters.json' ? { ...f, text: f.text.replace('westeurope', 'northeurope') } : f));
    assert.deepEqual(reader.read(armEdit, hostOf(armEdit)), readWorkspace(armEdit, hostOf(armEdit), READERS));
    assert.deepEqual(reader.stats, { read: 1, reused: 3 }, 'a parameter file change re-reads only its template');
  });

  it('reads everything again when a file is added or removed (it may pair with any entry)', () => {
    const files = examples();
    const reader = new WorkspaceReader(READERS);
    reader.read(files, hostOf(files));
    const more = [...files, { path: 'extra.bicep', text: "param x string = 'y'\n" }];
    assert.deepEqual(reader.read(more, hostOf(more)), readWorkspace(more, hostOf(more), READERS));
    assert.equal(reader.stats.reused, 0);
  });

  it('turns a reader that throws into a problem on that file', () => {
    const boom = { accepts: (f: SourceFile) => f.path === 'a.bicep', read: () => { throw new Error('boom'); } };
    const reader = new WorkspaceReader([boom]);
    const model = reader.read([{ path: 'a.bicep', text: '' }], { readFile: () => undefined });
    assert.deepEqual(model.problems, [{ file: 'a.bicep', severity: 'error', message: 'amlnet could not read this file: boom' }]);
  });
});
