import * as assert from 'node:assert/strict';
import { ArmScope, ParseCache, evaluateExpression, evaluateTemplateValue } from '../../../src/core/arm/expression-evaluator';
import { parseExpression } from '../../../src/core/arm/expression-parser';
import { parameterFileValues } from '../../../src/core/arm/parameter-file';
import { SymbolicValue, TemplateString, UnknownValue, type Value } from '../../../src/core/template/value';
import { assertSymbolic, assertUnknown, plain } from './arm-test-helpers';

describe('arm expression evaluator: parameters', () => {
  const template = {
    parameters: {
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      prefix: { type: 'string', defaultValue: 'aml' },
      name: { type: 'string', defaultValue: "[concat(parameters('prefix'), '-', parameters('Location'))]" },
      vnetPrefixes: { type: 'array' },
      count: { type: 'int' },
      secret: { type: 'securestring' },
      a: { type: 'string', defaultValue: "[parameters('b')]" },
      b: { type: 'string', defaultValue: "[parameters('a')]" },
      usesVariable: { type: 'string', defaultValue: "[variables('v')]" },
    },
    variables: { v: 'x' },
  };

  it('gives the location example its symbolic region', () => {
    const scope = ArmScope.forTemplate(template);
    const v = evaluateExpression("[concat('Storage.', parameters('location'))]", scope);
    assert.ok(v instanceof TemplateString);
    assert.deepEqual(plain(v), { template: ['Storage.', { sym: 'resourceGroup().location' }] });
    assertSymbolic(scope.parameter('location'), 'resourceGroup().location');
  });

  it('evaluates defaults that are expressions, lazily and in the parameters\' own scope', () => {
    const scope = ArmScope.forTemplate(template);
    assert.deepEqual(plain(scope.parameter('name')), { template: ['aml-', { sym: 'resourceGroup().location' }] });
    assert.deepEqual(plain(scope.evaluate("[parameters('NAME')]")), plain(scope.parameter('name')), 'names ignore case');
    assertUnknown(scope.parameter('usesVariable'), /parameter defaults cannot use variables/);
  });

  it('a parameter without value or default is symbolic, with its declared name', () => {
    const scope = ArmScope.forTemplate(template);
    const v = scope.evaluate("[parameters('VnetPrefixes')]");
    assert.ok(v instanceof SymbolicValue);
    assert.equal(v.id, 'param:vnetPrefixes');
    assert.equal(v.text, "parameters('vnetPrefixes')");
    // Its declared type is known: an array parameter cannot be concatenated with strings.
    assertUnknown(scope.evaluate("[concat('a', parameters('vnetPrefixes'))]"), /either strings or arrays/);
    assertSymbolic(scope.evaluate("[add(parameters('count'), 1)]"), 'add(param:count, 1)');
  });

  it('parameter file values override defaults and are not evaluated again', () => {
    const values = parameterFileValues({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: {
        location: { value: 'westeurope' },
        PREFIX: { value: '[not an expression]' },
        secret: { reference: { keyVault: { id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv' }, secretName: 'pw' } },
        broken: 5,
      },
    });
    const scope = ArmScope.forTemplate(template, { parameterValues: values });
    assert.equal(scope.parameter('location'), 'westeurope');
    assert.equal(scope.evaluate("[concat('Storage.', parameters('location'))]"), 'Storage.westeurope');
    assert.equal(scope.parameter('prefix'), '[not an expression]');
    assert.equal(scope.parameter('name'), '[not an expression]-westeurope');
    assertSymbolic(scope.parameter('secret'), 'keyvault:/subscriptions/s/resourcegroups/r/providers/microsoft.keyvault/vaults/kv/secrets/pw');
    assertUnknown(values.broken, /not as \{"value": \.\.\.\}/);
    assert.deepEqual(parameterFileValues('nonsense'), {});
    assert.deepEqual(parameterFileValues({ parameters: [] }), {});
  });

  it('reports undeclared parameters and cycles among defaults', () => {
    const scope = ArmScope.forTemplate(template);
    assertUnknown(scope.evaluate("[parameters('nope')]"), /parameters\('nope'\): the template declares no parameter 'nope'/);
    assertUnknown(scope.parameter('a'), /parameter defaults refer to each other in a cycle: a -> b -> a/);
  });
});

describe('arm expression evaluator: variables', () => {
  it('evaluates variables that refer to variables, once each', () => {
    let references = 0;
    const scope = ArmScope.forTemplate({
      parameters: { env: { type: 'string', defaultValue: 'dev' } },
      variables: {
        base: "[concat('aml-', parameters('env'))]",
        vnetName: "[concat(variables('base'), '-vnet')]",
        subnetId: "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('vnetName'), 'training')]",
        prefixes: ['10.0.0.0/16', "[variables('extra')]"],
        extra: '10.1.0.0/16',
        vnet: "[reference(variables('vnetName'))]",
        twice: "[createArray(variables('vnet'), variables('vnet'))]",
        literal: '[[brackets]',
      },
    }, { context: { resolveReference: () => { references++; return undefined; } } });
    assert.equal(scope.variable('vnetName'), 'aml-dev-vnet');
    assert.deepEqual(plain(scope.variable('subnetId')), {
      template: ['/subscriptions/', { sym: 'subscription().subscriptionid' }, '/resourceGroups/', { sym: 'resourceGroup().name' },
        '/providers/Microsoft.Network/virtualNetworks/aml-dev-vnet/subnets/training'],
    });
    assert.deepEqual(scope.variable('prefixes'), ['10.0.0.0/16', '10.1.0.0/16']);
    assert.equal(scope.evaluate("[variables('VNETNAME')]"), 'aml-dev-vnet');
    scope.variable('twice');
    scope.evaluate("[variables('vnet')]");
    assert.equal(references, 1, 'a variable is evaluated once');
    assert.equal(scope.variable('literal'), '[brackets]');
    assertUnknown(scope.evaluate("[variables('missing')]"), /declares no variable 'missing'/);
  });

  it('names the variables of a cycle', () => {
    const scope = ArmScope.forTemplate({
      variables: {
        a: "[concat('x', variables('b'))]",
        b: "[variables('c')]",
        c: "[toUpper(variables('a'))]",
        self: "[variables('self')]",
        user: "[concat('ok-', variables('a'))]",
      },
    });
    assertUnknown(scope.variable('a'), /variables refer to each other in a cycle: a -> b -> c -> a/);
    assertUnknown(scope.variable('self'), /cycle: self -> self/);
    assertUnknown(scope.variable('user'), /cycle/);
  });

  it('expands the copy form of variables and property copies inside them', () => {
    const scope = ArmScope.forTemplate({
      parameters: { n: { type: 'int', defaultValue: 3 } },
      variables: {
        copy: [
          { name: 'disks', count: "[parameters('n')]", input: { name: "[concat('disk', copyIndex('disks', 1))]", lun: "[copyIndex('disks')]" } },
          { name: 'names', count: 2, input: "[format('n{0}', copyIndex('names'))]" },
          { name: 'unknownCount', count: "[parameters('missing')]", input: 'x' },
        ],
        withProperties: {
          copy: [{ name: 'rules', count: 2, input: { priority: "[add(100, copyIndex('rules'))]" } }],
          other: 'kept',
        },
        big: { copy: [{ name: 'xs', count: 801, input: 1 }] },
      },
    });
    assert.deepEqual(scope.variable('disks'), [{ name: 'disk1', lun: 0 }, { name: 'disk2', lun: 1 }, { name: 'disk3', lun: 2 }]);
    assert.deepEqual(scope.variable('names'), ['n0', 'n1']);
    assert.deepEqual(scope.variable('withProperties'), { other: 'kept', rules: [{ priority: 100 }, { priority: 101 }] });
    assertUnknown(scope.variable('unknownCount'), /copy loop 'unknownCount' has an unknown count/);
    assertUnknown((scope.variable('big') as { readonly [key: string]: Value }).xs, /over ARM's limit of 800/);
  });
});

describe('arm expression evaluator: user-defined functions', () => {
  const template = {
    parameters: { prefix: { type: 'string', defaultValue: 'Contoso' } },
    variables: { v: 'var' },
    functions: [
      {
        namespace: 'contoso',
        members: {
          uniqueName: {
            parameters: [{ name: 'namePrefix', type: 'string' }],
            output: { type: 'string', value: "[concat(toLower(parameters('namePrefix')), uniqueString(resourceGroup().id))]" },
          },
          pair: {
            parameters: [{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }],
            output: { type: 'object', value: { first: "[parameters('a')]", second: "[add(parameters('b'), 1)]" } },
          },
          first: { parameters: [{ name: 'a', type: 'string' }, { name: 'unused', type: 'string' }], output: { type: 'string', value: "[parameters('a')]" } },
          usesVariable: { parameters: [], output: { type: 'string', value: "[variables('v')]" } },
          usesTemplateParameter: { parameters: [], output: { type: 'string', value: "[parameters('prefix')]" } },
          usesReference: { parameters: [], output: { type: 'object', value: "[reference('x')]" } },
          usesCopyIndex: { parameters: [], output: { type: 'int', value: '[copyIndex()]' } },
          callsOther: { parameters: [{ name: 'x', type: 'string' }], output: { type: 'string', value: "[contoso.uniqueName(parameters('x'))]" } },
          recurse: { parameters: [], output: { type: 'string', value: '[contoso.recurse()]' } },
          noOutput: { parameters: [] },
        },
      },
      { namespace: 'broken', members: { bad: { parameters: 'nope', output: { value: 1 } } } },
    ],
  };

  it('evaluates a function with its own parameters', () => {
    const scope = ArmScope.forTemplate(template);
    assert.deepEqual(plain(scope.evaluate("[contoso.uniqueName(parameters('prefix'))]")),
      { template: ['contoso', { sym: 'uniqueString(resourceGroup().id)' }] });
    assert.deepEqual(scope.evaluate("[Contoso.Pair('x', 41)]"), { first: 'x', second: 42 });
    assert.equal(scope.evaluate("[contoso.first('a', div(1, 0))]"), 'a', 'an unknown argument the body does not use does not matter');
    assert.deepEqual(plain(scope.evaluate("[contoso.callsOther('AB')]")), { template: ['ab', { sym: 'uniqueString(resourceGroup().id)' }] });
  });

  it('keeps to the ARM rules: no variables, template parameters, reference() or copyIndex() inside', () => {
    const scope = ArmScope.forTemplate(template);
    assertUnknown(scope.evaluate('[contoso.usesVariable()]'), /user-defined functions cannot use variables/);
    assertUnknown(scope.evaluate('[contoso.usesTemplateParameter()]'), /the function contoso\.usesTemplateParameter has no parameter 'prefix'/);
    assertUnknown(scope.evaluate('[contoso.usesReference()]'), /user-defined functions cannot call reference\(\)/);
    assertUnknown(scope.inCopy('loop', 0).evaluate('[contoso.usesCopyIndex()]'), /cannot use copyIndex\(\)/);
  });

  it('reports undeclared functions, wrong counts, malformed declarations and runaway recursion', () => {
    const scope = ArmScope.forTemplate(template);
    assertUnknown(scope.evaluate('[contoso.nope()]'), /declares no function 'contoso\.nope'/);
    assertUnknown(scope.evaluate("[contoso.uniqueName('a', 'b')]"), /contoso\.uniqueName\(\) takes 1 argument, not 2/);
    assertUnknown(scope.evaluate('[contoso.noOutput()]'), /declares no output value/);
    assertUnknown(scope.evaluate('[broken.bad()]'), /not a list of \{name, type\}/);
    assertUnknown(scope.evaluate('[contoso.recurse()]'), /nests more than/);
  });

  it('after variables too deeply nested to evaluate, the same evaluation goes on at its own depth', () => {
    const chain = (variables: Record<string, string>, name: string, length: number): void => {
      for (let i = 0; i < length; i++) variables[`${name}${i}`] = `[variables('${name}${i + 1}')]`;
      variables[`${name}${length}`] = 'end';
    };
    const evaluates = (length: number): boolean => {
      const variables: Record<string, string> = {};
      chain(variables, 'u', length);
      const v = ArmScope.forTemplate({ variables }).evaluate("[createArray(variables('u0'))]");
      return Array.isArray(v) && v[0] === 'end';
    };
    // The longest chain of variables the evaluator follows (where the test uses it), found rather than assumed.
    let ok = 1;
    let tooDeep = 1000;
    assert.ok(evaluates(ok) && !evaluates(tooDeep));
    while (tooDeep - ok > 1) {
      const mid = Math.floor((ok + tooDeep) / 2);
      if (evaluates(mid)) ok = mid;
      else tooDeep = mid;
    }
    // Ten chains too deep, each stopped by the limit, then the longest one that fits: it must not
    // inherit any of the levels the others had entered when they stopped.
    const variables: Record<string, string> = {};
    const deep = 'abcdefghij'.split('');
    for (const name of deep) chain(variables, name, tooDeep);
    chain(variables, 'u', ok);
    const v = ArmScope.forTemplate({ variables }).evaluate(`[createArray(${[...deep, 'u'].map((n) => `variables('${n}0')`).join(', ')})]`);
    assert.ok(Array.isArray(v));
    for (const e of (v as Value[]).slice(0, deep.length)) assertUnknown(e, /nests more than/);
    assert.equal((v as Value[])[deep.length], 'end');
  });
});

describe('arm expression evaluator: copy loops', () => {
  const scope = ArmScope.forTemplate({});

  it('copyIndex with names and offsets', () => {
    const inner = scope.inCopy('vms', 2).inCopy('nics', 5, 'property');
    assert.equal(inner.evaluate("[copyIndex('vms')]"), 2);
    assert.equal(inner.evaluate("[copyIndex('NICS')]"), 5);
    assert.equal(inner.evaluate("[copyIndex('vms', 10)]"), 12);
    // Without a name, copyIndex() means the resource loop even inside a property loop.
    assert.equal(inner.evaluate('[copyIndex()]'), 2);
    assert.equal(inner.evaluate('[copyIndex(1)]'), 3);
    assert.equal(scope.inCopy(undefined, 4).evaluate('[copyIndex()]'), 4);
    assert.equal(scope.inCopy('p', 7, 'property').evaluate('[copyIndex()]'), 7);
    assert.equal(inner.evaluate("[concat('nic-', copyIndex('nics', 1))]"), 'nic-6');
  });

  it('reports copyIndex outside loops or with a wrong name', () => {
    assertUnknown(scope.evaluate('[copyIndex()]'), /copyIndex\(\): copyIndex\(\) is used outside any copy loop/);
    assertUnknown(scope.inCopy('vms', 0).evaluate("[copyIndex('disks')]"), /no enclosing copy loop is named 'disks' \(the enclosing loops are 'vms'\)/);
    assertUnknown(scope.inCopy('vms', 0).evaluate("[copyIndex('vms', 'x')]"), /offset must be an integer/);
    assertUnknown(scope.inCopy('vms', 0).evaluate('[copyIndex(1, 2)]'), /loop name must be a string/);
  });

  it('parameters, variables and copyIndex of a name written out give what the built-ins give for a computed name', () => {
    const t = ArmScope.forTemplate({ parameters: { p: { type: 'string', defaultValue: 'pv' }, q: { type: 'int' } }, variables: { v: '[parameters(\'p\')]' } });
    const inLoop = t.inCopy('vms', 3);
    for (const [written, computed] of [
      ["[parameters('p')]", "[parameters(concat('', 'p'))]"], ["[PARAMETERS('Q')]", "[parameters(toLower('Q'))]"], ["[parameters('none')]", "[parameters(concat('none'))]"],
      ["[variables('V')]", "[variables(concat('V'))]"], ["[Variables('none')]", "[variables(concat('none'))]"],
      ["[copyIndex('VMS')]", "[copyIndex(concat('VMS'))]"],
    ]) {
      assert.deepEqual(plain(inLoop.evaluate(written)), plain(inLoop.evaluate(computed)), written);
    }
    assert.equal(inLoop.evaluate("[copyIndex('vms')]"), 3);
    // A loop not found: the message quotes the call as written.
    assertUnknown(inLoop.evaluate("[copyIndex('disks')]"), /^copyIndex\('disks'\): no enclosing copy loop is named 'disks'/);
    assertUnknown(t.evaluate("[copyIndex('disks')]"), /^copyIndex\('disks'\): copyIndex\(\) is used outside any copy loop/);
    assertUnknown(ArmScope.forTemplate({}).evaluate("[parameters('x')]"), /the template declares no parameter 'x'/);
  });

  it('an iteration whose index is known only at deployment gives symbolic indexes', () => {
    const i = new SymbolicValue('copyIndex(rules)', "copyIndex('rules')");
    const inLoop = scope.inCopy('rules', i);
    assertSymbolic(inLoop.evaluate('[copyIndex()]'), 'copyIndex(rules)');
    assertSymbolic(inLoop.evaluate('[copyIndex(100)]'), 'add(copyIndex(rules), 100)');
    assert.deepEqual(plain(inLoop.evaluate("[concat('rule-', copyIndex())]")), { template: ['rule-', { sym: 'copyIndex(rules)' }] });
    assert.equal(inLoop.evaluate("[createArray('same', 'same')[copyIndex()]]"), 'same');
  });
});

describe('arm expression evaluator: template values', () => {
  it('evaluates a template string written inside a larger text as the string itself', () => {
    const template = { parameters: { p: { type: 'string', defaultValue: 'x' } }, variables: { v: [{ n: 'a' }] } };
    const texts = ["[concat(parameters('p'), '-', variables('v')[0].n)]", "[variables('v')[1]]", "[f(1,]", '[[x]', 'plain', "[toLower('A')]"];
    for (const text of texts) {
      const source = `{ "a": "${text}" }`;
      assert.deepEqual(ArmScope.forTemplate(template).evaluateIn(text, source, source.indexOf(text)), ArmScope.forTemplate(template).evaluate(text), text);
    }
  });

  it('walks JSON, evaluating every expression and keeping structure', () => {
    const scope = ArmScope.forTemplate({ parameters: { location: { type: 'string', defaultValue: '[resourceGroup().location]' } } });
    const resource = {
      type: 'Microsoft.Network/networkSecurityGroups',
      apiVersion: '2023-04-01',
      name: "[concat('nsg-', 'aml')]",
      location: "[parameters('location')]",
      copy: { name: 'nsgs', count: 2 },
      properties: {
        securityRules: [
          {
            name: 'AzureMachineLearning',
            properties: { priority: 100, access: 'Allow', destinationAddressPrefix: "[concat('AzureMachineLearning.', parameters('location'))]", enabled: true, note: null },
          },
        ],
        literal: '[[not evaluated]',
        copy: [{ name: 'extraRules', count: 2, input: { priority: "[add(200, copyIndex('extraRules'))]" } }],
      },
    };
    const v = evaluateTemplateValue(resource, scope);
    assert.deepEqual(plain(v), {
      type: 'Microsoft.Network/networkSecurityGroups',
      apiVersion: '2023-04-01',
      name: 'nsg-aml',
      location: { sym: 'resourceGroup().location' },
      copy: { name: 'nsgs', count: 2 },
      properties: {
        securityRules: [{
          name: 'AzureMachineLearning',
          properties: {
            priority: 100, access: 'Allow', enabled: true, note: null,
            destinationAddressPrefix: { template: ['AzureMachineLearning.', { sym: 'resourceGroup().location' }] },
          },
        }],
        literal: '[not evaluated]',
        extraRules: [{ priority: 200 }, { priority: 201 }],
      },
    });
  });

  it('turns anything that is not JSON into unknown values, and never throws', () => {
    const scope = ArmScope.forTemplate('not a template');
    assertUnknown(evaluateTemplateValue(undefined, scope), /undefined is not a template value/);
    assertUnknown(evaluateTemplateValue(() => 1, scope), /function is not a template value/);
    assertUnknown(evaluateTemplateValue(Number.NaN, scope), /not a JSON number/);
    assert.deepEqual(evaluateTemplateValue({ a: [1, 'b', false, null] }, scope), { a: [1, 'b', false, null] });
    for (const weird of [null, 5, [], { parameters: 5, variables: [], functions: {} }, { functions: [null, { namespace: 1 }] }]) {
      assert.equal(ArmScope.forTemplate(weird).evaluate("[concat('a', 'b')]"), 'ab');
    }
  });
});

describe('arm expression evaluator: parse cache', () => {
  it('keeps the recently used trees, a bounded number, each under its own text', () => {
    const cache = new ParseCache();
    const text = (i: number): string => `[concat('e', ${i})]`;
    const first = parseExpression(text(0));
    cache.set(text(0), first);
    for (let i = 1; i < 2000; i++) {
      if (i % 100 === 0) assert.equal(cache.get(text(0)), first, `a tree used again stays (${i})`);
      cache.set(text(i), parseExpression(text(i)));
      assert.ok(cache.size <= 512, String(cache.size));
    }
    assert.equal(cache.get(text(1)), undefined, 'one not used again is dropped');
    assert.deepEqual(cache.get(text(1999)), parseExpression(text(1999)));
  });

  it('evaluates many distinct expressions, in scopes of different copy indexes, as each alone', () => {
    const scope = ArmScope.forTemplate({ parameters: { p: { type: 'string', defaultValue: 'v' } } });
    const texts = Array.from({ length: 1500 }, (_, i) => `[concat(parameters('p'), '-${i % 700}-', copyIndex('n'))]`);
    for (let round = 0; round < 2; round++) {
      texts.forEach((t, i) => assert.equal(scope.inCopy('n', i % 3).evaluate(t), `v-${i % 700}-${i % 3}`, t));
    }
  });
});

describe('arm expression evaluator: limits', () => {
  it('stops exponential growth through variables quickly, with a reason', () => {
    const variables: Record<string, string> = { v0: "['ab']" };
    for (let i = 1; i <= 60; i++) variables[`v${i}`] = `[concat(variables('v${i - 1}'), variables('v${i - 1}'))]`;
    // Two equal towers of arrays that share no structure with each other.
    const arrays: Record<string, string> = { a0: '[createArray(1)]', b0: '[createArray(1)]' };
    for (let i = 1; i <= 60; i++) {
      for (const t of ['a', 'b']) arrays[`${t}${i}`] = `[createArray(variables('${t}${i - 1}'), variables('${t}${i - 1}'))]`;
    }
    const scope = ArmScope.forTemplate({ variables: { ...variables, ...arrays } });
    const started = Date.now();
    assertUnknown(scope.variable('v60'), /amlnet stops at/);
    // format() counts its known text the same with or without symbolic pieces.
    const formats: Record<string, string> = { f0: 'ab' };
    for (let i = 1; i <= 30; i++) formats[`f${i}`] = `[format('{0}{1}', variables('f${i - 1}'), variables('f${i - 1}'))]`;
    formats.g = "[format('{0}{1}{0}', variables('f19'), resourceGroup().location)]";
    const f = ArmScope.forTemplate({ variables: formats });
    assertUnknown(f.variable('f30'), /the result would be 2097152 characters long; amlnet stops at 1048576/);
    assertUnknown(f.variable('g'), /the result would be 2097152 characters long/);
    assert.equal((f.variable('f19') as string).length, 1 << 20);
    // Shared structure is cheap to build but exponential to compare or print: the budget ends it.
    assertUnknown(scope.evaluate("[string(variables('a60'))]"), /evaluation steps|longer than/);
    assertUnknown(scope.evaluate("[equals(variables('a60'), variables('b60'))]"), /evaluation steps/);
    assertUnknown(scope.evaluate("[uniqueString(string(length(union(variables('a60'), variables('b60')))))]"), /evaluation steps/);
    assert.ok(Date.now() - started < 20_000, 'bounded time');
  });

  it('ends long chains of variables without exhausting the stack', () => {
    const variables: Record<string, string> = { v0: "['end']" };
    for (let i = 1; i <= 5000; i++) variables[`v${i}`] = `[variables('v${i - 1}')]`;
    const scope = ArmScope.forTemplate({ variables });
    assertUnknown(scope.variable('v5000'), /nests more than/);
    assert.equal(scope.variable('v100'), 'end');
  });

  it('a JSON value nested too deeply is unknown by itself', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const v = evaluateTemplateValue({ name: "[concat('a', 'b')]", deep }, ArmScope.forTemplate({})) as { readonly [key: string]: Value };
    assert.equal(v.name, 'ab');
    let inner: Value = v.deep;
    while (Array.isArray(inner)) inner = (inner as readonly Value[])[0];
    assertUnknown(inner, /nests more than/);
  });

  it('a hook that throws becomes an unknown value', () => {
    const scope = ArmScope.forTemplate({}, { context: { resolveReference: () => { throw new Error('boom'); } } });
    assertUnknown(scope.evaluate("[reference('x')]"), /could not evaluate this: Error: boom/);
    assert.ok(scope.evaluate("[concat('still', 'works')]") === 'stillworks');
  });

  it('an unparsable expression is unknown, with the parser\'s message and offset', () => {
    const v = ArmScope.forTemplate({}).evaluate("[concat('a', ]");
    assert.ok(v instanceof UnknownValue);
    assert.match(v.reason, /cannot read the expression \[concat\('a', \]: expected an expression, found the end of it \(at character 13\)/);
  });
});
