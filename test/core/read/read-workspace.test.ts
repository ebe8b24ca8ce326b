import * as assert from 'node:assert/strict';
import { checkModel } from '../../../src/core/check/check-model';
import type { AmlComputeModel, NsgModel, SubnetModel, VnetModel } from '../../../src/core/model/workspace-model';
import { emptyModel, joinPath, readWorkspace, type Reader, type SourceFile } from '../../../src/core/read/read-workspace';
import { settingsFor } from './fixture-harness';

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

  /**
   * A toy language with modules: an entry's `use` line deploys the module, whose NSG, VNet, subnet
   * (on the NSG, by key) and compute (on the subnet, by name) get keys of the module's file, as
   * the Bicep reader gives them; the entry's `publicIp` line sets the compute's public IP.
   */
  const moduleReader: Reader = {
    accepts: (f) => f.path.endsWith('.toy') && !f.path.startsWith('modules/'),
    read(file, host) {
      const used = [...file.text.matchAll(/^use (.+)$/gm)].map((m) => joinPath(file.path, m[1]));
      const model = { ...emptyModel(), nsgs: [] as NsgModel[], vnets: [] as VnetModel[], subnets: [] as SubnetModel[], computes: [] as AmlComputeModel[] };
      for (const u of used) {
        host.readFile(u);
        const at = `${u}#net`;
        model.nsgs.push({ kind: 'nsg', key: `${at}/nsg`, name: 'nsg-ml', rules: [], ruleStyle: 'none' });
        model.vnets.push({ kind: 'vnet', key: `${at}/vnet`, name: 'vnet-ml', addressPrefixes: { value: ['10.0.0.0/16'] }, subnets: [`${at}/vnet/subnets/compute`] });
        model.subnets.push({ kind: 'subnet', key: `${at}/vnet/subnets/compute`, name: 'compute', vnet: `${at}/vnet`, addressPrefixes: { value: ['10.0.0.0/24'] }, delegations: [], nsg: { target: `${at}/nsg`, text: 'nsg.id' } });
        model.computes.push({
          kind: 'aml-compute', key: `${at}/cluster`, name: 'cluster', computeType: { value: 'AmlCompute' }, publicIp: { value: /^publicIp true$/m.test(file.text) },
          subnet: { ref: { type: 'Microsoft.Network/virtualNetworks/subnets', name: 'compute', parent: 'vnet-ml' }, text: "resourceId('...', 'vnet-ml', 'compute')" },
        });
      }
      if (/^broken$/m.test(file.text)) model.problems = used.map((u) => ({ file: u, span: { file: u, start: 3, end: 4 }, severity: 'error', message: "Expected '}'" }));
      return { model, followed: used };
    },
  };

  it('keeps apart what entries read from a shared module: own keys, own deployment, links within it', () => {
    const files: SourceFile[] = [
      { path: 'dev.toy', text: 'use modules/net.toy\npublicIp false\n' },
      { path: 'prod.toy', text: 'use modules/net.toy\npublicIp true\n' },
    ];
    const model = readWorkspace(files, { readFile: () => '' }, [moduleReader]);
    assert.deepEqual(model.nsgs.map((n) => [n.key, n.deployment]), [['dev.toy>modules/net.toy#net/nsg', 'dev.toy'], ['prod.toy>modules/net.toy#net/nsg', 'prod.toy']]);
    assert.deepEqual(model.vnets.map((v) => v.subnets), [['dev.toy>modules/net.toy#net/vnet/subnets/compute'], ['prod.toy>modules/net.toy#net/vnet/subnets/compute']]);
    assert.deepEqual(model.subnets.map((s) => [s.vnet, s.nsg!.target]), [
      ['dev.toy>modules/net.toy#net/vnet', 'dev.toy>modules/net.toy#net/nsg'],
      ['prod.toy>modules/net.toy#net/vnet', 'prod.toy>modules/net.toy#net/nsg'],
    ]);
    assert.deepEqual(model.computes.map((c) => c.subnet!.target), ['dev.toy>modules/net.toy#net/vnet/subnets/compute', 'prod.toy>modules/net.toy#net/vnet/subnets/compute']);
    // Each NSG is checked with its own deployment's compute only: dev's with No Public IP.
    const result = checkModel(model, settingsFor());
    assert.deepEqual(result.nsgs.map((n) => [n.subnets.length, n.computes.length, n.options.publicIp.value]), [[1, 1, false], [1, 1, true]]);
  });

  it('leaves the model of a single entry as the reader made it (no deployment)', () => {
    const model = readWorkspace([{ path: 'dev.toy', text: 'use modules/net.toy\n' }], { readFile: () => '' }, [moduleReader]);
    assert.deepEqual(model.nsgs.map((n) => [n.key, n.deployment]), [['modules/net.toy#net/nsg', undefined]]);
    assert.equal(model.computes[0].subnet!.target, 'modules/net.toy#net/vnet/subnets/compute');
  });

  it('reports a problem of a shared module once, not once per entry', () => {
    const files: SourceFile[] = [{ path: 'dev.toy', text: 'use modules/net.toy\nbroken\n' }, { path: 'prod.toy', text: 'use modules/net.toy\nbroken\n' }];
    const model = readWorkspace(files, { readFile: () => '' }, [moduleReader]);
    assert.deepEqual(model.problems, [{ file: 'modules/net.toy', span: { file: 'modules/net.toy', start: 3, end: 4 }, severity: 'error', message: "Expected '}'" }]);
  });
});
