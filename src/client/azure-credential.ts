// Signing in to Azure through VS Code's own Microsoft account (the `microsoft` authentication
// provider; `microsoft-sovereign-cloud` for Azure China and Azure US Government, as the Azure
// extensions do), wrapped as a TokenCredential for readAzure. Tokens are never logged or kept:
// VS Code caches the session, so each token request asks it again.

import * as vscode from 'vscode';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { CLOUD_ENDPOINTS } from '../azure/clouds';
import type { Cloud } from '../core/requirement';

export const PUBLIC_AUTH_PROVIDER = 'microsoft';
export const SOVEREIGN_AUTH_PROVIDER = 'microsoft-sovereign-cloud';
/** The setting VS Code's Microsoft authentication reads for the sovereign provider's cloud. */
export const SOVEREIGN_SECTION = 'microsoft-sovereign-cloud';

/** The `microsoft-sovereign-cloud.environment` value for each non-public cloud. */
export const SOVEREIGN_ENVIRONMENT: Readonly<Record<Cloud, string | undefined>> = {
  AzureCloud: undefined,
  AzureChinaCloud: 'ChinaCloud',
  AzureUSGovernment: 'USGovernment',
};

export function authProviderFor(cloud: Cloud): string {
  return SOVEREIGN_ENVIRONMENT[cloud] ? SOVEREIGN_AUTH_PROVIDER : PUBLIC_AUTH_PROVIDER;
}

/** The cloud the Azure view reads (`amlnet.azure.cloud`). */
export function configuredCloud(): Cloud {
  const v = vscode.workspace.getConfiguration('amlnet').get<string>('azure.cloud');
  return v === 'AzureChinaCloud' || v === 'AzureUSGovernment' ? v : 'AzureCloud';
}

/**
 * For a sovereign cloud, makes sure VS Code's sovereign provider points at it: when
 * `microsoft-sovereign-cloud.environment` says otherwise and the user is signing in, asks to set it
 * (in the user settings). Returns why signing in cannot go on, or undefined.
 */
export async function ensureSovereignEnvironment(cloud: Cloud, interactive: boolean): Promise<string | undefined> {
  const wanted = SOVEREIGN_ENVIRONMENT[cloud];
  if (!wanted) return undefined;
  const config = vscode.workspace.getConfiguration(SOVEREIGN_SECTION);
  const current = config.get<string>('environment');
  if (current === wanted) return undefined;
  const problem = `Signing in to ${cloud} needs the setting ${SOVEREIGN_SECTION}.environment to be "${wanted}" (it is ${current ? `"${current}"` : 'not set'}).`;
  if (!interactive) return problem;
  const choice = await vscode.window.showInformationMessage(`${problem} Set it now?`, { modal: true }, 'Set and Sign In');
  if (choice !== 'Set and Sign In') return problem;
  await config.update('environment', wanted, vscode.ConfigurationTarget.Global);
  return undefined;
}

/**
 * A TokenCredential over VS Code's session for the cloud's ARM scope. `interactive`: the user asked
 * to sign in, so VS Code may show its sign-in flow; otherwise only an existing session is used
 * (no session: no token, which readAzure reports as a sign-in error).
 */
export class VsCodeSessionCredential implements TokenCredential {
  private readonly provider: string;
  private readonly scope: string;

  constructor(cloud: Cloud, private readonly interactive: boolean) {
    this.provider = authProviderFor(cloud);
    this.scope = CLOUD_ENDPOINTS[cloud].scope;
  }

  /** The session's account, without signing in. */
  static async account(cloud: Cloud): Promise<string | undefined> {
    const session = await vscode.authentication.getSession(authProviderFor(cloud), [CLOUD_ENDPOINTS[cloud].scope], { silent: true });
    return session?.account.label;
  }

  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    // Always the ARM scope of the cloud: it is the only resource amlnet reads.
    const session = await vscode.authentication.getSession(this.provider, [this.scope], this.interactive ? { createIfNone: true } : { silent: true });
    if (!session) return null;
    // The session does not say when its token expires: mark it due now, so the SDKs ask again for
    // each request (VS Code answers from its cache and refreshes when needed).
    return { token: session.accessToken, expiresOnTimestamp: Date.now(), tokenType: 'Bearer' };
  }
}

/** The tests' credential (see azure-test-hook.ts): a fixed token for the local server. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}
  getToken(): Promise<AccessToken> {
    return Promise.resolve({ token: this.token, expiresOnTimestamp: Date.now() + 3600_000, tokenType: 'Bearer' });
  }
}
