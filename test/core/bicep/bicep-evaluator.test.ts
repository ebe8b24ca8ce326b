import * as assert from 'node:assert/strict';
import {
  BicepProgram, EvalSession, ModuleHandle, ResourceHandle, ResourceIdValue, bodyProperty, originOf,
} from '../../../src/core/bicep/bicep-evaluator';
import { parseBicep, parseBicepParam } from '../../../src/core/bicep/parser';
import type { Expression } from '../../../src/core/bicep/syntax';
import { joinPath } from '../../../src/core/read/read-workspace';
import { SymbolicValue, TemplateString, UnknownValue, type Value } from '../../../src/core/template/value';

function program(text: string, files: Record<string, string> = {}, given: Record<string, Value> = {}): BicepProgram {
  const session = new EvalSession((p) => files[p]);
  return new BicepProgram(parseBicep(text), 'main.bicep', session, joinPath, new Map(Object.entries(given)));
}

/** The value of `var x = <expr>` after the declarations in `before`. */
function evalVar(expr: string, before = '', files: Record<string, string> = {}): Value {
  return program(`${before}\nvar x = ${expr}\n`, files).variable('x');
}

function unknownReason(v: Value): string {
  assert.ok(v instanceof UnknownValue, `expected an unknown value, got ${JSON.stringify(v)}`);
  return v.reason;
}

