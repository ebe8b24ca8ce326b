import * as assert from 'node:assert/strict';
import { parseBicep } from '../../../src/core/bicep/parser';
import type { Expression } from '../../../src/core/bicep/syntax';
import { expr, shape, src } from './helpers';

const id = (name: string) => ({ kind: 'identifier', name });
const int = (value: number) => ({ kind: 'integer', value });
const str = (value: string) => ({ kind: 'string', value });

/** Renders an expression tree with explicit parentheses, to check precedence and associativity. */
function paren(e: Expression): string {
  switch (e.kind) {
    case 'binary': return `(${paren(e.left)} ${e.operator} ${paren(e.right)})`;
    case 'unary': return `(${e.operator}${paren(e.operand)})`;
    case 'ternary': return `(${paren(e.condition)} ? ${paren(e.whenTrue)} : ${paren(e.whenFalse)})`;
    case 'identifier': return e.name;
    case 'integer': return String(e.value);
    case 'boolean': return String(e.value);
    case 'nonNull': return `${paren(e.expression)}!`;
    case 'propertyAccess': return `${paren(e.object)}.${e.safe ? '?' : ''}${e.name.kind === 'identifier' ? e.name.name : '<error>'}`;
    case 'parenthesized': return paren(e.expression);
    default: return `<${e.kind}>`;
  }
}

