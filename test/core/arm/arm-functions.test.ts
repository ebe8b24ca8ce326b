import * as assert from 'node:assert/strict';
import { ArmScope } from '../../../src/core/arm/expression-evaluator';
import { TemplateString, type Value } from '../../../src/core/template/value';
import { assertSymbolic, assertUnknown, evalIn, plain } from './arm-test-helpers';

/** Parameters shaped like the ARM reference's examples, so its expected outputs apply as written. */
const DOCS_TEMPLATE = {
  parameters: {
    stringToTest: { type: 'string', defaultValue: 'OneTwoThree' },
    objectToTest: { type: 'object', defaultValue: { one: 'a', two: 'b', three: 'c' } },
    arrayToTest: { type: 'array', defaultValue: ['one', 'two', 'three'] },
    firstObject: { type: 'object', defaultValue: { one: 'a', two: 'b', three: 'c1' } },
    secondObject: { type: 'object', defaultValue: { three: 'c2', four: 'd', five: 'e' } },
    firstArray: { type: 'array', defaultValue: ['one', 'two', 'three'] },
    secondArray: { type: 'array', defaultValue: ['three', 'four'] },
    nulls: { type: 'object', defaultValue: { null1: null, null2: null, string: 'default', int: 1, object: { first: 'default' }, array: [1] } },
    entities: {
      type: 'object',
      defaultValue: {
        item002: { enabled: false, displayName: 'Example item 2', number: 200 },
        item001: { enabled: true, displayName: 'Example item 1', number: 300 },
      },
    },
    testObject: { type: 'object', defaultValue: { valueA: 10, valueB: 'Example Text' } },
    location: { type: 'string' },
    names: { type: 'array' },
    flag: { type: 'bool' },
    count: { type: 'int' },
  },
  variables: {
    deepFirst: { property: { one: 'a', two: 'b', three: 'c1' }, nestedArray: [1, 2] },
    deepSecond: { property: { three: 'c2', four: 'd', five: 'e' }, nestedArray: [3, 4] },
  },
};

function run(text: string, template: unknown = DOCS_TEMPLATE): Value {
  return evalIn(text, template);
}

function check(cases: readonly (readonly [string, unknown])[]): void {
  for (const [text, expected] of cases) assert.deepEqual(plain(run(text)), expected, text);
}

function unknowns(cases: readonly (readonly [string, RegExp])[]): void {
  for (const [text, reason] of cases) {
    const r = assertUnknown(run(text), reason, text);
    // Every reason names the expression it comes from.
    assert.ok(r.length > 0);
  }
}

