import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../read/fixture-harness';
import { checkFiles, firewallSettings } from './firewall-harness';

// A requirement that depends on an option known only at deployment (hbiWorkspace from a parameter
// without a default) is selected for the firewall too, and never fails there: the key vault row
// the firewall would deny is unknown, naming the option (docs/semantics.md "Options known only at
// deployment").
describe('firewall: options known only at deployment', () => {
  const entry = 'test/fixtures/firewall/arm-classic-rules.json';
  const original = fs.readFileSync(path.join(REPO_ROOT, entry), 'utf8');

  function check(text: string) {
    const { result } = checkFiles([entry], firewallSettings({ region: 'westeurope' }), new Map([[entry, text]]));
    const subnet = result.firewalls?.find((f) => f.subnet.name === 'snet-training');
    assert.ok(subnet, 'the subnet routed to the firewall is checked');
    return subnet.verdicts.find((v) => v.id === 'aml-out-key-vault');
  }

  it('judges the key vault row of a workspace whose hbi flag is a parameter, and makes its failure unknown', () => {
    const text = original
      .replace('"location": { "type": "string", "defaultValue": "westeurope" }', '"location": { "type": "string", "defaultValue": "westeurope" },\n    "hbi": { "type": "bool" }')
      .replace('"name": "mlw-fw",\n      "location": "[parameters(\'location\')]",\n      "properties": {}', '"name": "mlw-fw",\n      "location": "[parameters(\'location\')]",\n      "properties": { "hbiWorkspace": "[parameters(\'hbi\')]" }');
    assert.notEqual(text, original);
    const kv = check(text);
    assert.ok(kv, 'the key vault row is judged');
    assert.equal(kv.verdict, 'unknown');
    assert.match(kv.unknownBecause?.[0] ?? '', /only for an hbi workspace, and mlw-fw does not tell \(hbiWorkspace: /);
    assert.match(kv.explanation, /If it applies: /);
    // Known not to be hbi (no hbiWorkspace: Azure's default), the row is left out as before.
    assert.equal(check(original), undefined);
  });
});
