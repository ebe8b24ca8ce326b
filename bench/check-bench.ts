/**
 * End-to-end check benchmarks: generated 1 MB and 10 MB Bicep and ARM templates (VNets, subnets,
 * NSGs with inline and child rules, loops, parameters, interpolation, an Azure ML workspace and a
 * compute per unit) read with `readWorkspace` and checked with `checkModel`, each measured against
 * a baseline taken in the same run (tree-sitter-bicep's parse, JSON.parse), printed as ratios.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckCache, checkModel, type CheckResult } from '../src/core/check/check-model';
import { defaultOptions, getEdition } from '../src/core/catalog/catalog';
import { parseJsonFile } from '../src/core/arm/arm-json';
import { armTemplateReader } from '../src/core/arm/arm-template-reader';
import { bicepReader } from '../src/core/bicep/bicep-reader';
import { parseBicep } from '../src/core/bicep/parser';
import type { CheckSettings } from '../src/core/check/check-model';
import { readWorkspace, type FileHost, type Reader, type SourceFile } from '../src/core/read/read-workspace';
import type { WorkspaceModel } from '../src/core/model/workspace-model';
import { WorkspaceReader } from '../src/core/read/workspace-reader';
import { generateBicep } from './bicep-parse';
import { mulberry32 as random } from '../test/support/seeded-random';
import { median, timeMs } from './measure';

// ---------------------------------------------------------------------------------------------
// Generators

/** The module every Bicep unit calls: an Azure ML workspace and a compute cluster in a subnet. */
export const WORKSPACE_BICEP = `param workspaceName string
param computeSubnetId string
param hbi bool = false
param location string = resourceGroup().location

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: workspaceName
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    friendlyName: workspaceName
    hbiWorkspace: hbi
    publicNetworkAccess: 'Enabled'
  }
}

resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: workspace
  name: 'cpu-cluster'
  location: location
  properties: {
    computeType: 'AmlCompute'
    properties: {
      vmSize: 'Standard_DS3_v2'
      scaleSettings: { minNodeCount: 0, maxNodeCount: 4 }
      subnet: { id: computeSubnetId }
      enableNodePublicIp: true
    }
  }
}
`;

/** A Bicep template of about `megabytes` MB (the bicep-parse generator: units of NSG + VNet + workspace module). */
export function generateBicepTemplate(megabytes: number, seed = 1): string {
  return generateBicep(megabytes, seed);
}

const SERVICE_TAGS = ['AzureMachineLearning', 'BatchNodeManagement', 'AzureActiveDirectory', 'AzureResourceManager', 'AzureFrontDoor.FirstParty', 'MicrosoftContainerRegistry'];
const PORTS = ['443', '44224', '29876-29877', '8787', '18881', '5831', '445', '22'];


