// The messages between the amlnet extension (src/client) and its language server (src/server)
// beyond standard LSP. Types and method names only: no imports of vscode-languageserver, so the
// client can import this file without bundling the server.
//
// Files are identified by URI strings (as LSP does). Positions in the report are the report's
// own (1-based line and column, see src/core/check/check-report.ts); ranges in edits are LSP's
// (0-based), as plain JSON so the client can convert them with its protocol converter.

import type { CheckReport } from '../core/check/check-report';

/** `amlnet/report` (request, client → server, no params): the workspace's current check. */
export const ReportRequest = 'amlnet/report';

export interface ReportResult {
  /** `indexing` while the workspace is first read: the tree shows a loading state, not an empty one. */
  readonly state: 'indexing' | 'ready';
  /** Increases with every re-check; the client ignores an answer older than one it has shown. */
  readonly version: number;
  /** How many template files (Bicep, .bicepparam, ARM JSON with a deployment `$schema`) are indexed. */
  readonly templateCount: number;
  /**
   * The same JSON `amlnet check --format json` prints for the workspace (every NSG, in and out
   * of scope), with `file` fields holding document URIs instead of relative paths.
   */
  readonly report: CheckReport;
}

/** `amlnet/reportChanged` (notification, server → client): re-ask for the report. */
export const ReportChangedNotification = 'amlnet/reportChanged';

export interface ReportChangedParams {
  readonly version: number;
  readonly state: 'indexing' | 'ready';
}

/** Which NSG: the URI of the file that declares it, its name, and the 1-based line the report gives. */
export interface NsgRef {
  readonly uri: string;
  readonly name: string;
  readonly line?: number;
}

/** `amlnet/fixNsg` (request): the edit that adds every missing Azure ML rule to one NSG. */
export const FixNsgRequest = 'amlnet/fixNsg';
export type FixNsgParams = NsgRef;

/** `amlnet/fixFile` (request): the edit that adds every missing rule to every NSG in one file. */
export const FixFileRequest = 'amlnet/fixFile';
export interface FixFileParams {
  readonly uri: string;
}

export interface FixResult {
  /** A title for the change, e.g. "Add 3 Azure ML rules to nsg-compute". */
  readonly title: string;
  /** An LSP WorkspaceEdit (JSON); absent when there is nothing to add or nothing can be added. */
  readonly edit?: unknown;
  /** Rules that will be added: name, direction and priority. */
  readonly rules: readonly { readonly name: string; readonly direction: 'Inbound' | 'Outbound'; readonly priority: number }[];
  /** Requirements that cannot be fixed, and why (e.g. no free priority below a blocking rule). For a firewall, `nsg` says "firewall of <subnet>". */
  readonly skipped: readonly { readonly nsg: string; readonly requirementId: string; readonly reason: string }[];
  /** `amlnet/fixFile`: firewall rules that will be added (issue 6), when there are any. */
  readonly firewallRules?: readonly { readonly firewall: string; readonly collection: string; readonly rule: string; readonly kind: 'network' | 'application'; readonly newCollectionPriority?: number }[];
}

/** `amlnet/requirements` (request): the active edition's catalog for the active options. */
export const RequirementsRequest = 'amlnet/requirements';
export interface RequirementsParams {
  /** The folder whose settings and `.amlnet.json` apply; the first workspace folder when absent. */
  readonly uri?: string;
}
/**
 * The same JSON `amlnet requirements --format json` prints (edition, options, applicable and
 * not-applicable requirements with purpose, ports, tags, conditions and docs).
 */
export type RequirementsResult = unknown;

/** `amlnet/editions` (request): the editions a user can switch to (built in and from `.amlnet.json`). */
export const EditionsRequest = 'amlnet/editions';
export interface EditionsResult {
  readonly editions: readonly { readonly name: string; readonly title: string; readonly isDefault: boolean }[];
  readonly active: string;
}

/** The `amlnet.*` settings the server reads (workspace/configuration, section `amlnet`). */
export interface AmlnetSettings {
  readonly edition: string;
  readonly scope: 'auto' | 'all';
  readonly strict: boolean;
  readonly options: {
    /** `true`/`false`, or `null` for "not set: inferred from templates, else the catalog default". */
    readonly publicIp: boolean | null;
    readonly hbi: boolean | null;
    readonly region: string | null;
    readonly cloud: 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment' | null;
  };
  readonly markedNsgs: readonly string[];
  readonly severity: {
    readonly blocked: DiagnosticSeverityName;
    readonly partial: DiagnosticSeverityName;
    readonly unknown: DiagnosticSeverityName;
    readonly allowedByDefault: DiagnosticSeverityName;
  };
  readonly fix: {
    readonly ruleNamePrefix: string;
    readonly priorityStart: number;
    readonly priorityStep: number;
  };
  /** A `.amlnet.json`-style file with custom requirements or editions, relative to the folder. */
  readonly customRequirementsFile: string | null;
}

export type DiagnosticSeverityName = 'error' | 'warning' | 'information' | 'hint' | 'none';

/** The settings' defaults; package.json's `contributes.configuration` must agree (a test checks). */
export const DEFAULT_SETTINGS: AmlnetSettings = {
  edition: '2022-09',
  scope: 'auto',
  strict: false,
  options: { publicIp: null, hbi: null, region: null, cloud: null },
  markedNsgs: [],
  severity: { blocked: 'error', partial: 'error', unknown: 'information', allowedByDefault: 'hint' },
  fix: { ruleNamePrefix: 'AllowAzureML', priorityStart: 100, priorityStep: 10 },
  customRequirementsFile: null,
};
