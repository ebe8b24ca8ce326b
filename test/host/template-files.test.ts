import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTemplateFiles, isTemplatePath, readTemplateFile, tooLargeMessage, walkTemplateFiles } from '../../src/host/template-files';

describe('host/template-files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-host-'));
    for (const d of ['infra/modules', 'node_modules/pkg', '.git', '.hidden', 'out', 'dist']) mkdirSync(join(dir, d), { recursive: true });
    for (const f of ['infra/main.bicep', 'infra/main.bicepparam', 'infra/modules/a.json', 'infra/b.jsonc', 'infra/readme.md', '.amlnet.json', 'node_modules/pkg/x.bicep', '.git/y.json', '.hidden/z.bicep', 'out/o.json', 'dist/d.json']) {
      writeFileSync(join(dir, f), '{}');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds template names, skipping node_modules, .git, out, dist, dot-folders and .amlnet.json', () => {
    const { files, missing } = findTemplateFiles(['.'], dir);
    assert.deepEqual(files, ['infra/b.jsonc', 'infra/main.bicep', 'infra/main.bicepparam', 'infra/modules/a.json']);
    assert.deepEqual(missing, []);
    assert.equal(walkTemplateFiles(dir).length, 4);
    assert.deepEqual(findTemplateFiles(['nope', 'infra/main.bicep'], dir), { files: ['infra/main.bicep'], missing: ['nope'] });
  });

  it('tells template paths the same way for watched-file events', () => {
    assert.ok(isTemplatePath('infra/main.bicep'));
    assert.ok(isTemplatePath('../shared/x.bicep'));
    assert.ok(!isTemplatePath('node_modules/pkg/x.bicep'));
    assert.ok(!isTemplatePath('.github/x.json'));
    assert.ok(!isTemplatePath('.amlnet.json'));
    assert.ok(!isTemplatePath('readme.md'));
  });

  it('reads a file unless it is over the limit or missing', () => {
    writeFileSync(join(dir, 'big.json'), 'x'.repeat(2000));
    assert.deepEqual(readTemplateFile(join(dir, 'big.json'), 1000), { tooLarge: 2000 });
    assert.deepEqual(readTemplateFile(join(dir, 'big.json'), 4000), { text: 'x'.repeat(2000) });
    assert.ok('error' in readTemplateFile(join(dir, 'missing.json')));
    assert.equal(tooLargeMessage(2 * 1024 * 1024), 'larger than 2 MB: not read');
  });
});
