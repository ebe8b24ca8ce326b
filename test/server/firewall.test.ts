// Firewall verdicts in the language server, through the real protocol: diagnostics on a template
// with an Azure Firewall behind a route, quick fixes from core's firewall fixes, fix-all,
// suppression comments, and the report's `firewalls` equal to the CLI's.

import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, Hover } from 'vscode-languageserver';
import type { FixResult, ReportResult } from '../../src/server/protocol';
import { TestClient } from './lsp-client';
import { cliCheckJson, relativized } from './support';
import { formatCheckText } from '../../src/cli/format-check-text';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'firewall');
const SETTINGS = { options: { region: 'westeurope' } };
const FAILING = ['aml-host-anaconda-com', 'aml-out-azure-active-directory', 'aml-out-azure-machine-learning', 'aml-out-azure-monitor'];

const uriOf = (path: string) => pathToFileURL(path).href;
const codes = (d: readonly Diagnostic[] | undefined) => (d ?? []).map((x) => String(x.code)).sort();
const lineOf = (text: string, needle: string, from = 0) => text.slice(0, text.indexOf(needle, from)).split('\n').length - 1;

/** `amlnet check --format json --region westeurope` in `cwd`, in-process, with its exit code. */
const cli = (cwd: string, args: readonly string[] = []) => cliCheckJson(cwd, ['--region', 'westeurope', ...args]);

