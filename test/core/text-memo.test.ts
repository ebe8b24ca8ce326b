import * as assert from 'node:assert/strict';
import { TextMemo } from '../../src/core/text-memo';

describe('TextMemo', () => {
  it('reads each text once and returns the same result', () => {
    const reads: string[] = [];
    const memo = new TextMemo((t: string) => {
      reads.push(t);
      return { length: t.length };
    });
    const a = memo.get('443');
    assert.equal(memo.get('443'), a);
    memo.get('8787');
    assert.deepEqual(reads, ['443', '8787']);
  });

  it('starts over when full, so it never holds more than its bound', () => {
    const reads: string[] = [];
    const memo = new TextMemo((t: string) => reads.push(t), 2);
    for (const t of ['a', 'b', 'a', 'c', 'a', 'b']) memo.get(t);
    // 'c' found it full (a, b) and cleared it; then 'a' and 'b' are read again.
    assert.deepEqual(reads, ['a', 'b', 'c', 'a', 'b']);
  });
});
