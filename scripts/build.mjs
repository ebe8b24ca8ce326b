// Bundles the extension client, the language server and the CLI with esbuild.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const candidates = [
  { in: 'src/client/extension.ts', out: 'client', external: ['vscode'] },
  { in: 'src/server/server.ts', out: 'server', external: [] },
  // The CLI runs from an npm install, where @azure/* are dependencies: loading them from node_modules
  // keeps the bundle small and startup fast for the commands that never touch Azure.
  { in: 'src/cli/main.ts', out: 'cli', external: ['@azure/*'] },
];
const entries = candidates.filter((e) => existsSync(e.in));

const contexts = await Promise.all(entries.map((e) => esbuild.context({
  entryPoints: [e.in],
  outfile: `dist/${e.out}.js`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  sourcemap: !production,
  minify: production,
  external: e.external,
  // The Azure SDK's HTTP layer checks classes by name (AbortSignal): minified or renamed, it fails.
  keepNames: true,
  logLevel: 'warning',
})));

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
