import * as assert from 'node:assert/strict';
import { validateRules } from '../../src/core/validate-rules';
import { inbound, nsg, outbound } from './builders';

const codes = (rules: Parameters<typeof nsg>[0]) => validateRules(nsg(rules)).map((f) => f.code);

describe('validate-rules', () => {
  it('accepts a clean NSG', () => {
    assert.deepEqual(codes([outbound('A', 100, 'Allow', ['Storage.westeurope'], ['443', '445']), inbound('B', 100, 'Allow', ['AzureMachineLearning'], ['44224'])]), []);
  });

  it('reports priorities out of range and duplicates per direction only', () => {
    const findings = validateRules(nsg([
      outbound('Low', 99, 'Allow', ['Storage'], ['443']),
      outbound('High', 4097, 'Allow', ['Storage'], ['443']),
      outbound('One', 200, 'Allow', ['Storage'], ['443']),
      outbound('Two', 200, 'Deny', ['Storage'], ['80']),
      inbound('SamePriorityOtherDirection', 200, 'Allow', ['AzureMachineLearning'], ['44224']),
    ]));
    assert.deepEqual(findings.map((f) => `${f.rule}:${f.code}`), ['Low:amlnet-priority-range', 'High:amlnet-priority-range', 'Two:amlnet-duplicate-priority']);
    assert.match(findings[2].message, /priority 200 is already used by One \(Outbound\)/);
    assert.equal(findings[2].property, 'priority');
  });

  it('reports malformed ports, protocols, directions, access and addresses', () => {
    const findings = validateRules(nsg([
      outbound('P', 100, 'Allow', ['Storage'], ['70000', '500-100', 'https']),
      outbound('Proto', 110, 'Allow', ['Storage'], ['443'], { protocol: 'Tcpp' }),
      outbound('Dir', 120, 'Allow', ['Storage'], ['443'], { direction: 'Outgoing' }),
      outbound('Acc', 130, 'Permit', ['Storage'], ['443']),
      outbound('Addr', 140, 'Allow', ['300.1.1.1'], ['443']),
    ]));
    assert.deepEqual(findings.map((f) => f.code), ['amlnet-bad-port', 'amlnet-bad-port', 'amlnet-bad-port', 'amlnet-bad-protocol', 'amlnet-bad-direction', 'amlnet-bad-access', 'amlnet-bad-address']);
    assert.match(findings[0].message, /destination port "70000" is outside 0-65535/);
  });

  it('suggests the nearest tag for an unknown one', () => {
    const findings = validateRules(nsg([
      outbound('A', 100, 'Allow', ['Storag'], ['443']),
      outbound('B', 110, 'Allow', ['Keyvault.westeurope'], ['443']),
      outbound('C', 120, 'Allow', ['AzureFrontDoor.FirstPart'], ['443']),
    ]));
    assert.deepEqual(findings.map((f) => f.suggestion), ['Storage', 'AzureKeyVault.westeurope', 'AzureFrontDoor.FirstParty']);
    assert.match(findings[0].message, /"Storag" is not an Azure service tag; did you mean "Storage"\?/);
  });

  it('warns about an unknown region with the nearest one', () => {
    const findings = validateRules(nsg([outbound('A', 100, 'Allow', ['Storage.westeurop'], ['443'])]));
    assert.equal(findings[0].code, 'amlnet-unknown-region');
    assert.equal(findings[0].suggestion, 'Storage.westeurope');
  });

  it('reports more than one service tag in a rule and duplicate names', () => {
    assert.deepEqual(codes([
      outbound('A', 100, 'Allow', ['Storage', 'AzureMachineLearning'], ['443']),
      outbound('a', 110, 'Allow', ['Storage'], ['443']),
    ]), ['amlnet-multiple-tags', 'amlnet-duplicate-name']);
  });

  it('leaves unknown values alone: they are not errors in the template', () => {
    assert.deepEqual(codes([outbound('A', { unknown: 'p' }, { unknown: 'a' } as never, [{ unknown: 'd' }], [{ unknown: 'q' }])]), []);
  });

  it('finds duplicates alike in small NSGs (searched) and large ones (mapped)', () => {
    // The same rules, alone and after 40 rules of other names and priorities: the findings about
    // them must not change with the NSG's size.
    const rules = [
      outbound('Dup', 300, 'Allow', ['Storage'], ['443']),
      outbound('dup', 300, 'Deny', ['Storage'], ['80']),
      inbound('Other', 300, 'Allow', ['AzureMachineLearning'], ['44224']),
      inbound('OTHER', 310, 'Allow', ['AzureMachineLearning'], ['44224'], { direction: 'Sideways' }),
      outbound('Third', 300, 'Allow', ['Storage'], ['445']),
      inbound('Fourth', 310, 'Allow', ['AzureMachineLearning'], ['443']),
    ];
    const filler = Array.from({ length: 40 }, (_, i) => outbound(`Filler${i}`, 1000 + i, 'Allow', ['Storage'], ['443']));
    const about = (rs: Parameters<typeof nsg>[0]) => validateRules(nsg(rs)).filter((f) => !f.rule.startsWith('Filler')).map((f) => `${f.rule}:${f.code}:${f.message}`);
    const small = about(rules);
    assert.deepEqual(small, about([...filler, ...rules]));
    assert.deepEqual(small.map((f) => f.split(':').slice(0, 2).join(':')), [
      'dup:amlnet-duplicate-name', 'dup:amlnet-duplicate-priority', 'OTHER:amlnet-duplicate-name', 'OTHER:amlnet-bad-direction', 'Third:amlnet-duplicate-priority',
    ]);
  });
});
