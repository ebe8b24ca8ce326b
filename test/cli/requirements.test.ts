import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EditionListJson, RequirementsJson } from '../../src/cli/requirements-command';

// out/test/cli -> the repository root.
const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'amlnet.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI the way a user does, in `cwd` (a scratch directory, so no stray .amlnet.json is picked up). */
function amlnet(args: readonly string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The rows of the first pipe table after `heading`, keyed by their first cell (the id). */
function tableAfter(stdout: string, heading: string): Map<string, string[]> {
  const lines = stdout.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no "${heading}" in:\n${stdout}`);
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(start + 3)) {
    if (!line.startsWith('| ')) break;
    const cells = line.split(' | ').map((c) => c.replace(/^\| ?/, '').replace(/ ?\|$/, '').trim());
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

function notApplicable(stdout: string): Map<string, string> {
  const lines = stdout.split('\n');
  const start = lines.indexOf('Not applicable with these options:');
  assert.ok(start >= 0);
  const out = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    const m = /^- ([^:]+): (.*)$/.exec(line);
    if (!m) break;
    out.set(m[1], m[2]);
  }
  return out;
}

describe('cli: amlnet requirements', function () {
  let scratch: string;

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed:\n${build.stderr}`);
    scratch = mkdtempSync(join(tmpdir(), 'amlnet-cli-'));
    const probe = amlnet(['--version'], scratch);
    if (/Cannot find module '\.\/impl\//.test(probe.stderr)) {
      assert.fail("the bundle cannot load jsonc-parser's UMD build: scripts/build.mjs needs mainFields: ['module', 'main']");
    }
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints help and the version', () => {
    const help = amlnet(['--help'], scratch);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: amlnet <command> \[options\]$/m);
    assert.match(help.stdout, /^ {2}requirements {2}/m);
    assert.match(help.stdout, /^ {2}editions {6}/m);
    const version = amlnet(['--version'], scratch);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const sub = amlnet(['requirements', '--help'], scratch);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /--no-public-ip/);
    assert.match(sub.stdout, /--format text\|json/);
  });

  it('prints the 2022-09 table by default, with the host names and what does not apply', () => {
    const r = amlnet(['requirements'], scratch);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Edition: 2022-09 \(default\)/);
    const tags = tableAfter(r.stdout, 'Service tags (NSG rules):');
    assert.match(r.stdout, /^\| Id +\| Direction \| Protocol \| Ports +\| Service tag +\| Purpose \|$/m);
    assert.deepEqual(tags.get('aml-in-batch-node-management')?.slice(0, 4), ['Inbound', 'TCP', '29876-29877', 'BatchNodeManagement']);
    assert.deepEqual(tags.get('aml-out-azure-machine-learning')?.slice(0, 4), ['Outbound', 'TCP', '443, 8787, 18881', 'AzureMachineLearning']);
    assert.deepEqual(tags.get('aml-out-storage')?.slice(0, 4), ['Outbound', 'TCP', '443', 'Storage.<region>']);
    assert.deepEqual(tags.get('aml-out-container-registry')?.slice(3, 4), ['MicrosoftContainerRegistry.<region> + AzureFrontDoor.FirstParty']);
    assert.equal(tags.size, 10);
    const hosts = tableAfter(r.stdout, 'Host names (firewall rules):');
    assert.deepEqual(hosts.get('aml-host-pypi-org')?.slice(0, 3), ['pypi.org', 'HTTPS', '443']);
    assert.deepEqual([...hosts.keys()], ['aml-host-anaconda-com', 'aml-host-wildcard-anaconda-com', 'aml-host-wildcard-anaconda-org', 'aml-host-pypi-org']);
    const na = notApplicable(r.stdout);
    assert.equal(na.get('aml-out-key-vault'), 'only for an hbi workspace (option hbi is off)');
    assert.equal(na.get('aml-in-vnet-batch'), 'only for computes with No Public IP (option publicIp is on)');
    assert.match(r.stdout, /aml-out-storage: port 445 not included: only with a firewall/);
    assert.match(r.stdout, /IP addresses instead of service tags/);
  });

  it('applies the options: no public IP, hbi with a region, China, storage firewall, packages', () => {
    const r = amlnet(['requirements', '--no-public-ip', '--hbi', '--region', 'West Europe', '--cloud', 'azurechinacloud', '--storage-firewall', '--packages', 'cran'], scratch);
    assert.equal(r.code, 0, r.stderr);
    const tags = tableAfter(r.stdout, 'Service tags (NSG rules):');
    assert.ok(!tags.has('aml-in-batch-node-management') && !tags.has('aml-in-azure-machine-learning'));
    assert.deepEqual(tags.get('aml-in-vnet-batch')?.slice(0, 4), ['Inbound', 'TCP', '29876-29877', 'VirtualNetwork']);
    assert.deepEqual(tags.get('aml-in-load-balancer')?.slice(0, 4), ['Inbound', 'TCP', '44224', 'AzureLoadBalancer']);
    assert.deepEqual(tags.get('aml-out-key-vault')?.slice(2, 4), ['443', 'AzureKeyVault.westeurope']);
    assert.deepEqual(tags.get('aml-out-storage')?.slice(2, 4), ['443, 445', 'Storage.westeurope']);
    assert.ok(!tags.has('aml-out-front-door'));
    assert.equal(notApplicable(r.stdout).get('aml-out-front-door'), 'not in AzureChinaCloud (option cloud is AzureChinaCloud)');
    assert.deepEqual([...tableAfter(r.stdout, 'Host names (firewall rules):').keys()], ['aml-host-cloud-r-project-org']);
  });

  it('prints stable JSON for the 2025-02 edition', () => {
    const r = amlnet(['requirements', '--edition', '2025-02', '--rstudio', '--region', 'eastus', '--format', 'json'], scratch);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as RequirementsJson;
    assert.equal(doc.formatVersion, 1);
    assert.equal(doc.edition.name, '2025-02');
    assert.equal(doc.edition.isDefault, false);
    assert.equal(doc.configFile, null);
    assert.equal(doc.options.region, 'eastus');
    assert.equal(doc.options.rstudio, true);
    const byId = new Map(doc.requirements.map((q) => [q.id, q]));
    const aml = byId.get('aml-out-azure-machine-learning');
    assert.ok(aml?.kind === 'service-tag');
    assert.deepEqual(aml.ports, ['443', '18881']);
    const batch = byId.get('aml-out-batch-node-management');
    assert.ok(batch?.kind === 'service-tag');
    assert.deepEqual([batch.protocol, batch.remote[0].name], ['*', 'BatchNodeManagement.eastus']);
    assert.ok(byId.has('aml-out-rstudio') && byId.has('aml-host-ghcr-io'));
    const tundra = byId.get('aml-host-region-tundra-azureml-ms');
    assert.ok(tundra?.kind === 'host');
    assert.deepEqual([tundra.host, tundra.protocol, tundra.ports], ['eastus.tundra.azureml.ms', 'Udp', ['5831']]);
    assert.ok(!byId.has('aml-in-batch-node-management'));
    assert.deepEqual(doc.notApplicable.find((n) => n.id === 'aml-out-virtual-network'), {
      id: 'aml-out-virtual-network', kind: 'service-tag', because: 'only when private endpoints exist in this or a peered VNet (option privateEndpoints is off)',
    });
  });

  it('exits 2 with a clear message on bad usage', () => {
    const cases: [args: string[], stderr: RegExp][] = [
      [['requirements', '--hbii'], /^amlnet requirements: unknown option --hbii \(did you mean --hbi\?\)/],
      [['requirements', '--edition', '2023-01'], /unknown edition "2023-01"; known editions: 2022-09 \(default\), 2025-02/],
      [['requirements', '--cloud', 'AzureGermany'], /--cloud "AzureGermany" is not one of AzureCloud, AzureChinaCloud, AzureUSGovernment/],
      [['requirements', '--packages', 'conda,npm'], /--packages "npm" is not one of conda, pip/],
      [['requirements', '--format', 'yaml'], /--format "yaml" is not one of text, json/],
      [['requirements', 'extra'], /unexpected argument "extra"/],
      [['requirements', '--config', 'missing.json'], /cannot read configuration missing\.json: no such file/],
      [['requirement'], /^amlnet: unknown command "requirement" \(did you mean "requirements"\?\)/],
      [[], /Usage: amlnet <command>/],
    ];
    for (const [args, stderr] of cases) {
      const r = amlnet(args, scratch);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });

  it('reads .amlnet.json: custom editions and requirements, flags override it', () => {
    const dir = mkdtempSync(join(scratch, 'ws-'));
    writeFileSync(join(dir, '.amlnet.json'), `{
  // our platform's edition
  "edition": "contoso-2026",
  "options": { "hbi": true },
  "requirements": [{ "id": "contoso-proxy", "kind": "host", "host": "proxy.contoso.com", "purpose": "Corporate proxy" }],
  "editions": { "contoso-2026": { "extends": "2025-02", "remove": ["aml-out-azure-monitor"] } }
}`);
    const r = amlnet(['requirements'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Edition: contoso-2026 \(extends 2025-02\)/);
    assert.match(r.stdout, /^Configuration: \.amlnet\.json$/m);
    const tags = tableAfter(r.stdout, 'Service tags (NSG rules):');
    assert.ok(tags.has('aml-out-key-vault') && !tags.has('aml-out-azure-monitor'));
    assert.deepEqual(tableAfter(r.stdout, 'Host names (firewall rules):').get('contoso-proxy')?.slice(0, 3), ['proxy.contoso.com', 'HTTPS', '443']);

    const off = amlnet(['requirements', '--no-hbi', '--edition', '2022-09'], dir);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /^Edition: 2022-09/);
    assert.ok(!tableAfter(off.stdout, 'Service tags (NSG rules):').has('aml-out-key-vault'));

    const editions = amlnet(['editions', '--format', 'json'], dir);
    assert.equal(editions.code, 0, editions.stderr);
    const list = JSON.parse(editions.stdout) as EditionListJson;
    assert.equal(list.active, 'contoso-2026');
    assert.deepEqual(list.editions.map((e) => [e.name, e.extends, e.isDefault]), [['2022-09', null, true], ['2025-02', null, false], ['contoso-2026', '2025-02', false]]);
    const text = amlnet(['editions'], dir);
    assert.match(text.stdout, /^\* contoso-2026 .*\[active, extends 2025-02; \d+ requirements\]$/m);
  });

  it('reports every error of a bad configuration with file, line, column and path', () => {
    const file = join(scratch, 'bad.json');
    writeFileSync(file, [
      '{',
      '  "options": { "cloud": "AzureGermany" },',
      '  "requirements": [',
      '    { "id": "aml-out-storage", "kind": "host", "host": "x.example.com", "purpose": "p", "ports": ["70000"] }',
      '  ]',
      '}',
    ].join('\n'));
    const r = amlnet(['requirements', '--config', 'bad.json'], scratch);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.trim().split('\n'), [
      'bad.json:2:25 options.cloud: "AzureGermany" is not one of AzureCloud, AzureChinaCloud, AzureUSGovernment',
      'bad.json:4:13 requirements[0].id: "aml-out-storage" is a built-in requirement id; give custom requirements their own ids (to change a built-in requirement, define an edition that replaces it)',
      'bad.json:4:99 requirements[0].ports[0]: "70000" is not a port or range 0-65535',
      'amlnet requirements: bad.json has 3 errors',
    ]);
  });
});
