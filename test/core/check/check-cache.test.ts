import * as assert from 'node:assert/strict';
import { benchHost, benchSettings, generateBicepTemplate } from '../../../bench/check-bench';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { CheckCache, checkModel, type CheckResult, type CheckSettings } from '../../../src/core/check/check-model';
import type { NsgModel, RuleModel, SubnetModel, WorkspaceModel } from '../../../src/core/model/workspace-model';
import type { SecurityRule } from '../../../src/core/nsg';
import { readWorkspace } from '../../../src/core/read/read-workspace';
import { regionNamed, regionSymbol } from '../../../src/core/region';
import { inbound, outbound } from '../builders';

function readBicep(text: string): WorkspaceModel {
  return readWorkspace([{ path: 'main.bicep', text }], benchHost(), [bicepReader]);
}

/** The cached check must be indistinguishable from a fresh one, origins and specs included. */
function assertSame(cached: CheckResult, fresh: CheckResult): void {
  assert.deepStrictEqual(cached, fresh);
  assert.equal(JSON.stringify(cached), JSON.stringify(fresh));
}

const span = (start: number) => ({ file: 'main.bicep', start, end: start + 10 });

function nsgModel(name: string, rules: SecurityRule[], location: NsgModel['location'] = regionNamed('westeurope')): NsgModel {
  // Each rule gets its own origin object, as readers give them.
  const withOrigins = rules.map((r, i) => ({ ...r, origin: { span: span(100 * i), style: 'inline', properties: {} } }) as RuleModel);
  return { kind: 'nsg', key: `main.bicep#${name}`, name, location, rules: withOrigins, ruleStyle: 'inline', span: span(0) };
}
function subnet(name: string, nsg: string, prefixes: string[] = ['10.0.1.0/24']): SubnetModel {
  return { kind: 'subnet', key: `main.bicep#vnet/${name}`, name, vnet: 'main.bicep#vnet', addressPrefixes: { value: prefixes }, nsg: { target: `main.bicep#${nsg}`, text: `${nsg}.id` }, delegations: [] };
}
function model(over: Partial<WorkspaceModel>): WorkspaceModel {
  return { vnets: [{ kind: 'vnet', key: 'main.bicep#vnet', name: 'vnet', addressPrefixes: { value: ['10.0.0.0/16'] }, subnets: [] }], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls: [], problems: [], ...over };
}
function settings(over: Partial<CheckSettings> = {}): CheckSettings {
  return { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'all', strict: false, ...over };
}

/** Rules that give every outcome and some findings (duplicate priority, a misspelt tag, a bad port, unknowns). */
const rules: SecurityRule[] = [
  outbound('AllowStorage', 100, 'Allow', ['Storage'], ['443']),
  outbound('AllowStorageAgain', 100, 'Allow', ['Storag'], ['443']),
  outbound('AllowKv', 110, 'Allow', ['AzureKeyVault'], ['443', '70000']),
  outbound('DenyFrontDoor', 120, 'Deny', ['AzureFrontDoor.FrontEnd'], ['*']),
  outbound('Unknown', { unknown: 'parameter p has no default' }, 'Allow', ['AzureMonitor'], ['443']),
  outbound('Cidr', 130, 'Allow', ['20.0.0.0/8'], ['443']),
  inbound('AllowBatch', 100, 'Allow', ['BatchNodeManagement'], ['29876-29877']),
  inbound('AllowAml', 110, 'Allow', ['AzureMachineLearning'], ['44224'], { access: { unknown: 'access comes from a parameter' } }),
  outbound('DenyAll', 4000, 'Deny', ['*'], ['*'], { protocol: '*' }),
];

