import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { isUnknown } from '../../../src/core/maybe';
import type { SourceSpan, WorkspaceModel } from '../../../src/core/model/workspace-model';
import { readWorkspace, type SourceFile } from '../../../src/core/read/read-workspace';
import { mulberry32 as rng } from '../../support/seeded-random';

function read(text: string, files: Record<string, string> = {}, entry = 'main.bicep'): { model: WorkspaceModel; followed: readonly string[] } {
  const file: SourceFile = { path: entry, text };
  return bicepReader.read(file, { readFile: (p) => files[p] }, [file]);
}

function src(text: string, span: SourceSpan | undefined): string {
  assert.ok(span, 'no span');
  return text.slice(span.start, span.end);
}

const RULE = "{ name: 'AllowStorage', properties: { priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'Storage.${location}', destinationPortRanges: ['443'] } }";

const MAIN = `param location string = resourceGroup().location

// amlnet-check
resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'nsg-main'
  location: location
  properties: {
    securityRules: [
      ${RULE}
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: 'vnet-main'
  location: location
  properties: {
    addressSpace: { addressPrefixes: ['10.0.0.0/16'] }
    subnets: [
      { name: 'snet-a', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: nsg.id } } }
    ]
  }
  resource subB 'subnets' = {
    name: 'snet-b'
    properties: {
      addressPrefixes: ['10.0.1.0/24']
      networkSecurityGroup: { id: resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-main') }
    }
  }
}

resource ws 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: 'mlw'
  location: location
  properties: { hbiWorkspace: true }
}

resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: ws
  name: 'cpu'
  properties: {
    computeType: 'AmlCompute'
    properties: { subnet: { id: vnet::subB.id }, enableNodePublicIp: false }
  }
}
`;

