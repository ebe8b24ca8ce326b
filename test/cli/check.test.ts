import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv4 from 'ajv-draft-04';
import type { CheckReport } from '../../src/core/check/check-report';
import { VNET_AND_COMPUTE } from '../support/bicep-snippets';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'amlnet.js');

function amlnet(args: readonly string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, 'check', ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A compute subnet whose NSG allows every outbound requirement and both public-IP inbound ones. */
const GOOD = `param location string = resourceGroup().location
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-good'
  location: location
  properties: {
    securityRules: [
      { name: 'In', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRanges: [ '29876-29877', '44224' ] } }
      { name: 'Out', properties: { priority: 100, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } }
    ]
  }
}
${VNET_AND_COMPUTE}`;

describe('amlnet check', () => {
  let dir: string;
  before(function () {
    this.timeout(120000);
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    dir = mkdtempSync(join(tmpdir(), 'amlnet-check-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 on the examples and names the blocking rule with file:line', () => {
    const r = amlnet(['examples']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /BLOCKED aml-out-key-vault: Blocked: TCP 443 to AzureKeyVault\.westeurope denied by DenyInternetOutbound \(priority 4000\)\. \[examples\/arm\/azuredeploy\.json:\d+\]/);
    assert.match(r.stdout, /TCP 8787 to AzureMachineLearning: blocked \[examples\/arm\/azuredeploy\.json:\d+\]/);
    assert.match(r.stdout, /Result: FAIL/);
  });

  it('says when --region stands for an NSG location known only at deployment', () => {
    const dir2 = join(dir, 'region');
    mkdirSync(dir2);
    writeFileSync(join(dir2, 'main.bicep'), GOOD);
    const withFlag = amlnet(['.', '--region', 'eastus'], dir2);
    assert.match(withFlag.stdout, /region resourceGroup\(\)\.location = eastus \[from nsg-good \(main\.bicep:\d+\); eastus from the --region flag\]/);
    const json = JSON.parse(amlnet(['.', '--region', 'eastus', '--format', 'json'], dir2).stdout) as CheckReport;
    assert.deepEqual([json.nsgs[0].options.region.value, json.nsgs[0].options.region.takenAs, json.nsgs[0].options.region.takenAsOrigin], ['resourceGroup().location', 'eastus', 'flag']);
    // Without the flag the location stays symbolic and nothing is taken.
    const plain = JSON.parse(amlnet(['.', '--format', 'json'], dir2).stdout) as CheckReport;
    assert.equal(plain.nsgs[0].options.region.takenAs, undefined);
  });

  it('says which entry template deployed an NSG written in a module that two entries call', () => {
    const folder = 'test/fixtures/templates/bicep-entries-shared-module';
    const text = amlnet([folder]);
    const headers = text.stdout.split('\n').filter((l) => l.includes('NSG nsg-aml ')).map((l) => l.trim());
    assert.deepEqual(headers, [
      `NSG nsg-aml (${folder}/modules/aml-network.bicep:10) [deployed by ${folder}/dev.bicep]`,
      `NSG nsg-aml (${folder}/modules/aml-network.bicep:10) [deployed by ${folder}/prod.bicep]`,
    ]);
    const json = JSON.parse(amlnet([folder, '--format', 'json']).stdout) as CheckReport;
    assert.deepEqual(json.nsgs.map((n) => n.deployment), [`${folder}/dev.bicep`, `${folder}/prod.bicep`]);
    // One entry: one deployment, no field.
    const one = JSON.parse(amlnet([`${folder}/dev.bicep`, '--format', 'json']).stdout) as CheckReport;
    assert.deepEqual(one.nsgs.map((n) => n.deployment), [undefined]);
  });

  it('exits 0 when everything in scope is met, and 1 in strict mode when some of it is met only by default', () => {
    const good = join(dir, 'good');
    mkdirSync(good);
    writeFileSync(join(good, 'main.bicep'), GOOD);
    const r = amlnet(['.'], good);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Result: PASS/);
    // The inbound rule's destination is VirtualNetwork and the outbound one is explicit: all explicit.
    const strict = amlnet(['.', '--strict'], good);
    assert.equal(strict.code, 0, strict.stdout);
    writeFileSync(join(good, 'main.bicep'), GOOD.replace(/\{ name: 'Out'.*\n/, ''));
    assert.equal(amlnet(['.'], good).code, 0);
    assert.equal(amlnet(['.', '--strict'], good).code, 1);
  });

  it('writes the documented JSON report', () => {
    const r = amlnet(['examples', '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.equal(report.version, 1);
    const nsg = report.nsgs.find((n) => n.name === 'nsg-mlw-mlops-prod-training')!;
    assert.equal(nsg.file, 'examples/arm/azuredeploy.json');
    const aml = nsg.requirements.find((q) => q.id === 'aml-out-azure-machine-learning')!;
    assert.equal(aml.verdict, 'partial');
    assert.deepEqual(aml.ports.map((p) => [p.ports, p.outcome]), [['443, 18881', 'allowed'], ['8787', 'blocked']]);
    assert.equal(aml.ports[1].decidedBy[0].rule, 'DenyRStudioOutbound');
    assert.equal(typeof aml.ports[1].decidedBy[0].line, 'number');
    assert.deepEqual(nsg.options.hbi.origin, 'template');
  });

  it('writes SARIF 2.1.0 that validates against its schema', () => {
    const r = amlnet(['examples', '--format', 'sarif']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors));
    const ids = sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId);
    assert.ok(ids.includes('aml-out-key-vault'));
    assert.ok(ids.includes('aml-out-azure-monitor'));
  });

  it('reports an option known only at deployment as unknown (JSON null with a reason, SARIF notes), exits 0, and takes a flag instead', () => {
    const fixture = 'test/fixtures/templates/bicep-unknown-public-ip.bicep';
    const json = amlnet([fixture, '--format', 'json']);
    assert.equal(json.code, 0, json.stdout);
    const report = JSON.parse(json.stdout) as CheckReport;
    const nsg = report.nsgs[0];
    assert.deepEqual(nsg.options.publicIp, { value: null, origin: 'template', from: 'cpu-cluster', file: fixture, line: 54, reason: 'enableNodePublicIp: nodePublicIp is only known at deployment' });
    assert.equal(nsg.requirements.find((q) => q.id === 'aml-in-azure-machine-learning')!.verdict, 'unknown');
    const sarif = JSON.parse(amlnet([fixture, '--format', 'sarif']).stdout) as { runs: { results: { ruleId: string; level: string }[] }[] };
    assert.deepEqual(sarif.runs[0].results.filter((x) => x.ruleId === 'aml-in-vnet-batch').map((x) => x.level), ['note']);
    const text = amlnet([fixture]);
    assert.match(text.stdout, /public IP unknown \[from cpu-cluster \(.*bicep-unknown-public-ip\.bicep:54\): enableNodePublicIp: nodePublicIp is only known at deployment\]/);
    const flag = amlnet([fixture, '--no-public-ip']);
    assert.equal(flag.code, 1);
    assert.match(flag.stdout, /public IP no \[flag, as cpu-cluster \(.*:54\) does not tell: enableNodePublicIp: /);
    assert.match(flag.stdout, /BLOCKED aml-in-vnet-batch/);
  });

  it('counts out-of-scope NSGs only with --scope all', () => {
    const auto = JSON.parse(amlnet(['examples/bicep', '--format', 'json']).stdout) as CheckReport;
    const all = JSON.parse(amlnet(['examples/bicep', '--format', 'json', '--scope', 'all']).stdout) as CheckReport;
    assert.equal(auto.nsgs.find((n) => n.name === 'nsg-contoso-private-endpoints')!.inScope, false);
    assert.equal(all.nsgs.find((n) => n.name === 'nsg-contoso-private-endpoints')!.inScope, true);
    assert.ok(all.summary.blocked > auto.summary.blocked);
  });

  it('exits 2 with a clear message on a usage error or a missing path', () => {
    const missing = amlnet(['no/such/folder']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or folder: no\/such\/folder/);
    const flag = amlnet(['examples', '--scop', 'all']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option --scop \(did you mean --scope\?\)/);
    assert.equal(amlnet(['examples', '--format', 'xml']).code, 2);
  });

  it('reports a broken template and still checks what it can, never crashing', () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'main.bicep'), GOOD.replace("name: 'vnet'", "name: 'vnet' ]]] {{"));
    writeFileSync(join(broken, 'bad.json'), '{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ { ');
    writeFileSync(join(broken, 'binary.json'), Buffer.from([0, 1, 2, 255, 254]));
    const r = amlnet(['.', '--format', 'json'], broken);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.ok(report.problems.some((p) => p.file === 'main.bicep' && p.severity === 'error'));
    assert.ok(report.problems.some((p) => p.file === 'bad.json'));
    assert.ok(report.nsgs.some((n) => n.name === 'nsg-good'), 'the NSG before the error is still read');
  });

  it('--fix inserts the missing rules on disk, says what it could not fix, and a second run changes nothing', () => {
    const work = join(dir, 'fix');
    cpSync(join(ROOT, 'examples'), work, { recursive: true });
    const first = amlnet(['.', '--fix'], work);
    assert.match(first.stderr, /added outbound rule AllowAzureMLAzureKeyVaultOutbound \(priority \d+\)/);
    assert.match(first.stderr, /not fixed: nsg-mlw-mlops-prod-training aml-out-azure-machine-learning: no free priority .* below 100/);
    // The report printed after --fix is the re-check: key vault and monitor now pass; 8787 stays blocked by a deny at 100.
    assert.match(first.stdout, /ok {6}aml-out-key-vault: Allowed by AllowAzureMLAzureKeyVaultOutbound/);
    assert.match(first.stdout, /ok {6}aml-out-azure-monitor: Allowed by AllowAzureMLAzureMonitorOutbound/);
    assert.equal(first.code, 1, 'the requirement that could not be fixed still fails');
    const arm = readFileSync(join(work, 'arm', 'azuredeploy.json'), 'utf8');
    assert.match(arm, /"destinationAddressPrefix": "\[concat\('AzureKeyVault\.', parameters\('location'\)\)\]"/);
    const after = readFileSync(join(work, 'bicep', 'modules', 'network.bicep'), 'utf8');
    const second = amlnet(['.', '--fix'], work);
    assert.match(second.stderr, /0 rules added in 0 files/);
    assert.equal(readFileSync(join(work, 'bicep', 'modules', 'network.bicep'), 'utf8'), after);
    assert.equal(readFileSync(join(work, 'arm', 'azuredeploy.json'), 'utf8'), arm);
  });

  it('--service-tags decides CIDR rules against tags, and a bad file is a usage error', () => {
    const work = join(dir, 'tags');
    mkdirSync(work);
    // A deny on a public CIDR before the storage allow: unknown without prefix data.
    writeFileSync(join(work, 'main.bicep'), GOOD.replace("securityRules: [", "securityRules: [\n      { name: 'DenyRange', properties: { priority: 90, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '20.60.0.0/16', destinationPortRange: '*' } }"));
    const storageVerdict = (args: string[]) => (JSON.parse(amlnet(['.', '--format', 'json', '--region', 'westeurope', ...args], work).stdout) as CheckReport)
      .nsgs[0].requirements.find((r) => r.id === 'aml-out-storage')!.verdict;
    assert.equal(storageVerdict([]), 'unknown');
    const tags = (prefixes: string[]) => JSON.stringify({ values: [{ name: 'Storage.WestEurope', properties: { addressPrefixes: prefixes } }] });
    writeFileSync(join(work, 'inside.json'), tags(['20.60.0.0/16']));
    writeFileSync(join(work, 'outside.json'), tags(['52.1.0.0/16']));
    assert.equal(storageVerdict(['--service-tags', 'inside.json']), 'blocked');
    assert.equal(storageVerdict(['--service-tags', 'outside.json']), 'allowed');
    writeFileSync(join(work, 'bad.json'), '{ "values": 3 }');
    const bad = amlnet(['.', '--service-tags', 'bad.json'], work);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--service-tags bad\.json: not a service-tag file/);
    assert.equal(amlnet(['.', '--service-tags', 'missing.json'], work).code, 2);
  });

  it('says so when there are no templates', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = amlnet(['.'], empty);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /No Bicep or ARM templates found/);
  });
});
