import * as assert from 'node:assert/strict';
import { booleanOptionItems, cloudItems, flattenSettings, regionSetting, validateRegion } from '../../src/client/settings-model';

describe('client settings model', () => {
  it('flattens DEFAULT_SETTINGS into dotted keys, arrays as values', () => {
    const flat = flattenSettings();
    assert.equal(flat['amlnet.edition'], '2022-09');
    assert.equal(flat['amlnet.options.publicIp'], null);
    assert.deepEqual(flat['amlnet.markedNsgs'], []);
    assert.equal(flat['amlnet.severity.allowedByDefault'], 'hint');
    assert.equal(flat['amlnet.fix.priorityStep'], 10);
    assert.ok(!('amlnet.options' in flat));
  });

  it('accepts region names like the CLI and empty for inferred', () => {
    assert.equal(validateRegion('westeurope'), undefined);
    assert.equal(validateRegion('West Europe'), undefined);
    assert.equal(validateRegion(''), undefined);
    assert.match(validateRegion('west/europe') ?? '', /Azure region name/);
    assert.match(validateRegion('1west') ?? '', /Azure region name/);
    assert.equal(regionSetting(' West Europe '), 'westeurope');
    assert.equal(regionSetting('  '), null);
  });

  it('offers inferred, yes and no with the current one marked', () => {
    const items = booleanOptionItems('publicIp', false);
    assert.deepEqual(items.map((i) => [i.label, i.value, i.picked]), [['Inferred', null, false], ['Yes', true, false], ['No', false, true]]);
    assert.match(items[2].description ?? '', /^current · No Public IP/);
    assert.equal(booleanOptionItems('hbi', null)[0].picked, true);
    assert.deepEqual(cloudItems('AzureChinaCloud').filter((i) => i.picked).map((i) => i.value), ['AzureChinaCloud']);
  });
});
