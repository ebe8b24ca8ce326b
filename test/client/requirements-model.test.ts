import * as assert from 'node:assert/strict';
import { buildRequirementsTree, parseRequirementsJson } from '../../src/client/requirements-model';
import type { TreeNode } from '../../src/client/tree-model';
import { requirementsJson } from './report-builders';

const INFERRED = { publicIp: null, hbi: null, region: null, cloud: null };

function group(roots: readonly TreeNode[], id: string): TreeNode {
  const g = roots.find((n) => n.id === id);
  assert.ok(g, `no group ${id} among ${roots.map((n) => n.id).join(', ')}`);
  return g;
}

describe('client requirements model', () => {
  const roots = buildRequirementsTree(requirementsJson(), INFERRED);

  it('starts with the edition, then the options, the directions, host names and what does not apply', () => {
    assert.deepEqual(roots.map((n) => n.label), ['Edition 2022-09', 'Options', 'Inbound', 'Outbound', 'Host names (firewall rules)', 'Not applicable']);
    assert.match(roots[0].description ?? '', /^default · Azure Machine Learning required public internet access/);
    assert.equal(roots[0].command, 'amlnet.switchEdition');
  });

  it('shows each requirement with its ports, tag (region filled in), purpose and conditions', () => {
    const outbound = group(roots, 'outbound');
    const storage = outbound.children.find((n) => n.label === 'aml-out-storage');
    assert.ok(storage);
    assert.equal(storage.description, 'TCP 443 · Storage.westeurope');
    assert.match(storage.tooltip ?? '', /Access data stored in the Azure Storage Account/);
    assert.match(storage.tooltip ?? '', /Applies: always\./);
    const inbound = group(roots, 'inbound');
    assert.deepEqual(inbound.children.map((n) => n.label), ['aml-in-batch-node-management', 'aml-in-azure-machine-learning']);
    assert.match(inbound.children[0].tooltip ?? '', /Applies: only for computes with a public IP\./);
    assert.equal(inbound.description, '2');
  });

  it('lists what the options rule out, with the reason', () => {
    const na = group(roots, 'notApplicable');
    const kv = na.children.find((n) => n.label === 'aml-out-key-vault');
    assert.equal(kv?.description, 'only for an hbi workspace (option hbi is off)');
    assert.equal(na.children.length, 15);
  });

  it('shows the options, marks inferred ones, and links the settable ones to their commands', () => {
    const options = group(roots, 'options').children;
    const byKey = Object.fromEntries(options.map((n) => [n.id.replace('options/', ''), n]));
    assert.equal(byKey.publicIp.description, 'yes (inferred)');
    assert.equal(byKey.publicIp.command, 'amlnet.setPublicIp');
    assert.equal(byKey.publicIp.contextValue, 'option.publicIp');
    assert.equal(byKey.region.description, 'westeurope (inferred)');
    assert.equal(byKey.cloud.description, 'AzureCloud');
    assert.equal(byKey.packages.description, 'conda, pip');
    assert.equal(byKey.aks.command, undefined);
    const set = buildRequirementsTree(requirementsJson(), { publicIp: true, hbi: false, region: 'westeurope', cloud: null });
    const setOptions = Object.fromEntries(group(set, 'options').children.map((n) => [n.id.replace('options/', ''), n.description]));
    assert.equal(setOptions.publicIp, 'yes');
    assert.equal(setOptions.hbi, 'no');
  });

  it('shows a loading item before the answer and a warning for an answer it cannot read', () => {
    assert.equal(buildRequirementsTree(undefined, INFERRED)[0].kind, 'loading');
    const bad = buildRequirementsTree({ edition: 'x' }, INFERRED);
    assert.equal(bad.length, 1);
    assert.equal(bad[0].icon?.id, 'warning');
    assert.equal(parseRequirementsJson(null), undefined);
  });

  it('drops malformed requirement rows rather than failing', () => {
    const json = requirementsJson() as { requirements: unknown[] };
    const parsed = parseRequirementsJson({ ...json, requirements: [...json.requirements, { id: 7 }, null] });
    assert.equal(parsed?.requirements.length, json.requirements.length);
  });
});