describe('Bicep evaluator', () => {
  describe('literals and collections', () => {
    it('evaluates literals, objects and arrays', () => {
      assert.equal(evalVar("'a'"), 'a');
      assert.equal(evalVar('42'), 42);
      assert.equal(evalVar('true'), true);
      assert.equal(evalVar('null'), null);
      assert.deepEqual(evalVar("{ a: 1, 'b-c': [1, 'x'] }"), { a: 1, 'b-c': [1, 'x'] });
    });

    it('spreads objects (later keys win) and arrays', () => {
      assert.deepEqual(evalVar('{ ...base, b: 3, c: 4 }', 'var base = { a: 1, b: 2 }'), { a: 1, b: 3, c: 4 });
      assert.deepEqual(evalVar('{ b: 3, ...base }', 'var base = { a: 1, b: 2 }'), { b: 2, a: 1 });
      assert.deepEqual(evalVar('[0, ...xs, 3]', 'var xs = [1, 2]'), [0, 1, 2, 3]);
      assert.match(unknownReason(evalVar('[...o]', 'var o = { a: 1 }')), /only an array/);
    });

    it('records where object literals and their property values are written', () => {
      const text = "var x = { name: 'r', properties: { priority: 100 } }\n";
      const v = program(text).variable('x') as Record<string, Value>;
      const o = originOf(v);
      assert.ok(o);
      assert.equal(text.slice(o.span.start, o.span.end), "{ name: 'r', properties: { priority: 100 } }");
      const p = originOf(v.properties)?.property('priority');
      assert.ok(p);
      assert.equal(text.slice(p.start, p.end), '100');
    });

    it('finds several properties\' spans in one pass as property() finds each (last write wins, spreads, ${} keys)', () => {
      const before = "var base = { b: 'from-base', d: 'd' }\nvar k = 'c'\nvar plain = { e: 1 }";
      const text = `${before}\nvar x = { a: 1, b: 2, ...base, '\${k}': 3, a: 4, ...plain, f: 5 }\n`;
      const v = program(text).variable('x') as Record<string, Value>;
      const o = originOf(v);
      assert.ok(o);
      const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      const all = o.properties(new Map(keys.map((k, i) => [k, i])));
      assert.deepEqual(all, keys.map((k) => o.property(k)));
      const at = (i: number): string | undefined => { const s = all[i]; return s && text.slice(s.start, s.end); };
      assert.deepEqual(keys.map((_, i) => at(i)), ['4', "'from-base'", '3', "'d'", '1', '5', undefined]);
      // Into a list a caller reuses: what an earlier object left in it does not show through.
      const reused = keys.map(() => ({ file: 'stale', start: 0, end: 0 }));
      assert.equal(o.properties(new Map(keys.map((k, i) => [k, i])), reused), reused);
      assert.deepEqual(reused, all);
    });
  });

  describe('strings', () => {
    it('cuts subnet prefixes with cidrSubnet, in a loop too', () => {
      assert.equal(evalVar("cidrSubnet('10.20.0.0/16', 24, 3)"), '10.20.3.0/24');
      assert.deepEqual(evalVar("[for i in range(0, 2): cidrSubnet(space, 26, i)]", "var space = '192.168.1.0/24'"), ['192.168.1.0/26', '192.168.1.64/26']);
      assert.match(unknownReason(evalVar("cidrSubnet('fd00::/48', 64, 0)")), /IPv4 networks only/);
    });

    it('interpolates known values', () => {
      assert.equal(evalVar("'nsg-${env}-${n}-${b}'", "var env = 'dev'\nvar n = 2\nvar b = true"), 'nsg-dev-2-True');
    });

    it('keeps symbolic parts as a TemplateString with the ARM ids', () => {
      const v = evalVar("'Storage.${resourceGroup().location}'");
      assert.ok(v instanceof TemplateString);
      assert.equal(v.parts[0], 'Storage.');
      assert.ok(v.parts[1] instanceof SymbolicValue);
      assert.equal((v.parts[1] as SymbolicValue).id, 'resourceGroup().location');
    });

    it('a lone symbolic interpolation is the symbolic value itself', () => {
      const v = evalVar("'${resourceGroup().location}'");
      assert.ok(v instanceof SymbolicValue);
      assert.equal(v.id, 'resourceGroup().location');
    });

    it('multi-line strings are not interpolated', () => {
      assert.equal(evalVar("'''\na${b}\n'''"), 'a${b}\n');
    });
  });

  describe('params and vars', () => {
    it('param defaults, given values, and params with neither', () => {
      const p = program("param a string = 'x'\nparam b int = 1\nparam c string\nparam d string = '${a}-y'", {}, { b: 5 });
      assert.equal(p.param('a'), 'x');
      assert.equal(p.param('b'), 5);
      const c = p.param('c');
      assert.ok(c instanceof SymbolicValue);
      assert.equal(c.id, 'param:c');
      assert.equal(c.text, 'c');
      assert.equal(p.param('d'), 'x-y');
    });

    it('vars are lazy and memoized; cycles are unknown, not a crash', () => {
      const p = program('var a = b\nvar b = a\nvar c = 1');
      assert.match(unknownReason(p.variable('a')), /cycle/);
      assert.equal(p.variable('c'), 1);
      assert.equal(p.variable('c'), 1);
    });

    it('reads .bicepparam values, with the param file\'s vars', () => {
      const session = new EvalSession(() => undefined);
      const pf = new BicepProgram(parseBicepParam("using './main.bicep'\nvar r = 'weu'\nparam name = 'cpu-${r}'"), 'main.bicepparam', session, joinPath);
      assert.equal(pf.param('name'), 'cpu-weu');
    });

    it('an undeclared name is unknown with the reason', () => {
      assert.match(unknownReason(evalVar('nope')), /'nope' is not declared/);
    });
  });

  describe('operators', () => {
    it('arithmetic, comparison and logic', () => {
      assert.equal(evalVar('100 + 2 * 10 - 7 / 2 % 2'), 119);
      assert.equal(evalVar("'a' == 'a' && 1 != 2 && !(3 < 2) && 2 >= 2"), true);
      assert.equal(evalVar("'A' =~ 'a'"), true);
      assert.equal(evalVar('false || true'), true);
      assert.equal(evalVar('-(3)'), -3);
      assert.match(unknownReason(evalVar('1 / 0')), /division by zero/);
    });

    it('&& and || decide without the unknown side when they can', () => {
      assert.equal(evalVar('false && p', 'param p bool'), false);
      assert.equal(evalVar('p || true', 'param p bool'), true);
      assert.ok(evalVar('p && true', 'param p bool') instanceof UnknownValue);
    });

    it('ternary, ?? and safe access', () => {
      assert.equal(evalVar("true ? 'a' : 'b'"), 'a');
      assert.equal(evalVar("p ? 'same' : 'same'", 'param p bool'), 'same');
      assert.match(unknownReason(evalVar("p ? 'a' : 'b'", 'param p bool')), /depends on the condition p/);
      assert.equal(evalVar('o.?missing ?? 4000', 'var o = { a: 1 }'), 4000);
      assert.equal(evalVar('o.?a ?? 4000', 'var o = { a: 1 }'), 1);
      assert.equal(evalVar("o[?'zz']", 'var o = { a: 1 }'), null);
      assert.deepEqual(evalVar('o.a!', 'var o = { a: [1] }'), [1]);
      assert.match(unknownReason(evalVar('o.missing', 'var o = { a: 1 }')), /no property 'missing'/);
    });

    it('indexes, also from the end', () => {
      assert.equal(evalVar('xs[1]', 'var xs = [1, 2, 3]'), 2);
      assert.equal(evalVar('xs[^1]', 'var xs = [1, 2, 3]'), 3);
      assert.equal(evalVar("o['a']", 'var o = { a: 5 }'), 5);
      assert.match(unknownReason(evalVar('xs[5]', 'var xs = [1]')), /out of range/);
    });
  });

  describe('functions', () => {
    it('reuses the ARM system functions', () => {
      assert.equal(evalVar("toLower(format('{0}-{1}', 'A', 1))"), 'a-1');
      assert.deepEqual(evalVar("concat([1], [2], ['x'])"), [1, 2, 'x']);
      assert.deepEqual(evalVar('range(2, 3)'), [2, 3, 4]);
      assert.equal(evalVar("length(split('a,b,c', ','))"), 3);
      assert.equal(evalVar("contains(['a'], 'a')"), true);
      assert.deepEqual(evalVar('union({ a: 1 }, { b: 2 })'), { a: 1, b: 2 });
      assert.equal(evalVar("sys.toUpper('a')"), 'A');
      assert.equal(evalVar("any('a')"), 'a');
    });

    it('resourceGroup() is symbolic with the ARM ids', () => {
      const v = evalVar('resourceGroup().location');
      assert.ok(v instanceof SymbolicValue);
      assert.equal(v.id, 'resourceGroup().location');
      assert.ok(evalVar("uniqueString('a')") instanceof SymbolicValue);
    });

    it('lambdas in map, filter, reduce, toObject, sort', () => {
      assert.deepEqual(evalVar('map(xs, x => x * 2)', 'var xs = [1, 2, 3]'), [2, 4, 6]);
      assert.deepEqual(evalVar('map(xs, (x, i) => i)', 'var xs = [5, 6]'), [0, 1]);
      assert.deepEqual(evalVar('filter(xs, x => x > 1)', 'var xs = [1, 2, 3]'), [2, 3]);
      assert.equal(evalVar('reduce(xs, 0, (acc, x) => acc + x)', 'var xs = [1, 2, 3]'), 6);
      assert.deepEqual(evalVar("toObject(xs, x => x.k, x => x.v)", "var xs = [{ k: 'a', v: 1 }]"), { a: 1 });
      assert.deepEqual(evalVar('sort(xs, (a, b) => a < b)', 'var xs = [3, 1, 2]'), [1, 2, 3]);
      assert.match(unknownReason(evalVar('filter(xs, x => p)', 'param p bool\nvar xs = [1]')), /filter/);
    });

    it('user-defined functions', () => {
      const before = "func tag(t string, r string) string => '${t}.${r}'\nfunc rule(n string) object => { name: n }";
      assert.equal(evalVar("tag('Storage', 'westeurope')", before), 'Storage.westeurope');
      assert.deepEqual(evalVar("rule('x')", before), { name: 'x' });
      assert.match(unknownReason(evalVar("tag('a')", before)), /takes 2 arguments/);
    });

    it('imported vars and functions, by name and by namespace', () => {
      const files = { 'shared.bicep': "@export()\nvar v = 7\n@export()\nfunc twice(n int) int => n * 2\n" };
      assert.equal(evalVar('twice(v)', "import { v, twice } from 'shared.bicep'", files), 14);
      assert.equal(evalVar('s.twice(s.v)', "import * as s from 'shared.bicep'", files), 14);
    });
  });

  describe('loops', () => {
    it('for over arrays and range, with index and filter', () => {
      assert.deepEqual(evalVar("[for (e, i) in ['a', 'b']: '${e}${i}']"), ['a0', 'b1']);
      assert.deepEqual(evalVar('[for i in range(0, 3): 100 + i * 10]'), [100, 110, 120]);
      assert.deepEqual(evalVar('[for x in xs: if (x.on) { n: x.n }]', "var xs = [{ on: true, n: 'a' }, { on: false, n: 'b' }]"), [{ n: 'a' }]);
    });

    it('a loop over something unknown is unknown; a huge loop is refused', () => {
      assert.match(unknownReason(evalVar('[for x in p: x]', 'param p array')), /known only at deployment/);
      assert.match(unknownReason(evalVar('[for i in range(0, 5000): i]')), /more than amlnet evaluates/);
    });
  });

  describe('resources and modules', () => {
    const text = [
      "param location string = 'westeurope'",
      "resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {",
      "  name: 'nsg-a'",
      '  location: location',
      '  properties: { securityRules: [] }',
      '}',
      "resource nsgs 'Microsoft.Network/networkSecurityGroups@2024-01-01' = [for e in ['x', 'y']: {",
      "  name: 'nsg-${e}'",
      '}]',
      "resource old 'Microsoft.Network/networkSecurityGroups@2024-01-01' existing = {",
      "  name: 'nsg-old'",
      '}',
      "resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {",
      "  name: 'vnet'",
      "  resource sub 'subnets' = {",
      "    name: 'sub'",
      '  }',
      '}',
      "module m './m.bicep' = {",
      "  name: 'm'",
      "  params: { n: 'from-caller' }",
      '}',
    ].join('\n');
    const files = { 'm.bicep': "param n string\nresource r 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: n\n}\noutput id string = r.id\noutput name string = r.name\n" };

    function ev(expr: string): Value {
      const p = program(`${text}\nvar x = ${expr}\n`, files);
      return p.variable('x');
    }

    it('nsg.id is a marker naming the element key', () => {
      const id = ev('nsg.id');
      assert.ok(id instanceof ResourceIdValue);
      assert.equal(id.key, 'main.bicep#nsg');
      assert.equal(id.type, 'microsoft.network/networksecuritygroups');
      assert.equal(id.name, 'nsg-a');
      assert.equal(id.existing, false);
    });

    it('name, location, type and declared properties', () => {
      assert.equal(ev('nsg.name'), 'nsg-a');
      assert.equal(ev('nsg.location'), 'westeurope');
      assert.equal(ev('nsg.type'), 'microsoft.network/networksecuritygroups');
      assert.deepEqual(ev('nsg.properties.securityRules'), []);
      assert.ok(ev('nsg') instanceof ResourceHandle);
    });

    it('loop copies are an array of resources keyed with their index', () => {
      const id = ev('nsgs[1].id');
      assert.ok(id instanceof ResourceIdValue);
      assert.equal(id.key, 'main.bicep#nsgs[1]');
      assert.equal(ev('nsgs[1].name'), 'nsg-y');
    });

    it('existing resources: name known, properties not', () => {
      assert.equal(ev('old.name'), 'nsg-old');
      const id = ev('old.id');
      assert.ok(id instanceof ResourceIdValue && id.existing);
      assert.ok(ev('old.properties') instanceof SymbolicValue);
    });

    it('nested resources through ::', () => {
      const id = ev('vnet::sub.id');
      assert.ok(id instanceof ResourceIdValue);
      assert.equal(id.key, 'main.bicep#vnet::sub');
      assert.equal(id.type, 'microsoft.network/virtualnetworks/subnets');
    });

    it('copies of one module share its declarations but not their values', () => {
      const mod = "param n string\nvar v = 'v-${n}'\noutput o string = v\n";
      const p = program("module a './m.bicep' = {\n  name: 'a'\n  params: { n: 'one' }\n}\nmodule b './m.bicep' = {\n  name: 'b'\n  params: { n: 'two' }\n}\nvar x = [a.outputs.o, b.outputs.o]\n", { 'm.bicep': mod });
      assert.deepEqual(p.variable('x'), ['v-one', 'v-two']);
    });

    it('module outputs, evaluated with the params passed', () => {
      assert.ok(ev('m') instanceof ModuleHandle);
      assert.equal(ev('m.outputs.name'), 'from-caller');
      const id = ev('m.outputs.id');
      assert.ok(id instanceof ResourceIdValue);
      assert.equal(id.key, 'm.bicep#m/r');
    });
  });

  describe('body properties', () => {
    const text = [
      "resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {",
      "  name: 'vnet'",
      "  properties: { subnets: [{ name: 'a' }] }",
      '}',
    ].join('\n');

    function copy(p: BicepProgram) {
      const copies = p.instances(p.resources[0]);
      assert.ok(Array.isArray(copies));
      return copies[0];
    }

    it('an object read through a reference is kept until the reader takes it', () => {
      const p = program(text);
      const c = copy(p);
      const first = bodyProperty(c, 'properties');
      assert.deepEqual(first, { subnets: [{ name: 'a' }] });
      assert.equal(bodyProperty(c, 'properties'), first, 'kept for the next reference');
      assert.equal(bodyProperty(c, 'properties', true), first, 'handed to the reader');
      const again = bodyProperty(c, 'properties', true);
      assert.notEqual(again, first, 'no longer kept once taken');
      assert.deepEqual(again, first);
      const kept = bodyProperty(c, 'properties');
      assert.equal(bodyProperty(c, 'properties'), kept, 'a reference keeps it again');
    });

    it('scalars stay kept when taken', () => {
      const c = copy(program(text));
      assert.equal(bodyProperty(c, 'name', true), 'vnet');
      assert.deepEqual(c.bodyValues, ['name', 'vnet']);
    });

    it('a resource whose copies depend on themselves is unknown', () => {
      const p = program("resource a 'Microsoft.Network/networkSecurityGroups@2024-01-01' = [for x in a: {\n  name: 'a'\n}]\n");
      const copies = p.instances(p.resources[0]);
      assert.ok(copies instanceof UnknownValue);
      assert.match(copies.reason, /depends on itself/);
    });
  });

  describe('never throws, bounded', () => {
    it('deep nesting is unknown', () => {
      const deep = `${'('.repeat(400)}1${')'.repeat(400)}`;
      const v = evalVar(deep);
      assert.ok(v === 1 || v instanceof UnknownValue);
    });

    it('exponential vars run out of budget and become unknown', () => {
      const lines = ['var v0 = [1, 1]'];
      for (let i = 1; i <= 40; i++) lines.push(`var v${i} = concat(v${i - 1}, v${i - 1})`);
      const v = program(lines.join('\n')).variable('v40');
      assert.ok(v instanceof UnknownValue);
    });

    it('broken expressions are unknown', () => {
      const p = program('var x = \nvar y = (1 +');
      assert.ok(p.variable('x') instanceof UnknownValue);
      assert.ok(p.variable('y') instanceof UnknownValue);
      const expr: Expression = { kind: 'error', start: 0, end: 0 };
      assert.ok(p.evaluate(expr) instanceof UnknownValue);
    });
  });
});
