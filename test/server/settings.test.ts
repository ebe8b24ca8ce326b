import * as assert from 'node:assert/strict';
import { parseConfig } from '../../src/core/catalog/custom-config';
import { DEFAULT_SETTINGS } from '../../src/server/protocol';
import { folderCheckSettings, readSettings } from '../../src/server/settings';

describe('server/settings', () => {
  it('fills every missing or ill-typed setting with its default', () => {
    assert.deepEqual(readSettings(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(readSettings('nonsense'), DEFAULT_SETTINGS);
    const s = readSettings({
      edition: '2025-02', scope: 'everything', strict: 'yes', options: { publicIp: false, hbi: 'no', region: 'West Europe', cloud: 'azurechinacloud' },
      markedNsgs: ['nsg-a', 3], severity: { blocked: 'warning', partial: 'loud' }, fix: { ruleNamePrefix: 'Allow ML!', priorityStart: 50, priorityStep: 20 },
      customRequirementsFile: '  ',
    });
    assert.equal(s.edition, '2025-02');
    assert.equal(s.scope, 'auto');
    assert.equal(s.strict, false);
    assert.deepEqual(s.options, { publicIp: false, hbi: null, region: 'West Europe', cloud: 'AzureChinaCloud' });
    assert.deepEqual(s.markedNsgs, ['nsg-a']);
    assert.deepEqual(s.severity, { ...DEFAULT_SETTINGS.severity, blocked: 'warning' });
    assert.deepEqual(s.fix, { ruleNamePrefix: 'AllowAzureML', priorityStart: 100, priorityStep: 20 });
    assert.equal(s.customRequirementsFile, null);
  });

  it('lets settings win over .amlnet.json, and names each option\'s origin', () => {
    const { config } = parseConfig('{ "edition": "2025-02", "options": { "hbi": true, "region": "northeurope" } }');
    const f = folderCheckSettings(readSettings({ options: { region: 'westeurope', publicIp: false } }), config);
    assert.equal(f.edition.name, '2025-02', 'the default edition setting does not override the file');
    assert.equal(f.options.region, 'westeurope');
    assert.equal(f.options.hbi, true);
    assert.equal(f.options.publicIp, false);
    assert.deepEqual(f.check.origins, { hbi: 'config', region: 'setting', publicIp: 'setting' });
    assert.deepEqual(f.warnings, []);
    const chosen = folderCheckSettings(readSettings({ edition: '2025-02' }), undefined);
    assert.equal(chosen.edition.name, '2025-02');
  });

  it('falls back to the file\'s or the default edition, with a warning, when the setting names an unknown one', () => {
    const f = folderCheckSettings(readSettings({ edition: 'no-such' }), undefined);
    assert.equal(f.edition.name, '2022-09');
    assert.match(f.warnings[0], /amlnet\.edition: .*no-such/);
  });
});
