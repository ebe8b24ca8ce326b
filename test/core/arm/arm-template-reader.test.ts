import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import {
  PropertyNames, at, atAll, child, elements, evaluateNode, entries, isGiven, isObjectValue, item, lengthOf, type Located, located, parseJsonFile, toJson,
  type Node,
} from '../../../src/core/arm/arm-json';
import { ruleFromProperties } from '../../../src/core/arm/arm-resource-model';
import { armTemplateReader, templateScopeOf, topLevelSchema } from '../../../src/core/arm/arm-template-reader';
import { ArmScope } from '../../../src/core/arm/expression-evaluator';
import { isUnknown } from '../../../src/core/maybe';
import { linkModel } from '../../../src/core/model/link-model';
import type { NsgModel, RuleModel, RuleOrigin, SourceSpan, WorkspaceModel } from '../../../src/core/model/workspace-model';
import type { SourceFile } from '../../../src/core/read/read-workspace';
import { readWorkspace } from '../../../src/core/read/read-workspace';
import { REPO_ROOT } from '../read/fixture-harness';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PARAMS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

interface ReadOptions {
  readonly path?: string;
  /** Files the host can read, by path. */
  readonly files?: Readonly<Record<string, string>>;
  readonly workspace?: readonly SourceFile[];
}

/** Reads one template (JSON text, or an object written out with 2-space indents). */
function read(template: string | object, opts: ReadOptions = {}) {
  const text = typeof template === 'string' ? template : JSON.stringify(template, null, 2);
  const file = { path: opts.path ?? 'infra/main.json', text };
  const reads: string[] = [];
  const files = opts.files ?? {};
  const read = armTemplateReader.read(file, { readFile: (p) => { reads.push(p); return files[p]; } }, opts.workspace ?? [file]);
  // Linked as the dispatcher links every reader's model.
  const result = { ...read, model: linkModel(read.model) };
  const texts: Record<string, string> = { ...files, [file.path]: text };
  const slice = (span: SourceSpan | undefined): string => (span ? texts[span.file].slice(span.start, span.end) : '<no span>');
  return { ...result, text, reads, slice };
}

const template = (resources: unknown, extra: object = {}) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', ...extra, resources });

const rule = (name: string, props: object) => ({ name, properties: props });
const allowOut = (name: string, priority: number, destination: unknown, ports: unknown = '443') => rule(name, {
  priority, direction: 'Outbound', access: 'Allow', protocol: 'Tcp',
  sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: destination, destinationPortRange: ports,
});
const nsg = (name: unknown, rules?: unknown, extra: object = {}) => ({
  type: 'Microsoft.Network/networkSecurityGroups', apiVersion: '2024-01-01', name, location: 'westeurope',
  properties: rules === undefined ? {} : { securityRules: rules }, ...extra,
});

function onlyNsg(model: WorkspaceModel): NsgModel {
  assert.equal(model.nsgs.length, 1, `NSGs: ${model.nsgs.map((n) => n.name).join(', ')}`);
  return model.nsgs[0];
}
const origin = (r: RuleModel): RuleOrigin => r.origin!;
const messages = (model: WorkspaceModel) => model.problems.map((p) => `${p.severity}: ${p.message}`);

