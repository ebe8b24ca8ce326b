import * as assert from 'node:assert/strict';
import type { BicepFile, Expression, ObjectExpression, ResourceDeclaration, Statement } from '../../../src/core/bicep/syntax';
import { walk } from '../../../src/core/bicep/walk';
import { checkInvariants, FIXTURE_NAMES, parseFixture, shape, src } from './helpers';

function named<K extends Statement['kind']>(file: BicepFile, kind: K, name: string): Extract<Statement, { kind: K }> {
  const s = file.statements.find((x) => x.kind === kind && 'name' in x && x.name.kind === 'identifier' && x.name.name === name);
  assert.ok(s, `${kind} ${name}`);
  return s as Extract<Statement, { kind: K }>;
}

/** The value of `key` in an object, by identifier or string key. */
function prop(o: Expression, key: string): Expression {
  assert.equal(o.kind, 'object', `object expected for ${key}`);
  for (const p of (o as ObjectExpression).properties) {
    if (p.kind !== 'property') continue;
    const k = typeof p.key === 'string' ? p.key : p.key.kind === 'string' ? p.key.value : undefined;
    if (k === key) return p.value;
  }
  return assert.fail(`no property ${key}`);
}

function stringValue(e: Expression): string {
  assert.equal(e.kind, 'string');
  return (e as { value: string }).value;
}

