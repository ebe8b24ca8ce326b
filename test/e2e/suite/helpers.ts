// Helpers for the extension-host tests: bounded polling (never a fixed sleep), the extension's
// API, the CLI's JSON for the same workspace, and amlnet's diagnostics.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { AmlnetExtensionApi } from '../../../src/client/api';
import type { CheckReport } from '../../../src/core/check/check-report';

export const REPO = resolve(__dirname, '../../../..');
export const EXTENSION_ID = 'amlnet.amlnet';

/** Polls `probe` until it returns something other than undefined (or false), at most `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message ?? String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder.uri;
}

export function workspaceFile(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

/** The CLI's JSON report for the workspace copy (the bundled dist/cli.js, run by this host's Node). */
export function cliReport(args: readonly string[] = []): CheckReport {
  return cliJson(['check', '.', ...args]) as CheckReport;
}

/** `amlnet <args> --format json` in the workspace copy; exit code 1 ("something fails") still has its JSON. */
export function cliJson(args: readonly string[]): unknown {
  const cwd = workspaceRoot().fsPath;
  try {
    return JSON.parse(execFileSync(process.execPath, [join(REPO, 'dist/cli.js'), ...args, '--format', 'json'], {
      cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    }));
  } catch (e) {
    // Exit code 1 means "something in scope fails": the examples do, on purpose.
    const err = e as { status?: number; stdout?: string; stderr?: string };
    if (err.status === 1 && err.stdout) return JSON.parse(err.stdout);
    throw new Error(`amlnet ${args.join(' ')} failed (exit ${err.status}): ${err.stderr ?? String(e)}`, { cause: e });
  }
}

export function amlnetDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'amlnet');
}

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return String(typeof c === 'object' && c !== null ? c.value : c);
}

export function codes(uri: vscode.Uri, severity?: vscode.DiagnosticSeverity): string[] {
  return amlnetDiagnostics(uri)
    .filter((d) => severity === undefined || d.severity === severity)
    .map(codeOf)
    .sort();
}

/** Opens the document so the language server certainly sees it (and keeps it open). */
export async function open(relative: string): Promise<vscode.TextDocument> {
  return vscode.workspace.openTextDocument(workspaceFile(relative));
}

/** Waits until the amlnet diagnostics on `uri` (optionally of one severity) are exactly `expected`, and returns them. */
export async function waitForCodes(uri: vscode.Uri, expected: readonly string[], severity?: vscode.DiagnosticSeverity, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  const want = [...expected].sort().join(',');
  try {
    await waitFor(`diagnostics ${want} on ${uri.path}`, () => codes(uri, severity).join(',') === want, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: [${codes(uri, severity).join(', ')}]`, { cause: e });
  }
  return amlnetDiagnostics(uri);
}

/** The workspace-relative path of a URI or report `file` field (a URI or a path relative to the workspace). */
export function relativePath(file: string): string {
  const root = workspaceRoot();
  const path = /^[a-z][a-z0-9+.-]*:/i.test(file) ? vscode.Uri.parse(file).path : join(root.path, file);
  return path.startsWith(`${root.path}/`) ? path.slice(root.path.length + 1) : path;
}

export type { AmlnetExtensionApi, SnapshotNode } from '../../../src/client/api';

/** Activates the extension (bounded) and waits until its language server is ready. */
export async function activeApi(timeoutMs = 60_000): Promise<AmlnetExtensionApi> {
  const ext = vscode.extensions.getExtension<AmlnetExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} not found`);
  const bounded = <T>(what: string, p: Thenable<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s: ${what}`)), timeoutMs);
    Promise.resolve(p).then(resolve, reject).finally(() => clearTimeout(timer));
  });
  const api = await bounded('activating the extension', ext.activate());
  if (!api || typeof api.whenReady !== 'function') throw new Error('activate() did not return the amlnet API');
  await bounded('the language server to be ready', api.whenReady());
  return api;
}

/** The diagnostic codes the report implies for one file: failing requirements of in-scope NSGs (not strict) and rule findings. */
export function expectedCodes(report: CheckReport, file: string, strict = false): string[] {
  const out: string[] = [];
  for (const nsg of report.nsgs) {
    if (!nsg.file || relativePath(nsg.file) !== file) continue;
    for (const f of nsg.findings ?? []) out.push(f.code);
    if (!nsg.inScope) continue;
    for (const r of nsg.requirements) {
      if (r.verdict === 'blocked' || r.verdict === 'partial' || r.verdict === 'unknown' || (strict && r.verdict === 'allowed-by-default')) out.push(r.id);
    }
  }
  return out.sort();
}

export const ARM = 'arm/azuredeploy.json';
export const BICEP_NETWORK = 'bicep/modules/network.bicep';
