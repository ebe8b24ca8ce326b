import * as assert from 'node:assert/strict';
import { isUnknown } from '../../src/core/maybe';
import { normalizeRule } from '../../src/core/normalize-rule';
import { validateRules } from '../../src/core/validate-rules';
import { nsg, rule } from './builders';

describe('normalize-rule', () => {
  it('reads direction, access and protocol in any case and with spaces', () => {
    const n = normalizeRule(rule('a', 100, { direction: ' inbound', access: 'DENY', protocol: 'tcp ' }), 'nsg');
    assert.equal(n.direction, 'Inbound');
    assert.equal(n.access, 'Deny');
    assert.equal(n.protocol, 'Tcp');
    assert.equal(normalizeRule(rule('b', 100, { protocol: 'Any' }), 'nsg').protocol, '*');
  });

  it('reads one written address the same for every rule, into one shared list of terms', () => {
    const a = normalizeRule(rule('a', 100, { destinationAddresses: ['Storage.WestEurope'] }), 'nsg');
    const b = normalizeRule(rule('b', 110, { destinationAddresses: ['Storage.WestEurope'], sourceAddresses: ['10.0.0.0/8'] }), 'nsg');
    assert.equal(a.destination, b.destination);
    assert.deepEqual(a.destination, [{ kind: 'tag', base: 'Storage', region: { kind: 'name', name: 'westeurope' }, known: true, text: 'Storage.WestEurope' }]);
    assert.notEqual(a.source, b.source);
    assert.deepEqual((b.source as readonly { kind: string; text: string }[]).map((t) => [t.kind, t.text]), [['cidr', '10.0.0.0/8']]);
    const two = normalizeRule(rule('c', 120, { destinationAddresses: ['Storage.WestEurope', 'AzureMonitor'] }), 'nsg');
    assert.deepEqual((two.destination as readonly { text: string }[]).map((t) => t.text), ['Storage.WestEurope', 'AzureMonitor']);
  });

  it('takes names of Object.prototype properties as invalid values, not as the properties', () => {
    for (const text of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const n = normalizeRule(rule(`r-${text}`, 100, { direction: text, access: text, protocol: text }), 'nsg');
      for (const [what, value] of [['direction', n.direction], ['access', n.access], ['protocol', n.protocol]] as const) {
        assert.ok(isUnknown(value), `${what} "${text}" is read as ${String(value)}`);
        assert.equal(value.unknown, `${what} "${text}" is not valid`);
      }
    }
    const codes = validateRules(nsg([rule('c', 100, { protocol: 'constructor' })])).map((f) => f.code);
    assert.deepEqual(codes, ['amlnet-bad-protocol']);
  });
});

describe('tag suggestions', () => {
  it('suggest no Object.prototype property for an unknown tag named like one', () => {
    const findings = validateRules(nsg([rule('d', 100, { destinationAddresses: ['constructor'] })]));
    assert.deepEqual(findings.map((f) => f.code), ['amlnet-unknown-tag']);
    assert.ok(findings[0].suggestion === undefined || typeof findings[0].suggestion === 'string', `suggestion ${String(findings[0].suggestion)}`);
    assert.doesNotMatch(findings[0].message, /function|native code/);
  });
});