/** The ARM shape of one Bicep unit: parameter, copy variable, NSG with inline and child rules, conditional VNet with a property copy, workspace, compute, output. */
function armUnit(n: number, next: () => number): { parameters: Record<string, unknown>; variables: Record<string, unknown>; resources: unknown[]; outputs: Record<string, unknown> } {
  const rules: unknown[] = [];
  const count = 4 + Math.floor(next() * 8);
  for (let r = 0; r < count; r++) {
    const tag = SERVICE_TAGS[Math.floor(next() * SERVICE_TAGS.length)];
    const port = PORTS[Math.floor(next() * PORTS.length)];
    const inbound = next() < 0.5;
    rules.push({
      name: `rule${n}_${r}`,
      properties: {
        priority: 100 + r * 10,
        direction: inbound ? 'Inbound' : 'Outbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourceAddressPrefix: inbound ? tag : 'VirtualNetwork',
        sourcePortRange: '*',
        destinationAddressPrefix: inbound ? 'VirtualNetwork' : `[format('${tag}.{0}', parameters('location'))]`,
        destinationPortRange: port,
      },
    });
  }
  const nsgName = `[format('nsg-{0}-${n}', parameters('prefix'))]`;
  const vnetName = `[format('vnet-{0}-${n}', parameters('prefix'))]`;
  const wsName = `[toLower(format('mlw-{0}-${n}', parameters('prefix')))]`;
  return {
    parameters: { [`addressSpace${n}`]: { type: 'string', defaultValue: `10.${n % 250}.0.0/16`, metadata: { description: `Address space of network ${n}` } } },
    variables: {
      copy: [{ name: `subnets${n}`, count: 3, input: { name: `[format('snet-${n}-{0}', copyIndex('subnets${n}'))]`, prefix: `[cidrSubnet(parameters('addressSpace${n}'), 24, copyIndex('subnets${n}'))]` } }],
    },
    resources: [
      {
        type: 'Microsoft.Network/networkSecurityGroups',
        apiVersion: '2023-09-01',
        name: nsgName,
        location: "[parameters('location')]",
        tags: { unit: `${n}`, env: "[parameters('env')]" },
        properties: { securityRules: rules },
      },
      {
        type: 'Microsoft.Network/networkSecurityGroups/securityRules',
        apiVersion: '2023-09-01',
        name: `[format('{0}/{1}', format('nsg-{0}-${n}', parameters('prefix')), 'DenyAllOutbound${n}')]`,
        properties: {
          priority: 4000, direction: 'Outbound', access: 'Deny', protocol: '*',
          sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*',
        },
        dependsOn: [`[resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{0}-${n}', parameters('prefix')))]`],
      },
      {
        condition: "[parameters('deployNetwork')]",
        type: 'Microsoft.Network/virtualNetworks',
        apiVersion: '2023-09-01',
        name: vnetName,
        location: "[parameters('location')]",
        properties: {
          addressSpace: { addressPrefixes: [`[parameters('addressSpace${n}')]`] },
          copy: [{
            name: 'subnets',
            count: `[length(variables('subnets${n}'))]`,
            input: {
              name: `[variables('subnets${n}')[copyIndex('subnets')].name]`,
              properties: {
                addressPrefix: `[variables('subnets${n}')[copyIndex('subnets')].prefix]`,
                networkSecurityGroup: `[if(equals(copyIndex('subnets'), 0), createObject('id', resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{0}-${n}', parameters('prefix')))), null())]`,
              },
            },
          }],
        },
        dependsOn: [`[resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{0}-${n}', parameters('prefix')))]`],
      },
      {
        type: 'Microsoft.MachineLearningServices/workspaces',
        apiVersion: '2024-04-01',
        name: wsName,
        location: "[parameters('location')]",
        identity: { type: 'SystemAssigned' },
        properties: { friendlyName: wsName, hbiWorkspace: `[and(equals(parameters('env'), 'prod'), ${n % 2 === 0 ? 'true()' : 'false()'})]`, publicNetworkAccess: 'Enabled' },
      },
      {
        type: 'Microsoft.MachineLearningServices/workspaces/computes',
        apiVersion: '2024-04-01',
        name: `[format('{0}/{1}', toLower(format('mlw-{0}-${n}', parameters('prefix'))), 'cpu-cluster')]`,
        location: "[parameters('location')]",
        properties: {
          computeType: 'AmlCompute',
          properties: {
            vmSize: 'Standard_DS3_v2',
            scaleSettings: { minNodeCount: 0, maxNodeCount: 4 },
            subnet: { id: `[resourceId('Microsoft.Network/virtualNetworks/subnets', format('vnet-{0}-${n}', parameters('prefix')), 'snet-${n}-0')]` },
            enableNodePublicIp: true,
          },
        },
        dependsOn: [`[resourceId('Microsoft.MachineLearningServices/workspaces', toLower(format('mlw-{0}-${n}', parameters('prefix'))))]`],
      },
    ],
    outputs: { [`nsgId${n}`]: { type: 'string', value: `[resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{0}-${n}', parameters('prefix')))]` } },
  };
}

/** An ARM template of about `megabytes` MB with the content of `generateBicepTemplate` (deterministic). */
export function generateArmTemplate(megabytes: number, seed = 1): string {
  const target = Math.max(1, Math.round(megabytes * 1e6));
  const next = random(seed);
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      prefix: { type: 'string', defaultValue: 'aml' },
      env: { type: 'string', defaultValue: 'dev', allowedValues: ['dev', 'prod'] },
      deployNetwork: { type: 'bool', defaultValue: true },
    } as Record<string, unknown>,
    variables: { copy: [] as unknown[] } as Record<string, unknown> & { copy: unknown[] },
    resources: [] as unknown[],
    outputs: {} as Record<string, unknown>,
  };
  // Estimate the size from each unit's JSON (pretty-printed at the depth it lands in).
  let size = 600;
  for (let n = 0; size < target; n++) {
    const u = armUnit(n, next);
    Object.assign(template.parameters, u.parameters);
    template.variables.copy.push(...(u.variables.copy as unknown[]));
    template.resources.push(...u.resources);
    Object.assign(template.outputs, u.outputs);
    size += JSON.stringify(u, null, 2).length * 1.0;
  }
  return JSON.stringify(template, null, 2);
}

// ---------------------------------------------------------------------------------------------
// Checking

export function benchSettings(): CheckSettings {
  return { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'auto', strict: false };
}

