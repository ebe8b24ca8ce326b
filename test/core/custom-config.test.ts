import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { selectRequirements } from '../../src/core/catalog/catalog';
import { applyConfig, formatConfigError, formatPath, parseConfig, type ConfigError } from '../../src/core/catalog/custom-config';

/** `line:column` (1-based) of the `nth` occurrence of `needle` in `text`: an oracle independent of the parser. */
function pos(text: string, needle: string, nth = 0): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" #${nth} not in the text`);
  }
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

function errorsOf(text: string): string[] {
  const result = parseConfig(text);
  assert.equal(result.config, undefined, 'no config when there are errors');
  return result.errors.map(formatConfigError);
}

/** One requirement object with `fields` overriding a valid service-tag requirement. */
function tagReq(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'contoso-sql', kind: 'service-tag', direction: 'Outbound', protocol: 'Tcp', ports: ['1433'], remote: [{ tag: 'Sql' }], purpose: 'SQL', ...fields };
}

describe('custom-config: valid files', () => {
  it('reads comments, trailing commas, custom requirements and user editions', () => {
    const text = `{
  // The edition our platform team signed off.
  "$schema": "./schemas/amlnet-config.schema.json",
  "edition": "contoso-2026",
  "options": { "publicIp": false, "region": "West Europe", "packages": ["pip"], },
  /* added to the active edition */
  "requirements": [
    { "id": "contoso-proxy", "kind": "host", "host": "proxy.contoso.com", "purpose": "Corporate proxy" },
  ],
  "editions": {
    "contoso-2026": {
      "extends": "2025-02",
      "remove": ["aml-out-azure-monitor"],
      "add": [{ "id": "contoso-sql", "kind": "service-tag", "direction": "Outbound", "protocol": "Tcp", "ports": [1433, "1434-1435"],
                "remote": [{ "tag": "Sql", "regional": true }], "purpose": "SQL", "when": [{ "option": "hbi", "is": false }] }]
    }
  }
}`;
    const result = parseConfig(text);
    assert.deepEqual(result.errors, []);
    const config = result.config;
    assert.ok(config);
    assert.equal(config.edition, 'contoso-2026');
    const proxy = config.requirements[0];
    assert.deepEqual(proxy, {
      id: 'contoso-proxy', kind: 'host', host: 'proxy.contoso.com', protocol: 'Https', ports: ['443'], purpose: 'Corporate proxy', docs: '',
      source: '.amlnet.json requirements[0]',
    });
    const sql = config.editions['contoso-2026'].add?.[0];
    assert.ok(sql && sql.kind === 'service-tag');
    assert.deepEqual(sql.ports, ['1433', '1434-1435']);
    assert.equal(sql.source, '.amlnet.json editions["contoso-2026"].add[0]');

    const { edition, options } = applyConfig(config);
    assert.equal(edition.name, 'contoso-2026');
    assert.equal(options.publicIp, false);
    assert.equal(options.region, 'westeurope');
    assert.deepEqual(options.packages, ['pip']);
    assert.equal(options.hbi, false, 'unset options keep their defaults');
    const ids = selectRequirements(edition, options).applicable.map((r) => r.id);
    assert.ok(ids.includes('contoso-sql') && ids.includes('contoso-proxy'));
    assert.ok(!ids.includes('aml-out-azure-monitor'));
  });

  it('lets overrides (command-line flags) win over the file', () => {
    const { config } = parseConfig('{ "edition": "2025-02", "options": { "hbi": true, "cloud": "AzureChinaCloud" } }');
    const { edition, options } = applyConfig(config, { edition: '2022-09', options: { hbi: false } });
    assert.equal(edition.name, '2022-09');
    assert.equal(options.hbi, false);
    assert.equal(options.cloud, 'AzureChinaCloud');
    assert.throws(() => applyConfig(config, { edition: 'nope' }), /unknown edition "nope"; known editions: 2022-09 \(default\), 2025-02/);
  });

  it('accepts an empty object and no config at all', () => {
    assert.deepEqual(parseConfig('{}').errors, []);
    assert.equal(applyConfig(undefined).edition.name, '2022-09');
  });
});

