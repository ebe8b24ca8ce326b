// Live Azure into the model: Azure Resource Graph for a whole tenant in a few requests (the
// default), or @azure/arm-network and @azure/arm-machinelearning list calls per subscription (the
// fallback when Resource Graph cannot be queried, and the bench's comparison). Both hand raw ARM
// JSON to the same pure mapping (map-arm.ts). Only reads: every request passes a guard that lets
// through GET and the Resource Graph query POST and nothing else, to the ARM endpoint only.

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setMaxListeners } from 'node:events';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { NetworkManagementClient, type NetworkManagementClientOptionalParams } from '@azure/arm-network';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { ServiceTagPrefixes } from '../core/evaluation-context';
import type { Cloud } from '../core/requirement';
import type { WorkspaceModel } from '../core/model/workspace-model';
import { loadServiceTagPrefixes } from '../core/service-tag-prefixes';
import { CLOUD_ENDPOINTS } from './clouds';
import { keyOf, mapArmResources, RESOURCE_TYPES, subscriptionOf, type ArmResourceJson } from './map-arm';
import { GRAPH_PAGE_SIZE, GRAPH_SUBSCRIPTION_BATCH, resourcesQuery, SUBSCRIPTIONS_QUERY } from './graph-queries';

export interface AzureReadOptions {
  /** Any credential: DefaultAzureCredential in the CLI, VS Code's session in the extension, a static one in tests. */
  readonly credential: TokenCredential;
  readonly cloud?: Cloud;
  /** Another ARM endpoint than the cloud's (the tests' local server), e.g. `https://127.0.0.1:8443`. */
  readonly endpoint?: string;
  /** PEM certificates to trust besides the system's (the tests' self-signed certificate). */
  readonly ca?: string;
  /** Subscription ids to read; default: every subscription the credential can read. */
  readonly subscriptions?: readonly string[];
  /** `graph` (default): Azure Resource Graph, falling back to per-subscription calls if it fails. */
  readonly mode?: 'graph' | 'per-subscription';
  /** Fetch service tags with their prefixes (default true). */
  readonly serviceTags?: boolean;
  /** Per HTTP request; a request that takes longer is abandoned (default 60 s). */
  readonly timeoutMs?: number;
  /** Retries of throttled (429, honouring Retry-After) and transient failures (default 3). */
  readonly maxRetries?: number;
  /** Per-subscription mode: subscriptions read at once (default 8). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

export interface SubscriptionStatus {
  readonly id: string;
  readonly name: string;
  readonly state: 'ok' | 'error';
  readonly error?: string;
}

export interface AzureReadResult {
  readonly model: WorkspaceModel;
  readonly subscriptions: readonly SubscriptionStatus[];
  readonly serviceTags?: ServiceTagPrefixes;
  /** Why service tags could not be read, when they could not. */
  readonly serviceTagsError?: string;
  /** HTTP requests sent to ARM and Resource Graph, retries included (token requests are the credential's). */
  readonly requests: number;
  readonly via: 'resource-graph' | 'per-subscription';
  /** Why Resource Graph was not used in graph mode. */
  readonly fallbackReason?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const SUBSCRIPTIONS_API = '2022-12-01';
const GRAPH_RESOURCES_PATH = /^\/providers\/microsoft\.resourcegraph\/resources$/i;

/** Thrown by the guard: amlnet never writes to Azure. */
export class RefusedRequestError extends Error {}

/** The credential gave no token (not signed in, expired, no identity available). */
export class AzureSignInError extends Error {}

type Json = Record<string, unknown>;

// SDK option types, taken from the clients' own signatures (their runtimes are not dependencies of ours).
type CoreClientOptions = NetworkManagementClientOptionalParams;
type CorePolicy = NonNullable<CoreClientOptions['additionalPolicies']>[number]['policy'];
type GraphClientOptions = NonNullable<ConstructorParameters<typeof ResourceGraphClient>[1]>;
type GraphPolicyFactory = Extract<GraphClientOptions['requestPolicyFactories'], readonly unknown[]>[number];
type GraphPolicy = ReturnType<GraphPolicyFactory['create']>;
type GraphRequest = Parameters<GraphPolicy['sendRequest']>[0];

/** Wraps a credential so every token is for one scope (the old Resource Graph SDK guesses it from the endpoint). */
function scopedCredential(credential: TokenCredential, scope: string): TokenCredential {
  return { getToken: (_scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => credential.getToken(scope, options) };
}

/** Cancelled through `signal`: readAzure rejects with an AbortError rather than returning partial results. */
function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw Object.assign(new Error('reading Azure was cancelled'), { name: 'AbortError' });
}

/** The status, error code and message of an SDK error, without headers, tokens or request bodies. */
export function describeError(err: unknown, timeoutMs: number, signal?: AbortSignal): string {
  const e = err as { name?: string; statusCode?: number; code?: string; message?: string; body?: unknown } | undefined;
  if (err instanceof RefusedRequestError) return err.message;
  const aborted = e?.name === 'AbortError' || e?.code === 'REQUEST_ABORTED_ERROR';
  if (aborted) return signal?.aborted ? 'cancelled' : `timed out (no answer within ${timeoutMs / 1000} s)`;
  let message = typeof e?.message === 'string' ? e.message : String(err);
  // ms-rest-js puts the ARM error body's text in message; keep it short and on one line.
  const body = e?.body as { error?: { code?: string; message?: string }; code?: string; message?: string } | undefined;
  const code = body?.error?.code ?? body?.code ?? (typeof e?.code === 'string' && !/^[A-Z_]+_ERROR$/.test(e.code) ? e.code : undefined);
  if (body?.error?.message ?? body?.message) message = (body?.error?.message ?? body?.message)!;
  message = message.replace(/\s+/g, ' ').trim();
  if (message.length > 300) message = `${message.slice(0, 297)}...`;
  const status = typeof e?.statusCode === 'number' ? `HTTP ${e.statusCode}` : undefined;
  return [status, code].filter(Boolean).join(' ') + (status || code ? `: ${message}` : message);
}

const MAX_RETRY_AFTER_MS = 120_000;

/**
 * How long a 429 asks to wait: `Retry-After` (seconds or an HTTP date), else Resource Graph's
 * `x-ms-user-quota-resets-after` (hh:mm:ss).
 */
export function retryAfterMs(retryAfter: string | undefined | null, quotaResetsAfter?: string | null): number | undefined {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const m = quotaResetsAfter ? /^(\d+):(\d{2}):(\d{2})(\.\d+)?$/.exec(quotaResetsAfter) : null;
  if (m) return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3]) + Number(m[4] ?? 0)) * 1000;
  return undefined;
}

