import * as fs from 'node:fs';
import * as path from 'node:path';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { commentText, leadingComments } from '../../../src/core/bicep/comments';
import { parseBicep } from '../../../src/core/bicep/parser';
import type { NsgCheck } from '../../../src/core/check/check-model';
import { REPO_ROOT, describeFixtures, findFixtures, findFolderFixtures, readExpectation } from './fixture-harness';

/**
 * Requirement ids an `// amlnet-disable-next-line <id> ...` comment directly above the NSG's
 * declaration suppresses (the model does not carry suppressions; the diagnostics layer reads them).
 */
function suppressedOf(check: NsgCheck): readonly string[] {
  const span = check.nsg.span;
  if (!span) return [];
  let text: string;
  try {
    text = fs.readFileSync(path.join(REPO_ROOT, span.file), 'utf8');
  } catch {
    return [];
  }
  const file = parseBicep(text);
  const out: string[] = [];
  for (const c of leadingComments(file, span.start)) {
    const m = /^amlnet-disable-next-line\s+(.*)$/.exec(commentText(file, c));
    if (m) out.push(...m[1].split(/[\s,]+/).filter((s) => s !== ''));
  }
  return out;
}

// Every Bicep fixture of test/fixtures/templates with an `.expected.json` beside it (.bicep and .bicepparam).
describeFixtures('Bicep template fixtures', [
  ...findFixtures('test/fixtures/templates', 'bicep-*.bicep'),
  ...findFixtures('test/fixtures/templates', 'bicep-*.bicepparam'),
  ...findFolderFixtures('test/fixtures/templates', 'bicep-*'),
], [bicepReader], { suppressedOf });

// examples/bicep (main.bicepparam using main.bicep, which calls modules/network.bicep) against
// the Bicep NSGs of examples/expected.json (the others are ARM's).
describeFixtures('Bicep example workspace', [{
  name: 'examples/bicep',
  entry: 'examples/bicep/main.bicepparam',
  expected: readExpectation('examples/expected.json'),
  only: ['nsg-contoso-aml-compute', 'nsg-contoso-private-endpoints'],
}], [bicepReader], { suppressedOf });
