import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { bicepReader, createIncrementalBicepReader, type IncrementalReader } from '../../../src/core/bicep/bicep-reader';
import { type FileHost, readWorkspace, type SourceFile } from '../../../src/core/read/read-workspace';
import { type TextChange, WorkspaceReader } from '../../../src/core/read/workspace-reader';
import { generateBicep } from '../../../bench/bicep-parse';
import { WORKSPACE_BICEP } from '../../../bench/check-bench';
import { REPO_ROOT } from './fixture-harness';

const FIXTURES = 'test/fixtures/templates';
const READERS = [bicepReader, armTemplateReader];
/** Property-test runs (AMLNET_PROPERTY_RUNS for a longer run). */
const RUNS = Number(process.env.AMLNET_PROPERTY_RUNS ?? 300);

/** Files under the fixture folder and examples/, by repository-relative path. */
function diskHost(): FileHost {
  return { readFile: (p) => (fs.existsSync(path.join(REPO_ROOT, p)) ? fs.readFileSync(path.join(REPO_ROOT, p), 'utf8') : undefined) };
}

const BICEP_FIXTURES = fs.readdirSync(path.join(REPO_ROOT, FIXTURES)).filter((f) => f.endsWith('.bicep')).map((f) => `${FIXTURES}/${f}`);

/** Text snippets that break and repair Bicep: brackets, quotes, comments, keywords, values. */
const SNIPPETS = [
  '{', '}', '[', ']', '(', ')', '\n', '\'', '${', '}\'', '/*', '*/', '//', ',', ':', '::', '?', '??', '.', '.id', '.name', '=',
  'param', 'var', 'resource', 'output', 'existing', 'for', 'if', '0', '1', '9', 'x', ' ', 'true', 'Deny', 'Allow', '// amlnet-check\n',
  'param p string = \'v\'\n', 'var v = 1\n', 'resource r \'Microsoft.Network/networkSecurityGroups@2023-09-01\' = {\n  name: \'n\'\n}\n',
];

const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.nat({ max: 12 }),
  text: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SNIPPETS) }, { weight: 1, arbitrary: fc.constant('') }),
  // Read after this edit, or go on editing first (several LSP changes in one notification).
  read: fc.boolean(),
  // Undo this edit right away (an edit that breaks the syntax, then its repair).
  undo: fc.boolean(),
});

type Edit = { at: number; length: number; text: string; read: boolean; undo: boolean };

/** Applies an edit given with a relative position; returns the new text and the change. */
function applyEdit(text: string, e: Pick<Edit, 'at' | 'length' | 'text'>): { text: string; change: TextChange } {
  const start = Math.floor(e.at * (text.length + 1));
  const end = Math.min(text.length, start + e.length);
  return { text: text.slice(0, start) + e.text + text.slice(end), change: { start, end, newText: e.text } };
}

/** Runs edits on `files[target]` through a WorkspaceReader and checks each read against a fresh read of the same texts. */
function runEdits(files: SourceFile[], target: number, edits: readonly Edit[], host: FileHost, reader: WorkspaceReader): void {
  const current = [...files];
  const check = (): void => {
    const got = reader.read(current, host);
    assert.deepStrictEqual(got, readWorkspace(current, host, READERS));
  };
  check();
  for (const e of edits) {
    const before = current[target].text;
    const { text, change } = applyEdit(before, e);
    reader.edit(current[target].path, text, change);
    current[target] = { path: current[target].path, text };
    if (e.undo) {
      reader.edit(current[target].path, before, { start: change.start, end: change.start + change.newText.length, newText: before.slice(change.start, change.end) });
      current[target] = { path: current[target].path, text: before };
    }
    if (e.read) check();
  }
  check();
}

