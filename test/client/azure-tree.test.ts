import * as assert from 'node:assert/strict';
import { mapArmResources } from '../../src/azure/map-arm';
import type { SubscriptionStatus } from '../../src/azure/read-azure';
import { azureDisplayPath, buildAzureTree, checkLive, liveNsgCheck, type LiveCheck } from '../../src/client/azure-tree';
import { azureTestHook, isLoopbackHttps } from '../../src/client/azure-test-hook';
import { buildWorkspaceTree, walk, type TreeNode } from '../../src/client/tree-model';
import { armTemplateReader } from '../../src/core/arm/arm-template-reader';
import { defaultOptions, getEdition } from '../../src/core/catalog/catalog';
import { checkModel, type CheckSettings } from '../../src/core/check/check-model';
import { buildReport } from '../../src/core/check/check-report';
import { liveNsgTarget } from '../../src/core/fix/live-snippets';
import type { WorkspaceModel } from '../../src/core/model/workspace-model';
import { readWorkspace } from '../../src/core/read/read-workspace';
import { serviceTagPrefixesFromJson } from '../../src/core/service-tag-prefixes';
import { armResources, armTemplate, FIXTURE, nsgId, serviceTagsJson, SUB_DEV, SUB_LOCKED, SUB_PROD, type SubscriptionSpec } from '../azure/tenant';
import { byLabel } from './report-builders';

const settings: CheckSettings = {
  edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'auto', strict: false,
  serviceTags: serviceTagPrefixesFromJson(serviceTagsJson(FIXTURE.serviceTags)),
};

const LOCKED_ERROR = 'HTTP 403 AuthorizationFailed: The client does not have authorization to perform action.';

/** What readAzure returns for the fixture tenant when the Locked subscription answers 403. */
function liveRead(subs: readonly SubscriptionSpec[] = FIXTURE.subscriptions.filter((s) => s.id !== SUB_LOCKED)): { model: WorkspaceModel; subscriptions: SubscriptionStatus[] } {
  const mapped = mapArmResources(subs.flatMap(armResources));
  const subscriptions: SubscriptionStatus[] = [
    ...subs.map((s) => ({ id: s.id, name: s.name, state: 'ok' as const })),
    { id: SUB_LOCKED, name: 'Locked', state: 'error', error: LOCKED_ERROR },
  ];
  return {
    model: { ...mapped, problems: [...mapped.problems, { file: `/subscriptions/${SUB_LOCKED}`, severity: 'error', message: `subscription Locked (${SUB_LOCKED}) could not be read: ${LOCKED_ERROR}` }] },
    subscriptions,
  };
}

function live(): LiveCheck {
  return checkLive({ ...liveRead(), via: 'resource-graph' }, settings, '0.1.0');
}

/** A node as the user reads it, without its tooltip. */
function shown(n: TreeNode): unknown {
  return { label: n.label, description: n.description, icon: n.icon, contextValue: n.contextValue, accessibilityLabel: n.accessibilityLabel, children: n.children.map(shown) };
}

