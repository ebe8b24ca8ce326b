/**
 * The firewall engine against a brute-force oracle on seeded random classic firewalls, where every
 * value is known: the oracle enumerates concrete flows (each port, each host name of a small
 * universe) and applies Azure's order naively (network collections by priority, then application
 * collections by priority, first match, default deny), with the FAQ's wildcard rule written
 * directly as string suffixes.
 */
import * as assert from 'node:assert/strict';
import type { RelationEnv } from '../../../src/core/address-relation';
import { evaluateFlow, flowsOf, type FirewallEnv, type FlowTarget } from '../../../src/core/firewall/evaluate-firewall';
import { firewallRules } from '../../../src/core/firewall/firewall-rules';
import { requiredHost } from '../../../src/core/firewall/fqdn';
import { IpSet } from '../../../src/core/ip-range';
import type { FirewallModel, RuleCollectionModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import { regionNamed } from '../../../src/core/region';
import { mulberry32 } from '../../support/seeded-random';

const SUBNET = '10.0.2.0/24';
const env: FirewallEnv = { relation: { context: { region: regionNamed('westeurope'), subnetPrefixes: [SUBNET] }, regionAliases: new Map(), subnetPrefixes: IpSet.fromCidrs([SUBNET]) } as RelationEnv };

const PORT_ENTRIES = ['443', '80', '8000-8001', '8002', '*', '8003-9000', '8001-8002'];
const PROTOCOLS = ['TCP', 'UDP', 'Any', 'ICMP'];
// Destinations and whether they hold Storage.westeurope (the required remote).
const DESTINATIONS: Readonly<Record<string, boolean>> = { '*': true, Storage: true, 'Storage.westeurope': true, 'Storage.eastus': false, AzureMonitor: false, '10.0.0.0/8': false };
const SOURCES: Readonly<Record<string, boolean>> = { '*': true, [SUBNET]: true, '10.0.0.0/16': true, '10.9.0.0/16': false };
const PATTERNS = ['*.anaconda.com', 'anaconda.com', 'repo.anaconda.com', '*anaconda.com', '*', '*.com', 'pypi.org', '*.b.anaconda.com'];
// Required hosts and the names of a small universe each stands for; `fresh.anaconda.com` stands
// for every name under anaconda.com that no rule spells.
const REQUIRED_HOSTS: Readonly<Record<string, readonly string[]>> = {
  'anaconda.com': ['anaconda.com'],
  '*.anaconda.com': ['repo.anaconda.com', 'a.b.anaconda.com', 'fresh.anaconda.com'],
  'pypi.org': ['pypi.org'],
};

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)];
}

function some<T>(rnd: () => number, list: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(rnd() * max);
  return [...new Set(Array.from({ length: n }, () => pick(rnd, list)))];
}

interface OracleRule { kind: 'network' | 'application'; protocols: string[]; ports: string[]; dests: string[]; sources: string[]; app: { type: string; port: number }[]; fqdns: string[] }
interface OracleCollection { priority: number; allow: boolean; kind: 'network' | 'application'; rules: OracleRule[] }

function randomFirewall(rnd: () => number): { model: WorkspaceModel; firewall: FirewallModel; collections: OracleCollection[] } {
  const collections: OracleCollection[] = [];
  const used = new Set<number>();
  const count = 1 + Math.floor(rnd() * 5);
  for (let i = 0; i < count; i++) {
    let priority = 100 + 10 * Math.floor(rnd() * 30);
    while (used.has(priority)) priority += 10;
    used.add(priority);
    const kind = rnd() < 0.5 ? 'network' : 'application';
    const rules: OracleRule[] = [];
    for (let j = 0, n = 1 + Math.floor(rnd() * 3); j < n; j++) {
      rules.push({
        kind,
        protocols: some(rnd, PROTOCOLS, 2),
        ports: some(rnd, PORT_ENTRIES, 2),
        dests: some(rnd, Object.keys(DESTINATIONS), 2),
        sources: some(rnd, Object.keys(SOURCES), 2),
        app: some(rnd, [{ type: 'Https', port: 443 }, { type: 'Http', port: 80 }, { type: 'Https', port: 8443 }], 2),
        fqdns: some(rnd, PATTERNS, 3),
      });
    }
    collections.push({ priority, allow: rnd() < 0.6, kind, rules });
  }
  const models: RuleCollectionModel[] = collections.map((c, i) => ({
    name: `c${i}`, kind: c.kind, priority: { value: c.priority },
    raw: {
      name: `c${i}`,
      properties: {
        priority: c.priority, action: { type: c.allow ? 'Allow' : 'Deny' },
        rules: c.rules.map((r, j) => (c.kind === 'network'
          ? { name: `r${i}-${j}`, protocols: r.protocols, sourceAddresses: r.sources, destinationAddresses: r.dests, destinationPorts: r.ports }
          : { name: `r${i}-${j}`, protocols: r.app.map((p) => ({ protocolType: p.type, port: p.port })), sourceAddresses: r.sources, targetFqdns: r.fqdns })),
      },
    },
  }));
  const firewall: FirewallModel = { kind: 'firewall', key: 'fw', name: 'fw', ruleCollections: models };
  return { model: { vnets: [], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls: [firewall], problems: [] }, firewall, collections };
}

