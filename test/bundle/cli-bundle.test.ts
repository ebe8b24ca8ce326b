// The bundled CLI (dist/cli.js, what `npm install -g` users run through bin/amlnet.js), not its
// sources: esbuild inlines our code and leaves @azure/* to node_modules, so a bundling mistake (a
// module the bundle cannot load, a class renamed under the SDK's name checks) shows only here.
// Runs after `npm run build` (see the `test` script), apart from the main mocha run.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AzureCliHooks } from '../../src/cli/azure-check';
import { run as runSource, type CliIo } from '../../src/cli/main';
import { FakeArmServer } from '../azure/fake-arm-server';
import { isLoopback, StaticCredential, TEST_TOKEN, watchConnections } from '../azure/support';
import { armTemplate, FIXTURE, SUB_LOCKED, tenantData } from '../azure/tenant';
import { generateArmTemplate } from '../../bench/check-bench';
import { V8_DEFAULTS_VARIABLE } from '../../src/host/runtime';

const BUNDLE = resolve(__dirname, '../../../dist/cli.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the bundled CLI (dist/cli.js)', () => {
  const server = new FakeArmServer(tenantData(FIXTURE), TEST_TOKEN);
  const watch = watchConnections();
  let dir: string;
  let runBundle: typeof runSource;

  async function amlnet(run: typeof runSource, args: readonly string[], azure?: AzureCliHooks): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      cwd: dir,
      readFile: (p) => readFileSync(p, 'utf8'),
      exists: (p) => existsSync(p),
      ...(azure ? { azure } : {}),
    };
    const code = await run(['check', ...args], io);
    return { code, stdout, stderr };
  }
  const hooks = (): AzureCliHooks => ({ credential: () => new StaticCredential(), endpoint: server.url, ca: server.certificate, timeoutMs: 20_000 });

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build first`);
    // Imported, the bundle stays quiet (it starts itself only as the program) and exports run().
    runBundle = ((await import(BUNDLE)) as { run: typeof runSource }).run;
    assert.equal(typeof runBundle, 'function');
    await server.start();
    dir = mkdtempSync(join(tmpdir(), 'amlnet-bundle-'));
    const prod = FIXTURE.subscriptions.find((s) => s.id !== SUB_LOCKED);
    assert.ok(prod);
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(armTemplate(prod), null, 2));
  });
  beforeEach(() => server.reset({ forbidden: [SUB_LOCKED] }));
  after(async () => {
    watch.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    assert.ok(watch.targets.length > 0);
    assert.deepEqual(watch.targets.filter((t) => !isLoopback(t)), []);
  });

  it('checks live subscriptions (--azure) through the real SDK exactly as the sources do', async () => {
    const bundled = await amlnet(runBundle, ['--azure', '--format', 'json'], hooks());
    assert.equal(bundled.code, 1, bundled.stderr);
    assert.match(bundled.stderr, /read 2 of 2 subscriptions in AzureCloud through Resource Graph/);
    assert.ok(server.log.length > 0 && server.log.every((l) => l.authorized));
    server.reset({ forbidden: [SUB_LOCKED] });
    const source = await amlnet(runSource, ['--azure', '--format', 'json'], hooks());
    assert.equal(bundled.stdout, source.stdout);
    assert.ok((JSON.parse(bundled.stdout) as { nsgs: unknown[] }).nsgs.length > 0);
    assert.ok(!bundled.stdout.includes(TEST_TOKEN) && !bundled.stderr.includes(TEST_TOKEN));
  });

  it('runs as a program with the V8 settings of src/host/runtime.ts (pretenuring off)', function () {
    this.timeout(120_000);
    // A template large enough for V8 to weigh pretenuring while it is checked; its trace goes to stdout.
    const big = mkdtempSync(join(tmpdir(), 'amlnet-bundle-v8-'));
    try {
      writeFileSync(join(big, 'azuredeploy.json'), generateArmTemplate(1));
      const program = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--trace-pretenuring-statistics', BUNDLE, 'check', big], { encoding: 'utf8', env, timeout: 100_000 });
      const env = { ...process.env };
      delete env[V8_DEFAULTS_VARIABLE];
      const tuned = program(env);
      assert.equal(tuned.status, 1, tuned.stderr);
      assert.match(tuned.stdout, /nsg-aml-0/);
      assert.doesNotMatch(tuned.stdout, /pretenuring/);
      // With V8's defaults the same run makes pretenuring decisions.
      const defaults = program({ ...env, [V8_DEFAULTS_VARIABLE]: '1' });
      assert.equal(defaults.status, 1, defaults.stderr);
      assert.match(defaults.stdout, /pretenuring: AllocationSite/);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });

  it('checks templates and writes SARIF exactly as the sources do', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const bundled = await amlnet(runBundle, ['prod.json', '--format', format]);
      const source = await amlnet(runSource, ['prod.json', '--format', format]);
      assert.equal(bundled.code, source.code, bundled.stderr);
      assert.equal(bundled.stdout, source.stdout, format);
      assert.ok(bundled.stdout.length > 100, format);
    }
  });
});