describe('workspace reader (incremental re-reading)', () => {
  it('after any edits to a fixture, reads what a fresh read of the new text gives (spans included)', function () {
    this.timeout(600_000);
    const host = diskHost();
    const bicep = createIncrementalBicepReader();
    fc.assert(fc.property(fc.constantFrom(...BICEP_FIXTURES), fc.array(editArb, { minLength: 1, maxLength: 8 }), (entry, edits) => {
      const reader = new WorkspaceReader([bicep, armTemplateReader]);
      runEdits([{ path: entry, text: host.readFile(entry) as string }], 0, edits, host, reader);
      for (const f of BICEP_FIXTURES) bicep.forget(f);
    }), { numRuns: RUNS, seed: 20261124 });
    // Not vacuous: many of those reads reused the parts of untouched statements.
    assert.ok(bicep.stats.incremental > 100, `incremental reads: ${bicep.stats.incremental}, whole: ${bicep.stats.whole}`);
  });

  it('after edits anywhere in a realistic file (NSGs, VNets, modules, loops), equals a fresh read', function () {
    this.timeout(600_000);
    const text = generateBicep(0.03, 7);
    const module = WORKSPACE_BICEP;
    const host: FileHost = { readFile: (p) => (p === 'workspace.bicep' ? module : undefined) };
    const bicep = createIncrementalBicepReader();
    fc.assert(fc.property(fc.array(editArb, { minLength: 1, maxLength: 6 }), (edits) => {
      runEdits([{ path: 'main.bicep', text }], 0, edits, host, new WorkspaceReader([bicep, armTemplateReader]));
      bicep.forget('main.bicep');
    }), { numRuns: Math.ceil(RUNS / 3), seed: 7 });
    assert.ok(bicep.stats.incremental > 10, `incremental reads: ${bicep.stats.incremental}, whole: ${bicep.stats.whole}`);
  });

  it('re-reads only what an edit touches: a rule priority, an NSG name its VNet links to, a param many resources use', () => {
    const text = generateBicep(0.03, 3);
    const module = WORKSPACE_BICEP;
    const host: FileHost = { readFile: (p) => (p === 'workspace.bicep' ? module : undefined) };
    const bicep: IncrementalReader = createIncrementalBicepReader();
    const reader = new WorkspaceReader([bicep, armTemplateReader]);
    let current = text;
    const edit = (find: string, replace: string, from = 0): void => {
      const start = current.indexOf(find, from);
      assert.ok(start >= 0, find);
      const next = current.slice(0, start) + replace + current.slice(start + find.length);
      reader.edit('main.bicep', next, { start, end: start + find.length, newText: replace });
      current = next;
      assert.deepStrictEqual(reader.read([{ path: 'main.bicep', text: current }], host), readWorkspace([{ path: 'main.bicep', text: current }], host, READERS));
    };
    reader.read([{ path: 'main.bicep', text: current }], host);
    // Only the NSG is read again: its VNet and output use it as `nsg.id`, which reads only its name.
    edit('priority: 110', 'priority: 111', current.length >> 1);
    edit('resource nsg1 ', '// amlnet-check\nresource nsg1 ');
    edit('destinationPortRange: \'', 'destinationPortRange: \'1');
    assert.deepEqual(bicep.stats, { whole: 1, incremental: 3 });
    // The name changes what `nsg1.id` reads: the VNet is read again, and the module that uses the
    // VNet too, which the incremental path leaves to a whole read; so does a param every unit uses.
    edit('name: \'nsg-${prefix}-1\'', 'name: \'nsg-${prefix}-1x\'');
    edit('param prefix string = \'aml\'', 'param prefix string = \'ml\'');
    assert.deepEqual(bicep.stats, { whole: 3, incremental: 3 });
    // And the model did change: the renamed NSG is read under its new name, the param reached every NSG.
    const model = reader.read([{ path: 'main.bicep', text: current }], host);
    assert.ok(model.nsgs.some((n) => n.name === 'nsg-ml-1x'));
    assert.ok(model.nsgs.every((n) => n.name.startsWith('nsg-ml-')));
    assert.equal(model.nsgs.find((n) => n.name === 'nsg-ml-1x')?.marked, true);
  });

  it('reads the file whole when an edited statement reaches a module, even through a var', () => {
    const files = (prio: number): SourceFile[] => [
      { path: 'main.bicep', text: `module m './mod.bicep' = {\n  name: 'm'\n}\nvar suffix = m.outputs.s\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {\n  name: 'nsg-\${suffix}'\n  location: 'westus'\n  properties: {\n    securityRules: [\n      { name: 'r', properties: { priority: ${prio}, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '443' } }\n    ]\n  }\n}\n` },
      { path: 'mod.bicep', text: 'output s string = \'x\'\n' },
    ];
    const host: FileHost = { readFile: () => undefined };
    const bicep = createIncrementalBicepReader();
    const reader = new WorkspaceReader([bicep, armTemplateReader]);
    reader.read(files(100), host);
    const before = files(100)[0].text;
    const at = before.indexOf('priority: 100') + 'priority: 10'.length;
    reader.edit('main.bicep', files(101)[0].text, { start: at, end: at + 1, newText: '1' });
    const model = reader.read(files(101), host);
    assert.deepStrictEqual(model, readWorkspace(files(101), host, READERS));
    assert.equal(model.nsgs[0].name, 'nsg-x');
    assert.equal(bicep.stats.incremental, 0);
  });

  it('reuses an unchanged file\'s result, and reads a file again when a file it uses changes', () => {
    const files: SourceFile[] = [
      { path: 'main.bicep', text: 'module m \'./mod.bicep\' = {\n  name: \'m\'\n  params: { p: \'x\' }\n}\n' },
      { path: 'mod.bicep', text: 'param p string\nresource nsg \'Microsoft.Network/networkSecurityGroups@2023-09-01\' = {\n  name: \'nsg-${p}\'\n  location: \'westus\'\n}\n' },
      { path: 'other.json', text: '{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","resources":[]}' },
    ];
    const host: FileHost = { readFile: () => undefined };
    const reader = new WorkspaceReader();
    assert.deepStrictEqual(reader.read(files, host), readWorkspace(files, host, READERS));
    assert.equal(reader.cacheHits, 0);
    assert.deepStrictEqual(reader.read(files, host), readWorkspace(files, host, READERS));
    assert.equal(reader.cacheHits, 3);
    // The module changes: main.bicep (which follows it) and mod.bicep are read again, other.json is not.
    const changed = [files[0], { path: 'mod.bicep', text: files[1].text.replace('nsg-${p}', 'nsg2-${p}') }, files[2]];
    const model = reader.read(changed, host);
    assert.deepStrictEqual(model, readWorkspace(changed, host, READERS));
    assert.deepEqual(model.nsgs.map((n) => n.name), ['nsg2-x']);
    assert.equal(reader.cacheHits, 4);
  });
});
