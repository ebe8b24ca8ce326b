// `amlnet check` honours suppression comments and ARM metadata: the exit code, and the mark in
// text, JSON and SARIF output. Runs the CLI's command in-process on copies of examples/.

import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { CheckReport } from '../../src/core/check/check-report';
import { run } from '../../src/cli/main';

const EXAMPLES = resolve(__dirname, '..', '..', '..', 'examples');

async function check(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await run(['check', ...args], {
    stdout: (t) => { stdout += t; },
    stderr: () => undefined,
    cwd,
    readFile: (p) => readFileSync(isAbsolute(p) ? p : join(cwd, p), 'utf8'),
    exists: (p) => existsSync(p),
  } as Parameters<typeof run>[1]);
  return { code, stdout };
}

/** Inserts `line` before the first line of `file` containing `marker`. */
function insertAbove(file: string, marker: string, line: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.lastIndexOf('\n', text.indexOf(marker)) + 1;
  writeFileSync(file, `${text.slice(0, at)}${line}\n${text.slice(at)}`);
}

describe('amlnet check: suppression', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlnet-suppress-'));
    cpSync(EXAMPLES, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when every failing requirement is suppressed (Bicep comment, ARM metadata), and marks them', async () => {
    assert.equal((await check(dir, ['.'])).code, 1);
    // Bicep: every amlnet id on the compute NSG.
    insertAbove(join(dir, 'bicep', 'modules', 'network.bicep'), "resource computeNsg 'Microsoft.Network/networkSecurityGroups", '// amlnet-disable-next-line');
    // ARM: the NSG resource's metadata.
    const armPath = join(dir, 'arm', 'azuredeploy.json');
    const arm = readFileSync(armPath, 'utf8');
    const nsgType = '"type": "Microsoft.Network/networkSecurityGroups",';
    writeFileSync(armPath, arm.replace(nsgType, `${nsgType}\n      "metadata": { "amlnet-disable": ["aml-out-key-vault", "aml-out-azure-machine-learning"] },`));

    const text = await check(dir, ['.']);
    assert.equal(text.code, 0, text.stdout);
    assert.match(text.stdout, /BLOCKED aml-out-key-vault \(suppressed\): Blocked: TCP 443 to AzureKeyVault/);
    assert.match(text.stdout, /Result: PASS/);

    const json = JSON.parse((await check(dir, ['.', '--format', 'json'])).stdout) as CheckReport;
    assert.equal(json.failing, false);
    const failing = json.nsgs.filter((n) => n.inScope).flatMap((n) => n.requirements.filter((r) => r.verdict === 'blocked' || r.verdict === 'partial'));
    assert.ok(failing.length >= 5);
    assert.ok(failing.every((r) => r.suppressed === true), JSON.stringify(failing.map((r) => [r.id, r.suppressed])));

    const sarif = JSON.parse((await check(dir, ['.', '--format', 'sarif'])).stdout) as { runs: { results: { ruleId: string; level: string; suppressions?: unknown[] }[] }[] };
    const errors = sarif.runs[0].results.filter((r) => r.level === 'error');
    assert.ok(errors.length >= 5 && errors.every((r) => JSON.stringify(r.suppressions) === '[{"kind":"inSource"}]'));
  });

  it('exits 1 while one failing requirement is not suppressed, and --fix leaves suppressed ones alone', async () => {
    const armPath = join(dir, 'arm', 'azuredeploy.json');
    // Above the "{" of the NSG resource.
    const arm = readFileSync(armPath, 'utf8');
    const brace = arm.lastIndexOf('\n', arm.lastIndexOf('{', arm.indexOf('"type": "Microsoft.Network/networkSecurityGroups",'))) + 1;
    writeFileSync(armPath, `${arm.slice(0, brace)}    // amlnet-disable-next-line aml-out-key-vault\n${arm.slice(brace)}`);
    const json = JSON.parse((await check(dir, ['arm', '--format', 'json'])).stdout) as CheckReport;
    const reqs = json.nsgs[0].requirements;
    assert.equal(reqs.find((r) => r.id === 'aml-out-key-vault')!.suppressed, true);
    assert.equal(reqs.find((r) => r.id === 'aml-out-azure-machine-learning')!.suppressed, undefined);
    assert.equal((await check(dir, ['arm'])).code, 1);

    await check(dir, ['arm', '--fix']);
    assert.doesNotMatch(readFileSync(armPath, 'utf8'), /AllowAzureMLAzureKeyVaultOutbound/);
  });
});
