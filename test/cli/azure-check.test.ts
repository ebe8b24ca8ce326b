// `amlnet check --azure` end to end, in process: the CLI's own code with the injection point on its
// io (a static credential and the local HTTPS server), the real SDK clients, real HTTPS.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import type { CheckReport } from '../../src/core/check/check-report';
import type { AzureCliHooks } from '../../src/cli/azure-check';
import { run, type CliIo } from '../../src/cli/main';
import { FakeArmServer } from '../azure/fake-arm-server';
import { isLoopback, StaticCredential, TEST_TOKEN, watchConnections } from '../azure/support';
import { armTemplate, FIREWALL_FIXTURE, FIXTURE, serviceTagsJson, SUB_DEV, SUB_LOCKED, SUB_PROD, tenantData } from '../azure/tenant';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

type AzureReport = CheckReport & { azure: { cloud: string; via: string; requests: number; subscriptions: { id: string; name: string; state: string; error?: string }[] } };

/** The verdicts of a report, keyed by NSG name: scope, options and each requirement's verdict and port outcomes. */
function verdicts(report: CheckReport): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of report.nsgs) {
    out[n.name] = {
      inScope: n.inScope,
      options: { publicIp: n.options.publicIp.value, hbi: n.options.hbi.value, region: n.options.region.value },
      subnets: n.subnets.map((s) => `${s.vnet}/${s.name}`),
      requirements: Object.fromEntries(n.requirements.map((r) => [r.id, { verdict: r.verdict, ports: r.ports.map((p) => `${p.protocol} ${p.ports} ${p.remote}: ${p.outcome}`) }])),
      findings: n.findings.map((f) => `${f.code} ${f.rule}`),
    };
  }
  return out;
}

/**
 * The firewall verdicts of a report, keyed by `vnet/subnet`: the route, the firewall and policy, the
 * warnings, and each requirement's verdict, port outcomes and deciding rules. Left out: where
 * things are written, and how the firewall was found and its IP (templates may read it with
 * reference(), which Azure resolves to the IP).
 */
function firewallVerdicts(report: CheckReport): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of report.firewalls ?? []) {
    out[`${s.vnet}/${s.subnet}`] = {
      inScope: s.inScope,
      region: s.region,
      route: `${s.route.source} ${s.route.name} ${s.route.nextHopType}`,
      firewall: s.firewall ? `${s.firewall.name} policy ${s.firewall.policy}` : `not a firewall: ${s.firewallUnknown}`,
      warnings: s.warnings.map((w) => w.code),
      requirements: Object.fromEntries(s.requirements.map((r) => [r.id, {
        verdict: r.verdict,
        ...(r.missing ? { missing: true } : {}),
        ...(r.combined ? { combined: r.combined } : {}),
        ports: r.ports.map((p) => `${p.protocol} ${p.ports} ${p.target}: ${p.outcome}`),
        decidedBy: r.decidedBy.map((d) => `${d.firewall}/${d.group ?? ''}/${d.collection}/${d.rule}`),
      }])),
    };
  }
  return out;
}