/** A host that serves the workspace module and nothing else. */
export function benchHost(extra: ReadonlyMap<string, string> = new Map()): FileHost {
  return { readFile: (path) => (path.endsWith('workspace.bicep') ? WORKSPACE_BICEP : extra.get(path)) };
}

const READERS = [bicepReader, armTemplateReader];

/** Read + model + link + checkModel, as `amlnet check` does. */
export function fullCheck(files: readonly SourceFile[], host: FileHost = benchHost(), settings = benchSettings(), readers: readonly Reader[] = READERS): { model: WorkspaceModel; result: CheckResult } {
  const model = readWorkspace(files, host, readers);
  return { model, result: checkModel(model, settings) };
}

export function summary(r: { model: WorkspaceModel; result: CheckResult }): string {
  const m = r.model;
  const inScope = r.result.nsgs.filter((n) => n.inScope).length;
  return `${m.vnets.length} VNets, ${m.subnets.length} subnets, ${m.nsgs.length} NSGs (${m.nsgs.reduce((k, n) => k + n.rules.length, 0)} rules, ${inScope} in scope), `
    + `${m.workspaces.length} workspaces, ${m.computes.length} computes, ${m.problems.length} problems`;
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** Warm-up runs, then `runs` measured runs; the median in milliseconds. */
export function measure(runs: number, f: () => void, warmups = 2): number {
  for (let i = 0; i < warmups; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeMs(f));
  return median(times);
}

/**
 * Warm-up runs before a measured steady state: on a 1 MB file V8 is still compiling the reader and
 * engine in the first runs (Bicep: 200, 150, 85, then ~45 ms; ARM, the median over six fresh
 * processes of runs 1-5, 6-10, ... 56-60: 59, 24, 14.6, 13.7, 13.4, then 12.3-13.2 from run 26
 * on), so fewer warm-ups measure the compiler, not the check. The cold first run is printed beside
 * the median; the baselines (native parsers) need no warm-up and get the same runs.
 */
const JIT_WARMUPS = 30;

/** Interleaves two measurements so drift affects both alike; medians in ms. */
function measurePair(runs: number, a: () => void, b: () => void, warmups = 2): [number, number] {
  for (let i = 0; i < warmups; i++) {
    a();
    b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(timeMs(a));
    tb.push(timeMs(b));
  }
  return [median(ta), median(tb)];
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

let sink = 0;

interface TreeSitterParser {
  setLanguage(language: unknown): void;
  parse(text: string | ((index: number) => string | null), old?: unknown, options?: { bufferSize?: number }): { rootNode: { childCount: number } };
}

function treeSitterParser(): TreeSitterParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const P = require('tree-sitter') as new () => TreeSitterParser;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const B = require('tree-sitter-bicep') as unknown;
  const p = new P();
  p.setLanguage(B);
  return p;
}

/** tree-sitter's parse of `text` (a string input with a buffer that holds it: no 32 KB chunking). */
function treeSitterParse(p: TreeSitterParser, text: string): number {
  return p.parse(text, undefined, { bufferSize: text.length * 2 + 1 }).rootNode.childCount;
}

/**
 * The generated file's units (one NSG, VNet, module and output each, ~4.4 KB), as separate texts.
 * tree-sitter-bicep 1.1.0 is quadratic in the number of statements after a member access at the
 * end of a statement (`output x string = nsg.id`, `a ? b.c : d` in a module): its GLR parser keeps
 * a second stack version alive to the end of the file. Parsing each unit alone is linear and gives
 * its throughput on small files (the ~7 MB/s the issue cites): the fair baseline.
 */
function units(text: string): string[] {
  return text.split(/(?=^\/\/ ---- unit )/m);
}

export function checkBicep1mb(runs: number): void {
  const text = generateBicepTemplate(1);
  const files = [{ path: 'main.bicep', text }];
  const p = treeSitterParser();
  const parts = units(text);
  const check = (): void => {
    sink += fullCheck(files).result.nsgs.length;
  };
  const perUnit = (): void => {
    for (const u of parts) sink += treeSitterParse(p, u);
  };
  const cold = timeMs(() => console.log(`  ${(text.length / 1e6).toFixed(2)} MB Bicep: ${summary(fullCheck(files))}`));
  const [checkMs, tsMs] = measurePair(runs, check, perUnit, JIT_WARMUPS);
  const wholeMs = measure(1, () => { sink += treeSitterParse(p, text); }, 1);
  const ratio = checkMs / tsMs;
  console.log(`  full check:                               median ${checkMs.toFixed(1)} ms (${(text.length / 1e3 / checkMs).toFixed(1)} MB/s)`);
  console.log(`  tree-sitter-bicep parse, unit by unit:    median ${tsMs.toFixed(1)} ms (${(text.length / 1e3 / tsMs).toFixed(1)} MB/s, ${parts.length} units)`);
  console.log(`  tree-sitter-bicep parse, the whole file:  ${wholeMs.toFixed(0)} ms (${(text.length / 1e3 / wholeMs).toFixed(2)} MB/s; quadratic, see units())`);
  console.log(`  first check in this process (cold: includes compiling the reader and engine): ${cold.toFixed(0)} ms`);
  console.log(`  ratio check / tree-sitter unit-by-unit parse = ${ratio.toFixed(2)}x (target <= 0.5x): ${verdict(ratio <= 0.5)}; against the whole-file parse ${(checkMs / wholeMs).toFixed(3)}x`);
}

export function checkArm1mb(runs: number): void {
  const text = generateArmTemplate(1);
  const files = [{ path: 'azuredeploy.json', text }];
  const check = (): void => {
    sink += fullCheck(files).result.nsgs.length;
  };
  const cold = timeMs(() => console.log(`  ${(text.length / 1e6).toFixed(2)} MB ARM: ${summary(fullCheck(files))}`));
  const [checkMs, jsonMs] = measurePair(runs, check, () => {
    sink += (JSON.parse(text) as { resources: unknown[] }).resources.length;
  }, JIT_WARMUPS);
  const ratio = checkMs / jsonMs;
  console.log(`  full check:  median ${checkMs.toFixed(1)} ms`);
  console.log(`  JSON.parse:  median ${jsonMs.toFixed(2)} ms`);
  console.log(`  first check in this process (cold: includes compiling the reader and engine): ${cold.toFixed(0)} ms`);
  console.log(`  ratio check / JSON.parse = ${ratio.toFixed(1)}x (target <= 8x): ${verdict(ratio <= 8)}`);
}

export function recheckEdit1mb(runs: number): void {
  let text = generateBicepTemplate(1);
  const settings = benchSettings();
  const host = benchHost();
  // A language server keeps one WorkspaceReader (it re-parses with reparseBicep and re-reads only
  // the declarations an edit can affect) and one check cache (only NSGs whose inputs changed are
  // evaluated again) across keystrokes.
  const reader = new WorkspaceReader();
  const cache = new CheckCache();
  sink += checkModel(reader.read([{ path: 'main.bicep', text }], host), settings, cache).nsgs.length;
  // One keystroke: change a digit of a rule priority near the middle of the file, alternating.
  const anchor = text.indexOf('priority: 1', text.length >> 1) + 'priority: '.length;
  let edits = 0;
  const keystroke = (): void => {
    const old = text[anchor];
    const newText = old === '1' ? '2' : '1';
    text = text.slice(0, anchor) + newText + text.slice(anchor + 1);
    reader.edit('main.bicep', text, { start: anchor, end: anchor + 1, newText });
    sink += checkModel(reader.read([{ path: 'main.bicep', text }], host), settings, cache).nsgs.length;
    edits++;
  };
  const full = (): void => {
    sink += fullCheck([{ path: 'main.bicep', text }], host, settings).result.nsgs.length;
  };
  const [editMs, fullMs] = measurePair(runs * 3, keystroke, full, 3);
  console.log(`  ${(text.length / 1e6).toFixed(2)} MB Bicep, a one-character edit of a rule priority (${edits} edits)`);
  console.log(`  reparse + re-read + re-check: median ${editMs.toFixed(1)} ms (target <= 30 ms): ${verdict(editMs <= 30)}`);
  console.log(`  full check:                   median ${fullMs.toFixed(1)} ms; ratio edit / full = ${(editMs / fullMs).toFixed(2)}x`);
}

export function templates1000(runs: number): void {
  // 500 Bicep and 500 ARM templates of ~50 KB each: ~50 MB in all, each checked as its own workspace (as a CI run per repository would).
  const bicep: SourceFile[] = [];
  const arm: SourceFile[] = [];
  for (let i = 0; i < 500; i++) {
    bicep.push({ path: `t${i}/main.bicep`, text: generateBicepTemplate(0.05, i + 1) });
    arm.push({ path: `t${i}/azuredeploy.json`, text: generateArmTemplate(0.05, i + 1) });
  }
  const bytes = [...bicep, ...arm].reduce((n, f) => n + f.text.length, 0);
  const host = benchHost();
  const settings = benchSettings();
  const all = (): void => {
    for (let i = 0; i < 500; i++) {
      sink += fullCheck([bicep[i]], host, settings).result.nsgs.length;
      sink += fullCheck([arm[i]], host, settings).result.nsgs.length;
    }
  };
  const json = (): void => {
    for (const f of arm) sink += (JSON.parse(f.text) as { resources: unknown[] }).resources.length;
  };
  const [allMs, jsonMs] = measurePair(Math.max(1, Math.min(runs, 3)), all, json, 1);
  console.log(`  1000 templates (500 Bicep, 500 ARM), ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`  read + check all: median ${(allMs / 1000).toFixed(2)} s (target <= 5 s): ${verdict(allMs <= 5000)}`);
  console.log(`  JSON.parse of the ARM half: median ${jsonMs.toFixed(0)} ms; ratio = ${(allMs / jsonMs).toFixed(1)}x`);
}

/**
 * This process's peak RSS in bytes: VmHWM of /proc/self/status where there is one (it belongs to
 * this process's memory map, made at exec), else getrusage's maxRSS (which on Linux also carries
 * the peak of the parent that forked this process, so it can overstate a small child).
 */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Child-process body for rss-bicep-10mb: prints the peak RSS in bytes. */
export function rssChild(megabytes: number): void {
  const text = generateBicepTemplate(megabytes);
  const r = fullCheck([{ path: 'main.bicep', text }]);
  const peak = peakRss();
  console.log(JSON.stringify({ peak, summary: summary(r) }));
}

/** Runs the measured process (`rss-child.js`, beside this file, loading only the check); `_script` is kept for callers. */
export function rssBicep10mb(_script?: string): void {
  const child = join(__dirname, 'rss-child.js');
  const peak = (args: string[]): { peak: number; summary?: string } => JSON.parse(execFileSync(process.execPath, [child, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop() ?? '{}') as { peak: number; summary?: string };
  const base = peak(['0']);
  const r = peak(['10']);
  console.log(`  10 MB Bicep: ${r.summary}`);
  console.log(`  peak RSS of a fresh process checking it: ${(r.peak / 1e6).toFixed(0)} MB (target < 300 MB): ${verdict(r.peak < 300e6)}`);
  console.log(`  baseline (the same process checking nothing): ${(base.peak / 1e6).toFixed(0)} MB; ratio = ${(r.peak / base.peak).toFixed(1)}x`);
}

export function rssChildMain(argv: readonly string[]): boolean {
  const i = argv.indexOf('--rss-child');
  if (i < 0) return false;
  const mbArg = Number(argv[i + 1]);
  if (mbArg > 0) rssChild(mbArg);
  else console.log(JSON.stringify({ peak: peakRss() }));
  return true;
}

export function keep(): number {
  return sink;
}

/** Where a full check's time goes: parse, read (evaluate + model + link), checkModel; medians in ms. */
export function phases(kind: 'bicep' | 'arm', megabytes: number, runs: number): { parse: number; readLink: number; check: number; bytes: number } {
  const text = kind === 'bicep' ? generateBicepTemplate(megabytes) : generateArmTemplate(megabytes);
  const files = [{ path: kind === 'bicep' ? 'main.bicep' : 'azuredeploy.json', text }];
  const host = benchHost();
  const settings = benchSettings();
  const parse = kind === 'bicep'
    ? (): void => { sink += parseBicep(text).statements.length; }
    // The ARM reader's own JSON step (its tape), not jsonc-parser's tree, which it does not build for plain JSON.
    : (): void => { sink += parseJsonFile(files[0].path, text, []).root?.offset ?? 0; };
  const model = readWorkspace(files, host, READERS);
  const parseMs = measure(runs, parse);
  const readMs = measure(runs, () => { sink += readWorkspace(files, host, READERS).nsgs.length; });
  const checkMs = measure(runs, () => { sink += checkModel(model, settings).nsgs.length; });
  return { parse: parseMs, readLink: readMs - parseMs, check: checkMs, bytes: text.length };
}

export function printPhases(runs: number): void {
  for (const kind of ['bicep', 'arm'] as const) {
    const rows = [0.5, 1, 2].map((m) => ({ m, ...phases(kind, m, runs) }));
    for (const r of rows) {
      console.log(`  ${kind} ${(r.bytes / 1e6).toFixed(2)} MB: parse ${r.parse.toFixed(1)} ms, rest of read + link ${r.readLink.toFixed(1)} ms, checkModel ${r.check.toFixed(1)} ms`);
    }
    const per = rows.map((r) => r.check / r.bytes * 1e6);
    console.log(`  ${kind} checkModel ms per MB at 0.5/1/2 MB: ${per.map((p) => p.toFixed(1)).join(' / ')} (linear if flat)`);
  }
}