describe('arm-template-reader', () => {
  describe('accepts', () => {
    it('takes deployment templates of every scope, by their top-level $schema', () => {
      for (const scope of ['deploymentTemplate', 'subscriptionDeploymentTemplate', 'managementGroupDeploymentTemplate', 'tenantDeploymentTemplate']) {
        const text = JSON.stringify({ $schema: `https://schema.management.azure.com/schemas/2019-08-01/${scope}.json#`, resources: [] });
        assert.equal(armTemplateReader.accepts({ path: 'a/t.json', text }), true, scope);
      }
      assert.equal(templateScopeOf('https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#'), 'subscription');
      assert.equal(templateScopeOf('https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#'), 'managementGroup');
      assert.equal(templateScopeOf('https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#'), 'tenant');
      assert.equal(templateScopeOf(SCHEMA), 'resourceGroup');
    });

    it('finds $schema after other keys, past comments, and in .jsonc files', () => {
      const text = `// infra\n{ "resources": [ { "$schema": "x" } ], /* c */ "contentVersion": "1.0.0.0",\n  "$schema": "${SCHEMA}" }`;
      assert.equal(topLevelSchema(text), SCHEMA);
      assert.equal(armTemplateReader.accepts({ path: 't.jsonc', text }), true);
    });

    it('leaves out parameter files, other JSON, templates embedded in other JSON, and other extensions', () => {
      const params = JSON.stringify({ $schema: PARAMS_SCHEMA, parameters: {} });
      assert.equal(armTemplateReader.accepts({ path: 'main.parameters.json', text: params }), false);
      assert.equal(armTemplateReader.accepts({ path: 'package.json', text: '{"name": "x"}' }), false);
      // An Azure Policy definition carries a template in deployIfNotExists: not an entry.
      const policy = JSON.stringify({ properties: { policyRule: { then: { details: { deployment: { properties: { template: { $schema: SCHEMA, resources: [] } } } } } } } });
      assert.equal(armTemplateReader.accepts({ path: 'policy.json', text: policy }), false);
      assert.equal(armTemplateReader.accepts({ path: 'main.bicep', text: JSON.stringify(template([])) }), false);
      assert.equal(armTemplateReader.accepts({ path: 'broken.json', text: '{"$schema": ' }), false);
      assert.equal(armTemplateReader.accepts({ path: 'array.json', text: `["${SCHEMA}"]` }), false);
    });
  });

  describe('NSGs and rules', () => {
    it('reads an NSG with inline rules: values, key, and the span of every property', () => {
      const r = read(template([nsg('nsg-a', [
        allowOut('AllowStorage', 100, 'Storage.westeurope'),
        rule('DenyAll', { priority: 4096, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }),
      ])]));
      const n = onlyNsg(r.model);
      assert.equal(n.key, 'infra/main.json#Microsoft.Network/networkSecurityGroups/nsg-a');
      assert.equal(n.name, 'nsg-a');
      assert.deepEqual(n.location, { kind: 'name', name: 'westeurope' });
      assert.equal(n.ruleStyle, 'inline');
      assert.equal(r.slice(n.nameSpan), '"nsg-a"');
      assert.equal(r.slice(n.securityRulesSpan), '"securityRules"');
      assert.ok(r.slice(n.span).startsWith('{') && r.slice(n.span).includes('"type": "Microsoft.Network/networkSecurityGroups"'));
      const [storage, deny] = n.rules;
      assert.deepEqual(
        { ...storage, origin: undefined },
        { name: 'AllowStorage', priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddresses: ['VirtualNetwork'], sourcePorts: ['*'], destinationAddresses: ['Storage.westeurope'], destinationPorts: ['443'], origin: undefined },
      );
      assert.equal(origin(storage).style, 'inline');
      assert.ok(r.slice(origin(storage).span).startsWith('{') && r.slice(origin(storage).span).includes('"name": "AllowStorage"'));
      const p = origin(deny).properties;
      assert.deepEqual(
        [p.name, p.priority, p.direction, p.access, p.protocol, p.sourceAddresses, p.sourcePorts, p.destinationAddresses, p.destinationPorts].map(r.slice),
        ['"DenyAll"', '4096', '"Inbound"', '"Deny"', '"*"', '"*"', '"*"', '"*"', '"*"'],
      );
      assert.deepEqual(r.model.problems, []);
    });

    it('keeps where each property of every rule is written, for more rules than one block of offsets holds', () => {
      // 1,300 rules in NSGs of two styles: the reader keeps their offsets in blocks of 512 rules.
      const inline = Array.from({ length: 900 }, (_, i) => allowOut(`In${i}`, 100 + i, `Tag${i}`));
      const children = Array.from({ length: 400 }, (_, i) => ({
        type: 'Microsoft.Network/networkSecurityGroups/securityRules', apiVersion: '2023-09-01', name: `nsg/Child${i}`,
        properties: { priority: 2000 + i, direction: 'Inbound', access: 'Deny', protocol: 'Udp', sourceAddressPrefix: `10.${i >> 8}.${i & 255}.0/24`, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: `${1000 + i}` },
      }));
      const r = read(template([nsg('nsg', inline), ...children]));
      const rules = onlyNsg(r.model).rules;
      assert.equal(rules.length, 1300);
      for (const x of rules) {
        const p = origin(x).properties;
        assert.equal(r.slice(p.name), x.name.startsWith('Child') ? `"nsg/${x.name}"` : `"${x.name}"`, x.name);
        assert.equal(r.slice(p.priority), String(x.priority), x.name);
        assert.equal(r.slice(p.destinationAddresses), JSON.stringify((x.destinationAddresses as string[])[0]), x.name);
        assert.equal(r.slice(p.sourceAddresses), JSON.stringify((x.sourceAddresses as string[])[0]), x.name);
        assert.equal(r.slice(p.destinationPorts), JSON.stringify((x.destinationPorts as string[])[0]), x.name);
        assert.equal(origin(x).properties, p, 'made once');
      }
    });

    it('merges singular and plural properties, application security groups included', () => {
      const asg = "[resourceId('Microsoft.Network/applicationSecurityGroups', 'asg-web')]";
      const r = read(template([nsg('nsg', [rule('Mixed', {
        priority: 200, direction: 'Outbound', access: 'Allow', protocol: 'Tcp',
        sourceAddressPrefix: '', sourceAddressPrefixes: ['10.0.0.0/24', '10.0.1.0/24'], sourcePortRange: '*',
        destinationAddressPrefix: 'Storage', destinationApplicationSecurityGroups: [{ id: asg }],
        destinationPortRange: '443', destinationPortRanges: ['445', 8080],
      })])]));
      const [m] = onlyNsg(r.model).rules;
      assert.deepEqual(m.sourceAddresses, ['10.0.0.0/24', '10.0.1.0/24']);
      const dest = m.destinationAddresses as readonly unknown[];
      assert.equal(dest[0], 'Storage');
      assert.match((dest[1] as { asg: string }).asg, /^\/subscriptions\/\{subscription\(\)\.subscriptionId\}\/.*applicationSecurityGroups\/asg-web$/);
      assert.deepEqual(m.destinationPorts, ['443', '445', '8080']);
      assert.equal(r.slice(origin(m).properties.sourceAddresses), '""');
      assert.equal(r.slice(origin(m).properties.destinationPorts), '"443"');
    });

    it('makes `<Tag>.` + a symbolic location a regional tag on the same symbol as the NSG location', () => {
      const r = read(template([nsg('nsg', [
        allowOut('Storage', 100, "[concat('Storage.', parameters('location'))]"),
        allowOut('Batch', 110, "[format('BatchNodeManagement.{0}', toLower(parameters('location')))]"),
        allowOut('Acr', 120, "[concat('MicrosoftContainerRegistry.', parameters('region'))]"),
      ], { location: "[parameters('location')]" })], {
        parameters: { location: { type: 'string', defaultValue: '[resourceGroup().location]' }, region: { type: 'string' } },
      }));
      const n = onlyNsg(r.model);
      assert.deepEqual(n.location, { kind: 'symbol', symbol: 'resourceGroup().location', text: 'resourceGroup().location' });
      const [storage, batch, acr] = n.rules.map((x) => (x.destinationAddresses as readonly unknown[])[0]);
      assert.deepEqual(storage, { tag: 'Storage', region: { kind: 'symbol', symbol: 'resourceGroup().location', text: 'resourceGroup().location' }, text: 'Storage.{resourceGroup().location}' });
      assert.deepEqual((batch as { region: unknown }).region, n.location);
      // A parameter without a value is its own symbol: a region known only at deployment.
      assert.deepEqual((acr as { region: unknown }).region, { kind: 'symbol', symbol: 'param:region', text: "parameters('region')" });
    });

    it('keeps a location without a value symbolic, and says why values are unknown', () => {
      const r = read(template([nsg('nsg', [rule('Deny', {
        priority: '[parameters("p")]', direction: 'Outbound', access: "[variables('nope')]", protocol: '*',
        sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: "[parameters('blocked')]", destinationPortRanges: "[parameters('ports')]",
      })], { location: "[parameters('location')]" })], {
        parameters: { location: { type: 'string' }, blocked: { type: 'string' }, ports: { type: 'array' } },
      }));
      const n = onlyNsg(r.model);
      assert.deepEqual(n.location, { kind: 'symbol', symbol: 'param:location', text: "parameters('location')" });
      const [d] = n.rules;
      assert.ok(isUnknown(d.priority) && /cannot read the expression/.test(d.priority.unknown), JSON.stringify(d.priority));
      assert.deepEqual(d.access, { unknown: "variables('nope'): the template declares no variable 'nope'" });
      assert.deepEqual(d.destinationAddresses, [{ unknown: "parameters('blocked') is only known at deployment" }]);
      assert.deepEqual(d.destinationPorts, [{ unknown: "parameters('ports') is only known at deployment" }]);
    });

    it('reads child security rules named nsg/rule, at the top level and nested, in child style', () => {
      const r = read(template([
        { ...nsg("[parameters('name')]"), resources: [{ type: 'securityRules', apiVersion: '2024-01-01', name: 'Nested', properties: allowOut('x', 110, 'AzureMonitor').properties }] },
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', apiVersion: '2024-01-01', name: "[format('{0}/{1}', parameters('name'), 'TopLevel')]", properties: allowOut('x', 100, 'Storage').properties },
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', apiVersion: '2024-01-01', name: 'other-nsg/Orphan', properties: allowOut('x', 100, 'Storage').properties },
      ], { parameters: { name: { type: 'string', defaultValue: 'nsg-c' } } }));
      const n = onlyNsg(r.model);
      assert.equal(n.ruleStyle, 'child');
      assert.deepEqual(n.rules.map((x) => [x.name, x.priority, origin(x).style]), [['Nested', 110, 'child'], ['TopLevel', 100, 'child']]);
      const top = n.rules[1];
      assert.ok(r.slice(origin(top).span).includes("'TopLevel')]\""), r.slice(origin(top).span));
      assert.equal(r.slice(origin(top).properties.name), `"[format('{0}/{1}', parameters('name'), 'TopLevel')]"`);
      assert.equal(r.slice(origin(top).properties.priority), '100');
      assert.deepEqual(messages(r.model), ['warning: the security rule Orphan belongs to NSG other-nsg, which is not declared in the templates read; amlnet does not check it']);
    });

    it('warns when an NSG has both securityRules and child rules', () => {
      const r = read(template([
        nsg('nsg', [allowOut('A', 100, 'Storage')]),
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', apiVersion: '2024-01-01', name: 'nsg/B', properties: allowOut('x', 110, 'Storage').properties },
      ]));
      const n = onlyNsg(r.model);
      assert.equal(n.ruleStyle, 'inline');
      assert.deepEqual(n.rules.map((x) => origin(x).style), ['inline', 'child']);
      assert.match(messages(r.model).join('\n'), /has securityRules and child securityRules resources/);
    });

    it('reads rules made by expressions (user functions), spanning the expression', () => {
      const r = read(template([nsg('nsg', ["[createObject('name', 'Made', 'properties', createObject('priority', 300, 'direction', 'Outbound', 'access', 'Deny', 'protocol', '*', 'sourceAddressPrefix', '*', 'sourcePortRange', '*', 'destinationAddressPrefix', 'Internet', 'destinationPortRange', '*'))]"])]));
      const [m] = onlyNsg(r.model).rules;
      assert.deepEqual([m.name, m.priority, m.access, m.destinationAddresses], ['Made', 300, 'Deny', ['Internet']]);
      assert.ok(r.slice(origin(m).span).startsWith('"[createObject('));
      assert.deepEqual(origin(m).properties.priority, origin(m).span);
    });

    it('stands an unknown rule list for rules that may be anything, with a warning', () => {
      const r = read(template([nsg('nsg', "[parameters('rules')]")], { parameters: { rules: { type: 'array' } } }));
      const n = onlyNsg(r.model);
      assert.equal(n.rules.length, 1);
      assert.deepEqual(n.rules[0].priority, { unknown: "parameters('rules') is only known at deployment" });
      assert.deepEqual(n.rules[0].destinationAddresses, { unknown: "parameters('rules') is only known at deployment" });
      assert.match(messages(r.model)[0], /^warning: the security rules of NSG nsg are not known before deployment/);
    });

    it('marks an NSG with a `// amlnet-check` comment directly above it (or as its first line)', () => {
      const text = `{
  "$schema": "${SCHEMA}",
  "resources": [
    // amlnet-check
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "marked-above", "location": "westeurope" },
    {
      /* amlnet-check */
      "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "marked-inside", "location": "westeurope"
    },
    // amlnet-check: applies to the next resource only
    // another comment between
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "marked-below-comments", "location": "westeurope" },
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "plain", "location": "westeurope" }
    // amlnet-check
  ]
}`;
      const r = read(text);
      assert.deepEqual(r.model.nsgs.map((n) => [n.name, n.marked ?? false]), [
        ['marked-above', true], ['marked-inside', true], ['marked-below-comments', true], ['plain', false],
      ]);
      const v2 = `{ "$schema": "${SCHEMA}", "languageVersion": "2.0", "resources": {
        // amlnet-check
        "nsg": { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "v2", "location": "westeurope" } } }`;
      assert.equal(read(v2).model.nsgs[0].marked, true);
    });
  });

  describe('resources: forms, conditions and copies', () => {
    it('reads languageVersion 2.0 resources (an object), leaving out existing ones', () => {
      const r = read({
        $schema: SCHEMA, languageVersion: '2.0', contentVersion: '1.0.0.0',
        resources: {
          nsg: nsg('nsg-v2', [allowOut('A', 100, 'Storage')]),
          old: { ...nsg('nsg-existing'), existing: true },
        },
      });
      assert.deepEqual(r.model.nsgs.map((n) => n.name), ['nsg-v2']);
    });

    it('skips resources whose condition is false, reads unknown ones with a warning', () => {
      const r = read(template([
        { ...nsg('never'), condition: "[equals(parameters('env'), 'dev')]" },
        { ...nsg('always'), condition: "[equals(parameters('env'), 'prod')]" },
        { ...nsg('maybe'), condition: "[parameters('deployIt')]" },
      ], { parameters: { env: { type: 'string', defaultValue: 'prod' }, deployIt: { type: 'bool' } } }));
      assert.deepEqual(r.model.nsgs.map((n) => n.name), ['always', 'maybe']);
      assert.equal(r.model.problems.length, 1);
      assert.match(r.model.problems[0].message, /the condition \[parameters\('deployIt'\)\] of this Microsoft\.Network\/networkSecurityGroups resource cannot be told before deployment/);
      assert.equal(r.slice(r.model.problems[0].span), `"[parameters('deployIt')]"`);
    });

    it('expands resource copy loops with copyIndex(), and caps counts over 800', () => {
      const r = read(template([
        { ...nsg("[format('nsg-{0}', copyIndex(1))]", [allowOut("[concat('Rule', copyIndex())]", '[copyIndex(100)]' as unknown as number, 'Storage')]), copy: { name: 'nsgs', count: 3 } },
        { ...nsg("[concat('many-', copyIndex())]"), copy: { name: 'many', count: 900 } },
      ]));
      const named = r.model.nsgs.filter((n) => n.name.startsWith('nsg-'));
      assert.deepEqual(named.map((n) => [n.name, n.rules[0].name, n.rules[0].priority]), [['nsg-1', 'Rule0', 100], ['nsg-2', 'Rule1', 101], ['nsg-3', 'Rule2', 102]]);
      assert.deepEqual(named.map((n) => n.key), [1, 2, 3].map((i) => `infra/main.json#Microsoft.Network/networkSecurityGroups/nsg-${i}`));
      assert.equal(r.model.nsgs.filter((n) => n.name.startsWith('many-')).length, 800);
      assert.deepEqual(messages(r.model), ["warning: the copy loop 'many' has count 900, over ARM's limit of 800; amlnet reads the first 800"]);
    });

    it('reads a rule copy loop of unknown count as one rule that may or may not exist; other loops not at all', () => {
      const r = read(template([
        nsg('nsg'),
        {
          type: 'Microsoft.Network/networkSecurityGroups/securityRules', apiVersion: '2024-01-01', name: "[format('nsg/Deny{0}', copyIndex())]",
          copy: { name: 'denies', count: "[length(parameters('blocked'))]" },
          properties: { priority: '[copyIndex(300)]', direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: "[parameters('blocked')[copyIndex()]]", destinationPortRange: '*' },
        },
        { ...nsg("[concat('lost-', copyIndex())]"), copy: { name: 'lost', count: "[parameters('n')]" } },
      ], { parameters: { blocked: { type: 'array' }, n: { type: 'int' } } }));
      const n = onlyNsg(r.model);
      assert.equal(n.rules.length, 1);
      const [d] = n.rules;
      assert.equal(d.name, "Deny{copyIndex('denies')}");
      assert.equal(d.access, 'Deny');
      assert.ok(isUnknown(d.priority) && /may or may not exist/.test(d.priority.unknown));
      assert.ok(isUnknown((d.destinationAddresses as readonly unknown[])[0] as object));
      assert.deepEqual(messages(r.model).map((m) => m.replace(/\(.*\)/, '(...)')), [
        "warning: the copy loop 'denies' runs an unknown number of times (...); its rules are read as one rule that may or may not exist",
        "warning: the copy loop 'lost' runs an unknown number of times (...); amlnet does not read the Microsoft.Network/networkSecurityGroups resources it declares",
      ]);
    });

    it('reads property copies of securityRules, spanning the copy input', () => {
      const text = JSON.stringify(template([{
        ...nsg('nsg'),
        properties: { copy: [{ name: 'securityRules', count: "[length(variables('tags'))]", input: {
          name: "[concat('Allow', variables('tags')[copyIndex('securityRules')])]",
          properties: { priority: "[copyIndex('securityRules', 100)]", direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: "[variables('tags')[copyIndex('securityRules')]]", destinationPortRange: '443' },
        } }] },
      }], { variables: { tags: ['Storage', 'AzureMonitor'] } }), null, 2);
      const r = read(text);
      const n = onlyNsg(r.model);
      assert.deepEqual(n.rules.map((x) => [x.name, x.priority, x.destinationAddresses]), [['AllowStorage', 100, ['Storage']], ['AllowAzureMonitor', 101, ['AzureMonitor']]]);
      assert.equal(r.slice(n.securityRulesSpan), '"securityRules"');
      assert.equal(n.securityRulesSpan!.start, text.indexOf('"securityRules"'));
      assert.equal(r.slice(origin(n.rules[1]).properties.priority), `"[copyIndex('securityRules', 100)]"`);
      assert.ok(r.slice(origin(n.rules[0]).span).startsWith('{') && r.slice(origin(n.rules[0]).span).includes('"name": "[concat(\'Allow\''));
    });

    it('gives resources of the same name distinct keys', () => {
      const r = read(template([nsg('same'), nsg('same')]));
      assert.deepEqual(r.model.nsgs.map((n) => n.key), [
        'infra/main.json#Microsoft.Network/networkSecurityGroups/same', 'infra/main.json#Microsoft.Network/networkSecurityGroups/same[2]',
      ]);
    });
  });

  describe('networks', () => {
    const nsgId = "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]";
    const vnet = {
      type: 'Microsoft.Network/virtualNetworks', apiVersion: '2024-01-01', name: 'vnet', location: 'westeurope',
      properties: {
        addressSpace: { addressPrefixes: ['10.0.0.0/16', '10.1.0.0/16'] },
        subnets: [
          { name: 'compute', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: nsgId }, routeTable: { id: "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } },
          { name: 'delegated', properties: { addressPrefixes: ['10.0.1.0/24', '10.0.2.0/24'], delegations: [{ name: 'd', properties: { serviceName: 'Microsoft.Web/serverFarms' } }] } },
        ],
      },
    };

    it('reads VNets with inline subnets and links them to NSGs and route tables', () => {
      const r = read(template([nsg('nsg'), vnet, {
        type: 'Microsoft.Network/routeTables', apiVersion: '2024-01-01', name: 'rt',
        properties: { routes: [{ name: 'toFirewall', properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.9.0.4' } }] },
      }]));
      const [v] = r.model.vnets;
      assert.deepEqual([v.key, v.name, v.addressPrefixes.value], ['infra/main.json#Microsoft.Network/virtualNetworks/vnet', 'vnet', ['10.0.0.0/16', '10.1.0.0/16']]);
      assert.deepEqual(v.subnets, ['compute', 'delegated'].map((s) => `infra/main.json#Microsoft.Network/virtualNetworks/subnets/vnet/${s}`));
      const [compute, delegated] = r.model.subnets;
      assert.deepEqual([compute.name, compute.vnet, compute.addressPrefixes.value], ['compute', v.key, ['10.0.0.0/24']]);
      assert.equal(r.slice(compute.addressPrefixes.span), '"10.0.0.0/24"');
      assert.equal(compute.nsg?.target, 'infra/main.json#Microsoft.Network/networkSecurityGroups/nsg');
      assert.deepEqual(compute.nsg?.ref, { type: 'microsoft.network/networksecuritygroups', name: 'nsg', parent: undefined });
      assert.equal(compute.nsg?.text, nsgId);
      assert.equal(r.slice(compute.nsg?.span), JSON.stringify(nsgId));
      assert.equal(compute.routeTable?.target, 'infra/main.json#Microsoft.Network/routeTables/rt');
      assert.ok(r.slice(compute.span).startsWith('{') && r.slice(compute.nameSpan) === '"compute"');
      assert.deepEqual([delegated.addressPrefixes.value, delegated.delegations, delegated.nsg], [['10.0.1.0/24', '10.0.2.0/24'], ['Microsoft.Web/serverFarms'], undefined]);
      const [rt] = r.model.routeTables;
      assert.deepEqual(rt.routes.map((x) => [x.name, x.addressPrefix.value, x.nextHopType.value, x.nextHopIpAddress?.value]), [['toFirewall', '0.0.0.0/0', 'VirtualAppliance', '10.9.0.4']]);
    });

    it('reads subnets and routes declared as child resources, and keeps unresolved links for the linker', () => {
      const r = read(template([
        { type: 'Microsoft.Network/virtualNetworks', apiVersion: '2024-01-01', name: 'vnet', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
          resources: [{ type: 'subnets', apiVersion: '2024-01-01', name: 'nested', properties: { addressPrefix: '10.0.3.0/24' } }] },
        { type: 'Microsoft.Network/virtualNetworks/subnets', apiVersion: '2024-01-01', name: 'vnet/top', properties: { addressPrefix: '10.0.4.0/24', networkSecurityGroup: { id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/elsewhere' } } },
        { type: 'Microsoft.Network/virtualNetworks/subnets', apiVersion: '2024-01-01', name: 'hub-vnet/shared', properties: { addressPrefix: '10.8.0.0/24', networkSecurityGroup: { id: "[reference('nsgDeployment').outputs.id.value]" } } },
        { type: 'Microsoft.Network/routeTables', apiVersion: '2024-01-01', name: 'rt', properties: {} },
        { type: 'Microsoft.Network/routeTables/routes', apiVersion: '2024-01-01', name: 'rt/default', properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' } },
      ]));
      const v = r.model.vnets[0];
      assert.deepEqual(r.model.subnets.map((s) => [s.key, s.name, s.vnet]), [
        ['infra/main.json#Microsoft.Network/virtualNetworks/subnets/hub-vnet/shared', 'shared', undefined],
        ['infra/main.json#Microsoft.Network/virtualNetworks/subnets/vnet/nested', 'nested', v.key],
        ['infra/main.json#Microsoft.Network/virtualNetworks/subnets/vnet/top', 'top', v.key],
      ]);
      assert.deepEqual(v.subnets, r.model.subnets.slice(1).map((s) => s.key));
      const top = r.model.subnets[2];
      assert.deepEqual(top.nsg?.ref, { type: 'microsoft.network/networksecuritygroups', name: 'elsewhere', parent: undefined });
      assert.match(top.nsg?.unresolved ?? '', /no networksecuritygroups named elsewhere/);
      assert.equal(r.model.subnets[0].nsg?.unresolved, "reference('nsgDeployment').outputs.id.value is only known at deployment");
      assert.deepEqual(r.model.routeTables[0].routes.map((x) => [x.name, x.nextHopType.value]), [['default', 'Internet']]);
    });

    it('links by a name known only at deployment, when both sides use the same parameter', () => {
      const r = read(template([nsg("[parameters('nsgName')]"), { ...vnet, properties: { ...vnet.properties, subnets: [
        { name: 'compute', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]" } } },
      ] } }], { parameters: { nsgName: { type: 'string' } } }));
      const n = onlyNsg(r.model);
      assert.equal(n.name, "{parameters('nsgName')}");
      assert.equal(r.model.subnets[0].nsg?.target, n.key);
    });

    it('reads NICs with their NSG and subnets', () => {
      const r = read(template([{
        type: 'Microsoft.Network/networkInterfaces', apiVersion: '2024-01-01', name: 'nic',
        properties: {
          networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nic-nsg')]" },
          ipConfigurations: [{ name: 'ip', properties: { subnet: { id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'compute')]" } } }],
        },
      }]));
      const [nic] = r.model.nics;
      assert.deepEqual(nic.nsg?.ref, { type: 'microsoft.network/networksecuritygroups', name: 'nic-nsg', parent: undefined });
      assert.deepEqual(nic.subnets.map((s) => s.ref), [{ type: 'microsoft.network/virtualnetworks/subnets', name: 'compute', parent: 'vnet' }]);
    });

    it('reads firewalls, firewall policies and their rule collections', () => {
      const r = read(template([
        { type: 'Microsoft.Network/azureFirewalls', apiVersion: '2024-01-01', name: 'fw', properties: {
          firewallPolicy: { id: "[resourceId('Microsoft.Network/firewallPolicies', 'policy')]" },
          ipConfigurations: [{ name: 'c', properties: { privateIPAddress: '10.9.0.4' } }],
          networkRuleCollections: [{ name: 'net', properties: { priority: 200, action: { type: 'Allow' }, rules: [] } }],
        } },
        { type: 'Microsoft.Network/firewallPolicies', apiVersion: '2024-01-01', name: 'policy', properties: {} },
        { type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups', apiVersion: '2024-01-01', name: 'policy/aml', properties: { priority: 100, ruleCollections: [
          { ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: 'aml-app', priority: 110, action: { type: 'Allow' }, rules: [{ ruleType: 'ApplicationRule', name: 'r' }] },
        ] } },
      ]));
      const [fw, policy] = r.model.firewalls;
      assert.equal(fw.kind, 'firewall');
      assert.equal(fw.privateIp?.value, '10.9.0.4');
      assert.equal(fw.policy?.target, 'infra/main.json#Microsoft.Network/firewallPolicies/policy');
      assert.deepEqual(fw.ruleCollections.map((c) => [c.name, c.kind, c.priority.value]), [['net', 'network', 200]]);
      assert.equal(policy.kind, 'firewall-policy');
      assert.deepEqual(policy.ruleCollections.map((c) => [c.name, c.kind, c.priority.value]), [['aml-app', 'FirewallPolicyFilterRuleCollection', 110]]);
      assert.equal((policy.ruleCollections[0].raw as { rules: unknown[] }).rules.length, 1);
    });
  });

  describe('Azure ML', () => {
    const workspace = (hbi?: unknown) => ({
      type: 'Microsoft.MachineLearningServices/workspaces', apiVersion: '2024-04-01', name: 'mlw', location: "[parameters('location')]",
      properties: hbi === undefined ? {} : { hbiWorkspace: hbi },
    });
    const compute = (name: string, type: string, inner: object) => ({
      type: 'Microsoft.MachineLearningServices/workspaces/computes', apiVersion: '2024-04-01', name: `mlw/${name}`, properties: { computeType: type, properties: inner },
    });
    const subnet = { id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'compute')]" };
    const params = { parameters: { location: { type: 'string', defaultValue: 'eastus' } } };

    it('reads workspaces: the hbi flag (false when not set, pointing at the workspace) and the location', () => {
      const set = read(template([workspace(true)], params));
      assert.deepEqual([set.model.workspaces[0].hbi.value, set.slice(set.model.workspaces[0].hbi.span)], [true, 'true']);
      assert.deepEqual(set.model.workspaces[0].location.value, { kind: 'name', name: 'eastus' });
      const unset = read(template([workspace()], params));
      const w = unset.model.workspaces[0];
      assert.equal(w.hbi.value, false);
      assert.deepEqual(w.hbi.span, w.span);
      assert.ok(isUnknown(read(template([workspace("[parameters('hbi')]")], { parameters: { ...params.parameters, hbi: { type: 'bool' } } })).model.workspaces[0].hbi.value));
    });

    it('reads computes: type, subnet link, workspace link and the public IP setting (true when not set)', () => {
      const r = read(template([
        workspace(false),
        compute('cluster', 'AmlCompute', { subnet, enableNodePublicIp: false }),
        compute('instance', 'ComputeInstance', { subnet }),
        compute('aks', 'AKS', { aksNetworkingConfiguration: { subnetId: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'aks')]" } }),
      ], params));
      const [cluster, instance, aks] = r.model.computes;
      assert.deepEqual([cluster.key, cluster.name, cluster.computeType.value], ['infra/main.json#Microsoft.MachineLearningServices/workspaces/computes/mlw/cluster', 'cluster', 'AmlCompute']);
      assert.deepEqual(cluster.subnet?.ref, { type: 'microsoft.network/virtualnetworks/subnets', name: 'compute', parent: 'vnet' });
      assert.equal(cluster.workspace?.target, 'infra/main.json#Microsoft.MachineLearningServices/workspaces/mlw');
      assert.deepEqual([cluster.publicIp.value, r.slice(cluster.publicIp.span)], [false, 'false']);
      assert.equal(instance.publicIp.value, true);
      assert.deepEqual(instance.publicIp.span, instance.span);
      assert.deepEqual(aks.subnet?.ref, { type: 'microsoft.network/virtualnetworks/subnets', name: 'aks', parent: 'vnet' });
      assert.ok(isUnknown(aks.publicIp.value));
    });
  });

  describe('nested deployments', () => {
    const deployment = (name: string, properties: object) => ({ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name, properties: { mode: 'Incremental', ...properties } });
    const inner = (resources: unknown, extra: object = {}) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', ...extra, resources });

    it('inner scope: the values passed, the inner template\'s own defaults and variables', () => {
      const r = read(template([deployment('d', {
        expressionEvaluationOptions: { scope: 'inner' },
        parameters: { name: { value: "[concat(parameters('prefix'), '-nsg')]" } },
        template: inner([nsg("[parameters('name')]", [allowOut('A', 100, "[variables('tag')]")], { location: "[parameters('location')]" })], {
          parameters: { name: { type: 'string', defaultValue: 'unused' }, location: { type: 'string', defaultValue: 'northeurope' } },
          variables: { tag: 'Storage.inner' },
        }),
      })], { parameters: { prefix: { type: 'string', defaultValue: 'app' } }, variables: { tag: 'Storage.outer' } }));
      const n = onlyNsg(r.model);
      assert.deepEqual([n.name, n.location, n.rules[0].destinationAddresses], ['app-nsg', { kind: 'name', name: 'northeurope' }, ['Storage.inner']]);
      assert.ok(r.slice(n.span).includes('"name": "[parameters(\'name\')]"'));
    });

    it('outer scope (the default): the parent\'s parameters and variables', () => {
      const r = read(template([deployment('d', {
        template: inner([nsg("[parameters('name')]", [allowOut('A', "[variables('p')]" as unknown as number, 'Storage')])], { parameters: { name: { type: 'string', defaultValue: 'ignored' } } }),
      })], { parameters: { name: { type: 'string', defaultValue: 'outer-nsg' } }, variables: { p: 250 } }));
      const n = onlyNsg(r.model);
      assert.deepEqual([n.name, n.rules[0].priority], ['outer-nsg', 250]);
    });

    it('follows templateLink.relativePath with the parameters passed, and lists the file as followed', () => {
      const linked = JSON.stringify(inner([nsg("[parameters('name')]", [allowOut('A', 100, 'Storage')])], { parameters: { name: { type: 'string' } } }), null, 2);
      const r = read(template([deployment('d', { templateLink: { relativePath: '../shared/nsg.json' }, parameters: { name: { value: 'linked-nsg' } } })]), { files: { 'shared/nsg.json': linked } });
      const n = onlyNsg(r.model);
      assert.equal(n.name, 'linked-nsg');
      assert.equal(n.key, 'shared/nsg.json#Microsoft.Network/networkSecurityGroups/linked-nsg');
      assert.equal(n.span?.file, 'shared/nsg.json');
      assert.equal(r.slice(origin(n.rules[0]).properties.priority), '100');
      assert.ok(r.followed.includes('shared/nsg.json'));
      assert.deepEqual(r.model.problems, []);
    });

    it('reports linked templates it cannot or does not follow, and cycles', () => {
      const self = template([deployment('again', { templateLink: { relativePath: 'main.json' } })]);
      const r = read(template([
        deployment('missing', { templateLink: { relativePath: 'nope.json' } }),
        deployment('remote', { templateLink: { uri: 'https://example.com/t.json' } }),
        deployment('loop', { templateLink: { relativePath: 'loop.json' } }),
      ]), { files: { 'infra/loop.json': JSON.stringify(self), 'infra/main.json': JSON.stringify(self) } });
      assert.deepEqual(messages(r.model), [
        'warning: the linked template infra/nope.json cannot be read; what it deploys is not checked',
        'info: the linked template https://example.com/t.json is not followed: amlnet reads only templates linked by relativePath',
        'warning: the linked template infra/main.json links back to itself; it is read once',
      ]);
    });

    it('evaluates reference() to a nested deployment\'s outputs (how compiled Bicep passes module outputs)', () => {
      const r = read(template([
        deployment('nsgModule', {
          expressionEvaluationOptions: { scope: 'inner' },
          parameters: { name: { value: 'nsg-mod' } },
          template: inner([nsg("[parameters('name')]")], {
            parameters: { name: { type: 'string' } },
            outputs: { nsgId: { type: 'string', value: "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('name'))]" } },
          }),
        }),
        { type: 'Microsoft.Network/virtualNetworks', apiVersion: '2024-01-01', name: 'vnet', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [
          { name: 's', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: "[reference(resourceId('Microsoft.Resources/deployments', 'nsgModule'), '2022-09-01').outputs.nsgId.value]" } } },
        ] } },
      ]));
      assert.equal(r.model.subnets[0].nsg?.target, 'infra/main.json#Microsoft.Network/networkSecurityGroups/nsg-mod');
    });

    describe('reference() to a deployment whose name is known only at deployment', () => {
      const nsgModule = (name: string) => deployment(name, {
        expressionEvaluationOptions: { scope: 'inner' },
        template: inner([nsg('nsg-mod')], { outputs: { nsgId: { type: 'string', value: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-mod')]" } } }),
      });
      const vnet = (nsgId: string) => ({
        type: 'Microsoft.Network/virtualNetworks', apiVersion: '2024-01-01', name: 'vnet', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [
          { name: 's', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: nsgId } } },
        ] },
      });
      const extra = {
        parameters: { prefix: { type: 'string' }, other: { type: 'string' } },
        variables: { suffix: '[substring(uniqueString(resourceGroup().id), 0, 4)]' },
      };
      const byName = (name: string, apiVersion = ", '2022-09-01'") => `[reference(resourceId('Microsoft.Resources/deployments', ${name})${apiVersion}).outputs.nsgId.value]`;

      it('follows it when the referenced name is the same expression over the same inputs, with or without an apiVersion', () => {
        for (const [declared, referenced] of [
          ["format('nsg-{0}-{1}-deployment', parameters('prefix'), variables('suffix'))", "format('nsg-{0}-{1}-deployment', parameters('prefix'), variables('suffix'))"],
          ["concat('nsg-', uniqueString(resourceGroup().id))", "format('NSG-{0}', uniqueString(resourceGroup().id))"],
          ["parameters('prefix')", "parameters('prefix')"],
        ]) {
          for (const apiVersion of [", '2022-09-01'", '']) {
            const r = read(template([nsgModule(`[${declared}]`), vnet(byName(referenced, apiVersion))], extra));
            assert.equal(r.model.subnets[0].nsg?.target, 'infra/main.json#Microsoft.Network/networkSecurityGroups/nsg-mod', `${declared} / ${referenced}${apiVersion}`);
            assert.deepEqual(r.model.problems, []);
          }
        }
      });

      it('does not follow it to a deployment whose name is another value, and says why where the link is', () => {
        const r = read(template([nsgModule("[format('nsg-{0}', parameters('prefix'))]"), vnet(byName("format('nsg-{0}', parameters('other'))"))], extra));
        const link = r.model.subnets[0].nsg;
        assert.equal(link?.target, undefined);
        assert.match(link?.unresolved ?? '', /is not followed: no nested deployment named nsg-\{parameters\('other'\)\} is read in this template/);
        assert.deepEqual(r.model.problems.map((p) => [p.severity, r.slice(p.span)]), [['warning', `"${byName("format('nsg-{0}', parameters('other'))")}"`]]);
        assert.match(r.model.problems[0].message, /^the NSG of subnet s is not known: reference\(resourceId\('Microsoft.Resources\/deployments', format\('nsg-\{0\}', parameters\('other'\)\)\), '2022-09-01'\) is not followed: /);
      });

      it('does not guess between two deployments of the same name known only at deployment', () => {
        const r = read(template([nsgModule("[parameters('prefix')]"), nsgModule("[parameters('prefix')]"), vnet(byName("parameters('prefix')"))], extra));
        assert.equal(r.model.subnets[0].nsg?.target, undefined);
        assert.match(r.model.subnets[0].nsg?.unresolved ?? '', /\{parameters\('prefix'\)\} names more than one nested deployment in this template; amlnet cannot tell which one is meant/);
      });

      it('follows it to an iteration of a deployment copy loop of known count', () => {
        const looped = {
          ...deployment("[format('nsg-{0}', copyIndex())]", {
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { name: { value: "[format('nsg-loop-{0}', copyIndex())]" } },
            template: inner([nsg("[parameters('name')]")], {
              parameters: { name: { type: 'string' } },
              outputs: { nsgId: { type: 'string', value: "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('name'))]" } },
            }),
          }),
          copy: { name: 'loop', count: 2 },
        };
        const r = read(template([looped, vnet(byName("format('nsg-{0}', add(0, 1))"))], extra));
        assert.deepEqual(r.model.nsgs.map((n) => n.name), ['nsg-loop-0', 'nsg-loop-1']);
        assert.equal(r.model.subnets[0].nsg?.target, 'infra/main.json#Microsoft.Network/networkSecurityGroups/nsg-loop-1');
        assert.deepEqual(r.model.problems, []);
      });

      it('names the deployments whose names it cannot read (unknown, or in a copy loop of unknown count)', () => {
        const looped = { ...nsgModule("[format('nsg-{0}', copyIndex())]"), copy: { name: 'loop', count: "[length(parameters('zones'))]" } };
        const r = read(template([looped, nsgModule('[nosuchfunction()]'), vnet(byName("'nsg-0'"))], { ...extra, parameters: { ...extra.parameters, zones: { type: 'array' } } }));
        assert.match(r.model.subnets[0].nsg?.unresolved ?? '', /no nested deployment named nsg-0 is read in this template \(amlnet cannot tell whether it is one of the deployments whose name it cannot read: the copy loop 'loop' of the deployment \[format\('nsg-\{0\}', copyIndex\(\)\)\] runs an unknown number of times \(.*\); the name of the deployment \[nosuchfunction\(\)\] is not known \(nosuchfunction\(\): unknown function/);
        assert.equal(r.model.problems.filter((p) => p.message.startsWith('the NSG of subnet s is not known: ')).length, 1);
      });
    });

    describe('parameters passed other than as {"value": ...}', () => {
      const compute = (parameters: object, declared: object = { type: 'bool', defaultValue: true }) => read(template([deployment('compute-module', {
        expressionEvaluationOptions: { scope: 'inner' },
        parameters,
        template: inner([{
          type: 'Microsoft.MachineLearningServices/workspaces/computes', apiVersion: '2024-04-01', name: 'ws/cluster',
          properties: { computeType: 'AmlCompute', properties: { enableNodePublicIp: "[parameters('publicIp')]" } },
        }], { parameters: { publicIp: declared } }),
      })], { parameters: { access: { type: 'string', defaultValue: 'private' }, unset: { type: 'string' } } }));
      const ternary = (param: string) => `[if(equals(parameters('${param}'), 'public'), createObject('value', true()), createObject('value', false()))]`;

      it('evaluates a parameter given as an expression that yields {"value": ...} (a Bicep ternary module parameter)', () => {
        assert.equal(compute({ publicIp: ternary('access') }).model.computes[0].publicIp.value, false);
      });

      it('says which deployment passes a parameter whose value is known only at deployment', () => {
        const v = compute({ publicIp: ternary('unset') }).model.computes[0].publicIp.value;
        assert.ok(isUnknown(v));
        assert.match(v.unknown, /^the deployment compute-module passes 'publicIp' as .*parameters\('unset'\).*/);
      });

      it('evaluates a property copy loop on "value", count and input per index', () => {
        const r = read(template([deployment('nsg-module', {
          expressionEvaluationOptions: { scope: 'inner' },
          parameters: { ports: { copy: [{ name: 'value', count: "[length(parameters('base'))]", input: "[string(add(parameters('base')[copyIndex('value')], 1))]" }] } },
          template: inner([nsg('n', [rule('A', {
            priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Storage',
            destinationPortRanges: "[parameters('ports')]",
          })])], { parameters: { ports: { type: 'array' } } }),
        })], { parameters: { base: { type: 'array', defaultValue: [442, 8786] } } }));
        assert.deepEqual(onlyNsg(r.model).rules[0].destinationPorts, ['443', '8787']);
      });

      it('says which deployment passes a parameter it cannot read, not "the parameter file"', () => {
        const v = compute({ publicIp: { values: true } }).model.computes[0].publicIp.value;
        assert.ok(isUnknown(v));
        assert.equal(v.unknown, 'the deployment compute-module passes \'publicIp\' neither as {"value": ...} nor as a Key Vault reference');
      });
    });

    it('deploys subscription-scope templates into resource groups', () => {
      const r = read({
        $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
        resources: [deployment('rg-deploy', { expressionEvaluationOptions: { scope: 'inner' }, template: inner([nsg('nsg', [], { location: '[resourceGroup().location]' })]) })],
      });
      assert.deepEqual(onlyNsg(r.model).location, { kind: 'symbol', symbol: 'resourceGroup().location', text: 'resourceGroup().location' });
    });
  });

  describe('parameter files', () => {
    const t = template([nsg("[parameters('name')]")], { parameters: { name: { type: 'string', defaultValue: 'default-nsg' } } });
    const params = (name: string) => JSON.stringify({ $schema: PARAMS_SCHEMA, contentVersion: '1.0.0.0', parameters: { name: { value: name } } });

    it('pairs X.json with X.parameters.json from the workspace, else from the host', () => {
      const text = JSON.stringify(t);
      const fromWorkspace = read(text, { path: 'infra/azuredeploy.json', workspace: [{ path: 'infra/azuredeploy.json', text }, { path: 'infra/azuredeploy.parameters.json', text: params('ws-nsg') }] });
      assert.equal(onlyNsg(fromWorkspace.model).name, 'ws-nsg');
      assert.deepEqual(fromWorkspace.followed, ['infra/azuredeploy.parameters.json']);
      const fromHost = read(text, { path: 'infra/main.json', files: { 'infra/main.parameters.json': params('host-nsg') } });
      assert.equal(onlyNsg(fromHost.model).name, 'host-nsg');
      assert.deepEqual(fromHost.followed, ['infra/main.parameters.json']);
      const none = read(text);
      assert.equal(onlyNsg(none.model).name, 'default-nsg');
      assert.deepEqual(none.followed, []);
    });

    it('dispatches through readWorkspace: the parameter file is no entry of its own', () => {
      const files: SourceFile[] = [{ path: 'main.json', text: JSON.stringify(t) }, { path: 'main.parameters.json', text: params('paired') }];
      const model = readWorkspace(files, { readFile: () => undefined }, [armTemplateReader]);
      assert.deepEqual(model.nsgs.map((n) => n.name), ['paired']);
    });
  });

  describe('broken input', () => {
    it('reports a syntax error at its offset and still reads the rest', () => {
      const text = `{
  "$schema": "${SCHEMA}",
  "resources": [
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "before", "location": "westeurope", },
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "broken" "location": "westeurope" },
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-01-01", "name": "after", "location": "westeurope" }
  ]
}`;
      const r = read(text);
      assert.deepEqual(r.model.nsgs.map((n) => n.name), ['before', 'broken', 'after']);
      const errors = r.model.problems.filter((p) => p.severity === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].message, 'JSON syntax error: comma expected');
      assert.equal(errors[0].span?.start, text.indexOf('"location": "westeurope" }'));
    });

    it('evaluates on the tree exactly as the evaluator does on the JSON (every fixture resource)', () => {
      const dir = 'test/fixtures/templates';
      let compared = 0;
      for (const n of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /^arm-.*\.json$/.test(x))) {
        const { root } = parseJsonFile(n, fs.readFileSync(path.join(REPO_ROOT, dir, n), 'utf8'), []);
        const shell = { parameters: toJson(child(root, 'parameters')), variables: toJson(child(root, 'variables')), functions: toJson(child(root, 'functions')) };
        const scope = ArmScope.forTemplate(shell);
        const visit = (node: Node | undefined): void => {
          if (!node) return;
          assert.equal(JSON.stringify(evaluateNode(scope, node)), JSON.stringify(scope.evaluateValue(toJson(node))), `${n} at ${node.offset}`);
          compared++;
          for (const c of node.type === 'object' ? entries(node).map(([, v]) => v) : elements(node)) if (c.type === 'object' || c.type === 'array') visit(c);
        };
        const resources = child(root, 'resources');
        for (const r of resources?.type === 'object' ? entries(resources).map(([, v]) => v) : elements(resources)) visit(child(r, 'properties'));
      }
      assert.ok(compared > 300, String(compared));
    });

    it('steps into a located value as into the value evaluated whole (every fixture resource, and names that differ in case or repeat)', () => {
      let compared = 0;
      const where = (l: Located): unknown => [l.node?.offset, l.node?.length, l.each?.offset];
      /** `lazy` (a located value evaluated on demand) and `eager` (the same, evaluated first) agree, down to `depth` levels. */
      const same = (lazy: Located, eager: Located, label: string, depth: number): void => {
        assert.deepEqual([lengthOf(lazy), isObjectValue(lazy), isGiven(lazy), where(lazy)], [lengthOf(eager), isObjectValue(eager), isGiven(eager), where(eager)], label);
        compared++;
        if (depth === 0) return;
        const node = eager.node ?? eager.each;
        const names = node?.type === 'object' ? entries(node).flatMap(([k]) => [k, k.toUpperCase(), k.toLowerCase()]) : [];
        for (const name of [...names, 'copy', 'missing']) same(at(lazy, name), at(eager, name), `${label}.${name}`, depth - 1);
        for (let i = 0; i <= (lengthOf(eager) ?? 0); i++) same(item(lazy, i), item(eager, i), `${label}[${i}]`, depth - 1);
        assert.equal(JSON.stringify(lazy.value), JSON.stringify(eager.value), label);
      };
      const check = (name: string, text: string): void => {
        const { root } = parseJsonFile(name, text, []);
        const shell = { parameters: toJson(child(root, 'parameters')), variables: toJson(child(root, 'variables')), functions: toJson(child(root, 'functions')) };
        const scope = ArmScope.forTemplate(shell);
        const resources = child(root, 'resources');
        for (const r of resources?.type === 'object' ? entries(resources).map(([, v]) => v) : elements(resources)) {
          const props = child(r, 'properties');
          if (props) same(located(scope, props), { value: evaluateNode(scope, props), node: props }, `${name} at ${props.offset}`, 4);
        }
      };
      const dir = 'test/fixtures/templates';
      for (const n of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /^arm-.*\.json$/.test(x))) check(n, fs.readFileSync(path.join(REPO_ROOT, dir, n), 'utf8'));
      check('dup.json', `{"resources": [{"properties": {"A": 1, "a": [2, {"x": 1}], "b": {"k": "[concat('a', 'b')]", "K": 2}, "B": 3, "b": 4, "B": {"y": true},
        "Ab": {"v": 1}, "aB": 2, "Ab": {"w": 3}, "aB": 5, "c": {"copy": [{"name": "d", "count": 2, "input": "[copyIndex('d')]"}]}, "__proto__": {"z": null},
        "s": "[createObject('q', 1)]"}}]}`);
      assert.ok(compared > 3000, String(compared));
    });

    it('finds properties together (atAll) as one by one (at): exact, case-variant, repeated and escaped names', () => {
      let compared = 0;
      const check = (name: string, text: string): void => {
        const { root } = parseJsonFile(name, text, []);
        const scope = ArmScope.forTemplate({ parameters: toJson(child(root, 'parameters')), variables: toJson(child(root, 'variables')) });
        const resources = child(root, 'resources');
        for (const r of resources?.type === 'object' ? entries(resources).map(([, v]) => v) : elements(resources)) {
          const props = child(r, 'properties');
          if (!props) continue;
          const written = props.type === 'object' ? entries(props).map(([k]) => k) : [];
          const names = new PropertyNames([...new Set([...written, ...written.map((k) => k.toLowerCase()), 'priority', 'missing', 'copy'])]);
          const together = atAll(located(scope, props), names);
          names.names.forEach((n, j) => {
            const alone = at(located(scope, props), n);
            assert.deepEqual([together[j].node?.offset, together[j].each?.offset, JSON.stringify(together[j].value)], [alone.node?.offset, alone.each?.offset, JSON.stringify(alone.value)], `${name}: ${n}`);
            compared++;
          });
        }
      };
      const dir = 'test/fixtures/templates';
      for (const n of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /^arm-.*\.json$/.test(x))) check(n, fs.readFileSync(path.join(REPO_ROOT, dir, n), 'utf8'));
      check('dup.json', `{"resources": [{"properties": {"Priority": 1, "priority": 2, "PRIORITY": 3, "prio\\u0072ity": 4, "Access": "[concat('A', 'llow')]", "access": 5,
        "Direction": "x", "c": {"copy": [{"name": "d", "count": 2, "input": "[copyIndex('d')]"}]}}}, {"properties": {"PRIORITY": 1, "Priority": 2}},
        {"properties": {"a": 1, "copy": [{"name": "b", "count": 1, "input": 2}]}}, {"properties": "[createObject('priority', 7)]"}]}`);
      assert.ok(compared > 300, String(compared));
    });

    it('gives the rules of one read the same list and string for the same text, never another read\'s', () => {
      const regional = "[concat('Storage.', resourceGroup().location)]";
      const rules = [allowOut('a', 100, 'Storage'), allowOut('b', 110, 'Storage', 443), allowOut('c', 120, 'AzureMonitor', '443'), allowOut('d', 130, regional), allowOut('e', 140, regional)];
      const first = onlyNsg(read(template([nsg('n', rules)])).model).rules;
      assert.deepEqual(first.map((r) => [r.direction, r.sourceAddresses, r.sourcePorts, r.destinationAddresses, r.destinationPorts]), [
        ['Outbound', ['VirtualNetwork'], ['*'], ['Storage'], ['443']],
        ['Outbound', ['VirtualNetwork'], ['*'], ['Storage'], ['443']],
        ['Outbound', ['VirtualNetwork'], ['*'], ['AzureMonitor'], ['443']],
        ['Outbound', ['VirtualNetwork'], ['*'], [{ tag: 'Storage', region: { kind: 'symbol', symbol: 'resourceGroup().location', text: 'resourceGroup().location' }, text: 'Storage.{resourceGroup().location}' }], ['443']],
        ['Outbound', ['VirtualNetwork'], ['*'], [{ tag: 'Storage', region: { kind: 'symbol', symbol: 'resourceGroup().location', text: 'resourceGroup().location' }, text: 'Storage.{resourceGroup().location}' }], ['443']],
      ]);
      // A regional tag over a symbolic location: one expression, one value, one list.
      assert.equal(first[3].destinationAddresses, first[4].destinationAddresses);
      // One list per text (a number port and its text alike), shared by the rules and by both sides.
      assert.equal(first[0].sourcePorts, first[2].sourcePorts);
      assert.equal(first[0].destinationAddresses, first[1].destinationAddresses);
      assert.equal(first[0].destinationPorts, first[1].destinationPorts);
      assert.equal(first[1].destinationPorts, first[2].destinationPorts);
      assert.notEqual(first[0].destinationAddresses, first[2].destinationAddresses);
      const second = onlyNsg(read(template([nsg('n', rules)])).model).rules;
      assert.notEqual(second[0].sourcePorts, first[0].sourcePorts);
    });

    it('reads a rule straight from the tape as through located values (ruleFromProperties)', () => {
      let fast = 0;
      const check = (name: string, text: string): void => {
        const { root } = parseJsonFile(name, text, []);
        const scope = ArmScope.forTemplate({ parameters: toJson(child(root, 'parameters')), variables: toJson(child(root, 'variables')) });
        const rules: Node[] = [];
        const visit = (n: Node | undefined): void => {
          if (n?.type === 'object') {
            const props = child(n, 'properties');
            if (props?.type === 'object' && child(props, 'priority') !== undefined) rules.push(props);
            for (const [, v] of entries(n)) visit(v);
          } else if (n?.type === 'array') {
            elements(n).forEach(visit);
          }
        };
        visit(root);
        for (const props of rules) {
          const span = { file: name, start: 0, end: 1 };
          const onTape = ruleFromProperties('r', undefined, located(scope, props), span, 'inline', name);
          // A located value that is not on the tape takes the general path.
          const evaluated: Located = { value: evaluateNode(scope, props), node: props };
          const general = ruleFromProperties('r', undefined, evaluated, span, 'inline', name);
          // The tape's origin makes its property spans when asked: compared as its readers see it.
          const o = onTape.origin!;
          assert.deepEqual({ ...onTape, origin: { span: o.span, style: o.style, properties: o.properties } }, general, `${name} at ${props.offset}`);
          assert.deepEqual(JSON.parse(JSON.stringify(onTape)), JSON.parse(JSON.stringify(general)), `${name} at ${props.offset}: as JSON`);
          if (!props.keys!.some((k) => /(Prefixes|Ranges|Groups)$/.test(k) || !/^[a-z]/.test(k))) fast++;
        }
      };
      const dir = 'test/fixtures/templates';
      for (const n of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /^arm-.*\.json$/.test(x))) check(n, fs.readFileSync(path.join(REPO_ROOT, dir, n), 'utf8'));
      check('odd.json', `{"parameters": {"p": {"type": "string"}, "n": {"type": "int", "defaultValue": 300}}, "resources": [
        {"properties": {"priority": "[parameters('n')]", "direction": null, "access": "[null()]", "protocol": 6, "sourceAddressPrefix": "[concat('Storage.', parameters('p'))]",
          "destinationAddressPrefix": "", "sourcePortRange": 80, "destinationPortRange": "[parameters('p')]"}},
        {"properties": {"priority": "100", "direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "[createArray('a')]", "destinationPortRange": true}},
        {"properties": {"priority": 5, "sourceAddressPrefix": null, "destinationAddressPrefix": "[null()]", "sourcePortRange": null}},
        {"properties": {"priority": 1, "Priority": 2, "sourceAddressPrefix": {"a": 1}}},
        {"properties": {"priority": 1, "sourceAddressPrefix": "", "sourceAddressPrefixes": ["10.0.0.0/8", "[parameters('p')]"], "destinationPortRanges": "x"}}]}`);
      assert.ok(fast > 50, String(fast));
    });

    it('never throws, and answers with a problem, on templates that are not templates', () => {
      for (const text of ['', '[]', '"x"', 'null', '{', `{"$schema": "${SCHEMA}", "resources": 5}`, `{"$schema": "${SCHEMA}", "resources": [1, null, {"type": 7}, {"type": "Microsoft.Network/networkSecurityGroups"}]}`, `{"$schema": "${SCHEMA}", "resources": [${'['.repeat(20000)}`]) {
        const r = read(text);
        assert.ok(Array.isArray(r.model.nsgs));
      }
      assert.deepEqual(messages(read('[]').model), ['error: the template is not a JSON object']);
      assert.match(messages(read(`{"resources": [${'['.repeat(100000)}`).model)[0], /^error: /);
      let deep: object = nsg('deepest');
      for (let i = 0; i < 60; i++) deep = { type: 'Microsoft.Network/virtualNetworks', apiVersion: '2024-01-01', name: `v${i}`, resources: [deep] };
      const r = read(template([deep]));
      assert.deepEqual(r.model.nsgs, []);
      assert.match(messages(r.model).join(), /child resources nest more than 32 levels deep/);
    });

    it('survives random edits of every ARM fixture, with spans inside the text (fuzz)', function () {
      this.timeout(120_000);
      const dir = 'test/fixtures/templates';
      const names = fs.readdirSync(path.join(REPO_ROOT, dir)).filter((n) => /^arm-.*\.json$/.test(n) && !n.endsWith('.expected.json'));
      const sources = [...names.map((n) => `${dir}/${n}`), `${dir}/linked/aml-nsg.json`, 'examples/arm/azuredeploy.json']
        .map((p) => ({ path: p, text: fs.readFileSync(path.join(REPO_ROOT, p), 'utf8') }));
      const host = { readFile: (p: string) => { try { return fs.readFileSync(path.join(REPO_ROOT, p), 'utf8'); } catch { return undefined; } } };
      const pieces = ['{', '}', '[', ']', '"', ',', ':', '\n', '//', '/*', '*/', '[[', "'", '(', ')', '0', '-1', '1e309', 'null', 'true', '"copy"', '"[copyIndex()]"', '"condition": false,', '\\', '\u2028', '\uFEFF', 'x'];
      const edit = fc.oneof(
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...pieces) }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      );
      fc.assert(fc.property(fc.nat({ max: sources.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (which, edits) => {
        let text = sources[which].text;
        for (const e of edits) {
          const at = text.length === 0 ? 0 : e.at % (text.length + 1);
          if (e.kind === 'insert') text = text.slice(0, at) + e.text + text.slice(at);
          else if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + e.length);
          else text = text.slice(0, at);
        }
        const file = { path: sources[which].path, text };
        armTemplateReader.accepts(file);
        const { model } = armTemplateReader.read(file, host, [file]);
        const spans: (SourceSpan | undefined)[] = [
          ...model.nsgs.flatMap((n) => [n.span, n.nameSpan, n.securityRulesSpan, ...n.rules.flatMap((x) => [origin(x).span, ...Object.values(origin(x).properties)])]),
          ...model.subnets.flatMap((s) => [s.span, s.addressPrefixes.span, s.nsg?.span]),
          ...model.problems.map((p) => p.span),
        ];
        for (const s of spans) {
          if (!s || s.file !== file.path) continue;
          assert.ok(s.start >= 0 && s.start <= s.end && s.end <= text.length, `span ${JSON.stringify(s)} outside ${text.length}`);
        }
      }), { numRuns: 3000, seed: 20240611 });
    });
  });
});
