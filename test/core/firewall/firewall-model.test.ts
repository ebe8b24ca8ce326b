import * as assert from 'node:assert/strict';
import { isUnknown } from '../../../src/core/maybe';
import type { FirewallModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import { checkFiles, firewallSettings } from './firewall-harness';

// What the readers keep of firewalls for the firewall engine: rule collection groups (name,
// priority) of policy collections, the base policy link, DNS proxy, classic collections in Bicep.

function read(entry: string): WorkspaceModel {
  return checkFiles([entry], firewallSettings({ region: 'westeurope' })).model;
}

function byName(m: WorkspaceModel, name: string): FirewallModel {
  const f = m.firewalls.find((x) => x.name === name);
  assert.ok(f, `${name} not read (${m.firewalls.map((x) => x.name).join(', ')})`);
  return f;
}

const value = <T>(v: { value: unknown } | undefined): T | undefined => (v && !isUnknown(v.value) ? v.value as T : undefined);

describe('firewalls in the model', () => {
  it('Bicep: policy collections carry their group and its priority; base policy and DNS proxy are read', () => {
    const m = read('test/fixtures/firewall/bicep-policy-groups.bicep');
    const policy = byName(m, 'fwp-ml');
    assert.deepEqual(policy.ruleCollections.map((c) => [c.group?.name, value(c.group?.priority), c.name, value(c.priority)]), [
      ['rcg-deny', 100, 'deny-pytorch', 100],
      ['rcg-aml', 200, 'aml-network', 110],
      ['rcg-aml', 200, 'aml-apps', 120],
    ]);
    assert.equal(policy.basePolicy?.target, byName(m, 'fwp-base').key);
    assert.equal(value(policy.dnsProxy), true);
    assert.equal(byName(m, 'fwp-base').dnsProxy, undefined);
    assert.equal(byName(m, 'fw-hub').policy?.target, policy.key);
  });

  it('Bicep: a classic firewall\'s collections and private IP are read', () => {
    const fw = byName(read('test/fixtures/firewall/bicep-wildcards.bicep'), 'fw-wild');
    assert.deepEqual(fw.ruleCollections.map((c) => [c.kind, c.name, value(c.priority)]), [['application', 'deny-cran-http', 100], ['application', 'packages', 200]]);
    assert.equal(value(fw.privateIp), '10.2.1.4');
    assert.ok(fw.privateIp?.span, 'the private IP has a span');
  });

  it('ARM: a rule collection group resource gives its collections its name and priority; DNS proxy is read', () => {
    const m = read('test/fixtures/firewall/arm-policy-2025.json');
    const policy = byName(m, 'fwp-2025');
    assert.deepEqual(policy.ruleCollections.map((c) => [c.group?.name, value(c.group?.priority), c.name, value(c.priority)]), [
      ['rcg-platform', 300, 'net-aml', 100],
      ['rcg-platform', 300, 'app-aml', 200],
    ]);
    assert.equal(value(policy.dnsProxy), true);
    assert.equal(policy.basePolicy, undefined);
  });

  it('ARM: classic collections keep their kind and priority, without a group', () => {
    const fw = byName(read('test/fixtures/firewall/arm-classic-rules.json'), 'fw-ml');
    assert.deepEqual(fw.ruleCollections.map((c) => [c.kind, c.name, value(c.priority), c.group]).sort(), [
      ['application', 'allow-packages', 300, undefined],
      ['network', 'allow-aml', 200, undefined],
      ['network', 'deny-rstudio', 100, undefined],
    ]);
    assert.equal(fw.dnsProxy, undefined);
  });
});
