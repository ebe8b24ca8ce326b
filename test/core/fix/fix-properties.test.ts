/**
 * The fix guarantees as properties over every template fixture and the examples, and over mutated
 * copies of them (NSGs with random subsets of their rules removed, random priorities): the result
 * re-parses with no new errors, bytes outside the insertions are unchanged, priorities of new rules
 * are unique, a second fix-all is a no-op, and a re-check shows every fixed requirement allowed.
 */
import * as assert from 'node:assert/strict';
import type { CheckSettings } from '../../../src/core/check/check-model';
import type { FixOptions } from '../../../src/core/fix/fix-nsg';
import { isUnknown } from '../../../src/core/maybe';
import { findFixtures, readExpectation, settingsFor, type FixtureCase } from '../read/fixture-harness';
import { checkGuarantees, Overlay, readAndCheck } from './fix-harness';
import { mulberry32 as random } from '../../support/seeded-random';

const CASES: FixtureCase[] = [
  ...findFixtures('test/fixtures/templates', '*'),
  { name: 'examples/bicep', entry: 'examples/bicep/main.bicepparam', expected: readExpectation('examples/expected.json') },
  { name: 'examples/arm', entry: 'examples/arm/azuredeploy.json', expected: readExpectation('examples/expected.json') },
];

function settings(c: FixtureCase, strict = false): CheckSettings {
  return { ...settingsFor(c.expected.options), scope: 'all', strict };
}


/**
 * A mutated copy of the workspace: in each file that declares rules, some rules removed (with the
 * comma that separates them) and some priorities replaced by random ones.
 */
function mutate(c: FixtureCase, seed: number): Overlay {
  const rnd = random(seed);
  const host = new Overlay();
  const { result } = readAndCheck(c.entry, host, settings(c));
  const edits = new Map<string, { start: number; end: number; text: string }[]>();
  for (const n of result.nsgs) {
    for (const r of n.nsg.rules) {
      const o = r.origin;
      if (!o) continue;
      const text = host.readFile(o.span.file);
      if (text === undefined) continue;
      const list = edits.get(o.span.file) ?? [];
      edits.set(o.span.file, list);
      const roll = rnd();
      if (roll < 0.35) {
        let { start, end } = o.span;
        const after = /^\s*,/.exec(text.slice(end));
        if (after) end += after[0].length;
        else {
          const before = /,\s*$/.exec(text.slice(0, start));
          if (before) start -= before[0].length;
        }
        list.push({ start, end, text: '' });
      } else if (roll < 0.6 && o.properties.priority && !isUnknown(r.priority)) {
        list.push({ ...o.properties.priority, text: String(100 + Math.floor(rnd() * 3997)) });
      }
    }
  }
  for (const [file, list] of edits) {
    const sorted = list.sort((a, b) => a.start - b.start);
    const kept: typeof sorted = [];
    for (const e of sorted) if (!kept.length || kept[kept.length - 1].end <= e.start) kept.push(e);
    let text = host.readFile(file)!;
    for (const e of kept.reverse()) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    host.texts.set(file, text);
  }
  return host;
}

const totals = { runs: 0, fixed: 0, rules: 0, skipped: 0 };

after(() => console.log(`      fix properties: ${totals.runs} workspaces, ${totals.fixed} requirements fixed, ${totals.rules} rules added, ${totals.skipped} requirements skipped`));

describe('fix guarantees over the template fixtures', () => {
  for (const c of CASES) {
    for (const strict of [false, true]) {
      it(`${c.name}${strict ? ' (strict: allowed-by-default fixed too)' : ''}`, () => {
        const options: FixOptions = { includeAllowedByDefault: strict };
        const report = checkGuarantees(c.entry, new Overlay(), settings(c, strict), options);
        totals.runs++;
        totals.fixed += report.fixedRequirements;
        totals.rules += report.rulesAdded;
        totals.skipped += report.skipped;
        assert.deepEqual(report.failures, []);
      });
    }
  }
});

describe('fix guarantees over mutated fixtures', () => {
  for (const c of CASES) {
    it(`${c.name}: 6 mutations`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const host = mutate(c, seed * 7919 + c.name.length);
        const options: FixOptions = { includeAllowedByDefault: seed % 2 === 0, priorityStart: seed % 3 === 0 ? 200 : 100, priorityStep: seed % 3 === 0 ? 5 : 10 };
        const report = checkGuarantees(c.entry, host, settings(c, seed % 2 === 0), options);
        totals.runs++;
        totals.fixed += report.fixedRequirements;
        totals.rules += report.rulesAdded;
        totals.skipped += report.skipped;
        assert.deepEqual(report.failures, [], `seed ${seed}`);
      }
    });
  }
});