describe('Bicep reader', () => {
  it('accepts .bicep and .bicepparam files only', () => {
    assert.ok(bicepReader.accepts({ path: 'a/main.bicep', text: '' }));
    assert.ok(bicepReader.accepts({ path: 'main.bicepparam', text: '' }));
    assert.ok(!bicepReader.accepts({ path: 'main.json', text: '' }));
  });

  describe('a template with an NSG, a VNet, a workspace and a compute', () => {
    const { model } = read(MAIN);

    it('reads the NSG with its key, spans, location symbol and mark', () => {
      assert.equal(model.nsgs.length, 1);
      const nsg = model.nsgs[0];
      assert.equal(nsg.key, 'main.bicep#nsg');
      assert.equal(nsg.name, 'nsg-main');
      assert.equal(src(MAIN, nsg.nameSpan), "'nsg-main'");
      assert.equal(src(MAIN, nsg.securityRulesSpan), 'securityRules');
      assert.ok(src(MAIN, nsg.span).startsWith("resource nsg 'Microsoft.Network"));
      assert.equal(nsg.ruleStyle, 'inline');
      assert.equal(nsg.marked, true);
      assert.deepEqual(nsg.location, { kind: 'symbol', symbol: 'resourceGroup().location', text: 'resourceGroup().location' });
    });

    it('reads each rule property with its span; Storage.${location} shares the NSG location symbol', () => {
      const rule = model.nsgs[0].rules[0];
      assert.equal(rule.name, 'AllowStorage');
      assert.equal(rule.priority, 100);
      assert.equal(rule.direction, 'Outbound');
      assert.deepEqual(rule.destinationPorts, ['443']);
      assert.deepEqual(rule.sourceAddresses, ['VirtualNetwork']);
      const dest = rule.destinationAddresses;
      assert.ok(!isUnknown(dest));
      const entry = dest[0] as { tag: string; region: { kind: string; symbol: string } };
      assert.equal(entry.tag, 'Storage');
      assert.equal(entry.region.symbol, 'resourceGroup().location');
      const origin = rule.origin;
      assert.ok(origin);
      assert.equal(origin.style, 'inline');
      assert.equal(src(MAIN, origin.span), RULE);
      assert.equal(src(MAIN, origin.properties.name), "'AllowStorage'");
      assert.equal(src(MAIN, origin.properties.priority), '100');
      assert.equal(src(MAIN, origin.properties.destinationAddresses), "'Storage.${location}'");
      assert.equal(src(MAIN, origin.properties.destinationPorts), "['443']");
    });

    it('reads the VNet, the inline subnet and the nested child subnet', () => {
      assert.equal(model.vnets.length, 1);
      const vnet = model.vnets[0];
      assert.deepEqual(vnet.addressPrefixes.value, ['10.0.0.0/16']);
      assert.deepEqual([...vnet.subnets].sort(), ['main.bicep#vnet/subnets/snet-a', 'main.bicep#vnet::subB']);
      const a = model.subnets.find((s) => s.name === 'snet-a');
      assert.ok(a);
      assert.equal(a.nsg?.target, 'main.bicep#nsg');
      assert.equal(src(MAIN, a.nsg?.span), 'nsg.id');
      assert.deepEqual(a.addressPrefixes.value, ['10.0.0.0/24']);
      const b = model.subnets.find((s) => s.name === 'snet-b');
      assert.ok(b);
      assert.equal(b.vnet, 'main.bicep#vnet');
      assert.deepEqual(b.nsg?.ref, { type: 'microsoft.network/networksecuritygroups', name: 'nsg-main', parent: undefined });
    });

    it('reads the workspace and the compute with their links', () => {
      assert.equal(model.workspaces[0].hbi.value, true);
      const c = model.computes[0];
      assert.equal(c.computeType.value, 'AmlCompute');
      assert.equal(c.publicIp.value, false);
      assert.equal(c.subnet?.target, 'main.bicep#vnet::subB');
      assert.equal(c.workspace?.target, 'main.bicep#ws');
    });

    it('links across the model (resourceId refs resolved by the linker)', () => {
      const file: SourceFile = { path: 'main.bicep', text: MAIN };
      const linked = readWorkspace([file], { readFile: () => undefined }, [bicepReader]);
      assert.equal(linked.subnets.find((s) => s.name === 'snet-b')?.nsg?.target, 'main.bicep#nsg');
      assert.deepEqual(linked.problems, []);
    });
  });

  it('links a compute to an inline subnet named as vnet.properties.subnets[i].id', () => {
    const { model } = read(`
resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet'
  location: 'westeurope'
  properties: {
    addressSpace: { addressPrefixes: [ '10.0.0.0/16' ] }
    subnets: [ { name: 'web', properties: { addressPrefix: '10.0.0.0/24' } }, { name: 'compute', properties: { addressPrefix: '10.0.1.0/24' } } ]
  }
}
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-04-01' existing = { name: 'mlw' }
resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: ws
  name: 'cluster'
  properties: { computeType: 'AmlCompute', properties: { subnet: { id: vnet.properties.subnets[1].id } } }
}
`);
    const compute = model.subnets.find((x) => x.name === 'compute')!;
    assert.equal(model.computes[0].subnet!.target, compute.key);
  });

  it('names a resource whose name is only known at deployment by its template text, and links to it by that name', () => {
    const text = `
param prefix string
resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet-\${prefix}-ml'
  location: 'westeurope'
  properties: {
    addressSpace: { addressPrefixes: [ '10.0.0.0/16' ] }
    subnets: [ { name: 'compute', properties: { addressPrefix: '10.0.1.0/24' } } ]
  }
}
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-04-01' existing = { name: 'mlw' }
resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: ws
  name: 'cluster'
  properties: { computeType: 'AmlCompute', properties: { subnet: { id: resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-\${prefix}-ml', 'compute') } } }
}
`;
    const file: SourceFile = { path: 'main.bicep', text };
    const model = readWorkspace([file], { readFile: () => undefined }, [bicepReader]);
    // Not "{vnet-{prefix}-ml}": the template text already braces what is known only at deployment.
    assert.deepEqual(model.vnets.map((v) => v.name), ['vnet-{prefix}-ml']);
    const compute = model.subnets.find((x) => x.name === 'compute')!;
    assert.equal(model.computes[0].subnet!.target, compute.key);
  });

  it('child security rule resources give ruleStyle child', () => {
    const text = `resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'n'
  resource r1 'securityRules' = {
    name: 'A'
    properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' }
  }
}
resource r2 'Microsoft.Network/networkSecurityGroups/securityRules@2024-01-01' = {
  parent: nsg
  name: 'B'
  properties: { priority: 110, direction: 'Inbound', access: 'Deny', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '23' }
}
`;
    const nsg = read(text).model.nsgs[0];
    assert.equal(nsg.ruleStyle, 'child');
    assert.deepEqual(nsg.rules.map((r) => [r.name, r.priority, r.origin?.style]), [['A', 100, 'child'], ['B', 110, 'child']]);
    assert.equal(src(text, nsg.rules[1].origin?.properties.priority), '110');
  });

  it('resource loops give one element per item; if (false) is skipped; unknown conditions are noted', () => {
    const text = `param p bool
resource nsgs 'Microsoft.Network/networkSecurityGroups@2024-01-01' = [for e in ['a', 'b']: {
  name: 'nsg-\${e}'
}]
resource off 'Microsoft.Network/networkSecurityGroups@2024-01-01' = if (false) {
  name: 'off'
}
resource maybe 'Microsoft.Network/networkSecurityGroups@2024-01-01' = if (p) {
  name: 'maybe'
}
`;
    const { model } = read(text);
    assert.deepEqual(model.nsgs.map((n) => [n.key, n.name, n.ruleStyle]), [
      ['main.bicep#nsgs[0]', 'nsg-a', 'none'], ['main.bicep#nsgs[1]', 'nsg-b', 'none'], ['main.bicep#maybe', 'maybe', 'none'],
    ]);
    assert.ok(model.problems.some((p) => p.severity === 'info' && /maybe.*condition is not known/.test(p.message)));
  });

  it('follows local modules with the params passed, and reports registry modules as not followed', () => {
    const text = `module net './modules/net.bicep' = {
  name: 'net'
  params: { nsgName: 'nsg-from-main' }
}
module reg 'br/public:avm/res/network/nsg:0.1.0' = {
  name: 'reg'
}
resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: 'v'
  properties: { subnets: [{ name: 's', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: net.outputs.nsgId } } }] }
}
`;
    const files = { 'modules/net.bicep': "param nsgName string\nresource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: nsgName\n}\noutput nsgId string = nsg.id\n" };
    const { model, followed } = read(text, files);
    assert.deepEqual(followed, ['modules/net.bicep']);
    assert.deepEqual(model.nsgs.map((n) => [n.key, n.name]), [['modules/net.bicep#net/nsg', 'nsg-from-main']]);
    assert.equal(model.subnets[0].nsg?.target, 'modules/net.bicep#net/nsg');
    const info = model.problems.find((p) => p.severity === 'info' && p.message.startsWith('not followed: br/public:avm/res/network/nsg:0.1.0'));
    assert.ok(info);
    assert.ok(!model.problems.some((p) => p.severity === 'error'));
  });

  it('a missing module file is a problem, not a failure', () => {
    const { model } = read("module m './nope.bicep' = {\n  name: 'm'\n}\n");
    assert.ok(model.problems.some((p) => p.severity === 'error' && /nope\.bicep/.test(p.message)));
  });

  it('reads a .bicepparam through its template; the template alone is then not read again', () => {
    const template = "param nsgName string\nparam location string = 'westeurope'\nresource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: nsgName\n  location: location\n}\n";
    const param = "using './main.bicep'\nparam nsgName = 'from-params'\n";
    const files: SourceFile[] = [{ path: 'main.bicep', text: template }, { path: 'main.bicepparam', text: param }];
    const host = { readFile: (p: string) => files.find((f) => f.path === p)?.text };
    const viaParam = bicepReader.read(files[1], host, files);
    assert.deepEqual(viaParam.followed, ['main.bicepparam', 'main.bicep']);
    assert.deepEqual(viaParam.model.nsgs.map((n) => n.name), ['from-params']);
    assert.deepEqual(bicepReader.read(files[0], host, files).model.nsgs, []);
    const model = readWorkspace(files, host, [bicepReader]);
    assert.deepEqual(model.nsgs.map((n) => n.name), ['from-params']);
  });

  it('a param with no value makes a symbolic location shared by the regional tags', () => {
    const text = "param location string\nresource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'n'\n  location: location\n  properties: { securityRules: [{ name: 'r', properties: { destinationAddressPrefix: 'Storage.${location}' } }] }\n}\n";
    const nsg = read(text).model.nsgs[0];
    assert.deepEqual(nsg.location, { kind: 'symbol', symbol: 'param:location', text: 'location' });
    const dest = nsg.rules[0].destinationAddresses;
    assert.ok(!isUnknown(dest));
    assert.deepEqual((dest[0] as { region: unknown }).region, { kind: 'symbol', symbol: 'param:location', text: 'location' });
    assert.ok(isUnknown(nsg.rules[0].priority));
  });

  it('parser diagnostics become error problems with spans; intact parts are still read', () => {
    const text = "resource a 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'a'\n}\nresource rt 'Microsoft.Network/routeTables@2024-01-01' = {\n  name: 'rt'\n  properties: { disableBgpRoutePropagation: = true }\n}\nresource b 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'b'\n}\n";
    const { model } = read(text);
    assert.deepEqual(model.nsgs.map((n) => n.name), ['a', 'b']);
    const errors = model.problems.filter((p) => p.severity === 'error');
    assert.ok(errors.length > 0);
    assert.ok(errors.every((p) => p.span !== undefined && text.slice(0, p.span.start).split('\n').length === 6));
  });

  it('existing NSGs are not elements; links to them go by name', () => {
    const text = "resource hub 'Microsoft.Network/networkSecurityGroups@2024-01-01' existing = {\n  name: 'hub'\n}\nresource v 'Microsoft.Network/virtualNetworks@2024-01-01' existing = {\n  name: 'v'\n}\nresource s 'Microsoft.Network/virtualNetworks/subnets@2024-01-01' = {\n  parent: v\n  name: 's'\n  properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: hub.id } }\n}\n";
    const { model } = read(text);
    assert.deepEqual(model.nsgs, []);
    assert.equal(model.subnets[0].vnet, 'main.bicep#v');
    assert.deepEqual(model.subnets[0].nsg?.ref, { type: 'microsoft.network/networksecuritygroups', name: 'hub' });
  });

  it('reads route tables and NICs', () => {
    const text = "resource rt 'Microsoft.Network/routeTables@2024-01-01' = {\n  name: 'rt'\n  properties: { routes: [{ name: 'r', properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.0.0.4' } }] }\n}\nresource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'n'\n}\nresource nic 'Microsoft.Network/networkInterfaces@2024-01-01' = {\n  name: 'nic'\n  properties: { networkSecurityGroup: { id: nsg.id }, ipConfigurations: [{ name: 'c', properties: { subnet: { id: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/v/subnets/s' } } }] }\n}\n";
    const { model } = read(text);
    assert.deepEqual(model.routeTables[0].routes.map((r) => [r.name, r.addressPrefix.value, r.nextHopType.value, r.nextHopIpAddress?.value]), [['r', '0.0.0.0/0', 'VirtualAppliance', '10.0.0.4']]);
    assert.equal(model.nics[0].nsg?.target, 'main.bicep#nsg');
    assert.deepEqual(model.nics[0].subnets[0].ref, { type: 'microsoft.network/virtualnetworks/subnets', name: 's', parent: 'v' });
  });
});

