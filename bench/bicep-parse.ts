/**
 * Bicep parse throughput: generates realistic Bicep (NSGs with inline and child rules, loops,
 * modules, interpolation, decorators, comments) and measures MB/s of `parseBicep`, the median of
 * several runs after warm-up. Runnable alone: `node out/bench/bicep-parse.js [MB ...]`.
 */

import { parseBicep } from '../src/core/bicep/parser';
import type { BicepFile } from '../src/core/bicep/syntax';
import { mulberry32 as random } from '../test/support/seeded-random';
import { median } from './measure';

/** Options for `benchBicepParse`. */
export interface BicepParseBenchOptions {
  /** Size of the generated file in MB (10^6 UTF-16 code units, ASCII here so also bytes). */
  megabytes: number;
  /** Timed runs; the median is reported. */
  runs?: number;
  /** Untimed runs first, so the JIT has compiled the parser. */
  warmups?: number;
}

/** The result of one benchmark. */
export interface BicepParseBenchResult {
  megabytes: number;
  characters: number;
  statements: number;
  diagnostics: number;
  /** The first parse in this process, before the JIT has warmed up (what a one-shot CLI run pays). */
  coldMs: number;
  /** Resident set size right after that first parse, with its tree alive, in MB. */
  coldRssMb: number;
  /** Median of the timed runs, after warm-up. */
  medianMs: number;
  mbPerSecond: number;
  /** Heap used after the timed runs with one tree alive (after a GC when `--expose-gc`), in MB. */
  heapUsedMb: number;
}

const SERVICE_TAGS = ['AzureMachineLearning', 'BatchNodeManagement', 'AzureActiveDirectory', 'AzureResourceManager', 'AzureFrontDoor.FirstParty', 'MicrosoftContainerRegistry'];
const PORTS = ['443', '44224', '29876-29877', '8787', '18881', '5831', '445', '22'];


function rule(name: string, priority: number, direction: string, tag: string, port: string, indent: string): string {
  const i = indent;
  return `${i}{
${i}  name: '${name}'
${i}  properties: {
${i}    priority: ${priority}
${i}    direction: '${direction}'
${i}    access: 'Allow'
${i}    protocol: 'Tcp'
${i}    sourceAddressPrefix: ${direction === 'Inbound' ? `'${tag}'` : '\'VirtualNetwork\''}
${i}    sourcePortRange: '*'
${i}    destinationAddressPrefix: ${direction === 'Inbound' ? '\'VirtualNetwork\'' : `'${tag}.\${location}'`}
${i}    destinationPortRange: '${port}'
${i}  }
${i}}
`;
}

/** One unit of realistic Bicep: an NSG with inline and child rules, a VNet with a loop, a module, outputs. */
function unit(n: number, next: () => number): string {
  const rules: string[] = [];
  const count = 4 + Math.floor(next() * 8);
  for (let r = 0; r < count; r++) {
    const tag = SERVICE_TAGS[Math.floor(next() * SERVICE_TAGS.length)];
    const port = PORTS[Math.floor(next() * PORTS.length)];
    rules.push(rule(`rule${n}_${r}`, 100 + r * 10, next() < 0.5 ? 'Inbound' : 'Outbound', tag, port, '      '));
  }
  return `// ---- unit ${n}: NSG, VNet and module for workspace ${n}
@description('Address space of network ${n}')
param addressSpace${n} string = '10.${n % 250}.0.0/16'

var subnets${n} = [for i in range(0, 3): {
  name: 'snet-${n}-\${i}'
  prefix: cidrSubnet(addressSpace${n}, 24, i)
}]

resource nsg${n} 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-\${prefix}-${n}'
  location: location
  tags: { unit: '${n}', env: env }
  properties: {
    securityRules: [
${rules.join('')}    ]
  }

  resource deny${n} 'securityRules' = {
    name: 'DenyAllOutbound${n}'
    properties: {
      priority: 4000
      direction: 'Outbound'
      access: 'Deny'
      protocol: '*'
      sourceAddressPrefix: '*'
      sourcePortRange: '*'
      destinationAddressPrefix: 'Internet'
      destinationPortRange: '*'
    }
  }
}

/* The VNet uses the NSG on its first subnet only. */
resource vnet${n} 'Microsoft.Network/virtualNetworks@2023-09-01' = if (deployNetwork) {
  name: 'vnet-\${prefix}-${n}'
  location: location
  properties: {
    addressSpace: { addressPrefixes: [addressSpace${n}] }
    subnets: [for (s, i) in subnets${n}: {
      name: s.name
      properties: {
        addressPrefix: s.prefix
        networkSecurityGroup: i == 0 ? { id: nsg${n}.id } : null
      }
    }]
  }
}

module workspace${n} './workspace.bicep' = {
  name: 'mlw-${n}-\${uniqueString(resourceGroup().id)}'
  params: {
    workspaceName: toLower('mlw-\${prefix}-${n}')
    computeSubnetId: deployNetwork ? vnet${n}.properties.subnets[0].id : ''
    hbi: env == 'prod' && ${n % 2 === 0 ? 'true' : 'false'}
  }
}

output nsgId${n} string = nsg${n}.id
`;
}