function portIn(entry: string, port: number): boolean {
  if (entry === '*') return true;
  const [a, b] = entry.split('-').map(Number);
  return a <= port && port <= (b ?? a);
}

/** The FAQ: an asterisk on the left means anything to its left. */
function fqdnHolds(pattern: string, name: string): boolean {
  return pattern === '*' ? true : pattern.startsWith('*') ? name.endsWith(pattern.slice(1)) : pattern === name;
}

/** Allow (true) or deny (false) for one concrete flow. */
function oracle(cols: readonly OracleCollection[], flow: { protocol: 'TCP' | 'UDP'; port: number; name?: string }): boolean {
  const sorted = [...cols].sort((a, b) => a.priority - b.priority);
  for (const c of sorted.filter((x) => x.kind === 'network')) {
    for (const r of c.rules) {
      const proto = r.protocols.some((p) => p === 'Any' || p === flow.protocol);
      const port = r.ports.some((e) => portIn(e, flow.port));
      const source = r.sources.some((s) => SOURCES[s]);
      // Host names: only `*` is certain (tags and CIDRs against a third party's name never match here).
      const dest = flow.name === undefined ? r.dests.some((d) => DESTINATIONS[d]) : r.dests.includes('*');
      if (proto && port && source && dest) return c.allow;
    }
  }
  if (flow.protocol !== 'TCP') return false;
  for (const c of sorted.filter((x) => x.kind === 'application')) {
    for (const r of c.rules) {
      const type = flow.port === 443 ? 'Https' : flow.port === 80 ? 'Http' : undefined;
      if (!type || !r.app.some((p) => p.type === type && p.port === flow.port)) continue;
      if (!r.sources.some((s) => SOURCES[s])) continue;
      // For a service tag, only the target `*` certainly matches (a name never does: the names here are third parties').
      const holds = flow.name === undefined ? r.fqdns.includes('*') : r.fqdns.some((f) => fqdnHolds(f, flow.name!));
      if (holds) return c.allow;
    }
  }
  return false;
}

function verdictOf(results: readonly boolean[]): string {
  return results.every((x) => x) ? 'allowed' : results.every((x) => !x) ? 'blocked' : 'partial';
}

const CASES = 400;

describe('firewall engine against a brute-force oracle', () => {
  it(`service-tag flows on ${CASES} random firewalls`, () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= CASES; seed++) {
      const rnd = mulberry32(seed);
      const { model, firewall, collections } = randomFirewall(rnd);
      const rules = firewallRules(model, firewall);
      const target: FlowTarget = { kind: 'address', target: { kind: 'tag', base: 'Storage', region: regionNamed('westeurope') } };
      for (const protocol of ['TCP', 'UDP'] as const) {
        for (const flow of flowsOf([protocol], ['443', '80', '8000-8004'], target, rules)) {
          const got = evaluateFlow(rules, flow, env);
          const want: boolean[] = [];
          for (let p = flow.ports.from; p <= flow.ports.to; p++) want.push(oracle(collections, { protocol, port: p }));
          // Application rules naming hosts may match a tag's traffic: the engine says unknown there, never the opposite verdict.
          if (got.outcome === 'unknown') {
            assert.ok(collections.some((c) => c.kind === 'application'), `seed ${seed}: unknown without an application rule (${got.detail})`);
            continue;
          }
          assert.equal(got.outcome, verdictOf(want), `seed ${seed} ${protocol} ${flow.ports.from}-${flow.ports.to}: ${got.detail}`);
          seen.add(got.outcome);
        }
      }
    }
    // Not vacuous: both verdicts came up.
    assert.deepEqual([...seen].sort(), ['allowed', 'blocked']);
  });

  it(`host-name flows on ${CASES} random firewalls`, () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= CASES; seed++) {
      const rnd = mulberry32(seed * 31 + 7);
      const { model, firewall, collections } = randomFirewall(rnd);
      const rules = firewallRules(model, firewall);
      for (const [host, names] of Object.entries(REQUIRED_HOSTS)) {
        const h = requiredHost(host);
        const target: FlowTarget = { kind: 'name', set: h.parts[0].set, label: h.parts[0].label, regionUnknown: false };
        for (const flow of flowsOf(['TCP'], ['443'], target, rules, 'Https')) {
          const got = evaluateFlow(rules, flow, env);
          const want = names.map((name) => oracle(collections, { protocol: 'TCP', port: 443, name }));
          assert.notEqual(got.outcome, 'unknown', `seed ${seed} ${host}: ${got.detail}`);
          assert.equal(got.outcome, verdictOf(want), `seed ${seed} ${host}: ${got.detail}`);
          seen.add(got.outcome);
        }
      }
    }
    assert.deepEqual([...seen].sort(), ['allowed', 'blocked', 'partial']);
  });
});
