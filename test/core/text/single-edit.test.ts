import * as assert from 'node:assert/strict';
import { singleEdit } from '../../../src/core/text/single-edit';

describe('core/text/single-edit', () => {
  it('finds the one edit between two texts', () => {
    assert.deepEqual(singleEdit('abcdef', 'abXYef'), { start: 2, end: 4, newText: 'XY' });
    assert.deepEqual(singleEdit('aaa', 'aaaa'), { start: 3, end: 3, newText: 'a' });
    assert.deepEqual(singleEdit('abc', ''), { start: 0, end: 3, newText: '' });
    assert.deepEqual(singleEdit('same', 'same'), { start: 4, end: 4, newText: '' });
  });

  it('gives an edit that, applied to the old text, makes the new one', () => {
    const pairs: [string, string][] = [['param a string', 'param ab string'], ['x = 1\ny = 2', 'x = 1\n'], ['', 'new'], ['abab', 'ab']];
    for (const [before, after] of pairs) {
      const e = singleEdit(before, after);
      assert.equal(before.slice(0, e.start) + e.newText + before.slice(e.end), after);
    }
  });
});
