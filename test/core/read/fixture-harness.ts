/**
 * Runs template fixtures (test/fixtures/templates/README.md) through readers and the check, and
 * compares the result with the fixture's `.expected.json` exactly as the README's conventions say.
 * Shared by the ARM and Bicep fixture tests: give it the readers and which fixtures to run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel, type CheckResult, type CheckSettings, type NsgCheck, type OptionOrigins } from '../../../src/core/check/check-model';
import { isUnknown } from '../../../src/core/maybe';
import type { WorkspaceModel } from '../../../src/core/model/workspace-model';
import { readWorkspace, type FileHost, type Reader } from '../../../src/core/read/read-workspace';
import { normalizeRegionName } from '../../../src/core/region';
import type { CatalogOptions } from '../../../src/core/requirement';

/** The repository root (this file runs from out/test/core/read). */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '../../../..');
})();

export interface FixtureOptions {
  readonly region?: string;
  readonly publicIp?: boolean;
  readonly hbi?: boolean;
  readonly edition?: string;
  readonly scope?: 'auto' | 'all';
  readonly storageFirewall?: boolean;
}

export interface NsgExpectation {
  readonly subnets: readonly string[];
  readonly location: string | null;
  readonly inScope: boolean;
  readonly verdicts: Readonly<Record<string, string>>;
  readonly ports?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly decidedBy?: Readonly<Record<string, readonly string[]>>;
  readonly findings: readonly string[];
  readonly suppressed?: readonly string[];
}

export interface FixtureExpectation {
  readonly description?: string;
  readonly options?: FixtureOptions;
  readonly nsgs: Readonly<Record<string, NsgExpectation>>;
  readonly problems: readonly string[];
}

/**
 * One fixture: its entry file (relative to the repository root, `/`-separated) and what it must
 * give; or, for a folder fixture, the folder, read as `amlnet check <folder>` reads it (every
 * template file in it is an entry, but those another entry pulls in).
 */
export interface FixtureCase {
  readonly name: string;
  readonly entry: string;
  readonly folder?: boolean;
  readonly expected: FixtureExpectation;
  /** Compare only these NSGs (the reported set must be exactly them): for expected files that cover several languages. */
  readonly only?: readonly string[];
}

/** How to compare things the model does not carry for every language (e.g. Bicep's suppression comments). */
export interface HarnessHooks {
  readonly suppressedOf?: (check: NsgCheck, model: WorkspaceModel) => readonly string[];
}

/**
 * Fixtures whose expected file looks wrong by docs/semantics.md: the test still runs them and
 * checks that they differ exactly as recorded, and prints why. Empty when every fixture is trusted.
 */
export const SUSPECT_FIXTURES: Readonly<Record<string, { readonly reason: string; readonly mismatches: readonly string[] }>> = {};

