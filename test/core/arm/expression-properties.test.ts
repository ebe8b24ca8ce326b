// Property tests: the parser and the evaluator never throw, whatever the input, and printing a
// tree gives text that parses back to the same tree.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { quote } from '../../../src/core/arm/arm-values';
import { ArmScope } from '../../../src/core/arm/expression-evaluator';
import {
  type ArmExpression, isTemplateExpression, parseExpression, printExpression, unescapeTemplateLiteral,
} from '../../../src/core/arm/expression-parser';
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../../../src/core/template/value';
import { plain, stripOffsets } from './arm-test-helpers';

// For a long run: `AMLNET_FUZZ_RUNS=100000 npx mocha --no-config --timeout 0 out/test/core/arm/expression-properties.test.js`.
const RUNS = Number(process.env.AMLNET_FUZZ_RUNS) || 0;
const runs = (n: number): number => RUNS || n;

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);

const FUNCTION_NAMES = [
  'concat', 'format', 'toLower', 'toUpper', 'replace', 'split', 'string', 'int', 'bool', 'if', 'equals', 'not', 'and', 'or',
  'empty', 'length', 'contains', 'union', 'intersection', 'createArray', 'createObject', 'first', 'last', 'coalesce',
  'resourceId', 'subscriptionResourceId', 'tenantResourceId', 'extensionResourceId', 'copyIndex', 'parameters', 'variables',
  'substring', 'trim', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf', 'padLeft', 'take', 'skip', 'range', 'array', 'json',
  'min', 'max', 'add', 'sub', 'mul', 'div', 'mod', 'less', 'lessOrEquals', 'greater', 'greaterOrEquals', 'items', 'tryGet',
  'guid', 'uniqueString', 'utcNow', 'newGuid', 'resourceGroup', 'subscription', 'deployment', 'environment', 'reference',
  'listKeys', 'true', 'false', 'null', 'base64', 'base64ToString', 'uriComponent', 'uriComponentToString', 'join', 'flatten',
  'objectKeys', 'noSuchFunction',
];

/** Random trees; `names` chooses function names (any identifier, or the real ones to exercise evaluation). */
function trees(names: fc.Arbitrary<string>, strings: fc.Arbitrary<string>): fc.Arbitrary<ArmExpression> {
  const pos = { start: 0, end: 0 };
  return fc.letrec<{ expr: ArmExpression }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', maxDepth: 8 },
      strings.map((value): ArmExpression => ({ kind: 'string', value, ...pos })),
      fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: 0 }))
        .map((value): ArmExpression => ({ kind: 'integer', value: value === 0 ? 0 : value, ...pos })),
      fc.record({ namespace: fc.option(identifier, { nil: undefined }), name: names, args: fc.array(tie('expr'), { maxLength: 4 }) })
        .map(({ namespace, name, args }): ArmExpression => (namespace === undefined
          ? { kind: 'call', name, args, ...pos }
          : { kind: 'call', namespace, name, args, ...pos })),
      fc.record({ target: tie('expr'), name: identifier }).map(({ target, name }): ArmExpression => ({ kind: 'property', target, name, ...pos })),
      fc.record({ target: tie('expr'), index: tie('expr') }).map(({ target, index }): ArmExpression => ({ kind: 'index', target, index, ...pos })),
    ),
  })).expr;
}

/** A template with a bit of everything, so that random expressions reach parameters, variables and functions. */
const TEMPLATE = {
  parameters: {
    location: { type: 'string', defaultValue: '[resourceGroup().location]' },
    names: { type: 'array', defaultValue: ['a', 'b'] },
    x: { type: 'string' },
    n: { type: 'int', defaultValue: 2 },
  },
  variables: {
    x: "[concat('Storage.', parameters('location'))]",
    names: "[union(parameters('names'), createArray('c'))]",
    n: "[variables('loop')]",
    loop: "[variables('n')]",
    copy: [{ name: 'xs', count: "[parameters('n')]", input: "[copyIndex('xs')]" }],
  },
  functions: [{ namespace: 'ns', members: { f: { parameters: [{ name: 'x', type: 'string' }], output: { type: 'string', value: "[toLower(parameters('x'))]" } } } }],
};

