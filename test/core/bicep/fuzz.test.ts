import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { tokenize } from '../../../src/core/bicep/lexer';
import { parseBicep, reparseBicep, type ParseStats, type TextEdit } from '../../../src/core/bicep/parser';
import type { BicepFile } from '../../../src/core/bicep/syntax';
import { checkInvariants, fixture, FIXTURE_NAMES } from './helpers';

const TEXTS = FIXTURE_NAMES.map((name) => ({ text: fixture(name), paramFile: name.endsWith('.bicepparam') }));

/** Fragments that stress the grammar's seams: brackets, strings, comments, keywords, newlines. */
const SNIPPETS = [
  '{', '}', '[', ']', '(', ')', '\n', '\r\n', '\r', '\'', '${', '}\'', '\'\'\'', '$\'\'\'', '/*', '*/', '//', '#disable-next-line x\n',
  ',', ':', '::', '?', '??', '.?', '?.', '!', '@', '|', '=>', '=', '...', '.', 'param', 'var', 'resource', 'module', 'output',
  'type', 'func', 'import', 'extension', 'targetScope', 'existing', 'for', 'in', 'if', 'as', 'from', 'with', 'using', 'none',
  'resource r \'t@1\' = {\n', '@description(\'d\')\n', 'param p string\n', 'x', ' ', '\t', '0', 'true', '\\', '\u{1F600}', '"',
];

type Mutation =
  | { op: 'delete'; at: number; length: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'duplicate'; at: number; from: number; length: number }
  | { op: 'truncate'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const insertText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SNIPPETS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...SNIPPETS), { maxLength: 6 }).map((a) => a.join('')) },
);
const mutation: fc.Arbitrary<{ op: Mutation['op']; a: number; b: number; length: number; text: string }> = fc.record({
  op: fc.constantFrom<Mutation['op'][]>('delete', 'insert', 'insert', 'duplicate', 'truncate'),
  a: position,
  b: position,
  length: fc.nat({ max: 60 }),
  text: insertText,
});

/** Applies a mutation expressed with relative positions; returns the new text and the equivalent edit. */
function apply(text: string, m: { op: Mutation['op']; a: number; b: number; length: number; text: string }): { text: string; edit: TextEdit } {
  const at = Math.floor(m.a * (text.length + 1));
  switch (m.op) {
    case 'delete': {
      const end = Math.min(text.length, at + m.length);
      return { text: text.slice(0, at) + text.slice(end), edit: { start: at, end, newText: '' } };
    }
    case 'insert':
      return { text: text.slice(0, at) + m.text + text.slice(at), edit: { start: at, end: at, newText: m.text } };
    case 'duplicate': {
      const from = Math.floor(m.b * text.length);
      const piece = text.slice(from, from + m.length);
      return { text: text.slice(0, at) + piece + text.slice(at), edit: { start: at, end: at, newText: piece } };
    }
    case 'truncate':
      return { text: text.slice(0, at), edit: { start: at, end: text.length, newText: '' } };
  }
}

/** Parses, checks the invariants, and checks the work done is linear in the number of tokens. */
function parseChecked(text: string, paramFile: boolean): BicepFile {
  const stats: ParseStats = { steps: 0, scans: 0 };
  const file = parseBicep(text, { paramFile, stats });
  checkInvariants(file);
  const tokens = tokenize(text).length;
  assert.ok(stats.steps + stats.scans <= 8 * tokens + 16, `work ${stats.steps} + ${stats.scans} for ${tokens} tokens`);
  assert.ok(!file.diagnostics.some((d) => /stopped/.test(d.message)), 'the step budget was never reached');
  return file;
}

describe('bicep parser: fuzzing', () => {
  it('never throws, keeps its invariants and does linear work on mutated realistic files', () => {
    fc.assert(fc.property(fc.nat({ max: TEXTS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), (which, mutations) => {
      let { text } = TEXTS[which];
      for (const m of mutations) text = apply(text, m).text;
      parseChecked(text, TEXTS[which].paramFile);
    }), { numRuns: 1500 });
  });

  it('never throws on token soup and arbitrary text', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...SNIPPETS), { maxLength: 80 }), fc.boolean(), (parts, paramFile) => {
      parseChecked(parts.join(''), paramFile);
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      parseChecked(text, false);
    }), { numRuns: 500 });
  });

  it('re-parsing after edits equals parsing from scratch', () => {
    fc.assert(fc.property(fc.nat({ max: TEXTS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, mutations) => {
      const { paramFile } = TEXTS[which];
      let text = TEXTS[which].text;
      let file = parseBicep(text, { paramFile });
      for (const m of mutations) {
        const next = apply(text, m);
        file = reparseBicep(file, next.text, next.edit);
        text = next.text;
        assert.deepStrictEqual(file, parseBicep(text, { paramFile }));
      }
    }), { numRuns: 800 });
  });

  it('re-parsing reuses what the edit cannot reach', () => {
    const text = fixture('network.bicep');
    const before = parseBicep(text);
    const firstParam = before.statements[1];
    const lastOutput = before.statements[before.statements.length - 1];
    const at = text.indexOf('priority: 110') + 'priority: '.length;
    const stats: ParseStats = { steps: 0, scans: 0 };
    const after = reparseBicep(before, `${text.slice(0, at)}1234${text.slice(at + 3)}`, { start: at, end: at + 3, newText: '1234' }, { stats });
    assert.equal(after.statements[1], firstParam, 'statements before the edit are the same objects');
    assert.equal(after.statements[after.statements.length - 1], lastOutput, 'statements after it too, shifted');
    assert.equal(lastOutput.start, text.lastIndexOf('output') + 1);
    assert.ok(stats.steps < 2000, `re-parsed only around the edit (${stats.steps} steps)`);
  });

  it('falls back to a full parse when the edit does not match the texts', () => {
    const before = parseBicep('var a = 1\nvar b = 2');
    const after = reparseBicep(before, 'var c = 3', { start: 0, end: 1, newText: 'x' });
    assert.deepStrictEqual(after, parseBicep('var c = 3'));
  });
});
