// Entry point VS Code loads in the extension host when scripts/e2e-run.mjs opens code-server with
// `extensionTestsPath` = out/test/e2e/index.js: runs mocha 11 over out/test/e2e/suite/**/*.e2e.js
// (named .e2e.js so the root `mocha` run, spec out/test/**/*.test.js, never picks them up), or
// over out/test/e2e/multi-root/ when the runner opened a multi-root workspace (`--multi-root`).
// Console output travels to the runner through the workbench's codeAutomationLog.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Lines of the test report start with this; the runner prints them and files the rest of the workbench's console in a log. */
export const REPORT_MARK = '[mocha] ';

export async function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(REPORT_MARK + format(...args));
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 60_000,
    // Every test polls with its own bound; a second chance would hide flakiness.
    retries: 0,
    failZero: true,
    ...(process.env.AMLNET_E2E_GREP ? { grep: process.env.AMLNET_E2E_GREP } : {}),
  });
  const suite = process.env.AMLNET_E2E_SUITE === 'multi-root' ? 'multi-root' : 'suite';
  const suiteDir = join(__dirname, suite);
  // out/ keeps the output of a test file that was renamed or deleted: run only those with a source.
  const sourceDir = join(__dirname, '..', '..', '..', 'test', 'e2e', suite);
  const compiled = (readdirSync(suiteDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.e2e.js')).sort();
  const files = compiled.filter((f) => !existsSync(sourceDir) || existsSync(join(sourceDir, f.replace(/\.js$/, '.ts'))));
  for (const f of compiled.filter((c) => !files.includes(c))) console.log(`${REPORT_MARK}(skipped ${f}: its source is gone; stale output in out/)`);
  for (const f of files) mocha.addFile(join(suiteDir, f));
  if (files.length === 0) throw new Error(`no *.e2e.js files under ${suiteDir}`);

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (e) {
      reject(e);
    }
  });
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
