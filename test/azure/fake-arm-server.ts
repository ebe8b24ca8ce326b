// A local HTTPS server that speaks the REST shapes amlnet's SDK clients call: ARM list calls
// (paged through nextLink), the subscription list, Azure ML computes, service tags, and Azure
// Resource Graph's `resources` query (paged through $skipToken). Its certificate is made at
// start by `selfsigned`; clients trust it through the `ca` option (no NODE_TLS_REJECT_UNAUTHORIZED).
// Firewalls and policies are listed like the other network types; a policy's rule collection groups
// only through the per-policy list call (Resource Graph's `resources` table does not hold them).
// It records every request (never the Authorization header's value) and can fail on purpose:
// 403 for a subscription, 429 with Retry-After, a response held until the client gives up.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { generate } from 'selfsigned';

/** A resource as ARM returns it from a GET: id, name, type (ARM's casing), location, properties. */
export interface ArmResource {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly location?: string;
  readonly properties: Record<string, unknown>;
  readonly [other: string]: unknown;
}

export interface TenantData {
  readonly subscriptions: readonly { readonly id: string; readonly name: string }[];
  readonly resources: readonly ArmResource[];
  /** The body of `GET .../locations/{location}/serviceTags` (a ServiceTagsListResult). */
  readonly serviceTags: unknown;
}

export interface Faults {
  /** Subscriptions answered 403 AuthorizationFailed under `/subscriptions/{id}/...` and hidden from Resource Graph. */
  forbidden?: readonly string[];
  /** Paths (matched against the lower-cased path) answered 403 AuthorizationFailed. */
  forbiddenPaths?: readonly RegExp[];
  /** Subscriptions whose requests are never answered (until the server closes). */
  hang?: readonly string[];
  /** Paths (matched against the lower-cased path) answered 429 with Retry-After the first time each pattern matches. */
  throttleOnce?: readonly RegExp[];
  retryAfterSeconds?: number;
  /** Resource Graph queries answered 403, never answered, or truncated (`resultTruncated` without a page token). */
  graph?: 'forbidden' | 'hang' | 'truncated';
  /** Items per page of ARM list calls (nextLink); default 50. */
  armPageSize?: number;
  /** Put this origin in nextLinks instead of the server's own (a client must not follow it). */
  nextLinkOrigin?: string;
}

export interface RequestRecord {
  readonly method: string;
  /** The path, as sent. */
  readonly path: string;
  readonly query: string;
  /** Milliseconds since the server started (performance.now()). */
  readonly at: number;
  status: number;
  readonly remoteAddress: string;
  readonly host: string;
  /** Whether it carried `Authorization: Bearer <the test token>`. The header's value is never kept. */
  readonly authorized: boolean;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
}

const NSG_TYPES: Record<string, string> = {
  networksecuritygroups: 'microsoft.network/networksecuritygroups',
  virtualnetworks: 'microsoft.network/virtualnetworks',
  networkinterfaces: 'microsoft.network/networkinterfaces',
  routetables: 'microsoft.network/routetables',
  azurefirewalls: 'microsoft.network/azurefirewalls',
  firewallpolicies: 'microsoft.network/firewallpolicies',
};
/** A policy's child resources: listed per policy, and (as in Azure) not in Resource Graph's `resources` table. */
const RULE_COLLECTION_GROUPS = 'microsoft.network/firewallpolicies/rulecollectiongroups';

export class FakeArmServer {
  readonly log: RequestRecord[] = [];
  faults: Faults = {};
  private server?: Server;
  private started = 0;
  private throttled = new Set<RegExp>();
  private held: ServerResponse[] = [];
  private bySubscription = new Map<string, Map<string, ArmResource[]>>();
  private ca = '';

  /**
   * `client`: a service principal the token endpoint accepts (client credentials), issuing `token`;
   * so a real @azure/identity ClientSecretCredential can sign in against this server.
   */
  constructor(private tenant: TenantData, private readonly token: string, private readonly client?: { readonly id: string; readonly secret: string }) {
    this.setTenant(tenant);
  }

  setTenant(tenant: TenantData): void {
    this.tenant = tenant;
    this.bySubscription.clear();
    for (const r of tenant.resources) {
      const sub = /^\/subscriptions\/([^/]+)/i.exec(r.id)![1].toLowerCase();
      const types = this.bySubscription.get(sub) ?? new Map<string, ArmResource[]>();
      const t = r.type.toLowerCase();
      types.set(t, [...(types.get(t) ?? []), r]);
      this.bySubscription.set(sub, types);
    }
  }

