// Test support for live Azure: a static credential and a watch on every outbound connection.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** The token the local server accepts. Tests assert it never appears in output or logs. */
export const TEST_TOKEN = 'amlnet-test-token-7f3c9a1e5d2b4c6f8a0e1d3c5b7a9f2e';

/** A credential that hands out TEST_TOKEN and records the scopes asked for. */
export class StaticCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly token = TEST_TOKEN) {}
  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return Promise.resolve({ token: this.token, expiresOnTimestamp: Date.now() + 3600_000, tokenType: 'Bearer' });
  }
}

/**
 * Records where this process sends requests and opens sockets, through node's diagnostics
 * channels: every http/https client request (`http.client.request.start`: what the Azure SDKs,
 * node-fetch and MSAL use), every socket made by `net.connect` (`net.client.socket`, with its
 * connection attempts), and every undici (fetch) connection (`undici:client:beforeConnect`). A
 * test asserts that all of them went to loopback.
 */
export function watchConnections(): { readonly targets: string[]; stop(): void } {
  const targets: string[] = [];
  const onRequest = (message: unknown) => {
    targets.push((message as { request: { host?: string } }).request.host ?? '?');
  };
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    socket.on('connectionAttempt', (ip: string) => targets.push(ip));
    socket.once('connect', () => targets.push(socket.remoteAddress ?? '?'));
  };
  const onUndici = (message: unknown) => {
    targets.push((message as { connectParams?: { hostname?: string } }).connectParams?.hostname ?? '?');
  };
  subscribe('http.client.request.start', onRequest);
  subscribe('net.client.socket', onSocket);
  subscribe('undici:client:beforeConnect', onUndici);
  return {
    targets,
    stop: () => {
      unsubscribe('http.client.request.start', onRequest);
      unsubscribe('net.client.socket', onSocket);
      unsubscribe('undici:client:beforeConnect', onUndici);
    },
  };
}

/** Whether a connection target is loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopback(target: string): boolean {
  const address = target.includes('=') ? target.split('=')[1] : target;
  return /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1' || address === 'localhost';
}
