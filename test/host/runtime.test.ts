import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { tuneRuntime, V8_DEFAULTS_VARIABLE } from '../../src/host/runtime';

const RUNTIME = resolve(__dirname, '../../src/host/runtime.js');

/**
 * Runs, in a fresh Node, `tuneRuntime()` and then a workload that V8 pretenures by default: many
 * object literals that outlive young-generation collections. V8's pretenuring trace (stdout)
 * shows whether allocation-site pretenuring ran.
 */
function pretenuringTrace(env: NodeJS.ProcessEnv): { tuned: string; trace: string } {
  const script = `
    const tuned = require(${JSON.stringify(RUNTIME)}).tuneRuntime();
    console.log('tuned=' + tuned);
    let keep = [];
    for (let round = 0; round < 200; round++) {
      const out = [];
      for (let i = 0; i < 20000; i++) out.push({ a: i, b: 'x' });
      keep = out;
      for (let j = 0; j < 30000; j++) keep.push({ j }), keep.pop();
    }`;
  const r = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '-e', script], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return { tuned: /tuned=(\w+)/.exec(r.stdout)?.[1] ?? '?', trace: r.stdout.split('\n').filter((l) => l.includes('pretenuring')).join('\n') };
}

describe('runtime', () => {
  it('turns off allocation-site pretenuring, unless AMLNET_V8_DEFAULTS=1', () => {
    const env = { ...process.env };
    delete env[V8_DEFAULTS_VARIABLE];
    const tuned = pretenuringTrace(env);
    assert.equal(tuned.tuned, 'true');
    assert.equal(tuned.trace, '', 'V8 made pretenuring decisions although the flag is off');
    // The same workload with V8's defaults: pretenuring decisions are traced.
    const defaults = pretenuringTrace({ ...env, [V8_DEFAULTS_VARIABLE]: '1' });
    assert.equal(defaults.tuned, 'false');
    assert.match(defaults.trace, /pretenuring: AllocationSite/);
  });

  it('leaves V8 alone when AMLNET_V8_DEFAULTS=1', () => {
    // (In this process: only the call that sets nothing.)
    assert.equal(tuneRuntime({ [V8_DEFAULTS_VARIABLE]: '1' }), false);
  });
});
