import * as assert from 'node:assert/strict';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import type { CheckSettings } from '../../../src/core/check/check-model';
import { fixAllForNsg, fixesForNsg, type FixOptions } from '../../../src/core/fix/fix-nsg';
import { detectUnit } from '../../../src/core/fix/layout';
import { applyEdits } from '../../../src/core/fix/text-edit';
import { checkGuarantees, Overlay, readAndCheck } from './fix-harness';

const settings: CheckSettings = { edition: getEdition('2022-09'), options: { ...defaultOptions(), region: 'westeurope' }, origins: {}, scope: 'all', strict: false };

function workspace(path: string, text: string): Overlay {
  const host = new Overlay();
  host.texts.set(path, text);
  return host;
}

function fixText(path: string, text: string, options: FixOptions = {}): { out: string; titles: string[] } {
  const host = workspace(path, text);
  const { result } = readAndCheck(path, host, settings);
  const fix = fixAllForNsg(result.nsgs[0], host.texts, options);
  return { out: applyEdits(text, fix.edits), titles: [fix.title, ...fix.skipped.map((s) => `${s.requirementId}: ${s.reason}`)] };
}

const bicepNoRules = `param location string = resourceGroup().location

resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'nsg-new'
  location: location
}
`;

const armEmpty = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: { location: { type: 'string', defaultValue: '[resourceGroup().location]' } },
  resources: [{ type: 'Microsoft.Network/networkSecurityGroups', apiVersion: '2024-01-01', name: 'nsg-arm', location: "[parameters('location')]", properties: {} }],
};

describe('fixes', () => {
  it('applyEdits sorts edits and refuses overlapping ones', () => {
    assert.equal(applyEdits('abcdef', [{ start: 4, end: 4, newText: 'Y' }, { start: 1, end: 2, newText: 'X' }]), 'aXcdYef');
    assert.throws(() => applyEdits('abcdef', [{ start: 1, end: 3, newText: 'X' }, { start: 2, end: 4, newText: 'Y' }]), /overlap/);
    assert.throws(() => applyEdits('abcdef', [{ start: 2, end: 2, newText: 'X' }, { start: 2, end: 2, newText: 'Y' }]), /overlap/);
  });

  it('detects the indentation unit from consecutive lines', () => {
    assert.equal(detectUnit('{\n    "a": {\n      "b": 1\n    }\n}', 0, 40), '  ');
    assert.equal(detectUnit('x {\n\ty\n}', 0, 8), '\t');
  });

  it('adds securityRules to a Bicep NSG without rules, with the location expression for regional tags', () => {
    const { out } = fixText('main.bicep', bicepNoRules, { includeAllowedByDefault: true });
    assert.match(out, /\n {2}properties: \{\n {4}securityRules: \[\n {6}\{\n {8}name: 'AllowAzureMLBatchNodeManagementInbound'\n/);
    assert.match(out, /destinationAddressPrefix: 'Storage\.\$\{location\}'/);
    assert.ok(out.startsWith(bicepNoRules.slice(0, bicepNoRules.lastIndexOf('}'))));
  });

  it('adds securityRules to an ARM NSG with empty properties, with concat for regional tags, keeping CRLF', () => {
    const text = JSON.stringify(armEmpty, null, 2).replace(/\n/g, '\r\n');
    const { out } = fixText('azuredeploy.json', text, { includeAllowedByDefault: true });
    assert.match(out, /"securityRules": \[/);
    assert.ok(out.includes(`"[concat('Storage.', parameters('location'))]"`));
    assert.ok(!/[^\r]\n/.test(out), 'only CRLF newlines');
    JSON.parse(out);
  });

  it('inserts into a comma-separated Bicep array with one edit, below the rule that blocks', () => {
    const text = `resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'nsg-commas'
  location: 'westeurope'
  properties: {
    securityRules: [
      { name: 'AllowAml', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'AzureMachineLearning', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '44224' } },
      { name: 'DenyOut', properties: { priority: 300, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } }
    ]
  }
}
`;
    const host = workspace('c.bicep', text);
    const { result } = readAndCheck('c.bicep', host, settings);
    const fix = fixAllForNsg(result.nsgs[0], host.texts, { priorityStart: 250, priorityStep: 10 });
    assert.equal(fix.edits.length, 1);
    assert.deepEqual(fix.rules.filter((r) => r.direction === 'Outbound').map((r) => r.priority).slice(0, 3), [250, 260, 270]);
    assert.ok(fix.skipped.some((s) => /no free priority from 250 in steps of 10 below 300/.test(s.reason)), fix.title);
    assert.match(applyEdits(text, fix.edits), /\} \},\n {6}\{ name: 'AllowAzureMLBatchNodeManagementInbound', properties: \{ description: /);
    assert.match(applyEdits(text, fix.edits), /destinationAddressPrefix: 'Storage\.westeurope'/);
  });

  it('says why and offers no edit when no priority is free below the blocking rule', () => {
    const text = `resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'nsg-tight'
  location: 'westeurope'
  properties: {
    securityRules: [
      {
        name: 'DenyOut'
        properties: { priority: 100, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }
      }
    ]
  }
}
`;
    const host = workspace('t.bicep', text);
    const { result } = readAndCheck('t.bicep', host, settings);
    const storage = fixesForNsg(result.nsgs[0], host.texts).find((f) => f.requirementIds[0] === 'aml-out-storage')!;
    assert.deepEqual(storage.edits, []);
    assert.match(storage.title, /Cannot fix aml-out-storage on nsg-tight: no free priority from 100 in steps of 10 below 100/);
  });

  it('keeps the guarantees on the new-rules templates', () => {
    for (const [path, text] of [['main.bicep', bicepNoRules], ['azuredeploy.json', JSON.stringify(armEmpty, null, 4)]] as const) {
      const report = checkGuarantees(path, workspace(path, text), settings, { includeAllowedByDefault: true });
      assert.deepEqual(report.failures, []);
      assert.ok(report.rulesAdded > 5);
    }
  });
});
