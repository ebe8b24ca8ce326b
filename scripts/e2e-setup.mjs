// Installs what the extension-host tests need, and only what is missing (a no-op, in well under a
// second, when everything is there). Recipe and reasons: ../shared/E2E.md.
//   1. Debian chromium and libkrb5-dev (one native module of code-server builds against it), with
//      apt-get; needs root, otherwise it says what to install.
//   2. Node 24 in e2e/node24 (npm ci from its lockfile).
//   3. code-server in e2e/code-server (npm ci from its lockfile, with Node 24 first on PATH and
//      npm_config_nodedir pointing at it: its install script refuses any other Node).
// Exit code 0 when everything is in place, 1 otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, codeServerEntry, node24Bin, node24Dir, repoRoot } from './code-server.mjs';

const started = Date.now();
const say = (msg) => console.log(`[e2e-setup] ${msg}`);
const fail = (msg) => { console.error(`[e2e-setup] ${msg}`); process.exit(1); };

function run(cmd, args, options = {}) {
  say(`$ ${cmd} ${args.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  say(`  done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

const lockedVersion = (folder, name) =>
  JSON.parse(readFileSync(join(repoRoot, folder, 'package-lock.json'), 'utf8')).packages[`node_modules/${name}`]?.version;
const installedVersion = (folder, name) => {
  try {
    return JSON.parse(readFileSync(join(repoRoot, folder, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

/** The environment for a nested npm: without the variables an outer `npm test` sets (its user agent names Node 20, and code-server's install script reads the Node version from it). */
function cleanNpmEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package|lifecycle)_/.test(key) || ['npm_config_user_agent', 'npm_config_local_prefix', 'npm_config_global_prefix',
      'npm_config_prefix', 'npm_config_node_gyp', 'npm_config_loglevel', 'npm_config_npm_version', 'npm_command', 'npm_execpath', 'npm_node_execpath',
      'NODE', 'INIT_CWD'].includes(key)) delete env[key];
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

// 1. Debian packages.
const krb5Header = '/usr/include/krb5.h';
const codeServerVersion = lockedVersion('e2e/code-server', 'code-server');
const codeServerReady = existsSync(codeServerEntry)
  && installedVersion('e2e/code-server', 'code-server') === codeServerVersion
  && ['lib/vscode/node_modules/.package-lock.json', 'lib/vscode/extensions/node_modules/.package-lock.json']
    .every((f) => existsSync(join(repoRoot, 'e2e/code-server/node_modules/code-server', f)));
const debs = [];
if (!existsSync(chromiumPath)) debs.push('chromium');
if (!codeServerReady && !existsSync(krb5Header)) debs.push('libkrb5-dev');
// code-server's native modules build from source when no prebuilt binary can be downloaded.
const hasBuildTools = () => spawnSync('sh', ['-c', 'command -v make && command -v g++ && command -v python3'], { stdio: 'ignore' }).status === 0;
if (!codeServerReady && !hasBuildTools()) debs.push('build-essential', 'python3');
if (debs.length) {
  if (process.getuid?.() !== 0) {
    fail(`missing Debian packages: ${debs.join(' ')}. As root: apt-get update && apt-get install -y ${debs.join(' ')}\n`
      + '[e2e-setup] (chromium provides /usr/bin/chromium; libkrb5-dev and the build tools are needed to build code-server). Then run this script again.');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...debs], { env });
  if (!existsSync(chromiumPath)) fail(`apt-get installed chromium but ${chromiumPath} is still missing`);
} else {
  say(`chromium: ${chromiumPath}`);
}

// 2. Node 24, in its own folder.
const nodeVersion = lockedVersion('e2e/node24', 'node');
if (!existsSync(node24Bin) || installedVersion('e2e/node24', 'node') !== nodeVersion) {
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: join(repoRoot, 'e2e/node24'), env: cleanNpmEnv({}) });
  if (!existsSync(node24Bin)) fail(`npm ci in e2e/node24 finished but ${node24Bin} is missing`);
} else {
  say(`node ${nodeVersion}: ${node24Bin}`);
}

// 3. code-server, installed by npm running on Node 24.
if (!codeServerReady) {
  const env = cleanNpmEnv({ PATH: `${join(node24Dir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node24Dir });
  const v = spawnSync('node', ['--version'], { env, encoding: 'utf8' });
  if (!v.stdout?.startsWith('v24.')) fail(`expected Node 24 first on PATH for code-server's install, got ${v.stdout || v.error?.message}`);
  say(`installing code-server ${codeServerVersion} with Node ${v.stdout.trim()} (about 2.5 minutes on 2 cores; a "getaddrinfo ENOTFOUND github.com" from a prebuild download is harmless)`);
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: join(repoRoot, 'e2e/code-server'), env });
  const check = spawnSync(node24Bin, [codeServerEntry, '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (check.status !== 0) fail(`code-server was installed but does not run: ${check.stderr || check.error?.message}`);
  say(`code-server: ${check.stdout.trim().split('\n')[0]}`);
} else {
  say(`code-server ${codeServerVersion}: ${codeServerEntry}`);
}

say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
