import * as assert from 'node:assert/strict';
import { emptyModel, joinPath, readWorkspace, type Reader, type SourceFile } from '../../../src/core/read/read-workspace';

/** A reader for a toy language: each `.toy` file declares one NSG and may pull in the files it names on `use` lines. */
const toyReader: Reader = {
  accepts: (f) => f.path.endsWith('.toy'),
  read(file, host) {
    if (file.text.includes('explode')) throw new Error('toy reader failed');
    const used = [...file.text.matchAll(/^use (.+)$/gm)].map((m) => joinPath(file.path, m[1]));
    for (const u of used) host.readFile(u);
    return {
      model: { ...emptyModel(), nsgs: [{ kind: 'nsg', key: `${file.path}#nsg`, name: `nsg-${file.path}`, rules: [], ruleStyle: 'none' }] },
      followed: used,
    };
  },
};

describe('read-workspace', () => {
  it('joins relative paths the way templates write them', () => {
    assert.equal(joinPath('infra/main.bicep', './modules/nsg.bicep'), 'infra/modules/nsg.bicep');
    assert.equal(joinPath('infra/env/main.bicep', '../../shared/x.json'), 'shared/x.json');
    assert.equal(joinPath('main.json', 'nested\\linked.json'), 'nested/linked.json');
    assert.equal(joinPath('/abs/dir/main.json', '../x.json'), '/abs/x.json');
  });

  it('reads every accepted file, and drops files that another file pulled in', () => {
    const files: SourceFile[] = [
      { path: 'a/main.toy', text: 'use ./mod.toy\n' },
      { path: 'a/mod.toy', text: '' },
      { path: 'b/other.toy', text: '' },
      { path: 'readme.md', text: 'use a/main.toy' },
    ];
    const model = readWorkspace(files, { readFile: () => '' }, [toyReader]);
    assert.deepEqual(model.nsgs.map((n) => n.name), ['nsg-a/main.toy', 'nsg-b/other.toy']);
  });

  it('reports a reader that fails and goes on with the other files', () => {
    const model = readWorkspace([{ path: 'bad.toy', text: 'explode' }, { path: 'good.toy', text: '' }], { readFile: () => undefined }, [toyReader]);
    assert.deepEqual(model.nsgs.map((n) => n.name), ['nsg-good.toy']);
    assert.deepEqual(model.problems, [{ file: 'bad.toy', severity: 'error', message: 'amlnet could not read this file: toy reader failed' }]);
  });
});
