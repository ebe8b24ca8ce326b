import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type CliIo } from '../../../src/cli/main';
import { REPO_ROOT } from '../read/fixture-harness';

// `amlnet check` over a firewall fixture, in process: the exit code counts firewall failures,
// the JSON report carries them, and --fix writes the missing firewall rules once.

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd, readFile: (p) => readFileSync(p, 'utf8'), exists: (p) => existsSync(p) };
}

describe('amlnet check with firewalls', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-fw-'));
    writeFileSync(join(dir, 'main.bicep'), readFileSync(join(REPO_ROOT, 'test/fixtures/firewall/bicep-wildcards.bicep'), 'utf8'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 on firewall failures alone and reports them in JSON', async () => {
    const a = io(dir);
    const code = await run(['check', '.', '--packages', 'conda,pip', '--format', 'json'], a);
    assert.equal(code, 1);
    const report = JSON.parse(a.out.join('')) as { nsgs: unknown[]; failing: boolean; firewalls: { subnet: string; firewall: { name: string } | null; requirements: { id: string; verdict: string }[] }[] };
    assert.equal(report.nsgs.length, 0);
    assert.equal(report.failing, true);
    assert.deepEqual(report.firewalls.map((f) => [f.subnet, f.firewall?.name]), [['snet-train', 'fw-wild']]);
    assert.equal(report.firewalls[0].requirements.find((r) => r.id === 'aml-host-anaconda-com')?.verdict, 'blocked');
  });

  it('--fix adds the missing firewall rules, then passes; a second --fix changes nothing', async () => {
    const a = io(dir);
    assert.equal(await run(['check', '.', '--packages', 'conda,pip', '--fix'], a), 0, a.err.join(''));
    const err = a.err.join('');
    assert.match(err, /added network rule aml-out-storage to fw-wild\/AllowAzureMLNetwork \(new collection, priority 300\)/);
    assert.match(err, /added application rule aml-host-anaconda-com to fw-wild\/packages/);
    const fixed = readFileSync(join(dir, 'main.bicep'), 'utf8');
    assert.match(fixed, /targetFqdns: \['anaconda\.com'\]/);
    const b = io(dir);
    assert.equal(await run(['check', '.', '--packages', 'conda,pip', '--fix'], b), 0);
    assert.match(b.err.join(''), /0 rules added in 0 files/);
    assert.equal(readFileSync(join(dir, 'main.bicep'), 'utf8'), fixed);
  });
});