function isValue(v: unknown, depth = 0): boolean {
  if (depth > 200) return true;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (v instanceof SymbolicValue || v instanceof TemplateString) return true;
  if (v instanceof UnknownValue) return typeof v.reason === 'string' && v.reason.length > 0;
  if (Array.isArray(v)) return v.every((e) => isValue(e, depth + 1));
  return isPlainObject(v as Value) && Object.values(v as object).every((e) => isValue(e, depth + 1));
}

const tokens = fc.constantFrom(
  'concat', 'if', 'parameters', 'variables', 'ns.f', 'copyIndex', 'format', 'resourceId', 'equals', '(', ')', '(', ')', ',', "'", "''",
  "'x'", "'location'", "'{0}'", "'Microsoft.Network/virtualNetworks'", '[', ']', '.', '.name', '[0]', '1', '-1', ' ', 'true()', 'null()',
  'createArray(', 'createObject(', "'names'", "'n'", 'json(', "'[1]'", 'resourceGroup()', '.location',
);

describe('arm expressions: properties', () => {
  it('parsing never throws on random strings, and errors point inside the string', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string().map((s) => `[${s}]`)), (s) => {
      const r = parseExpression(s);
      if (!r.ok) assert.ok(r.offset >= 0 && r.offset <= s.length, `${r.offset} in ${s.length}`);
    }), { numRuns: runs(3000) });
  });

  it('parsing and evaluating never throw on random token soups', () => {
    const scope = ArmScope.forTemplate(TEMPLATE).inCopy('loop', 1);
    fc.assert(fc.property(fc.array(tokens, { maxLength: 30 }), (parts) => {
      const text = `[${parts.join('')}]`;
      parseExpression(text);
      assert.ok(isValue(scope.evaluate(text)), text);
    }), { numRuns: runs(5000) });
  });

  it('printing a random tree and parsing it gives the same tree', () => {
    fc.assert(fc.property(trees(identifier, fc.string({ unit: 'binary' })), (tree) => {
      const text = printExpression(tree);
      const r = parseExpression(text);
      if (!r.ok) assert.fail(`${text}: ${r.error} at ${r.offset}`);
      assert.deepEqual(stripOffsets(r.expr), stripOffsets(tree));
      // Offsets are consistent: every node's text is a slice that parses to that node.
      assert.equal(r.expr.start, 1);
      assert.equal(r.expr.end, text.length - 1);
    }), { numRuns: runs(3000) });
  });

  it('evaluating random trees of real functions never throws and is deterministic', () => {
    const scope = ArmScope.forTemplate(TEMPLATE).inCopy('loop', 1);
    const strings = fc.constantFrom('', 'x', 'location', 'names', 'n', 'a,b', '{0}-{1}', 'Microsoft.Network/virtualNetworks', '[1, 2]', 'true', 'loop', "it's");
    fc.assert(fc.property(trees(fc.constantFrom(...FUNCTION_NAMES), strings), (tree) => {
      const text = printExpression(tree);
      const first = scope.evaluate(text);
      assert.ok(isValue(first), text);
      assert.deepEqual(plain(scope.evaluate(text)), plain(first), text);
    }), { numRuns: runs(5000) });
  });

  it('string literals and integers evaluate to themselves; literals outside brackets are kept', () => {
    const scope = ArmScope.forTemplate({});
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      assert.equal(scope.evaluate(`[${quote(s)}]`), s);
      if (!isTemplateExpression(s)) assert.equal(scope.evaluate(s), unescapeTemplateLiteral(s));
    }), { numRuns: runs(1000) });
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      assert.equal(scope.evaluate(`[${n}]`), n === 0 ? 0 : n);
    }), { numRuns: runs(300) });
  });

  it('concat of known strings is their join; of a symbolic part, a template string with it', () => {
    const scope = ArmScope.forTemplate({});
    fc.assert(fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (xs) => {
      assert.equal(scope.evaluate(`[concat(${xs.map(quote).join(', ')})]`), xs.join(''));
      const v = scope.evaluate(`[concat(${xs.map(quote).join(', ')}, resourceGroup().location)]`);
      const location = { sym: 'resourceGroup().location' };
      assert.deepEqual(plain(v), xs.join('') === '' ? location : { template: [xs.join(''), location] });
    }), { numRuns: runs(500) });
  });
});