// ---- fuzz -------------------------------------------------------------------------------------


const TOKENS = ['{', '}', '[', ']', '(', ')', "'", '${', ':', ',', '\n', '...', '?', '??', '.?', '!', '::', 'for x in ', 'if (false) ', 'range(0, 9999)', 'nsg', 'location', '=>', '/*', '//', "'''", 'resource r \'Microsoft.Network/networkSecurityGroups@1\' = ', 'module m \'./x.bicep\' = ', 'existing', 'parent: nsg\n', '@', ' ', 'var v = v\n', 'concat(v, v)'];

describe('Bicep reader fuzz', () => {
  const dir = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'templates');
  const names = fs.readdirSync(dir).filter((n) => /^bicep-.*\.bicep(param)?$/.test(n)).sort();
  const texts = names.map((n) => fs.readFileSync(path.join(dir, n), 'utf8'));
  const host = {
    readFile: (p: string): string | undefined => {
      try {
        return fs.readFileSync(path.join(dir, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };

  it('random edits of the fixtures never make the reader throw (2,500 cases, bounded time each)', function () {
    this.timeout(240_000);
    const random = rng(20240611);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    let slowest = 0;
    for (let i = 0; i < 2500; i++) {
      const k = Math.floor(random() * texts.length);
      let text = texts[k];
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1));
        const op = random();
        if (op < 0.35) text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(random() * 40)));
        else if (op < 0.75) text = text.slice(0, at) + pick(TOKENS) + text.slice(at);
        else {
          const from = Math.floor(random() * text.length);
          text = text.slice(0, at) + text.slice(from, from + Math.floor(random() * 200)) + text.slice(at);
        }
      }
      const file: SourceFile = { path: names[k], text };
      const start = Date.now();
      let result;
      try {
        result = bicepReader.read(file, host, [file]);
      } catch (err) {
        assert.fail(`case ${i} (${names[k]}) threw: ${(err as Error).stack}\n--- text ---\n${text}`);
      }
      // The reader catches internally; a crash would show as this problem.
      const crash = result.model.problems.find((p) => p.message.startsWith('amlnet could not read this file'));
      assert.equal(crash, undefined, `case ${i} (${names[k]}) crashed inside: ${crash?.message}\n--- text ---\n${text}`);
      slowest = Math.max(slowest, Date.now() - start);
    }
    assert.ok(slowest < 5000, `the slowest case took ${slowest} ms`);
  });
});
