import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_IDS } from '../../src/client/command-ids';
import { buildRequirementsTree } from '../../src/client/requirements-model';
import { flattenSettings } from '../../src/client/settings-model';
import { buildWorkspaceTree, walk, type TreeNode } from '../../src/client/tree-model';
import { everyVerdictNsg, examplesReport, nsg, ready, report, requirement, requirementsJson, ROOT } from './report-builders';

interface Command { command: string; title?: string; category?: string; icon?: string }
interface MenuItem { command: string; when?: string; group?: string }
interface Setting { type: string | string[]; default: unknown; scope?: string; markdownDescription?: string; enum?: unknown[] }
interface Manifest {
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  repository?: unknown;
  icon?: string;
  scripts: Record<string, string>;
  capabilities?: { untrustedWorkspaces?: { supported: unknown } };
  contributes: {
    commands: Command[];
    menus: Record<string, MenuItem[]>;
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string; icon?: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    configuration: { title: string; properties: Record<string, Setting> };
    jsonValidation: { fileMatch: string; url: string }[];
    languages?: unknown;
    grammars?: unknown;
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const contributes = manifest.contributes;
const commandIds = new Set(contributes.commands.map((c) => c.command));

describe('client package.json manifest', () => {
  it('contributes exactly the commands the extension registers, each with a title and the category', () => {
    assert.deepEqual([...commandIds].sort(), [...COMMAND_IDS].sort());
    assert.equal(commandIds.size, contributes.commands.length, 'no command twice');
    for (const c of contributes.commands) {
      assert.ok(c.title && c.title.length > 0, `${c.command} has no title`);
      assert.equal(c.category, 'Azure ML Network', `${c.command} category`);
      if (c.icon) assert.match(c.icon, /^\$\([a-z-]+\)$/, `${c.command} icon is a codicon`);
    }
  });

  it('refers in menus only to contributed commands and views', () => {
    const views = new Set(Object.values(contributes.views).flat().map((v) => v.id));
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) {
        assert.ok(commandIds.has(item.command), `${menu}: unknown command ${item.command}`);
        for (const m of (item.when ?? '').matchAll(/view == ([\w.]+)/g)) assert.ok(views.has(m[1]), `${menu}: unknown view ${m[1]}`);
      }
    }
  });

  it('hides item-only commands from the palette and shows the filter toggle that applies', () => {
    const palette = new Map(contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    assert.equal(palette.get('amlnet.showNsgInTree'), 'false');
    assert.equal(palette.get('amlnet.revealLocation'), 'false');
    assert.equal(palette.get('amlnet.showOnlyFailing'), '!amlnet.onlyFailing');
    assert.equal(palette.get('amlnet.showAll'), 'amlnet.onlyFailing');
    const title = contributes.menus['view/title'].filter((m) => m.group?.startsWith('navigation') && m.when?.includes('amlnet.workspace'));
    assert.deepEqual(title.filter((m) => m.command === 'amlnet.showOnlyFailing' || m.command === 'amlnet.showAll').map((m) => m.when), [
      'view == amlnet.workspace && !amlnet.onlyFailing',
      'view == amlnet.workspace && amlnet.onlyFailing',
    ]);
  });

  it('matches tree item context values that the trees really produce', () => {
    const produced = new Set<string>();
    const collect = (nodes: readonly TreeNode[]): void => walk(nodes, (n) => produced.add(n.contextValue));
    collect(buildWorkspaceTree(ready(examplesReport()), { onlyFailing: false }));
    collect(buildWorkspaceTree(ready(report([everyVerdictNsg(), nsg('nsg-ok', [requirement('aml-out-storage', 'allowed')])])), { onlyFailing: false }));
    collect(buildRequirementsTree(requirementsJson(), { publicIp: null, hbi: null, region: null, cloud: null }));
    for (const item of contributes.menus['view/item/context']) {
      const when = item.when ?? '';
      for (const m of when.matchAll(/viewItem == ([\w.]+)/g)) assert.ok(produced.has(m[1]), `${item.command}: no tree item has contextValue ${m[1]}`);
      for (const m of when.matchAll(/viewItem =~ \/(.+?)\/(?:\s|$)/g)) {
        const re = new RegExp(m[1]);
        assert.ok([...produced].some((v) => re.test(v)), `${item.command}: no tree item matches ${m[1]}`);
      }
    }
  });

  it('has the activity-bar container and two views with icons', () => {
    assert.deepEqual(contributes.viewsContainers.activitybar, [{ id: 'amlnet', title: 'Azure ML Network', icon: 'media/amlnet.svg' }]);
    assert.ok(existsSync(join(ROOT, 'media', 'amlnet.svg')));
    const containers = new Set(contributes.viewsContainers.activitybar.map((c) => c.id));
    for (const [container, views] of Object.entries(contributes.views)) {
      assert.ok(containers.has(container), `views in unknown container ${container}`);
      for (const v of views) assert.ok(v.icon && existsSync(join(ROOT, v.icon)), `${v.id} has no icon file`);
    }
    assert.deepEqual(contributes.views.amlnet.map((v) => [v.id, v.name]), [['amlnet.workspace', 'Workspace'], ['amlnet.requirements', 'Requirements'], ['amlnet.azure', 'Azure']]);
  });

  it('welcomes with links to commands that exist, when no folder or no template', () => {
    const welcome = contributes.viewsWelcome.filter((w) => w.view === 'amlnet.workspace');
    assert.ok(welcome.some((w) => w.when === 'workbenchState == empty' && w.contents.includes('command:workbench.action.files.openFolder')));
    assert.ok(welcome.some((w) => w.when?.includes('amlnet.state == noTemplates') && /\]\(https:\/\/learn\.microsoft\.com\//.test(w.contents)));
    for (const w of contributes.viewsWelcome) {
      for (const m of w.contents.matchAll(/command:(amlnet\.[\w.]+)/g)) assert.ok(commandIds.has(m[1]), `welcome links to unknown ${m[1]}`);
    }
  });

  it('declares every setting of DEFAULT_SETTINGS with its default, plus amlnet.trace.server', () => {
    const properties = contributes.configuration.properties;
    const expected = { ...flattenSettings(), 'amlnet.trace.server': 'off', 'amlnet.azure.cloud': 'AzureCloud', 'amlnet.azure.subscriptions': [] };
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(properties[key].default, value, `${key} default`);
      assert.ok(properties[key].markdownDescription, `${key} has a markdownDescription`);
    }
    for (const key of ['amlnet.options.publicIp', 'amlnet.options.hbi', 'amlnet.options.region', 'amlnet.options.cloud', 'amlnet.customRequirementsFile']) {
      assert.ok(Array.isArray(properties[key].type) && properties[key].type.includes('null'), `${key} allows null (inferred / not set)`);
    }
    for (const level of ['blocked', 'partial', 'unknown', 'allowedByDefault']) {
      assert.deepEqual(properties[`amlnet.severity.${level}`].enum, ['error', 'warning', 'information', 'hint', 'none']);
    }
    assert.deepEqual(properties['amlnet.trace.server'].enum, ['off', 'messages', 'verbose']);
    for (const [key, p] of Object.entries(properties)) {
      assert.equal(p.scope, key === 'amlnet.trace.server' || key.startsWith('amlnet.azure.') ? 'window' : 'resource', `${key} scope`);
    }
  });

  it('keeps the .amlnet.json schema, and contributes no language or grammar (the Bicep extension owns them)', () => {
    assert.deepEqual(contributes.jsonValidation, [{ fileMatch: '.amlnet.json', url: './schemas/amlnet-config.schema.json' }]);
    assert.ok(existsSync(join(ROOT, 'schemas', 'amlnet-config.schema.json')));
    assert.equal(contributes.languages, undefined);
    assert.equal(contributes.grammars, undefined);
  });

  it('points main at the client bundle, declares untrusted-workspace support, and packages without dependencies', () => {
    assert.equal(manifest.main, './dist/client.js');
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, true);
    assert.ok(manifest.activationEvents.includes('workspaceContains:**/*.bicep'));
    assert.match(manifest.scripts.package, /--production/);
    assert.match(manifest.scripts.package, /vsce package --no-dependencies/);
    assert.ok(manifest.repository, 'vsce needs a repository');
    assert.ok(manifest.icon && manifest.icon.endsWith('.png'), 'the Marketplace icon is a PNG (vsce refuses SVG)');
    assert.deepEqual([...readFileSync(join(ROOT, manifest.icon)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.ok(existsSync(join(ROOT, 'LICENSE')));
  });

  it('puts only the bundles, media, schemas and the documents in the VSIX (vsce ls)', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const files = run.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const allowed = /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/(client|server)\.js|media\/[^/]+|schemas\/[^/]+\.json)$/;
    assert.deepEqual(files.filter((f) => !allowed.test(f)), [], 'files that should not ship');
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media/amlnet.svg', 'schemas/amlnet-config.schema.json']) assert.ok(files.includes(f), `${f} is missing`);
  });
});
