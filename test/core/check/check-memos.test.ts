// A check keeps what it works out per NSG for itself (NsgMemos), not in module-level WeakMaps keyed
// by the model's NSGs: a young-generation collection keeps such a WeakMap's values alive while
// their keys are young, and with them the rules of a model nobody holds any more.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const OUT = resolve(__dirname, '../../..');

/**
 * In a fresh Node whose young generation is large enough that a check collects nothing by itself:
 * reads and checks the generated 1 MB ARM template a few times (compiling everything), collects
 * all, checks it once more keeping nothing (with `hold`: keeping the model and result), and runs
 * one young-generation collection. Returns the bytes left in the young generation.
 */
function youngBytesAfterCheck(hold: boolean): number {
  const script = `
    const v8 = require('node:v8');
    const b = require(${JSON.stringify(`${OUT}/bench/check-bench.js`)});
    const files = [{ path: 'azuredeploy.json', text: b.generateArmTemplate(1) }];
    const held = [];
    function check() {
      const r = b.fullCheck(files);
      if (r.result.nsgs.length < 100) throw new Error('the check read too little');
      if (${hold}) held.push(r);
    }
    // Each step in a job of its own: no frame of the check is left on the stack.
    setImmediate(() => {
      for (let i = 0; i < 8; i++) b.fullCheck(files);
      gc();
      setImmediate(() => {
        check();
        setImmediate(() => {
          gc({ type: 'minor' });
          console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size);
        });
      });
    });`;
  // Optimizing compiles on the main thread: a background compile still running at the collection
  // holds objects of the last check until it ends (about one run in six left 1.3 MB that way).
  const flags = ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', '--no-concurrent-recompilation'];
  const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', timeout: 100_000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

describe('check-model memos', function () {
  this.timeout(120_000);

  it('leave nothing of a checked model that a young-generation collection must keep', () => {
    // The control: a model and result still held (about 2 MB) stay.
    const held = youngBytesAfterCheck(true);
    assert.ok(held > 1_000_000, `held: ${held} bytes`);
    // Dropped: only a little (what the engine keeps across checks, by text), not the model.
    const dropped = youngBytesAfterCheck(false);
    assert.ok(dropped < 300_000, `dropped: ${dropped} bytes left in the young generation`);
  });
});
