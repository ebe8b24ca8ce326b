import * as assert from 'node:assert/strict';
import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel, type CheckSettings, type NsgCheck } from '../../../src/core/check/check-model';
import { fixAllForNsg } from '../../../src/core/fix/fix-nsg';
import {
  armDocument,
  armRuleResources,
  azCommands,
  azScriptDocument,
  bicepDocument,
  bicepSnippet,
  liveNsgTarget,
  planLiveRules,
  shellQuote,
  type LiveRule,
} from '../../../src/core/fix/live-snippets';
import { isUnknown } from '../../../src/core/maybe';
import type { WorkspaceModel } from '../../../src/core/model/workspace-model';
import { readWorkspace } from '../../../src/core/read/read-workspace';
import { serviceTagPrefixesFromJson } from '../../../src/core/service-tag-prefixes';
import { mapArmResources } from '../../../src/azure/map-arm';
import { armResources, armTemplate, nsgId, serviceTagsJson, type RuleProps, type SubscriptionSpec } from '../../azure/tenant';

// ---------------------------------------------------------------------------------------------
// A small POSIX shell-words parser: what bash makes of a command line (quotes, backslashes,
// line continuations). Enough to check that the generated commands mean what they should.

function shellWords(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        i++;
        continue;
      }
      word = (word ?? '') + text[++i];
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      assert.ok(close > i, 'unterminated single quote');
      word = (word ?? '') + text.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      let s = '';
      for (i++; text[i] !== '"'; i++) {
        assert.ok(i < text.length, 'unterminated double quote');
        assert.ok(!'$`'.includes(text[i]), 'expansion inside double quotes');
        if (text[i] === '\\' && '"\\$`\n'.includes(text[i + 1])) i++;
        s += text[i];
      }
      word = (word ?? '') + s;
    } else if (c === ' ' || c === '\t') {
      end();
    } else if (c === '\n' || c === ';') {
      end();
      if (words.length) commands.push(words);
      words = [];
    } else if (c === '#' && word === undefined) {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
    } else {
      assert.ok(!'$`*?[]{}()<>|&!~'.includes(c), `unquoted special character ${c} in ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
      word = (word ?? '') + c;
    }
  }
  end();
  if (words.length) commands.push(words);
  return commands;
}

// ---------------------------------------------------------------------------------------------
// A live NSG: read as Azure returns it (through the same mapping as readAzure)

const rule = (name: string, priority: number, direction: string, access: string, protocol: string, rest: RuleProps) => ({
  name, properties: { priority, direction, access, protocol, sourcePortRange: '*', ...rest },
});

const SUB: SubscriptionSpec = {
  id: '44444444-4444-4444-4444-444444444444', name: 'Live', resourceGroup: 'rg-ML-live',
  nsgs: [{
    name: 'nsg-ml', location: 'westeurope',
    rules: [
      rule('AllowAmlIn', 100, 'Inbound', 'Allow', 'Tcp', { sourceAddressPrefix: 'AzureMachineLearning', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '44224' }),
      // Takes the name and the first priority a fix for Storage would take.
      rule('AllowAzureMLStorageOutbound', 100, 'Outbound', 'Allow', 'Udp', { sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'Storage.westeurope', destinationPortRange: '9999' }),
      rule('DenyStorageOut', 300, 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: 'Storage.westeurope', destinationPortRange: '*' }),
      rule('DenyInternetOut', 4000, 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' }),
    ],
  }],
  vnets: [{ name: 'vnet-ml', location: 'westeurope', prefix: '10.5.0.0/16', subnets: [{ name: 'snet-train', prefix: '10.5.1.0/24', nsg: 'nsg-ml' }] }],
  workspaces: [{ name: 'mlw-live', location: 'westeurope', computes: [{ name: 'cluster', type: 'AmlCompute', subnet: 'vnet-ml/snet-train', publicIp: false }] }],
};

const serviceTags = serviceTagPrefixesFromJson(serviceTagsJson({ 'Storage.WestEurope': ['20.60.0.0/16'], AzureMachineLearning: ['20.43.0.0/24'] }));
const settings: CheckSettings = { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'auto', strict: false, serviceTags };

function liveCheck(): NsgCheck {
  const model = mapArmResources(armResources(SUB));
  const result = checkModel(model, settings);
  const check = result.nsgs.find((n) => n.nsg.name === 'nsg-ml');
  assert.ok(check);
  return check;
}

const failingIds = (check: NsgCheck) => check.verdicts.filter((v) => v.verdict === 'blocked' || v.verdict === 'partial').map((v) => v.id);

/** Checks a model with the options the live NSG was checked with (its compute's, its location's). */
function recheck(model: WorkspaceModel, live: NsgCheck): NsgCheck {
  const region = live.options.region.value;
  const options = { ...defaultOptions(), publicIp: live.options.publicIp.value ?? true, hbi: live.options.hbi.value ?? false, ...(region?.kind === 'name' ? { region: region.name } : {}) };
  const result = checkModel(model, { ...settings, options, scope: 'all' });
  assert.deepEqual(model.problems.filter((p) => p.severity === 'error'), []);
  const check = result.nsgs.find((n) => n.nsg.name === 'nsg-ml');
  assert.ok(check, 'the NSG is read back');
  return check;
}

function read(path: string, text: string): WorkspaceModel {
  return readWorkspace([{ path, text }], { readFile: () => undefined }, [bicepReader, armTemplateReader]);
}

function bicepValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(bicepValue).join(', ')}]`;
  return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${bicepValue(x)}`).join(', ')} }`;
}

/** The NSG as a minimal Bicep template: what is live today. */
function minimalBicep(): string {
  const n = SUB.nsgs[0];
  return [
    `resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {`,
    `  name: '${n.name}'`,
    `  location: '${n.location}'`,
    '  properties: {',
    '    securityRules: [',
    ...n.rules.map((r) => `      ${bicepValue(r)}`),
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}

describe('live NSG fixes (az commands, Bicep and ARM snippets)', () => {
  const target = liveNsgTarget(nsgId(SUB, 'nsg-ml'))!;

  it('finds the subscription, resource group and NSG name in a resource id', () => {
    assert.deepEqual(target, { subscription: SUB.id, resourceGroup: 'rg-ML-live', nsgName: 'nsg-ml' });
    assert.equal(liveNsgTarget('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v'), undefined);
  });

  it('plans the rules the template fix plans for the same NSG: names, priorities, directions', () => {
    const live = liveCheck();
    const plan = planLiveRules(live);
    assert.ok(failingIds(live).includes('aml-out-storage'));
    assert.deepEqual([...plan.fixed].sort(), failingIds(live).sort());
    // The same NSG declared in an ARM template, fixed by the template fix.
    const path = 'live.json';
    const text = JSON.stringify(armTemplate(SUB), null, 2);
    const model = read(path, text);
    const templateCheck = checkModel(model, settings).nsgs.find((n) => n.nsg.name === 'nsg-ml')!;
    const templateFix = fixAllForNsg(templateCheck, new Map([[path, text]]));
    assert.deepEqual(plan.rules.map((r) => ({ name: r.name, priority: r.priority, direction: r.direction })), templateFix.rules);
    // Taken names get a number; priorities are unique, 100-4096, and the Storage rule comes before the deny at 300.
    const storage = plan.rules.find((r) => r.destinationAddressPrefix === 'Storage.westeurope')!;
    assert.equal(storage.name, 'AllowAzureMLStorageOutbound2');
    assert.ok(storage.priority < 300 && storage.priority !== 100, String(storage.priority));
    assert.deepEqual(storage.destinationPortRanges, ['443']);
    for (const d of ['Inbound', 'Outbound'] as const) {
      const used = [...SUB.nsgs[0].rules.filter((r) => r.properties.direction === d).map((r) => r.properties.priority), ...plan.rules.filter((r) => r.direction === d).map((r) => r.priority)];
      assert.equal(new Set(used).size, used.length, `${d} priorities are unique`);
    }
    for (const r of plan.rules) {
      assert.match(r.name, /^AllowAzureML[A-Za-z0-9]+(Inbound|Outbound)\d*$/);
      assert.ok(r.priority >= 100 && r.priority <= 4096);
    }
  });

  it('plans one requirement alone when asked, and says why an unknown verdict is not fixed', () => {
    const live = liveCheck();
    const plan = planLiveRules(live, { requirementIds: ['aml-out-storage'] });
    assert.deepEqual(plan.fixed, ['aml-out-storage']);
    assert.deepEqual(plan.rules.map((r) => r.name), ['AllowAzureMLStorageOutbound2']);
    const noTags = checkModel(mapArmResources(armResources({
      ...SUB,
      nsgs: [{ ...SUB.nsgs[0], rules: [rule('DenyRange', 150, 'Outbound', 'Deny', '*', { sourceAddressPrefix: '*', destinationAddressPrefix: '20.60.0.0/16', destinationPortRange: '*' })] }],
    })), { ...settings, serviceTags: undefined }).nsgs[0];
    const unknown = planLiveRules(noTags, { requirementIds: ['aml-out-storage'] });
    assert.deepEqual(unknown.rules, []);
    assert.match(unknown.skipped[0].reason, /unknown/);
    assert.match(azScriptDocument({ target, plan: unknown, what: 'aml-out-storage' }), /# Not fixed: aml-out-storage on nsg-ml: its verdict is unknown[^\n]*\n# Nothing to add\./);
  });

  it('the Bicep snippet, added to the NSG as a template, makes the requirements allowed', () => {
    const live = liveCheck();
    const plan = planLiveRules(live);
    const snippet = bicepSnippet(target, plan.rules);
    assert.match(snippet.existing, /^resource nsg 'Microsoft\.Network\/networkSecurityGroups@[\d-]+' existing = \{\n {2}name: 'nsg-ml'\n\}/);
    assert.ok(snippet.text.startsWith(snippet.existing) && snippet.text.endsWith(snippet.rules));
    const before = recheck(read('main.bicep', minimalBicep()), live);
    for (const id of plan.fixed) assert.notEqual(before.verdicts.find((v) => v.id === id)?.verdict, 'allowed', id);
    const after = recheck(read('main.bicep', `${minimalBicep()}\n${snippet.rules}`), live);
    assert.equal(after.nsg.rules.length, SUB.nsgs[0].rules.length + plan.rules.length);
    for (const id of plan.fixed) assert.equal(after.verdicts.find((v) => v.id === id)?.verdict, 'allowed', id);
    // The snippet on its own (what is deployed) parses without errors.
    assert.deepEqual(read('rules.bicep', bicepDocument({ target, plan, what: 'NSG nsg-ml' })).problems.filter((p) => p.severity === 'error'), []);
  });

  it('the ARM snippet, added to the NSG\'s template, makes the requirements allowed', () => {
    const live = liveCheck();
    const plan = planLiveRules(live);
    const doc = JSON.parse(armDocument({ target, plan, what: 'NSG nsg-ml' })) as { resources: { name: string; type: string }[] };
    assert.deepEqual(doc.resources, armRuleResources(target, plan.rules));
    assert.deepEqual(doc.resources.map((r) => r.name), plan.rules.map((r) => `nsg-ml/${r.name}`));
    const template = armTemplate({ ...SUB, vnets: [], workspaces: [] }) as { resources: unknown[] };
    const before = recheck(read('nsg.json', JSON.stringify(template, null, 2)), live);
    for (const id of plan.fixed) assert.notEqual(before.verdicts.find((v) => v.id === id)?.verdict, 'allowed', id);
    const withRules = { ...template, resources: [...template.resources, ...doc.resources] };
    const after = recheck(read('nsg.json', JSON.stringify(withRules, null, 2)), live);
    assert.equal(after.nsg.rules.length, SUB.nsgs[0].rules.length + plan.rules.length);
    assert.ok(after.nsg.rules.every((r) => !isUnknown(r.priority)));
    for (const id of plan.fixed) assert.equal(after.verdicts.find((v) => v.id === id)?.verdict, 'allowed', id);
  });

  it('az commands round-trip through a shell parser to the intended arguments', () => {
    const plan = planLiveRules(liveCheck());
    const script = azScriptDocument({ target, plan, what: 'NSG nsg-ml' });
    const commands = shellWords(script).filter((c) => c[0] === 'az');
    assert.equal(commands.length, plan.rules.length);
    commands.forEach((argv, i) => {
      const r: LiveRule = plan.rules[i];
      assert.deepEqual(argv, [
        'az', 'network', 'nsg', 'rule', 'create',
        '--subscription', SUB.id,
        '--resource-group', 'rg-ML-live',
        '--nsg-name', 'nsg-ml',
        '--name', r.name,
        '--priority', String(r.priority),
        '--direction', r.direction,
        '--access', 'Allow',
        '--protocol', r.protocol,
        '--source-address-prefixes', r.direction === 'Inbound' ? r.sourceAddressPrefix : 'VirtualNetwork',
        '--source-port-ranges', '*',
        '--destination-address-prefixes', r.direction === 'Inbound' ? 'VirtualNetwork' : r.destinationAddressPrefix,
        '--destination-port-ranges', ...r.destinationPortRanges,
        '--description', r.description,
      ]);
    });
    const storage = commands.find((c) => c.includes('AllowAzureMLStorageOutbound2'))!;
    assert.deepEqual(storage.slice(storage.indexOf('--destination-address-prefixes'), storage.indexOf('--description')), ['--destination-address-prefixes', 'Storage.westeurope', '--destination-port-ranges', '443']);
    assert.match(script, /^set -euo pipefail$/m);
  });

  it('quotes words so bash reads them back unchanged, whatever they hold', () => {
    const nasty = ["it's", '$(rm -rf ~)', '`id`', 'a b\tc', '*', '', 'x\\y', '"q"', 'semi;colon', '!bang', 'new\nline', 'Storage.westeurope', '443-445'];
    for (const w of nasty) assert.deepEqual(shellWords(`az ${shellQuote(w)} end`), [['az', w, 'end']], JSON.stringify(w));
    const odd = { subscription: 'sub', resourceGroup: "rg 'o' $x", nsgName: 'n;rm' };
    const r = { name: 'N', priority: 100, direction: 'Outbound' as const, protocol: '*' as const, sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'Storage', destinationPortRanges: ['*'], description: "Azure ML's `x` $(y)" };
    const [argv] = shellWords(azCommands(odd, [r])[0]);
    assert.equal(argv[argv.indexOf('--resource-group') + 1], "rg 'o' $x");
    assert.equal(argv[argv.indexOf('--nsg-name') + 1], 'n;rm');
    assert.equal(argv[argv.indexOf('--protocol') + 1], '*');
    assert.equal(argv[argv.indexOf('--description') + 1], "Azure ML's `x` $(y)");
  });
});
