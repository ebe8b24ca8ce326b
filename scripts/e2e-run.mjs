// Runs the extension-host tests (out/test/e2e/suite/**/*.e2e.js) inside a real VS Code:
// code-server on 127.0.0.1 with a temp copy of examples/ as the workspace, opened by headless
// Chromium with the test payload. Builds nothing: expects dist/ (npm run build) and out/
// (npm run compile). Exit code: the tests' own (0 all passed), 1 on any harness failure.
// The terminal shows the mocha report; the rest goes to logs in .e2e/logs/: code-server.log (the
// server), workbench.log (the window's console, with the extension host's console forwarded to
// it), browser.log (Chromium's console) and vscode/ (VS Code's log folder: extension host, the
// extension's "Azure ML Network" output channel). On a failure their last lines are printed.
//
// `--multi-root` opens a multi-root workspace instead (the examples copy and the folder
// test/fixtures/multi-root-second/, in a .code-workspace file) and runs test/e2e/multi-root/ there:
// a second folder added while running would restart the extension host, so it is a run of its own.
//
// Environment: AMLNET_E2E_TIMEOUT_MS (whole run, default 300000), AMLNET_E2E_GREP (mocha grep),
// AMLNET_E2E_KEEP=1 (keep the temp folder), AMLNET_E2E_EXTENSION_DIR (load the extension from
// another folder with package.json and dist/, e.g. a patched build; default: this repository).
/* global setTimeout, clearTimeout */
import { appendFileSync, cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { format } from 'node:util';
import {
  keepVscodeLogs, logDir, makeSandbox, missingPrerequisites, openBrowser, removeSandbox, repoRoot, startCodeServer, tail, workbenchUrl,
} from './code-server.mjs';

const timeoutMs = Number(process.env.AMLNET_E2E_TIMEOUT_MS ?? 300_000);
const multiRoot = process.argv.includes('--multi-root');
const testsIndex = join(repoRoot, 'out/test/e2e/index.js');
const serverLog = join(logDir, 'code-server.log');
const browserLog = join(logDir, 'browser.log');
const workbenchLog = join(logDir, 'workbench.log');
const vscodeLogs = join(logDir, 'vscode');
const REPORT_MARK = '[mocha] '; // as in test/e2e/index.ts
/** Expected noise on a machine without internet (see ../shared/E2E.md): kept in the log, left out of the tail printed on failure. */
const NOISE = /ENOTFOUND|open-vsx\.org|telemetry|github-authentication|GitHub authentication/i;
const workbenchEntries = [];
const started = Date.now();
const say = (msg) => console.log(`[e2e] ${msg}`);
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const missing = missingPrerequisites();
if (missing.length) {
  console.error(`[e2e] missing: ${missing.join('; ')}.\n[e2e] Run: node scripts/e2e-setup.mjs`);
  process.exit(1);
}
if (!existsSync(testsIndex)) {
  console.error(`[e2e] ${testsIndex} is missing. Run: npm run compile`);
  process.exit(1);
}
if (!existsSync(join(repoRoot, 'dist/client.js'))) {
  say('note: dist/client.js is missing (npm run build); tests that need the extension client will fail.');
}

let sandbox;
let server;
let azureServer; // the local ARM server of the Azure view's tests (test/e2e/suite/65-azure.e2e.ts)
let browserHandle;
let cleaning;
const cleanup = () => (cleaning ??= (async () => {
  await browserHandle?.close();
  await server?.stop();
  await azureServer?.close();
  if (sandbox) {
    keepVscodeLogs(sandbox, vscodeLogs);
    removeSandbox(sandbox);
  }
})());

let abort;
const aborted = new Promise((resolve) => { abort = resolve; });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => abort({ reason: `interrupted (${signal})`, code: 130 }));
}

