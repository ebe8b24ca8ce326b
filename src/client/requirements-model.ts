// The Requirements view as data: the active edition's catalog for the active options (the JSON of
// `amlnet requirements --format json`, from `amlnet/requirements`), grouped by direction, with the
// requirements the options rule out and why. Pure; unit-tested.

import { escapeMarkdown, markdownLink } from './report-view';
import type { TreeNode } from './tree-model';

// The shape of `amlnet requirements --format json` (src/cli/requirements-command.ts,
// RequirementsJson), restated so the client depends on the protocol's JSON, not on the CLI.
interface RemoteJson { readonly tag: string; readonly name: string }
interface RequirementJson {
  readonly id: string;
  readonly kind: 'service-tag' | 'host';
  readonly direction?: 'Inbound' | 'Outbound';
  readonly protocol: string;
  readonly ports: readonly string[];
  readonly remote?: readonly RemoteJson[];
  readonly host?: string;
  readonly purpose: string;
  readonly notes: readonly string[];
  readonly when: string;
  readonly source?: string;
  readonly docs: string;
}
export interface RequirementsJson {
  readonly edition: { readonly name: string; readonly title: string; readonly description: string; readonly docs: string; readonly notes: readonly string[]; readonly extends: string | null; readonly isDefault: boolean };
  readonly options: Readonly<Record<string, unknown>>;
  readonly configFile: string | null;
  readonly requirements: readonly RequirementJson[];
  readonly notApplicable: readonly { readonly id: string; readonly kind: string; readonly because: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The result of `amlnet/requirements` when it has the expected shape; undefined otherwise. */
export function parseRequirementsJson(value: unknown): RequirementsJson | undefined {
  if (!isObject(value) || !isObject(value.edition) || !isObject(value.options)) return undefined;
  if (!Array.isArray(value.requirements) || !Array.isArray(value.notApplicable)) return undefined;
  if (typeof value.edition.name !== 'string') return undefined;
  const requirements = value.requirements.filter((r): r is RequirementJson => isObject(r) && typeof r.id === 'string' && (r.kind === 'service-tag' || r.kind === 'host') && Array.isArray(r.ports));
  const notApplicable = value.notApplicable.filter((n): n is RequirementsJson['notApplicable'][number] => isObject(n) && typeof n.id === 'string' && typeof n.because === 'string');
  return { ...(value as unknown as RequirementsJson), requirements, notApplicable };
}

/** The user's own settings for the options that can be inferred from templates (null: not set). */
export interface OptionSettings {
  readonly publicIp: boolean | null;
  readonly hbi: boolean | null;
  readonly region: string | null;
  readonly cloud: string | null;
}

function protocolText(protocol: string): string {
  return protocol === '*' ? 'Any' : protocol.toUpperCase();
}

/** "TCP 443, 445 · Storage.westeurope" or "HTTPS 443 · *.anaconda.com". */
export function catalogPortsAndTag(r: RequirementJson): string {
  const remote = r.kind === 'host' ? (r.host ?? '') : (r.remote ?? []).map((m) => m.name).join(' + ');
  return `${protocolText(r.protocol)} ${r.ports.join(', ')} · ${remote}`;
}

function requirementTooltip(r: RequirementJson): string {
  const out = [`**${escapeMarkdown(r.id)}**${r.direction ? ` · ${r.direction}` : ' · host name (firewall rule)'}`, '', escapeMarkdown(catalogPortsAndTag(r)), '', escapeMarkdown(r.purpose)];
  out.push('', `Applies: ${escapeMarkdown(r.when)}.`);
  for (const n of r.notes) out.push('', `Note: ${escapeMarkdown(n)}`);
  if (r.source) out.push('', `Source: ${escapeMarkdown(r.source)}`);
  const docs = markdownLink('Azure ML documentation', r.docs);
  if (docs) out.push('', docs);
  return out.join('\n');
}

function requirementNode(group: string, r: RequirementJson): TreeNode {
  return {
    id: `${group}/${r.id}`,
    kind: 'requirement',
    label: r.id,
    description: catalogPortsAndTag(r),
    tooltip: requirementTooltip(r),
    contextValue: 'catalogRequirement',
    icon: { id: r.kind === 'host' ? 'globe' : r.direction === 'Inbound' ? 'arrow-down' : 'arrow-up' },
    children: [],
  };
}

function group(id: string, label: string, icon: string, children: TreeNode[], expanded: boolean, tooltip?: string, count = true): TreeNode {
  return { id, kind: 'direction', label, ...(count ? { description: String(children.length) } : {}), ...(tooltip ? { tooltip } : {}), contextValue: `group.${id}`, icon: { id: icon }, expanded, children };
}

function yesNo(value: unknown): string {
  return value === true ? 'yes' : value === false ? 'no' : String(value);
}

function optionNodes(json: RequirementsJson, settings: OptionSettings): TreeNode[] {
  const o = json.options;
  const inferred = 'not set: each NSG takes it from the templates, else this default';
  const unknownIn = ' Where a template leaves it to deployment (a parameter without a value), it is unknown.';
  const node = (key: string, label: string, value: string, command: string | undefined, tooltip: string): TreeNode => ({
    id: `options/${key}`,
    kind: 'message',
    label,
    description: value,
    tooltip,
    contextValue: command ? `option.${key}` : 'option',
    icon: { id: command ? 'edit' : 'symbol-boolean' },
    ...(command ? { command } : {}),
    children: [],
  });
  const settable = [
    node('publicIp', 'Public IP', `${yesNo(o.publicIp)}${settings.publicIp === null ? ' (inferred)' : ''}`, 'amlnet.setPublicIp',
      settings.publicIp === null ? `Compute nodes have a public IP: ${inferred}.${unknownIn}` : 'Set by the `amlnet.options.publicIp` setting.'),
    node('hbi', 'HBI workspace', `${yesNo(o.hbi)}${settings.hbi === null ? ' (inferred)' : ''}`, 'amlnet.setHbi',
      settings.hbi === null ? `The workspace has the hbi_workspace flag: ${inferred}.${unknownIn}` : 'Set by the `amlnet.options.hbi` setting.'),
    node('region', 'Region', `${typeof o.region === 'string' ? o.region : 'not set'}${settings.region === null ? ' (inferred)' : ''}`, 'amlnet.setRegion',
      settings.region === null ? `The workspace region: ${inferred}.` : 'Set by the `amlnet.options.region` setting.'),
    node('cloud', 'Cloud', String(o.cloud ?? 'AzureCloud'), 'amlnet.setCloud', 'The Azure cloud (`amlnet.options.cloud`).'),
  ];
  const others: [string, string][] = [
    ['storageFirewall', 'Storage firewall'],
    ['aks', 'AKS'],
    ['vscode', 'VS Code desktop'],
    ['rstudio', 'RStudio'],
    ['privateEndpoints', 'Private endpoints'],
    ['monitorPrivateLink', 'Azure Monitor private link'],
  ];
  const rest = others
    .filter(([key]) => key in o)
    .map(([key, label]) => node(key, label, yesNo(o[key]), undefined, `Set in ${json.configFile ? escapeMarkdown(json.configFile) : '`.amlnet.json`'} (\`options.${key}\`).`));
  if (Array.isArray(o.packages)) {
    rest.push(node('packages', 'Packages', o.packages.length > 0 ? o.packages.join(', ') : 'none', undefined, 'Package sources, set in `.amlnet.json` (`options.packages`).'));
  }
  return [...settable, ...rest];
}

/** The Requirements view's roots; a loading item until the first answer. */
export function buildRequirementsTree(value: unknown, settings: OptionSettings): TreeNode[] {
  if (value === undefined) {
    return [{ id: 'loading', kind: 'loading', label: 'Loading the requirement catalog…', contextValue: 'loading', icon: { id: 'loading~spin' }, children: [] }];
  }
  const json = parseRequirementsJson(value);
  if (!json) {
    return [{ id: 'invalid', kind: 'message', label: 'The language server sent no requirement catalog', contextValue: 'message', icon: { id: 'warning', color: 'problemsWarningIcon.foreground' }, children: [] }];
  }
  const e = json.edition;
  const editionTooltip = [
    `**Edition ${escapeMarkdown(e.name)}**${e.isDefault ? ' (default)' : e.extends ? ` (extends ${escapeMarkdown(e.extends)})` : ''}`,
    '',
    escapeMarkdown(e.title),
    '',
    escapeMarkdown(e.description),
    ...e.notes.map((n) => `\n- ${escapeMarkdown(n)}`),
    ...[markdownLink('Azure ML documentation', e.docs)].flatMap((link) => (link ? ['', link] : [])),
  ].join('\n');
  const roots: TreeNode[] = [
    {
      id: 'edition',
      kind: 'message',
      label: `Edition ${e.name}`,
      description: e.isDefault ? `default · ${e.title}` : e.title,
      tooltip: editionTooltip,
      contextValue: 'edition',
      icon: { id: 'versions' },
      command: 'amlnet.switchEdition',
      children: [],
    },
    group('options', 'Options', 'settings', optionNodes(json, settings), false, 'The options that select the requirements. NSGs may override public IP, hbi and region from their templates.', false),
  ];
  const tags = json.requirements.filter((r) => r.kind === 'service-tag');
  for (const direction of ['Inbound', 'Outbound'] as const) {
    const rows = tags.filter((r) => r.direction === direction);
    if (rows.length > 0) roots.push(group(direction.toLowerCase(), direction, direction === 'Inbound' ? 'arrow-down' : 'arrow-up', rows.map((r) => requirementNode(direction.toLowerCase(), r)), true));
  }
  const hosts = json.requirements.filter((r) => r.kind === 'host');
  if (hosts.length > 0) {
    roots.push(group('hosts', 'Host names (firewall rules)', 'globe', hosts.map((r) => requirementNode('hosts', r)), false,
      'Outbound host names, judged by a firewall rather than an NSG.'));
  }
  if (json.notApplicable.length > 0) {
    roots.push(group('notApplicable', 'Not applicable', 'circle-slash', json.notApplicable.map((n) => ({
      id: `notApplicable/${n.id}`,
      kind: 'requirement' as const,
      label: n.id,
      description: n.because,
      tooltip: `**${escapeMarkdown(n.id)}** is not applicable: ${escapeMarkdown(n.because)}.`,
      contextValue: 'catalogRequirement.notApplicable',
      icon: { id: 'circle-slash', color: 'disabledForeground' },
      children: [],
    })), false, 'Requirements the active options rule out, each with the option that does.'));
  }
  return roots;
}