function sleep(ms: number, signal?: { aborted: boolean; addEventListener?(type: 'abort', listener: () => void): void }): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener?.('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * A 429 retry for the Resource Graph client. Its SDK (arm-resourcegraph 4, on ms-rest-js) has a
 * throttling policy, but above the policy that turns error responses into exceptions, so a 429
 * never reaches it (found through the test server). This one sits below.
 */
function throttleRetryFactory(maxRetries: number): GraphPolicyFactory {
  return {
    create: (nextPolicy) => ({
      sendRequest: async (request: GraphRequest) => {
        for (let attempt = 0; ; attempt++) {
          const response = await nextPolicy.sendRequest(request);
          if (response.status !== 429 || attempt >= maxRetries || request.abortSignal?.aborted) return response;
          const wait = retryAfterMs(response.headers.get('retry-after'), response.headers.get('x-ms-user-quota-resets-after'));
          if (wait === undefined || wait > MAX_RETRY_AFTER_MS) return response;
          await sleep(wait, request.abortSignal);
        }
      },
    }),
  };
}

/** Runs `f` over `items`, at most `limit` at once, keeping the order of results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The clients of one read, sharing the guard, the request count, TLS trust and timeouts. */
class AzureSession {
  requests = 0;
  readonly endpoint: string;
  readonly scope: string;
  readonly timeoutMs: number;
  private readonly origin: string;
  private graph?: ResourceGraphClient;

  /** Aborted with the caller's signal; every request listens to this one, so the caller's gets one listener. */
  readonly signal: AbortSignal;

  constructor(readonly options: AzureReadOptions) {
    const cancel = new AbortController();
    setMaxListeners(0, cancel.signal); // one listener per request in flight
    if (options.signal?.aborted) cancel.abort();
    else options.signal?.addEventListener('abort', () => cancel.abort(), { once: true });
    this.signal = cancel.signal;
    const cloud = CLOUD_ENDPOINTS[options.cloud ?? 'AzureCloud'];
    this.endpoint = (options.endpoint ?? cloud.resourceManager).replace(/\/+$/, '');
    this.scope = cloud.scope;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.origin = new URL(this.endpoint).origin;
  }

  /** Every request goes through here: reads only, to the ARM endpoint only; counted. */
  guard(method: string, url: string): void {
    const u = new URL(url);
    if (u.origin !== this.origin) throw new RefusedRequestError(`amlnet refused a request to ${u.origin}: it talks only to ${this.origin}`);
    const m = method.toUpperCase();
    if (!(m === 'GET' || (m === 'POST' && GRAPH_RESOURCES_PATH.test(u.pathname)))) {
      throw new RefusedRequestError(`amlnet refused to send ${m} ${u.pathname}: it only reads`);
    }
    this.requests++;
  }

  /** Options for the core-client SDKs (arm-network, arm-machinelearning). */
  private coreOptions(): CoreClientOptions {
    const guard: CorePolicy = {
      name: 'amlnetReadOnlyGuard',
      sendRequest: (request, next) => {
        this.guard(request.method, request.url);
        return next(request);
      },
    };
    return {
      endpoint: this.endpoint,
      $host: this.endpoint,
      credentialScopes: [this.scope],
      retryOptions: { maxRetries: this.options.maxRetries ?? 3 },
      userAgentOptions: { userAgentPrefix: 'amlnet' },
      ...(this.options.ca ? { tlsOptions: { ca: this.options.ca } } : {}),
      additionalPolicies: [{ position: 'perRetry', policy: guard }],
    };
  }

  network(subscription: string): NetworkManagementClient {
    return new NetworkManagementClient(this.options.credential, subscription, this.coreOptions());
  }

  ml(subscription: string): AzureMachineLearningWorkspaces {
    return new AzureMachineLearningWorkspaces(this.options.credential, subscription, this.coreOptions());
  }

  /** The Resource Graph client (the ms-rest-js SDK): also used for plain ARM GETs (subscriptions). */
  resourceGraph(): ResourceGraphClient {
    if (this.graph) return this.graph;
    const ca = this.options.ca;
    const guardFactory: GraphPolicyFactory = {
      create: (nextPolicy) => ({
        sendRequest: (request: GraphRequest) => {
          this.guard(request.method, request.url);
          return nextPolicy.sendRequest(request);
        },
      }),
    };
    this.graph = new ResourceGraphClient(scopedCredential(this.options.credential, this.scope), {
      baseUri: this.endpoint,
      userAgent: 'amlnet',
      ...(ca ? { agentSettings: { https: new HttpsAgent({ ca, keepAlive: true }), http: new HttpAgent() } } : {}),
      // Innermost, below the SDK's own policies: 429s are retried before its deserialization turns
      // them into errors, and every attempt is guarded and counted.
      requestPolicyFactories: (defaults) => [...defaults, throttleRetryFactory(this.options.maxRetries ?? 3), guardFactory],
    });
    return this.graph;
  }

  /**
   * Runs one Resource Graph client call with the timeout. Not through ms-rest-js's own `timeout`:
   * it never clears its timer, which would keep the process alive that long after the answer.
   */
  async withTimeout<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const onAbort = () => controller.abort();
    if (this.signal.aborted) controller.abort();
    this.signal.addEventListener('abort', onAbort);
    try {
      return await call(controller.signal);
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  requestOptions() {
    return { requestOptions: { timeout: this.timeoutMs }, abortSignal: this.signal };
  }
}

// ---------------------------------------------------------------------------------------------
// Resource Graph

async function graphQuery(session: AzureSession, query: string, subscriptions?: readonly string[]): Promise<Json[]> {
  const client = session.resourceGraph();
  const rows: Json[] = [];
  const batches = subscriptions ? chunk(subscriptions, GRAPH_SUBSCRIPTION_BATCH) : [undefined];
  for (const batch of batches) {
    let skipToken: string | undefined;
    do {
      const res = await session.withTimeout((abortSignal) => client.resources(
        { query, ...(batch ? { subscriptions: [...batch] } : {}), options: { resultFormat: 'objectArray', top: GRAPH_PAGE_SIZE, ...(skipToken ? { skipToken } : {}) } },
        // ms-rest-js types its signal as @azure/abort-controller 1's AbortSignalLike; Node's AbortSignal works at run time.
        { abortSignal: abortSignal as never },
      ));
      if (Array.isArray(res.data)) rows.push(...(res.data as Json[]));
      skipToken = res.skipToken;
      // Without a page token a truncated answer would lose rows silently: fail, so the caller falls back.
      if (!skipToken && String(res.resultTruncated).toLowerCase() === 'true') throw new Error('Resource Graph truncated the result and gave no page token');
    } while (skipToken);
  }
  return rows;
}

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

interface Listed {
  readonly subscriptions: SubscriptionStatus[];
  readonly resources: ArmResourceJson[];
}

async function readThroughGraph(session: AzureSession): Promise<Listed> {
  const wanted = session.options.subscriptions?.map((s) => s.toLowerCase());
  session.options.onProgress?.('Listing subscriptions (Resource Graph)');
  const rows = await graphQuery(session, SUBSCRIPTIONS_QUERY, wanted);
  const visible = new Map<string, SubscriptionStatus>();
  for (const r of rows) {
    const id = typeof r.subscriptionId === 'string' ? r.subscriptionId.toLowerCase() : undefined;
    if (id && (!wanted || wanted.includes(id))) visible.set(id, { id, name: typeof r.name === 'string' ? r.name : id, state: 'ok' });
  }
  const subscriptions: SubscriptionStatus[] = [...visible.values()];
  for (const id of wanted ?? []) {
    if (!visible.has(id)) subscriptions.push({ id, name: id, state: 'error', error: 'not found, or not readable with this sign-in (Resource Graph does not list it)' });
  }
  const readable = [...visible.keys()];
  session.options.onProgress?.(`Querying ${readable.length} subscriptions (Resource Graph)`);
  const resources = readable.length ? await graphQuery(session, resourcesQuery(), readable) : [];
  return { subscriptions, resources };
}

// ---------------------------------------------------------------------------------------------
// Per subscription

/** Plain ARM GETs (the subscription list) through the Resource Graph client's authenticated pipeline. */
async function armGet(session: AzureSession, url: string): Promise<Json> {
  const res = await session.withTimeout((abortSignal) => session.resourceGraph().sendRequest({ url, method: 'GET', abortSignal: abortSignal as never }));
  const body = (res.parsedBody ?? (res.bodyAsText ? JSON.parse(res.bodyAsText) : {})) as Json;
  if (res.status !== 200) {
    throw Object.assign(new Error((body.error as Json | undefined)?.message as string ?? `HTTP ${res.status}`), { statusCode: res.status, body });
  }
  return body;
}

async function listSubscriptions(session: AzureSession): Promise<SubscriptionStatus[]> {
  const out: SubscriptionStatus[] = [];
  let url: string | undefined = `${session.endpoint}/subscriptions?api-version=${SUBSCRIPTIONS_API}`;
  while (url) {
    const body = await armGet(session, url);
    for (const s of (body.value as Json[] | undefined) ?? []) {
      const id = String(s.subscriptionId ?? '').toLowerCase();
      if (id) out.push({ id, name: typeof s.displayName === 'string' ? s.displayName : id, state: 'ok' });
    }
    url = typeof body.nextLink === 'string' ? body.nextLink : undefined;
  }
  return out;
}

async function subscriptionStatus(session: AzureSession, id: string): Promise<SubscriptionStatus> {
  try {
    const body = await armGet(session, `${session.endpoint}/subscriptions/${encodeURIComponent(id)}?api-version=${SUBSCRIPTIONS_API}`);
    return { id, name: typeof body.displayName === 'string' ? body.displayName : id, state: 'ok' };
  } catch (e) {
    return { id, name: id, state: 'error', error: describeError(e, session.timeoutMs, session.options.signal) };
  }
}

/** The raw ARM JSON of every page an SDK list call fetches (its `value`s), following nextLink through the SDK's paging. */
async function listRaw(start: (options: object) => { byPage(): AsyncIterable<unknown> }, session: AzureSession): Promise<ArmResourceJson[]> {
  const items: ArmResourceJson[] = [];
  const options = {
    ...session.requestOptions(),
    onResponse: (raw: { status: number; bodyAsText?: string | null }, _flat: unknown, error?: unknown) => {
      if (error || raw.status !== 200 || !raw.bodyAsText) return;
      const value = (JSON.parse(raw.bodyAsText) as { value?: unknown }).value;
      if (Array.isArray(value)) items.push(...(value as ArmResourceJson[]));
    },
  };
  for await (const page of start(options).byPage()) void page;
  return items;
}

async function readSubscription(session: AzureSession, subscription: string): Promise<ArmResourceJson[]> {
  const net = session.network(subscription);
  const ml = session.ml(subscription);
  const lists = await Promise.allSettled([
    listRaw((o) => net.networkSecurityGroups.listAll(o), session),
    listRaw((o) => net.virtualNetworks.listAll(o), session),
    listRaw((o) => net.networkInterfaces.listAll(o), session),
    listRaw((o) => net.routeTables.listAll(o), session),
    listRaw((o) => ml.workspaces.listBySubscription(o), session),
    listRaw((o) => net.azureFirewalls.listAll(o), session),
    listRaw((o) => net.firewallPolicies.listAll(o), session),
  ]);
  const failed = lists.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  const resources = lists.flatMap((l) => (l as PromiseFulfilledResult<ArmResourceJson[]>).value);
  const workspaces = resources.filter((r) => typeof r.type === 'string' && r.type.toLowerCase() === 'microsoft.machinelearningservices/workspaces');
  const computes = await Promise.all(workspaces.map((w) => {
    const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)$/i.exec(String(w.id));
    return m ? listRaw((o) => ml.computeOperations.list(decodeURIComponent(m[1]), decodeURIComponent(m[2]), o), session) : Promise.resolve([]);
  }));
  // Only NICs with an NSG matter (as in the Resource Graph query).
  return [...resources.filter((r) => !isNicWithoutNsg(r)), ...computes.flat()];
}

function isNicWithoutNsg(r: ArmResourceJson): boolean {
  return typeof r.type === 'string' && r.type.toLowerCase() === 'microsoft.network/networkinterfaces'
    && !(r.properties as { networkSecurityGroup?: unknown } | undefined)?.networkSecurityGroup;
}

async function readPerSubscription(session: AzureSession): Promise<Listed> {
  const wanted = session.options.subscriptions?.map((s) => s.toLowerCase());
  session.options.onProgress?.('Listing subscriptions');
  const subscriptions = wanted
    ? await mapLimit(wanted, session.options.concurrency ?? 8, (id) => subscriptionStatus(session, id))
    : await listSubscriptions(session);
  const resources: ArmResourceJson[] = [];
  let done = 0;
  const read = await mapLimit(subscriptions, session.options.concurrency ?? 8, async (s): Promise<SubscriptionStatus> => {
    if (s.state === 'error') return s;
    try {
      resources.push(...await readSubscription(session, s.id));
      return s;
    } catch (e) {
      return { ...s, state: 'error', error: describeError(e, session.timeoutMs, session.options.signal) };
    } finally {
      session.options.onProgress?.(`Read ${++done} of ${subscriptions.length} subscriptions`);
    }
  });
  return { subscriptions: read, resources };
}

// ---------------------------------------------------------------------------------------------
// Firewall policies' rule collection groups

function typeOf(r: ArmResourceJson): string {
  return typeof r.type === 'string' ? r.type.toLowerCase() : '';
}

/** The policies a firewall uses, with their base policies (transitively): the only ones whose groups matter. */
export function policiesInUse(resources: readonly ArmResourceJson[]): string[] {
  const policies = new Map<string, ArmResourceJson>();
  for (const r of resources) if (typeOf(r) === RESOURCE_TYPES.firewallPolicy && typeof r.id === 'string') policies.set(keyOf(r.id), r);
  const refOf = (v: unknown): string | undefined => {
    const id = (v as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? keyOf(id) : undefined;
  };
  const out = new Set<string>();
  const visit = (key: string | undefined) => {
    while (key && policies.has(key) && !out.has(key)) {
      out.add(key);
      key = refOf((policies.get(key)!.properties as { basePolicy?: unknown } | undefined)?.basePolicy);
    }
  };
  for (const r of resources) if (typeOf(r) === RESOURCE_TYPES.firewall) visit(refOf((r.properties as { firewallPolicy?: unknown } | undefined)?.firewallPolicy));
  return [...out].sort().map((k) => String(policies.get(k)!.id));
}

/**
 * The rule collection groups of the policies in use: one list call per policy (the groups are not
 * in Resource Graph's `resources` table). A policy whose groups cannot be read is returned with why.
 */
async function readRuleCollectionGroups(session: AzureSession, resources: readonly ArmResourceJson[]): Promise<{ groups: ArmResourceJson[]; unread: Map<string, string> }> {
  const groups: ArmResourceJson[] = [];
  const unread = new Map<string, string>();
  const ids = policiesInUse(resources);
  if (!ids.length) return { groups, unread };
  session.options.onProgress?.(`Reading the rule collection groups of ${ids.length} firewall polic${ids.length === 1 ? 'y' : 'ies'}`);
  await mapLimit(ids, session.options.concurrency ?? 8, async (id) => {
    const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/firewallPolicies\/([^/]+)$/i.exec(id);
    if (!m) {
      unread.set(keyOf(id), 'its resource id is not one amlnet can read groups under');
      return;
    }
    try {
      const net = session.network(m[1]);
      groups.push(...await listRaw((o) => net.firewallPolicyRuleCollectionGroups.list(decodeURIComponent(m[2]), decodeURIComponent(m[3]), o), session));
    } catch (e) {
      if (e instanceof RefusedRequestError) throw e;
      throwIfCancelled(session.options.signal);
      unread.set(keyOf(id), describeError(e, session.timeoutMs, session.options.signal));
    }
  });
  // Listed groups carry their type; make sure of it (the mapping goes by type).
  return { groups: groups.map((g) => (typeof g.type === 'string' ? g : { ...g, type: RESOURCE_TYPES.ruleCollectionGroup })), unread };
}

// ---------------------------------------------------------------------------------------------
// Service tags

/**
 * Service tags with their prefixes. One call per cloud: the location of `serviceTags.list` is a
 * reference for the cloud, not a filter (the answer holds every region's tags of that cloud).
 */
async function readServiceTags(session: AzureSession, subscription: string, location: string): Promise<ServiceTagPrefixes> {
  const [raw] = await listRawSingle(session, subscription, location);
  const loaded = loadServiceTagPrefixes(raw);
  if (loaded.prefixes.size === 0) throw new Error(loaded.errors[0] ?? 'no service tags in the answer');
  return loaded.prefixes;
}

async function listRawSingle(session: AzureSession, subscription: string, location: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  await session.network(subscription).serviceTags.list(location, {
    ...session.requestOptions(),
    onResponse: (raw: { status: number; bodyAsText?: string | null }, _flat: unknown, error?: unknown) => {
      if (!error && raw.status === 200 && raw.bodyAsText) bodies.push(JSON.parse(raw.bodyAsText));
    },
  });
  return bodies;
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads VNets, subnets, NSGs, NICs with an NSG, route tables, Azure ML workspaces and computes
 * (and service tags) from the subscriptions the credential can read, into one linked model. A
 * subscription that fails is recorded with its error; the others are still read.
 */
export async function readAzure(options: AzureReadOptions): Promise<AzureReadResult> {
  const session = new AzureSession(options);
  // One token first: a sign-in problem is said once, not as every subscription's error.
  try {
    const token = await options.credential.getToken(session.scope, { abortSignal: options.signal });
    if (!token) throw new Error('the credential returned no token');
  } catch (e) {
    throw new AzureSignInError(((e as Error | undefined)?.message ?? String(e)).replace(/\s+/g, ' ').trim());
  }
  let listed: Listed;
  let via: AzureReadResult['via'] = 'resource-graph';
  let fallbackReason: string | undefined;
  if ((options.mode ?? 'graph') === 'graph') {
    try {
      listed = await readThroughGraph(session);
    } catch (e) {
      throwIfCancelled(options.signal);
      if (e instanceof RefusedRequestError) throw e;
      fallbackReason = `Resource Graph could not be queried (${describeError(e, session.timeoutMs, options.signal)}); read per subscription instead`;
      options.onProgress?.(fallbackReason);
      via = 'per-subscription';
      listed = await readPerSubscription(session);
    }
  } else {
    via = 'per-subscription';
    listed = await readPerSubscription(session);
  }
  throwIfCancelled(options.signal);
  const subscriptions = listed.subscriptions;
  const unread = new Map(subscriptions.filter((s) => s.state === 'error').map((s) => [s.id, s.error ?? 'error']));
  const okSubs = new Set(subscriptions.filter((s) => s.state === 'ok').map((s) => s.id));
  // Rows of a subscription that failed part-way are dropped with it.
  const resources = listed.resources.filter((r) => typeof r.id !== 'string' || okSubs.has(subscriptionOf(r.id) ?? ''));
  const policyGroups = await readRuleCollectionGroups(session, resources);
  throwIfCancelled(options.signal);
  const mapped = mapArmResources([...resources, ...policyGroups.groups], { unreadSubscriptions: unread, unreadPolicies: policyGroups.unread });
  const model: WorkspaceModel = {
    ...mapped,
    problems: [
      ...mapped.problems,
      ...subscriptions.filter((s) => s.state === 'error').map((s) => ({
        file: `/subscriptions/${s.id}`,
        severity: 'error' as const,
        message: `subscription ${s.name === s.id ? s.id : `${s.name} (${s.id})`} could not be read: ${s.error ?? 'error'}`,
      })),
      ...[...policyGroups.unread].map(([id, why]) => ({
        file: id,
        severity: 'error' as const,
        message: `the rule collection groups of firewall policy ${id} could not be read: ${why}; the firewalls using it are judged unknown`,
      })),
    ],
  };

  let serviceTags: ServiceTagPrefixes | undefined;
  let serviceTagsError: string | undefined;
  const first = subscriptions.find((s) => s.state === 'ok');
  if ((options.serviceTags ?? true) && first && model.nsgs.length) {
    const location = model.nsgs.map((n) => n.location).find((l): l is { kind: 'name'; name: string } => !!l && 'kind' in l && l.kind === 'name')?.name
      ?? CLOUD_ENDPOINTS[options.cloud ?? 'AzureCloud'].referenceRegion;
    options.onProgress?.('Reading service tags');
    try {
      serviceTags = await readServiceTags(session, first.id, location);
    } catch (e) {
      if (e instanceof RefusedRequestError) throw e;
      serviceTagsError = describeError(e, session.timeoutMs, options.signal);
    }
  }
  throwIfCancelled(options.signal);
  return { model, subscriptions, serviceTags, serviceTagsError, requests: session.requests, via, fallbackReason };
}
