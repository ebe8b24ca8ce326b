import * as assert from 'node:assert/strict';
import {
  type ArmExpression, MAX_EXPRESSION_NESTING, isTemplateExpression, parseExpression, parseExpressionIn, printExpression, unescapeTemplateLiteral,
} from '../../../src/core/arm/expression-parser';
import { stripOffsets } from './arm-test-helpers';

function parsed(text: string): ArmExpression {
  const r = parseExpression(text);
  if (!r.ok) assert.fail(`${text}: ${r.error} at ${r.offset}`);
  return r.expr;
}

function parseError(text: string): { error: string; offset: number } {
  const r = parseExpression(text);
  if (r.ok) assert.fail(`${text} parsed, but should not`);
  return r;
}

describe('arm expression parser', () => {
  it('tells expressions from literals and unescapes [[', () => {
    for (const s of ['[a()]', "['x']", '[]', '[ a() ]']) assert.equal(isTemplateExpression(s), true, s);
    for (const s of ['', '[', ']', 'a()', '[a()', 'a()]', '[[a()]', ' [a()]', '[a()] ', '[[']) assert.equal(isTemplateExpression(s), false, s);
    assert.equal(unescapeTemplateLiteral('[[not an expression]'), '[not an expression]');
    assert.equal(unescapeTemplateLiteral('[[]'), '[]');
    // Only a string that would otherwise be an expression is unescaped.
    assert.equal(unescapeTemplateLiteral('[[no closing bracket'), '[[no closing bracket');
    assert.equal(unescapeTemplateLiteral('plain'), 'plain');
  });

  it('parses a template string inside a larger text as it parses the string itself, offsets included', () => {
    const texts = [
      "[concat('a', toLower(parameters('b')))]", "[variables('m')[copyIndex('x')].name]", "[ns.f(-1, 'it''s')]", '[f(1, 2]',
      "['open]", '[a.b()', '[1.5]', '[f(1,)]', '[x]', '[[x]', '[]', '[', '',
    ];
    for (const text of texts) {
      const source = `{"k": "${text}", "j": 1}`;
      const from = source.indexOf(text);
      assert.deepEqual(parseExpressionIn(source, from, from + text.length), parseExpression(text), text);
    }
  });

  it('parses calls, nested calls and namespaced user functions', () => {
    assert.deepEqual(stripOffsets(parsed("[concat('a', toLower(parameters('b')))]")), {
      kind: 'call', name: 'concat', args: [
        { kind: 'string', value: 'a' },
        { kind: 'call', name: 'toLower', args: [{ kind: 'call', name: 'parameters', args: [{ kind: 'string', value: 'b' }] }] },
      ],
    });
    assert.deepEqual(stripOffsets(parsed("[contoso.uniqueName('x', 1)]")), {
      kind: 'call', namespace: 'contoso', name: 'uniqueName', args: [{ kind: 'string', value: 'x' }, { kind: 'integer', value: 1 }],
    });
    assert.deepEqual(stripOffsets(parsed('[true()]')), { kind: 'call', name: 'true', args: [] });
  });

  it('reads every argument of calls of none to many arguments, and errors in any of them', () => {
    for (let n = 0; n <= 6; n++) {
      const values = Array.from({ length: n }, (_, i) => i + 1);
      const e = parsed(`[f(${values.join(', ')})]`);
      assert.ok(e.kind === 'call');
      assert.deepEqual(e.args.map((a) => (a.kind === 'integer' ? a.value : undefined)), values);
    }
    assert.deepEqual(parseExpression('[f(1, 2, 3, 4,)]'), { ok: false, error: "expected an argument after ','", offset: 14 });
    assert.deepEqual(parseExpression('[f(1, 2, 3, 4 5)]'), { ok: false, error: "expected ',' or ')' in the arguments of the call at 1, found '5'", offset: 14 });
    assert.deepEqual(parseExpression('[f(1, 2]'), { ok: false, error: "expected ')' to close the call at 1", offset: 7 });
  });

  it('parses strings with doubled quotes and brackets inside', () => {
    assert.deepEqual(stripOffsets(parsed("['it''s']")), { kind: 'string', value: "it's" });
    assert.deepEqual(stripOffsets(parsed("['''']")), { kind: 'string', value: "'" });
    assert.deepEqual(stripOffsets(parsed("['']")), { kind: 'string', value: '' });
    assert.deepEqual(stripOffsets(parsed("['a]b[c']")), { kind: 'string', value: 'a]b[c' });
    assert.deepEqual(stripOffsets(parsed("['[[x]']")), { kind: 'string', value: '[[x]' });
  });

  it('parses integers, negative ones included', () => {
    assert.deepEqual(stripOffsets(parsed('[42]')), { kind: 'integer', value: 42 });
    assert.deepEqual(stripOffsets(parsed('[add(-1, 0)]')), {
      kind: 'call', name: 'add', args: [{ kind: 'integer', value: -1 }, { kind: 'integer', value: 0 }],
    });
    assert.ok(Object.is((parsed('[-0]') as { value: number }).value, 0), '-0 is read as 0');
  });

  it('parses property access and indexers, chained', () => {
    assert.deepEqual(stripOffsets(parsed("[reference('vnet').subnets[0].id]")), {
      kind: 'property', name: 'id', target: {
        kind: 'index', index: { kind: 'integer', value: 0 }, target: {
          kind: 'property', name: 'subnets', target: { kind: 'call', name: 'reference', args: [{ kind: 'string', value: 'vnet' }] },
        },
      },
    });
    assert.deepEqual(stripOffsets(parsed("[variables('m')[parameters('k')]]")), {
      kind: 'index',
      target: { kind: 'call', name: 'variables', args: [{ kind: 'string', value: 'm' }] },
      index: { kind: 'call', name: 'parameters', args: [{ kind: 'string', value: 'k' }] },
    });
  });

  it('allows whitespace between tokens', () => {
    assert.deepEqual(
      stripOffsets(parsed("[ concat ( 'a' ,\n\t'b' ) . x [ 0 ] ]")),
      stripOffsets(parsed("[concat('a','b').x[0]]")),
    );
    assert.deepEqual(stripOffsets(parsed('[ns . fn()]')), { kind: 'call', namespace: 'ns', name: 'fn', args: [] });
  });

  it('records offsets within the whole string', () => {
    const text = "[concat('ab', parameters('x').y)]";
    const e = parsed(text);
    assert.equal(e.kind, 'call');
    assert.equal(e.start, 1);
    assert.equal(e.end, text.length - 1);
    if (e.kind !== 'call') return;
    assert.equal(text.slice(e.args[0].start, e.args[0].end), "'ab'");
    assert.equal(text.slice(e.args[1].start, e.args[1].end), "parameters('x').y");
  });

  it('reports errors with their offsets', () => {
    const cases: [string, RegExp, number][] = [
      ['[]', /expected an expression/, 1],
      ["[concat('a']", /expected '\)' to close the call at 1/, 11],
      ["[concat('a',)]", /expected an argument after ','/, 12],
      ["[concat('a' 'b')]", /expected ',' or '\)'/, 12],
      ["['unclosed]", /string not closed/, 1],
      ['[parameters]', /expected '\(' after 'parameters'/, 11],
      ['[true]', /true\(\), false\(\) or null\(\)/, 5],
      ['[a().]', /expected a property name/, 5],
      ['[a()[0]', /expected '\]' to close the '\[' at 4/, 6],
      ['[a()[0 ]x]', /unexpected 'x' after the expression/, 8],
      ['[1.5]', /decimal numbers are not allowed/, 1],
      ['[9007199254740993]', /too large/, 1],
      ['[@x()]', /expected a function call, a string or an integer, found '@'/, 1],
      ['[ns.()]', /expected a function name after 'ns\.'/, 4],
      ["[concat('a')]()]", /unexpected '\]' after the expression/, 12],
    ];
    for (const [text, message, offset] of cases) {
      const r = parseError(text);
      assert.match(r.error, message, text);
      assert.equal(r.offset, offset, `${text}: ${r.error}`);
    }
    assert.match(parseError('not an expression').error, /starts with '\['/);
  });

  it('refuses nesting deeper than its limit, without exhausting the stack', () => {
    const deep = (n: number): string => `[${'f('.repeat(n)}1${')'.repeat(n)}]`;
    assert.equal(parseExpression(deep(MAX_EXPRESSION_NESTING)).ok, true);
    assert.match(parseError(deep(MAX_EXPRESSION_NESTING + 1)).error, /nested more than/);
    assert.match(parseError(deep(100_000)).error, /nested more than/);
    assert.match(parseError(`[a()${'.b'.repeat(100_000)}]`).error, /nested more than/);
    assert.match(parseError(`[a()${'[0]'.repeat(50_000)}]`).error, /nested more than/);
  });

  it('prints a tree that parses back to the same tree', () => {
    for (const text of [
      "[concat('it''s', toLower(parameters('b')), -3)]",
      "[reference(resourceId('Microsoft.Network/virtualNetworks', 'v'), '2023-04-01').subnets[0].id]",
      '[ns.fn(1, ns2.g())]',
      "['[[x]'.y[z()]]",
    ]) {
      const e = parsed(text);
      assert.deepEqual(stripOffsets(parsed(printExpression(e))), stripOffsets(e), text);
    }
    assert.equal(printExpression(parsed("[ concat( 'a''b' ,1 ) ]")), "[concat('a''b', 1)]");
  });
});
