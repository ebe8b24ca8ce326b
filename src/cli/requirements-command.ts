import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_EDITION,
  failingConditions,
  conditionHolds,
  listEditions,
  selectRequirements,
} from '../core/catalog/catalog';
import { applyConfig, CONFIG_FILE_NAME, formatConfigError, likelyName, parseConfig, type AmlnetConfig } from '../core/catalog/custom-config';
import { normalizeRegionName } from '../core/region';
import {
  CLOUDS,
  PACKAGE_SOURCES,
  type BooleanOption,
  type CatalogOptions,
  type Cloud,
  type Edition,
  type PackageSource,
  type ResolvedRequirement,
  type Selection,
} from '../core/requirement';
import { nearest } from '../core/suggest';
import { editionJson, remoteName, selectionJson, type EditionJson } from '../core/catalog/selection-json';
import type { CliIo, Command } from './main';

// Values, not imports from ./main: main imports this module, and a runtime cycle would leave
// them undefined in the bundle.
const EXIT_OK = 0;
const EXIT_USAGE = 2;

/** A usage error or bad input: the message goes to stderr and the exit code is 2. */
export class UsageError extends Error {}

export type FlagSpec = { readonly type: 'boolean' } | { readonly type: 'string' };

/** Boolean flags and the option each sets; every one also has a `--no-` form. */
export const BOOLEAN_FLAGS: Readonly<Record<string, BooleanOption>> = {
  'public-ip': 'publicIp',
  hbi: 'hbi',
  'storage-firewall': 'storageFirewall',
  aks: 'aks',
  vscode: 'vscode',
  rstudio: 'rstudio',
  'private-endpoints': 'privateEndpoints',
  'monitor-private-link': 'monitorPrivateLink',
};

/** The flags that pick the edition, the options and the config; shared by commands that select requirements. */
export const CATALOG_FLAGS: Readonly<Record<string, FlagSpec>> = {
  edition: { type: 'string' },
  ...Object.fromEntries(Object.keys(BOOLEAN_FLAGS).map((f) => [f, { type: 'boolean' } as const])),
  cloud: { type: 'string' },
  region: { type: 'string' },
  packages: { type: 'string' },
  config: { type: 'string' },
};

/** Help lines for CATALOG_FLAGS. */
export const CATALOG_FLAGS_HELP = [
  `  --edition NAME            Requirement edition (default ${DEFAULT_EDITION}; see \`amlnet editions\`)`,
  '  --no-public-ip            Computes use the No Public IP option (default: they have a public IP)',
  '  --hbi                     The workspace was created with the hbi_workspace flag',
  `  --cloud CLOUD             ${CLOUDS.join(', ')} (default AzureCloud)`,
  '  --region REGION           Workspace region; fills .region tags and <region> host names',
  '  --storage-firewall        A firewall sits between the VNet and the storage private endpoints (TCP 445)',
  '  --aks                     Azure Kubernetes Service is used with the workspace',
  '  --vscode                  VS Code (desktop) connects to compute instances',
  '  --rstudio                 RStudio runs on compute instances (2025-02)',
  '  --private-endpoints       Private endpoints exist in this or a peered VNet (2025-02)',
  '  --monitor-private-link    Azure Monitor is secured behind private link (2025-02)',
  `  --packages LIST           Package sources, comma-separated: ${PACKAGE_SOURCES.join(', ')}`,
  '                            (default conda,pip; "" for none)',
  `  --config FILE             Workspace configuration (default ./${CONFIG_FILE_NAME} when present)`,
];

/** Printed after the option list of a command that takes CATALOG_FLAGS. */
export const CATALOG_FLAGS_NOTE = 'Each on/off flag has a --no- form (e.g. --no-hbi) that overrides the configuration file.';

export type Values = Record<string, string | boolean | undefined>;

/** parseArgs with our messages: unknown flags get a suggestion and throw UsageError. */
export function parseFlags(command: string, args: readonly string[], flags: Readonly<Record<string, FlagSpec>>): Values {
  return parseFlagsAndPaths(command, args, flags, false).values;
}

