import * as assert from 'node:assert/strict';
import { MAX_DEPTH, parseBicep } from '../../../src/core/bicep/parser';
import type { BicepFile, Statement } from '../../../src/core/bicep/syntax';
import { checkInvariants, fixture, src } from './helpers';

function kinds(file: BicepFile): string[] {
  return file.statements.map((s) => s.kind + ('name' in s && s.name.kind === 'identifier' ? ` ${s.name.name}` : ''));
}

function parse(text: string): BicepFile {
  const file = parseBicep(text);
  checkInvariants(file);
  return file;
}

function messages(file: BicepFile): string[] {
  return file.diagnostics.map((d) => d.message);
}

describe('bicep parser: error recovery', () => {
  it('a broken middle statement leaves the others intact', () => {
    const file = parse([
      'param a string',
      'var b = (1 + ]',
      'resource nsg \'Microsoft.Network/networkSecurityGroups@2023-09-01\' = {',
      '  name: \'nsg\'',
      '}',
      'output c string = a',
    ].join('\n'));
    assert.deepEqual(kinds(file), ['param a', 'var b', 'resource nsg', 'output c']);
    assert.ok(file.diagnostics.length >= 1);
    assert.ok(file.diagnostics.every((d) => d.start >= file.text.indexOf('var b') && d.end <= file.text.indexOf('resource')));
  });

  it('an unclosed brace costs one statement: a declaration at column 0 ends it', () => {
    const text = [
      'resource nsg \'Microsoft.Network/networkSecurityGroups@2023-09-01\' = {',
      '  name: \'nsg\'',
      '  properties: {',
      '    securityRules: [',
      '      {',
      '        name: \'r\'',
      '',
      'resource vnet \'Microsoft.Network/virtualNetworks@2023-09-01\' = {',
      '  name: \'vnet\'',
      '}',
      '@description(\'x\')',
      'param p string',
    ].join('\n');
    const file = parse(text);
    assert.deepEqual(kinds(file), ['resource nsg', 'resource vnet', 'param p']);
    assert.deepEqual(messages(file), ['Expected \'}\''], 'one diagnostic, at the end of the broken statement');
    assert.equal(file.diagnostics[0].start, text.indexOf('\'r\'') + 3);
    assert.equal((file.statements[2] as Extract<Statement, { kind: 'param' }>).decorators.length, 1);
  });

  it('inside a type, an unindented decorator is a property decorator, not a stray declaration', () => {
    const clean = parse('type t = {\n@description(\'x\')\nname: string\n}\nparam p t');
    assert.deepEqual(messages(clean), []);
    assert.deepEqual(kinds(clean), ['type t', 'param p']);
    const broken = parse('type t = {\n  name: string\n@description(\'x\')\nparam p t');
    assert.deepEqual(kinds(broken), ['type t', 'param p']);
    assert.deepEqual(messages(broken), ['Expected \'}\'']);
  });

  it('resumes after unrecognized lines at the next declaration, stepping over their braces', () => {
    const file = parse([
      'param a int',
      'this is not bicep {',
      '  param inside: 1',
      '}',
      'neither is this',
      'var b = 2',
    ].join('\n'));
    assert.deepEqual(kinds(file), ['param a', 'errorStatement', 'var b']);
    assert.equal(file.diagnostics.length, 1);
    assert.equal(src(file, file.statements[1]), 'this is not bicep {\n  param inside: 1\n}\nneither is this');
  });

  it('junk after a declaration is reported once and skipped', () => {
    const file = parse('var a = 1 2 3\nvar b = 2');
    assert.deepEqual(kinds(file), ['var a', 'var b']);
    assert.equal(file.diagnostics.length, 1);
    assert.match(file.diagnostics[0].message, /new line/);
  });

  it('missing parts become error nodes with diagnostics, one per place', () => {
    const file = parse('param\nvar x =\nresource r = {\n}\noutput o string\nmodule m\ntype t\nfunc f\n@description(\'d\')\n');
    assert.deepEqual(file.statements.map((s) => s.kind), ['param', 'var', 'resource', 'output', 'module', 'type', 'func', 'errorStatement']);
    const starts = file.diagnostics.map((d) => d.start);
    assert.equal(new Set(starts).size, starts.length, 'no two diagnostics at the same place');
    const p = file.statements[0] as Extract<Statement, { kind: 'param' }>;
    assert.equal(p.name.kind, 'error');
    const v = file.statements[1] as Extract<Statement, { kind: 'var' }>;
    assert.equal(v.value.kind, 'error');
    const r = file.statements[2] as Extract<Statement, { kind: 'resource' }>;
    assert.equal(r.type.kind, 'error');
    assert.equal(r.value.kind, 'object', 'the body is still read');
  });

  it('a resource missing its = still yields its body', () => {
    const file = parse('resource r \'t@1\' {\n  name: \'x\'\n}');
    assert.equal(file.diagnostics.length, 1);
    const r = file.statements[0] as Extract<Statement, { kind: 'resource' }>;
    assert.equal(r.value.kind, 'object');
  });

  it('a bad property skips to the end of its line, keeping its siblings', () => {
    const file = parse('var o = {\n  a: 1\n  b 2\n  = 3\n  c: [1, 2\n  d: 4\n}');
    const o = (file.statements[0] as Extract<Statement, { kind: 'var' }>).value;
    assert.equal(o.kind, 'object');
    if (o.kind !== 'object') return;
    const keys = o.properties.map((p) => (p.kind === 'property' && typeof p.key === 'string' ? p.key : p.kind));
    assert.deepEqual(keys, ['a', 'b', 'c', 'd']);
  });

  it('a closer that belongs to an outer list ends the inner one', () => {
    const file = parse('var a = [\n  { x: 1\n]\nvar b = f(1, [2, 3)');
    assert.deepEqual(kinds(file), ['var a', 'var b']);
    assert.deepEqual(messages(file), ['Expected \'}\'', 'Expected \']\'']);
  });

  it('stray closers are skipped', () => {
    const file = parse('var a = f(1))\n}\n]\nvar b = 1');
    assert.deepEqual(kinds(file), ['var a', 'var b']);
  });

  it('unterminated strings and interpolations end at the line', () => {
    const file = parse('var a = \'abc\nvar b = \'x${y\nvar c = \'${ 1 2 }\'\nvar d = 1');
    assert.deepEqual(kinds(file), ['var a', 'var b', 'var c', 'var d']);
    const b = (file.statements[1] as Extract<Statement, { kind: 'var' }>).value;
    assert.deepEqual(b.kind === 'interpolatedString' ? b.segments : [], ['x', '']);
    const c = (file.statements[2] as Extract<Statement, { kind: 'var' }>).value;
    assert.equal(c.kind, 'interpolatedString');
  });

  it('an unterminated multi-line string or comment runs to the end, without throwing', () => {
    assert.equal(parse('var a = 1\nvar b = \'\'\'abc\nvar c = 2').statements.length, 2);
    assert.equal(parse('var a = 1\n/* open\nvar c = 2').statements.length, 1);
  });

  it('decorators without a declaration are reported', () => {
    const file = parse('@description(\'x\')\n\nvar a = 1\n@secure()');
    assert.deepEqual(kinds(file), ['var a', 'errorStatement']);
    assert.equal((file.statements[0] as Extract<Statement, { kind: 'var' }>).decorators.length, 1);
    assert.match(file.diagnostics[0].message, /declaration after the decorator/);
  });

  it(`nesting deeper than ${MAX_DEPTH} levels is a diagnostic, not a stack overflow`, () => {
    const depth = 100_000;
    const cases = [
      `var a = ${'['.repeat(depth)}`,
      `var a = ${'{a:'.repeat(depth)}`,
      `var a = ${'f('.repeat(depth)}`,
      `var a = ${'('.repeat(depth)}`,
      `var a = ${'\'${'.repeat(depth)}`,
      `var a = ${'a ? b : '.repeat(depth)}c`,
      `var a = ${'x => '.repeat(depth)}x`,
      `var a = ${'!'.repeat(depth)}x`,
      `type t = ${'{a:'.repeat(depth)}`,
      `type t = ${'['.repeat(depth)}`,
      `var a = ${'[for x in y: '.repeat(depth)}`,
      `resource r 't' = {\n${'  resource c \'x\' = {\n'.repeat(depth)}`,
    ];
    for (const text of cases) {
      const file = parse(`${text}\nvar after = 1`);
      const last = file.statements[file.statements.length - 1];
      assert.ok(!messages(file).some((m) => /stopped/.test(m)), text.slice(0, 20));
      if (!text.includes('!')) {
        assert.ok(messages(file).some((m) => /too deep|Expected/.test(m)), text.slice(0, 20));
      }
      assert.ok(last.kind === 'var' || file.statements.length === 1, text.slice(0, 20));
    }
  });

  it(`nesting within ${MAX_DEPTH} levels parses cleanly`, () => {
    const n = MAX_DEPTH - 10;
    const cases = [
      `var a = ${'['.repeat(n)}${']'.repeat(n)}`,
      `var a = ${'{a:'.repeat(n)}1${'}'.repeat(n)}`,
      `var a = ${'f('.repeat(n)}${')'.repeat(n)}`,
      `var a = ${'\'${'.repeat(n)}1${'}\''.repeat(n)}`,
      `type t = ${'{a:'.repeat(n)}string${'}'.repeat(n)}`,
      `resource r 't' = {\n${'  resource c \'x\' = {\n'.repeat(n)}${'  }\n'.repeat(n)}}`,
    ];
    for (const text of cases) assert.deepEqual(messages(parse(text)), [], text.slice(0, 20));
  });

  it('truncating a realistic file anywhere keeps every statement before the cut intact', () => {
    for (const name of ['network.bicep', 'workspace.bicep', 'main.bicep']) {
      const text = fixture(name);
      const full = parse(text);
      for (let cut = 0; cut <= text.length; cut += 7) {
        const file = parse(text.slice(0, cut));
        // A statement is intact when the next one has begun before the cut.
        const intact = full.statements.filter((_, i) => i + 1 < full.statements.length && full.statements[i + 1].start < cut);
        assert.deepStrictEqual(file.statements.slice(0, intact.length), intact, `${name} cut at ${cut}`);
      }
    }
  });
});
