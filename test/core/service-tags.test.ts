import * as assert from 'node:assert/strict';
import { canonicalTagName, entryTagBase, parseAddressEntry, parseTagName, suggestTag } from '../../src/core/service-tags';
import { editDistance, nearest } from '../../src/core/suggest';

describe('service-tags', () => {
  it('splits regional tags and keeps dotted tag names whole', () => {
    assert.deepEqual(parseTagName('Storage.WestUS'), { base: 'Storage', region: 'westus', known: true });
    assert.deepEqual(parseTagName('azurefrontdoor.frontend'), { base: 'AzureFrontDoor.Frontend', known: true });
    assert.deepEqual(parseTagName('AzureFrontDoor.FirstParty'), { base: 'AzureFrontDoor.FirstParty', known: true });
    assert.deepEqual(parseTagName('Foo.bar'), { base: 'Foo', region: 'bar', known: false });
    assert.equal(canonicalTagName('storage'), 'Storage');
  });

  it('reads every kind of address entry', () => {
    assert.equal(parseAddressEntry('*').kind, 'any');
    assert.equal(parseAddressEntry('Any').kind, 'any');
    assert.equal(parseAddressEntry('0.0.0.0/0').kind, 'any');
    assert.deepEqual(parseAddressEntry('VIRTUAL_NETWORK'), { kind: 'special', name: 'VirtualNetwork', text: 'VIRTUAL_NETWORK' });
    assert.equal(parseAddressEntry('internet').kind, 'special');
    assert.equal(parseAddressEntry('10.0.0.0/16').kind, 'cidr');
    assert.equal(parseAddressEntry('2001:db8::/32').kind, 'cidr');
    assert.equal(parseAddressEntry({ asg: '/subscriptions/x/asg' }).kind, 'asg');
    assert.deepEqual(parseAddressEntry({ unknown: 'why' }), { kind: 'unknown', reason: 'why', text: '?' });
    assert.equal(parseAddressEntry('10.0.0.0/40').kind, 'unknown');
    assert.equal(parseAddressEntry('').kind, 'unknown');
  });

  it('suggests likely tags, and nothing for far-off names', () => {
    assert.equal(suggestTag('AzureMachinLearning'), 'AzureMachineLearning');
    assert.equal(suggestTag('keyvault'), 'AzureKeyVault');
    assert.equal(suggestTag('Completely.Different.Thing'), undefined);
    assert.equal(editDistance('ab', 'ba'), 1);
    assert.equal(nearest('xyz', ['Storage']), undefined);
  });

  it('names the tag of an entry as parsing would, without a term', () => {
    const entries = [
      'AzureMachineLearning', 'azuremachinelearning.westus', 'VirtualNetwork', '*', '10.0.0.0/8', 'NoSuchTag',
      { tag: 'azureMachineLearning', region: { kind: 'symbol', symbol: 'loc', text: 'loc' }, text: 'AzureMachineLearning.{loc}' },
      { tag: 'Unheard', text: 'Unheard' }, { asg: 'asg1' }, { unknown: 'a parameter' },
    ] as const;
    for (const e of entries) {
      const term = parseAddressEntry(e as Parameters<typeof parseAddressEntry>[0]);
      assert.equal(entryTagBase(e as Parameters<typeof parseAddressEntry>[0]), term.kind === 'tag' ? term.base : undefined, JSON.stringify(e));
    }
    assert.equal(entryTagBase('azuremachinelearning.westus'), 'AzureMachineLearning');
  });
});
