import * as assert from 'node:assert/strict';
import { parseBicep } from '../../../src/core/bicep/parser';
import type { Statement } from '../../../src/core/bicep/syntax';
import { checkInvariants, one, shape, src } from './helpers';

type Of<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

function as<K extends Statement['kind']>(s: Statement, kind: K): Of<K> {
  assert.equal(s.kind, kind);
  return s as Of<K>;
}

describe('bicep parser: declarations', () => {
  it('targetScope and metadata', () => {
    const { file, statement } = one('targetScope = \'subscription\'');
    const ts = as(statement, 'targetScope');
    assert.deepEqual(shape(ts.value), { kind: 'string', value: 'subscription' });
    assert.equal(src(file, ts), 'targetScope = \'subscription\'');
    const m = one('metadata owner = { team: \'net\' }');
    const md = as(m.statement, 'metadata');
    assert.equal(src(m.file, md.name), 'owner');
    assert.equal(md.value.kind, 'object');
  });

  it('param with type, default and decorators, including namespaced ones', () => {
    const text = '@description(\'Region\')\n@sys.minLength(2)\n@secure()\n@allowed([\n  \'a\'\n  \'b\'\n])\nparam location string = resourceGroup().location';
    const { file, statement } = one(text);
    const p = as(statement, 'param');
    assert.equal(p.start, 0, 'a declaration starts at its first decorator');
    assert.equal(p.decorators.length, 4);
    assert.equal(src(file, p.decorators[0]), '@description(\'Region\')');
    assert.deepEqual(shape(p.decorators[1].expression), {
      kind: 'call', target: { kind: 'identifier', name: 'sys' }, name: { kind: 'identifier', name: 'minLength' },
      arguments: [{ kind: 'integer', value: 2 }],
    });
    assert.equal(src(file, p.decorators[3]), '@allowed([\n  \'a\'\n  \'b\'\n])');
    assert.equal(src(file, p.name), 'location');
    assert.deepEqual(shape(p.type), { kind: 'identifier', name: 'string' });
    assert.equal(src(file, p.value!), 'resourceGroup().location');
  });

  it('param without default, nullable, and the resource type form', () => {
    assert.equal(as(one('param p int').statement, 'param').value, null);
    assert.equal(as(one('param p string?').statement, 'param').type!.kind, 'nullableType');
    const r = as(one('param sa resource \'Microsoft.Storage/storageAccounts@2023-01-01\'').statement, 'param');
    assert.deepEqual(shape(r.type), { kind: 'resourceType', type: { kind: 'string', value: 'Microsoft.Storage/storageAccounts@2023-01-01' } });
  });

  it('var, typed var, @export on var', () => {
    const v = as(one('var x = 1').statement, 'var');
    assert.equal(v.type, null);
    const { file, statement } = one('@export()\nvar ports int[] = [\n  443\n  8787\n]');
    const tv = as(statement, 'var');
    assert.deepEqual(shape(tv.type), { kind: 'arrayType', item: { kind: 'identifier', name: 'int' } });
    assert.equal(src(file, tv.value), '[\n  443\n  8787\n]');
    assert.equal(tv.decorators.length, 1);
    assert.equal(as(one('var s string = \'a\'').statement, 'var').type!.kind, 'identifier');
  });

  it('resource with body, existing, nested child resources and parent', () => {
    const text = [
      'resource nsg \'Microsoft.Network/networkSecurityGroups@2023-09-01\' = {',
      '  name: \'nsg\'',
      '  @description(\'child\')',
      '  resource rule \'securityRules\' = {',
      '    name: \'r1\'',
      '  }',
      '  resource: \'a property named resource\'',
      '}',
      '',
    ].join('\n');
    const { file, statement } = one(text);
    const r = as(statement, 'resource');
    assert.equal(src(file, r.name), 'nsg');
    assert.deepEqual(shape(r.type), { kind: 'string', value: 'Microsoft.Network/networkSecurityGroups@2023-09-01' });
    assert.equal(r.existing, false);
    assert.equal(r.value.kind, 'object');
    const body = r.value.kind === 'object' ? r.value.properties : [];
    assert.deepEqual(body.map((m) => m.kind), ['property', 'resource', 'property']);
    const child = as(body[1] as Statement, 'resource');
    assert.equal(child.decorators.length, 1);
    assert.equal(src(file, child), '@description(\'child\')\n  resource rule \'securityRules\' = {\n    name: \'r1\'\n  }');
    assert.equal(r.end, text.length - 1);

    const e = as(one('resource vnet \'Microsoft.Network/virtualNetworks@2023-09-01\' existing = {\n  name: \'v\'\n}').statement, 'resource');
    assert.equal(e.existing, true);
    const p = as(one('resource s \'Microsoft.Network/virtualNetworks/subnets@2023-09-01\' = {\n  parent: vnet\n  name: \'s\'\n}').statement, 'resource');
    assert.deepEqual(shape(p.value), {
      kind: 'object', properties: [
        { kind: 'property', key: 'parent', value: { kind: 'identifier', name: 'vnet' } },
        { kind: 'property', key: 'name', value: { kind: 'string', value: 's' } },
      ],
    });
  });

  it('conditional resources, also with the if on the next line', () => {
    for (const text of ['resource r \'t@1\' = if (deploy) {\n  name: \'x\'\n}', 'resource r \'t@1\' =\n  if (deploy) {\n  name: \'x\'\n}']) {
      const { file, statement } = one(text);
      const r = as(statement, 'resource');
      assert.equal(r.value.kind, 'if');
      if (r.value.kind !== 'if') continue;
      assert.deepEqual(shape(r.value.condition), { kind: 'identifier', name: 'deploy' });
      assert.equal(src(file, r.value.body), '{\n  name: \'x\'\n}');
    }
  });

  it('resource loops with index and filter, and @batchSize', () => {
    const { file, statement } = one('@batchSize(2)\nresource r \'t@1\' = [for (x, i) in range(0, 3): if (i > 0) {\n  name: \'r${i}\'\n}]');
    const r = as(statement, 'resource');
    assert.equal(r.value.kind, 'for');
    if (r.value.kind !== 'for') return;
    assert.equal(src(file, r.value.item), 'x');
    assert.equal(src(file, r.value.index!), 'i');
    assert.equal(src(file, r.value.iterable), 'range(0, 3)');
    assert.equal(r.value.body.kind, 'if');
    assert.equal(src(file, r.value), '[for (x, i) in range(0, 3): if (i > 0) {\n  name: \'r${i}\'\n}]');
  });

  it('modules: local paths and registry references', () => {
    for (const path of ['./nsg.bicep', 'br:contoso.azurecr.io/bicep/nsg:v1', 'br/public:avm/res/network/nsg:0.5.0', 'ts:sub/rg/spec:1.0']) {
      const { file, statement } = one(`module m '${path}' = {\n  name: 'm'\n  params: {\n    location: location\n  }\n}`);
      const m = as(statement, 'module');
      assert.deepEqual(shape(m.path), { kind: 'string', value: path });
      assert.equal(src(file, m.name), 'm');
      assert.equal(m.value.kind, 'object');
    }
    assert.equal(as(one('module m \'./m.bicep\' = if (a) {\n}').statement, 'module').value.kind, 'if');
    assert.equal(as(one('module m \'./m.bicep\' = [for x in xs: {\n}]').statement, 'module').value.kind, 'for');
  });

  it('outputs: typed, resource-typed, bare resource', () => {
    const o = as(one('output ids string[] = [for n in nsgs: n.id]').statement, 'output');
    assert.equal(o.type.kind, 'arrayType');
    assert.equal(o.value.kind, 'for');
    const r = as(one('output s resource \'Microsoft.Storage/storageAccounts@2023-01-01\' = sa').statement, 'output');
    assert.equal(r.type.kind, 'resourceType');
    const bare = as(one('output s resource = sa').statement, 'output');
    assert.deepEqual(shape(bare.type), { kind: 'resourceType', type: null });
  });

  it('type aliases: unions, object types with decorators and *, tuples, resourceInput/resourceOutput, access', () => {
    const u = as(one('type env = \'dev\' | \'prod\'').statement, 'type');
    assert.deepEqual(shape(u.value), { kind: 'unionType', members: [{ kind: 'string', value: 'dev' }, { kind: 'string', value: 'prod' }] });
    const multi = as(one('type env =\n  | \'dev\'\n  | \'prod\'').statement, 'type');
    assert.equal(multi.value.kind, 'unionType');
    const { file, statement } = one([
      '@export()',
      'type rule = {',
      '  @description(\'Rule name\')',
      '  name: string',
      '  \'quoted-key\': int?',
      '  props: resourceInput<\'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01\'>.properties',
      '  out: resourceOutput<\'Microsoft.Network/networkSecurityGroups@2023-09-01\'>',
      '  pair: [string, int]',
      '  *: string',
      '}',
    ].join('\n'));
    const t = as(statement, 'type');
    assert.equal(t.value.kind, 'objectType');
    if (t.value.kind !== 'objectType') return;
    const props = t.value.properties;
    assert.equal(props.length, 6);
    const [name, quoted, access, out, pair, star] = props.map((p) => (p.kind === 'objectTypeProperty' ? p : assert.fail()));
    assert.equal(name.decorators.length, 1);
    assert.equal(src(file, name), '@description(\'Rule name\')\n  name: string');
    assert.deepEqual(shape(quoted.key), { kind: 'string', value: 'quoted-key' });
    assert.equal(quoted.value.kind, 'nullableType');
    assert.equal(access.value.kind, 'typePropertyAccess');
    assert.equal(src(file, access.value), 'resourceInput<\'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01\'>.properties');
    assert.deepEqual(shape(out.value), {
      kind: 'parameterizedType', target: null, name: { kind: 'identifier', name: 'resourceOutput' },
      arguments: [{ kind: 'string', value: 'Microsoft.Network/networkSecurityGroups@2023-09-01' }],
    });
    assert.equal(pair.value.kind, 'tupleType');
    assert.equal(star.key, null);
    const more = as(one('type x = ns.rule[*].name[0] | other.*').statement, 'type');
    assert.equal(src(one('type x = ns.rule[*].name[0] | other.*').file, more.value), 'ns.rule[*].name[0] | other.*');
    assert.deepEqual((more.value as { members: { kind: string }[] }).members.map((m) => m.kind), ['typeIndexAccess', 'typeAdditionalPropertiesAccess']);
    assert.equal(as(one('type n = -1 | 2 | true | null').statement, 'type').value.kind, 'unionType');
    assert.equal(as(one('type s = string!').statement, 'type').value.kind, 'nonNullableType');
  });

  it('type arguments may span lines', () => {
    const t = as(one('type t = resourceInput<\n\n  \'Microsoft.Network/networkSecurityGroups@2023-09-01\'\n>.properties').statement, 'type');
    assert.equal(t.value.kind, 'typePropertyAccess');
  });

  it('skips a byte order mark at the start of the file', () => {
    const file = parseBicep('\uFEFF#disable-next-line no-unused-params\nparam p string');
    assert.deepEqual(file.diagnostics, []);
    assert.equal(file.statements[0].start, file.text.indexOf('param p'));
    assert.equal(file.comments[0].kind, 'directive');
  });

  it('user functions with typed parameters and a lambda body', () => {
    const { file, statement } = one('@export()\nfunc ruleName(direction string, port int) string => \'${toLower(direction)}-${port}\'');
    const f = as(statement, 'func');
    assert.equal(f.lambda.kind, 'typedLambda');
    if (f.lambda.kind !== 'typedLambda') return;
    assert.deepEqual(f.lambda.parameters.map((p) => src(file, p)), ['direction string', 'port int']);
    assert.deepEqual(shape(f.lambda.returnType), { kind: 'identifier', name: 'string' });
    assert.equal(f.lambda.body.kind, 'interpolatedString');
    const g = as(one('func apply(xs string[], f object) array => map(xs, x => f.prefix)').statement, 'func');
    assert.equal(g.lambda.kind, 'typedLambda');
  });

  it('imports: symbol lists with aliases, wildcard, and the old provider form', () => {
    const { file, statement } = one('import {a, b as c, \'d-e\' as de} from \'./x.bicep\'');
    const i = as(statement, 'import');
    assert.deepEqual(i.items!.map((item) => src(file, item)), ['a', 'b as c', '\'d-e\' as de']);
    assert.equal(src(file, i.items![1].alias!), 'c');
    assert.deepEqual(shape(i.from), { kind: 'string', value: './x.bicep' });
    const multiLine = as(one('import {\n  a\n  b\n} from \'br/public:avm/utl/types:0.1.0\'').statement, 'import');
    assert.equal(multiLine.items!.length, 2);
    const w = as(one('import * as ns from \'./types.bicep\'').statement, 'import');
    assert.deepEqual(shape(w.wildcardAlias), { kind: 'identifier', name: 'ns' });
    assert.equal(w.items, null);
    const old = as(one('import \'az@1.0.0\'').statement, 'extension');
    assert.deepEqual(shape(old.specification), { kind: 'string', value: 'az@1.0.0' });
  });

  it('extensions: by name, by reference, with config and alias', () => {
    assert.deepEqual(shape(one('extension microsoftGraphV1').statement), {
      kind: 'extension', decorators: [], specification: { kind: 'identifier', name: 'microsoftGraphV1' }, config: null, alias: null,
    });
    const { file, statement } = one('extension kubernetes with {\n  namespace: \'default\'\n  kubeConfig: \'\'\n} as k8s');
    const e = as(statement, 'extension');
    assert.equal(e.config!.kind, 'object');
    assert.equal(src(file, e.alias!), 'k8s');
    assert.equal(as(one('extension \'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:0.1.8-preview\' as graph').statement, 'extension').alias!.kind, 'identifier');
  });

  it('test and assert declarations', () => {
    assert.equal(as(one('test t \'./main.bicep\' = {\n  params: {}\n}').statement, 'test').value.kind, 'object');
    assert.equal(as(one('assert ok = length(x) > 0').statement, 'assert').value.kind, 'binary');
  });

  it('statements are separated by newlines; blank lines and comments between them are fine', () => {
    const file = parseBicep('param a int\n\n// c\n\nparam b int // trailing\r\n/* x */ param c int');
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.statements.map((s) => s.kind), ['param', 'param', 'param']);
    checkInvariants(file);
  });

  it('parses .bicepparam files: using, using none, param assignments, var, import', () => {
    const text = 'using \'./main.bicep\'\n\nimport { a } from \'./x.bicep\'\nparam env = \'prod\'\nvar n = 1\nparam count = n + 1\nparam obj = {\n  a: [1, 2]\n}';
    const file = parseBicep(text, { paramFile: true });
    assert.equal(file.kind, 'bicepparam');
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.statements.map((s) => s.kind), ['using', 'import', 'param', 'var', 'param', 'param']);
    const env = as(file.statements[2], 'param');
    assert.equal(env.type, null);
    assert.deepEqual(shape(env.value), { kind: 'string', value: 'prod' });
    assert.equal(as(file.statements[0], 'using').path!.kind, 'string');
    assert.equal(as(one('using none', true).statement, 'using').path, null);
    assert.equal(as(one('using \'./main.bicep\' with {\n  mode: \'stack\'\n}', true).statement, 'using').config!.kind, 'object');
    assert.equal(as(one('extends \'./base.bicepparam\'', true).statement, 'extends').path.kind, 'string');
    assert.equal(as(one('extensionConfig k8s with {\n  namespace: \'x\'\n}', true).statement, 'extensionConfig').config.kind, 'object');
  });

  it('in a .bicep file, a param without a type is reported but keeps its value', () => {
    const file = parseBicep('param x = 1');
    assert.equal(file.diagnostics.length, 1);
    assert.match(file.diagnostics[0].message, /type/);
    assert.equal(as(file.statements[0], 'param').value!.kind, 'integer');
  });
});
