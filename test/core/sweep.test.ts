import * as assert from 'node:assert/strict';
import { evaluateRequirementBy } from '../../src/core/evaluate-nsg';
import type { NsgChain } from '../../src/core/nsg';
import type { RequirementVerdict } from '../../src/core/verdict';
import { engineContext } from '../../scripts/differential';
import { caseSeed, engineChain, generateCase, generateNsg, REQUIREMENTS } from './random-nsg';

// The engine runs first match by a sweep over the required ports where every rule is certain and
// wholly in or out on addresses, and over atom tuples elsewhere (see evaluate-nsg.ts). Where the
// sweep applies, both must give the very same verdict: rows, their order, texts and deciding rules.
// The keyed sweep (regional tags against their global tag) is held against the atoms on its own too.

const SEED = 20240611;

function compare(chain: NsgChain, context: Parameters<typeof evaluateRequirementBy>[3], label: string, reqs = REQUIREMENTS, path: 'sweep' | 'keyed' = 'sweep'): number {
  let swept = 0;
  for (const req of reqs) {
    const bySweep = evaluateRequirementBy(path, chain, req, context);
    if (!bySweep) continue;
    const byAtoms = evaluateRequirementBy('atoms', chain, req, context) as RequirementVerdict;
    assert.deepEqual(bySweep, byAtoms, `${label}, requirement ${req.id}`);
    // A chain without NSGs needs no sweep: the keyed count leaves it out.
    if (path === 'sweep' || bySweep.breakdown.length > 0) swept++;
  }
  return swept;
}

describe('engine: the port sweep against first match over atoms', () => {
  it('agrees on random chains with and without unknowns, and sweeps most certain ones', () => {
    let cases = 0;
    let swept = 0;
    for (const unknowns of [false, true]) {
      for (let i = 0; i < 3000; i++) {
        const bp = generateCase(caseSeed(SEED, i), { unknowns });
        const { context } = engineContext(bp);
        cases += bp.requirements.length;
        swept += compare(engineChain(bp), context, `case ${i} (unknowns ${unknowns})`, bp.requirements);
      }
    }
    assert.ok(swept > cases / 5, `the sweep answered ${swept} of ${cases} requirements`);
  });

  it('agrees on larger NSGs of certain rules, every catalog-like requirement', () => {
    let swept = 0;
    for (let i = 0; i < 300; i++) {
      const nsg = generateNsg(caseSeed(SEED + 1, i), 'nsg', 5 + (i % 30));
      const context = i % 2 ? { subnetPrefixes: ['10.0.1.0/24'] } : {};
      swept += compare({ subnet: nsg }, context, `NSG ${i}`);
    }
    assert.ok(swept > 300, `the sweep answered ${swept} requirements`);
  });

  it('agrees where rules name regional parts of a global tag, and sweeps those by sub-tags', () => {
    let keyed = 0;
    for (let i = 0; i < 3000; i++) {
      const bp = generateCase(caseSeed(SEED + 2, i), { unknowns: i % 2 === 1 });
      keyed += compare(engineChain(bp), engineContext(bp).context, `case ${i}`, bp.requirements, 'keyed');
    }
    for (let i = 0; i < 300; i++) {
      const nsg = generateNsg(caseSeed(SEED + 3, i), 'nsg', 5 + (i % 30));
      keyed += compare({ subnet: nsg }, i % 2 ? { subnetPrefixes: ['10.0.1.0/24'] } : {}, `NSG ${i}`, REQUIREMENTS, 'keyed');
    }
    assert.ok(keyed > 300, `the keyed sweep answered ${keyed} requirements`);
  });
});
