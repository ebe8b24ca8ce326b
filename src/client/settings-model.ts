// The `amlnet.*` settings as the commands edit them: validation and pick lists. Pure.

import { normalizeRegionName } from '../core/region';
import { DEFAULT_SETTINGS } from '../server/protocol';

/** Every setting key (`amlnet.options.publicIp`, ...) with its default, from DEFAULT_SETTINGS. */
export function flattenSettings(value: unknown = DEFAULT_SETTINGS, prefix = 'amlnet'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = `${prefix}.${key}`;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flattenSettings(v, name));
    else out[name] = v;
  }
  return out;
}

/** The InputBox check for a region: empty (inferred) or a name like the CLI's `--region`. */
export function validateRegion(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^[A-Za-z][A-Za-z0-9 _-]*$/.test(t)) return 'An Azure region name, such as westeurope or "West Europe" (letters, digits, spaces and dashes), or empty to infer it from the templates.';
  return undefined;
}

/** The value to store for a region the user typed: null (inferred) when empty, else the normalised name. */
export function regionSetting(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : normalizeRegionName(t);
}

export interface ChoiceItem<T> {
  readonly label: string;
  readonly description?: string;
  readonly value: T;
  readonly picked: boolean;
}

/** Inferred / yes / no for `publicIp` and `hbi`, the current one marked. */
export function booleanOptionItems(option: 'publicIp' | 'hbi', current: boolean | null): ChoiceItem<boolean | null>[] {
  const what = option === 'publicIp' ? 'compute nodes have a public IP' : 'the workspace has the hbi_workspace flag';
  const mark = (v: boolean | null): string | undefined => (v === current ? 'current' : undefined);
  const items: { label: string; description: string; value: boolean | null }[] = [
    { label: 'Inferred', description: 'from each compute or workspace in the templates, else the catalog default', value: null },
    { label: 'Yes', description: what, value: true },
    { label: 'No', description: `${option === 'publicIp' ? 'No Public IP' : 'not an hbi workspace'}`, value: false },
  ];
  return items.map((i) => ({ ...i, description: [mark(i.value), i.description].filter(Boolean).join(' · '), picked: i.value === current }));
}

export const CLOUDS = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const;

export function cloudItems(current: string | null): ChoiceItem<string | null>[] {
  return [
    { label: 'Default', description: 'AzureCloud, unless .amlnet.json says otherwise', value: null, picked: current === null },
    ...CLOUDS.map((c) => ({ label: c, ...(c === current ? { description: 'current' } : {}), value: c, picked: c === current })),
  ];
}
