/**
 * Runs the firewall fixtures (test/fixtures/firewall/README.md): reads each template, checks it,
 * and compares the firewall part of the result with the hand-written `X.expected.json` exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { createBicepReader } from '../../../src/core/bicep/bicep-reader';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel, type CheckResult, type CheckSettings } from '../../../src/core/check/check-model';
import type { SubnetFirewallCheck } from '../../../src/core/firewall/check-firewalls';
import { isUnknown } from '../../../src/core/maybe';
import type { WorkspaceModel } from '../../../src/core/model/workspace-model';
import { readWorkspace } from '../../../src/core/read/read-workspace';
import type { CatalogOptions, PackageSource } from '../../../src/core/requirement';
import { diskHost, REPO_ROOT } from '../read/fixture-harness';

export const FIREWALL_FIXTURES = 'test/fixtures/firewall';

export interface FirewallFixtureOptions {
  readonly region?: string;
  readonly edition?: string;
  readonly scope?: 'auto' | 'all';
  readonly packages?: readonly PackageSource[];
  readonly vscode?: boolean;
  readonly aks?: boolean;
  readonly rstudio?: boolean;
}

export interface SubnetExpectation {
  readonly inScope: boolean;
  readonly route: { readonly source: string; readonly name: string | null; readonly nextHopType: string | null; readonly nextHopIp: string | null };
  readonly firewall: string | null;
  readonly policy?: string;
  readonly foundBy?: 'ip' | 'reference';
  readonly firewallUnknown?: string;
  readonly warnings: readonly string[];
  readonly verdicts: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
  /** "PROTOCOL PORT" or "PROTOCOL PORT TARGET" → outcome. */
  readonly ports?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** "collection/rule" (classic) or "group/collection/rule" (policy), or "default deny". */
  readonly decidedBy?: Readonly<Record<string, readonly string[]>>;
}

export interface FirewallFixture {
  readonly name: string;
  readonly entry: string;
  readonly expected: {
    readonly description: string;
    readonly options?: FirewallFixtureOptions;
    readonly failing: boolean;
    readonly subnets: Readonly<Record<string, SubnetExpectation>>;
  };
}

export function findFirewallFixtures(): FirewallFixture[] {
  const dir = path.join(REPO_ROOT, FIREWALL_FIXTURES);
  const names = fs.readdirSync(dir).sort();
  return names.filter((n) => n.endsWith('.expected.json')).map((n) => {
    const base = n.slice(0, -'.expected.json'.length);
    const source = names.find((s) => s !== n && s.startsWith(`${base}.`) && /^\.(json|bicep)$/.test(s.slice(base.length)));
    if (!source) throw new Error(`${n} has no template beside it`);
    return { name: base, entry: `${FIREWALL_FIXTURES}/${source}`, expected: JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as FirewallFixture['expected'] };
  });
}

export function firewallSettings(o: FirewallFixtureOptions = {}): CheckSettings {
  const options: CatalogOptions = {
    ...defaultOptions(),
    ...(o.region !== undefined ? { region: o.region } : {}),
    ...(o.packages !== undefined ? { packages: o.packages } : {}),
    ...(o.vscode !== undefined ? { vscode: o.vscode } : {}),
    ...(o.aks !== undefined ? { aks: o.aks } : {}),
    ...(o.rstudio !== undefined ? { rstudio: o.rstudio } : {}),
  };
  return { edition: getEdition(o.edition ?? '2022-09'), options, origins: {}, scope: o.scope ?? 'auto', strict: false };
}

/** Reads files (relative to the repository root) and checks them as the CLI does, with their texts. */
export function checkFiles(entries: readonly string[], settings: CheckSettings, texts: Map<string, string> = new Map()): { model: WorkspaceModel; result: CheckResult; texts: Map<string, string> } {
  const host = diskHost();
  const read = (p: string): string | undefined => {
    if (!texts.has(p)) {
      const t = host.readFile(p);
      if (t !== undefined) texts.set(p, t);
    }
    return texts.get(p);
  };
  const model = readWorkspace(entries.map((e) => ({ path: e, text: read(e) ?? '' })), { readFile: read }, [createBicepReader(), armTemplateReader]);
  const result = checkModel(model, { ...settings, sourceText: (f) => texts.get(f) });
  return { model, result, texts };
}

function refName(r: { group?: string; collection: string; rule: string; isDefault: boolean }): string {
  if (r.isDefault) return 'default deny';
  return [r.group, r.collection, r.rule].filter((x) => x !== undefined).join('/');
}

