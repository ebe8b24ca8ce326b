import * as assert from 'node:assert/strict';
import { commentsIn, commentText, leadingComments } from '../../../src/core/bicep/comments';
import { parseBicep } from '../../../src/core/bicep/parser';
import type { ObjectExpression, Statement } from '../../../src/core/bicep/syntax';
import { parseFixture } from './helpers';

describe('bicep comments', () => {
  it('keeps every comment with its kind and text', () => {
    const file = parseBicep('// line\nvar a = /* inline */ 1 // trailing\n/**\n * block\n */\n#disable-next-line BCP081\nvar b = 2');
    assert.deepEqual(file.comments.map((c) => [c.kind, commentText(file, c)]), [
      ['line', 'line'], ['block', 'inline'], ['line', 'trailing'], ['block', '*\n * block'], ['directive', 'disable-next-line BCP081'],
    ]);
    assert.equal(file.statements.length, 2);
  });

  it('finds the suppression comment above an NSG rule', () => {
    const file = parseFixture('network.bicep');
    const nsg = file.statements.find((s): s is Extract<Statement, { kind: 'resource' }> => s.kind === 'resource');
    assert.ok(nsg);
    const properties = (nsg.value as ObjectExpression).properties[3];
    assert.equal(properties.kind, 'property');
    if (properties.kind !== 'property') return;
    const rules = ((properties.value as ObjectExpression).properties[0] as { value: { items: { start: number }[] } }).value.items;
    assert.deepEqual(leadingComments(file, rules[0].start), []);
    const above = leadingComments(file, rules[2].start);
    assert.deepEqual(above.map((c) => commentText(file, c)), ['amlnet-disable-next-line aml-out-storage']);
  });

  it('collects a run of comments above a declaration, not trailing comments of the line before', () => {
    const text = 'var a = 1 // about a\n// first\n\n#disable-next-line no-unused-vars\nvar b = 2 // about b';
    const file = parseBicep(text);
    const b = file.statements[1];
    assert.deepEqual(leadingComments(file, b.start).map((c) => commentText(file, c)), ['first', 'disable-next-line no-unused-vars']);
    assert.deepEqual(leadingComments(file, file.statements[0].start), []);
  });

  it('lists the comments inside a range', () => {
    const file = parseBicep('var a = {\n  // inside\n  b: 1\n}\n// after');
    const s = file.statements[0];
    assert.deepEqual(commentsIn(file, s.start, s.end).map((c) => commentText(file, c)), ['inside']);
  });
});
