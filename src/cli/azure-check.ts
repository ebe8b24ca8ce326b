// `amlnet check --azure`: the same check, over live subscriptions instead of templates. The Azure
// SDKs are loaded only when --azure runs, so the other commands start as fast as before.

import type { TokenCredential } from '@azure/core-auth';
import { checkModel, type CheckSettings } from '../core/check/check-model';
import { buildReport } from '../core/check/check-report';
import { buildSarif } from '../core/check/sarif';
import type { AzureReadResult } from '../azure/read-azure';
import { formatCheckText } from './format-check-text';
import type { CliIo } from './main';

/** As in main.ts (not imported from it: main imports this file through check-command). */
const EXIT_USAGE = 2;

/**
 * What a host can set for `--azure` instead of the defaults: the tests' credential and local
 * server. Without it the CLI uses DefaultAzureCredential (Azure CLI, environment, managed identity)
 * and the cloud's own endpoint.
 */
export interface AzureCliHooks {
  readonly credential?: () => TokenCredential;
  /** Another ARM endpoint than the cloud's. */
  readonly endpoint?: string;
  /** PEM certificates to trust besides the system's. */
  readonly ca?: string;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly mode?: 'graph' | 'per-subscription';
}

export interface AzureCheckRequest {
  readonly settings: CheckSettings;
  readonly subscriptions?: readonly string[];
  readonly format: 'text' | 'json' | 'sarif';
  readonly verbose: boolean;
  /** `--service-tags FILE` was given: its prefixes win, and Azure's are not fetched. */
  readonly serviceTagsFromFile: boolean;
  readonly docs: string;
  readonly toolVersion: string;
}

export const AZURE_HELP = [
  '  --azure                   Check live subscriptions instead of templates (signs in with the Azure CLI,',
  '                            environment variables or managed identity: DefaultAzureCredential)',
  '  --subscription ID         With --azure: only this subscription (repeatable; default: every one readable)',
  '                            With --azure, --cloud also picks the cloud to sign in to and read',
];

/** `--subscription a --subscription b,c` → [a, b, c]. */
export function subscriptionIds(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const ids = list.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
  return ids.length ? ids : undefined;
}

async function defaultCredential(): Promise<TokenCredential> {
  // Loaded only here: constructing it probes nothing, but tests never reach this line.
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}

function subscriptionLabel(s: { id: string; name: string }): string {
  return s.name === s.id ? s.id : `${s.name} (${s.id})`;
}

/**
 * Reads the subscriptions, checks them like templates, prints the report. Exit codes as for
 * templates; a subscription that cannot be read is a problem in the report (and on stderr) when
 * others were read, and exit code 2 when none was.
 */
export async function checkAzure(request: AzureCheckRequest, io: CliIo): Promise<number> {
  const hooks = io.azure;
  const cloud = request.settings.options.cloud;
  const { AzureSignInError, describeError, readAzure } = await import('../azure/read-azure.js');
  let result: AzureReadResult;
  try {
    const credential = hooks?.credential ? hooks.credential() : await defaultCredential();
    result = await readAzure({
      credential,
      cloud,
      endpoint: hooks?.endpoint,
      ca: hooks?.ca,
      subscriptions: request.subscriptions,
      mode: hooks?.mode,
      timeoutMs: hooks?.timeoutMs,
      maxRetries: hooks?.maxRetries,
      serviceTags: !request.serviceTagsFromFile,
    });
  } catch (e) {
    if (e instanceof AzureSignInError) {
      io.stderr(`amlnet check --azure: cannot sign in to ${cloud}: ${e.message}\nSign in with \`az login\` (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET), then run again.\n`);
    } else {
      io.stderr(`amlnet check --azure: cannot read ${cloud}: ${describeError(e, hooks?.timeoutMs ?? 60_000)}\n`);
    }
    return EXIT_USAGE;
  }

  const ok = result.subscriptions.filter((s) => s.state === 'ok');
  const failed = result.subscriptions.filter((s) => s.state === 'error');
  if (result.fallbackReason) io.stderr(`amlnet check --azure: ${result.fallbackReason}\n`);
  for (const s of failed) io.stderr(`amlnet check --azure: subscription ${subscriptionLabel(s)} could not be read: ${s.error ?? 'error'}\n`);
  if (ok.length === 0) {
    io.stderr(failed.length
      ? `amlnet check --azure: no subscription could be read (${failed.map(subscriptionLabel).join(', ')})\n`
      : `amlnet check --azure: this sign-in can read no subscription in ${cloud}\n`);
    return EXIT_USAGE;
  }
  if (result.serviceTagsError) io.stderr(`amlnet check --azure: service tags could not be read (${result.serviceTagsError}); rules written with CIDRs are judged unknown against tags\n`);
  io.stderr(`amlnet check --azure: read ${ok.length} of ${result.subscriptions.length} subscription${result.subscriptions.length === 1 ? '' : 's'} in ${cloud} ${result.via === 'resource-graph' ? 'through Resource Graph' : 'per subscription'} (${result.requests} requests)\n`);

  const settings: CheckSettings = { ...request.settings, serviceTags: request.settings.serviceTags ?? result.serviceTags };
  const checked = checkModel(result.model, settings);
  const report = buildReport(checked, () => undefined, request.toolVersion);
  if (request.format === 'json') {
    const azure = {
      cloud,
      via: result.via,
      requests: result.requests,
      subscriptions: result.subscriptions.map((s) => ({ id: s.id, name: s.name, state: s.state, ...(s.error ? { error: s.error } : {}) })),
    };
    io.stdout(`${JSON.stringify({ ...report, azure }, null, 2)}\n`);
  } else if (request.format === 'sarif') {
    io.stdout(`${JSON.stringify(buildSarif(report, request.settings.edition, request.docs), null, 2)}\n`);
  } else {
    io.stdout(result.model.nsgs.length ? formatCheckText(report, request.verbose) : `No NSGs found in ${ok.length} subscription${ok.length === 1 ? '' : 's'}.\n`);
  }
  return checked.failing ? 1 : 0;
}
