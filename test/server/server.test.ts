// The language server through the real protocol: the compiled server spawned with --stdio, a
// JSON-RPC client in the test, a temporary workspace folder holding copies of examples/.

import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type { CodeAction, CodeLens, Diagnostic, Hover } from 'vscode-languageserver';
import type { CheckReport } from '../../src/core/check/check-report';
import type { ReportResult, FixResult, EditionsResult } from '../../src/server/protocol';
import { mulberry32 } from '../support/seeded-random';
import { SERVER, TestClient } from './lsp-client';
import { cliCheckJson, relativized } from './support';

const ROOT = resolve(__dirname, '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples');

const uriOf = (path: string) => pathToFileURL(path).href;
const codes = (d: readonly Diagnostic[] | undefined) => (d ?? []).map((x) => String(x.code));
const text = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

/** `amlnet check --format json` in `cwd`, in-process. */
async function cliReport(cwd: string, args: readonly string[] = []): Promise<CheckReport> {
  const { code, report } = await cliCheckJson(cwd, args);
  assert.ok(code === 0 || code === 1, `cli exit ${code}`);
  return report;
}

describe('language server (JSON-RPC over stdio)', function () {
  this.timeout(60000);
  let dir: string;
  let ws: string;
  let client: TestClient | undefined;
  let arm: string;
  let network: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-server-'));
    ws = join(dir, 'ws');
    cpSync(EXAMPLES, ws, { recursive: true });
    arm = uriOf(join(ws, 'arm', 'azuredeploy.json'));
    network = uriOf(join(ws, 'bicep', 'modules', 'network.bicep'));
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(settings?: unknown): Promise<TestClient> {
    client = await TestClient.start({ folders: [ws], settings });
    await client.waitForNotification<{ state: string }>('amlnet/reportChanged', (p) => p.state === 'ready');
    return client;
  }

  it('reports its process id, indexes with work-done progress, and publishes one diagnostic per failing requirement', async () => {
    const c = await start();
    assert.deepEqual(c.notifications.find((n) => n.method === 'amlnet/reportChanged')?.params, { version: 1, state: 'indexing' });
    assert.equal((c.initializeResult.capabilities.experimental as { amlnet: { processId: number } }).amlnet.processId, c.process.pid);
    assert.ok(c.notifications.some((n) => n.method === 'window/workDoneProgress/create'));
    const progress = c.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as { value: { kind: string } }).value.kind);
    assert.equal(progress[0], 'begin');
    assert.equal(progress[progress.length - 1], 'end');

    const armDiags = await c.waitForDiagnostics(arm, (d) => d.length > 0);
    const cli = await cliReport(ws);
    const failing = (file: string) => cli.nsgs.filter((n) => n.file === file && n.inScope)
      .flatMap((n) => n.requirements.filter((r) => r.verdict === 'blocked' || r.verdict === 'partial').map((r) => r.id)).sort();
    assert.deepEqual(codes(armDiags).sort(), failing('arm/azuredeploy.json'));
    assert.deepEqual(codes(await c.waitForDiagnostics(network, (d) => d.length > 0)).sort(), failing('bicep/modules/network.bicep'));

    const keyVault = armDiags.find((d) => d.code === 'aml-out-key-vault')!;
    assert.equal(keyVault.source, 'amlnet');
    assert.equal(keyVault.severity, 1);
    assert.match(text(keyVault), /Blocked: TCP 443 to AzureKeyVault\.westeurope denied by DenyInternetOutbound \(priority 4000\)/);
    assert.match(keyVault.codeDescription!.href, /^https:\/\/learn\.microsoft\.com\//);
    // The NSG's name line (ARM NSGs here have child rules, so no securityRules key).
    const nsg = cli.nsgs.find((n) => n.file === 'arm/azuredeploy.json')!;
    assert.equal(keyVault.range.start.line + 1, nsg.line);
    const blocker = cli.nsgs.flatMap((n) => n.requirements).find((r) => r.id === 'aml-out-key-vault')!.decidedBy[0];
    const related = keyVault.relatedInformation ?? [];
    assert.ok(related.some((r) => r.location.uri === arm && r.location.range.start.line + 1 === blocker.line && /DenyInternetOutbound/.test(r.message)), JSON.stringify(related));
    assert.ok(related.some((r) => /compute .* uses subnet snet-training/.test(r.message)), JSON.stringify(related));
    // Lenses asked for while indexing came back empty: the client is told to ask again.
    await c.waitFor('workspace/codeLens/refresh', () => c.notifications.some((n) => n.method === 'workspace/codeLens/refresh'));
  });

  it('answers amlnet/report with the CLI\'s JSON report for the same folder, file URIs for paths', async () => {
    const c = await start();
    const result = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(result.state, 'ready');
    assert.equal(result.templateCount, 4, 'azuredeploy.json, main.bicep, main.bicepparam, network.bicep');
    assert.ok(result.report.nsgs.every((n) => n.file?.startsWith('file://')));
    assert.deepEqual(relativized(result.report, ws), await cliReport(ws));
  });

  it('offers a preferred quick fix whose edit clears the diagnostic, and says why a requirement cannot be fixed', async () => {
    const c = await start();
    const path = join(ws, 'arm', 'azuredeploy.json');
    await c.open(arm, readFileSync(path, 'utf8'), 'json');
    const diags = await c.waitForDiagnostics(arm, (d) => d.some((x) => x.code === 'aml-out-key-vault'));
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: arm }, range: diags[0].range, context: { diagnostics: diags } });

    const fix = actions.find((a) => a.isPreferred && a.diagnostics?.some((d) => d.code === 'aml-out-key-vault'));
    assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, 'quickfix');
    assert.match(fix.title, /AllowAzureMLAzureKeyVaultOutbound/);
    // 8787 is denied at priority 100 and fixes start at 100: nothing free below it.
    const cannot = actions.find((a) => a.diagnostics?.some((d) => d.code === 'aml-out-azure-machine-learning') && a.disabled);
    assert.match(cannot?.disabled?.reason ?? '', /no free priority/);
    assert.ok(!cannot?.edit);
    assert.ok(actions.some((a) => a.title === 'Add all missing Azure ML rules to nsg-mlw-mlops-prod-training' && a.edit));

    await c.apply(fix.edit!);
    const after = await c.waitForDiagnostics(arm, (d) => !d.some((x) => x.code === 'aml-out-key-vault'), 'the key vault diagnostic to clear');
    assert.deepEqual(codes(after), ['aml-out-azure-machine-learning']);

    const fixAll = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: network }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.equal(fixAll.length, 1);
    assert.equal(fixAll[0].kind, 'source.fixAll.amlnet');
    await c.open(network, readFileSync(join(ws, 'bicep', 'modules', 'network.bicep'), 'utf8'), 'bicep');
    await c.apply(fixAll[0].edit!);
    await c.waitForDiagnostics(network, (d) => d.length === 0, 'every network.bicep diagnostic to clear after fix-all');
  });

  it('updates diagnostics on incremental edits', async () => {
    const c = await start();
    const text = readFileSync(join(ws, 'bicep', 'modules', 'network.bicep'), 'utf8');
    await c.open(network, text, 'bicep');
    await c.waitForDiagnostics(network, (d) => d.length > 0);
    // AllowAzureActiveDirectoryOutbound's priority 100 → 110, the priority of the next rule.
    const at = text.indexOf('priority: 100', text.indexOf('AllowAzureActiveDirectoryOutbound')) + 'priority: '.length;
    const before = text.slice(0, at).split('\n');
    const pos = { line: before.length - 1, character: before[before.length - 1].length };
    await c.edit(network, [{ range: { start: { line: pos.line, character: pos.character + 1 }, end: { line: pos.line, character: pos.character + 2 } }, newText: '1' }]);
    const dup = await c.waitForDiagnostics(network, (d) => d.some((x) => x.code === 'amlnet-duplicate-priority'));
    const finding = dup.find((x) => x.code === 'amlnet-duplicate-priority')!;
    // On a priority property of one of the two rules.
    assert.match(c.text(network).split('\n')[finding.range.start.line], /priority: 110/);
    await c.edit(network, [{ range: { start: { line: pos.line, character: pos.character + 1 }, end: { line: pos.line, character: pos.character + 2 } }, newText: '0' }]);
    await c.waitForDiagnostics(network, (d) => !d.some((x) => x.code === 'amlnet-duplicate-priority'), 'the duplicate priority to clear');
  });

  it('pulls settings again on didChangeConfiguration and re-evaluates', async () => {
    const c = await start({ severity: { blocked: 'error' } });
    await c.waitForDiagnostics(arm, (d) => d.find((x) => x.code === 'aml-out-key-vault')?.severity === 1);
    const pulls = c.configurationRequests;
    c.options.settings = { severity: { blocked: 'warning', partial: 'none' }, strict: false };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const d = await c.waitForDiagnostics(arm, (x) => x.find((y) => y.code === 'aml-out-key-vault')?.severity === 2, 'blocked as a warning');
    assert.ok(c.configurationRequests > pulls);
    assert.deepEqual(codes(d), ['aml-out-key-vault'], 'partial: none hides the partial verdict');

    c.options.settings = { strict: true };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const strict = await c.waitForDiagnostics(network, (x) => x.some((y) => y.code === 'aml-in-vnet-batch'), 'allowed-by-default hints in strict mode');
    assert.equal(strict.find((y) => y.code === 'aml-in-vnet-batch')!.severity, 4);
    const report = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(report.report.strict, true);

    // The private-endpoint NSG is out of scope until a setting marks it.
    assert.ok(!codes(c.diagnostics.get(network)).includes('aml-in-azure-machine-learning'));
    c.options.settings = { markedNsgs: ['nsg-contoso-private-endpoints'] };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    await c.waitForDiagnostics(network, (x) => x.some((y) => y.code === 'aml-in-azure-machine-learning'), 'the marked NSG\'s verdicts');
    const marked = await c.request<ReportResult>('amlnet/report', null);
    assert.deepEqual(marked.report.nsgs.find((n) => n.name === 'nsg-contoso-private-endpoints')!.scopeReasons, ['it is marked in the settings']);
  });

  it('reports broken and non-template files without crashing, and ignores other JSON', async () => {
    const c = await start();
    const other = uriOf(join(ws, 'package.json'));
    await c.open(other, '{ "name": "not-a-template", "version": "1.0.0" ', 'json');
    const brokenArm = uriOf(join(ws, 'broken.json'));
    await c.open(brokenArm, '{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ { "type": ', 'json');
    const brokenBicep = uriOf(join(ws, 'broken.bicep'));
    await c.open(brokenBicep, "resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'x'\n  properties: { securityRules: [ { name: \n", 'bicep');
    const a = await c.waitForDiagnostics(brokenArm, (d) => d.some((x) => x.severity === 1));
    const b = await c.waitForDiagnostics(brokenBicep, (d) => d.some((x) => x.severity === 1));
    assert.ok(a.every((x) => x.source === 'amlnet') && b.every((x) => x.source === 'amlnet'));
    assert.equal(c.diagnostics.get(other), undefined);
    // Still serving, and the rest of the workspace is still checked.
    const report = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(report.report.nsgs.filter((n) => n.name.startsWith('nsg-mlw') || n.name.startsWith('nsg-contoso')).length, 3);
    assert.equal(c.process.exitCode, null);
  });

  it('works for a client with no optional capabilities (settings pushed, no progress)', async () => {
    client = await TestClient.start({ folders: [ws], minimal: true });
    const c = client;
    await c.waitForNotification<{ state: string }>('amlnet/reportChanged', (p) => p.state === 'ready');
    await c.waitForDiagnostics(arm, (d) => d.some((x) => x.code === 'aml-out-key-vault' && x.severity === 1));
    assert.equal(c.configurationRequests, 0);
    assert.ok(!c.notifications.some((n) => n.method === '$/progress'));
    await c.notify('workspace/didChangeConfiguration', { settings: { amlnet: { severity: { blocked: 'information' } } } });
    await c.waitForDiagnostics(arm, (d) => d.find((x) => x.code === 'aml-out-key-vault')?.severity === 3, 'pushed settings to apply');
  });

  it('checks each workspace folder on its own, and follows folders added and removed', async () => {
    const second = join(dir, 'second');
    cpSync(join(EXAMPLES, 'bicep'), second, { recursive: true });
    client = await TestClient.start({ folders: [join(ws, 'arm')] });
    const c = client;
    await c.waitForNotification<{ state: string }>('amlnet/reportChanged', (p) => p.state === 'ready');
    const armOnly = await c.request<ReportResult>('amlnet/report', null);
    assert.deepEqual(armOnly.report.nsgs.map((n) => n.name), ['nsg-mlw-mlops-prod-training']);

    const secondNetwork = uriOf(join(second, 'modules', 'network.bicep'));
    await c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uriOf(second), name: 'second' }], removed: [] } });
    await c.waitForDiagnostics(secondNetwork, (d) => d.length > 0);
    const both = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(both.report.nsgs.length, 3);
    assert.equal(both.templateCount, 4);
    const separate = [await cliReport(join(ws, 'arm')), await cliReport(second)];
    assert.equal(both.report.failing, true);
    assert.deepEqual(both.report.summary.blocked, separate[0].summary.blocked + separate[1].summary.blocked);

    await c.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: uriOf(second), name: 'second' }] } });
    await c.waitForDiagnostics(secondNetwork, (d) => d.length === 0, 'the removed folder\'s diagnostics to clear');
    assert.equal((await c.request<ReportResult>('amlnet/report', null)).report.nsgs.length, 1);
  });

  it('speaks LSP over Node IPC too, as the extension starts it', async () => {
    const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<never>((_, fail) => child.on('exit', (code) => fail(new Error(`the server exited (${code}): ${stderr.slice(-2000)}`))));
    const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const published = new Map<string, Diagnostic[]>();
    let wake: () => void = () => undefined;
    conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      published.set(p.uri, p.diagnostics);
      wake();
    });
    conn.onRequest(() => null);
    conn.listen();
    try {
      const init = await Promise.race([exited, conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: [{ uri: uriOf(ws), name: 'ws' }] })]) as { capabilities: { experimental: { amlnet: { processId: number } } } };
      assert.equal(init.capabilities.experimental.amlnet.processId, child.pid);
      await conn.sendNotification('initialized', {});
      await Promise.race([exited, new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no diagnostics over IPC within 20 s; stderr: ${stderr.slice(-2000)}`)), 20000);
        wake = () => {
          if (codes(published.get(arm)).includes('aml-out-key-vault')) {
            clearTimeout(timer);
            done();
          }
        };
        wake();
      })]);
    } finally {
      child.removeAllListeners('exit');
      conn.dispose();
      child.kill();
    }
  });

  it('survives random edits of a Bicep and an ARM document: no handler fails, every check is answered', async () => {
    const c = await start();
    const random = mulberry32(20261124);
    const pieces = ['{', '}', '[', ']', "'", '"', ':', ',', '\n', '// amlnet-disable-next-line ', 'priority: ', '${', '@', 'resource ', '"[concat(', '-', '0', '\u00e9', '\\'];
    for (const [uri, path, lang] of [[network, join(ws, 'bicep', 'modules', 'network.bicep'), 'bicep'], [arm, join(ws, 'arm', 'azuredeploy.json'), 'json']] as const) {
      await c.open(uri, readFileSync(path, 'utf8'), lang);
      for (let i = 0; i < 25; i++) {
        const lines = c.text(uri).split('\n');
        const line = Math.floor(random() * lines.length);
        const character = Math.floor(random() * (lines[line].length + 1));
        const length = Math.floor(random() * 12);
        const newText = random() < 0.5 ? '' : pieces[Math.floor(random() * pieces.length)];
        await c.edit(uri, [{ range: { start: { line, character }, end: { line, character: Math.min(lines[line].length, character + length) } }, newText }]);
        // Code actions, hover and lenses on the broken text, at the edit.
        await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line, character }, end: { line, character } }, context: { diagnostics: c.diagnostics.get(uri) ?? [] } });
        await c.request('textDocument/hover', { textDocument: { uri }, position: { line, character } });
        await c.request('textDocument/codeLens', { textDocument: { uri } });
      }
    }
    const report = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(report.state, 'ready');
    assert.equal(c.process.exitCode, null);
    assert.deepEqual(c.logs.filter((l) => / failed: /.test(l)), []);
  });

  it('answers bad requests with empty results and stays alive', async () => {
    const c = await start();
    assert.deepEqual(await c.request('textDocument/codeAction', { textDocument: { uri: 'untitled:x' }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }), []);
    const fix = await c.request<FixResult>('amlnet/fixNsg', { uri: 42 });
    assert.deepEqual(fix.rules, []);
    assert.equal(await c.request('textDocument/hover', { textDocument: { uri: arm }, position: { line: 100000, character: 0 } }), null);
    const report = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(report.state, 'ready');
  });

  it('follows files created, changed and deleted on disk, and .amlnet.json errors', async () => {
    const c = await start();
    const extra = join(ws, 'extra');
    mkdirSync(extra);
    const file = join(extra, 'nsg.bicep');
    writeFileSync(file, "// amlnet-check\nresource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {\n  name: 'nsg-extra'\n  location: 'westeurope'\n  properties: {\n    securityRules: [\n      { name: 'Bad', properties: { priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Storag', destinationPortRange: '443' } }\n    ]\n  }\n}\n");
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type: 1 }] });
    const d = await c.waitForDiagnostics(uriOf(file), (x) => x.some((y) => y.code === 'amlnet-unknown-tag'));
    const typo = d.find((y) => y.code === 'amlnet-unknown-tag')!;
    assert.match(text(typo), /did you mean "Storage"/);
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(file) }, range: typo.range, context: { diagnostics: [typo] } });
    const replace = actions.find((a) => a.title === 'Replace "Storag" with "Storage"' && a.isPreferred)!;
    assert.ok(replace, JSON.stringify(actions.map((a) => a.title)));
    const [change] = replace.edit!.changes![uriOf(file)];
    const fileLines = readFileSync(file, 'utf8').split('\n');
    assert.equal(fileLines[change.range.start.line].slice(change.range.start.character, change.range.end.character), 'Storag');
    assert.equal(change.newText, 'Storage');
    unlinkSync(file);
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type: 3 }] });
    await c.waitForDiagnostics(uriOf(file), (x) => x.length === 0, 'diagnostics of a deleted file to be cleared');

    const config = join(ws, '.amlnet.json');
    writeFileSync(config, '{ "edition": "no-such-edition", "options": { "hbi": "yes" } }');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 1 }] });
    const errs = await c.waitForDiagnostics(uriOf(config), (x) => x.length > 0);
    assert.ok(errs.every((e) => e.severity === 1 && e.source === 'amlnet'));
    writeFileSync(config, '{ "edition": "2025-02" }');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
    await c.waitForDiagnostics(uriOf(config), (x) => x.length === 0, 'the config errors to clear');
    const report = await c.request<ReportResult>('amlnet/report', null);
    assert.equal(report.report.edition, '2025-02');
    const editions = await c.request<EditionsResult>('amlnet/editions', {});
    assert.equal(editions.active, '2025-02');
    assert.ok(editions.editions.some((e) => e.name === '2022-09' && e.isDefault));
    const reqs = await c.request<{ edition: { name: string }; requirements: { id: string }[] }>('amlnet/requirements', {});
    assert.equal(reqs.edition.name, '2025-02');
    assert.ok(reqs.requirements.length > 0);
  });

  it('hides exactly the diagnostic a suppression comment names, and marks it in the report', async () => {
    const c = await start();
    const text = readFileSync(join(ws, 'arm', 'azuredeploy.json'), 'utf8');
    await c.open(arm, text, 'json');
    await c.waitForDiagnostics(arm, (d) => d.length === 2);
    // Above the NSG resource's "{".
    const line = text.slice(0, text.indexOf('"type": "Microsoft.Network/networkSecurityGroups"')).split('\n').length - 2;
    await c.edit(arm, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: '    // amlnet-disable-next-line aml-out-key-vault\n' }]);
    const d = await c.waitForDiagnostics(arm, (x) => !x.some((y) => y.code === 'aml-out-key-vault'), 'the key vault diagnostic to be suppressed');
    assert.deepEqual(codes(d), ['aml-out-azure-machine-learning']);
    const report = await c.request<ReportResult>('amlnet/report', null);
    const reqs = report.report.nsgs.find((n) => n.name === 'nsg-mlw-mlops-prod-training')!.requirements;
    assert.equal(reqs.find((r) => r.id === 'aml-out-key-vault')!.suppressed, true);
    assert.equal(reqs.find((r) => r.id === 'aml-out-azure-machine-learning')!.suppressed, undefined);
  });

  it('shows a CodeLens per NSG in scope and a hover on rules', async () => {
    const c = await start();
    const cli = await cliReport(ws);
    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: arm } });
    assert.equal(lenses.length, 1);
    const reqs = cli.nsgs.find((n) => n.file === 'arm/azuredeploy.json')!.requirements.filter((r) => r.verdict !== 'not-applicable');
    const met = reqs.filter((r) => r.verdict === 'allowed' || r.verdict === 'allowed-by-default').length;
    assert.equal(lenses[0].command!.title, `Azure ML: ${met} of ${reqs.length} requirements met (1 blocked, 1 partial)`);
    assert.equal(lenses[0].command!.command, 'amlnet.showNsgInTree');
    assert.deepEqual(lenses[0].command!.arguments, [{ uri: arm, name: 'nsg-mlw-mlops-prod-training', line: cli.nsgs.find((n) => n.file === 'arm/azuredeploy.json')!.line }]);

    const text = readFileSync(join(ws, 'arm', 'azuredeploy.json'), 'utf8');
    const line = text.slice(0, text.indexOf('"priority": 100', text.indexOf('DenyRStudioOutbound'))).split('\n').length - 1;
    const hover = await c.request<Hover>('textDocument/hover', { textDocument: { uri: arm }, position: { line, character: 10 } });
    const md = (hover.contents as { value: string }).value;
    assert.match(md, /DenyRStudioOutbound/);
    assert.match(md, /\*\*blocks\*\* `aml-out-azure-machine-learning`: TCP 8787 to AzureMachineLearning/);
    const allowLine = text.slice(0, text.indexOf('"priority": 110', text.indexOf('AllowAzureMachineLearningOutbound'))).split('\n').length - 1;
    const allow = await c.request<Hover>('textDocument/hover', { textDocument: { uri: arm }, position: { line: allowLine, character: 10 } });
    assert.match((allow.contents as { value: string }).value, /partly meets `aml-out-azure-machine-learning`: TCP 443, 18881 to AzureMachineLearning/);

    const fix = await c.request<FixResult>('amlnet/fixNsg', { uri: arm, name: 'nsg-mlw-mlops-prod-training' });
    assert.equal(fix.rules.length, 1);
    assert.ok((fix.edit as { changes: Record<string, unknown> }).changes[arm]);
    assert.equal(fix.skipped[0].requirementId, 'aml-out-azure-machine-learning');
    const file = await c.request<FixResult>('amlnet/fixFile', { uri: network });
    assert.ok(file.rules.length >= 3, JSON.stringify(file.rules));
  });
});
