import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { readAzure, retryAfterMs, type AzureReadOptions } from '../../src/azure/read-azure';
import { FakeArmServer, type RequestRecord } from './fake-arm-server';
import { isLoopback, StaticCredential, TEST_TOKEN, watchConnections } from './support';
import { FIXTURE, generatedTenant, SUB_DEV, SUB_LOCKED, SUB_PROD, tenantData } from './tenant';

const GRAPH = '/providers/Microsoft.ResourceGraph/resources';

/** Only reads went out: GETs, and POSTs to the Resource Graph query endpoint. All with the token. */
function assertOnlyReads(log: readonly RequestRecord[]): void {
  assert.ok(log.length > 0);
  for (const r of log) {
    assert.ok(r.method === 'GET' || (r.method === 'POST' && r.path === GRAPH), `${r.method} ${r.path}`);
    assert.ok(r.authorized, `${r.method} ${r.path} carried no bearer token`);
    assert.ok(isLoopback(r.remoteAddress), r.remoteAddress);
  }
}

describe('readAzure against the local ARM and Resource Graph server', () => {
  const server = new FakeArmServer(tenantData(FIXTURE), TEST_TOKEN);
  const watch = watchConnections();
  let credential: StaticCredential;
  const options = (extra: Partial<AzureReadOptions> = {}): AzureReadOptions => ({
    credential, endpoint: server.url, ca: server.certificate, timeoutMs: 20_000, ...extra,
  });

  before(async () => {
    await server.start();
  });
  beforeEach(() => {
    credential = new StaticCredential();
    server.setTenant(tenantData(FIXTURE));
    server.reset({ forbidden: [SUB_LOCKED] });
  });
  after(async () => {
    watch.stop();
    await server.close();
    // Nothing in this file connected anywhere but loopback.
    assert.ok(watch.targets.length > 0);
    assert.deepEqual(watch.targets.filter((t) => !isLoopback(t)), []);
  });

  it('reads the tenant through Resource Graph in three requests: subscriptions, resources, service tags', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    await new Promise(setImmediate); // after mocha has started this test's own timer
    const timersBefore = timers();
    const r = await readAzure(options());
    // No request timer is left running: a CLI run ends when its work does. Timers of other suites in
    // the same process may still be ending, so wait (bounded: far less than the SDK's 60 s request
    // timeout that used to linger) until there are no more than before.
    const deadline = Date.now() + 2000;
    while (timers() > timersBefore && Date.now() < deadline) await new Promise(setImmediate);
    assert.ok(timers() <= timersBefore, `${timers() - timersBefore} timer(s) left running after the read`);
    assert.equal(r.via, 'resource-graph');
    assert.deepEqual(r.subscriptions, [
      { id: SUB_PROD, name: 'Prod', state: 'ok' },
      { id: SUB_DEV, name: 'Dev', state: 'ok' },
    ]);
    assert.deepEqual(r.model.nsgs.map((n) => n.name).sort(), ['nsg-dev', 'nsg-dev-nic', 'nsg-train', 'nsg-web']);
    assert.equal(r.model.computes.length, 2);
    assert.equal(r.model.nics.length, 1);
    assert.equal(r.requests, 3);
    assert.equal(server.log.length, 3);
    assertOnlyReads(server.log);
    const [subs, resources, tags] = server.log;
    assert.match(String((subs.body as { query: string }).query), /^resourcecontainers/);
    assert.deepEqual((resources.body as { subscriptions: string[] }).subscriptions, [SUB_PROD, SUB_DEV]);
    assert.equal((resources.body as { options: { resultFormat: string } }).options.resultFormat, 'objectArray');
    // Service tags once, though NSGs sit in two regions: the location is only the cloud's reference.
    assert.match(tags.path, /\/locations\/westeurope\/serviceTags$/);
    assert.deepEqual(r.serviceTags?.get('storage.westeurope'), ['20.60.0.0/16']);
    assert.deepEqual([...new Set(credential.scopes)], ['https://management.azure.com/.default']);
  });

  it('gives the same model per subscription (following nextLink page by page) as through Resource Graph', async () => {
    const graph = await readAzure(options());
    server.reset({ forbidden: [SUB_LOCKED], armPageSize: 1 });
    const per = await readAzure(options({ mode: 'per-subscription' }));
    assert.equal(per.via, 'per-subscription');
    assert.deepEqual(per.model.nsgs, graph.model.nsgs);
    assert.deepEqual(per.model.vnets, graph.model.vnets);
    assert.deepEqual(per.model.subnets, graph.model.subnets);
    assert.deepEqual(per.model.nics, graph.model.nics);
    assert.deepEqual(per.model.workspaces, graph.model.workspaces);
    assert.deepEqual(per.model.computes, graph.model.computes);
    // nsg-train and nsg-web: two pages, the second through the first page's nextLink.
    const nsgPages = server.log.filter((l) => l.path === `/subscriptions/${SUB_PROD}/providers/Microsoft.Network/networkSecurityGroups`);
    assert.deepEqual(nsgPages.map((l) => new URLSearchParams(l.query).get('$skiptoken')), [null, '1']);
    assert.equal(per.requests, server.log.length);
    assertOnlyReads(server.log);
  });

  it('pages Resource Graph results through $skipToken', async () => {
    server.setTenant(tenantData(generatedTenant(12, 100)));
    server.reset();
    const r = await readAzure(options({ serviceTags: false }));
    assert.equal(r.model.nsgs.length, 1200);
    assert.equal(new Set(r.model.nsgs.map((n) => n.key)).size, 1200);
    const queries = server.log.filter((l) => l.method === 'POST' && /^resources/.test((l.body as { query: string }).query));
    // 1,200 NSGs + 240 VNets + 12 workspaces + 12 computes = 1,464 rows: two pages of 1,000.
    assert.equal(queries.length, 2);
    assert.equal((queries[0].body as { options: { $skipToken?: string } }).options.$skipToken, undefined);
    assert.ok((queries[1].body as { options: { $skipToken?: string } }).options.$skipToken);
    assert.equal(r.requests, 3);
  });

  it('honours 429 Retry-After: the retry comes after the delay (Resource Graph and ARM list calls)', async () => {
    server.reset({ forbidden: [SUB_LOCKED], throttleOnce: [/^\/providers\/microsoft\.resourcegraph\/resources$/], retryAfterSeconds: 1 });
    const graph = await readAzure(options());
    assert.equal(graph.via, 'resource-graph');
    const [throttled, retried] = server.log.filter((l) => l.path === GRAPH);
    assert.equal(throttled.status, 429);
    assert.equal(retried.status, 200);
    assert.ok(retried.at - throttled.at >= 1000, `retried after ${(retried.at - throttled.at).toFixed(0)} ms`);
    assert.equal(graph.requests, 4);

    const prodNsgs = `/subscriptions/${SUB_PROD}/providers/Microsoft.Network/networkSecurityGroups`;
    server.reset({ forbidden: [SUB_LOCKED], throttleOnce: [new RegExp(`^${prodNsgs.toLowerCase()}$`)], retryAfterSeconds: 1 });
    const per = await readAzure(options({ mode: 'per-subscription' }));
    const [first, again] = server.log.filter((l) => l.path === prodNsgs);
    assert.equal(first.status, 429);
    assert.equal(again.status, 200);
    assert.ok(again.at - first.at >= 1000, `retried after ${(again.at - first.at).toFixed(0)} ms`);
    assert.deepEqual(per.subscriptions.map((s) => s.state), ['ok', 'ok', 'error']);
    assert.deepEqual(per.model.nsgs.map((n) => n.name).sort(), ['nsg-dev', 'nsg-dev-nic', 'nsg-train', 'nsg-web']);
  });

  it('records a 403 on its subscription and still reads the others', async () => {
    const per = await readAzure(options({ mode: 'per-subscription' }));
    const locked = per.subscriptions.find((s) => s.id === SUB_LOCKED)!;
    assert.equal(locked.state, 'error');
    assert.match(locked.error!, /^HTTP 403 AuthorizationFailed: /);
    assert.deepEqual(per.subscriptions.filter((s) => s.state === 'ok').map((s) => s.name), ['Prod', 'Dev']);
    assert.equal(per.model.nsgs.length, 4);
    assert.ok(per.model.problems.some((p) => p.severity === 'error' && p.file === `/subscriptions/${SUB_LOCKED}` && /Locked .* could not be read: HTTP 403/.test(p.message)));

    // Through Resource Graph a subscription the sign-in cannot read is not listed: asked for, it is an error.
    server.reset({ forbidden: [SUB_LOCKED] });
    const graph = await readAzure(options({ subscriptions: [SUB_PROD, SUB_LOCKED.toUpperCase()] }));
    assert.deepEqual(graph.subscriptions.map((s) => [s.id, s.state]), [[SUB_PROD, 'ok'], [SUB_LOCKED, 'error']]);
    assert.match(graph.subscriptions[1].error!, /not readable with this sign-in/);
    assert.deepEqual(graph.model.nsgs.map((n) => n.name).sort(), ['nsg-train', 'nsg-web']);
  });

  it('gives up on a subscription that does not answer, within the timeout, and reads the others', async () => {
    server.reset({ forbidden: [SUB_LOCKED], hang: [SUB_DEV] });
    const start = performance.now();
    const r = await readAzure(options({ mode: 'per-subscription', timeoutMs: 1000 }));
    const took = performance.now() - start;
    assert.ok(took < 8000, `took ${took.toFixed(0)} ms`);
    const dev = r.subscriptions.find((s) => s.id === SUB_DEV)!;
    assert.equal(dev.state, 'error');
    assert.match(dev.error!, /timed out/);
    assert.equal(r.subscriptions.find((s) => s.id === SUB_PROD)!.state, 'ok');
    assert.deepEqual(r.model.nsgs.map((n) => n.name).sort(), ['nsg-train', 'nsg-web']);
  });

  it('falls back to per-subscription reads when Resource Graph fails, does not answer or truncates', async () => {
    const why = { forbidden: /HTTP 403/, hang: /timed out/, truncated: /truncated the result/ };
    for (const fault of ['forbidden', 'hang', 'truncated'] as const) {
      server.reset({ forbidden: [SUB_LOCKED], graph: fault });
      const r = await readAzure(options({ timeoutMs: 1000 }));
      assert.equal(r.via, 'per-subscription');
      assert.match(r.fallbackReason!, why[fault]);
      assert.deepEqual(r.subscriptions.map((s) => s.state), ['ok', 'ok', 'error']);
      assert.equal(r.model.nsgs.length, 4);
      assertOnlyReads(server.log);
    }
  });

  it('stops when cancelled, rejecting with an AbortError rather than returning part of the tenant', async () => {
    server.reset({ forbidden: [SUB_LOCKED], hang: [SUB_DEV] });
    const controller = new AbortController();
    const reading = readAzure(options({ mode: 'per-subscription', signal: controller.signal, timeoutMs: 60_000 }));
    // Cancel once Dev's requests are being held.
    for (let i = 0; i < 500 && !server.log.some((l) => l.path.includes(SUB_DEV)); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(server.log.some((l) => l.path.includes(SUB_DEV)), 'Dev was never asked');
    const start = performance.now();
    controller.abort();
    await assert.rejects(reading, { name: 'AbortError' });
    assert.ok(performance.now() - start < 5000);
  });

  it('does not follow a nextLink to another host', async () => {
    server.reset({ forbidden: [SUB_LOCKED], armPageSize: 1, nextLinkOrigin: 'https://example.invalid' });
    const r = await readAzure(options({ mode: 'per-subscription', subscriptions: [SUB_PROD] }));
    assert.equal(r.subscriptions[0].state, 'error');
    assert.match(r.subscriptions[0].error!, /refused a request to https:\/\/example\.invalid/);
    assert.ok(server.log.every((l) => l.host.startsWith('127.0.0.1:')));
  });

  it('asks for tokens of the cloud it reads (Azure China)', async () => {
    const r = await readAzure(options({ cloud: 'AzureChinaCloud', mode: 'per-subscription', subscriptions: [SUB_PROD] }));
    assert.equal(r.subscriptions[0].state, 'ok');
    assert.deepEqual([...new Set(credential.scopes)], ['https://management.chinacloudapi.cn/.default']);
  });

  it('reads how long a 429 asks to wait', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs(undefined, '00:00:05'), 5000);
    assert.equal(retryAfterMs(null, '00:01:00.5'), 60_500);
    const date = retryAfterMs(new Date(Date.now() + 10_000).toUTCString())!;
    assert.ok(date > 8000 && date <= 10_000, String(date));
    assert.equal(retryAfterMs('soon'), undefined);
  });

  it('stops before any request when the credential gives no token', async () => {
    const failing = { getToken: () => Promise.reject(new Error('not signed in: run az login')) };
    await assert.rejects(readAzure({ ...options(), credential: failing }), /not signed in: run az login/);
    assert.equal(server.log.length, 0);
  });
});