describe('the Azure view tree', () => {
  it('shows each subscription, a failed one with its error and no children, the others with their VNets', () => {
    const roots = buildAzureTree({ kind: 'ready', live: live() });
    assert.deepEqual(roots.map((n) => n.label), ['Dev', 'Locked', 'Prod']);
    const locked = byLabel(roots, 'Locked');
    assert.equal(locked.contextValue, 'subscription.error');
    assert.deepEqual(locked.icon, { id: 'error', color: 'problemsErrorIcon.foreground' });
    assert.equal(locked.description, LOCKED_ERROR);
    assert.match(locked.tooltip!, /Could not be read: HTTP 403 AuthorizationFailed/);
    assert.deepEqual(locked.children, []);
    const prod = byLabel(roots, 'Prod');
    assert.deepEqual(prod.children.map((n) => n.label), ['vnet-ml-prod']);
    assert.match(prod.description!, /^\d+ failing · 2 NSGs$/);
    assert.equal(prod.contextValue, 'subscription.failing');
    const train = byLabel(roots, 'Prod', 'vnet-ml-prod', 'snet-train', 'nsg-train');
    assert.equal(train.contextValue, 'nsg.failing');
    assert.equal(byLabel(roots, 'Prod', 'vnet-ml-prod', 'snet-train').description, 'Azure ML compute: gpu-cluster');
    // The Dev subscription's NSGs are not under Prod and the other way round.
    assert.deepEqual(byLabel(roots, 'Dev').children.map((n) => n.label), ['vnet-ml-dev', 'NSGs not attached to a subnet']);
    // Nothing repeats the failed subscription as a "problem" under the others.
    walk(roots, (n) => assert.notEqual(n.kind, 'problems'));
  });

  it('judges rules written with CIDRs against the service tags read from Azure', () => {
    const { serviceTags, ...withoutTags } = settings;
    const storage = (l: LiveCheck) => liveNsgCheck(l, nsgId(FIXTURE.subscriptions[0], 'nsg-train'))?.verdicts.find((v) => v.id === 'aml-out-storage')?.verdict;
    // DenyStorageRange denies 20.60.0.0/16, which is Storage.WestEurope's prefix.
    assert.equal(storage(checkLive({ ...liveRead(), serviceTags }, withoutTags, '0.1.0')), 'blocked');
    assert.equal(storage(checkLive(liveRead(), withoutTags, '0.1.0')), 'unknown');
  });

  it('gives each node a unique id, and nothing a file to open', () => {
    const ids = new Set<string>();
    walk(buildAzureTree({ kind: 'ready', live: live() }), (n) => {
      assert.ok(!ids.has(n.id), `duplicate id ${n.id}`);
      ids.add(n.id);
      assert.equal(n.target, undefined, `${n.id} has a target`);
    });
    assert.ok(ids.size > 30);
  });

  it('shows the same verdicts, icons and descriptions as the Workspace view for the same NSG declared in a template', () => {
    const prodSpec = FIXTURE.subscriptions.find((s) => s.id === SUB_PROD)!;
    const text = JSON.stringify(armTemplate(prodSpec), null, 2);
    const model = readWorkspace([{ path: 'file:///prod.json', text }], { readFile: () => undefined }, [armTemplateReader]);
    const report = buildReport(checkModel(model, settings), () => undefined, '0.1.0');
    const workspace = buildWorkspaceTree({ state: 'ready', version: 1, templateCount: 1, report }, { onlyFailing: false });
    const fromTemplate = byLabel(workspace, 'vnet-ml-prod', 'snet-train', 'nsg-train');
    const fromAzure = byLabel(buildAzureTree({ kind: 'ready', live: live() }), 'Prod', 'vnet-ml-prod', 'snet-train', 'nsg-train');
    assert.deepEqual(shown(fromAzure), shown(fromTemplate));
    const storage = byLabel(fromAzure.children, 'Outbound', 'aml-out-storage');
    assert.equal(storage.contextValue, 'requirement.failing');
    assert.equal(storage.icon?.id, 'error');
    // Tooltips say where the NSG lives: its resource group, not a file.
    assert.match(fromAzure.tooltip!, /^\*\*nsg-train\*\* · resource group rg-ml-prod\n/);
    assert.match(storage.tooltip!, /\*\*aml-out-storage\*\* · Outbound · Blocked/);
    // Tooltips are still built lazily.
    assert.equal(typeof Object.getOwnPropertyDescriptor(byLabel(buildAzureTree({ kind: 'ready', live: live() }), 'Prod', 'vnet-ml-prod', 'snet-train', 'nsg-train'), 'tooltip')?.get, 'function');
  });

  it('leads from an NSG node back to the NSG\'s check and to its resource group for the fix commands', () => {
    const l = live();
    const node = byLabel(buildAzureTree({ kind: 'ready', live: l }), 'Prod', 'vnet-ml-prod', 'snet-train', 'nsg-train');
    const id = nsgId(FIXTURE.subscriptions[0], 'nsg-train');
    assert.equal(node.nsg?.uri, id.toLowerCase());
    assert.equal(liveNsgCheck(l, node.nsg!.uri)?.nsg.name, 'nsg-train');
    assert.deepEqual(liveNsgTarget(node.nsg!.uri), { subscription: SUB_PROD, resourceGroup: 'rg-ml-prod', nsgName: 'nsg-train' });
    const req = byLabel(node.children, 'Outbound', 'aml-out-storage');
    assert.equal(req.nsg?.uri, node.nsg?.uri);
  });

  it('keeps two VNets of the same name in different resource groups apart', () => {
    const prod = FIXTURE.subscriptions.find((s) => s.id === SUB_PROD)!;
    const twin: SubscriptionSpec = { ...prod, resourceGroup: 'rg-ml-twin', workspaces: [], nsgs: prod.nsgs.filter((n) => n.name === 'nsg-train') };
    const read = liveRead([prod]);
    const twinModel = mapArmResources(armResources({ ...twin, vnets: [{ ...prod.vnets[0], subnets: [prod.vnets[0].subnets[0]] }] }));
    const model = { ...read.model, vnets: [...read.model.vnets, ...twinModel.vnets], subnets: [...read.model.subnets, ...twinModel.subnets], nsgs: [...read.model.nsgs, ...twinModel.nsgs] };
    const roots = buildAzureTree({ kind: 'ready', live: checkLive({ model, subscriptions: read.subscriptions }, settings, '0.1.0') });
    assert.deepEqual(byLabel(roots, 'Prod').children.map((n) => n.label), ['vnet-ml-prod (rg-ml-prod)', 'vnet-ml-prod (rg-ml-twin)']);
    assert.ok(byLabel(roots, 'Prod', 'vnet-ml-prod (rg-ml-twin)', 'snet-train', 'nsg-train'));
  });

  it('is empty when signed out or not read yet (the welcome shows), and says when it is loading or failed', () => {
    assert.deepEqual(buildAzureTree({ kind: 'signedOut' }), []);
    assert.deepEqual(buildAzureTree({ kind: 'idle' }), []);
    const loading = buildAzureTree({ kind: 'loading', message: 'Reading service tags' });
    assert.deepEqual(loading.map((n) => [n.label, n.description, n.icon?.id]), [['Reading Azure…', 'Reading service tags', 'loading~spin']]);
    // A refresh keeps the previous subscriptions visible under the loading item.
    assert.deepEqual(buildAzureTree({ kind: 'loading', previous: live() }).map((n) => n.label), ['Reading Azure…', 'Dev', 'Locked', 'Prod']);
    const failed = buildAzureTree({ kind: 'failed', message: 'timed out (no answer within 60 s)' });
    assert.deepEqual(failed.map((n) => [n.label, n.description, n.icon?.id]), [['Azure could not be read', 'timed out (no answer within 60 s)', 'error']]);
    const tags = buildAzureTree({ kind: 'ready', live: { ...live(), serviceTagsError: 'HTTP 403' } });
    assert.equal(tags[0].label, 'Service tags could not be read');
    const none = buildAzureTree({ kind: 'ready', live: checkLive({ model: mapArmResources([]), subscriptions: [] }, settings, '0.1.0') });
    assert.deepEqual(none.map((n) => n.label), ['No subscriptions to read']);
  });

  it('shows resource ids as resource groups or subscriptions', () => {
    assert.equal(azureDisplayPath(nsgId(FIXTURE.subscriptions[1], 'nsg-dev').toLowerCase()), 'resource group rg-ml-dev');
    assert.equal(azureDisplayPath(`/subscriptions/${SUB_DEV}`), `subscription ${SUB_DEV}`);
  });
});

