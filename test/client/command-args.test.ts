import * as assert from 'node:assert/strict';
import { nsgRefOf, targetOf } from '../../src/client/command-args';
import { buildWorkspaceTree, walk, type TreeNode } from '../../src/client/tree-model';
import { examplesReport, ready } from './report-builders';

function first(kind: TreeNode['kind']): TreeNode {
  let found: TreeNode | undefined;
  walk(buildWorkspaceTree(ready(examplesReport()), { onlyFailing: false }), (n) => {
    found ??= n.kind === kind ? n : undefined;
  });
  assert.ok(found);
  return found;
}

describe('client command arguments', () => {
  it('reads the NSG of a tree node (the NSG itself or one of its requirements) and of a CodeLens NsgRef', () => {
    const nsg = first('nsg');
    assert.deepEqual(nsgRefOf(nsg), nsg.nsg);
    assert.deepEqual(nsgRefOf(first('requirement')), nsg.nsg);
    assert.deepEqual(nsgRefOf({ uri: 'file:///a.bicep', name: 'nsg-x', line: 4 }), { uri: 'file:///a.bicep', name: 'nsg-x', line: 4 });
    assert.deepEqual(nsgRefOf({ uri: 'file:///a.bicep', name: 'nsg-x', line: '4' }), { uri: 'file:///a.bicep', name: 'nsg-x' });
  });

  it('finds no NSG in what carries none (a VNet node, nothing, a bare URI)', () => {
    assert.equal(nsgRefOf(first('vnet')), undefined);
    assert.equal(nsgRefOf(undefined), undefined);
    assert.equal(nsgRefOf('file:///a.bicep'), undefined);
    assert.equal(nsgRefOf({ uri: '', name: 'x' }), undefined);
  });

  it('reads the place to reveal from a node or a plain target', () => {
    const req = first('requirement');
    assert.deepEqual(targetOf(req), req.target);
    assert.deepEqual(targetOf({ uri: 'file:///a.bicep', line: 9 }), { uri: 'file:///a.bicep', line: 9 });
    assert.equal(targetOf(first('vnet')), undefined);
    assert.equal(targetOf(null), undefined);
  });
});