let result;
try {
  sandbox = makeSandbox();
  let workspaceFile;
  if (multiRoot) {
    const second = join(sandbox.root, 'second');
    cpSync(join(repoRoot, 'test/fixtures/multi-root-second'), second, { recursive: true });
    workspaceFile = join(sandbox.root, 'amlnet.code-workspace');
    writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: sandbox.workspace }, { path: second, name: 'second' }] }, null, 2));
    say(`multi-root workspace: ${workspaceFile}`);
  } else {
    say(`workspace: ${sandbox.workspace}`);
  }
  server = await startCodeServer({ sandbox, logFile: serverLog });
  say(`code-server ${server.baseUrl} (pid ${server.pid}) ready after ${seconds()}`);

  browserHandle = await openBrowser({ sandbox, logFile: browserLog });
  const { page } = browserHandle;
  let exit;
  const exited = new Promise((resolve) => { exit = resolve; });
  writeFileSync(workbenchLog, '');
  let finished = false;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!finished && text.startsWith(REPORT_MARK)) console.log(text.slice(REPORT_MARK.length));
    else {
      appendFileSync(workbenchLog, `[${type}] ${text}\n`);
      if (!NOISE.test(text)) workbenchEntries.push(`[${type}] ${text}`);
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => { finished = true; exit({ code: Number(code) }); });
  page.on('crash', () => abort({ reason: 'the browser page crashed', code: 1 }));

  const extensionEnvironment = { AMLNET_E2E: '1', ...(multiRoot ? { AMLNET_E2E_SUITE: 'multi-root' } : {}) };
  if (process.env.AMLNET_E2E_GREP) extensionEnvironment.AMLNET_E2E_GREP = process.env.AMLNET_E2E_GREP;
  {
    // The Azure view reads a local ARM server through its test hook (src/client/azure-test-hook.ts):
    // the fixture tenant of test/azure/tenant.ts, one subscription answering 403.
    const require = createRequire(import.meta.url);
    const { FakeArmServer } = require(join(repoRoot, 'out/test/azure/fake-arm-server.js'));
    const { FIXTURE, SUB_LOCKED, tenantData } = require(join(repoRoot, 'out/test/azure/tenant.js'));
    const { TEST_TOKEN } = require(join(repoRoot, 'out/test/azure/support.js'));
    azureServer = new FakeArmServer(tenantData(FIXTURE), TEST_TOKEN);
    await azureServer.start();
    azureServer.reset({ forbidden: [SUB_LOCKED] });
    const caFile = join(sandbox.root, 'azure-ca.pem');
    writeFileSync(caFile, azureServer.certificate);
    Object.assign(extensionEnvironment, { AMLNET_TEST_AZURE_ENDPOINT: azureServer.url, AMLNET_TEST_AZURE_CA_FILE: caFile, AMLNET_TEST_AZURE_TOKEN: TEST_TOKEN });
  }
  const extensionDevelopmentPath = process.env.AMLNET_E2E_EXTENSION_DIR || repoRoot;
  const url = workbenchUrl(server, { folder: sandbox.workspace, workspace: workspaceFile, extensionDevelopmentPath, extensionTestsPath: testsIndex, extensionEnvironment });
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  say(`workbench opened after ${seconds()}; running the tests`);

  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve({
      reason: `no result within ${timeoutMs / 1000} s (the tests hang, or the workbench never ran them: see the logs)`, code: 1,
    }), Math.max(0, timeoutMs - (Date.now() - started)));
  });
  result = await Promise.race([exited, timedOut, aborted]);
  clearTimeout(timer);
} catch (e) {
  result = { reason: `harness failure: ${e.stack ?? e.message}`, code: 1 };
} finally {
  await cleanup();
}

/** The extension's own output channel (client and server log) from VS Code's log folder, if there is one. */
function extensionLogTail(lines = 25) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.includes(`${sep}amlnet.amlnet${sep}`)) found.push(p);
    }
  };
  try { walk(vscodeLogs); } catch { return ''; }
  return found.map((f) => `[e2e] last lines of ${f}:\n${tail(f, lines)}`).join('\n');
}

if (result.reason || result.code !== 0) {
  const ext = extensionLogTail();
  if (ext) console.error(ext);
}
if (result.reason) {
  console.error(`\n[e2e] FAILED: ${result.reason}`);
  console.error(`[e2e] last lines of ${serverLog}:\n${tail(serverLog)}`);
  console.error(`[e2e] workbench console (noise left out; all in ${workbenchLog}):\n${workbenchEntries.slice(-30).join('\n')}`);
  console.error(`[e2e] last lines of ${browserLog}:\n${tail(browserLog, 20)}`);
} else if (result.code !== 0) {
  console.error(`[e2e] workbench console (noise left out; all in ${workbenchLog}):\n${workbenchEntries.slice(-30).join('\n')}`);
  console.error(`[e2e] the extension-host tests failed (exit code ${result.code}) after ${seconds()}; logs in ${logDir}`);
} else {
  say(`passed in ${seconds()}`);
}
process.exit(result.code);
