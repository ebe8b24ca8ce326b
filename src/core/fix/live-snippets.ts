/**
 * Fixes for live NSGs (read from Azure): amlnet never writes to Azure, so a fix is text the user
 * runs or deploys: `az network nsg rule create` commands, or a Bicep or ARM snippet of child
 * `securityRules` resources (which add rules to an existing NSG without replacing the others).
 *
 * Which rules to add is decided by the template fixes themselves (fix-nsg.ts: only what is
 * missing, named `<prefix><Tag><Direction>`, at a free priority below every rule that blocks the
 * traffic, unique among the NSG's rules): the live NSG is handed to `fixAllForNsg` as if declared
 * in a one-resource ARM template, and the rules the fix writes there are read back. Pure.
 */
import { parse as parseJsonc } from 'jsonc-parser';
import type { NsgCheck } from '../check/check-model';
import { isUnknown } from '../maybe';
import type { NsgModel } from '../model/workspace-model';
import { fixAllForNsg, type FixOptions, type Skipped } from './fix-nsg';
import { bicepString } from './layout';
import { applyEdits } from './text-edit';

/** Where a live NSG is: what `az` and a deployment need to address it. */
export interface LiveNsgTarget {
  readonly subscription?: string;
  readonly resourceGroup: string;
  readonly nsgName: string;
}

/** A rule to add to a live NSG, in ARM's terms. */
export interface LiveRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
  readonly protocol: 'Tcp' | 'Udp' | '*';
  readonly sourceAddressPrefix: string;
  readonly destinationAddressPrefix: string;
  readonly destinationPortRanges: readonly string[];
  readonly description: string;
}

export interface LiveRulePlan {
  readonly rules: readonly LiveRule[];
  /** Requirements the plan leaves alone, and why (unknown verdicts, no free priority, ...). */
  readonly skipped: readonly Skipped[];
  /** Requirement ids the rules make pass. */
  readonly fixed: readonly string[];
}

/** The API version the snippets name for NSGs and their rules. */
export const LIVE_NSG_API_VERSION = '2023-09-01';

const SCRATCH_FILE = 'amlnet-live-nsg.json';
const SCRATCH_HEAD = '{"resources":[';

/** Resource group, NSG name and subscription from an NSG's resource id (`/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n`). */
export function liveNsgTarget(resourceId: string): LiveNsgTarget | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkSecurityGroups\/([^/]+)$/i.exec(resourceId);
  return m ? { subscription: m[1], resourceGroup: m[2], nsgName: m[3] } : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * The rules a live NSG needs for its failing requirements (all of them, or only `requirementIds`),
 * computed by the template fixes (fix-nsg.ts) so names and priorities follow the same rules.
 */
export function planLiveRules(check: NsgCheck, options: FixOptions & { readonly requirementIds?: readonly string[] } = {}): LiveRulePlan {
  const nsg = check.nsg;
  const location = nsg.location && !isUnknown(nsg.location) && nsg.location.kind === 'name' ? nsg.location.name : undefined;
  // The NSG as a one-resource template with an empty securityRules array: new rules go there, in
  // ARM's shape; the NSG's own rules stay in the model, so names and priorities avoid them.
  const resource = JSON.stringify({
    type: 'Microsoft.Network/networkSecurityGroups',
    apiVersion: LIVE_NSG_API_VERSION,
    name: nsg.name,
    ...(location ? { location } : {}),
    properties: { securityRules: [] },
  }, null, 2);
  const text = `${SCRATCH_HEAD}${resource}]}`;
  const scratch: NsgModel = {
    ...nsg,
    span: { file: SCRATCH_FILE, start: SCRATCH_HEAD.length, end: SCRATCH_HEAD.length + resource.length },
    nameSpan: undefined,
    ruleStyle: 'inline',
  };
  const ids = options.requirementIds;
  const verdicts = ids ? check.verdicts.filter((v) => ids.includes(v.id)) : check.verdicts;
  const fix = fixAllForNsg({ ...check, nsg: scratch, verdicts }, new Map([[SCRATCH_FILE, text]]), options);
  if (fix.edits.length === 0) return { rules: [], skipped: fix.skipped, fixed: fix.requirementIds };
  const written = parseJsonc(applyEdits(text, fix.edits)) as { resources: { properties: { securityRules: { name: string; properties: Record<string, unknown> }[] } }[] };
  const rules = written.resources[0].properties.securityRules.map((r): LiveRule => {
    const p = r.properties;
    const ports = Array.isArray(p.destinationPortRanges) ? p.destinationPortRanges.map(str).filter((s): s is string => s !== undefined) : [str(p.destinationPortRange) ?? '*'];
    return {
      name: r.name,
      priority: Number(p.priority),
      direction: p.direction === 'Inbound' ? 'Inbound' : 'Outbound',
      protocol: p.protocol === 'Tcp' || p.protocol === 'Udp' ? p.protocol : '*',
      sourceAddressPrefix: str(p.sourceAddressPrefix) ?? '*',
      destinationAddressPrefix: str(p.destinationAddressPrefix) ?? '*',
      destinationPortRanges: ports,
      description: str(p.description) ?? '',
    };
  });
  return { rules, skipped: fix.skipped, fixed: fix.requirementIds };
}

