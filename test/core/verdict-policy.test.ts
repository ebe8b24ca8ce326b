import * as assert from 'node:assert/strict';
import { isFailure, isMet } from '../../src/core/verdict-policy';
import type { VerdictKind } from '../../src/core/verdict';

const all: VerdictKind[] = ['allowed', 'allowed-by-default', 'blocked', 'partial', 'unknown', 'not-applicable'];

describe('verdict-policy', () => {
  it('fails blocked and partial always', () => {
    assert.deepEqual(all.filter((v) => isFailure(v, { strict: false })), ['blocked', 'partial']);
  });

  it('fails allowed-by-default only in strict mode', () => {
    assert.deepEqual(all.filter((v) => isFailure(v, { strict: true })), ['allowed-by-default', 'blocked', 'partial']);
    assert.deepEqual(all.filter((v) => isMet(v, { strict: true })), ['allowed', 'not-applicable']);
    assert.deepEqual(all.filter((v) => isMet(v, { strict: false })), ['allowed', 'allowed-by-default', 'not-applicable']);
  });

  it('neither meets nor fails unknown', () => {
    for (const strict of [false, true]) {
      assert.equal(isFailure('unknown', { strict }), false);
      assert.equal(isMet('unknown', { strict }), false);
    }
  });
});