/** parseFlags for commands that also take positional arguments (paths). */
export function parseFlagsAndPaths(command: string, args: readonly string[], flags: Readonly<Record<string, FlagSpec>>, allowPositionals = true): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...args], options: flags, strict: true, allowPositionals, allowNegative: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const flag = /'(-[^' ]+)/.exec(e.message ?? '')?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const known = Object.entries(flags).flatMap(([name, spec]) => (spec.type === 'boolean' ? [`--${name}`, `--no-${name}`] : [`--${name}`]));
      const near = nearest(flag, known);
      throw new UsageError(`amlnet ${command}: unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}. Run amlnet ${command} --help.`);
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(e.message ?? '')?.[1] ?? '';
      throw new UsageError(`amlnet ${command}: unexpected argument "${arg}". Run amlnet ${command} --help.`);
    }
    throw new UsageError(`amlnet ${command}: ${e.message ?? String(err)}`);
  }
}

/** The config file named by --config, else ./.amlnet.json when present; throws UsageError when it cannot be read or is invalid. */
export function loadConfig(command: string, configFlag: string | undefined, io: CliIo): { config?: AmlnetConfig; file?: string } {
  const label = configFlag ?? CONFIG_FILE_NAME;
  const path = isAbsolute(label) ? label : join(io.cwd, label);
  if (configFlag === undefined && !io.exists(path)) return {};
  let text: string;
  try {
    text = io.readFile(path);
  } catch (err) {
    const why = (err as { code?: string }).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`amlnet ${command}: cannot read configuration ${label}: ${why}`);
  }
  const result = parseConfig(text, label);
  if (!result.config) {
    const count = result.errors.length;
    throw new UsageError([
      ...result.errors.map(formatConfigError),
      `amlnet ${command}: ${label} has ${count} error${count === 1 ? '' : 's'}`,
    ].join('\n'));
  }
  return { config: result.config, file: label };
}

function parseCloud(command: string, text: string): Cloud {
  const cloud = CLOUDS.find((c) => c.toLowerCase() === text.toLowerCase());
  if (cloud) return cloud;
  const near = likelyName(text, CLOUDS);
  throw new UsageError(`amlnet ${command}: --cloud "${text}" is not one of ${CLOUDS.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`);
}

function parsePackages(command: string, text: string): PackageSource[] {
  const out: PackageSource[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const source = PACKAGE_SOURCES.find((p) => p === item.toLowerCase());
    if (!source) {
      const near = likelyName(item, PACKAGE_SOURCES);
      throw new UsageError(
        `amlnet ${command}: --packages "${item}" is not one of ${PACKAGE_SOURCES.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`,
      );
    }
    if (!out.includes(source)) out.push(source);
  }
  return out;
}

/** The edition and options the flags and the config select (flags win); throws UsageError on bad input. */
export function catalogFromFlags(command: string, values: Values, io: CliIo): { edition: Edition; options: CatalogOptions; configFile?: string; config?: AmlnetConfig } {
  const { config, file } = loadConfig(command, values.config as string | undefined, io);
  const options: Partial<Record<keyof CatalogOptions, unknown>> = {};
  for (const [flag, option] of Object.entries(BOOLEAN_FLAGS)) {
    if (typeof values[flag] === 'boolean') options[option] = values[flag];
  }
  if (typeof values.cloud === 'string') options.cloud = parseCloud(command, values.cloud);
  if (typeof values.region === 'string') {
    if (!/^[A-Za-z][A-Za-z0-9 _-]*$/.test(values.region)) throw new UsageError(`amlnet ${command}: --region "${values.region}" is not an Azure region name (e.g. westeurope)`);
    options.region = normalizeRegionName(values.region);
  }
  if (typeof values.packages === 'string') options.packages = parsePackages(command, values.packages);
  const editionName = values.edition as string | undefined;
  try {
    const { edition, options: merged } = applyConfig(config, { edition: editionName, options: options as Partial<CatalogOptions> });
    return { edition, options: merged, configFile: file, config };
  } catch (err) {
    throw new UsageError(`amlnet ${command}: ${(err as Error).message}`);
  }
}