describe('amlnet check --azure', () => {
  const servicePrincipal = { id: '5f0c8d6e-0000-4000-8000-00000000c11e', secret: 'amlnet-test-client-secret-b6f1e2d4' };
  const server = new FakeArmServer(tenantData(FIXTURE), TEST_TOKEN, servicePrincipal);
  const watch = watchConnections();
  let dir: string;
  const outputs: string[] = [];

  async function amlnet(args: readonly string[], azure: AzureCliHooks | undefined, cwd = dir): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      cwd,
      readFile: (p) => readFileSync(p, 'utf8'),
      exists: (p) => existsSync(p),
      ...(azure ? { azure } : {}),
    };
    const code = await run(['check', ...args], io);
    outputs.push(stdout, stderr);
    return { code, stdout, stderr };
  }
  const hooks = (extra: Partial<AzureCliHooks> = {}): AzureCliHooks => ({
    credential: () => new StaticCredential(), endpoint: server.url, ca: server.certificate, timeoutMs: 20_000, ...extra,
  });

  before(async () => {
    await server.start();
    dir = mkdtempSync(join(tmpdir(), 'amlnet-azure-'));
    // The same tenant as templates: one ARM template per readable subscription, and the same service tags.
    mkdirSync(join(dir, 'templates'));
    for (const sub of FIXTURE.subscriptions.filter((s) => s.id !== SUB_LOCKED)) {
      writeFileSync(join(dir, 'templates', `${sub.name.toLowerCase()}.json`), JSON.stringify(armTemplate(sub), null, 2));
    }
    writeFileSync(join(dir, 'tags.json'), JSON.stringify(serviceTagsJson(FIXTURE.serviceTags)));
  });
  beforeEach(() => server.reset({ forbidden: [SUB_LOCKED] }));
  after(async () => {
    watch.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    // No token in any output, and nothing beyond loopback.
    for (const o of outputs) assert.ok(!o.includes(TEST_TOKEN) && !o.includes(servicePrincipal.secret), 'the token or the secret appeared in the output');
    assert.ok(outputs.length > 10);
    assert.ok(watch.targets.length > 0);
    assert.deepEqual(watch.targets.filter((t) => !isLoopback(t)), []);
  });

  it('gives the same verdicts as `amlnet check` over the equivalent ARM templates', async () => {
    const files = await amlnet(['templates', '--format', 'json', '--service-tags', 'tags.json'], undefined);
    const live = await amlnet(['--azure', '--format', 'json'], hooks());
    assert.equal(live.code, files.code, live.stderr);
    assert.equal(live.code, 1);
    const fromFiles = verdicts(JSON.parse(files.stdout) as CheckReport);
    const fromAzure = verdicts(JSON.parse(live.stdout) as CheckReport);
    assert.deepEqual(fromAzure, fromFiles);
    // The comparison is worth something: the deny on Storage's prefix (judged with Azure's service
    // tags) blocks, and requirements met only by Azure's default rules stay allowed-by-default (they
    // would be "allowed" if defaultSecurityRules were read as rules).
    const all = JSON.stringify(fromAzure);
    assert.match(all, /"aml-out-storage":\{"verdict":"blocked"/);
    assert.match(all, /allowed-by-default/);
    assert.deepEqual(Object.keys(fromAzure).sort(), ['nsg-dev', 'nsg-dev-nic', 'nsg-train', 'nsg-web']);
    const report = JSON.parse(live.stdout) as AzureReport;
    assert.deepEqual(report.azure.subscriptions.map((s) => [s.name, s.state]), [['Prod', 'ok'], ['Dev', 'ok']]);
    assert.equal(report.azure.via, 'resource-graph');
    assert.equal(report.azure.requests, 3);
    for (const r of server.log) {
      assert.ok(r.method === 'GET' || (r.method === 'POST' && /resourcegraph\/resources$/i.test(r.path)), `${r.method} ${r.path}`);
      assert.ok(r.authorized && isLoopback(r.remoteAddress));
    }
    assert.ok(!JSON.stringify(server.log).includes(TEST_TOKEN));
  });

  it('prints the text report and says what it read on stderr', async () => {
    const r = await amlnet(['--azure'], hooks());
    assert.equal(r.code, 1);
    assert.match(r.stdout, /NSG nsg-train\n/);
    assert.match(r.stdout, /BLOCKED aml-out-storage: /);
    assert.match(r.stdout, /Result: FAIL/);
    assert.match(r.stderr, /read 2 of 2 subscriptions in AzureCloud through Resource Graph \(3 requests\)/);
  });

  it('reports a subscription that cannot be read under problems and exits by the verdicts of the others', async () => {
    const r = await amlnet(['--azure', '--format', 'json'], hooks({ mode: 'per-subscription' }));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /subscription Locked \(33333333-3333-3333-3333-333333333333\) could not be read: HTTP 403 AuthorizationFailed/);
    const report = JSON.parse(r.stdout) as AzureReport;
    assert.ok(report.problems.some((p) => p.file === `/subscriptions/${SUB_LOCKED}` && /HTTP 403/.test(p.message)));
    assert.deepEqual(report.azure.subscriptions.map((s) => s.state), ['ok', 'ok', 'error']);
    assert.equal(report.nsgs.length, 4);

    // Only Dev (met) and Locked: exit 0 by Dev's verdicts, the failure still said.
    const dev = await amlnet(['--azure', '--subscription', SUB_DEV, '--subscription', SUB_LOCKED], hooks());
    assert.equal(dev.code, 0, dev.stdout + dev.stderr);
    assert.match(dev.stderr, /subscription 33333333-3333-3333-3333-333333333333 could not be read: not found, or not readable/);
    assert.match(dev.stdout, /Problems reading/);
  });

  it('signs in with a real ClientSecretCredential against the local token endpoint, and keeps its secrets out of output and logs', async () => {
    const clientSecret = (secret: string) => () => new ClientSecretCredential('00000000-0000-4000-8000-0000000000aa', servicePrincipal.id, secret, {
      authorityHost: server.url, disableInstanceDiscovery: true, tlsOptions: { ca: server.certificate },
    });
    const r = await amlnet(['--azure', '--format', 'json'], hooks({ credential: clientSecret(servicePrincipal.secret) }));
    assert.equal(r.code, 1, r.stderr);
    assert.equal((JSON.parse(r.stdout) as AzureReport).nsgs.length, 4);
    const token = server.log.filter((l) => /\/oauth2\/v2\.0\/token$/.test(l.path));
    // One token per kind the SDKs ask for (the core SDKs ask for CAE-enabled tokens, which MSAL caches apart).
    assert.ok(token.length >= 1 && token.every((l) => l.method === 'POST' && l.status === 200));
    for (const l of server.log) {
      assert.ok(l.method === 'GET' || (l.method === 'POST' && (/resourcegraph\/resources$/i.test(l.path) || token.includes(l))), `${l.method} ${l.path}`);
      if (!token.includes(l) && !l.path.includes('/.well-known/')) assert.ok(l.authorized, l.path);
    }
    const log = JSON.stringify(server.log);
    assert.ok(!log.includes(servicePrincipal.secret) && !log.includes(TEST_TOKEN));

    // A wrong secret: sign-in fails once, exit 2, no ARM request.
    server.reset({ forbidden: [SUB_LOCKED] });
    const wrong = await amlnet(['--azure'], hooks({ credential: clientSecret('not-the-secret') }));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /cannot sign in to AzureCloud: .*AADSTS7000215/);
    assert.ok(server.log.every((l) => /\/oauth2\/|\.well-known/.test(l.path)));
  });

  it('exits 2 naming the subscriptions when none can be read', async () => {
    const r = await amlnet(['--azure', '--subscription', SUB_LOCKED], hooks({ mode: 'per-subscription' }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no subscription could be read \(Locked \(33333333-3333-3333-3333-333333333333\)\)/);
    assert.equal(r.stdout, '');
  });

  it('exits 2 when it cannot sign in, before any request', async () => {
    const r = await amlnet(['--azure'], hooks({ credential: () => ({ getToken: () => Promise.reject(new Error('Please run az login')) }) }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot sign in to AzureCloud: Please run az login/);
    assert.equal(server.log.length, 0);
  });

  it('writes SARIF from live subscriptions, filtered by --subscription', async () => {
    const r = await amlnet(['--azure', '--subscription', `${SUB_PROD.toUpperCase()}`, '--format', 'sarif'], hooks());
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string; level: string }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.some((x) => x.ruleId === 'aml-out-storage' && x.level === 'error'));
    assert.deepEqual((server.log.find((l) => /^resources/.test(String((l.body as { query?: string } | undefined)?.query)))!.body as { subscriptions: string[] }).subscriptions, [SUB_PROD]);
  });

  it('reads the cloud --cloud names, with that cloud\'s token scope', async () => {
    const credential = new StaticCredential();
    const r = await amlnet(['--azure', '--cloud', 'AzureChinaCloud', '--subscription', SUB_DEV], hooks({ credential: () => credential }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /read 1 of 1 subscription in AzureChinaCloud/);
    assert.deepEqual([...new Set(credential.scopes)], ['https://management.chinacloudapi.cn/.default']);
  });

  it('rejects --subscription without --azure, paths and --fix with --azure', async () => {
    for (const args of [['--subscription', SUB_PROD], ['--azure', 'templates'], ['--azure', '--fix']]) {
      const r = await amlnet(args, hooks());
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /amlnet check/);
    }
    assert.equal(server.log.length, 0);
  });

  describe('firewalls', () => {
    let fwDir: string;
    before(() => {
      fwDir = join(dir, 'firewall');
      mkdirSync(join(fwDir, 'templates'), { recursive: true });
      writeFileSync(join(fwDir, 'templates', 'hub.json'), JSON.stringify(armTemplate(FIREWALL_FIXTURE.subscriptions[0]), null, 2));
      writeFileSync(join(fwDir, 'tags.json'), JSON.stringify(serviceTagsJson(FIREWALL_FIXTURE.serviceTags)));
      server.setTenant(tenantData(FIREWALL_FIXTURE));
    });
    after(() => server.setTenant(tenantData(FIXTURE)));

    it('gives the same firewall verdicts as `amlnet check` over the equivalent ARM templates: classic rules, a policy with a base policy', async () => {
      const files = await amlnet(['templates', '--format', 'json', '--service-tags', 'tags.json'], undefined, fwDir);
      const live = await amlnet(['--azure', '--format', 'json'], hooks(), fwDir);
      assert.equal(live.code, files.code, live.stderr);
      assert.equal(live.code, 1);
      const fromFiles = JSON.parse(files.stdout) as CheckReport;
      const fromAzure = JSON.parse(live.stdout) as AzureReport;
      assert.deepEqual(firewallVerdicts(fromAzure), firewallVerdicts(fromFiles));
      assert.deepEqual(fromAzure.firewallSummary, fromFiles.firewallSummary);
      assert.deepEqual(verdicts(fromAzure), verdicts(fromFiles));
      // Worth comparing: each kind of outcome is there, decided by the rules that should decide it.
      const fw = firewallVerdicts(fromAzure) as Record<string, { firewall: string; warnings: string[]; requirements: Record<string, { verdict: string; missing?: true; decidedBy: string[] }> }>;
      assert.deepEqual(Object.keys(fw).sort(), ['vnet-hub/snet-jobs', 'vnet-hub/snet-train']);
      const train = fw['vnet-hub/snet-train'];
      assert.equal(train.firewall, 'fw-classic policy null');
      assert.deepEqual(train.warnings, ['amlnet-forced-tunnel']);
      assert.equal(train.requirements['aml-out-azure-machine-learning'].verdict, 'partial');
      assert.ok(train.requirements['aml-out-azure-machine-learning'].decidedBy.includes('fw-classic//deny-rstudio/deny-8787'));
      assert.equal(train.requirements['aml-host-anaconda-com'].verdict, 'blocked');
      assert.equal(train.requirements['aml-host-anaconda-com'].missing, true, 'only the default deny decides it');
      assert.deepEqual(train.requirements['aml-host-wildcard-anaconda-com'].decidedBy, ['fw-classic//allow-packages/conda']);
      const jobs = fw['vnet-hub/snet-jobs'];
      assert.equal(jobs.firewall, 'fw-policy policy fwp-ml');
      assert.equal(jobs.requirements['aml-out-azure-monitor'].verdict, 'blocked', 'the route drops it');
      assert.equal(jobs.requirements['aml-out-azure-machine-learning'].verdict, 'not-applicable', 'routed to the Internet');
      assert.equal(jobs.requirements['aml-host-wildcard-anaconda-org'].verdict, 'blocked');
      assert.deepEqual(jobs.requirements['aml-host-wildcard-anaconda-org'].decidedBy, ['fwp-base/rcg-base/deny-anaconda-org/no-anaconda-org']);
      assert.equal(jobs.requirements['aml-host-pypi-org'].verdict, 'allowed', 'an FQDN network rule, DNS proxy on');
      // Resource Graph: subscriptions, resources, service tags; and one list of rule collection groups per policy in use.
      assert.equal(fromAzure.azure.via, 'resource-graph');
      const groupLists = server.log.filter((l) => /\/firewallpolicies\/[^/]+\/rulecollectiongroups$/i.test(l.path));
      assert.deepEqual(groupLists.map((l) => `${l.method} ${l.path.split('/').slice(-2, -1)[0]}`).sort(), ['GET fwp-base', 'GET fwp-ml']);
      assert.equal(fromAzure.azure.requests, 5);
      assert.equal(server.log.length, 5);
    });

    it('reads firewalls and policies per subscription too, with the same verdicts', async () => {
      const viaGraph = JSON.parse((await amlnet(['--azure', '--format', 'json'], hooks(), fwDir)).stdout) as AzureReport;
      server.reset({ forbidden: [SUB_LOCKED] });
      const per = await amlnet(['--azure', '--format', 'json'], hooks({ mode: 'per-subscription' }), fwDir);
      const report = JSON.parse(per.stdout) as AzureReport;
      assert.equal(report.azure.via, 'per-subscription');
      assert.deepEqual(firewallVerdicts(report), firewallVerdicts(viaGraph));
      assert.ok(server.log.some((l) => /providers\/microsoft\.network\/azurefirewalls$/i.test(l.path)));
      assert.ok(server.log.some((l) => /providers\/microsoft\.network\/firewallpolicies$/i.test(l.path)));
    });

    it('judges a firewall whose policy groups cannot be read unknown, never blocked by a default deny it cannot see, and says why', async () => {
      server.reset({ forbidden: [SUB_LOCKED], forbiddenPaths: [/\/firewallpolicies\/fwp-ml\/rulecollectiongroups$/] });
      const r = await amlnet(['--azure', '--format', 'json'], hooks(), fwDir);
      const report = JSON.parse(r.stdout) as AzureReport;
      const jobs = report.firewalls!.find((f) => f.subnet === 'snet-jobs')!;
      const routedThrough = jobs.requirements.filter((q) => !['aml-out-azure-monitor', 'aml-out-azure-machine-learning'].includes(q.id));
      assert.ok(routedThrough.length > 5);
      for (const q of routedThrough) assert.equal(q.verdict, 'unknown', `${q.id}: ${q.explanation}`);
      assert.match(routedThrough[0].explanation, /the rule collection groups of firewall policy .*fwp-ml could not be read \(HTTP 403 AuthorizationFailed/);
      assert.ok(report.problems.some((p) => /firewallpolicies\/fwp-ml$/i.test(p.file) && /could not be read: HTTP 403/.test(p.message)), JSON.stringify(report.problems));
      // The classic firewall is read as before.
      assert.equal(report.firewalls!.find((f) => f.subnet === 'snet-train')!.requirements.find((q) => q.id === 'aml-host-anaconda-com')!.verdict, 'blocked');
    });
  });
});