describe('bicep parser: expressions', () => {
  it('literals', () => {
    assert.deepEqual(shape(expr('42').e), int(42));
    assert.deepEqual(shape(expr('true').e), { kind: 'boolean', value: true });
    assert.deepEqual(shape(expr('false').e), { kind: 'boolean', value: false });
    assert.deepEqual(shape(expr('null').e), { kind: 'null' });
    assert.deepEqual(shape(expr('\'a\'').e), str('a'));
    const { file, e } = expr('-5');
    assert.deepEqual(shape(e), { kind: 'unary', operator: '-', operand: int(5) });
    assert.equal(src(file, e), '-5');
  });

  it('binary operators follow Bicep precedence and are left-associative', () => {
    const cases: [string, string][] = [
      ['a + b * c', '(a + (b * c))'],
      ['a * b % c / d', '(((a * b) % c) / d)'],
      ['a - b - c', '((a - b) - c)'],
      ['a + b < c', '((a + b) < c)'],
      ['a < b == c >= d', '((a < b) == (c >= d))'],
      ['a == b && c != d', '((a == b) && (c != d))'],
      ['a && b || c && d', '((a && b) || (c && d))'],
      ['a || b ?? c', '((a || b) ?? c)'],
      ['a ?? b ?? c', '((a ?? b) ?? c)'],
      ['a =~ b !~ c', '((a =~ b) !~ c)'],
      ['!a && -b', '((!a) && (-b))'],
      ['!!a', '(!(!a))'],
      ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
      ['a || b ? c + d : e', '((a || b) ? (c + d) : e)'],
      ['a.b!.c', 'a.b!.c'],
      ['!a!', '(!a!)'],
      ['(a + b) * c', '((a + b) * c)'],
    ];
    for (const [text, expected] of cases) assert.equal(paren(expr(text).e), expected, text);
  });

  it('binary node ranges cover both operands', () => {
    const { file, e } = expr('a + b * c');
    assert.equal(src(file, e), 'a + b * c');
    assert.equal(e.kind === 'binary' ? src(file, e.right) : '', 'b * c');
  });

  it('a ternary may continue on the next lines', () => {
    const { file, e } = expr('isProd\n  ? 3\n  : 1');
    assert.equal(paren(e), '(isProd ? 3 : 1)');
    assert.equal(src(file, e), 'isProd\n  ? 3\n  : 1');
  });

  it('?? on the next line does not continue an expression', () => {
    const file = parseBicep('var a = b\n?? c');
    assert.equal(file.statements.length, 2);
    assert.ok(file.diagnostics.length > 0);
  });

  it('property access, safe access, indexers, ::, non-null', () => {
    const { file, e } = expr('a.b.?c[0][?\'k\'][^1]::child!.d');
    assert.equal(src(file, e), 'a.b.?c[0][?\'k\'][^1]::child!.d');
    assert.deepEqual(shape(e), {
      kind: 'propertyAccess', safe: false, name: id('d'), object: {
        kind: 'nonNull', expression: {
          kind: 'resourceAccess', name: id('child'), object: {
            kind: 'indexAccess', safe: false, fromEnd: true, index: int(1), object: {
              kind: 'indexAccess', safe: true, fromEnd: false, index: str('k'), object: {
                kind: 'indexAccess', safe: false, fromEnd: false, index: int(0), object: {
                  kind: 'propertyAccess', safe: true, name: id('c'), object: {
                    kind: 'propertyAccess', safe: false, name: id('b'), object: id('a'),
                  },
                },
              },
            },
          },
        },
      },
    });
  });

  it('reads a?.b as safe access, with a diagnostic that Bicep writes .?', () => {
    const file = parseBicep('var x = a?.b');
    assert.equal(file.diagnostics.length, 1);
    assert.match(file.diagnostics[0].message, /\.\?/);
    const v = file.statements[0];
    assert.equal(v.kind === 'var' ? paren(v.value) : '', 'a.?b');
  });

  it('function calls: plain, namespaced, instance, across lines', () => {
    assert.deepEqual(shape(expr('concat(\'a\', b)').e), { kind: 'call', target: null, name: id('concat'), arguments: [str('a'), id('b')] });
    assert.deepEqual(shape(expr('sys.concat(\'a\')').e), { kind: 'call', target: id('sys'), name: id('concat'), arguments: [str('a')] });
    const { file, e } = expr('az.resourceGroup().location');
    assert.equal(e.kind, 'propertyAccess');
    if (e.kind === 'propertyAccess') assert.equal(src(file, e.object), 'az.resourceGroup()');
    const multi = expr('union(\n  a,\n  b\n)');
    assert.equal(multi.e.kind === 'call' ? multi.e.arguments.length : 0, 2);
    assert.equal(shape(expr('f()').e) !== null, true);
    assert.deepEqual(shape(expr('x.items()').e), { kind: 'call', target: id('x'), name: id('items'), arguments: [] });
  });

  it('lambdas with one and several parameters, bodies on the next line', () => {
    assert.deepEqual(shape(expr('map(xs, x => x.name)').e), {
      kind: 'call', target: null, name: id('map'), arguments: [id('xs'), {
        kind: 'lambda', parameters: [id('x')], body: { kind: 'propertyAccess', safe: false, name: id('name'), object: id('x') },
      }],
    });
    const { file, e } = expr('reduce(xs, 0, (a, b) =>\n  a + b)');
    const lambda = e.kind === 'call' ? e.arguments[2] : e;
    assert.equal(lambda.kind, 'lambda');
    if (lambda.kind === 'lambda') {
      assert.deepEqual(lambda.parameters.map((p) => src(file, p)), ['a', 'b']);
      assert.equal(src(file, lambda.body), 'a + b');
    }
    assert.equal(expr('sort(xs, (a, b) => a < b)').e.kind, 'call');
    assert.equal(expr('() => 1').e.kind, 'lambda');
  });

  it('objects: identifier and string keys, newline or comma separated, spread', () => {
    const { file, e } = expr('{\n  a: 1\n  \'b-c\': 2, d: 3\n  ...rest\n  e: { f: [] }\n}');
    assert.equal(e.kind, 'object');
    if (e.kind !== 'object') return;
    assert.deepEqual(e.properties.map((p) => p.kind), ['property', 'property', 'property', 'spread', 'property']);
    assert.deepEqual(shape(e.properties[1]), { kind: 'property', key: str('b-c'), value: int(2) });
    assert.equal(src(file, e.properties[3]), '...rest');
    assert.equal(src(file, e.properties[4]), 'e: { f: [] }');
    assert.deepEqual(shape(expr('{ a: 1, b: 2 }').e), {
      kind: 'object', properties: [
        { kind: 'property', key: 'a', value: int(1) },
        { kind: 'property', key: 'b', value: int(2) },
      ],
    });
    assert.deepEqual(shape(expr('{}').e), { kind: 'object', properties: [] });
    const key = expr('{ \'${k}\': 1 }').e;
    assert.equal(key.kind === 'object' && key.properties[0].kind === 'property' && typeof key.properties[0].key !== 'string' ? key.properties[0].key.kind : '', 'interpolatedString');
  });

  it('arrays: newline or comma separated, spread, nested', () => {
    assert.deepEqual(shape(expr('[1, 2\n  3\n  ...more\n]').e), {
      kind: 'array', items: [int(1), int(2), int(3), { kind: 'spread', expression: id('more') }],
    });
    assert.deepEqual(shape(expr('[]').e), { kind: 'array', items: [] });
    assert.deepEqual(shape(expr('[[1], []]').e), { kind: 'array', items: [{ kind: 'array', items: [int(1)] }, { kind: 'array', items: [] }] });
  });

  it('for expressions: item, item and index, filter, range, across lines', () => {
    const { file, e } = expr('[for x in xs: x.name]');
    assert.deepEqual(shape(e), {
      kind: 'for', item: id('x'), index: null, iterable: id('xs'),
      body: { kind: 'propertyAccess', safe: false, name: id('name'), object: id('x') },
    });
    assert.equal(src(file, e), '[for x in xs: x.name]');
    const indexed = expr('[for (x, i) in range(0, 3): i]').e;
    assert.equal(indexed.kind === 'for' ? (indexed.index as { name: string }).name : '', 'i');
    const filtered = expr('[for x in xs: if (x.enabled) {\n  name: x.name\n}]').e;
    assert.equal(filtered.kind === 'for' ? filtered.body.kind : '', 'if');
    const multi = expr('[\n  for x in xs: {\n    a: x\n  }\n]').e;
    assert.equal(multi.kind, 'for');
  });

  it('strings: interpolation with nested expressions and strings, escapes, multi-line', () => {
    const { file, e } = expr('\'Storage.${location}\'');
    assert.deepEqual(shape(e), { kind: 'interpolatedString', segments: ['Storage.', ''], expressions: [id('location')] });
    assert.equal(src(file, e), '\'Storage.${location}\'');
    const nested = expr('\'a${b ? \'x${c}\' : {k: 1}.k}d\'').e;
    assert.equal(nested.kind, 'interpolatedString');
    if (nested.kind === 'interpolatedString') {
      assert.deepEqual(nested.segments, ['a', 'd']);
      assert.equal(nested.expressions[0].kind, 'ternary');
    }
    assert.deepEqual(shape(expr('\'it\\\'s \\${not} \\u{41}\'').e), str('it\'s ${not} A'));
    assert.deepEqual(shape(expr('\'\'\'\nraw ${x}\n\'\'\'').e), str('raw ${x}\n'));
    assert.deepEqual(shape(expr('$\'\'\'\n${a}-${b}\'\'\'').e), { kind: 'interpolatedString', segments: ['', '-', ''], expressions: [id('a'), id('b')] });
  });

  it('comments may appear inside expressions', () => {
    const { e } = expr('{ // c1\n  a: /* c2 */ 1 // c3\n  /* c4 */ b: 2\n}');
    assert.equal(e.kind === 'object' ? e.properties.length : 0, 2);
  });
});