describe('the Azure view test hook', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const env = { AMLNET_TEST_AZURE_ENDPOINT: 'https://127.0.0.1:8443/', AMLNET_TEST_AZURE_CA_FILE: '/tmp/ca.pem', AMLNET_TEST_AZURE_TOKEN: 'token' };
  const files = (p: string) => (p === '/tmp/ca.pem' ? PEM : undefined);

  it('is active only when all three variables are set, to an https endpoint on loopback with a PEM file', () => {
    assert.deepEqual(azureTestHook(env, files), { endpoint: 'https://127.0.0.1:8443', ca: PEM, token: 'token' });
    assert.equal(azureTestHook({}, files), undefined);
    for (const key of Object.keys(env)) {
      assert.equal(azureTestHook({ ...env, [key]: undefined }, files), undefined, `without ${key}`);
      assert.equal(azureTestHook({ ...env, [key]: ' ' }, files), undefined, `with an empty ${key}`);
    }
    assert.equal(azureTestHook({ ...env, AMLNET_TEST_AZURE_ENDPOINT: 'https://management.azure.com' }, files), undefined);
    assert.equal(azureTestHook({ ...env, AMLNET_TEST_AZURE_ENDPOINT: 'http://127.0.0.1:8443' }, files), undefined);
    assert.equal(azureTestHook({ ...env, AMLNET_TEST_AZURE_CA_FILE: '/tmp/missing.pem' }, files), undefined);
    assert.equal(azureTestHook(env, () => 'not a certificate'), undefined);
  });

  it('knows loopback from other hosts', () => {
    for (const u of ['https://127.0.0.1:1', 'https://127.8.0.1', 'https://[::1]:443', 'https://localhost:9']) assert.ok(isLoopbackHttps(u), u);
    for (const u of ['https://128.0.0.1', 'https://localhost.example.com', 'https://127.0.0.1.nip.io', 'ftp://127.0.0.1', 'not a url']) assert.ok(!isLoopbackHttps(u), u);
  });
});
