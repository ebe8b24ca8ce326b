import * as assert from 'node:assert/strict';
import { parsePortEntry, PortSet, portSetOf } from '../../src/core/port-set';

describe('port-set', () => {
  it('merges overlapping and adjacent ranges', () => {
    const s = PortSet.of([{ from: 443, to: 443 }, { from: 80, to: 90 }, { from: 91, to: 100 }, { from: 95, to: 120 }]);
    assert.equal(s.toString(), '80-120, 443');
    assert.equal(s.size, 42);
  });

  it('intersects, subtracts and covers', () => {
    const a = portSetOf(['80-100', '443']);
    const b = portSetOf(['90-450']);
    assert.equal(a.intersect(b).toString(), '90-100, 443');
    assert.equal(a.subtract(b).toString(), '80-89');
    assert.equal(b.subtract(a).toString(), '101-442, 444-450');
    assert.ok(PortSet.ALL.covers(a));
    assert.ok(!a.covers(b));
    assert.ok(a.subtract(a).isEmpty);
    assert.ok(PortSet.ALL.subtract(PortSet.single(0)).equals(portSetOf(['1-65535'])));
  });

  it('knows membership at the edges', () => {
    const s = portSetOf(['29876-29877', '44224']);
    for (const p of [29876, 29877, 44224]) assert.ok(s.has(p), String(p));
    for (const p of [29875, 29878, 44223, 44225, 0, 65535]) assert.ok(!s.has(p), String(p));
  });

  it('reads the forms NSGs accept', () => {
    assert.ok(parsePortEntry('*').ok && PortSet.ALL.equals((parsePortEntry('*') as { set: PortSet }).set));
    assert.equal((parsePortEntry(' 443 ') as { set: PortSet }).set.toString(), '443');
    assert.equal((parsePortEntry('8704-8710') as { set: PortSet }).set.toString(), '8704-8710');
    assert.equal((parsePortEntry('0-65535') as { set: PortSet }).set.isAll, true);
  });

  it('reports malformed ports instead of guessing', () => {
    for (const bad of ['abc', '70000', '500-100', '1-2-3', '', '-5', '443,80', '65536']) {
      const p = parsePortEntry(bad);
      assert.equal(p.ok, false, bad);
    }
    assert.match((parsePortEntry('500-100') as { error: string }).error, /starts after it ends/);
    assert.match((parsePortEntry('70000') as { error: string }).error, /outside 0-65535/);
    assert.throws(() => portSetOf(['x']), /not a port/);
  });
});