  /** The PEM certificate clients must trust. */
  get certificate(): string {
    return this.ca;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
    });
    this.ca = pems.cert;
    this.server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => void this.handle(req, res));
    this.started = performance.now();
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held = [];
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Forgets the log and which throttles fired. */
  reset(faults: Faults = {}): void {
    this.log.length = 0;
    this.faults = faults;
    this.throttled.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    const form = /\/oauth2\/v2\.0\/token$/.test(url.pathname) ? new URLSearchParams(text) : undefined;
    if (form) {
      // The client secret is checked, never kept.
      body = Object.fromEntries([...form].map(([k, v]) => [k, k === 'client_secret' || k === 'client_assertion' ? '(not recorded)' : v]));
    } else if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const record: RequestRecord = {
      method: req.method ?? '?',
      path: url.pathname,
      query: url.search,
      at: performance.now() - this.started,
      status: 0,
      remoteAddress: req.socket.remoteAddress ?? '?',
      host: req.headers.host ?? '',
      authorized: req.headers.authorization === `Bearer ${this.token}`,
      ...(body !== undefined ? { body } : {}),
    };
    this.log.push(record);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': String(this.log.length), ...headers });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });

    // The Microsoft Entra endpoints a ClientSecretCredential calls, with this server as its authority host.
    let t: RegExpExecArray | null;
    if (req.method === 'GET' && (t = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname))) {
      const base = `${this.url}/${t[1]}`;
      return send(200, {
        issuer: `${base}/v2.0`, token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`, jwks_uri: `${base}/discovery/v2.0/keys`, response_types_supported: ['code'],
      });
    }
    if (req.method === 'POST' && form) {
      if (!this.client || form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== this.client.id || form.get('client_secret') !== this.client.secret) {
        return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: this.token });
    }
    if (!record.authorized) return error(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing or not a bearer token the server issued.');
    const path = url.pathname.toLowerCase();
    const sub = /^\/subscriptions\/([^/]+)\/./.exec(path)?.[1];
    const isGraph = path === '/providers/microsoft.resourcegraph/resources';
    if ((sub && this.faults.hang?.includes(sub)) || (isGraph && this.faults.graph === 'hang')) {
      this.held.push(res);
      return;
    }
    for (const pattern of this.faults.throttleOnce ?? []) {
      if (pattern.test(path) && !this.throttled.has(pattern)) {
        this.throttled.add(pattern);
        record.status = 429;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(this.faults.retryAfterSeconds ?? 1) });
        res.end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests; retry after the delay.' } }));
        return;
      }
    }
    if (!url.searchParams.get('api-version')) return error(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    if (req.method === 'POST' && isGraph) return this.graph(body, send, error);
    if (req.method !== 'GET') return error(405, 'MethodNotAllowed', `The test server only answers reads; ${req.method ?? '?'} is not one.`);
    if ((sub && this.faults.forbidden?.includes(sub)) || this.faults.forbiddenPaths?.some((p) => p.test(path))) {
      return error(403, 'AuthorizationFailed', `The client does not have authorization to perform action 'read' over scope '/subscriptions/${sub}' or the scope is invalid.`);
    }

    let m: RegExpExecArray | null;
    if (path === '/subscriptions') {
      return this.page(url, this.tenant.subscriptions.map((s) => ({ id: `/subscriptions/${s.id}`, subscriptionId: s.id, displayName: s.name, state: 'Enabled' })), send);
    }
    if ((m = /^\/subscriptions\/([^/]+)$/.exec(path))) {
      const s = this.tenant.subscriptions.find((x) => x.id.toLowerCase() === m![1]);
      if (!s) return error(404, 'SubscriptionNotFound', `The subscription '${m[1]}' could not be found.`);
      return send(200, { id: `/subscriptions/${s.id}`, subscriptionId: s.id, displayName: s.name, state: 'Enabled' });
    }
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.network\/(networksecuritygroups|virtualnetworks|networkinterfaces|routetables|azurefirewalls|firewallpolicies)$/.exec(path))) {
      return this.page(url, this.of(m[1], NSG_TYPES[m[2]]), send);
    }
    if ((m = /^(\/subscriptions\/([^/]+)\/resourcegroups\/[^/]+\/providers\/microsoft\.network\/firewallpolicies\/[^/]+)\/rulecollectiongroups$/.exec(path))) {
      const prefix = `${m[1]}/rulecollectiongroups/`;
      if (!this.of(m[2], NSG_TYPES.firewallpolicies).some((p) => `${p.id.toLowerCase()}/rulecollectiongroups/` === prefix)) {
        return error(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/firewallPolicies/${m[1].split('/').pop()!}' was not found.`);
      }
      return this.page(url, this.of(m[2], RULE_COLLECTION_GROUPS).filter((g) => g.id.toLowerCase().startsWith(prefix)), send);
    }
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.machinelearningservices\/workspaces$/.exec(path))) {
      return this.page(url, this.of(m[1], 'microsoft.machinelearningservices/workspaces'), send);
    }
    if ((m = /^(\/subscriptions\/([^/]+)\/resourcegroups\/[^/]+\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+)\/computes$/.exec(path))) {
      const prefix = `${m[1]}/computes/`;
      return this.page(url, this.of(m[2], 'microsoft.machinelearningservices/workspaces/computes').filter((c) => c.id.toLowerCase().startsWith(prefix)), send);
    }
    if (/^\/subscriptions\/[^/]+\/providers\/microsoft\.network\/locations\/[^/]+\/servicetags$/.test(path)) return send(200, this.tenant.serviceTags);
    return error(404, 'NotFound', `The test server has no route for GET ${url.pathname}.`);
  }

  private of(sub: string, type: string): ArmResource[] {
    return this.bySubscription.get(sub)?.get(type) ?? [];
  }

  /** An ARM list page: `{ value, nextLink }`, with the offset in `$skiptoken` as ARM does. */
  private page(url: URL, items: readonly unknown[], send: (status: number, json: unknown) => void): void {
    const size = this.faults.armPageSize ?? 50;
    const offset = Number(url.searchParams.get('$skiptoken') ?? '0');
    const value = items.slice(offset, offset + size);
    const next = new URL(url.pathname, this.faults.nextLinkOrigin ?? this.url);
    next.searchParams.set('api-version', url.searchParams.get('api-version')!);
    next.searchParams.set('$skiptoken', String(offset + size));
    send(200, { value, ...(offset + size < items.length ? { nextLink: next.toString() } : {}) });
  }

  /** Azure Resource Graph `resources`: the two queries amlnet sends, recognised by their table and the types they name. */
  private graph(body: unknown, send: (status: number, json: unknown) => void, error: (status: number, code: string, message: string) => void): void {
    if (this.faults.graph === 'forbidden') return error(403, 'AuthorizationFailed', 'The client does not have authorization to perform action \'Microsoft.ResourceGraph/resources/read\'.');
    const b = body as { query?: unknown; subscriptions?: unknown; options?: { $top?: number; $skipToken?: string; resultFormat?: string } } | undefined;
    const query = typeof b?.query === 'string' ? b.query : '';
    if (b?.options?.resultFormat !== 'objectArray') return error(400, 'BadRequest', 'The test server answers only resultFormat objectArray.');
    const hidden = new Set(this.faults.forbidden ?? []);
    const visible = this.tenant.subscriptions.filter((s) => !hidden.has(s.id.toLowerCase()));
    const asked = Array.isArray(b?.subscriptions) ? new Set((b!.subscriptions as string[]).map((s) => s.toLowerCase())) : undefined;
    const inScope = visible.filter((s) => !asked || asked.has(s.id.toLowerCase()));
    let rows: unknown[];
    if (/^\s*resourcecontainers\b/i.test(query) && /microsoft\.resources\/subscriptions/i.test(query)) {
      rows = inScope.map((s) => ({ subscriptionId: s.id, name: s.name, state: 'Enabled' }));
    } else if (/^\s*resources\b/i.test(query)) {
      const types = new Set(Object.values(NSG_TYPES).concat(['microsoft.machinelearningservices/workspaces', 'microsoft.machinelearningservices/workspaces/computes']).filter((t) => query.toLowerCase().includes(`'${t}'`)));
      const nicsWithNsgOnly = /isnotempty\(properties\.networkSecurityGroup\)/i.test(query);
      rows = [];
      for (const s of inScope) {
        for (const [type, list] of this.bySubscription.get(s.id.toLowerCase()) ?? []) {
          if (!types.has(type)) continue;
          for (const r of list) {
            if (nicsWithNsgOnly && type === NSG_TYPES.networkinterfaces && !r.properties.networkSecurityGroup) continue;
            // Resource Graph returns types in lower case.
            rows.push({ id: r.id, name: r.name, type, location: r.location, subscriptionId: s.id, properties: r.properties });
          }
        }
      }
      if (/order by id/i.test(query)) (rows as { id: string }[]).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    } else {
      return error(400, 'BadRequest', 'The test server does not know this query.');
    }
    const top = Math.min(b?.options?.$top ?? 1000, 1000, this.faults.graph === 'truncated' ? 1 : 1000);
    const offset = b?.options?.$skipToken ? Number(Buffer.from(b.options.$skipToken, 'base64').toString('utf8')) : 0;
    const data = rows.slice(offset, offset + top);
    const more = offset + top < rows.length && this.faults.graph !== 'truncated';
    send(200, {
      totalRecords: rows.length,
      count: data.length,
      resultTruncated: this.faults.graph === 'truncated' && offset + top < rows.length ? 'true' : 'false',
      ...(more ? { $skipToken: Buffer.from(String(offset + top)).toString('base64') } : {}),
      data,
      facets: [],
    });
  }
}
