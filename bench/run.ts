// Benchmarks. `npm run bench` runs every case; `npm run bench -- <case> [<case> ...]` runs the named
// ones; `npm run bench -- --list` lists them. Options: `--runs N` (measured runs, median reported),
// `--nsgs N`, `--rules N`, `--v8-defaults` (without the V8 flags the CLI and the server set, see
// src/host/runtime.ts). Add a case by adding an entry to CASES.
//
// Timings are medians of several runs after a warm-up, and each evaluation benchmark measures the
// machine's JSON.parse on the same NSGs, serialised as ARM JSON, in the same process, so that the
// numbers read relative to something every machine does.

import { defaultOptions, getEdition, selectRequirements } from '../src/core/catalog/catalog';
import { evaluateRequirement } from '../src/core/evaluate-nsg';
import type { EvaluationContext } from '../src/core/evaluation-context';
import type { AddressEntry, Nsg, SecurityRule } from '../src/core/nsg';
import type { ResolvedTagRequirement } from '../src/core/requirement';
import { serviceTagPrefixesFromJson } from '../src/core/service-tag-prefixes';
import { SUBNET, worldTagCidrs } from '../test/core/oracle';
import { caseSeed, generateNsg } from '../test/core/random-nsg';
import { runDifferential } from '../scripts/differential';
import { checkArm1mb, checkBicep1mb, keep, printPhases, recheckEdit1mb, rssBicep10mb, rssChildMain, templates1000 } from './check-bench';
import { median, timeMs } from './measure';
import { azureTenantBench } from './azure-bench';
import { RUNTIME_FLAGS, tuneRuntime, V8_DEFAULTS_VARIABLE } from '../src/host/runtime';

interface BenchOptions {
  readonly runs: number;
  readonly nsgs: number;
  readonly rules: number;
}

