import * as assert from 'node:assert/strict';
import { armTemplateReader } from '../../../src/core/arm/arm-template-reader';
import { bicepReader } from '../../../src/core/bicep/bicep-reader';
import { defaultOptions, getEdition } from '../../../src/core/catalog/catalog';
import { checkModel, type CheckSettings } from '../../../src/core/check/check-model';
import { buildReport, type Locate } from '../../../src/core/check/check-report';
import { buildSarif } from '../../../src/core/check/sarif';
import { FileSuppressions } from '../../../src/core/check/suppression';
import { readWorkspace } from '../../../src/core/read/read-workspace';
import { LineIndex } from '../../../src/core/text/line-index';
import { VNET_AND_COMPUTE } from '../../support/bicep-snippets';

const SETTINGS: CheckSettings = { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope: 'auto', strict: false };

/** A compute subnet whose NSG denies all outbound traffic (every outbound requirement blocked) and has a typo'd tag. */
function bicep(aboveNsg: string, aboveTypo = ''): string {
  return `param location string = 'westeurope'
${aboveNsg}resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-x'
  location: location
  properties: {
    securityRules: [
      { name: 'DenyOut', properties: { priority: 100, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } }
      ${aboveTypo}{ name: 'Typo', properties: { priority: 200, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Storag', destinationPortRange: '443' } }
    ]
  }
}
${VNET_AND_COMPUTE}`;
}

function check(path: string, text: string, withText = true) {
  const model = readWorkspace([{ path, text }], { readFile: () => undefined }, [bicepReader, armTemplateReader]);
  const result = checkModel(model, withText ? { ...SETTINGS, sourceText: (f) => (f === path ? text : undefined) } : SETTINGS);
  const index = new LineIndex(text);
  const locate: Locate = (span) => ({ file: span.file, line: index.positionAt(span.start).line + 1, column: 1 });
  return { result, report: buildReport(result, locate, '0.0.0') };
}

const failingIds = (r: ReturnType<typeof check>) => r.report.nsgs[0].requirements.filter((q) => q.verdict === 'blocked' || q.verdict === 'partial').map((q) => q.id);

describe('suppression', () => {
  describe('FileSuppressions', () => {
    it('reads ids (or all) from a disable-next-line comment for the next non-comment line', () => {
      const text = [
        'AAA',
        '// amlnet-disable-next-line aml-out-storage, AML-OUT-KEY-VAULT',
        '// a plain comment between',
        'BBB',
        '  //amlnet-disable-next-line',
        'CCC',
        'DDD // amlnet-disable-next-line aml-out-storage',
        'EEE',
        '// amlnet-disable-next-line-not aml-out-storage',
        'FFF',
      ].join('\n');
      const s = new FileSuppressions(text, false);
      assert.deepEqual([...s.lines.keys()], [3, 5]);
      assert.deepEqual([...(s.lines.get(3) as Set<string>)], ['aml-out-storage', 'aml-out-key-vault']);
      assert.equal(s.lines.get(5), 'all');
      assert.equal(s.atOffset(text.indexOf('BBB')), s.lines.get(3));
      assert.equal(s.atOffset(text.indexOf('EEE')), undefined, 'a comment after code on its line does not count');
      assert.equal(s.atOffset(text.indexOf('FFF')), undefined);
    });

    it('stops reading ids at the first word that is not one, and stacks comments', () => {
      const text = '// amlnet-disable-next-line aml-a -- because: reasons\n// amlnet-disable-next-line aml-b\r\nXXX';
      const s = new FileSuppressions(text, false);
      assert.deepEqual([...(s.atOffset(text.indexOf('XXX')) as Set<string>)].sort(), ['aml-a', 'aml-b']);
    });

    it('reads an ARM resource\'s metadata["amlnet-disable"]', () => {
      const text = '{ "resources": [ { "type": "x", "metadata": { "amlnet-disable": ["aml-out-storage"] } }, { "metadata": { "amlnet-disable": "*" } }, { "type": "y" } ] }';
      const s = new FileSuppressions(text, true);
      const objects = [...text.matchAll(/\{ "(type|metadata)"/g)].map((m) => m.index!);
      assert.deepEqual([...(s.metadataAt(objects[0]) as Set<string>)], ['aml-out-storage']);
      assert.equal(s.metadataAt(objects[1]), 'all');
      assert.equal(s.metadataAt(text.lastIndexOf('{ "type": "y"')), undefined);
      assert.equal(new FileSuppressions(text, false).metadataAt(objects[0]), undefined, 'only in JSON files');
    });
  });

  describe('in a check', () => {
    it('suppresses the named requirement above the NSG: marked in the report, still failing for the rest', () => {
      const plain = check('main.bicep', bicep(''));
      const ids = failingIds(plain);
      assert.ok(ids.includes('aml-out-storage') && ids.length > 1);
      const one = check('main.bicep', bicep('// amlnet-disable-next-line aml-out-storage\n'));
      const reqs = one.report.nsgs[0].requirements;
      assert.equal(reqs.find((r) => r.id === 'aml-out-storage')!.suppressed, true);
      assert.deepEqual(reqs.filter((r) => r.suppressed).map((r) => r.id), ['aml-out-storage']);
      assert.equal(reqs.find((r) => r.id === 'aml-out-storage')!.verdict, 'blocked', 'the verdict itself does not change');
      assert.equal(one.result.failing, true);
      assert.equal(one.report.summary.blocked, plain.report.summary.blocked);
    });

    it('does not fail when every failing requirement is suppressed, and SARIF marks them inSource', () => {
      const all = check('main.bicep', bicep('// amlnet-disable-next-line\n'));
      assert.equal(all.result.failing, false);
      assert.equal(all.report.failing, false);
      const reqs = all.report.nsgs[0].requirements;
      assert.ok(reqs.filter((r) => r.verdict === 'blocked').every((r) => r.suppressed));
      assert.ok(reqs.filter((r) => r.verdict === 'allowed' || r.verdict === 'not-applicable').every((r) => r.suppressed === undefined));
      const sarif = buildSarif(all.report, SETTINGS.edition, 'https://example.test') as { runs: { results: { ruleId: string; suppressions?: { kind: string }[] }[] }[] };
      const storage = sarif.runs[0].results.find((r) => r.ruleId === 'aml-out-storage')!;
      assert.deepEqual(storage.suppressions, [{ kind: 'inSource' }]);
      const finding = sarif.runs[0].results.find((r) => r.ruleId === 'amlnet-unknown-tag')!;
      assert.equal(finding.suppressions, undefined, 'a comment above the NSG does not hide rule findings');
    });

    it('suppresses a rule finding by its code above the rule', () => {
      const r = check('main.bicep', bicep('', '// amlnet-disable-next-line amlnet-unknown-tag\n      '));
      const f = r.report.nsgs[0].findings.find((x) => x.code === 'amlnet-unknown-tag')!;
      assert.equal(f.suppressed, true);
      const other = check('main.bicep', bicep('', '// amlnet-disable-next-line amlnet-bad-port\n      '));
      assert.equal(other.report.nsgs[0].findings.find((x) => x.code === 'amlnet-unknown-tag')!.suppressed, undefined);
    });

    it('suppresses nothing without the source text', () => {
      const r = check('main.bicep', bicep('// amlnet-disable-next-line\n'), false);
      assert.equal(r.result.failing, true);
      assert.ok(r.report.nsgs[0].requirements.every((q) => q.suppressed === undefined));
    });
  });
});