// ---------------------------------------------------------------------------------------------
// az CLI

/** A word for bash: bare when it holds only safe characters, else single-quoted (`'` as `'\''`). */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The arguments of `az network nsg rule create` for one rule (without `az`). */
export function azRuleArgs(target: LiveNsgTarget, rule: LiveRule): string[][] {
  return [
    ['network', 'nsg', 'rule', 'create'],
    ...(target.subscription ? [['--subscription', target.subscription]] : []),
    ['--resource-group', target.resourceGroup],
    ['--nsg-name', target.nsgName],
    ['--name', rule.name],
    ['--priority', String(rule.priority)],
    ['--direction', rule.direction],
    ['--access', 'Allow'],
    ['--protocol', rule.protocol],
    ['--source-address-prefixes', rule.sourceAddressPrefix],
    ['--source-port-ranges', '*'],
    ['--destination-address-prefixes', rule.destinationAddressPrefix],
    ['--destination-port-ranges', ...rule.destinationPortRanges],
    ['--description', rule.description],
  ];
}

/** One `az network nsg rule create` command per rule, one option per line, quoted for bash. */
export function azCommands(target: LiveNsgTarget, rules: readonly LiveRule[]): string[] {
  return rules.map((rule) => `az ${azRuleArgs(target, rule).map((group) => group.map(shellQuote).join(' ')).join(' \\\n    ')}`);
}

// ---------------------------------------------------------------------------------------------
// Bicep and ARM

function bicepSymbol(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, '').replace(/^[^A-Za-z_]+/, '') || 'rule';
  const camel = base[0].toLowerCase() + base.slice(1);
  let s = camel;
  for (let i = 2; taken.has(s.toLowerCase()); i++) s = `${camel}${i}`;
  taken.add(s.toLowerCase());
  return s;
}

function bicepProperties(rule: LiveRule, indent: string): string {
  const ports = rule.destinationPortRanges.length === 1
    ? `destinationPortRange: ${bicepString(rule.destinationPortRanges[0])}`
    : `destinationPortRanges: [\n${rule.destinationPortRanges.map((p) => `${indent}    ${bicepString(p)}`).join('\n')}\n${indent}  ]`;
  return [
    `description: ${bicepString(rule.description)}`,
    `protocol: ${bicepString(rule.protocol)}`,
    `sourcePortRange: '*'`,
    ports,
    `sourceAddressPrefix: ${bicepString(rule.sourceAddressPrefix)}`,
    `destinationAddressPrefix: ${bicepString(rule.destinationAddressPrefix)}`,
    `access: 'Allow'`,
    `priority: ${rule.priority}`,
    `direction: ${bicepString(rule.direction)}`,
  ].map((l) => `${indent}  ${l}`).join('\n');
}

export interface BicepSnippet {
  /** `resource <symbol> '...networkSecurityGroups@...' existing = { name: ... }`. */
  readonly existing: string;
  /** The child `securityRules` resources, `parent: <symbol>`. */
  readonly rules: string;
  /** Both, for a file deployed to the NSG's resource group. */
  readonly text: string;
}

