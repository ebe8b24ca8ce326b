import * as assert from 'node:assert/strict';
import { AZURE_HOST_IP, IpSet, parseCidr, PRIVATE_SPACE } from '../../src/core/ip-range';

const set = (...c: string[]) => IpSet.fromCidrs(c)!;

describe('ip-range', () => {
  it('reads IPv4 and IPv6 prefixes and single addresses', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { family: 4, from: 0x0a000000n, to: 0x0affffffn });
    assert.deepEqual(parseCidr('168.63.129.16'), { family: 4, from: 0xa83f8110n, to: 0xa83f8110n });
    assert.equal(parseCidr('2001:db8::/32')?.family, 6);
    // A prefix written with host bits set is read as the network it names.
    assert.deepEqual(parseCidr('10.0.1.7/24'), parseCidr('10.0.1.0/24'));
  });

  it('rejects what is not an address', () => {
    for (const bad of ['10.1', '10.0.0.0/33', '300.1.1.1', 'Storage', '10.0.0.0/', '1.2.3.4/8/9', '']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  it('does set algebra per family', () => {
    const a = set('10.0.0.0/16');
    const b = set('10.0.1.0/24', '192.168.0.0/16');
    assert.ok(a.covers(set('10.0.1.0/24')));
    assert.ok(!a.covers(b));
    assert.ok(a.overlaps(b));
    assert.ok(a.subtract(set('10.0.0.0/17')).covers(set('10.0.128.0/17')));
    assert.ok(!a.subtract(set('10.0.0.0/17')).overlaps(set('10.0.0.0/17')));
    assert.ok(!set('::/0').overlaps(set('0.0.0.0/0')));
  });

  it('knows private space and the host IP', () => {
    assert.ok(PRIVATE_SPACE.covers(set('10.0.0.0/8', '172.16.0.0/12', '192.168.1.0/24', '100.64.0.0/10')));
    assert.ok(!PRIVATE_SPACE.overlaps(set('20.0.0.0/8')));
    assert.ok(!PRIVATE_SPACE.overlaps(AZURE_HOST_IP));
  });
});
