import * as assert from 'node:assert/strict';
import { parseBicep } from '../../../src/core/bicep/parser';
import type { SyntaxNode } from '../../../src/core/bicep/syntax';
import { nodeAt, walk } from '../../../src/core/bicep/walk';
import { FIXTURE_NAMES, parseFixture, src } from './helpers';

describe('bicep tree walk', () => {
  it('visits every node once, in source order', () => {
    for (const name of FIXTURE_NAMES) {
      const file = parseFixture(name);
      const seen = new Set<SyntaxNode>();
      let last = -1;
      for (const s of file.statements) {
        walk(s, (n) => {
          assert.ok(!seen.has(n));
          seen.add(n);
          assert.ok(n.start >= last, `${n.kind} at ${n.start} after ${last}`);
          last = n.start;
        });
      }
      assert.ok(seen.size > 20, `${name}: only ${seen.size} nodes`); // plain-name property keys are not nodes
    }
  });

  it('can skip subtrees', () => {
    const file = parseBicep('var a = { b: { c: 1 } }');
    const kinds: string[] = [];
    walk(file.statements[0], (n) => {
      kinds.push(n.kind);
      return n.kind !== 'object';
    });
    assert.deepEqual(kinds, ['var', 'identifier', 'object']);
  });

  it('finds the innermost node at an offset', () => {
    const file = parseBicep('var a = { rule: \'Storage.${location}\' }');
    const at = nodeAt(file.statements[0], file.text.indexOf('location') + 2);
    assert.ok(at);
    assert.equal(at.kind, 'identifier');
    assert.equal(src(file, at), 'location');
    assert.equal(nodeAt(file.statements[0], 999), undefined);
  });
});