/** Child rule resources of the existing NSG (symbol `nsgSymbol`, default `nsg`): deploying them adds the rules and leaves the others. */
export function bicepSnippet(target: LiveNsgTarget, rules: readonly LiveRule[], nsgSymbol = 'nsg'): BicepSnippet {
  const taken = new Set<string>([nsgSymbol.toLowerCase()]);
  const existing = `resource ${nsgSymbol} 'Microsoft.Network/networkSecurityGroups@${LIVE_NSG_API_VERSION}' existing = {\n  name: ${bicepString(target.nsgName)}\n}\n`;
  const ruleText = rules.map((r) => [
    `resource ${bicepSymbol(r.name, taken)} 'Microsoft.Network/networkSecurityGroups/securityRules@${LIVE_NSG_API_VERSION}' = {`,
    `  parent: ${nsgSymbol}`,
    `  name: ${bicepString(r.name)}`,
    '  properties: {',
    bicepProperties(r, '  '),
    '  }',
    '}',
    '',
  ].join('\n')).join('\n');
  return { existing, rules: ruleText, text: `${existing}\n${ruleText}` };
}

/** The child rule resources in ARM JSON (each `name` is `<nsg>/<rule>`). */
export function armRuleResources(target: LiveNsgTarget, rules: readonly LiveRule[]): Record<string, unknown>[] {
  return rules.map((r) => ({
    type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    apiVersion: LIVE_NSG_API_VERSION,
    name: `${target.nsgName}/${r.name}`,
    properties: {
      description: r.description,
      protocol: r.protocol,
      sourcePortRange: '*',
      ...(r.destinationPortRanges.length === 1 ? { destinationPortRange: r.destinationPortRanges[0] } : { destinationPortRanges: [...r.destinationPortRanges] }),
      sourceAddressPrefix: r.sourceAddressPrefix,
      destinationAddressPrefix: r.destinationAddressPrefix,
      access: 'Allow',
      priority: r.priority,
      direction: r.direction,
    },
  }));
}

/** A deployment template (resource group scope, incremental) with only the child rule resources. */
export function armSnippet(target: LiveNsgTarget, rules: readonly LiveRule[]): string {
  return `${JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: armRuleResources(target, rules),
  }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// The document the editor opens

export interface LiveFixDocumentInput {
  readonly target: LiveNsgTarget;
  readonly plan: LiveRulePlan;
  /** What the rules are for: "NSG nsg-train" or "aml-out-storage on NSG nsg-train". */
  readonly what: string;
}

function header(comment: string, { target, plan, what }: LiveFixDocumentInput): string[] {
  const out = [
    `${comment} Azure ML Network (amlnet): the rules missing for ${what}`,
    `${comment} in resource group ${target.resourceGroup}${target.subscription ? `, subscription ${target.subscription}` : ''}.`,
    `${comment} amlnet never changes Azure: review them, then apply them yourself.`,
  ];
  if (plan.fixed.length > 0) out.push(`${comment} Fixes: ${plan.fixed.join(', ')}`);
  for (const s of plan.skipped) out.push(`${comment} Not fixed: ${s.requirementId} on ${s.nsg}: ${s.reason}`);
  if (plan.rules.length === 0) out.push(`${comment} Nothing to add.`);
  return out;
}

/** A bash script of `az network nsg rule create` commands. */
export function azScriptDocument(input: LiveFixDocumentInput): string {
  const out = ['#!/usr/bin/env bash', ...header('#', input), ''];
  if (input.plan.rules.length === 0) return `${out.join('\n')}`;
  out.push('set -euo pipefail', '');
  for (const c of azCommands(input.target, input.plan.rules)) out.push(c, '');
  return out.join('\n');
}

/** A Bicep file for the NSG's resource group: the existing NSG and the new child rules. */
export function bicepDocument(input: LiveFixDocumentInput): string {
  const out = [...header('//', input), `// Deploy: az deployment group create --resource-group ${shellQuote(input.target.resourceGroup)} --template-file <this file>`, ''];
  if (input.plan.rules.length === 0) return out.join('\n');
  return `${out.join('\n')}${bicepSnippet(input.target, input.plan.rules).text}`;
}

/** An ARM deployment template of the new child rules (JSON without comments: what is not fixed is said elsewhere). */
export function armDocument(input: LiveFixDocumentInput): string {
  return armSnippet(input.target, input.plan.rules);
}
