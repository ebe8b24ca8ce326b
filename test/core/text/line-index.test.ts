import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { LineIndex } from '../../../src/core/text/line-index';
import { fixture } from '../bicep/helpers';

describe('line index', () => {
  it('maps offsets to LSP positions across \\n, \\r\\n and \\r', () => {
    const text = 'ab\ncd\r\nef\rg';
    const index = new LineIndex(text);
    assert.equal(index.lineCount, 4);
    assert.deepEqual(index.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(index.positionAt(2), { line: 0, character: 2 });
    assert.deepEqual(index.positionAt(3), { line: 1, character: 0 });
    assert.deepEqual(index.positionAt(6), { line: 1, character: 3 }, 'between \\r and \\n');
    assert.deepEqual(index.positionAt(7), { line: 2, character: 0 });
    assert.deepEqual(index.positionAt(10), { line: 3, character: 0 });
    assert.deepEqual(index.positionAt(11), { line: 3, character: 1 });
    assert.deepEqual(index.positionAt(99), { line: 3, character: 1 }, 'clamped');
    assert.deepEqual(index.positionAt(-5), { line: 0, character: 0 });
  });

  it('maps positions back, clamping characters to the line end as LSP does', () => {
    const text = 'ab\ncd\r\nef';
    const index = new LineIndex(text);
    assert.equal(index.offsetAt({ line: 1, character: 1 }), 4);
    assert.equal(index.offsetAt({ line: 1, character: 50 }), 5, 'before the \\r\\n');
    assert.equal(index.offsetAt({ line: 9, character: 0 }), text.length);
    assert.equal(index.offsetAt({ line: -1, character: 3 }), 0);
    assert.equal(index.lineEnd(0), 2);
    assert.equal(index.lineEnd(1), 5);
    assert.equal(index.lineStart(2), 7);
  });

  it('handles empty text and a trailing line break', () => {
    assert.deepEqual(new LineIndex('').positionAt(0), { line: 0, character: 0 });
    const index = new LineIndex('a\n');
    assert.equal(index.lineCount, 2);
    assert.deepEqual(index.positionAt(2), { line: 1, character: 0 });
  });

  it('round-trips every offset of a realistic file, and of random texts', () => {
    const check = (text: string): void => {
      const index = new LineIndex(text);
      for (let offset = 0; offset <= text.length; offset++) {
        // An offset between \r and \n is not a place a position can name.
        if (text[offset - 1] === '\r' && text[offset] === '\n') continue;
        assert.equal(index.offsetAt(index.positionAt(offset)), offset, `offset ${offset}`);
      }
    };
    check(fixture('network.bicep'));
    check(fixture('workspace.bicep').replace(/\n/g, '\r\n'));
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n', ' ', '\u{1F600}'), { maxLength: 60 }), (parts) => {
      check(parts.join(''));
    }), { numRuns: 500 });
  });
});
