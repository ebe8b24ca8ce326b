// The Azure view's part of package.json `contributes`: the view, its welcome, commands, menus and
// settings agree with what the code registers and produces.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapArmResources } from '../../src/azure/map-arm';
import { AZURE_VIEW_ID, buildAzureTree, checkLive, CONTEXT_AZURE_STATE_KEY } from '../../src/client/azure-tree';
import { COMMAND_IDS } from '../../src/client/command-ids';
import { walk } from '../../src/client/tree-model';
import { defaultOptions, getEdition } from '../../src/core/catalog/catalog';
import { CLOUDS } from '../../src/core/requirement';
import { armResources, FIXTURE } from '../azure/tenant';
import { ROOT } from './report-builders';

interface MenuItem { command: string; when?: string; group?: string }
interface Manifest {
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, MenuItem[]>;
    views: Record<string, { id: string; name: string; icon?: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    configuration: { properties: Record<string, { type: unknown; default: unknown; enum?: unknown[]; scope?: string; markdownDescription?: string }> };
  };
}

const contributes = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest).contributes;
const AZURE_COMMANDS = COMMAND_IDS.filter((c) => c.startsWith('amlnet.azure.'));

describe('package.json for the Azure view', () => {
  it('puts the Azure view in the amlnet container', () => {
    const view = contributes.views.amlnet.find((v) => v.id === AZURE_VIEW_ID);
    assert.deepEqual(view && [view.id, view.name], ['amlnet.azure', 'Azure']);
  });

  it('contributes every Azure command with the category, and only items with a node hide from the palette', () => {
    assert.deepEqual(AZURE_COMMANDS.sort(), [
      'amlnet.azure.cancel', 'amlnet.azure.pickSubscriptions', 'amlnet.azure.refresh', 'amlnet.azure.showFixArm',
      'amlnet.azure.showFixBicep', 'amlnet.azure.showFixCommands', 'amlnet.azure.signIn', 'amlnet.azure.signOut',
    ]);
    for (const id of AZURE_COMMANDS) assert.equal(contributes.commands.find((c) => c.command === id)?.category, 'Azure ML Network', id);
    const hidden = contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    for (const id of ['amlnet.azure.showFixCommands', 'amlnet.azure.showFixBicep', 'amlnet.azure.showFixArm']) assert.ok(hidden.includes(id), id);
    for (const id of ['amlnet.azure.signIn', 'amlnet.azure.refresh', 'amlnet.azure.pickSubscriptions']) assert.ok(!hidden.includes(id), id);
  });

  it('welcomes with a sign-in link when signed out, and a read link when signed in but not read', () => {
    const welcome = contributes.viewsWelcome.filter((w) => w.view === AZURE_VIEW_ID);
    const signedOut = welcome.find((w) => w.when?.includes(`${CONTEXT_AZURE_STATE_KEY} == signedOut`));
    assert.ok(signedOut?.contents.includes('(command:amlnet.azure.signIn)'));
    const idle = welcome.find((w) => w.when?.includes(`${CONTEXT_AZURE_STATE_KEY} == idle`));
    assert.ok(idle?.contents.includes('(command:amlnet.azure.refresh)'));
    for (const w of welcome) for (const m of w.contents.matchAll(/command:(amlnet\.[\w.]+)/g)) assert.ok(COMMAND_IDS.includes(m[1] as never), m[1]);
  });

  it('offers the fix commands on the Azure view\'s failing NSG and requirement nodes (context values the tree produces)', () => {
    const settings = { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'auto' as const, strict: false };
    const live = checkLive({ model: mapArmResources(FIXTURE.subscriptions.flatMap(armResources)), subscriptions: FIXTURE.subscriptions.map((s) => ({ id: s.id, name: s.name, state: 'ok' as const })) }, settings, '0');
    const produced = new Set<string>();
    walk(buildAzureTree({ kind: 'ready', live }), (n) => produced.add(n.contextValue));
    const items = contributes.menus['view/item/context'].filter((m) => m.when?.includes(`view == ${AZURE_VIEW_ID}`));
    assert.deepEqual([...new Set(items.map((m) => m.command))].sort(), ['amlnet.azure.showFixArm', 'amlnet.azure.showFixBicep', 'amlnet.azure.showFixCommands']);
    for (const item of items) {
      const re = new RegExp(/viewItem =~ \/(.+?)\//.exec(item.when!)?.[1] ?? `^${/viewItem == ([\w.]+)/.exec(item.when!)![1].replace(/\./g, '\\.')}$`);
      assert.ok(produced.has('nsg.failing') && re.test('nsg.failing'), `${item.command} on failing NSGs`);
      assert.ok([...produced].filter((v) => re.test(v)).every((v) => v === 'nsg.failing' || v === 'requirement.failing'), `${item.command} only on failing nodes`);
    }
  });

  it('declares the Azure settings with their defaults', () => {
    const p = contributes.configuration.properties;
    assert.equal(p['amlnet.azure.cloud'].default, 'AzureCloud');
    assert.deepEqual(p['amlnet.azure.cloud'].enum, [...CLOUDS]);
    assert.deepEqual(p['amlnet.azure.subscriptions'].default, []);
    for (const k of ['amlnet.azure.cloud', 'amlnet.azure.subscriptions']) assert.ok(p[k].markdownDescription, k);
  });
});