describe('bicep parser: realistic files', () => {
  for (const name of FIXTURE_NAMES) {
    it(`parses ${name} cleanly`, () => {
      const file = parseFixture(name);
      assert.deepEqual(file.diagnostics, []);
      checkInvariants(file);
    });
  }

  it('network.bicep: NSG rules inline and as child resources, with ranges for each rule property', () => {
    const file = parseFixture('network.bicep');
    assert.deepEqual(file.statements.map((s) => s.kind), ['metadata', 'param', 'param', 'param', 'param', 'var', 'var',
      'resource', 'resource', 'resource', 'resource', 'output', 'output', 'output']);
    const nsg = named(file, 'resource', 'nsg');
    assert.equal(stringValue(nsg.type), 'Microsoft.Network/networkSecurityGroups@2023-09-01');
    const rules = prop(prop(nsg.value, 'properties'), 'securityRules');
    assert.equal(rules.kind, 'array');
    if (rules.kind !== 'array') return;
    assert.equal(rules.items.length, 3);
    const names = rules.items.map((r) => stringValue(prop(r as Expression, 'name')));
    assert.deepEqual(names, ['AllowAzureMLInbound', 'AllowBatchNodeManagement', 'DenyStorageOutbound']);

    const second = prop(rules.items[1] as Expression, 'properties');
    const source = prop(second, 'sourceAddressPrefix');
    assert.deepEqual(shape(source), { kind: 'interpolatedString', segments: ['BatchNodeManagement.', ''], expressions: [{ kind: 'identifier', name: 'location' }] });
    assert.equal(src(file, source), '\'BatchNodeManagement.${location}\'');
    const ports = prop(second, 'destinationPortRanges');
    assert.equal(src(file, ports), '[\n            \'29876\'\n            \'29877\'\n          ]');
    const priorityProperty = (second as ObjectExpression).properties[0];
    assert.equal(src(file, priorityProperty), 'priority: 110');

    // The child rule declared inside the NSG body.
    const body = nsg.value as ObjectExpression;
    const child = body.properties.find((p): p is ResourceDeclaration => p.kind === 'resource');
    assert.ok(child);
    assert.equal(src(file, child.name), 'allowSsh');
    assert.equal(stringValue(child.type), 'securityRules');
    assert.equal(stringValue(prop(prop(child.value, 'properties'), 'destinationPortRange')), '22');

    // The child rule declared at top level with parent:.
    const outbound = named(file, 'resource', 'outboundAml');
    assert.deepEqual(shape(prop(outbound.value, 'parent')), { kind: 'identifier', name: 'nsg' });

    // Subnets from a loop, the NSG attached by a conditional reference.
    const vnet = named(file, 'resource', 'vnet');
    const subnets = prop(prop(vnet.value, 'properties'), 'subnets');
    assert.equal(subnets.kind, 'for');
    if (subnets.kind !== 'for') return;
    assert.equal(src(file, subnets.iterable), 'subnets');
    const attach = prop(prop(subnets.body, 'properties'), 'networkSecurityGroup');
    assert.equal(src(file, attach), 'i == 0 ? { id: nsg.id } : null');
    assert.equal(named(file, 'resource', 'computeSubnet').existing, true);
  });

  it('workspace.bicep: AML workspace, nested compute, conditional compute loop', () => {
    const file = parseFixture('workspace.bicep');
    const ws = named(file, 'resource', 'workspace');
    assert.equal(stringValue(ws.type), 'Microsoft.MachineLearningServices/workspaces@2024-04-01');
    assert.deepEqual(shape(prop(prop(ws.value, 'properties'), 'hbiWorkspace')), { kind: 'identifier', name: 'hbi' });
    const cluster = (ws.value as ObjectExpression).properties.find((p): p is ResourceDeclaration => p.kind === 'resource');
    assert.ok(cluster);
    const computeProps = prop(prop(cluster.value, 'properties'), 'properties');
    assert.deepEqual(shape(prop(computeProps, 'enableNodePublicIp')), { kind: 'boolean', value: false });
    assert.deepEqual(shape(prop(prop(computeProps, 'subnet'), 'id')), { kind: 'identifier', name: 'computeSubnetId' });

    const instances = named(file, 'resource', 'instances');
    assert.equal(instances.decorators.length, 1);
    assert.equal(instances.value.kind, 'for');
    if (instances.value.kind !== 'for') return;
    assert.equal(src(file, instances.value.iterable), 'range(0, 3)');
    assert.equal(instances.value.body.kind, 'if');
    const clusterId = named(file, 'output', 'clusterId');
    assert.equal(clusterId.value.kind, 'propertyAccess');
    assert.equal(src(file, clusterId.value), 'workspace::cpuCluster.id');
    const password = named(file, 'param', 'adminPassword');
    assert.equal(password.type!.kind, 'nullableType');
  });

  it('main.bicep: imports, extensions, types, functions, modules with params', () => {
    const file = parseFixture('main.bicep');
    const network = named(file, 'module', 'network');
    assert.equal(stringValue(network.path), './network.bicep');
    assert.deepEqual(shape(prop(prop(network.value, 'params'), 'location')), { kind: 'identifier', name: 'location' });
    const registry = named(file, 'module', 'registryNsg');
    assert.match(stringValue(registry.path), /^br\/public:/);
    assert.equal(registry.value.kind, 'if');
    assert.match(stringValue(named(file, 'module', 'spec').path), /^ts:/);
    const workspace = named(file, 'module', 'workspace');
    assert.equal(src(file, prop(prop(workspace.value, 'params'), 'computeSubnetId')), 'network.outputs.computeSubnetId');
    assert.equal(file.statements.filter((s) => s.kind === 'extension').length, 2);
    assert.equal(file.statements.filter((s) => s.kind === 'import').length, 2);
    assert.equal(named(file, 'type', 'subnetSpec').value.kind, 'objectType');
    assert.equal(named(file, 'func', 'ruleName').lambda.kind, 'typedLambda');
    const multi = named(file, 'var', 'multi');
    assert.equal(stringValue(multi.value), 'first line\n  \'quoted\' ${not interpolated}\n');
  });

  it('main.bicepparam: using and values', () => {
    const file = parseFixture('main.bicepparam');
    assert.equal(file.kind, 'bicepparam');
    const using = file.statements[0];
    assert.equal(using.kind === 'using' && using.path !== null ? src(file, using.path) : '', '\'./main.bicep\'');
    const rules = named(file, 'param', 'extraRules');
    assert.equal(rules.type, null);
    assert.equal(src(file, prop(prop((rules.value as { items: Expression[] }).items[0], 'properties'), 'priority')), 'base + 1');
  });

  it('every identifier node covers exactly its name', () => {
    for (const name of FIXTURE_NAMES) {
      const file = parseFixture(name);
      for (const s of file.statements) {
        walk(s, (n) => {
          if (n.kind === 'identifier') assert.equal(src(file, n), n.name);
          if (n.kind === 'string') assert.ok(src(file, n).startsWith('\''));
        });
      }
    }
  });
});