describe('language server: firewalls (JSON-RPC over stdio)', function () {
  this.timeout(60000);
  let dir: string;
  let ws: string;
  let path: string;
  let uri: string;
  let client: TestClient | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-server-fw-'));
    ws = join(dir, 'ws');
    mkdirSync(ws);
    path = join(ws, 'classic.json');
    copyFileSync(join(FIXTURES, 'arm-classic-rules.json'), path);
    uri = uriOf(path);
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<TestClient> {
    client = await TestClient.start({ folders: [ws], settings: SETTINGS });
    await client.waitForNotification<{ state: string }>('amlnet/reportChanged', (p) => p.state === 'ready');
    await client.open(uri, readFileSync(path, 'utf8'), 'json');
    return client;
  }

  it('publishes a diagnostic per failing firewall verdict on the deciding rule or the firewall, and the forced-tunnelling warning on the route', async () => {
    const c = await start();
    const d = await c.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'aml-out-azure-monitor'));
    const fw = d.filter((x) => x.code !== 'amlnet-forced-tunnel');
    assert.deepEqual(codes(fw), FAILING);
    const text = c.text(uri);
    for (const x of d) assert.equal(x.source, 'amlnet');
    // The 8787 deny decides part of the AML row: its diagnostic is on that rule.
    const aml = d.find((x) => x.code === 'aml-out-azure-machine-learning')!;
    assert.equal(aml.range.start.line, lineOf(text, '"name": "deny-8787"'));
    assert.equal(aml.severity, 1);
    assert.match(String(aml.message), /^Firewall fw-ml for subnet snet-training \(outbound aml-out-azure-machine-learning\): Partly allowed/);
    const related = aml.relatedInformation ?? [];
    assert.ok(related.some((r) => /Blocks it: network rule deny-8787 in deny-rstudio \(priority 100\) of fw-ml/.test(r.message)), JSON.stringify(related));
    assert.ok(related.some((r) => /Route default-to-firewall of rt-training sends 0\.0\.0\.0\/0 from subnet snet-training to VirtualAppliance 10\.0\.1\.4/.test(r.message)), JSON.stringify(related));
    assert.ok(related.some((r) => /Subnet snet-training uses route table rt-training/.test(r.message)), JSON.stringify(related));
    // Missing rows (the default deny decides) are on the firewall's name.
    const monitor = d.find((x) => x.code === 'aml-out-azure-monitor')!;
    assert.equal(monitor.range.start.line, lineOf(text, '"name": "fw-ml"'));
    assert.ok(monitor.relatedInformation?.some((r) => /No rule allows it: the default deny of fw-ml/.test(r.message)));
    const tunnel = d.filter((x) => x.code === 'amlnet-forced-tunnel');
    assert.equal(tunnel.length, 1);
    assert.equal(tunnel[0].severity, 2);
    assert.equal(tunnel[0].range.start.line, lineOf(text, '"name": "default-to-firewall"') - 1, 'the route object starts on the line above its name');
    // The NSG allows everything only by default (not strict): no NSG diagnostic.
    assert.ok(!d.some((x) => x.code === 'aml-out-storage'));
  });

  it('answers amlnet/report with the CLI\'s firewalls for the same folder', async () => {
    const c = await start();
    await c.waitForDiagnostics(uri, (x) => x.length > 0);
    const result = await c.request<ReportResult>('amlnet/report', null);
    const server = relativized(result.report, ws);
    const { report } = await cli(ws);
    assert.ok((report.firewalls ?? []).length === 1);
    assert.deepEqual(server.firewalls, report.firewalls);
    assert.deepEqual(server.firewallSummary, report.firewallSummary);
    assert.deepEqual(server, report);
  });

  it('offers a preferred quick fix that adds the missing rule and clears its diagnostic; fix-all clears every fixable one', async () => {
    const c = await start();
    const d = await c.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'aml-out-azure-monitor'));
    const monitor = d.find((x) => x.code === 'aml-out-azure-monitor')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: monitor.range, context: { diagnostics: [monitor] } });
    const fix = actions.find((a) => a.isPreferred && a.diagnostics?.some((x) => x.code === 'aml-out-azure-monitor'));
    assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, 'quickfix');
    assert.match(fix.title, /^Add network rule .* to fw-ml\/.* for aml-out-azure-monitor/);
    await c.apply(fix.edit);
    const after = await c.waitForDiagnostics(uri, (x) => !x.some((y) => y.code === 'aml-out-azure-monitor'), 'the monitor diagnostic to clear');
    assert.deepEqual(codes(after.filter((x) => x.code !== 'amlnet-forced-tunnel')), FAILING.filter((id) => id !== 'aml-out-azure-monitor'));
    assert.match(c.text(uri), /AzureMonitor/);

    const fixAll = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.equal(fixAll.length, 1);
    assert.equal(fixAll[0].kind, 'source.fixAll.amlnet');
    await c.apply(fixAll[0].edit!);
    const done = await c.waitForDiagnostics(uri, (x) => !x.some((y) => y.code === 'aml-host-anaconda-com' || y.code === 'aml-out-azure-active-directory'), 'fix-all to clear the fixable diagnostics');
    // What remains cannot be fixed, or is the warning.
    for (const x of done) {
      if (x.code === 'amlnet-forced-tunnel') continue;
      const left = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: x.range, context: { diagnostics: [x] } });
      assert.ok(!left.some((a) => a.edit && a.diagnostics?.some((y) => y.code === x.code)), `${String(x.code)} still has a fix: ${JSON.stringify(left.map((a) => a.title))}`);
    }
    // The file the server fixed is what the CLI reads: the CLI agrees those rows pass now.
    writeFileSync(path, c.text(uri));
    const { report } = await cli(ws);
    const verdicts = Object.fromEntries(report.firewalls![0].requirements.map((r) => [r.id, r.verdict]));
    for (const id of ['aml-out-azure-monitor', 'aml-host-anaconda-com', 'aml-out-azure-active-directory']) assert.equal(verdicts[id], 'allowed', id);
  });

  it('says why a quick fix is not possible (disabled), for a client that shows disabled actions', async () => {
    const c = await start();
    const d = await c.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'aml-out-azure-machine-learning'));
    const aml = d.find((x) => x.code === 'aml-out-azure-machine-learning')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: aml.range, context: { diagnostics: [aml] } });
    const mine = actions.filter((a) => a.diagnostics?.some((x) => x.code === 'aml-out-azure-machine-learning'));
    // 8787 is denied by a collection at priority 100: an Allow collection would need a priority below 100, and 100 is the lowest.
    assert.equal(mine.length, 1, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(mine[0].edit, undefined);
    assert.match(mine[0].disabled?.reason ?? '', /no free collection priority before 100/);
  });

  it('honours suppression comments for firewall verdicts and the warning, in the editor and in the CLI (exit code, JSON)', async () => {
    const c = await start();
    await c.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'aml-out-azure-monitor'));
    const text = c.text(uri);
    // Above the firewall's declaration (its object's first line), and above the route.
    const fwLine = lineOf(text, '"type": "Microsoft.Network/azureFirewalls"') - 1;
    const routeLine = lineOf(text, '"name": "default-to-firewall"') - 1;
    await c.edit(uri, [
      { range: { start: { line: fwLine, character: 0 }, end: { line: fwLine, character: 0 } }, newText: `      // amlnet-disable-next-line ${FAILING.join(' ')}\n` },
      { range: { start: { line: routeLine, character: 0 }, end: { line: routeLine, character: 0 } }, newText: '          // amlnet-disable-next-line amlnet-forced-tunnel\n' },
    ]);
    await c.waitForDiagnostics(uri, (x) => x.length === 0, 'every firewall diagnostic to be suppressed').catch((e: Error) => {
      throw new Error(`${e.message}; left: ${JSON.stringify(c.diagnostics.get(uri)?.map((x) => [x.code, x.range.start.line]))}`);
    });
    const result = await c.request<ReportResult>('amlnet/report', null);
    const fw = result.report.firewalls![0];
    for (const id of FAILING) assert.equal(fw.requirements.find((r) => r.id === id)!.suppressed, true, id);
    assert.equal(fw.requirements.find((r) => r.id === 'aml-out-storage')!.suppressed, undefined);
    assert.equal(fw.warnings[0].suppressed, true);
    assert.equal(result.report.failing, false);

    writeFileSync(path, c.text(uri));
    const out = await cli(ws);
    assert.equal(out.code, 0, 'nothing left failing');
    // The text output says so on the firewall's rows too.
    assert.match(formatCheckText(out.report, false), /aml-out-azure-monitor \(suppressed\): /);
    assert.deepEqual(relativized(result.report, ws), out.report);
    // Naming only some ids suppresses only those: the check fails again.
    writeFileSync(path, c.text(uri).replace(`amlnet-disable-next-line ${FAILING.join(' ')}`, 'amlnet-disable-next-line aml-out-azure-monitor'));
    const partial = await cli(ws);
    assert.equal(partial.code, 1);
    const reqs = partial.report.firewalls![0].requirements;
    assert.equal(reqs.find((r) => r.id === 'aml-out-azure-monitor')!.suppressed, true);
    assert.equal(reqs.find((r) => r.id === 'aml-host-anaconda-com')!.suppressed, undefined);

    // Where comments are dropped: the firewall resource's metadata.
    const original = readFileSync(join(FIXTURES, 'arm-classic-rules.json'), 'utf8');
    const withMetadata = original.replace('"name": "fw-ml",', '"name": "fw-ml",\n      "metadata": { "amlnet-disable": ["aml-host-anaconda-com"] },');
    assert.notEqual(withMetadata, original);
    writeFileSync(path, withMetadata);
    const meta = (await cli(ws)).report.firewalls![0].requirements;
    assert.equal(meta.find((r) => r.id === 'aml-host-anaconda-com')!.suppressed, true);
    assert.equal(meta.find((r) => r.id === 'aml-out-azure-monitor')!.suppressed, undefined);
  });

  it('Bicep policy with a base policy: a deny in the base policy is not fixable (said why); a missing application rule is added to the policy\'s group', async () => {
    const bicep = join(ws, 'policy.bicep');
    copyFileSync(join(FIXTURES, 'bicep-policy-groups.bicep'), bicep);
    const buri = uriOf(bicep);
    client = await TestClient.start({ folders: [ws], settings: { options: { region: 'westeurope', packages: ['conda', 'pip', 'pip-custom-index', 'pytorch', 'cran'] } } });
    const c = client;
    await c.waitForNotification<{ state: string }>('amlnet/reportChanged', (p) => p.state === 'ready');
    await c.open(buri, readFileSync(bicep, 'utf8'), 'bicep');
    const d = await c.waitForDiagnostics(buri, (x) => x.some((y) => y.code === 'aml-host-wildcard-anaconda-org'));
    const text = c.text(buri);
    // The firewall and the policy it uses each carry the lens of the subnet routed through them.
    const lenses = (await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: buri } })).filter((l) => l.command?.title.startsWith('Azure ML, subnet'));
    assert.deepEqual(lenses.map((l) => l.range.start.line).sort((a, b) => a - b), [lineOf(text, "name: 'fwp-ml'"), lineOf(text, "name: 'fw-hub'")]);
    assert.equal(new Set(lenses.map((l) => l.command?.title)).size, 1);
    assert.match(lenses[0].command?.title ?? '', /^Azure ML, subnet vnet-\S+\/snet-jobs: \d+ of \d+ requirements met \(.*\)$/);
    const org = d.find((x) => x.code === 'aml-host-wildcard-anaconda-org')!;
    // On the base policy's deny rule, which decides it.
    assert.equal(org.range.start.line, lineOf(text, "name: 'no-anaconda-org'") - 2, 'the rule object, whose ruleType line comes before its name');
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: buri }, range: org.range, context: { diagnostics: [org] } });
    const mine = actions.filter((a) => a.diagnostics?.some((x) => x.code === org.code));
    assert.equal(mine.length, 1, JSON.stringify(actions.map((a) => a.title)));
    assert.match(mine[0].disabled?.reason ?? '', /base policy fwp-base, which comes before every rule of fwp-ml/);

    const com = d.find((x) => x.code === 'aml-host-wildcard-anaconda-com')!;
    const comActions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: buri }, range: com.range, context: { diagnostics: [com] } });
    const fix = comActions.find((a) => a.isPreferred && a.diagnostics?.some((x) => x.code === com.code));
    assert.match(fix?.title ?? '', /^Add application rule aml-host-wildcard-anaconda-com to fwp-ml\/aml-apps for aml-host-wildcard-anaconda-com$/);
    await c.apply(fix!.edit!);
    const after = await c.waitForDiagnostics(buri, (x) => !x.some((y) => y.code === com.code), 'the anaconda.com diagnostic to clear');
    assert.ok(after.some((x) => x.code === 'aml-host-wildcard-anaconda-org'), 'the base policy deny still reported');
    // The fixed text reads with no new problems.
    assert.ok(!after.some((x) => x.severity === 1 && x.code === undefined), JSON.stringify(after.filter((x) => x.code === undefined)));
  });

  it('puts a verdict a route drops on that route, and says no rule can be added when the next hop is not a firewall', async () => {
    const nva = join(ws, 'nva.json');
    copyFileSync(join(FIXTURES, 'arm-appliance-not-firewall.json'), nva);
    const nuri = uriOf(nva);
    client = await TestClient.start({ folders: [ws], settings: SETTINGS });
    const c = client;
    await c.waitForNotification<{ state: string }>('amlnet/reportChanged', (p) => p.state === 'ready');
    await c.open(nuri, readFileSync(nva, 'utf8'), 'json');
    const d = await c.waitForDiagnostics(nuri, (x) => x.some((y) => y.code === 'aml-out-azure-active-directory'));
    const aad = d.find((x) => x.code === 'aml-out-azure-active-directory')!;
    assert.equal(aad.range.start.line, lineOf(c.text(nuri), '"name": "drop-aad"'));
    assert.match(String(aad.message), /^Next hop 10\.3\.0\.4 for subnet snet-ci \(outbound aml-out-azure-active-directory\): Blocked: .*route drop-aad/);
    // Unknown verdicts are reported at the information level (severity.unknown), never as errors.
    const unknowns = d.filter((x) => x.code !== 'aml-out-azure-active-directory' && x.code !== 'amlnet-forced-tunnel');
    assert.ok(unknowns.length > 0 && unknowns.every((x) => x.severity === 3), JSON.stringify(unknowns.map((x) => [x.code, x.severity])));
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: nuri }, range: aad.range, context: { diagnostics: [aad] } });
    const mine = actions.filter((a) => a.diagnostics?.some((x) => x.code === aad.code));
    assert.equal(mine.length, 1);
    assert.match(mine[0].disabled?.reason ?? '', /no firewall to add a rule to: .*not a firewall declared here/);
  });

  it('answers amlnet/fixFile with the firewall rules too, and says what it cannot fix', async () => {
    const c = await start();
    await c.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'aml-out-azure-monitor'));
    const fix = await c.request<FixResult>('amlnet/fixFile', { uri });
    assert.deepEqual(fix.rules, [], 'the NSG needs nothing');
    assert.deepEqual((fix.firewallRules ?? []).map((r) => r.rule).sort(), ['aml-host-anaconda-com', 'aml-out-azure-active-directory', 'aml-out-azure-monitor']);
    assert.match(fix.title, /^Add 3 firewall rules for Azure ML$/);
    assert.deepEqual(fix.skipped.map((k) => [k.nsg, k.requirementId]), [['firewall of snet-training', 'aml-out-azure-machine-learning']]);
    await c.apply(fix.edit as Parameters<TestClient['apply']>[0]);
    const after = await c.waitForDiagnostics(uri, (x) => !x.some((y) => y.code === 'aml-out-azure-monitor'), 'the fixed diagnostics to clear');
    assert.deepEqual(codes(after), ['aml-out-azure-machine-learning', 'amlnet-forced-tunnel']);
  });

  it('shows a CodeLens on the firewall per subnet in scope routed through it, counted as the CLI reports, opening that subnet', async () => {
    const c = await start();
    await c.waitForDiagnostics(uri, (x) => x.length > 0);
    const { report } = await cli(ws);
    const subnets = (report.firewalls ?? []).filter((f) => f.inScope && f.firewall);
    assert.equal(subnets.length, 1);
    const rows = subnets[0].requirements.filter((r) => r.verdict !== 'not-applicable');
    const missing = rows.filter((r) => r.verdict === 'blocked' && r.missing).length;
    const n = (v: string) => rows.filter((r) => r.verdict === v).length;
    // The fixture: 2 requirements blocked only by the default deny, 2 partly allowed (README derivations).
    assert.deepEqual([n('blocked') - missing, missing, n('partial'), n('unknown')], [0, 2, 2, 0]);
    const expected = `Azure ML, subnet vnet-ml/snet-training: ${n('allowed')} of ${rows.length} requirements met (2 no rule, 2 partial)`;

    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const fwLenses = lenses.filter((l) => l.command?.title.startsWith('Azure ML, subnet'));
    assert.deepEqual(fwLenses.map((l) => l.command?.title), [expected]);
    const text = c.text(uri);
    assert.equal(fwLenses[0].range.start.line, lineOf(text, '"name": "fw-ml"'));
    assert.equal(fwLenses[0].command?.command, 'amlnet.revealLocation');
    assert.deepEqual(fwLenses[0].command?.arguments, [{ uri, line: lineOf(text, '"name": "snet-training"') + 1 }]);
  });

  it('shows on a firewall rule which requirements it blocks or meets, per subnet', async () => {
    const c = await start();
    await c.waitForDiagnostics(uri, (x) => x.length > 0);
    const text = c.text(uri);
    const at = (needle: string) => ({ line: lineOf(text, needle), character: text.split('\n')[lineOf(text, needle)].indexOf(needle) + 3 });
    const deny = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at('"name": "deny-8787"') });
    const value = (deny?.contents as { value: string } | undefined)?.value ?? '';
    assert.match(value, /^\*\*Azure ML: network rule deny-8787\*\* in deny-rstudio of fw-ml/);
    assert.match(value, /For subnet snet-training:\n\n- \*\*blocks\*\* `aml-out-azure-machine-learning`: TCP 8787 to AzureMachineLearning/);
    const conda = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at('"name": "conda"') });
    const condaText = (conda?.contents as { value: string } | undefined)?.value ?? '';
    assert.match(condaText, /- meets `aml-host-wildcard-anaconda-com`: HTTPS 443 to \*\.anaconda\.com/);
    assert.match(condaText, /- meets `aml-host-wildcard-anaconda-org`/);
    assert.doesNotMatch(condaText, /aml-host-anaconda-com`/, 'the rule holds *.anaconda.com, never anaconda.com');
  });
});