describe('check-model cache', () => {
  it('gives the same result as an uncached check, on a hit and on a miss', () => {
    const m = model({
      nsgs: [nsgModel('a', rules), nsgModel('b', rules.slice(0, 4)), nsgModel('c', rules, regionSymbol('location', 'location'))],
      subnets: [subnet('s1', 'a'), subnet('s2', 'b', ['10.0.2.0/24']), subnet('s3', 'c', ['10.0.3.0/24'])],
    });
    const cache = new CheckCache();
    const s = settings();
    const fresh = checkModel(m, s);
    assertSame(checkModel(m, s, cache), fresh);
    assert.equal(cache.misses, 3);
    assertSame(checkModel(m, s, cache), fresh);
    assert.deepEqual([cache.hits, cache.misses], [3, 0]);
  });

  it('re-attaches the current origins when only they changed', () => {
    const before = model({ nsgs: [nsgModel('a', rules)], subnets: [subnet('s1', 'a')] });
    // Same rules, every span shifted (an edit above the NSG).
    const shifted: NsgModel = { ...before.nsgs[0], rules: before.nsgs[0].rules.map((r, i) => ({ ...r, origin: { span: span(100 * i + 7), style: 'inline', properties: {} } }) as RuleModel) };
    const after = { ...before, nsgs: [shifted] };
    const cache = new CheckCache();
    checkModel(before, settings(), cache);
    const cached = checkModel(after, settings(), cache);
    assert.equal(cache.hits, 1);
    assertSame(cached, checkModel(after, settings()));
    const refs = cached.nsgs[0].verdicts.flatMap((v) => v.decidedBy).filter((r) => !r.isDefault);
    assert.ok(refs.length > 0);
    for (const r of refs) assert.equal(r.origin, shifted.rules.find((x) => x.name === r.name)!.origin);
    for (const f of cached.nsgs[0].findings) assert.equal(f.origin, shifted.rules.find((x) => x.name === f.rule)!.origin);
  });

  it('evaluates again when anything that decides the verdicts changed', () => {
    const base = model({ nsgs: [nsgModel('a', rules)], subnets: [subnet('s1', 'a')] });
    const cache = new CheckCache();
    checkModel(base, settings(), cache);
    const variants: [string, WorkspaceModel, CheckSettings][] = [
      ['a rule priority', model({ nsgs: [nsgModel('a', [{ ...rules[0], priority: 4001 }, ...rules.slice(1)])], subnets: [subnet('s1', 'a')] }), settings()],
      ['a rule access', model({ nsgs: [nsgModel('a', [{ ...rules[0], access: 'Deny' }, ...rules.slice(1)])], subnets: [subnet('s1', 'a')] }), settings()],
      ['a rule name', model({ nsgs: [nsgModel('a', [{ ...rules[0], name: 'Renamed' }, ...rules.slice(1)])], subnets: [subnet('s1', 'a')] }), settings()],
      ['the NSG name', model({ nsgs: [nsgModel('z', rules)], subnets: [subnet('s1', 'z')] }), settings()],
      ['the location', model({ nsgs: [nsgModel('a', rules, regionNamed('westus'))], subnets: [subnet('s1', 'a')] }), settings()],
      ['the subnet prefixes', model({ nsgs: [nsgModel('a', rules)], subnets: [subnet('s1', 'a', ['10.0.9.0/24'])] }), settings()],
      ['the options', base, settings({ options: { ...defaultOptions(), hbi: true } })],
      ['the region option', model({ nsgs: [{ ...nsgModel('a', rules), location: undefined }], subnets: [subnet('s1', 'a')] }), settings({ options: { ...defaultOptions(), region: 'westus' } })],
      ['service-tag data', base, settings({ serviceTags: new Map([['storage', ['20.1.0.0/16']]]) })],
    ];
    for (const [what, m, s] of variants) {
      const cached = checkModel(m, s, cache);
      assert.equal(cache.misses, 1, what);
      assertSame(cached, checkModel(m, s));
      checkModel(base, settings(), cache);
    }
    // The first variant really changes the verdicts (the cache is not just re-deriving the same answer).
    const changed = checkModel(variants[0][1], settings(), cache);
    const original = checkModel(base, settings(), cache);
    assert.notDeepStrictEqual(changed.nsgs[0].verdicts.map((v) => v.verdict), original.nsgs[0].verdicts.map((v) => v.verdict));
  });

  it('hands an NSG of the same rule objects its last result back, unless the selection, context or specs changed', () => {
    const m = model({ nsgs: [nsgModel('a', rules), nsgModel('b', rules.slice(0, 4))], subnets: [subnet('s1', 'a'), subnet('s2', 'b', ['10.0.2.0/24'])] });
    const cache = new CheckCache();
    const first = checkModel(m, settings(), cache);
    // As WorkspaceReader gives them after an edit elsewhere: new NSG objects around the same rule objects.
    const rebuilt = { ...m, nsgs: m.nsgs.map((n) => ({ ...n, rules: [...n.rules] })) };
    const again = checkModel(rebuilt, settings(), cache);
    assert.deepEqual([cache.hits, cache.misses], [2, 0]);
    // The very same result objects: nothing was keyed, evaluated or re-attached.
    for (let i = 0; i < 2; i++) {
      assert.equal(again.nsgs[i].verdicts, first.nsgs[i].verdicts);
      assert.equal(again.nsgs[i].findings, first.nsgs[i].findings);
    }
    assertSame(again, checkModel(rebuilt, settings()));
    // One rule object replaced by an equal copy with another origin: the cached entry, re-attached.
    const copied = { ...m, nsgs: [{ ...m.nsgs[0], rules: m.nsgs[0].rules.map((r, i) => (i === 0 ? ({ ...r, origin: { span: span(999), style: 'inline', properties: {} } }) as RuleModel : r)) }, m.nsgs[1]] };
    const reattached = checkModel(copied, settings(), cache);
    assert.deepEqual([cache.hits, cache.misses], [2, 0]);
    assert.notEqual(reattached.nsgs[0].verdicts, first.nsgs[0].verdicts);
    assertSame(reattached, checkModel(copied, settings()));
    // Other options: another selection, so not the last result.
    const hbi = settings({ options: { ...defaultOptions(), hbi: true } });
    const other = checkModel(m, hbi, cache);
    assert.equal(cache.misses, 2);
    assert.notEqual(other.nsgs[0].verdicts, first.nsgs[0].verdicts);
    assertSame(other, checkModel(m, hbi));
    // A user edition that only rewords the requirements selects the same traffic, but verdicts carry its specs.
    const base = getEdition('2022-09');
    const reworded = { ...base, name: 'reworded', requirements: base.requirements.map((r) => ({ ...r, purpose: `${r.purpose} (reworded)` })) };
    checkModel(m, settings(), cache);
    const withReworded = checkModel(m, settings({ edition: reworded }), cache);
    assertSame(withReworded, checkModel(m, settings({ edition: reworded })));
    assert.ok(withReworded.nsgs[0].verdicts.every((v) => v.spec.purpose.endsWith('(reworded)')));
  });

  it('follows edits of a Bicep file: shifted spans, a changed rule, and back', () => {
    let text = generateBicepTemplate(0.05, 3);
    const s = benchSettings();
    const cache = new CheckCache();
    const check = (t: string) => {
      const m = readBicep(t);
      const cached = checkModel(m, s, cache);
      assertSame(cached, checkModel(m, s));
      return cached;
    };
    const first = check(text);
    const nsgCount = first.nsgs.length;
    assert.ok(nsgCount > 1);
    // Text added at the top shifts every span but changes no NSG.
    text = `// a comment\n${text}`;
    check(text);
    assert.deepEqual([cache.hits, cache.misses], [nsgCount, 0]);
    // A priority in the middle edited out of range (and every later span shifted): only that NSG
    // is evaluated again, and its result changes.
    const at = text.indexOf('priority: 1', text.length >> 1) + 'priority: '.length;
    const edited = `${text.slice(0, at)}9${text.slice(at)}`;
    const after = check(edited);
    assert.deepEqual([cache.hits, cache.misses], [nsgCount - 1, 1]);
    const before = check(text);
    assert.notDeepStrictEqual(after.nsgs.map((n) => [n.verdicts, n.findings]), before.nsgs.map((n) => [n.verdicts, n.findings]));
  });
});