describe('custom-config: one error per bad field, with its path and position', () => {
  it('reports a port out of range where it is', () => {
    const text = [
      '{',
      '  // a custom requirement',
      '  "requirements": [',
      '    {',
      '      "id": "contoso-sql", "kind": "service-tag", "direction": "Outbound", "protocol": "Tcp",',
      '      "ports": [',
      '        "443","70000"',
      '      ],',
      '      "remote": [{ "tag": "Sql" }], "purpose": "SQL"',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    assert.deepEqual(errorsOf(text), ['.amlnet.json:7:15 requirements[0].ports[1]: "70000" is not a port or range 0-65535']);
  });

  const cases: { name: string; config: unknown; expect: [needle: string, nth: number, path: string, message: string][] }[] = [
    {
      name: 'bad ports: number, text, backwards range, wrong type',
      config: { requirements: [tagReq({ ports: [99999, 'https', '500-400', true, '0-65535'] })] },
      expect: [
        ['99999', 0, 'requirements[0].ports[0]', '99999 is not a port or range 0-65535'],
        ['"https"', 0, 'requirements[0].ports[1]', '"https" is not a port or range 0-65535'],
        ['"500-400"', 0, 'requirements[0].ports[2]', '"500-400" is not a valid range: start 500 is greater than end 400'],
        ['true', 0, 'requirements[0].ports[3]', 'true is not a port or range 0-65535'],
      ],
    },
    {
      name: 'unknown properties, with a suggestion',
      config: { editon: '2025-02', options: { hbii: true } },
      expect: [
        ['"editon"', 0, 'editon', 'unknown property "editon" (did you mean "edition"?)'],
        ['"hbii"', 0, 'options.hbii', 'unknown property "hbii" (did you mean "hbi"?)'],
      ],
    },
    {
      name: 'options of the wrong type or value',
      config: { options: { publicIp: 'no', cloud: 'AzureChina', packages: ['pip', 'npm', 'pip'], region: 'west europe!' } },
      expect: [
        ['"no"', 0, 'options.publicIp', 'must be true or false, not "no"'],
        ['"AzureChina"', 0, 'options.cloud', '"AzureChina" is not one of AzureCloud, AzureChinaCloud, AzureUSGovernment (did you mean "AzureChinaCloud"?)'],
        ['"npm"', 0, 'options.packages[1]', '"npm" is not one of conda, pip, pip-custom-index, cran, pytorch, tensorflow'],
        ['"pip"', 1, 'options.packages[2]', '"pip" is listed twice'],
        ['"west europe!"', 0, 'options.region', '"west europe!" is not an Azure region name (e.g. "westeurope")'],
      ],
    },
    {
      name: 'missing required properties, a kind typo, and properties of the other kind',
      config: {
        requirements: [
          { kind: 'host', host: 'a.example.com' },
          { id: 'x1', kind: 'hots', purpose: 'p' },
          tagReq({ id: 'x2', host: 'a.example.com' }),
          { id: 'x3', kind: 'host', host: 'a.example.com', purpose: 'p', remote: [{ tag: 'Sql' }], protocol: 'Any' },
          { id: 'x4', kind: 'host', host: 'not a host', purpose: 'p' },
          tagReq({ id: 'x5', protocol: 'Https', remote: [] }),
        ],
      },
      expect: [
        ['{"kind":"host"', 0, 'requirements[0]', 'missing required properties "id", "purpose"'],
        ['"hots"', 0, 'requirements[1].kind', '"hots" is not one of service-tag, host (did you mean "host"?)'],
        ['"host"', 2, 'requirements[2].host', '"host" is only for host requirements'],
        ['"remote"', 1, 'requirements[3].remote', '"remote" is only for service-tag requirements'],
        ['"Any"', 0, 'requirements[3].protocol', '"Any" is not one of Http, Https, Tcp, Udp'],
        ['"not a host"', 0, 'requirements[4].host', '"not a host" is not a host name (e.g. "*.example.com", "<region>.example.com" or "example.com/path/*")'],
        ['"Https"', 0, 'requirements[5].protocol', '"Https" is not one of Tcp, Udp, *'],
        ['[]', 0, 'requirements[5].remote', 'must have at least 1 item'],
      ],
    },
    {
      name: 'bad conditions',
      config: {
        requirements: [tagReq({
          when: [{ option: 'cloud' }, { option: 'hbi', in: ['AzureCloud'] }, { option: 'packages', includes: 'npm' }, { option: 'vscod', is: true }, { option: 'aks', is: 'yes' }],
        })],
      },
      expect: [
        ['{"option":"cloud"}', 0, 'requirements[0].when[0]', 'needs "in" or "notIn" for option cloud'],
        ['{"option":"hbi"', 0, 'requirements[0].when[1]', 'missing required property "is"'],
        ['"in"', 0, 'requirements[0].when[1].in', '"in" is only for option cloud'],
        ['"npm"', 0, 'requirements[0].when[2].includes', '"npm" is not one of conda, pip, pip-custom-index, cran, pytorch, tensorflow'],
        ['"vscod"', 0, 'requirements[0].when[3].option', '"vscod" is not one of publicIp, hbi, storageFirewall, aks, vscode, rstudio, privateEndpoints, monitorPrivateLink, cloud, packages (did you mean "vscode"?)'],
        ['"yes"', 0, 'requirements[0].when[4].is', 'must be true or false, not "yes"'],
      ],
    },
    {
      name: 'duplicate and built-in ids',
      config: { requirements: [tagReq(), tagReq(), tagReq({ id: 'aml-out-storage' })] },
      expect: [
        ['"contoso-sql"', 1, 'requirements[1].id', '"contoso-sql" is already used by requirements[0]'],
        ['"aml-out-storage"', 0, 'requirements[2].id',
          '"aml-out-storage" is a built-in requirement id; give custom requirements their own ids (to change a built-in requirement, define an edition that replaces it)'],
      ],
    },
    {
      name: 'an unknown active edition',
      config: { edition: '2025-03', editions: { mine: { extends: '2025-02' } } },
      expect: [['"2025-03"', 0, 'edition', '"2025-03" is not a known edition (known: 2022-09 (default), 2025-02, mine) (did you mean "2025-02"?)']],
    },
    {
      name: 'user editions: unknown base, cycle, built-in name, bad name, missing extends',
      config: {
        editions: {
          a: { extends: '2025-2' },
          b: { extends: 'c' },
          c: { extends: 'b' },
          '2022-09': { extends: '2025-02' },
          'my edition': { extends: '2025-02' },
          d: { remove: [] },
        },
      },
      expect: [
        ['"2025-2"', 0, 'editions.a.extends', '"2025-2" is not a known edition (known: 2022-09 (default), 2025-02, a, b, c, my edition, d) (did you mean "2025-02"?)'],
        ['"c"', 0, 'editions.b.extends', 'editions extend each other in a cycle: b -> c -> b'],
        ['"b"', 1, 'editions.c.extends', 'editions extend each other in a cycle: c -> b -> c'],
        ['"2022-09"', 0, 'editions["2022-09"]', '"2022-09" is a built-in edition; give your edition another name'],
        ['"my edition"', 0, 'editions["my edition"]', '"my edition" is not a valid edition name (letters, digits, \'.\', \'_\' and \'-\', starting with a letter or digit)'],
        ['{"remove"', 0, 'editions.d', 'missing required property "extends"'],
      ],
    },
    {
      name: 'user editions: remove, replace and add ids that do not fit the base',
      config: {
        editions: {
          e: {
            extends: '2025-02',
            remove: ['aml-in-vnet-batch', 'aml-out-rstudio', 'aml-out-rstudio'],
            replace: [tagReq({ id: 'aml-out-rstudio' }), tagReq({ id: 'aml-out-storag' })],
            add: [tagReq({ id: 'aml-out-storage' }), tagReq({ id: 'aml-in-load-balancer' }), tagReq({ id: 'contoso-x' }), tagReq({ id: 'contoso-x' })],
          },
        },
      },
      expect: [
        ['"aml-in-vnet-batch"', 0, 'editions.e.remove[0]', '"aml-in-vnet-batch" is not a requirement of edition "2025-02"'],
        ['"aml-out-rstudio"', 1, 'editions.e.remove[2]', '"aml-out-rstudio" is listed twice'],
        ['"aml-out-rstudio"', 2, 'editions.e.replace[0].id', '"aml-out-rstudio" is both removed and replaced'],
        ['"aml-out-storag"', 0, 'editions.e.replace[1].id',
          '"aml-out-storag" is not a requirement of edition "2025-02" (use "add" for new requirements) (did you mean "aml-out-storage"?)'],
        ['"aml-out-storage"', 0, 'editions.e.add[0].id', '"aml-out-storage" is already a requirement of edition "2025-02" (use "replace" to change it)'],
        ['"aml-in-load-balancer"', 0, 'editions.e.add[1].id',
          '"aml-in-load-balancer" is a built-in requirement id; give custom requirements their own ids (to change a built-in requirement, define an edition that replaces it)'],
        ['"contoso-x"', 1, 'editions.e.add[3].id', '"contoso-x" is already used by editions.e.add[2]'],
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const text = JSON.stringify(c.config);
      const expected = c.expect.map(([needle, nth, path, message]) => `.amlnet.json:${pos(text, needle, nth)} ${path}: ${message}`);
      const sortKey = (s: string): number[] => (/^\.amlnet\.json:(\d+):(\d+)/.exec(s) ?? []).slice(1).map(Number);
      expected.sort((a, b) => sortKey(a)[0] - sortKey(b)[0] || sortKey(a)[1] - sortKey(b)[1]);
      assert.deepEqual(errorsOf(text), expected);
    });
  }

  it('reports a duplicate property at its second occurrence', () => {
    const text = '{\n  "edition": "2022-09",\n  "edition": "2025-02"\n}';
    assert.deepEqual(errorsOf(text), ['.amlnet.json:3:3 edition: property "edition" appears more than once (the last one counts)']);
  });

  it('reports syntax errors with their position, and an empty file', () => {
    assert.deepEqual(errorsOf('{\n  "edition": "2022-09"\n  "options": {}\n}'), ['.amlnet.json:3:3 invalid JSON: expected a comma']);
    assert.deepEqual(errorsOf(''), ['.amlnet.json:1:1 the file is empty; expected a JSON object']);
    assert.deepEqual(errorsOf('// nothing yet\n'), ['.amlnet.json:1:1 the file is empty; expected a JSON object']);
    assert.deepEqual(errorsOf('[]'), ['.amlnet.json:1:1 must be an object, not an array']);
  });

  it('names the file it was given', () => {
    const [error] = parseConfig('{"edition": 7}', 'config/amlnet.json').errors;
    assert.deepEqual(error, { file: 'config/amlnet.json', line: 1, column: 13, path: 'edition', message: 'must be a string, not 7' });
  });

  it('never throws, whatever the input', () => {
    const check = (text: string): void => {
      const result = parseConfig(text);
      assert.ok(result.config !== undefined || result.errors.length > 0);
      for (const e of result.errors as ConfigError[]) assert.ok(e.line >= 1 && e.column >= 1 && e.message.length > 0);
    };
    fc.assert(fc.property(fc.string(), check));
    fc.assert(fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v) ?? '')));
    const shapes = fc.record({
      edition: fc.oneof(fc.string(), fc.constantFrom('2022-09', '2025-02', 'a')),
      requirements: fc.array(fc.dictionary(fc.constantFrom('id', 'kind', 'ports', 'remote', 'when', 'host', 'purpose'), fc.jsonValue())),
      editions: fc.dictionary(fc.constantFrom('a', 'b', '2022-09'), fc.record({ extends: fc.constantFrom('a', 'b', '2025-02', 'zz'), remove: fc.array(fc.jsonValue()) })),
    }, { requiredKeys: [] });
    fc.assert(fc.property(shapes, (v) => check(JSON.stringify(v))));
  });

  it('formats paths the way users read them', () => {
    assert.equal(formatPath(['requirements', 0, 'ports', 1]), 'requirements[0].ports[1]');
    assert.equal(formatPath(['editions', 'contoso-2026', 'add', 0, 'id']), 'editions["contoso-2026"].add[0].id');
  });
});