/** Every difference between the firewall part of a check and a fixture's expectation, in words. */
export function compareFirewalls(f: FirewallFixture, result: CheckResult): string[] {
  const out: string[] = [];
  const e = f.expected;
  const checks = result.firewalls ?? [];
  const key = (c: SubnetFirewallCheck) => `${c.vnet?.name ?? '?'}/${c.subnet.name}`;
  const got = checks.map(key).sort();
  const want = Object.keys(e.subnets).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`subnets ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  if (result.failing !== e.failing) out.push(`failing ${result.failing}, expected ${e.failing}`);
  for (const name of want) {
    const x = e.subnets[name];
    const c = checks.find((k) => key(k) === name);
    if (!c) continue;
    const at = `${name}:`;
    if (c.inScope !== x.inScope) out.push(`${at} inScope ${c.inScope}, expected ${x.inScope}`);
    const route = {
      source: c.route.source,
      name: c.route.route?.name ?? null,
      nextHopType: c.route.nextHopType ?? null,
      nextHopIp: c.route.nextHopIp === undefined || isUnknown(c.route.nextHopIp) ? null : c.route.nextHopIp,
    };
    if (JSON.stringify(route) !== JSON.stringify(x.route)) out.push(`${at} route ${JSON.stringify(route)}, expected ${JSON.stringify(x.route)}`);
    if ((c.firewall?.name ?? null) !== x.firewall) out.push(`${at} firewall ${c.firewall?.name ?? null}, expected ${x.firewall}`);
    if (x.policy !== undefined && c.policy?.name !== x.policy) out.push(`${at} policy ${c.policy?.name}, expected ${x.policy}`);
    if (x.foundBy !== undefined && c.firewallFoundBy !== x.foundBy) out.push(`${at} found by ${c.firewallFoundBy}, expected ${x.foundBy}`);
    if (x.firewallUnknown !== undefined ? !c.firewallUnknown?.includes(x.firewallUnknown) : c.firewallUnknown !== undefined) {
      out.push(`${at} firewallUnknown ${JSON.stringify(c.firewallUnknown)}, expected ${JSON.stringify(x.firewallUnknown)}`);
    }
    const warnings = c.warnings.map((w) => w.code);
    if (JSON.stringify(warnings) !== JSON.stringify(x.warnings)) out.push(`${at} warnings ${JSON.stringify(warnings)}, expected ${JSON.stringify(x.warnings)}`);
    const verdicts = Object.fromEntries(c.verdicts.map((v) => [v.id, v.verdict]));
    for (const id of new Set([...Object.keys(verdicts), ...Object.keys(x.verdicts)])) {
      if (verdicts[id] !== x.verdicts[id]) out.push(`${at} ${id} is ${verdicts[id] ?? 'not reported'}, expected ${x.verdicts[id] ?? 'not listed'} (${c.verdicts.find((v) => v.id === id)?.explanation ?? ''})`);
    }
    const missing = c.verdicts.filter((v) => v.missing).map((v) => v.id).sort();
    if (JSON.stringify(missing) !== JSON.stringify([...x.missing].sort())) out.push(`${at} missing ${JSON.stringify(missing)}, expected ${JSON.stringify(x.missing)}`);
    for (const [id, ports] of Object.entries(x.ports ?? {})) {
      const v = c.verdicts.find((r) => r.id === id);
      for (const [spec, outcome] of Object.entries(ports)) {
        const [protocol, port, target] = spec.split(' ');
        const n = Number(port);
        const holds = (runs: string) => runs.split(', ').some((r) => {
          const [from, to] = r.split('-').map(Number);
          return from <= n && n <= (to ?? from);
        });
        const rows = (v?.breakdown ?? []).filter((b) => b.protocol === protocol && holds(b.ports) && (target === undefined || b.target === target));
        const outcomes = [...new Set(rows.map((r) => r.outcome))];
        const gotOutcome = outcomes.length === 1 ? outcomes[0] : outcomes.length === 0 ? 'no breakdown row' : `mixed ${outcomes.join('/')}`;
        if (gotOutcome !== outcome) out.push(`${at} ${id} ${spec} is ${gotOutcome}, expected ${outcome}`);
      }
    }
    for (const [id, names] of Object.entries(x.decidedBy ?? {})) {
      const gotNames = c.verdicts.find((r) => r.id === id)?.decidedBy.map(refName) ?? [];
      if (JSON.stringify(gotNames) !== JSON.stringify(names)) out.push(`${at} ${id} decided by ${JSON.stringify(gotNames)}, expected ${JSON.stringify(names)}`);
    }
  }
  return out;
}