// JSON output: in core (src/core/catalog/selection-json.ts), shared with the language server.
export { editionJson, selectionJson, type EditionJson, type RequirementJson, type RequirementsJson } from '../core/catalog/selection-json';

// ---------------------------------------------------------------------------------------------
// Text output

/** A pipe table (valid Markdown) with every column but the last padded. */
function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? headers[i].length + 2 : w + 2)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)];
}

function protocolText(protocol: string): string {
  return protocol === '*' ? 'Any' : protocol.toUpperCase();
}

function optionsText(options: CatalogOptions): string {
  const flag = (name: BooleanOption): string => `${name} ${options[name] ? 'on' : 'off'}`;
  return [
    flag('publicIp'),
    flag('hbi'),
    `cloud ${options.cloud}`,
    `region ${options.region ?? 'not set'}`,
    flag('storageFirewall'),
    flag('aks'),
    flag('vscode'),
    flag('rstudio'),
    flag('privateEndpoints'),
    flag('monitorPrivateLink'),
    `packages ${options.packages.length > 0 ? options.packages.join(',') : 'none'}`,
  ].join(', ');
}

/** The selection as the seed table: service tags, host names, notes, and what the options rule out. */
export function selectionText(selection: Selection, configFile: string | undefined): string {
  const { edition, options } = selection;
  const out: string[] = [];
  const marker = edition.name === DEFAULT_EDITION ? ' (default)' : edition.extends ? ` (extends ${edition.extends})` : '';
  out.push(`Edition: ${edition.name}${marker} - ${edition.title}`);
  out.push(`Options: ${optionsText(options)}`);
  if (configFile) out.push(`Configuration: ${configFile}`);

  const tags = selection.applicable.filter((r): r is Extract<ResolvedRequirement, { kind: 'service-tag' }> => r.kind === 'service-tag');
  const hosts = selection.applicable.filter((r): r is Extract<ResolvedRequirement, { kind: 'host' }> => r.kind === 'host');
  out.push('', 'Service tags (NSG rules):');
  if (tags.length === 0) out.push('(none)');
  else {
    out.push(...table(
      ['Id', 'Direction', 'Protocol', 'Ports', 'Service tag', 'Purpose'],
      tags.map((r) => [r.id, r.direction, protocolText(r.protocol), r.ports.join(', '), r.remote.map((m) => remoteName(m, options.region)).join(' + '), r.spec.purpose]),
    ));
  }
  out.push('', 'Host names (firewall rules):');
  if (hosts.length === 0) out.push('(none)');
  else {
    out.push(...table(
      ['Id', 'Host', 'Protocol', 'Ports', 'Purpose'],
      hosts.map((r) => [r.id, r.host, protocolText(r.protocol), r.ports.join(', '), r.spec.purpose]),
    ));
  }

  const notes: string[] = [];
  for (const r of selection.applicable) {
    if (r.kind === 'service-tag') {
      for (const cp of r.spec.conditionalPorts ?? []) {
        const ports = cp.ports.join(', ');
        if (cp.when.every((c) => conditionHolds(c, options))) notes.push(`- ${r.id}: port ${ports} included: ${cp.note}`);
        else notes.push(`- ${r.id}: port ${ports} not included: ${failingConditions(cp.when, options).join('; ')}`);
      }
    }
    for (const n of r.spec.notes ?? []) notes.push(`- ${r.id}: ${n}`);
  }
  if (notes.length > 0) out.push('', 'Notes:', ...notes);

  out.push('', 'Not applicable with these options:');
  if (selection.notApplicable.length === 0) out.push('(none)');
  else out.push(...selection.notApplicable.map((n) => `- ${n.spec.id}: ${n.because}`));

  if ((edition.notes ?? []).length > 0) out.push('', `About edition ${edition.name}:`, ...(edition.notes ?? []).map((n) => `- ${n}`));
  out.push(`Documentation: ${edition.docs}`, '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Commands

function parseFormat(command: string, value: string | boolean | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`amlnet ${command}: --format "${String(value)}" is not one of text, json`);
}

/** Runs a command body, turning a UsageError into its message and exit code 2. */
export function guarded(io: CliIo, body: () => number): number {
  try {
    return body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

const REQUIREMENTS_FLAGS: Readonly<Record<string, FlagSpec>> = { ...CATALOG_FLAGS, format: { type: 'string' }, help: { type: 'boolean' } };

/** `amlnet requirements`: the requirements of an edition for a set of options. */
export const requirementsCommand: Command = {
  name: 'requirements',
  summary: 'List the network requirements (service tags and host names) for an edition and options',
  help: [
    'Usage: amlnet requirements [options]',
    '',
    'Lists the NSG (service-tag) and firewall (host-name) requirements of a requirement edition for',
    'the given options, then the requirements the options rule out and why.',
    '',
    'Options:',
    ...CATALOG_FLAGS_HELP,
    '  --format text|json        Output format (default text)',
    '  -h, --help                Show this help',
    '',
    CATALOG_FLAGS_NOTE,
    'Exit codes: 0 success, 2 usage error or bad input (unknown flag or edition, invalid configuration).',
    '',
  ].join('\n'),
  run(args, io) {
    return guarded(io, () => {
      const values = parseFlags('requirements', args, REQUIREMENTS_FLAGS);
      if (values.help) {
        io.stdout(this.help);
        return EXIT_OK;
      }
      const format = parseFormat('requirements', values.format);
      const { edition, options, configFile } = catalogFromFlags('requirements', values, io);
      const selection = selectRequirements(edition, options);
      io.stdout(format === 'json' ? `${JSON.stringify(selectionJson(selection, configFile), null, 2)}\n` : selectionText(selection, configFile));
      return EXIT_OK;
    });
  },
};

/** `amlnet editions --format json`: one entry per edition. Stable like RequirementsJson. */
export interface EditionListJson {
  readonly formatVersion: 1;
  /** The edition the configuration (or the default) makes active. */
  readonly active: string;
  readonly editions: readonly (EditionJson & { readonly requirementCount: number })[];
}

const EDITIONS_FLAGS: Readonly<Record<string, FlagSpec>> = { config: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean' } };

/** `amlnet editions`: the built-in and user editions, which is the default and which is active. */
export const editionsCommand: Command = {
  name: 'editions',
  summary: 'List the requirement editions (built-in and from .amlnet.json) and which one is active',
  help: [
    'Usage: amlnet editions [options]',
    '',
    'Lists the requirement editions: the built-in ones and those defined in the configuration file.',
    '',
    'Options:',
    `  --config FILE             Workspace configuration (default ./${CONFIG_FILE_NAME} when present)`,
    '  --format text|json        Output format (default text)',
    '  -h, --help                Show this help',
    '',
  ].join('\n'),
  run(args, io) {
    return guarded(io, () => {
      const values = parseFlags('editions', args, EDITIONS_FLAGS);
      if (values.help) {
        io.stdout(this.help);
        return EXIT_OK;
      }
      const format = parseFormat('editions', values.format);
      const { config } = loadConfig('editions', values.config as string | undefined, io);
      const active = config?.edition ?? DEFAULT_EDITION;
      const editions = listEditions(config?.editions);
      if (format === 'json') {
        const doc: EditionListJson = {
          formatVersion: 1,
          active,
          editions: editions.map((e) => ({ ...editionJson(e), requirementCount: e.requirements.length })),
        };
        io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
        return EXIT_OK;
      }
      const width = Math.max(...editions.map((e) => e.name.length));
      const lines = editions.map((e) => {
        const tags = [
          e.name === DEFAULT_EDITION ? 'default' : '',
          e.name === active ? 'active' : '',
          e.extends ? `extends ${e.extends}` : 'built-in',
        ].filter((t) => t !== '');
        return `${e.name === active ? '*' : ' '} ${e.name.padEnd(width)}  ${e.title} [${tags.join(', ')}; ${e.requirements.length} requirements]`;
      });
      io.stdout(`${lines.join('\n')}\n`);
      return EXIT_OK;
    });
  },
};