interface BenchCase {
  readonly description: string;
  readonly run: (opts: BenchOptions) => void;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Warm-up runs, then `runs` measured runs; the median and the spread in milliseconds. */
function measure(runs: number, f: () => void, warmups = 2): { median: number; min: number; max: number } {
  for (let i = 0; i < warmups; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeMs(f));
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function rate(n: number, ms: number): string {
  const perSecond = n / (ms / 1000);
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)} k` : perSecond.toFixed(0);
}

function memory(): string {
  const m = process.memoryUsage();
  return `RSS ${mb(m.rss)} MB, heap used ${mb(m.heapUsed)} MB`;
}

/** Every service-tag requirement of an edition: the union of the selections that switch its conditions on and off. */
export function allTagRequirements(editionName: string, region = 'westus'): ResolvedTagRequirement[] {
  const edition = getEdition(editionName);
  const base = { ...defaultOptions(), region };
  const variants = [
    { ...base, hbi: true, storageFirewall: true },
    { ...base, publicIp: false, hbi: true, storageFirewall: true },
  ];
  const byId = new Map<string, ResolvedTagRequirement>();
  for (const options of variants) {
    for (const r of selectRequirements(edition, options).applicable) if (r.kind === 'service-tag' && !byId.has(r.id)) byId.set(r.id, r);
  }
  return [...byId.values()];
}

// ---------------------------------------------------------------------------------------------
// ARM JSON

function entryText(e: AddressEntry): string {
  if (typeof e === 'string') return e;
  if ('asg' in e) return e.asg;
  if ('tag' in e) return e.text;
  return `[parameters('${e.unknown}')]`;
}

/** A rule as ARM writes it: singular properties for one value, plural for several. */
function armRule(r: SecurityRule): unknown {
  const props: Record<string, unknown> = {
    description: `rule ${r.name}`,
    protocol: r.protocol,
    access: r.access,
    priority: r.priority,
    direction: r.direction,
  };
  const put = (singular: string, plural: string, v: readonly unknown[] | { unknown: string }) => {
    const list = Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null && !('unknown' in x) ? entryText(x as AddressEntry) : x)) : [];
    if (list.length === 1) {
      props[singular] = list[0];
      props[plural] = [];
    } else {
      props[plural] = list;
    }
  };
  put('sourceAddressPrefix', 'sourceAddressPrefixes', r.sourceAddresses);
  put('sourcePortRange', 'sourcePortRanges', r.sourcePorts);
  put('destinationAddressPrefix', 'destinationAddressPrefixes', r.destinationAddresses);
  put('destinationPortRange', 'destinationPortRanges', r.destinationPorts);
  return { name: r.name, properties: props };
}

function armNsg(n: Nsg): string {
  return JSON.stringify({
    type: 'Microsoft.Network/networkSecurityGroups',
    apiVersion: '2023-09-01',
    name: n.name,
    location: n.location && 'name' in n.location ? n.location.name : 'westus',
    properties: { securityRules: n.rules.map(armRule) },
  }, null, 2);
}

// ---------------------------------------------------------------------------------------------
// Cases

function evaluationBench(opts: BenchOptions, withServiceTags: boolean): void {
  const requirements = allTagRequirements('2022-09');
  const nsgs = Array.from({ length: opts.nsgs }, (_, i) => generateNsg(caseSeed(2022, i), `nsg-${i}`, opts.rules));
  const json = nsgs.map(armNsg);
  const bytes = json.reduce((n, s) => n + Buffer.byteLength(s), 0);
  let serviceTags: EvaluationContext['serviceTags'];
  if (withServiceTags) {
    const tags = worldTagCidrs();
    serviceTags = serviceTagPrefixesFromJson({ values: [...tags].map(([name, addressPrefixes]) => ({ name, properties: { addressPrefixes } })) });
  }
  const context: EvaluationContext = { region: { kind: 'name', name: 'westus' }, subnetPrefixes: [SUBNET], ...(serviceTags ? { serviceTags } : {}) };
  const evaluations = nsgs.length * requirements.length;
  let sink = 0;

  const evaluate = () => {
    for (const nsg of nsgs) for (const r of requirements) sink += evaluateRequirement({ subnet: nsg }, r, context).breakdown.length;
  };
  const parse = () => {
    for (const s of json) sink += (JSON.parse(s) as { properties: { securityRules: unknown[] } }).properties.securityRules.length;
  };
  // Both in this process, on the same NSGs, each warmed up first.
  const parseTime = measure(opts.runs, parse);
  const evalTime = measure(opts.runs, evaluate);
  const verdicts = new Map<string, number>();
  for (const nsg of nsgs) for (const r of requirements) {
    const v = evaluateRequirement({ subnet: nsg }, r, context).verdict;
    verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
  }
  console.log(`  ${nsgs.length} NSGs x ${opts.rules} rules, ${requirements.length} service-tag requirements of the 2022-09 catalog (${requirements.map((r) => r.id).join(', ')})`);
  console.log(`  service-tag prefix data: ${withServiceTags ? `yes (${serviceTags!.size} tags)` : 'no'}; verdicts: ${[...verdicts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  ARM JSON:         ${mb(bytes)} MB (${(bytes / nsgs.length / 1024).toFixed(1)} KB per NSG)`);
  console.log(`  evaluation:       median ${evalTime.median.toFixed(0)} ms (min ${evalTime.min.toFixed(0)}, max ${evalTime.max.toFixed(0)}) — ${rate(nsgs.length, evalTime.median)} NSGs/s, ${rate(evaluations, evalTime.median)} requirement evaluations/s`);
  console.log(`  JSON.parse:       median ${parseTime.median.toFixed(0)} ms (min ${parseTime.min.toFixed(0)}, max ${parseTime.max.toFixed(0)}) — ${(bytes / 1024 / 1024 / (parseTime.median / 1000)).toFixed(0)} MB/s, ${rate(nsgs.length, parseTime.median)} NSGs/s`);
  console.log(`  ratio:            evaluation time / JSON.parse time = ${(evalTime.median / parseTime.median).toFixed(1)}`);
  console.log(`  memory:           ${memory()}`);
  if (sink === -1) console.log('');
}

const CASES: Readonly<Record<string, BenchCase>> = {
  'nsg-evaluation': {
    description: 'the 2022-09 service-tag requirements against generated NSGs (no prefix data), beside JSON.parse of the same NSGs',
    run: (o) => evaluationBench(o, false),
  },
  'nsg-evaluation-service-tags': {
    description: 'the same with service-tag prefix data, so CIDRs are cut against tags',
    run: (o) => evaluationBench(o, true),
  },
  differential: {
    description: 'differential-test throughput (engine + brute-force oracle), chains per second',
    run: (o) => {
      const count = 2000;
      const t = measure(Math.min(o.runs, 3), () => runDifferential({ seed: 1, count, unknowns: false, maxFailures: 0 }), 1);
      console.log(`  ${count} chains: median ${t.median.toFixed(0)} ms — ${rate(count, t.median)} chains/s`);
      console.log(`  memory:           ${memory()}`);
    },
  },
  'check-bicep-1mb': {
    description: 'full check (read + model + link + checkModel) of a generated 1 MB Bicep file vs tree-sitter-bicep\'s parse of it (target <= 0.5x)',
    run: (o) => checkBicep1mb(o.runs),
  },
  'check-arm-1mb': {
    description: 'full check of a generated 1 MB ARM template vs JSON.parse of it (target <= 8x)',
    run: (o) => checkArm1mb(o.runs),
  },
  'recheck-edit-1mb': {
    description: 'a language server\'s work per keystroke in a 1 MB Bicep file: reparseBicep + re-read + re-check (target <= 30 ms)',
    run: (o) => recheckEdit1mb(o.runs),
  },
  'templates-1000': {
    description: '1,000 generated templates (~50 MB, half Bicep, half ARM) read and checked (target <= 5 s)',
    run: (o) => templates1000(o.runs),
  },
  'check-phases': {
    description: 'where a full check\'s time goes (parse, read + link, checkModel) for 0.5, 1 and 2 MB Bicep and ARM, and whether checkModel scales linearly',
    run: (o) => printPhases(o.runs),
  },
  'azure-tenant': {
    description: 'live Azure against the local HTTPS test server: 200 subscriptions and 5,000 NSGs through Resource Graph (target <= 10 requests) beside per-subscription calls',
    run: (o) => azureTenantBench(Math.min(o.runs, 3)),
  },
  'rss-bicep-10mb': {
    description: 'peak RSS of a fresh process checking a generated 10 MB Bicep file (target < 300 MB)',
    run: () => rssBicep10mb(__filename),
  },
};

function main(argv: readonly string[]): number {
  // The engine runs here as in the CLI and the language server: with their V8 settings, unless
  // `--v8-defaults` (then also in the processes a case starts, through the environment).
  if (argv.includes('--v8-defaults')) process.env[V8_DEFAULTS_VARIABLE] = '1';
  const tuned = tuneRuntime();
  if (rssChildMain(argv)) return 0;
  if (argv.includes('--list')) {
    for (const [name, c] of Object.entries(CASES)) console.log(`${name}: ${c.description}`);
    return 0;
  }
  const values: Record<string, number> = {};
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (['--runs', '--nsgs', '--rules'].includes(argv[i])) values[argv[i]] = Number(argv[++i]);
    else if (!argv[i].startsWith('--')) names.push(argv[i]);
  }
  const opts: BenchOptions = { runs: values['--runs'] ?? 5, nsgs: values['--nsgs'] ?? 1000, rules: values['--rules'] ?? 100 };
  const unknown = names.filter((n) => !(n in CASES));
  if (unknown.length) {
    console.error(`unknown bench case ${unknown.join(', ')}; cases: ${Object.keys(CASES).join(', ')}`);
    return 2;
  }
  const selected = names.length ? names : ['nsg-evaluation', 'nsg-evaluation-service-tags'];
  console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${opts.runs} measured runs after warm-up, medians`);
  console.log(tuned
    ? `V8 flags as the CLI and the language server set them: ${RUNTIME_FLAGS.join(' ')} (--v8-defaults: without)`
    : 'V8 defaults (--v8-defaults): not the flags the CLI and the language server run with');
  for (const name of selected) {
    console.log(`\n${name}: ${CASES[name].description}`);
    CASES[name].run(opts);
  }
  if (keep() === -1) console.log('');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
