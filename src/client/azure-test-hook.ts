// A test hook, for the end-to-end tests only: when the extension host's environment sets all
// three of AMLNET_TEST_AZURE_ENDPOINT (an https URL on loopback), AMLNET_TEST_AZURE_CA_FILE (a PEM
// file) and AMLNET_TEST_AZURE_TOKEN, the Azure view reads that endpoint with a static token instead
// of signing in through VS Code. One missing, empty, or an endpoint that is not https on loopback:
// no hook, and the view signs in as usual. It cannot reach Azure or any other host. No vscode import.

export interface AzureTestHook {
  readonly endpoint: string;
  readonly ca: string;
  readonly token: string;
}

export const TEST_HOOK_VARIABLES = ['AMLNET_TEST_AZURE_ENDPOINT', 'AMLNET_TEST_AZURE_CA_FILE', 'AMLNET_TEST_AZURE_TOKEN'] as const;

/** An https URL whose host is loopback (127.0.0.0/8, [::1], localhost). */
export function isLoopbackHttps(url: string): boolean {
  try {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return u.protocol === 'https:' && (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost');
  } catch {
    return false;
  }
}

/** The hook the environment sets, or undefined (the normal case). `readFile` reads the CA file. */
export function azureTestHook(env: Readonly<Record<string, string | undefined>>, readFile: (path: string) => string | undefined): AzureTestHook | undefined {
  const [endpoint, caFile, token] = TEST_HOOK_VARIABLES.map((k) => env[k]?.trim() ?? '');
  if (!endpoint || !caFile || !token || !isLoopbackHttps(endpoint)) return undefined;
  const ca = readFile(caFile);
  if (!ca || !ca.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  return { endpoint: endpoint.replace(/\/+$/, ''), ca, token };
}
