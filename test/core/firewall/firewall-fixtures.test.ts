import * as assert from 'node:assert/strict';
import { checkFiles, compareFirewalls, findFirewallFixtures, firewallSettings } from './firewall-harness';

// Every fixture of test/fixtures/firewall against its hand-derived expected file (the derivations
// are in that folder's README).
describe('firewall fixtures', () => {
  const fixtures = findFirewallFixtures();
  it('finds its fixtures', () => assert.ok(fixtures.length >= 6));
  for (const f of fixtures) {
    it(f.name, () => {
      const { result } = checkFiles([f.entry], firewallSettings(f.expected.options));
      const mismatches = compareFirewalls(f, result);
      assert.deepEqual(mismatches, [], `${f.name}:\n  ${mismatches.join('\n  ')}`);
    });
  }
});
