import * as assert from 'node:assert/strict';
import { parseFqdnPattern, relateNames, requiredHost, type NameSet } from '../../../src/core/firewall/fqdn';

// The Azure Firewall FAQ ("How do wildcards work in target URLs and target FQDNs in application
// rules?"): an asterisk only on the left-most side, meaning anything to the left.
function set(pattern: string): NameSet {
  const p = parseFqdnPattern(pattern);
  if (!p.ok) throw new Error(p.error);
  return p.set;
}

function covers(rule: string, name: string): boolean {
  return relateNames(set(rule), { kind: 'exact', name }) === 'all';
}

describe('target FQDN patterns', () => {
  it('*.contoso.com covers any.contoso.com and a.b.contoso.com, never contoso.com', () => {
    assert.equal(covers('*.anaconda.com', 'repo.anaconda.com'), true);
    assert.equal(covers('*.anaconda.com', 'a.b.anaconda.com'), true);
    assert.equal(covers('*.anaconda.com', 'anaconda.com'), false);
    assert.equal(covers('*.anaconda.com', 'notanaconda.com'), false);
  });

  it('*contoso.com covers contoso.com, its subdomains and any name ending in it', () => {
    assert.equal(covers('*anaconda.com', 'anaconda.com'), true);
    assert.equal(covers('*anaconda.com', 'repo.anaconda.com'), true);
    assert.equal(covers('*anaconda.com', 'myanaconda.com'), true);
    assert.equal(covers('*anaconda.com', 'anaconda.org'), false);
  });

  it('* covers every name; exact names compare without case and a trailing dot', () => {
    assert.equal(covers('*', 'pypi.org'), true);
    assert.equal(covers('PyPI.org.', 'pypi.org'), true);
    assert.equal(covers('pypi.org', 'www.pypi.org'), false);
  });

  it('rejects what Azure does not accept: asterisks elsewhere, and any wildcard in network rules', () => {
    for (const bad of ['www.contoso.*', '*.contoso.*', 'www.*contoso.com', 'a*b.com', '']) assert.equal(parseFqdnPattern(bad).ok, false, bad);
    assert.equal(parseFqdnPattern('*.contoso.com', false).ok, false);
    assert.equal(parseFqdnPattern('contoso.com', false).ok, true);
  });

  it('relates a rule to a required wildcard: all, part or none', () => {
    const req: NameSet = { kind: 'suffix', suffix: '.anaconda.com' };
    assert.equal(relateNames(set('*.anaconda.com'), req), 'all');
    assert.equal(relateNames(set('*anaconda.com'), req), 'all');
    assert.equal(relateNames(set('*.com'), req), 'all');
    assert.equal(relateNames(set('repo.anaconda.com'), req), 'part');
    assert.equal(relateNames(set('*.repo.anaconda.com'), req), 'part');
    assert.equal(relateNames(set('anaconda.com'), req), 'none');
    assert.equal(relateNames(set('*.anaconda.org'), req), 'none');
  });
});

describe('required hosts', () => {
  it('reads *.x as every name under x, and the catalog\'s *x as x and its subdomains', () => {
    assert.deepEqual(requiredHost('*.anaconda.org').parts.map((p) => p.set), [{ kind: 'suffix', suffix: '.anaconda.org' }]);
    assert.deepEqual(requiredHost('*pytorch.org').parts.map((p) => [p.label, p.set]), [
      ['pytorch.org', { kind: 'exact', name: 'pytorch.org' }],
      ['*.pytorch.org', { kind: 'suffix', suffix: '.pytorch.org' }],
    ]);
  });

  it('keeps a URL path apart from the host, and marks an unfilled <region>', () => {
    const r = requiredHost('raw.githubusercontent.com/microsoft/vscode-tools-for-ai/*');
    assert.equal(r.host, 'raw.githubusercontent.com');
    assert.equal(r.path, '/microsoft/vscode-tools-for-ai/*');
    assert.equal(requiredHost('<region>.tundra.azureml.ms').regionUnknown, true);
    assert.equal(requiredHost('westeurope.tundra.azureml.ms').regionUnknown, false);
  });
});
