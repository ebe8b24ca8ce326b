// The `amlnet.*` settings as the client sends them (any JSON: a user may write anything in
// settings.json), read into AmlnetSettings with the defaults of protocol.ts; and, with the folder's
// `.amlnet.json`, into the settings of a check (edition, options and where each option came from).

import type { CheckSettings, OptionOrigins } from '../core/check/check-model';
import { DEFAULT_EDITION } from '../core/catalog/catalog';
import { applyConfig, type AmlnetConfig } from '../core/catalog/custom-config';
import { CLOUDS, type CatalogOptions, type Edition } from '../core/requirement';
import { DEFAULT_SETTINGS, type AmlnetSettings, type DiagnosticSeverityName } from './protocol';

const SEVERITIES: readonly DiagnosticSeverityName[] = ['error', 'warning', 'information', 'hint', 'none'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function nullableBool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

function int(v: unknown, fallback: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

function severity(v: unknown, fallback: DiagnosticSeverityName): DiagnosticSeverityName {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v) ? (v as DiagnosticSeverityName) : fallback;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** The settings a client sent, with each missing or ill-typed value replaced by its default. Never throws. */
export function readSettings(raw: unknown): AmlnetSettings {
  const d = DEFAULT_SETTINGS;
  const r = isObject(raw) ? raw : {};
  const options = isObject(r.options) ? r.options : {};
  const sev = isObject(r.severity) ? r.severity : {};
  const fix = isObject(r.fix) ? r.fix : {};
  const cloud = typeof options.cloud === 'string' ? CLOUDS.find((c) => c.toLowerCase() === (options.cloud as string).toLowerCase()) ?? null : null;
  const region = text(options.region);
  return {
    edition: text(r.edition) ?? d.edition,
    scope: r.scope === 'all' || r.scope === 'auto' ? r.scope : d.scope,
    strict: bool(r.strict, d.strict),
    options: {
      publicIp: nullableBool(options.publicIp),
      hbi: nullableBool(options.hbi),
      region: region && /^[A-Za-z][A-Za-z0-9 _-]*$/.test(region) ? region : null,
      cloud,
    },
    markedNsgs: Array.isArray(r.markedNsgs) ? r.markedNsgs.filter((n): n is string => typeof n === 'string') : d.markedNsgs,
    severity: {
      blocked: severity(sev.blocked, d.severity.blocked),
      partial: severity(sev.partial, d.severity.partial),
      unknown: severity(sev.unknown, d.severity.unknown),
      allowedByDefault: severity(sev.allowedByDefault, d.severity.allowedByDefault),
    },
    fix: {
      ruleNamePrefix: typeof fix.ruleNamePrefix === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(fix.ruleNamePrefix) ? fix.ruleNamePrefix : d.fix.ruleNamePrefix,
      priorityStart: int(fix.priorityStart, d.fix.priorityStart, 100, 4096),
      priorityStep: int(fix.priorityStep, d.fix.priorityStep, 1, 1000),
    },
    customRequirementsFile: text(r.customRequirementsFile),
  };
}

/** The check settings of one folder, and what was wrong with the settings (for a message). */
export interface FolderCheckSettings {
  readonly check: Omit<CheckSettings, 'sourceText'>;
  readonly edition: Edition;
  readonly options: CatalogOptions;
  /** e.g. an edition the settings name that does not exist. */
  readonly warnings: readonly string[];
}

/**
 * The check settings for a folder: settings win over `.amlnet.json` as the CLI's flags do, and
 * the report names where each option came from (`setting`, `config`, or `default`). The edition
 * setting wins over the file's edition unless it is the default (settings always hold a value, so
 * the default cannot be told from a user's choice of it).
 */
export function folderCheckSettings(settings: AmlnetSettings, config: AmlnetConfig | undefined): FolderCheckSettings {
  const overrides: Partial<Record<keyof CatalogOptions, unknown>> = {};
  const origins: Record<string, 'setting' | 'config'> = {};
  for (const key of Object.keys(config?.options ?? {})) origins[key] = 'config';
  for (const key of ['publicIp', 'hbi', 'region', 'cloud'] as const) {
    const v = settings.options[key];
    if (v !== null) {
      overrides[key] = v;
      origins[key] = 'setting';
    }
  }
  const warnings: string[] = [];
  const wanted = settings.edition !== DEFAULT_SETTINGS.edition || !config?.edition ? settings.edition : undefined;
  let applied: { edition: Edition; options: CatalogOptions };
  try {
    applied = applyConfig(config, { edition: wanted, options: overrides as Partial<CatalogOptions> });
  } catch (e) {
    warnings.push(`amlnet.edition: ${(e as Error).message}; using ${config?.edition ?? DEFAULT_EDITION}`);
    try {
      applied = applyConfig(config, { options: overrides as Partial<CatalogOptions> });
    } catch (e2) {
      warnings.push((e2 as Error).message);
      applied = applyConfig(undefined, { edition: DEFAULT_EDITION, options: overrides as Partial<CatalogOptions> });
    }
  }
  return {
    check: {
      edition: applied.edition,
      options: applied.options,
      origins: origins as OptionOrigins,
      scope: settings.scope,
      strict: settings.strict,
      markedNsgs: settings.markedNsgs,
    },
    edition: applied.edition,
    options: applied.options,
    warnings,
  };
}