/** Generates realistic Bicep of about `megabytes` MB (deterministic). */
export function generateBicep(megabytes: number, seed = 1): string {
  const target = Math.max(1, Math.round(megabytes * 1e6));
  const next = random(seed);
  const parts: string[] = [`targetScope = 'resourceGroup'

param location string = resourceGroup().location
param prefix string = 'aml'
@allowed(['dev', 'prod'])
param env string = 'dev'
param deployNetwork bool = true
`];
  let size = parts[0].length;
  for (let n = 0; size < target; n++) {
    const u = unit(n, next);
    parts.push(u);
    size += u.length;
  }
  return parts.join('\n');
}

/** The first parse in the process; its own function so that its tree is garbage afterwards. */
function firstParse(text: string): { coldMs: number; coldRssMb: number } {
  const t0 = process.hrtime.bigint();
  const file = parseBicep(text);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const coldRssMb = process.memoryUsage().rss / 1e6;
  if (file.statements.length === 0) throw new Error('the generated file parsed to nothing');
  return { coldMs, coldRssMb };
}

/** Measures parse throughput on a generated file of the given size. */
export function benchBicepParse(options: BicepParseBenchOptions): BicepParseBenchResult {
  const runs = options.runs ?? 7;
  const warmups = options.warmups ?? 3;
  const text = generateBicep(options.megabytes);
  const { coldMs, coldRssMb } = firstParse(text);
  for (let i = 0; i < warmups; i++) parseBicep(text);
  const times: number[] = [];
  // Only the last tree stays alive, as in a real check: drop each tree before the next parse.
  const last: { file?: BicepFile } = {};
  for (let i = 0; i < runs; i++) {
    delete last.file;
    const t0 = process.hrtime.bigint();
    last.file = parseBicep(text);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const file = last.file;
  if (file === undefined) throw new Error('runs must be at least 1');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const memory = process.memoryUsage();
  const medianMs = median(times);
  return {
    megabytes: options.megabytes,
    characters: text.length,
    statements: file.statements.length,
    diagnostics: file.diagnostics.length,
    coldMs,
    coldRssMb,
    medianMs,
    mbPerSecond: text.length / 1e6 / (medianMs / 1000),
    heapUsedMb: memory.heapUsed / 1e6,
  };
}

/** A one-line summary of a result. */
export function formatBicepParseResult(r: BicepParseBenchResult): string {
  return `bicep parse ${r.megabytes} MB: ${r.mbPerSecond.toFixed(1)} MB/s warm (median ${r.medianMs.toFixed(1)} ms), `
    + `first parse ${r.coldMs.toFixed(0)} ms with RSS ${r.coldRssMb.toFixed(0)} MB; ${r.statements} statements, `
    + `${r.diagnostics} diagnostics, heap ${r.heapUsedMb.toFixed(0)} MB`;
}

// Run each size in its own process for a clean first-parse RSS: `node out/bench/bicep-parse.js 10`.
if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const megabytes of sizes.length > 0 ? sizes : [1, 10]) {
    console.log(formatBicepParseResult(benchBicepParse({ megabytes, runs: megabytes >= 10 ? 5 : 9 })));
  }
}