describe('arm functions: strings', () => {
  it('concat joins strings (numbers written as digits) and arrays, not both', () => {
    check([
      ["[concat('a', 'b', 'c')]", 'abc'],
      ["[concat('vm', 3)]", 'vm3'],
      ["[concat(parameters('firstArray'), parameters('secondArray'))]", ['one', 'two', 'three', 'three', 'four']],
      ["[concat(createArray(1), createArray(), createArray(2, 3))]", [1, 2, 3]],
    ]);
    unknowns([
      ["[concat('a', createArray('b'))]", /concat\('a', createArray\('b'\)\): concat\(\) joins either strings or arrays, not both/],
      ["[concat('a', true())]", /not a boolean \(argument 2\)/],
      ['[concat()]', /takes at least 1 argument/],
    ]);
  });

  it('concat and format with symbolic parts give template strings', () => {
    assert.deepEqual(plain(run("[concat('prefix', '-', uniqueString(resourceGroup().id))]")),
      { template: ['prefix-', { sym: 'uniqueString(resourceGroup().id)' }] });
    assert.deepEqual(plain(run("[format('{0}.{1}', 'Storage', resourceGroup().location)]")),
      { template: ['Storage.', { sym: 'resourceGroup().location' }] });
    // A lone symbolic part is the symbolic value itself.
    assertSymbolic(run('[concat(resourceGroup().location)]'), 'resourceGroup().location');
    assertSymbolic(run("[format('{0}', resourceGroup().location)]"), 'resourceGroup().location');
    // Known pieces before and after symbolic ones join the literal text around them.
    assert.deepEqual(plain(run("[format('a{0}b{1}{{c}}{2}d{3}', 'x', resourceGroup().location, 'y', resourceGroup().location)]")),
      { template: ['axb', { sym: 'resourceGroup().location' }, '{c}yd', { sym: 'resourceGroup().location' }] });
    assert.deepEqual(plain(run("[format('{0}{1}', resourceGroup().location, '')]")), { sym: 'resourceGroup().location' });
    assert.equal(run("[equals(concat('', resourceGroup().location), resourceGroup().location)]"), true);
    // An argument without a type among arrays could be either: the result is the call itself.
    assertSymbolic(run("[concat(parameters('names'), createArray('x'))]"), "concat(param:names, ['x'])");
  });

  it('format follows .NET composite formatting', () => {
    check([
      ["[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]", 'Hello, User. Formatted number: 8,175,133'],
      ["[format('{{{0}}}', 'x')]", '{x}'],
      ["[format('{0}{0}', 'ab')]", 'abab'],
      ["[format('{0,5}|{0,-5}|', 'ab')]", '   ab|ab   |'],
      ["[format('{0:D4} {1:N} {2:X} {2:x4} {3:N1}', 7, 1234, 255, -1234)]", '0007 1,234.00 FF 00ff -1,234.0'],
      ["[format('{0} {1} {2}', true(), false(), null())]", 'True False '],
      ["[format('{0:N0}', 'text')]", 'text'],
      ["[format('{ 0 }{10}{9}', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k')]", 'akj'],
    ]);
    unknowns([
      ["[format('{1}', 'a')]", /refers to argument 1, but there is 1/],
      ["[format('{0', 'a')]", /not closed/],
      ["[format('a}b')]", /closes nothing/],
      ["[format('{0:C}', 5)]", /number format 'C'/],
      ["[format('{0:X}', -1)]", /negative/],
      ["[format('{0}', createArray(1))]", /format\(\) of an array/],
      ["[format('{x}', 1)]", /not a format item/],
    ]);
    assertSymbolic(run("[format('{0:N0}', parameters('count'))]"), "format('{0:N0}', param:count)");
  });

  it('toLower and toUpper keep the identity of locations, and only of locations', () => {
    check([
      ["[toLower('One Two Three')]", 'one two three'],
      ["[toUpper('One Two Three')]", 'ONE TWO THREE'],
    ]);
    assertSymbolic(run('[toLower(resourceGroup().location)]'), 'resourceGroup().location');
    assertSymbolic(run('[toUpper(resourceGroup().location)]'), 'resourceGroup().location');
    assertSymbolic(run("[toLower(parameters('location'))]"), 'param:location');
    assertSymbolic(run('[toLower(resourceGroup().name)]'), 'toLower(resourceGroup().name)');
    assert.deepEqual(plain(run("[toLower(concat('Storage.', resourceGroup().location, '-', resourceGroup().name))]")),
      { template: ['storage.', { sym: 'resourceGroup().location' }, '-', { sym: 'toLower(resourceGroup().name)' }] });
    unknowns([['[toLower(1)]', /toLower\(1\): toLower\(\) takes a string, not an integer/]]);
  });

  it('replace, split, trim, substring, padLeft', () => {
    check([
      ["[replace('123-123-1234', '-', '')]", '1231231234'],
      ["[replace('123-123-1234', '1234', 'xxxx')]", '123-123-xxxx'],
      ["[replace('aaa', 'a', 'aa')]", 'aaaaaa'],
      ["[split('one,two,three', ',')]", ['one', 'two', 'three']],
      ["[split('one;two,three', createArray(',', ';'))]", ['one', 'two', 'three']],
      ["[split('a,,b,', ',')]", ['a', '', 'b', '']],
      ["[split('abc', '')]", ['abc']],
      ["[trim('    one two three   ')]", 'one two three'],
      ["[substring('one two three', 4, 3)]", 'two'],
      ["[substring('abc', 1)]", 'bc'],
      ["[substring('abc', 3, 0)]", ''],
      ["[padLeft('123', 10, '0')]", '0000000123'],
      ['[padLeft(123, 5)]', '  123'],
      ["[padLeft('abcdef', 3, '0')]", 'abcdef'],
    ]);
    unknowns([
      ["[substring('1234567890', 0, 11)]", /must refer to a location within the string \(index 0, length 11, string length 10\)/],
      ["[substring('abc', -1, 1)]", /outside the string/],
      ["[replace('abc', '', 'x')]", /empty/],
      ["[padLeft('1', 3, '00')]", /single character/],
      ["[padLeft('1', 100000000, '0')]", /amlnet stops at/],
      ['[split(1, \',\')]', /argument 1 must be a string/],
    ]);
    assertSymbolic(run("[replace(resourceGroup().name, '-', '')]"), "replace(resourceGroup().name, '-', '')");
  });

  it('string() writes JSON for arrays and objects and .NET booleans', () => {
    check([
      ["[string(parameters('testObject'))]", '{"valueA":10,"valueB":"Example Text"}'],
      ["[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'],
      ['[string(5)]', '5'],
      ['[string(true())]', 'True'],
      ['[string(createArray(true(), null()))]', '[true,null]'],
      ["[string('x')]", 'x'],
      ["[string(createObject('q', 'say \"hi\"'))]", '{"q":"say \\"hi\\""}'],
    ]);
    assertSymbolic(run('[string(resourceGroup().location)]'), 'resourceGroup().location');
    assertSymbolic(run('[string(createArray(resourceGroup().location))]'), 'string([resourceGroup().location])');
  });

  it('startsWith, endsWith, indexOf, lastIndexOf compare without case', () => {
    check([
      ["[startsWith('abcdef', 'ab')]", true],
      ["[startsWith('abcdef', 'A')]", true],
      ["[startsWith('abcdef', 'e')]", false],
      ["[endsWith('abcdef', 'ef')]", true],
      ["[endsWith('abcdef', 'F')]", true],
      ["[endsWith('abcdef', 'e')]", false],
      ["[indexOf('test', 't')]", 0],
      ["[lastIndexOf('test', 't')]", 3],
      ["[indexOf('abcdef', 'CD')]", 2],
      ["[lastIndexOf('abcdef', 'AB')]", 0],
      ["[indexOf('abcdef', 'z')]", -1],
      ["[indexOf(createArray('a', 'b', 'a'), 'a')]", 0],
      ["[lastIndexOf(createArray('a', 'b', 'a'), 'a')]", 2],
      ["[indexOf(createArray(1, 2), 3)]", -1],
      // The literal start of a template string is enough to decide.
      ["[startsWith(concat('Storage.', resourceGroup().location), 'storage')]", true],
      ["[startsWith(concat('Storage.', resourceGroup().location), 'Sql.')]", false],
      ["[endsWith(concat(resourceGroup().location, '-vnet'), 'VNET')]", true],
    ]);
    assertSymbolic(run("[startsWith(concat('St', resourceGroup().location), 'Storage')]"),
      "startsWith(concat('St', resourceGroup().location), 'Storage')");
    unknowns([["[lastIndexOf('abc', '')]", /differs between \.NET versions/]]);
  });

  it('guid and uniqueString are symbolic; equal calls are equal', () => {
    const a = run('[uniqueString(resourceGroup().id)]');
    const b = run('[UNIQUESTRING(resourceGroup().id)]');
    assertSymbolic(a, 'uniqueString(resourceGroup().id)');
    assert.deepEqual(plain(a), plain(b));
    assertSymbolic(run("[guid(subscription().subscriptionId, 'x')]"), "guid(subscription().subscriptionid, 'x')");
    // Even with known arguments the hash is not computed: it is fixed, but amlnet does not need it.
    assertSymbolic(run("[guid('a')]"), "guid('a')");
    check([["[equals(uniqueString('a'), uniqueString('a'))]", true]]);
    unknowns([['[guid(1)]', /argument 1 must be a string/], ['[uniqueString()]', /at least 1/]]);
  });

  it('utcNow and newGuid are symbolic in parameter defaults and refused elsewhere', () => {
    const template = {
      parameters: {
        stamp: { type: 'string', defaultValue: "[utcNow('u')]" },
        id1: { type: 'string', defaultValue: '[newGuid()]' },
        id2: { type: 'string', defaultValue: '[newGuid()]' },
      },
    };
    const scope = ArmScope.forTemplate(template);
    assertSymbolic(scope.parameter('stamp'), "utcNow('u')");
    const id1 = scope.parameter('id1');
    const id2 = scope.parameter('id2');
    assert.notDeepEqual(plain(id1), plain(id2), 'two newGuid() calls are two values');
    assert.deepEqual(plain(scope.evaluate("[parameters('id1')]")), plain(id1), 'a parameter is evaluated once');
    assertUnknown(scope.evaluate('[utcNow()]'), /only in a parameter default/);
    assertUnknown(scope.evaluate('[newGuid()]'), /only in a parameter default/);
  });

  it('base64, base64ToString, uriComponent, uriComponentToString, json', () => {
    check([
      ["[base64('one, two, three')]", 'b25lLCB0d28sIHRocmVl'],
      ["[base64ToString('b25lLCB0d28sIHRocmVl')]", 'one, two, three'],
      ["[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]", 'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json'],
      ["[uriComponent('it''s (x)*!')]", 'it%27s%20%28x%29%2A%21'],
      ["[uriComponentToString('http%3A%2F%2Fcontoso.com')]", 'http://contoso.com'],
      ["[json('null')]", null],
      ["[json('{\"a\": \"b\"}')]", { a: 'b' }],
      ["[json('\"test\"')]", 'test'],
      ["[json('true')]", true],
      ["[json('3')]", 3],
      ["[json('[1, 2, 3]')]", [1, 2, 3]],
      ["[json(concat('{\"a\": \"', 'demo value', '\"}')).a]", 'demo value'],
    ]);
    unknowns([
      ["[json('{''a'': 1}')]", /not strict JSON/],
      ["[base64ToString('***')]", /not base64/],
      ["[uriComponentToString('%E0%A4%A')]", /not a valid URI component/],
    ]);
  });
});

describe('arm functions: arrays and objects', () => {
  it('contains: strings with case, object keys without, arrays by value', () => {
    check([
      ["[contains(parameters('stringToTest'), 'e')]", true],
      ["[contains(parameters('stringToTest'), 'z')]", false],
      ["[contains(parameters('stringToTest'), 'one')]", false],
      ["[contains(parameters('objectToTest'), 'one')]", true],
      ["[contains(parameters('objectToTest'), 'ONE')]", true],
      ["[contains(parameters('objectToTest'), 'a')]", false],
      ["[contains(parameters('arrayToTest'), 'three')]", true],
      ["[contains(parameters('arrayToTest'), 'four')]", false],
      ['[contains(createArray(createObject(\'a\', 1)), createObject(\'a\', 1))]', true],
      ["[contains(concat('Storage.', resourceGroup().location), 'Storage')]", true],
    ]);
    assertSymbolic(run("[contains(createArray('eastus'), resourceGroup().location)]"), "contains(['eastus'], resourceGroup().location)");
  });

  it('empty and length', () => {
    check([
      ['[empty(createArray())]', true],
      ['[empty(createObject())]', true],
      ["[empty('')]", true],
      ['[empty(null())]', true],
      ["[empty(createArray('a'))]", false],
      ["[empty(concat('a', resourceGroup().name))]", false],
      ["[length(parameters('arrayToTest'))]", 3],
      ["[length('One Two Three')]", 13],
      ["[length(parameters('objectToTest'))]", 3],
    ]);
    assertSymbolic(run("[length(parameters('names'))]"), 'length(param:names)');
    unknowns([['[length(1)]', /must be a string or an array or an object, not an integer/], ['[empty(1)]', /not an integer/]]);
  });

  it('first, last, take, skip', () => {
    check([
      ["[first(parameters('arrayToTest'))]", 'one'],
      ["[first('One Two Three')]", 'O'],
      ["[last(parameters('arrayToTest'))]", 'three'],
      ["[last('One Two Three')]", 'e'],
      ['[first(createArray())]', null],
      ["[first('')]", ''],
      ["[first(concat('S', resourceGroup().location))]", 'S'],
      ["[take(parameters('arrayToTest'), 2)]", ['one', 'two']],
      ["[take('on two three', 2)]", 'on'],
      ["[take('abc', -1)]", ''],
      ["[take('abc', 10)]", 'abc'],
      ["[skip(parameters('arrayToTest'), 2)]", ['three']],
      ["[skip('one two three', 4)]", 'two three'],
      ["[skip('abc', 0)]", 'abc'],
      ["[skip(createArray(1), 5)]", []],
    ]);
  });

  it('createArray, createObject, array', () => {
    check([
      ["[createArray('a', 'b', 'c')]", ['a', 'b', 'c']],
      ['[createArray()]', []],
      ["[createArray(parameters('arrayToTest'))]", [['one', 'two', 'three']]],
      ["[createObject('intProp', 1, 'stringProp', 'abc', 'boolProp', true(), 'arrayProp', createArray('a', 'b', 'c'), 'objectProp', createObject('key1', 'value1'))]",
        { intProp: 1, stringProp: 'abc', boolProp: true, arrayProp: ['a', 'b', 'c'], objectProp: { key1: 'value1' } }],
      ['[createObject()]', {}],
      ['[array(1)]', [1]],
      ["[array('efgh')]", ['efgh']],
      ["[array(createObject('a', 'b', 'c', 'd'))]", [{ a: 'b', c: 'd' }]],
      ['[array(createArray(1))]', [1]],
      ['[array(resourceGroup().location)]', [{ sym: 'resourceGroup().location' }]],
    ]);
    assertSymbolic(run("[array(parameters('names'))]"), 'param:names');
    assertSymbolic(run("[array(reference('x'))]"), "array(reference('x'))");
    unknowns([
      ["[createObject('a')]", /pairs of key and value/],
      ["[createObject(1, 'a')]", /key 1 must be a string/],
      ["[createObject('a', 1, 'a', 2)]", /appears twice/],
    ]);
    assert.deepEqual(Object.keys(run("[createObject('__proto__', 1)]") as object), ['__proto__']);
    // An unknown element stays where it is; the rest stays known.
    const partly = plain(run("[createArray('10.0.0.0/24', parameters('nope'))]")) as unknown[];
    assert.equal(partly[0], '10.0.0.0/24');
    assert.match((partly[1] as { unknown: string }).unknown, /declares no parameter 'nope'/);
    assert.equal((plain(run("[createObject('a', 1, 'b', div(1, 0))]")) as { a: number }).a, 1);
    assertUnknown(run("[createObject(parameters('nope'), 1)]"), /declares no parameter 'nope'/);
  });

  it('union merges objects deeply and arrays without duplicates', () => {
    check([
      ["[union(parameters('firstObject'), parameters('secondObject'))]", { one: 'a', two: 'b', three: 'c2', four: 'd', five: 'e' }],
      ["[union(parameters('firstArray'), parameters('secondArray'))]", ['one', 'two', 'three', 'four']],
      ["[union(variables('deepFirst'), variables('deepSecond'))]",
        { property: { one: 'a', two: 'b', three: 'c2', four: 'd', five: 'e' }, nestedArray: [3, 4] }],
      ["[union(createArray(createArray('one', 'two'), createArray('three')), createArray(createArray('three'), createArray('four', 'two')))]",
        [['one', 'two'], ['three'], ['four', 'two']]],
      ['[union(createArray(1, 1, 2))]', [1, 2]],
    ]);
    unknowns([["[union(createArray(1), createObject('a', 1))]", /either arrays or objects/]]);
    assertSymbolic(run("[union(createArray('a'), createArray(resourceGroup().location))]"), "union(['a'], [resourceGroup().location])");
  });

  it('intersection of objects and arrays', () => {
    check([
      ["[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), createObject('one', 'a', 'two', 'z', 'three', 'c'))]", { one: 'a', three: 'c' }],
      ["[intersection(parameters('firstArray'), createArray('two', 'three'))]", ['two', 'three']],
      ['[intersection(createArray(1, 1, 2), createArray(1), createArray(1, 2))]', [1]],
    ]);
  });

  it('items sorts by key; tryGet; objectKeys; join; flatten', () => {
    check([
      ["[items(parameters('entities'))]", [
        { key: 'item001', value: { enabled: true, displayName: 'Example item 1', number: 300 } },
        { key: 'item002', value: { enabled: false, displayName: 'Example item 2', number: 200 } },
      ]],
      ["[tryGet(parameters('objectToTest'), 'one')]", 'a'],
      ["[tryGet(parameters('objectToTest'), 'nine')]", null],
      ['[tryGet(createArray(1, 2), 5)]', null],
      ["[tryGet(null(), 'x')]", null],
      ["[objectKeys(createObject('a', 1, 'b', 2))]", ['a', 'b']],
      ["[join(createArray('a', 'b', 3), '-')]", 'a-b-3'],
      ["[flatten(createArray(createArray(1), createArray(2, 3)))]", [1, 2, 3]],
    ]);
    assert.deepEqual(plain(run("[join(createArray('Storage', resourceGroup().location), '.')]")),
      { template: ['Storage.', { sym: 'resourceGroup().location' }] });
  });

  it('min, max, range', () => {
    check([
      ['[min(createArray(0, 3, 2, 5, 4))]', 0],
      ['[min(0, 3, 2, 5, 4)]', 0],
      ['[max(createArray(0, 3, 2, 5, 4))]', 5],
      ['[max(0, 3, 2, 5, 4)]', 5],
      ['[range(1, 5)]', [1, 2, 3, 4, 5]],
      ['[range(5, 0)]', []],
    ]);
    unknowns([
      ['[range(0, 10001)]', /from 0 to 10000/],
      ['[range(2147483647, 1)]', /must not exceed/],
      ['[min(createArray())]', /no values/],
      ["[max(1, 'a')]", /compares integers, not a string/],
    ]);
  });
});

describe('arm functions: logic, comparison, numbers', () => {
  it('equals compares deeply, and symbolic values by identity', () => {
    check([
      ['[equals(1, 1)]', true],
      ["[equals('a', 'A')]", false],
      ["[equals(createArray('a', 'b'), createArray('a', 'b'))]", true],
      ["[equals(createObject('a', 'b', 'c', 1), createObject('c', 1, 'a', 'b'))]", true],
      ["[equals(createArray(1), createArray('1'))]", false],
      ['[not(equals(1, 2))]', true],
      ['[equals(resourceGroup().location, resourceGroup().location)]', true],
      ['[equals(toLower(resourceGroup().location), resourceGroup().location)]', true],
      ["[equals(concat('Storage.', resourceGroup().location), concat('Sql.', resourceGroup().location))]", false],
      ["[equals(resourceGroup().location, 5)]", false],
    ]);
    assertSymbolic(run("[equals(resourceGroup().location, 'eastus')]"), "equals(resourceGroup().location, 'eastus')");
  });

  it('less, lessOrEquals, greater, greaterOrEquals on integers and strings (culture order)', () => {
    check([
      ['[less(1, 2)]', true],
      ["[less('A', 'a')]", false],
      ['[lessOrEquals(1, 2)]', true],
      ["[lessOrEquals('A', 'a')]", false],
      ['[greater(1, 2)]', false],
      ["[greater('A', 'a')]", true],
      ['[greaterOrEquals(1, 2)]', false],
      ["[greaterOrEquals('A', 'a')]", true],
      ["[less('abc', 'abd')]", true],
      ['[greaterOrEquals(2, 2)]', true],
    ]);
    unknowns([["[less('a-b', 'a')]", /culture rules/], ["[less(1, 'a')]", /cannot compare an integer with a string/]]);
  });

  it('and, or, not, bool, true, false, null', () => {
    check([
      ['[and(true(), true(), false())]', false],
      ['[and(true(), true())]', true],
      ['[or(false(), false(), true())]', true],
      ['[or(false(), false())]', false],
      ['[not(true())]', false],
      ["[bool('true')]", true],
      ["[bool('False')]", false],
      ['[bool(0)]', false],
      ['[bool(1)]', true],
      ['[null()]', null],
      // A decided and() does not look further: the unknown second argument does not matter.
      ['[and(false(), div(1, 0))]', false],
      ["[or(true(), parameters('nope'))]", true],
    ]);
    assertSymbolic(run("[and(true(), parameters('flag'))]"), 'and(true, param:flag)');
    assert.equal(run("[and(false(), parameters('flag'))]"), false);
    unknowns([["[bool('yes')]", /not a boolean/], ["[not('x')]", /must be a boolean/], ['[and(true())]', /at least 2/], ['[true(1)]', /takes 0 arguments, not 1/]]);
  });

  it('if takes only the branch it chooses', () => {
    check([
      ["[if(equals('a', 'a'), 'yes', 'no')]", 'yes'],
      ["[if(false(), div(1, 0), 'no')]", 'no'],
      ["[if(true(), 'yes', parameters('undeclared'))]", 'yes'],
      ["[if(true(), 'yes', createArray()[3])]", 'yes'],
      // An unknown condition does not matter when both branches agree.
      ["[if(parameters('flag'), 'same', 'same')]", 'same'],
    ]);
    const r = assertUnknown(run("[if(parameters('flag'), 'a', 'b')]"), /depends on the condition parameters\('flag'\), which is known only at deployment/);
    assert.match(r, /^if\(parameters\('flag'\), 'a', 'b'\)/);
    assertUnknown(run("[if(parameters('undeclared'), 'a', 'b')]"), /depends on the condition parameters\('undeclared'\), which is unknown \(.*declares no parameter/);
    unknowns([["[if('x', 1, 2)]", /condition must be a boolean, not a string/]]);
  });

  it('coalesce skips nulls and will not guess past a symbolic value', () => {
    check([
      ["[coalesce(parameters('nulls').null1, parameters('nulls').null2, parameters('nulls').string)]", 'default'],
      ["[coalesce(parameters('nulls').null1, parameters('nulls').null2, parameters('nulls').int)]", 1],
      ["[coalesce(parameters('nulls').null1, parameters('nulls').null2, parameters('nulls').object)]", { first: 'default' }],
      ["[coalesce(parameters('nulls').null1, parameters('nulls').null2, parameters('nulls').array)]", [1]],
      ["[empty(coalesce(parameters('nulls').null1, parameters('nulls').null2))]", true],
      ["[coalesce('', 'x')]", ''],
      ["[coalesce('a', div(1, 0))]", 'a'],
    ]);
    assertSymbolic(run("[coalesce(null(), parameters('location'))]"), 'param:location');
    assertSymbolic(run("[coalesce(parameters('location'), null(), resourceGroup().location)]"), 'coalesce(param:location, resourceGroup().location)');
    assertUnknown(run("[coalesce(null(), parameters('location'), 'westus')]"), /depends on whether parameters\('location'\) is null/);
  });

  it('add, sub, mul, div, mod, int on 64-bit-style integers', () => {
    check([
      ['[add(5, 3)]', 8],
      ['[sub(7, 3)]', 4],
      ['[mul(5, 3)]', 15],
      ['[div(8, 3)]', 2],
      ['[div(-7, 2)]', -3],
      ['[mod(7, 3)]', 1],
      ['[mod(-7, 2)]', -1],
      ["[int('4')]", 4],
      ["[int(' -12 ')]", -12],
      ['[int(7)]', 7],
    ]);
    unknowns([
      ['[div(1, 0)]', /div\(1, 0\): division by zero/],
      ['[mod(1, 0)]', /division by zero/],
      ["[int('1.5')]", /not an integer/],
      ["[add(1, '2')]", /argument 2 must be an integer, not a string/],
      ['[mul(9007199254740991, 2)]', /beyond the integers/],
    ]);
    assertSymbolic(run("[add(parameters('count'), 1)]"), 'add(param:count, 1)');
  });
});

describe('arm functions: deployment and resources', () => {
  it('resourceGroup() and subscription() are objects of symbolic values', () => {
    assertSymbolic(run('[resourceGroup().location]'), 'resourceGroup().location');
    assertSymbolic(run('[resourceGroup().Location]'), 'resourceGroup().location');
    assertSymbolic(run('[resourceGroup().name]'), 'resourceGroup().name');
    assertSymbolic(run('[resourceGroup().id]'), 'resourceGroup().id');
    assert.equal(run('[resourceGroup().type]'), 'Microsoft.Resources/resourceGroups');
    assertSymbolic(run('[subscription().subscriptionId]'), 'subscription().subscriptionid');
    assertSymbolic(run('[subscription().tenantId]'), 'subscription().tenantid');
    assertSymbolic(run('[deployment().name]'), 'deployment().name');
    assertSymbolic(run('[environment().suffixes.storage]'), 'environment().suffixes.storage');
    assertSymbolic(run('[tenant().tenantId]'), 'tenant().tenantid');
    assertUnknown(run('[resourceGroup().nope]'), /resourceGroup\(\)\.nope: the object has no property 'nope'/);
  });

  it('resourceId builds ids from the deployment scope and explicit arguments', () => {
    const sub = { sym: 'subscription().subscriptionid' };
    const rg = { sym: 'resourceGroup().name' };
    check([
      ["[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]",
        { template: ['/subscriptions/', sub, '/resourceGroups/', rg, '/providers/Microsoft.Network/networkSecurityGroups/nsg'] }],
      ["[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'snet')]",
        { template: ['/subscriptions/', sub, '/resourceGroups/', rg, '/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet'] }],
      ["[resourceId('other-rg', 'Microsoft.Network/virtualNetworks', 'vnet')]",
        { template: ['/subscriptions/', sub, '/resourceGroups/other-rg/providers/Microsoft.Network/virtualNetworks/vnet'] }],
      ["[resourceId('0000-sub', 'other-rg', 'Microsoft.Network/virtualNetworks', 'vnet')]",
        '/subscriptions/0000-sub/resourceGroups/other-rg/providers/Microsoft.Network/virtualNetworks/vnet'],
      ["[resourceId(parameters('location'), 'Microsoft.Network/virtualNetworks', 'vnet')]",
        { template: ['/subscriptions/', sub, '/resourceGroups/', { sym: 'param:location' }, '/providers/Microsoft.Network/virtualNetworks/vnet'] }],
      ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg')]",
        { template: ['/subscriptions/', sub, '/providers/Microsoft.Resources/resourceGroups/rg'] }],
      ["[subscriptionResourceId('s1', 'Microsoft.Resources/resourceGroups', 'rg')]", '/subscriptions/s1/providers/Microsoft.Resources/resourceGroups/rg'],
      ["[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]", '/providers/Microsoft.Management/managementGroups/mg'],
      ["[extensionResourceId('/subscriptions/s/resourceGroups/r', 'Microsoft.Authorization/locks', 'lock')]",
        '/subscriptions/s/resourceGroups/r/providers/Microsoft.Authorization/locks/lock'],
      ["[managementGroupResourceId('mg1', 'Microsoft.Authorization/policyDefinitions', 'p')]",
        '/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/p'],
    ]);
    unknowns([
      ["[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]", /needs 2 names, not 1/],
      ["[resourceId('a', 'b', 'c', 'Microsoft.Network/virtualNetworks', 'v')]", /no resource type/],
      ["[resourceId('Microsoft.Network/', 'v')]", /is not a resource type/],
      ["[resourceId('Microsoft.Network/virtualNetworks', createArray())]", /resource name 1 must be a string/],
    ]);
  });

  it('resourceId honours the deployment context: a named resource group, a subscription scope', () => {
    const named = ArmScope.forTemplate({}, { context: { resourceGroup: { name: 'rg-net', location: 'westeurope' }, subscription: { subscriptionId: 's1' } } });
    assert.equal(named.evaluate("[resourceId('Microsoft.Network/virtualNetworks', 'v')]"), '/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v');
    assert.equal(named.evaluate('[resourceGroup().location]'), 'westeurope');
    const subScope = ArmScope.forTemplate({}, { context: { scope: 'subscription' } });
    assert.deepEqual(plain(subScope.evaluate("[resourceId('Microsoft.Resources/resourceGroups', 'rg')]")),
      { template: ['/subscriptions/', { sym: 'subscription().subscriptionid' }, '/providers/Microsoft.Resources/resourceGroups/rg'] });
    assertUnknown(subScope.evaluate('[resourceGroup()]'), /not available in a subscription deployment/);
  });

  it('reference() and list*() are symbolic unless the reader resolves them', () => {
    assertSymbolic(run("[reference(resourceId('Microsoft.Network/virtualNetworks', 'v'), '2023-04-01').subnets[0].id]"),
      "reference(concat('/subscriptions/', subscription().subscriptionid, '/resourceGroups/', resourceGroup().name, '/providers/Microsoft.Network/virtualNetworks/v'), '2023-04-01').subnets[0].id");
    assertSymbolic(run("[listKeys('acct', '2023-01-01').keys[0].value]"), "listkeys('acct', '2023-01-01').keys[0].value");
    assertSymbolic(run("[reference('x').outputs['subnet-id'].value]"), "reference('x').outputs['subnet-id'].value");
    assert.deepEqual(plain(run("[reference('x').outputs['id']]")), plain(run("[reference('x').outputs.ID]")), 'property names ignore case');
    const calls: string[] = [];
    const scope = ArmScope.forTemplate({}, {
      context: {
        resolveReference: (call) => {
          calls.push(call.text);
          return call.args[0] === 'known' ? { properties: { addressPrefix: '10.0.0.0/24' } } : undefined;
        },
      },
    });
    assert.equal(scope.evaluate("[reference('known').properties.addressPrefix]"), '10.0.0.0/24');
    assertSymbolic(scope.evaluate("[reference('other').x]"), "reference('other').x");
    assert.deepEqual(calls, ["reference('known')", "reference('other')"]);
  });

  it('cidrSubnet cuts an IPv4 network into blocks (the ARM reference\'s example), and says why it cannot', () => {
    check([
      ["[cidrSubnet('10.144.0.0/20', 24, 0)]", '10.144.0.0/24'],
      ["[cidrSubnet('10.144.0.0/20', 24, 1)]", '10.144.1.0/24'],
      ["[cidrSubnet('10.144.0.0/20', 24, 15)]", '10.144.15.0/24'],
      ["[cidrSubnet('10.0.0.0/8', 27, 3)]", '10.0.0.96/27'],
      ["[cidrSubnet('192.168.4.0/22', 22, 0)]", '192.168.4.0/22'],
      ["[cidrSubnet('0.0.0.0/0', 1, 1)]", '128.0.0.0/1'],
      ["[cidrSubnet('255.255.255.0/24', 32, 255)]", '255.255.255.255/32'],
      ["[cidrSubnet('10.1.0.0/16', 24, 2)]", '10.1.2.0/24'],
    ]);
    unknowns([
      ["[cidrSubnet('10.144.0.0/20', 24, 16)]", /subnet index 16 is outside 0 to 15/],
      ["[cidrSubnet('10.144.0.0/20', 19, 0)]", /the new CIDR 19 must be from 20 to 32/],
      ["[cidrSubnet('10.144.0.0/20', 33, 0)]", /the new CIDR 33 must be from 20 to 32/],
      ["[cidrSubnet('10.144.0.1/20', 24, 0)]", /host bits are set/],
      ["[cidrSubnet('fdad:3236:5555::/48', 52, 0)]", /IPv4 networks only/],
      ["[cidrSubnet('10.300.0.0/16', 24, 0)]", /is not a network in CIDR notation/],
      ["[cidrSubnet('10.0.0.0', 24, 0)]", /is not a network in CIDR notation/],
      ["[cidrSubnet('10.0.0/24', 24, 0)]", /is not a network in CIDR notation/],
      ["[cidrSubnet('10.0.0.0/', 24, 0)]", /is not a network in CIDR notation/],
      ["[cidrSubnet('10.0.0.0/33', 33, 0)]", /is not a network in CIDR notation/],
      ["[cidrSubnet('10..0.0/16', 24, 0)]", /is not a network in CIDR notation/],
      ["[cidrSubnet(10, 24, 0)]", /argument 1 must be a string/],
    ]);
    assertSymbolic(run("[cidrSubnet(parameters('location'), 24, 0)]"), 'cidrSubnet(param:location, 24, 0)');
  });

  it('unknown and unsupported functions, wrong argument counts', () => {
    unknowns([
      ["[noSuchFunction('a')]", /noSuchFunction\('a'\): unknown function 'noSuchFunction'/],
      ["[dateTimeAdd('2020-01-01', 'P1D')]", /amlnet does not evaluate dateTimeAdd\(\)/],
      ["[toLower('a', 'b')]", /toLower\('a', 'b'\): toLower\(\) takes 1 argument, not 2/],
      ["[substring()]", /takes 1 to 3 arguments, not 0/],
      ["[createArray()[0]]", /createArray\(\)\[0\]: index 0 is out of range: the array has 0 elements/],
      ["[createArray(1, 2)[-1]]", /index -1 is out of range/],
      ["[createArray(1)['a']]", /indexed by an integer, not by a string/],
      ["[createObject('a', 1).b]", /has no property 'b' \(it has 'a'\)/],
      ["['text'.length]", /cannot read property 'length' of a string/],
    ]);
    check([
      ['[CONCAT(\'a\', \'b\')]', 'ab'],
      ["[createObject('Name', 1).name]", 1],
      ["[createObject('a', createArray(10, 20))['A'][1]]", 20],
    ]);
  });

  it('a TemplateString result is a TemplateString instance', () => {
    assert.ok(run("[concat('a', resourceGroup().name)]") instanceof TemplateString);
  });
});