/** Reads files relative to the repository root, as the paths the readers are given. */
export function diskHost(): FileHost & { readonly reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile(p: string): string | undefined {
      reads.push(p);
      try {
        return fs.readFileSync(path.join(REPO_ROOT, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * The fixtures in `dir` (relative to the repository root) whose source file name matches `glob`
 * (e.g. `arm-*.json`) and that have an `.expected.json` beside them.
 */
export function findFixtures(dir: string, glob: string): FixtureCase[] {
  const pattern = globToRegExp(glob);
  const names = fs.readdirSync(path.join(REPO_ROOT, dir)).sort();
  const out: FixtureCase[] = [];
  for (const n of names) {
    if (!n.endsWith('.expected.json')) continue;
    const base = n.slice(0, -'.expected.json'.length);
    const source = names.find((s) => s !== n && s.startsWith(`${base}.`) && /^\.(json|jsonc|bicep|bicepparam)$/.test(s.slice(base.length)));
    if (!source || !pattern.test(source)) continue;
    out.push({ name: base, entry: `${dir}/${source}`, expected: readExpectation(`${dir}/${n}`) });
  }
  return out;
}

/**
 * The folder fixtures in `dir`: folders whose name matches `glob` with `<folder>.expected.json`
 * beside them. Their NSGs are named `<name> (<entry>)`, the entry relative to the folder.
 */
export function findFolderFixtures(dir: string, glob: string): FixtureCase[] {
  const pattern = globToRegExp(glob);
  const out: FixtureCase[] = [];
  for (const e of fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
    if (!e.isDirectory() || !pattern.test(e.name) || !fs.existsSync(path.join(REPO_ROOT, dir, `${e.name}.expected.json`))) continue;
    out.push({ name: e.name, entry: `${dir}/${e.name}`, folder: true, expected: readExpectation(`${dir}/${e.name}.expected.json`) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The template files under `folder` (relative to the repository root), sorted. */
function templateFiles(folder: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })) {
      if (e.isDirectory()) visit(`${rel}/${e.name}`);
      else if (/\.(json|jsonc|bicep|bicepparam)$/.test(e.name) && !e.name.endsWith('.expected.json')) out.push(`${rel}/${e.name}`);
    }
  };
  visit(folder);
  return out.sort();
}

/** How a fixture's expected file names an NSG: by name, and in a folder fixture with its entry. */
function nsgLabel(c: FixtureCase, n: NsgCheck): string {
  const d = n.nsg.deployment;
  return c.folder && d !== undefined ? `${n.nsg.name} (${d.startsWith(`${c.entry}/`) ? d.slice(c.entry.length + 1) : d})` : n.nsg.name;
}

export function readExpectation(file: string): FixtureExpectation {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as FixtureExpectation;
}

/** The check settings for a fixture's options, as the CLI flags would give them. */
export function settingsFor(options: FixtureOptions = {}): CheckSettings {
  const catalog: CatalogOptions = {
    ...defaultOptions(),
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.publicIp !== undefined ? { publicIp: options.publicIp } : {}),
    ...(options.hbi !== undefined ? { hbi: options.hbi } : {}),
    ...(options.storageFirewall !== undefined ? { storageFirewall: options.storageFirewall } : {}),
  };
  const origins: { -readonly [K in keyof OptionOrigins]: OptionOrigins[K] } = {};
  for (const k of ['region', 'publicIp', 'hbi', 'storageFirewall'] as const) if (options[k] !== undefined) origins[k] = 'flag';
  return { edition: getEdition(options.edition ?? '2022-09'), options: catalog, origins, scope: options.scope ?? 'auto', strict: false };
}

/** Reads a fixture's entry with the readers and checks the model. */
export function checkFixture(c: FixtureCase, readers: readonly Reader[]): { model: WorkspaceModel; result: CheckResult } {
  const host = diskHost();
  const paths = c.folder ? templateFiles(c.entry) : [c.entry];
  const files = paths.map((p) => {
    const text = host.readFile(p);
    if (text === undefined) throw new Error(`cannot read ${p}`);
    return { path: p, text };
  });
  const model = readWorkspace(files, host, readers);
  return { model, result: checkModel(model, settingsFor(c.expected.options)) };
}

function lineOf(text: string | undefined, offset: number): number {
  if (text === undefined) return 0;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Problems as the README writes them: `<file>:<line>: <message>`. */
export function problemLines(model: WorkspaceModel): string[] {
  const texts = new Map<string, string | undefined>();
  const host = diskHost();
  return model.problems.map((p) => {
    if (!p.span) return `${p.file}: ${p.message}`;
    if (!texts.has(p.span.file)) texts.set(p.span.file, host.readFile(p.span.file));
    return `${p.span.file}:${lineOf(texts.get(p.span.file), p.span.start)}: ${p.message}`;
  });
}

function portRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** A breakdown row's ports ("443, 18881" or "29876-29877") as ranges. */
function portRanges(text: string): [number, number][] {
  return text.split(',').map(portRange).filter((r): r is [number, number] => r !== undefined);
}

/** Every difference between what the check gives and what the fixture expects, in words; empty when they agree. */
export function compareFixture(c: FixtureCase, model: WorkspaceModel, result: CheckResult, hooks: HarnessHooks = {}): string[] {
  const out: string[] = [];
  const e = c.expected;
  const reported = result.nsgs.map((n) => nsgLabel(c, n)).sort();
  const wanted = [...(c.only ?? Object.keys(e.nsgs))].sort();
  if (JSON.stringify(reported) !== JSON.stringify(wanted)) out.push(`NSGs: reported ${JSON.stringify(reported)}, expected ${JSON.stringify(wanted)}`);
  for (const name of wanted) {
    const x = e.nsgs[name];
    const checks = result.nsgs.filter((n) => nsgLabel(c, n) === name);
    if (!x || checks.length !== 1) {
      if (!x) out.push(`${name}: not in the expected file`);
      continue;
    }
    const n = checks[0];
    const at = `${name}:`;
    if (n.inScope !== x.inScope) out.push(`${at} inScope ${n.inScope}, expected ${x.inScope} (${n.scopeReasons.join('; ')})`);
    const subnets = n.subnets.map((s) => `${n.vnets.find((v) => v.key === s.vnet)?.name ?? model.vnets.find((v) => v.key === s.vnet)?.name ?? '?'}/${s.name}`).sort();
    if (JSON.stringify(subnets) !== JSON.stringify([...x.subnets].sort())) out.push(`${at} subnets ${JSON.stringify(subnets)}, expected ${JSON.stringify(x.subnets)}`);
    const loc = n.nsg.location;
    const location = loc === undefined ? null : isUnknown(loc) ? `unknown (${loc.unknown})` : loc.kind === 'name' ? loc.name : loc.text;
    const expectedLocation = x.location === null ? null : loc !== undefined && !isUnknown(loc) && loc.kind === 'name' ? normalizeRegionName(x.location) : x.location;
    if (location !== expectedLocation) out.push(`${at} location ${JSON.stringify(location)}, expected ${JSON.stringify(x.location)}`);
    const verdicts = Object.fromEntries(n.verdicts.map((v) => [v.id, v.verdict]));
    for (const id of new Set([...Object.keys(verdicts), ...Object.keys(x.verdicts)])) {
      if (verdicts[id] !== x.verdicts[id]) {
        const v = n.verdicts.find((r) => r.id === id);
        out.push(`${at} ${id} is ${verdicts[id] ?? 'not reported'}, expected ${x.verdicts[id] ?? 'not listed'}${v ? ` (${v.explanation})` : ''}`);
      }
    }
    for (const [id, ports] of Object.entries(x.ports ?? {})) {
      const v = n.verdicts.find((r) => r.id === id);
      for (const [port, outcome] of Object.entries(ports)) {
        const range = portRange(port);
        const rows = (v?.breakdown ?? []).filter((row) => range !== undefined && portRanges(row.ports).some((r) => r[0] <= range[0] && range[1] <= r[1]));
        const outcomes = [...new Set(rows.map((r) => r.outcome))];
        const got = outcomes.length === 1 ? outcomes[0] : outcomes.length === 0 ? 'no breakdown row' : `mixed ${outcomes.join('/')}`;
        if (got !== outcome) out.push(`${at} ${id} port ${port} is ${got}, expected ${outcome}`);
      }
    }
    for (const [id, names] of Object.entries(x.decidedBy ?? {})) {
      const got = n.verdicts.find((r) => r.id === id)?.decidedBy.map((r) => r.name) ?? [];
      if (JSON.stringify(got) !== JSON.stringify(names)) out.push(`${at} ${id} decided by ${JSON.stringify(got)}, expected ${JSON.stringify(names)}`);
    }
    const findings = n.findings.map((f) => f.code);
    if (JSON.stringify(findings) !== JSON.stringify(x.findings)) {
      out.push(`${at} findings ${JSON.stringify(findings)}, expected ${JSON.stringify(x.findings)} (${n.findings.map((f) => f.message).join(' ')})`);
    }
    if (x.suppressed !== undefined) {
      if (!hooks.suppressedOf) out.push(`${at} the expected file lists suppressed requirements, which this harness was given no way to read`);
      else {
        const got = [...hooks.suppressedOf(n, model)].sort();
        if (JSON.stringify(got) !== JSON.stringify([...x.suppressed].sort())) out.push(`${at} suppressed ${JSON.stringify(got)}, expected ${JSON.stringify(x.suppressed)}`);
      }
    }
  }
  const lines = problemLines(model);
  if (e.problems.length === 0) {
    const errors = model.problems.map((p, i) => [p, lines[i]] as const).filter(([p]) => p.severity === 'error').map(([, l]) => l);
    if (errors.length > 0) out.push(`problems: expected no errors, got ${JSON.stringify(errors)}`);
  }
  for (const want of e.problems) {
    if (!lines.some((l) => l.toLowerCase().includes(want.toLowerCase()))) out.push(`problems: none contains ${JSON.stringify(want)} (got ${JSON.stringify(lines)})`);
  }
  return out;
}

/** Registers one mocha test per fixture. */
export function describeFixtures(title: string, cases: readonly FixtureCase[], readers: readonly Reader[], hooks: HarnessHooks = {}): void {
  describe(title, () => {
    it('finds its fixtures', () => assert.ok(cases.length > 0, `no fixtures for ${title}`));
    for (const c of cases) {
      const suspect = SUSPECT_FIXTURES[c.name];
      it(`${c.name}${suspect ? ' (SUSPECT: expected file believed wrong)' : ''}`, () => {
        const { model, result } = checkFixture(c, readers);
        const mismatches = compareFixture(c, model, result, hooks);
        if (suspect) {
          console.log(`    SUSPECT FIXTURE ${c.name}: ${suspect.reason}\n      differs as recorded: ${mismatches.join('\n      ')}`);
          assert.deepEqual(mismatches, suspect.mismatches, `${c.name} no longer differs as recorded in SUSPECT_FIXTURES`);
          return;
        }
        assert.deepEqual(mismatches, [], `${c.name}:\n  ${mismatches.join('\n  ')}`);
      });
    }
  });
}
